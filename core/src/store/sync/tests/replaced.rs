//! A replaced tablet: the office revokes the lost one and hands its cases
//! to the new one, which receives them whole, media included.

use std::io::Read;

use super::*;
use crate::media::fixtures;
use crate::store::MediaDetails;

/// Every photo's bytes of `case` on `store`, by id.
fn media_bytes(store: &mut Store, case: CaseId) -> Vec<(String, Vec<u8>)> {
    let items = store.list_media(case).expect("lists");
    items
        .into_iter()
        .map(|item| {
            let mut bytes = Vec::new();
            store
                .open_media(case, item.id)
                .expect("opens")
                .read_to_end(&mut bytes)
                .expect("reads");
            (item.id.to_string(), bytes)
        })
        .collect()
}

/// A new tablet paired with the office (as `office` from the tablet's
/// side), holding `case` as a backup without personal data left it: the
/// name empty and marked 要再入力. The tablet and its peer as the office
/// sees it.
fn restored_replacement(
    companion: &mut Store,
    office: &Peer,
    case: &Case,
) -> ((tempfile::TempDir, Store), Peer) {
    let (dir, mut new) = store();
    let new_peer = peer_of(&mut new, PeerKind::Tablet);
    companion.add_peer(&new_peer).expect("pairs");
    new.add_peer(office).expect("pairs");
    let mut emptied = case.clone();
    emptied.basic.name = "".into();
    create_with_id(&mut new, &emptied);
    new.conn
        .execute(
            "INSERT INTO reentry_needed (case_id, path) VALUES (?1, 'basic.name')",
            [case.id.to_string()],
        )
        .expect("marks");
    ((dir, new), new_peer)
}

#[test]
fn a_replaced_tablet_receives_its_cases_whole_and_the_revoked_one_can_never_send_again() {
    let ((_ta, mut lost), (_cd, mut companion), office) = paired();
    let (_tb, mut new) = store();
    let new_peer = peer_of(&mut new, PeerKind::Tablet);
    companion.add_peer(&new_peer).expect("pairs the new tablet");
    new.add_peer(&office).expect("pairs with the office");

    let cases: Vec<CaseId> = demo_cases()
        .iter()
        .take(2)
        .map(|c| lost.create_case(c).expect("creates"))
        .collect();
    let photo = lost
        .import_photo(
            cases[0],
            &fixtures::gps_tagged_jpeg(),
            &MediaDetails::default(),
        )
        .expect("imports the photo");
    lost.set_media_approval(cases[0], photo, true)
        .expect("approves");
    edit(&mut lost, cases[1], "山田 花子", 3);
    deliver(&mut lost, &mut companion, &office);

    let lost_peer = peer_of(&mut lost, PeerKind::Tablet);
    let revoked = companion
        .revoke_tablet(&lost_peer.fingerprint, Some(&new_peer.fingerprint))
        .expect("revokes");
    assert_eq!(revoked.handed_over, 2);
    assert!(companion.is_revoked(&lost_peer.fingerprint).expect("asks"));

    // The new tablet receives both cases, history and photo byte for byte.
    let bundle = companion
        .seal_handed_over_for(&new_peer)
        .expect("seals")
        .expect("cases to send");
    let file = || std::fs::File::open(&bundle.file).expect("opens");
    assert_eq!(
        new.import_from_office(file()).expect("imports"),
        Imported::Now(2)
    );
    for &case in &cases {
        assert_eq!(
            new.load_case(case).expect("loads"),
            companion.load_case(case).expect("loads")
        );
        let history = |store: &mut Store| {
            serde_json::to_value(store.history(case, None).expect("history")).expect("json")
        };
        assert_eq!(history(&mut new), history(&mut companion));
        assert_eq!(
            media_bytes(&mut new, case),
            media_bytes(&mut companion, case)
        );
    }
    assert_eq!(media_bytes(&mut new, cases[0]).len(), 1);
    // Offered again (a lost acknowledgement): already had.
    assert_eq!(
        new.import_from_office(file()).expect("imports"),
        Imported::Before
    );
    companion
        .mark_delivered(bundle.outgoing.id)
        .expect("acknowledged");
    assert!(
        companion
            .seal_handed_over_for(&new_peer)
            .expect("seals")
            .is_none(),
        "sent twice"
    );
    // Counted as sent: the new tablet's next sync sends nothing.
    assert!(new.seal_changes_for(&office).expect("seals").is_none());

    // The revoked tablet's bundle is refused, and it cannot pair again.
    edit(&mut lost, cases[1], "山田 花子", 1);
    assert!(offer(&mut lost, &mut companion, &office).is_err());
    assert!(matches!(
        companion.add_peer(&lost_peer),
        Err(StoreError::Revoked)
    ));

    // The new tablet owns the cases: its change is taken, and not sent back.
    edit(&mut new, cases[1], "山田 春子", 1);
    assert_eq!(
        offer(&mut new, &mut companion, &office).expect("taken"),
        Imported::Now(1)
    );
    assert_eq!(name_on(&mut companion, cases[1]), "山田 春子");
    assert!(
        companion
            .seal_handed_over_for(&new_peer)
            .expect("seals")
            .is_none()
    );
}

#[test]
fn a_tablet_restored_without_personal_data_takes_the_offices_whole_copy() {
    let ((_ta, mut lost), (_cd, mut companion), office) = paired();
    let case = lost.create_case(&demo_cases()[0]).expect("creates");
    deliver(&mut lost, &mut companion, &office);
    let name = name_on(&mut companion, case);
    assert!(!name.is_empty());

    // The replacement holds the case as a backup without personal data
    // left it: the same revision, the name empty and marked 要再入力.
    let ((_tb, mut new), new_peer) = restored_replacement(
        &mut companion,
        &office,
        &lost.load_case(case).expect("loads"),
    );
    let revision: i64 = companion
        .conn
        .query_row("SELECT revision FROM cases", [], |r| r.get(0))
        .expect("revision");
    new.conn
        .execute("UPDATE cases SET revision = ?1", [revision])
        .expect("sets the revision");
    assert_eq!(new.needs_reentry(case).expect("asks").len(), 1);

    let lost_peer = peer_of(&mut lost, PeerKind::Tablet);
    companion
        .revoke_tablet(&lost_peer.fingerprint, Some(&new_peer.fingerprint))
        .expect("revokes");
    let bundle = companion
        .seal_handed_over_for(&new_peer)
        .expect("seals")
        .expect("the case");
    assert_eq!(
        new.import_from_office(std::fs::File::open(&bundle.file).expect("opens"))
            .expect("imports"),
        Imported::Now(1)
    );
    assert_eq!(name_on(&mut new, case), name);
    assert!(new.needs_reentry(case).expect("asks").is_empty());
}

#[test]
fn a_bundle_from_anyone_but_the_paired_office_is_refused() {
    let ((_ta, mut tablet), _companion, _office) = paired();
    let (_sd, mut stranger) = store();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let me = peer_of(&mut tablet, PeerKind::Tablet);
    stranger.add_peer(&me).expect("pairs");
    // A case the stranger holds and says is the tablet's.
    create_with_id(&mut stranger, &tablet.load_case(case).expect("loads"));
    stranger
        .conn
        .execute(
            "INSERT INTO case_origins (case_id, signer, bundle_id, revision, received_at)
             VALUES (?1, ?2, '', 1, '')",
            params![case.to_string(), me.signer.to_hex()],
        )
        .expect("claims");
    stranger
        .conn
        .execute("UPDATE cases SET revision = 9", [])
        .expect("bumps");
    let bundle = stranger
        .seal_handed_over_for(&me)
        .expect("seals")
        .expect("a case");
    assert!(
        tablet
            .import_from_office(std::fs::File::open(&bundle.file).expect("opens"))
            .is_err()
    );
}

#[test]
fn a_restored_tablets_emptied_fields_never_replace_the_offices_after_a_hand_over() {
    let ((_ta, mut lost), (_cd, mut companion), office) = paired();
    let case = lost.create_case(&demo_cases()[0]).expect("creates");
    deliver(&mut lost, &mut companion, &office);
    let name = name_on(&mut companion, case);
    assert!(!name.is_empty());

    // The replacement holds the case as a backup without personal data
    // left it, and is edited there before receiving from the office.
    let ((_tb, mut new), new_peer) = restored_replacement(
        &mut companion,
        &office,
        &lost.load_case(case).expect("loads"),
    );
    let mut basic = new.load_case(case).expect("loads").basic;
    basic.phone = "090-0000-1234".into();
    new.save_section(case, &Section::Basic(basic))
        .expect("saves");
    assert_eq!(new.needs_reentry(case).expect("asks"), vec!["basic.name"]);

    let lost_peer = peer_of(&mut lost, PeerKind::Tablet);
    companion
        .revoke_tablet(&lost_peer.fingerprint, Some(&new_peer.fingerprint))
        .expect("revokes");
    deliver(&mut new, &mut companion, &office);
    let held = companion.load_case(case).expect("loads");
    assert_eq!(
        held.basic.name.expose(),
        &name,
        "the office's name was kept"
    );
    assert_eq!(
        held.basic.phone.expose(),
        "090-0000-1234",
        "the edit was taken"
    );
}
