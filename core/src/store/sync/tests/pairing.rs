//! Pairing codes, signing keys and the office's confirmation.

use super::*;

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
