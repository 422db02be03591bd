//! Photos and video over the link.

use super::*;

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
