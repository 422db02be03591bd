//! The client's own record against real (SQLCipher) stores in temporary
//! folders: what the file holds compared field by field with the case,
//! every refusal leaving the stores as they were, and a second agency
//! taking it in.

use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::media::{MediaKind, VideoInfo};
use crate::model::{Case, CaseId, ConsentScope, Disease, SectionName, demo_cases};
use crate::store::{
    AuditAction, KdfParams, MediaDetails, MediaId, MemoryKeychain, Store, StoreOptions,
};

const PW: &str = "correct horse battery";
const CHOSEN_CAPTION: &str = "職場実習で棚を組み立てる見本花子さん";
const LEFT_CAPTION: &str = "家族と写った見本花子さん（持ち出さない）";
const VIDEO_CAPTION: &str = "作業の様子の動画";
/// A second disease the client does not take.
const SECOND_DISEASE: &str = "持ち出さない疾患";

struct Env {
    dir: tempfile::TempDir,
    keychain: Arc<MemoryKeychain>,
}

/// The source case with its photos and video: (the store, the case id,
/// the chosen photo, the photo left behind, the video, an item the client
/// has not approved).
struct Source {
    store: Store,
    case: CaseId,
    chosen_photo: MediaId,
    left_photo: MediaId,
    video: MediaId,
    unapproved: MediaId,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            keychain: Arc::new(MemoryKeychain::default()),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn store(&self, name: &str) -> Store {
        let options = StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        };
        Store::create(
            &self.path(name),
            self.keychain.clone(),
            "admin",
            PW,
            options,
        )
        .expect("creates a store")
        .0
    }

    fn source(&self) -> Source {
        let mut store = self.store("source");
        let mut case = demo_cases().remove(0);
        case.basic.diseases.push(Disease::new(None, SECOND_DISEASE));
        let case = store.create_case(&case).expect("creates");
        let details = |caption: &str| MediaDetails {
            caption: caption.into(),
            illustrates: "丁寧な作業".into(),
            taken_at: None,
        };
        let photo = crate::media::fixtures::gps_tagged_jpeg();
        let chosen_photo = store
            .import_photo(case, &photo, &details(CHOSEN_CAPTION))
            .expect("stores a photo");
        let left_photo = store
            .import_photo(case, &photo, &details(LEFT_CAPTION))
            .expect("stores a photo");
        let info = VideoInfo {
            mime: "video/mp4".into(),
            duration_ms: 4_000,
        };
        let mut clip = crate::media::fixtures::minimal_mp4(4_000, 50_000);
        let video = store
            .add_video(
                case,
                &mut clip.as_slice(),
                &photo,
                &info,
                &details(VIDEO_CAPTION),
            )
            .expect("stores a video");
        clip.clear();
        let unapproved = store
            .import_photo(case, &photo, &details("承認されていない写真"))
            .expect("stores a photo");
        for id in [chosen_photo, left_photo, video] {
            store.set_media_approval(case, id, true).expect("approves");
        }
        Source {
            store,
            case,
            chosen_photo,
            left_photo,
            video,
            unapproved,
        }
    }
}

/// Career plan and job match, the first disease, the chosen photo and
/// the video.
fn choice(source: &Source) -> CarryChoice {
    CarryChoice {
        sections: BTreeSet::from([SectionName::CareerPlan, SectionName::JobMatch]),
        diseases: vec![DiseasePick::Number(1)],
        media: vec![source.chosen_photo, source.video],
    }
}

fn bytes_of(store: &mut Store, case: CaseId, id: MediaId) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .open_media(case, id)
        .expect("opens")
        .read_to_end(&mut out)
        .expect("reads");
    out
}

/// Writes the record of `source` with [`choice`] to `out`.
fn written(source: &mut Source, out: &Path) -> CarryPassphrase {
    let choice = choice(source);
    let passphrase = CarryPassphrase::generate();
    write_carry_file(
        &mut source.store,
        source.case,
        &choice,
        &passphrase,
        "tsunagi",
        out,
    )
    .expect("writes the record");
    passphrase
}

/// The plaintext of a record, opened with the `age` crate itself.
fn plaintext(path: &Path, passphrase: &str) -> Vec<u8> {
    let file = std::fs::File::open(path).expect("opens");
    let decryptor = age::Decryptor::new(file).expect("an age file");
    let identity = age::scrypt::Identity::new(passphrase.to_owned().into());
    let mut out = Vec::new();
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .expect("decrypts")
        .read_to_end(&mut out)
        .expect("reads");
    out
}

fn text_of(path: &Path, passphrase: &CarryPassphrase) -> String {
    String::from_utf8_lossy(&plaintext(path, passphrase.expose())).into_owned()
}

#[test]
fn the_file_carries_exactly_what_the_client_chose() {
    let env = Env::new();
    let mut source = env.source();
    let original = source.store.load_case(source.case).expect("loads");
    assert!(
        original.basic.diseases.len() >= 2,
        "the demo case has two diseases"
    );
    let out = env.path("record.age");
    let passphrase = written(&mut source, &out);
    let file = open_carry_file(&out, passphrase.expose()).expect("opens");
    let carried: &Case = file.case();

    // Chosen: whole sections, the first disease, the issues that apply.
    assert_eq!(carried.career_plan, original.career_plan);
    assert_eq!(carried.job_match, original.job_match);
    assert_eq!(
        carried.basic.diseases,
        vec![original.basic.diseases[0].clone()]
    );
    let applicable: Vec<_> = original
        .case_management
        .applicable_issues()
        .cloned()
        .collect();
    assert!(!applicable.is_empty());
    assert_eq!(carried.case_management.vocational_issues, applicable);

    // Not chosen: empty.
    assert_ne!(carried.id, original.id);
    assert_eq!(carried.basic.name.expose(), "");
    assert_eq!(carried.basic.address.expose(), "");
    assert!(carried.basic.family.is_empty() && carried.basic.work_history.is_empty());
    assert_eq!(original.basic.diseases[1].name, SECOND_DISEASE);
    assert!(!text_of(&out, &passphrase).contains(SECOND_DISEASE));
    assert_eq!(carried.case_management.support_plan, Default::default());
    assert_eq!(carried.monitoring, Default::default());
    assert!(carried.consultations.is_empty() && carried.programmes.is_empty());
    assert!(carried.consents.is_empty());
    assert_eq!(carried.stage, Default::default());
    assert_eq!(carried.disclosure, Default::default());

    // The chosen photo and video, byte for byte; nothing else.
    let media = file.media();
    assert_eq!(media.len(), 2);
    let photo = bytes_of(&mut source.store, source.case, source.chosen_photo);
    let video = bytes_of(&mut source.store, source.case, source.video);
    assert_eq!(media[0].info.kind, MediaKind::Photo);
    assert_eq!(media[0].bytes, photo);
    assert_eq!(media[0].info.caption.expose(), CHOSEN_CAPTION);
    assert_eq!(media[1].info.kind, MediaKind::Video);
    assert_eq!(media[1].bytes, video);
    let text = text_of(&out, &passphrase);
    assert!(
        !text.contains(LEFT_CAPTION),
        "a photo not chosen is in the file"
    );
    let address = original.basic.address.expose();
    assert!(!address.is_empty() && !text.contains(address.as_str()));
    assert!(!text.contains(source.left_photo.to_string().as_str()));

    let preview = file.preview();
    assert_eq!(
        preview.sections,
        [SectionName::CareerPlan, SectionName::JobMatch]
    );
    assert_eq!(
        preview.diseases,
        vec![original.basic.diseases[0].name.clone()]
    );
    assert_eq!((preview.photos, preview.videos), (1, 1));
    assert_eq!(preview.name.expose(), "");
    assert_eq!(preview.made_by, "tsunagi");
}

#[test]
fn the_choice_is_recorded_on_the_case_as_a_consent_and_in_the_audit_log() {
    let env = Env::new();
    let mut source = env.source();
    let before = source.store.load_case(source.case).expect("loads");
    written(&mut source, &env.path("record.age"));
    let after = source.store.load_case(source.case).expect("loads");
    assert_eq!(after.consents.len(), before.consents.len() + 1);
    let consent = after.consents.last().expect("a consent");
    assert_eq!(consent.scope, ConsentScope::ClientRecord);
    assert_eq!(consent.recipient.expose(), RECIPIENT);
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(consent.given_on, Some(today));
    assert!(after.may_use(ConsentScope::ClientRecord, today).is_ok());
    let note = consent.content.expose();
    for word in [
        "キャリア計画",
        "ジョブマッチ",
        before.basic.diseases[0].name.as_str(),
    ] {
        assert!(note.contains(word), "the note does not say {word}: {note}");
    }
    assert!(note.contains(&source.chosen_photo.to_string()));
    assert!(!note.contains(&source.left_photo.to_string()));
    let log = source.store.audit_log(1000).expect("reads the log");
    assert!(log.iter().any(|e| {
        e.action == AuditAction::ReadCase
            && e.detail
                .starts_with("client record: sections [career_plan,job_match]")
    }));
}

#[test]
fn a_wrong_passphrase_is_refused_and_nothing_is_created() {
    let env = Env::new();
    let mut source = env.source();
    let out = env.path("record.age");
    written(&mut source, &out);
    let other = CarryPassphrase::generate();
    let err = open_carry_file(&out, other.expose()).expect_err("refused");
    assert!(matches!(err, CarryError::WrongPassphrase), "{err:?}");
    assert!(err.to_string().starts_with("パスフレーズが違います"));
    let mut target = env.store("target");
    assert!(
        target
            .list_cases(&Default::default())
            .expect("lists")
            .is_empty()
    );
}

#[test]
fn the_passphrase_reads_back_in_any_case_without_hyphens() {
    let env = Env::new();
    let mut source = env.source();
    let out = env.path("record.age");
    let passphrase = written(&mut source, &out);
    let typed = passphrase.expose().replace('-', " ").to_lowercase();
    open_carry_file(&out, &typed).expect("opens as typed");
}

#[test]
fn a_passphrase_has_five_groups_of_four_and_a_hundred_bits() {
    const { assert!(ENTROPY_BITS >= 100) };
    let a = CarryPassphrase::generate();
    let groups: Vec<&str> = a.expose().split('-').collect();
    assert_eq!(groups.len(), 5);
    assert!(
        groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| ALPHABET.contains(&b)))
    );
    assert_ne!(a, CarryPassphrase::generate());
    assert_eq!(format!("{a:?}"), "CarryPassphrase(‹redacted›)");
}

#[test]
fn a_flipped_byte_or_a_file_cut_short_is_refused() {
    let env = Env::new();
    let mut source = env.source();
    let out = env.path("record.age");
    let passphrase = written(&mut source, &out);
    let bytes = std::fs::read(&out).expect("reads");
    let mut flipped = bytes.clone();
    let at = bytes.len() - 200;
    flipped[at] ^= 0x01;
    let bad = env.path("flipped.age");
    std::fs::write(&bad, &flipped).expect("writes");
    let err = open_carry_file(&bad, passphrase.expose()).expect_err("refused");
    assert!(matches!(err, CarryError::Damaged(_)), "{err:?}");
    for cut in [bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&bad, &bytes[..cut]).expect("writes");
        let err = open_carry_file(&bad, passphrase.expose()).expect_err("refused");
        assert!(
            matches!(err, CarryError::Damaged(_)),
            "cut at {cut}: {err:?}"
        );
    }
}

/// A passphrase-sealed `age` file holding `plain`.
fn sealed(path: &Path, passphrase: &str, plain: &[u8]) {
    let encryptor = age::Encryptor::with_user_passphrase(passphrase.to_owned().into());
    let mut file = std::fs::File::create(path).expect("creates");
    let mut writer = encryptor.wrap_output(&mut file).expect("seals");
    writer.write_all(plain).expect("writes");
    writer.finish().expect("finishes");
}

#[test]
fn another_kind_of_file_or_a_newer_format_is_refused_in_words() {
    let env = Env::new();
    let path = env.path("other.age");
    let pass = "ABCD-EFGH-JKLM-NPQR-STUV";
    sealed(
        &path,
        pass,
        b"{\"magic\":\"tsunagi-backup\",\"format\":1}\n",
    );
    let err = open_carry_file(&path, pass).expect_err("refused");
    assert!(matches!(err, CarryError::NotACarryFile), "{err:?}");
    std::fs::write(&path, "not an age file at all").expect("writes");
    let err = open_carry_file(&path, pass).expect_err("refused");
    assert!(matches!(err, CarryError::NotACarryFile), "{err:?}");
    sealed(
        &path,
        pass,
        b"{\"magic\":\"tsunagi-client-record\",\"format\":7}\n",
    );
    let err = open_carry_file(&path, pass).expect_err("refused");
    assert!(matches!(err, CarryError::NewerFormat(7)), "{err:?}");
    assert!(err.to_string().contains("新しい版のつなぎ"));
}

#[test]
fn an_item_not_approved_or_a_missing_case_is_refused_before_any_consent_or_file() {
    let env = Env::new();
    let mut source = env.source();
    let before = source.store.load_case(source.case).expect("loads");
    let out = env.path("record.age");
    let mut unapproved = choice(&source);
    unapproved.media.push(source.unapproved);
    let passphrase = CarryPassphrase::generate();
    let err = write_carry_file(
        &mut source.store,
        source.case,
        &unapproved,
        &passphrase,
        "tsunagi",
        &out,
    )
    .expect_err("refused");
    assert!(matches!(err, CarryError::MediaNotApproved(id) if id == source.unapproved));
    let chosen = choice(&source);
    let missing = write_carry_file(
        &mut source.store,
        CaseId::new(),
        &chosen,
        &passphrase,
        "tsunagi",
        &out,
    )
    .expect_err("refused");
    assert!(matches!(missing, CarryError::NoSuchCase(_)), "{missing:?}");
    let nothing = write_carry_file(
        &mut source.store,
        source.case,
        &CarryChoice::default(),
        &passphrase,
        "tsunagi",
        &out,
    )
    .expect_err("refused");
    assert!(matches!(nothing, CarryError::NothingChosen));
    assert!(!out.exists());
    let after = source.store.load_case(source.case).expect("loads");
    assert_eq!(after.consents, before.consents);
}

#[test]
fn a_second_agency_takes_it_in_as_one_new_case_matching_the_preview() {
    let env = Env::new();
    let mut source = env.source();
    let out = env.path("record.age");
    let passphrase = written(&mut source, &out);
    let file = open_carry_file(&out, passphrase.expose()).expect("opens");
    let preview = file.preview();

    let mut target = env.store("target");
    let id = import_carry_file(&mut target, &file).expect("takes it in");
    assert_ne!(id, source.case);
    let cases = target.list_cases(&Default::default()).expect("lists");
    assert_eq!(cases.len(), 1);
    let taken = target.load_case(id).expect("loads");
    let mut expected = file.case().clone();
    expected.id = id;
    assert_eq!(taken, expected);
    let shown = Preview::of(
        &Header {
            magic: MAGIC.into(),
            format: FORMAT,
            created_at: preview.created_at,
            made_by: preview.made_by.clone(),
            agency: preview.agency.clone(),
            sections: preview.sections.clone(),
            entries: 3,
        },
        &taken,
        &file
            .media()
            .iter()
            .map(|m| m.info.clone())
            .collect::<Vec<_>>(),
    );
    assert_eq!(shown, preview);

    let items = target.list_media(id).expect("lists media");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items.iter().filter(|i| i.kind == MediaKind::Photo).count(),
        1
    );
    let video = items
        .iter()
        .find(|i| i.kind == MediaKind::Video)
        .expect("the video");
    assert_eq!(bytes_of(&mut target, id, video.id), file.media()[1].bytes);
    assert!(items.iter().all(|i| i.approval.is_none()));
    assert!(items.iter().any(|i| i.caption.expose() == CHOSEN_CAPTION));
    let log = target.audit_log(100).expect("reads the log");
    assert!(log.iter().any(|e| e.action == AuditAction::CreateCase
        && e.case_id.as_deref() == Some(id.to_string().as_str())
        && e.detail.starts_with("from a client's own record made")));
}
