use crate::rfc3339::Timestamp;
use std::sync::Arc;

use super::*;
use crate::model::demo_cases;
use crate::store::{KdfParams, MemoryKeychain, Role, StoreOptions};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};
const PW: &str = "correct horse battery";
const CAPTION: &str = "木工所で棚を組み立てる様子";

struct Fixture {
    dir: tempfile::TempDir,
    keychain: Arc<MemoryKeychain>,
}

impl Fixture {
    fn new() -> (Self, Store, CaseId) {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = Arc::new(MemoryKeychain::default());
        let (mut store, _) =
            Store::create(dir.path(), keychain.clone(), "admin", PW, FAST).expect("creates");
        let case = store
            .create_case(&demo_cases().remove(0))
            .expect("creates case");
        (Self { dir, keychain }, store, case)
    }

    fn unlock(&self, user: &str) -> Store {
        Store::unlock(self.dir.path(), self.keychain.clone(), user, PW).expect("unlocks")
    }

    fn media_files(&self) -> Vec<String> {
        match fs::read_dir(self.dir.path().join(MEDIA_DIR)) {
            Ok(entries) => entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn details() -> MediaDetails {
    MediaDetails {
        caption: CAPTION.into(),
        illustrates: "丁寧な作業".into(),
        taken_at: Timestamp::parse("2026-10-01T09:30:00+09:00"),
    }
}

fn photo() -> Vec<u8> {
    crate::media::fixtures::gps_tagged_jpeg()
}

fn video_bytes(len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
    v.extend((0..len).map(|i| (i % 253) as u8));
    v
}

fn mp4() -> VideoInfo {
    VideoInfo {
        mime: "video/mp4".into(),
        duration_ms: 12_000,
    }
}

fn read_all(store: &mut Store, case: CaseId, id: MediaId) -> Result<Vec<u8>, MediaError> {
    let mut stream = store.open_media(case, id).map_err(|e| match e {
        StoreError::Media(m) => m,
        other => panic!("unexpected {other:?}"),
    })?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn an_imported_photo_reads_back_sanitized_with_its_details() {
    let (_fx, mut store, case) = Fixture::new();
    let id = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    let items = store.list_media(case).expect("lists");
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.id, id);
    assert_eq!(item.kind, MediaKind::Photo);
    assert_eq!(item.mime, "image/jpeg");
    assert_eq!((item.width, item.height), (Some(24), Some(48)));
    assert_eq!(item.caption.expose(), CAPTION);
    assert_eq!(item.approval, None);
    let bytes = read_all(&mut store, case, id).expect("reads");
    assert_eq!(bytes.len() as u64, item.size);
    assert_eq!(hex(&Sha256::digest(&bytes)), item.sha256);
    assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    let poster = store.media_poster(case, id).expect("poster");
    assert!(poster.starts_with(&[0xFF, 0xD8]));
    assert!(!poster.windows(4).any(|w| w == b"Exif"));
}

#[test]
fn a_streamed_video_reads_back_and_seeks() {
    let (_fx, mut store, case) = Fixture::new();
    let data = video_bytes(1_500_000);
    let mut writer = store.begin_video(case).expect("begins");
    for part in data.chunks(64 * 1024 + 3) {
        writer.write_all(part).expect("writes");
    }
    let written = writer.finish().expect("finishes");
    let id = store
        .commit_video(case, written, &photo(), &mp4(), &details())
        .expect("commits");
    assert_eq!(read_all(&mut store, case, id).expect("reads"), data);
    let mut stream = store.open_media(case, id).expect("opens");
    stream.seek(SeekFrom::Start(1_000_000)).expect("seeks");
    let mut buf = [0u8; 100];
    stream.read_exact(&mut buf).expect("reads");
    assert_eq!(&buf[..], &data[1_000_000..1_000_100]);
    let item = &store.list_media(case).expect("lists")[0];
    assert_eq!(item.duration_ms, Some(12_000));
    assert_eq!(item.kind, MediaKind::Video);
}

#[test]
fn nothing_in_the_data_folder_shows_the_media_or_the_caption() {
    let (fx, mut store, case) = Fixture::new();
    store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    store
        .add_video(
            case,
            &mut io::Cursor::new(video_bytes(300_000)),
            &photo(),
            &mp4(),
            &details(),
        )
        .expect("adds");
    // Pieces of what was stored, as the store hands it back: a run of 16
    // plaintext bytes found in a ciphertext would be a leak, while a short
    // signature such as the JPEG's three bytes turns up in random bytes by
    // chance.
    let mut needles: Vec<Vec<u8>> = vec![CAPTION.as_bytes().to_vec(), b"Exif\0\0".to_vec()];
    for item in store.list_media(case).expect("lists") {
        let plain = read_all(&mut store, case, item.id).expect("reads");
        let poster = store.media_poster(case, item.id).expect("poster");
        for bytes in [plain, poster] {
            for at in [0, bytes.len() / 2, bytes.len() - 16] {
                needles.push(bytes[at..at + 16].to_vec());
            }
        }
    }
    drop(store);
    for entry in walk(fx.dir.path()) {
        let bytes = fs::read(&entry).expect("reads");
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{} holds {:02x?}",
                entry.display(),
                needle
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("reads dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_tampered_or_truncated_file_reads_as_damaged() {
    let (fx, mut store, case) = Fixture::new();
    let id = store
        .add_video(
            case,
            &mut io::Cursor::new(video_bytes(700_000)),
            &photo(),
            &mp4(),
            &details(),
        )
        .expect("adds");
    let name = fx.media_files().pop().expect("one file");
    let path = fx.dir.path().join(MEDIA_DIR).join(name);
    let clean = fs::read(&path).expect("reads");
    let mut bad = clean.clone();
    bad[300_000] ^= 0x40;
    fs::write(&path, &bad).expect("writes");
    assert!(matches!(
        read_all(&mut store, case, id),
        Err(MediaError::Damaged)
    ));
    fs::write(&path, &clean[..clean.len() - 100]).expect("writes");
    assert!(matches!(
        read_all(&mut store, case, id),
        Err(MediaError::Damaged)
    ));
    fs::remove_file(&path).expect("removes");
    assert!(matches!(
        read_all(&mut store, case, id),
        Err(MediaError::Damaged)
    ));
}

#[test]
fn a_file_swapped_for_another_items_file_reads_as_damaged() {
    let (fx, mut store, case) = Fixture::new();
    let a = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    let files = fx.media_files();
    let dir = fx.dir.path().join(MEDIA_DIR);
    let first = fs::read(dir.join(&files[0])).expect("reads");
    let second = fs::read(dir.join(&files[1])).expect("reads");
    fs::write(dir.join(&files[0]), second).expect("writes");
    fs::write(dir.join(&files[1]), first).expect("writes");
    assert!(matches!(
        read_all(&mut store, case, a),
        Err(MediaError::Damaged)
    ));
}

#[test]
fn deleting_removes_the_file_the_row_and_is_audited() {
    let (fx, mut store, case) = Fixture::new();
    let id = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    assert_eq!(fx.media_files().len(), 1);
    store.delete_media(case, id).expect("deletes");
    assert!(fx.media_files().is_empty());
    assert!(store.list_media(case).expect("lists").is_empty());
    assert!(matches!(
        store.open_media(case, id),
        Err(StoreError::NoSuchMedia(_))
    ));
    let log = store.audit_log(20).expect("log");
    assert!(
        log.iter()
            .any(|e| e.detail == format!("media delete {id}") && e.case_id.is_some())
    );
    for entry in &log {
        assert!(!entry.detail.contains(CAPTION), "{entry:?}");
    }
}

/// On the unencrypted baseline store the database file can be searched
/// byte for byte: after a delete, the item's key is in no page and no WAL
/// frame.
#[cfg(feature = "plain-baseline")]
#[test]
fn a_deleted_items_key_is_not_left_in_the_database_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::create_plain_baseline(dir.path()).expect("creates");
    let case = store
        .create_case(&demo_cases().remove(0))
        .expect("creates case");
    let mut keys = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = store
            .import_photo(case, &photo(), &details())
            .expect("imports");
        let key: Vec<u8> = store
            .conn
            .query_row(
                "SELECT key FROM media WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .expect("key");
        keys.push(key);
        ids.push(id);
    }
    let raw = || {
        let mut bytes = Vec::new();
        for name in ["store.db", "store.db-wal"] {
            bytes.extend(fs::read(dir.path().join(name)).unwrap_or_default());
        }
        bytes
    };
    let holds = |bytes: &[u8], key: &[u8]| bytes.windows(32).any(|w| w == key);
    assert!(holds(&raw(), &keys[1]), "the test can see keys on disk");
    store.delete_media(case, ids[1]).expect("deletes");
    let after = raw();
    assert!(!holds(&after, &keys[1]), "the deleted key is still on disk");
    assert!(holds(&after, &keys[0]), "the other keys are untouched");
}

#[test]
fn approval_is_recorded_with_who_and_when_and_can_be_withdrawn() {
    let (_fx, mut store, case) = Fixture::new();
    let a = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    let b = store
        .import_photo(case, &photo(), &MediaDetails::default())
        .expect("imports");
    assert!(store.approved_media(case).expect("lists").is_empty());
    store.set_media_approval(case, a, true).expect("approves");
    let approved = store.approved_media(case).expect("lists");
    assert_eq!(approved.iter().map(|i| i.id).collect::<Vec<_>>(), vec![a]);
    let approval = approved[0].approval.as_ref().expect("approved");
    assert_eq!(approval.recorded_by, "admin");
    store.set_media_approval(case, b, true).expect("approves");
    store.set_media_approval(case, a, false).expect("withdraws");
    let approved = store.approved_media(case).expect("lists");
    assert_eq!(approved.iter().map(|i| i.id).collect::<Vec<_>>(), vec![b]);
}

#[test]
fn approved_media_reach_employers_only_while_the_media_consent_is_in_force() {
    use crate::consent::Refusal;
    use crate::model::{ConsentRecord, ConsentScope, Section};
    use time::macros::date;

    let (_fx, mut store, case) = Fixture::new();
    store
        .save_section(case, &Section::Consents(Vec::new()))
        .expect("no consent recorded yet");
    let a = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    store.set_media_approval(case, a, true).expect("approves");
    let day = date!(2025 - 03 - 01);
    let shown = store.media_for_employers(case, day).expect("reads");
    assert!(shown.items.is_empty(), "shown without any media consent");
    assert_eq!(shown.withheld, Some(Refusal::NotGiven(ConsentScope::Media)));

    let mut consent = ConsentRecord {
        scope: ConsentScope::Media,
        given_on: Some(date!(2025 - 01 - 29)),
        ..ConsentRecord::new()
    };
    store
        .save_section(case, &Section::Consents(vec![consent.clone()]))
        .expect("saves");
    let shown = store.media_for_employers(case, day).expect("reads");
    assert_eq!(
        shown.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![a]
    );
    assert_eq!(shown.withheld, None);

    consent.withdrawn_on = Some(date!(2025 - 02 - 20));
    store
        .save_section(case, &Section::Consents(vec![consent]))
        .expect("saves");
    let shown = store.media_for_employers(case, day).expect("reads");
    assert!(
        shown.items.is_empty(),
        "shown after the consent was withdrawn"
    );
    assert_eq!(
        shown.withheld,
        Some(Refusal::Withdrawn(
            ConsentScope::Media,
            date!(2025 - 02 - 20)
        ))
    );
}

#[test]
fn captions_and_what_an_item_illustrates_can_be_changed() {
    let (_fx, mut store, case) = Fixture::new();
    let id = store
        .import_photo(case, &photo(), &MediaDetails::default())
        .expect("imports");
    store
        .set_media_details(case, id, &details())
        .expect("changes");
    let item = &store.list_media(case).expect("lists")[0];
    assert_eq!(item.caption.expose(), CAPTION);
    assert_eq!(item.illustrates.expose(), "丁寧な作業");
    assert!(!format!("{item:?}").contains(CAPTION));
    assert_eq!(item.taken_at, details().taken_at);
}

#[test]
fn read_only_accounts_see_but_cannot_change_media() {
    let (fx, mut store, case) = Fixture::new();
    let id = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    store
        .add_account("viewer", Role::ReadOnly, PW)
        .expect("adds");
    store.assign(case, "viewer").expect("assigns");
    drop(store);
    let mut viewer = fx.unlock("viewer");
    assert_eq!(viewer.list_media(case).expect("lists").len(), 1);
    read_all(&mut viewer, case, id).expect("reads");
    let refused = |r: Result<(), StoreError>| {
        assert!(matches!(r, Err(StoreError::NotPermitted { .. })), "{r:?}");
    };
    refused(viewer.import_photo(case, &photo(), &details()).map(|_| ()));
    refused(viewer.begin_video(case).map(|_| ()));
    refused(viewer.set_media_approval(case, id, true));
    refused(viewer.set_media_details(case, id, &details()));
    refused(viewer.delete_media(case, id));
    assert_eq!(fx.media_files().len(), 1);
}

#[test]
fn a_worker_cannot_touch_media_of_a_case_not_assigned_to_them() {
    let (fx, mut store, case) = Fixture::new();
    let id = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    store
        .add_account("bob", Role::SupportWorker, PW)
        .expect("adds");
    drop(store);
    let mut bob = fx.unlock("bob");
    assert!(matches!(bob.list_media(case), Err(StoreError::NotAssigned)));
    assert!(matches!(
        bob.open_media(case, id),
        Err(StoreError::NotAssigned)
    ));
    assert!(matches!(
        bob.import_photo(case, &photo(), &details()),
        Err(StoreError::NotAssigned)
    ));
    assert!(matches!(
        bob.delete_media(case, id),
        Err(StoreError::NotAssigned)
    ));
    assert_eq!(fx.media_files().len(), 1);
}

#[test]
fn an_item_of_one_case_cannot_be_reached_through_another_case() {
    let (_fx, mut store, case) = Fixture::new();
    let other = store.create_case(&demo_cases().remove(1)).expect("creates");
    let id = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    assert!(matches!(
        store.open_media(other, id),
        Err(StoreError::NoSuchMedia(_))
    ));
    assert!(matches!(
        store.delete_media(other, id),
        Err(StoreError::NoSuchMedia(_))
    ));
}

#[test]
fn opening_the_store_sweeps_stale_orphans_and_keeps_live_files() {
    let (fx, mut store, case) = Fixture::new();
    store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    drop(store);
    let dir = fx.dir.path().join(MEDIA_DIR);
    let old = SystemTime::now() - Duration::from_secs(3600);
    let make = |name: &str, age: Option<SystemTime>| {
        let f = fs::File::create(dir.join(name)).expect("creates");
        if let Some(t) = age {
            f.set_modified(t).expect("sets time");
        }
    };
    make("0123456789abcdef0123456789abcdef", Some(old)); // no row: swept
    make("fedcba9876543210fedcba9876543210.part", Some(old)); // stale temp: swept
    make("00000000000000000000000000000000.part", None); // a live capture: kept
    let store = fx.unlock("admin");
    let mut files = fx.media_files();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.contains(&"00000000000000000000000000000000.part".to_owned()));
    drop(store);
}

#[test]
fn an_interrupted_video_leaves_nothing_and_limits_are_enforced() {
    let (fx, mut store, case) = Fixture::new();
    let mut writer = store.begin_video(case).expect("begins");
    writer.write_all(&video_bytes(100_000)).expect("writes");
    drop(writer);
    assert!(fx.media_files().is_empty());

    store
        .set_media_limits(MediaLimits {
            max_photo_edge: 10,
            max_video_bytes: 50_000,
            max_video_ms: 5_000,
        })
        .expect("sets");
    let too_big = store.add_video(
        case,
        &mut io::Cursor::new(video_bytes(60_000)),
        &photo(),
        &mp4(),
        &details(),
    );
    assert!(
        matches!(too_big, Err(StoreError::Media(MediaError::TooLarge))),
        "{too_big:?}"
    );
    let too_long = store.add_video(
        case,
        &mut io::Cursor::new(video_bytes(1000)),
        &photo(),
        &mp4(),
        &details(),
    );
    assert!(matches!(
        too_long,
        Err(StoreError::Media(MediaError::TooLarge))
    ));
    assert!(fx.media_files().is_empty());
    assert!(store.list_media(case).expect("lists").is_empty());

    let id = store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    let item = &store.list_media(case).expect("lists")[0];
    assert_eq!(item.id, id);
    assert_eq!((item.width, item.height), (Some(5), Some(10)));
}

#[test]
fn a_non_image_is_refused_and_nothing_is_written() {
    let (fx, mut store, case) = Fixture::new();
    assert!(matches!(
        store.import_photo(case, b"not a photo at all", &details()),
        Err(StoreError::Media(MediaError::NotAnImage))
    ));
    assert!(fx.media_files().is_empty());
}

#[test]
fn space_left_is_reported() {
    let (_fx, mut store, case) = Fixture::new();
    store
        .import_photo(case, &photo(), &details())
        .expect("imports");
    let space = store.media_space().expect("space");
    assert!(space.available_bytes > 0);
    assert!(space.used_bytes > 32);
}
