use std::sync::Arc;

use super::*;
use crate::model::demo_cases;
use crate::model::{Case, Section};
use crate::seal::{BundleReader, PartKind};
use crate::store::{KdfParams, MemoryKeychain, StoreOptions};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, _) = Store::create(
        dir.path(),
        Arc::new(MemoryKeychain::default()),
        "admin",
        "correct horse battery",
        FAST,
    )
    .expect("creates");
    (dir, store)
}

fn peer_of(store: &mut Store, kind: PeerKind) -> Peer {
    let id = store.device_identity().expect("identity");
    Peer {
        fingerprint: id.tls.fingerprint(),
        kind,
        signer: id.keys.signer(),
        recipient: id.keys.recipient(),
        address: Some("127.0.0.1:1".into()),
        paired_at: now(),
    }
}

fn paired() -> ((tempfile::TempDir, Store), (tempfile::TempDir, Store), Peer) {
    let (td, mut tablet) = store();
    let (cd, mut companion) = store();
    let tablet_peer = peer_of(&mut tablet, PeerKind::Tablet);
    let companion_peer = peer_of(&mut companion, PeerKind::Companion);
    companion.add_peer(&tablet_peer).expect("pairs");
    tablet.add_peer(&companion_peer).expect("pairs");
    ((td, tablet), (cd, companion), companion_peer)
}

#[test]
fn the_device_identity_is_made_once_and_kept_in_the_store() {
    let (dir, mut s) = store();
    let a = s.device_identity().expect("identity");
    let b = s.device_identity().expect("identity");
    assert_eq!(a.keys.signer(), b.keys.signer());
    assert_eq!(a.tls.fingerprint(), b.tls.fingerprint());
    // No file in the data folder holds the secret key.
    let (_, age) = a.keys.to_secret_parts();
    for entry in std::fs::read_dir(dir.path()).expect("lists") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("reads");
            assert!(
                !String::from_utf8_lossy(&bytes).contains(age.as_str()),
                "{} holds the age identity in plain text",
                path.display()
            );
        }
    }
}

#[test]
fn changed_cases_are_sealed_once_and_imported_once_with_the_tablet_ids() {
    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let mut ids = Vec::new();
    for case in demo_cases() {
        ids.push(tablet.create_case(&case).expect("creates"));
    }
    assert_eq!(
        tablet.unsent_cases(&to.fingerprint).expect("counts"),
        ids.len()
    );
    let bundle = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("changes");
    assert!(
        tablet.seal_changes_for(&to).expect("seals").is_none(),
        "a pending bundle's cases were sealed again"
    );
    assert_eq!(tablet.unsent_cases(&to.fingerprint).expect("counts"), 0);
    let file = std::fs::File::open(&bundle.file).expect("opens");
    assert_eq!(
        companion.import_bundle(file).expect("imports"),
        Imported::Now(ids.len())
    );
    let file = std::fs::File::open(&bundle.file).expect("opens");
    assert_eq!(
        companion.import_bundle(file).expect("imports"),
        Imported::Before
    );
    assert!(
        companion
            .bundle_imported(bundle.outgoing.id)
            .expect("reads")
    );
    for id in &ids {
        let theirs = companion
            .load_case(*id)
            .expect("the companion has the case");
        let ours = tablet.load_case(*id).expect("loads");
        assert_eq!(theirs, ours);
        assert_eq!(
            companion.history(*id, None).expect("history").len(),
            tablet.history(*id, None).expect("history").len()
        );
    }
    let received = companion.received_at().expect("reads");
    assert_eq!(received.len(), ids.len(), "every case has its arrival time");
    assert!(ids.iter().all(|id| received.contains_key(id)));
    assert!(tablet.received_at().expect("reads").is_empty());
    tablet.mark_delivered(bundle.outgoing.id).expect("marks");
    assert!(!bundle.file.exists(), "a delivered bundle's file was kept");
    assert!(
        tablet
            .pending_bundles(&to.fingerprint)
            .expect("lists")
            .is_empty()
    );
}

#[test]
fn a_later_change_sends_only_that_case_and_its_new_revisions() {
    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let a = tablet.create_case(&demo_cases()[0]).expect("creates");
    let b = tablet.create_case(&demo_cases()[1]).expect("creates");
    let first = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("changes");
    companion
        .import_bundle(std::fs::File::open(&first.file).expect("opens"))
        .expect("imports");
    tablet.mark_delivered(first.outgoing.id).expect("marks");
    let mut case = tablet.load_case(a).expect("loads");
    case.basic.name = "変更 後".into();
    tablet
        .save_section(a, &Section::Basic(case.basic.clone()))
        .expect("saves");
    assert_eq!(tablet.unsent_cases(&to.fingerprint).expect("counts"), 1);
    let second = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("changes");
    let identity = companion.device_identity().expect("identity");
    let signer = tablet.device_identity().expect("identity").keys.signer();
    let reader = BundleReader::open(
        std::fs::File::open(&second.file).expect("opens"),
        &identity.keys,
        &|s| *s == signer,
    )
    .expect("opens");
    let (_, _, records) = reader.read_case_records().expect("reads");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].case.id, a);
    assert_eq!(
        records[0].revisions.len(),
        1,
        "old revisions were sent again"
    );
    companion
        .import_bundle(std::fs::File::open(&second.file).expect("opens"))
        .expect("imports");
    assert_eq!(
        companion.load_case(a).expect("loads").basic.name.expose(),
        "変更 後"
    );
    assert_eq!(
        companion.history(a, None).expect("history").len(),
        tablet.history(a, None).expect("history").len()
    );
    let _ = b;
}

#[test]
fn a_bundle_from_an_unpaired_tablet_imports_nothing() {
    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    tablet.create_case(&demo_cases()[0]).expect("creates");
    let bundle = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("changes");
    let fp = tablet
        .device_identity()
        .expect("identity")
        .tls
        .fingerprint();
    assert!(companion.remove_peer(&fp).expect("unpairs"));
    let err = companion
        .import_bundle(std::fs::File::open(&bundle.file).expect("opens"))
        .expect_err("refused");
    assert!(
        matches!(err, SyncError::Seal(SealError::UnknownSigner(_))),
        "{err}"
    );
    assert!(
        companion
            .list_cases(&Default::default())
            .expect("lists")
            .is_empty()
    );
    assert!(
        !companion
            .bundle_imported(bundle.outgoing.id)
            .expect("reads")
    );
}

#[test]
fn a_pairing_code_is_single_use_and_expires() {
    let (_d, mut companion) = store();
    let (_t, mut tablet) = store();
    let peer = peer_of(&mut tablet, PeerKind::Tablet);
    let t0 = OffsetDateTime::now_utc();
    let secret = companion.issue_pairing_secret(t0).expect("issues");
    let is = |s: &PairingSecret| *s == secret;
    let other = PairingSecret::generate();
    assert_eq!(
        companion
            .redeem_pairing_code(t0, &|s| *s == other, &peer, "123 456")
            .expect("redeems"),
        Redeem::Unknown
    );
    assert_eq!(
        companion
            .redeem_pairing_code(t0, &is, &peer, "123 456")
            .expect("redeems"),
        Redeem::Paired
    );
    assert_eq!(
        companion
            .redeem_pairing_code(t0, &is, &peer, "123 456")
            .expect("redeems"),
        Redeem::AlreadyUsed
    );
    let late = companion.issue_pairing_secret(t0).expect("issues");
    assert_eq!(
        companion
            .redeem_pairing_code(t0 + CODE_LIFETIME, &|s| *s == late, &peer, "123 456")
            .expect("redeems"),
        Redeem::Expired
    );
    assert_eq!(companion.peers().expect("peers").len(), 1);
}

fn media_files(store: &Store) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(store.media_dir()) {
        Ok(entries) => entries.map(|e| e.expect("entry").path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Seals what changed, imports it on the companion, marks it delivered;
/// returns the kinds of the bundle's parts.
fn deliver(tablet: &mut Store, companion: &mut Store, to: &Peer) -> Vec<crate::seal::PartKind> {
    let bundle = tablet
        .seal_changes_for(to)
        .expect("seals")
        .expect("changes");
    let keys = companion.device_identity().expect("identity").keys;
    let reader = BundleReader::open(
        std::fs::File::open(&bundle.file).expect("opens"),
        &keys,
        &|_| true,
    )
    .expect("a bundle for the companion");
    let kinds = reader.manifest().parts.iter().map(|p| p.kind).collect();
    companion
        .import_bundle(std::fs::File::open(&bundle.file).expect("opens"))
        .expect("imports");
    tablet.mark_delivered(bundle.outgoing.id).expect("marks");
    kinds
}

#[test]
fn photos_travel_once_and_their_details_approval_and_deletion_follow() {
    use crate::media::fixtures;
    use crate::pii::Identifying;
    use crate::store::MediaDetails;

    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let details = MediaDetails {
        caption: Identifying::new("作業中の様子".to_owned()),
        illustrates: Identifying::new("丁寧な作業".to_owned()),
        taken_at: None,
    };
    let photo = tablet
        .import_photo(case, &fixtures::gps_tagged_jpeg(), &details)
        .expect("imports the photo");
    tablet
        .set_media_approval(case, photo, true)
        .expect("approves");
    use crate::seal::PartKind;
    assert_eq!(
        deliver(&mut tablet, &mut companion, &to),
        [PartKind::Case, PartKind::Media]
    );

    let theirs = companion.list_media(case).expect("lists");
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].id, photo);
    assert_eq!(theirs[0].caption.expose(), "作業中の様子");
    assert!(theirs[0].approval.is_some(), "the approval did not travel");
    let read = |store: &mut Store| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut store.open_media(case, photo).expect("opens"),
            &mut bytes,
        )
        .expect("reads");
        bytes
    };
    assert_eq!(read(&mut companion), read(&mut tablet));
    assert!(
        companion
            .media_poster(case, photo)
            .expect("poster")
            .starts_with(&[0xFF, 0xD8]),
        "the poster is a JPEG"
    );
    assert_eq!(media_files(&companion).len(), 1);
    assert_eq!(tablet.unsent_cases(&to.fingerprint).expect("counts"), 0);
    assert!(tablet.seal_changes_for(&to).expect("seals").is_none());

    // A withdrawn approval sends the case again, without the bytes.
    tablet
        .set_media_approval(case, photo, false)
        .expect("withdraws");
    assert_eq!(tablet.unsent_cases(&to.fingerprint).expect("counts"), 1);
    assert_eq!(
        deliver(&mut tablet, &mut companion, &to),
        [PartKind::Case],
        "the photo's bytes were sent again"
    );
    assert!(
        companion.list_media(case).expect("lists")[0]
            .approval
            .is_none()
    );

    // A deletion on the tablet removes the item and its file there too.
    tablet.delete_media(case, photo).expect("deletes");
    assert_eq!(tablet.unsent_cases(&to.fingerprint).expect("counts"), 1);
    assert_eq!(deliver(&mut tablet, &mut companion, &to), [PartKind::Case]);
    assert!(companion.list_media(case).expect("lists").is_empty());
    assert!(media_files(&companion).is_empty(), "the file was kept");
}

#[test]
fn a_bundle_that_fails_while_its_photo_arrives_leaves_no_file_behind() {
    use crate::media::fixtures;
    use crate::store::MediaDetails;

    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    tablet
        .import_photo(case, &fixtures::gps_tagged_jpeg(), &MediaDetails::default())
        .expect("imports the photo");
    let bundle = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("changes");
    let mut bytes = std::fs::read(&bundle.file).expect("reads");
    // Cut inside the photo's part: the age stream no longer authenticates.
    bytes.truncate(bytes.len() - 100);
    let err = companion
        .import_bundle(std::io::Cursor::new(bytes))
        .expect_err("a cut bundle is refused");
    assert!(matches!(err, SyncError::Seal(_)), "{err:?}");
    assert!(companion.load_case(case).is_err(), "a case was imported");
    assert!(media_files(&companion).is_empty(), "a media file was left");
}

#[test]
fn a_paired_companions_new_address_is_kept_and_an_unknown_device_changes_nothing() {
    let ((_td, mut tablet), _companion, companion_peer) = paired();
    let fp = companion_peer.fingerprint;
    assert!(
        tablet
            .set_peer_address(&fp, "192.0.2.7:47800")
            .expect("updates")
    );
    let kept = tablet.peer(&fp).expect("reads").expect("paired");
    assert_eq!(kept.address.as_deref(), Some("192.0.2.7:47800"));
    // Everything else about the pairing stays.
    assert_eq!(kept.signer, companion_peer.signer);
    assert_eq!(kept.kind, PeerKind::Companion);

    let stranger = crate::link::Fingerprint([7; 32]);
    assert!(
        !tablet
            .set_peer_address(&stranger, "192.0.2.8:1")
            .expect("runs")
    );
    assert!(tablet.peer(&stranger).expect("reads").is_none());
}

#[test]
fn an_old_send_data_file_imported_after_a_newer_sync_changes_nothing() {
    use crate::media::fixtures;
    use crate::store::MediaDetails;

    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let photo = tablet
        .import_photo(case, &fixtures::gps_tagged_jpeg(), &MediaDetails::default())
        .expect("imports the photo");
    tablet
        .set_media_approval(case, photo, true)
        .expect("approves");
    let (_, old_file) = tablet
        .export_case(case, &to.recipient, Vec::new())
        .expect("exports the send-data file");
    deliver(&mut tablet, &mut companion, &to);

    // The client withdraws the photo and the name is corrected; synced.
    tablet
        .set_media_approval(case, photo, false)
        .expect("withdraws");
    let mut basic = tablet.load_case(case).expect("loads").basic;
    basic.name = "訂正 後".into();
    tablet
        .save_section(case, &Section::Basic(basic))
        .expect("saves");
    deliver(&mut tablet, &mut companion, &to);
    let synced = companion.load_case(case).expect("loads");
    let history = companion.history(case, None).expect("history").len();

    // The older file, offered later, is already had: nothing rolls back.
    assert_eq!(
        companion
            .import_bundle(old_file.as_slice())
            .expect("acknowledged as already had"),
        Imported::Now(0)
    );
    assert_eq!(companion.load_case(case).expect("loads"), synced);
    assert_eq!(
        companion.history(case, None).expect("history").len(),
        history
    );
    assert!(
        companion.list_media(case).expect("lists")[0]
            .approval
            .is_none(),
        "the withdrawn photo came back approved"
    );
}

/// Saves `times` changes to `case`'s basic information on `store`, with
/// `name` as the name.
fn edit(store: &mut Store, case: CaseId, name: &str, times: usize) {
    let mut basic = store.load_case(case).expect("loads").basic;
    basic.name = name.into();
    for n in 0..times {
        basic.address = crate::pii::Identifying::new(format!("番地{n}"));
        store
            .save_section(case, &Section::Basic(basic.clone()))
            .expect("saves");
    }
}

/// What `companion` makes of the changes `tablet` seals for it.
fn offer(tablet: &mut Store, companion: &mut Store, to: &Peer) -> Result<Imported, SyncError> {
    let bundle = tablet
        .seal_changes_for(to)
        .expect("seals")
        .expect("changes");
    companion.import_bundle(std::fs::File::open(&bundle.file).expect("opens"))
}

fn name_on(store: &mut Store, case: CaseId) -> String {
    store
        .load_case(case)
        .expect("loads")
        .basic
        .name
        .expose()
        .clone()
}

#[test]
fn another_tablet_cannot_overwrite_a_case_until_the_office_hands_it_over() {
    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    deliver(&mut tablet, &mut companion, &to);

    // A second paired tablet sends a case with the same id (the id is
    // printed on every document), at a higher revision.
    let (_od, mut other) = store();
    let other_peer = peer_of(&mut other, PeerKind::Tablet);
    companion
        .add_peer(&other_peer)
        .expect("pairs the second tablet");
    other.add_peer(&to).expect("pairs");
    create_with_id(&mut other, &tablet.load_case(case).expect("loads"));
    edit(&mut other, case, "なりすまし", 3);
    let err = offer(&mut other, &mut companion, &to).expect_err("refused");
    assert!(matches!(err, SyncError::NotOwner(_)), "{err}");
    assert!(err.to_string().contains("hand"), "{err}");
    assert_ne!(name_on(&mut companion, case), "なりすまし");

    // The office hands the case to the second tablet: now its newer
    // revision is taken, and the first tablet's is not.
    companion
        .hand_over_case(case, other_peer.fingerprint)
        .expect("hands over");
    edit(&mut other, case, "なりすまし", 1);
    offer(&mut other, &mut companion, &to).expect("imports from the new owner");
    assert_eq!(name_on(&mut companion, case), "なりすまし");
    edit(&mut tablet, case, "元の端末", 5);
    let err = offer(&mut tablet, &mut companion, &to)
        .expect_err("the first tablet no longer owns the case");
    assert!(matches!(err, SyncError::NotOwner(_)), "{err}");
}

#[test]
fn a_revision_list_that_does_not_fit_its_case_is_refused() {
    let (_, mut tablet) = store();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let good = CaseRecord {
        case: tablet.load_case(case).expect("loads"),
        revision: 2,
        revisions: vec![RevisionRecord {
            revision: 1,
            author: "admin".into(),
            at: "2025-01-01T00:00:00Z".into(),
            section: "basic".into(),
            changes: Vec::new(),
        }],
        media: Vec::new(),
        audit_head: None,
    };
    assert!(incoming::check_revisions(&good).is_ok());
    type Spoil = fn(&mut CaseRecord);
    let cases: [(&str, Spoil); 4] = [
        ("beyond the case's revision", |r| {
            r.revisions[0].revision = 3
        }),
        ("an unknown section", |r| {
            r.revisions[0].section = "x".into()
        }),
        ("a time that does not read", |r| {
            r.revisions[0].at = "yesterday".into();
        }),
        ("a negative revision", |r| r.revision = -1),
    ];
    for (what, spoil) in cases {
        let mut bad = good.clone();
        spoil(&mut bad);
        assert!(
            matches!(
                incoming::check_revisions(&bad),
                Err(SyncError::BadRevisions { .. })
            ),
            "{what} was accepted"
        );
    }
}

/// Stores `case` under its own id, as a misbehaving tablet could.
fn create_with_id(store: &mut Store, case: &Case) {
    let at = now();
    let tx = store.conn.unchecked_transaction().expect("begins");
    tx.execute(
        "INSERT INTO cases (id, created_at, created_by, updated_at, stage) VALUES (?1, ?2, 'admin', ?2, ?3)",
        params![case.id.to_string(), at, crate::store::stage_key(case.stage)],
    )
    .expect("inserts");
    for section in case.sections() {
        crate::store::write_section(&tx, case.id, &section, "admin", &at).expect("writes");
    }
    tx.commit().expect("commits");
}

#[test]
fn a_send_data_file_for_another_agency_needs_the_agency_sharing_consent() {
    use crate::consent::Refusal;
    use crate::model::{ConsentRecord, ConsentScope};
    use time::macros::date;

    let ((_td, mut tablet), _companion, to) = paired();
    let mut case = demo_cases()[0].clone();
    case.consents
        .retain(|c| c.scope != ConsentScope::AgencySharing);
    let id = tablet.create_case(&case).expect("creates");
    let agency = DeviceKeys::generate().recipient();
    let err = tablet
        .export_case(id, &agency, Vec::new())
        .expect_err("refused without the consent");
    assert!(
        matches!(
            err,
            SyncError::NoConsent(Refusal::NotGiven(ConsentScope::AgencySharing))
        ),
        "{err}"
    );
    assert!(err.to_string().contains("関係機関への情報提供"), "{err}");
    // To this office's own companion it is the worker's own support.
    tablet
        .export_case(id, &to.recipient, Vec::new())
        .expect("the office may have it");

    case.consents.push(ConsentRecord {
        scope: ConsentScope::AgencySharing,
        given_on: Some(date!(2025 - 01 - 01)),
        ..ConsentRecord::new()
    });
    tablet
        .save_section(id, &Section::Consents(case.consents.clone()))
        .expect("saves");
    let (_, sealed) = tablet
        .export_case(id, &agency, Vec::new())
        .expect("exports with the consent in force");
    assert!(!sealed.is_empty());
}

#[test]
fn spent_pairing_codes_are_purged_a_day_later() {
    let (_d, mut companion) = store();
    let (_t, mut tablet) = store();
    let peer = peer_of(&mut tablet, PeerKind::Tablet);
    let t0 = OffsetDateTime::now_utc();
    let used = companion.issue_pairing_secret(t0).expect("issues");
    companion
        .redeem_pairing_code(t0, &|s| *s == used, &peer, "123 456")
        .expect("pairs");
    companion
        .issue_pairing_secret(t0)
        .expect("issues one left unused");
    let count = |s: &Store| -> i64 {
        s.conn
            .query_row("SELECT count(*) FROM pairing_codes", [], |r| r.get(0))
            .expect("counts")
    };
    assert_eq!(count(&companion), 2);
    let later = t0 + CODE_LIFETIME + SPENT_CODE_KEPT + time::Duration::minutes(1);
    companion.issue_pairing_secret(later).expect("issues");
    assert_eq!(count(&companion), 1, "spent codes were kept");
}

#[test]
fn a_device_naming_another_tablets_signing_key_does_not_unpair_it() {
    let (_d, mut companion) = store();
    let (_t, mut tablet) = store();
    let (_o, mut other) = store();
    let honest = peer_of(&mut tablet, PeerKind::Tablet);
    companion.add_peer(&honest).expect("pairs");
    let mut impostor = peer_of(&mut other, PeerKind::Tablet);
    impostor.signer = honest.signer;
    let err = companion.add_peer(&impostor).expect_err("refused");
    assert!(matches!(err, StoreError::SignerTaken), "{err}");
    let peers = companion.peers().expect("peers");
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].fingerprint, honest.fingerprint);
    // A second, honest tablet pairs beside the first.
    let second = peer_of(&mut other, PeerKind::Tablet);
    companion.add_peer(&second).expect("pairs");
    assert_eq!(companion.peers().expect("peers").len(), 2);
}

#[test]
fn a_tablet_paired_with_a_code_sends_only_once_the_office_confirms_its_verification_code() {
    let (_d, mut companion) = store();
    let (_t, mut tablet) = store();
    let peer = peer_of(&mut tablet, PeerKind::Tablet);
    let to = peer_of(&mut companion, PeerKind::Companion);
    tablet.add_peer(&to).expect("pairs");
    let t0 = OffsetDateTime::now_utc();
    let secret = companion.issue_pairing_secret(t0).expect("issues");
    assert_eq!(
        companion
            .redeem_pairing_code(t0, &|s| *s == secret, &peer, "482 913")
            .expect("redeems"),
        Redeem::Paired
    );
    assert!(
        companion
            .awaits_confirmation(&peer.fingerprint)
            .expect("reads")
    );
    tablet.create_case(&demo_cases()[0]).expect("creates");
    let bundle = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("changes");
    let err = companion
        .import_bundle(std::fs::File::open(&bundle.file).expect("opens"))
        .expect_err("not before the office confirms");
    assert!(
        matches!(err, SyncError::Seal(SealError::UnknownSigner(_))),
        "{err}"
    );

    assert_eq!(companion.confirm_pairing("111 111").expect("reads"), None);
    assert_eq!(
        companion.confirm_pairing("482913").expect("confirms"),
        Some(peer.fingerprint)
    );
    assert!(
        !companion
            .awaits_confirmation(&peer.fingerprint)
            .expect("reads")
    );
    companion
        .import_bundle(std::fs::File::open(&bundle.file).expect("opens"))
        .expect("imports once confirmed");
}

/// The cases a sealed bundle for `companion` carries, and how many media
/// parts.
fn contents(companion: &mut Store, bundle: &PendingBundle) -> (Vec<CaseId>, usize) {
    let keys = companion.device_identity().expect("identity").keys;
    let reader = BundleReader::open(
        std::fs::File::open(&bundle.file).expect("opens"),
        &keys,
        &|_| true,
    )
    .expect("a bundle for the companion");
    let parts = &reader.manifest().parts;
    let media = parts.iter().filter(|p| p.kind == PartKind::Media).count();
    let cases = parts
        .iter()
        .filter(|p| p.kind == PartKind::Case)
        .map(|p| {
            p.name
                .strip_prefix("case/")
                .and_then(|id| id.parse().ok())
                .expect("a case part names its case")
        })
        .collect();
    (cases, media)
}

#[test]
fn a_refused_bundle_never_blocks_docking_and_the_case_it_cannot_take_is_held_back() {
    use crate::media::fixtures;
    use crate::store::MediaDetails;

    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let a = tablet.create_case(&demo_cases()[0]).expect("creates");
    let b = tablet.create_case(&demo_cases()[1]).expect("creates");
    tablet
        .import_photo(b, &fixtures::gps_tagged_jpeg(), &MediaDetails::default())
        .expect("imports the photo");
    let first = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("changes");
    assert_eq!(contents(&mut companion, &first).0.len(), 2);
    let held = tablet
        .bundle_refused(first.outgoing.id, "a case part is too large")
        .expect("records the refusal");
    assert!(
        held.is_empty(),
        "nothing is held back before it is tried alone"
    );
    assert!(!first.file.exists(), "the refused bundle's file was kept");
    assert!(
        tablet
            .pending_bundles(&to.fingerprint)
            .expect("lists")
            .is_empty()
    );

    // Each case goes again alone, the photo's bytes with its case.
    let one = tablet.seal_changes_for(&to).expect("seals").expect("one");
    let two = tablet.seal_changes_for(&to).expect("seals").expect("two");
    assert!(tablet.seal_changes_for(&to).expect("seals").is_none());
    let (in_one, media_one) = contents(&mut companion, &one);
    let (in_two, media_two) = contents(&mut companion, &two);
    assert_eq!((in_one.len(), in_two.len()), (1, 1));
    let (bundle_a, bundle_b) = if in_one[0] == a {
        (one, two)
    } else {
        (two, one)
    };
    assert_eq!(
        if in_one[0] == b { media_one } else { media_two },
        1,
        "the photo's bytes were not sent again"
    );

    // The companion refuses a alone and takes b.
    let held = tablet
        .bundle_refused(bundle_a.outgoing.id, "a case part is too large")
        .expect("records the refusal");
    assert_eq!(held, vec![a]);
    companion
        .import_bundle(std::fs::File::open(&bundle_b.file).expect("opens"))
        .expect("imports b");
    tablet.mark_delivered(bundle_b.outgoing.id).expect("marks");
    assert_eq!(companion.list_media(b).expect("lists").len(), 1);
    let refused = tablet.refused_cases(&to.fingerprint).expect("lists");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].case, a);
    assert_eq!(refused[0].reason, "a case part is too large");
    assert_eq!(tablet.unsent_cases(&to.fingerprint).expect("counts"), 0);
    assert!(
        tablet.seal_changes_for(&to).expect("seals").is_none(),
        "the refused case was sent again unchanged"
    );

    // Corrected, it goes again.
    let mut basic = tablet.load_case(a).expect("loads").basic;
    basic.name = "訂正 後".into();
    tablet
        .save_section(a, &Section::Basic(basic))
        .expect("saves");
    assert!(
        tablet
            .refused_cases(&to.fingerprint)
            .expect("lists")
            .is_empty()
    );
    let again = tablet
        .seal_changes_for(&to)
        .expect("seals")
        .expect("the corrected case");
    assert_eq!(contents(&mut companion, &again).0, vec![a]);
}

#[test]
fn a_tablet_whose_audit_log_was_cut_short_is_noticed_by_the_companion() {
    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let (_, old_file) = tablet
        .export_case(case, &to.recipient, Vec::new())
        .expect("exports");
    edit(&mut tablet, case, "一回目", 2);
    deliver(&mut tablet, &mut companion, &to);
    assert!(companion.audit_log_warnings().expect("reads").is_empty());

    // Someone with the tablet's key cuts the newest entries off its log.
    tablet
        .conn
        .execute_batch(
            "DROP TRIGGER audit_append_only_delete;
             DELETE FROM audit WHERE seq > (SELECT max(seq) - 10 FROM audit);",
        )
        .expect("cuts the log");
    // The send-data file made before is older: it is not compared.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    companion
        .import_bundle(old_file.as_slice())
        .expect("already had");
    assert!(companion.audit_log_warnings().expect("reads").is_empty());

    edit(&mut tablet, case, "二回目", 1);
    deliver(&mut tablet, &mut companion, &to);
    let warnings = companion.audit_log_warnings().expect("reads");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let tablet_fp = tablet
        .device_identity()
        .expect("identity")
        .tls
        .fingerprint();
    assert_eq!(warnings[0].0, tablet_fp.to_hex());
    assert!(warnings[0].2.contains("fewer than"), "{}", warnings[0].2);
}
