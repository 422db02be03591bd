//! Sealing what changed and importing it once; bundles from strangers.

use super::*;

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
