//! Order and ownership: nothing rolls a case back, no other tablet
//! overwrites it, received history is checked, sharing needs consent.

use super::*;
use crate::rfc3339::Timestamp;

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
            at: Timestamp::parse("2025-01-01T00:00:00Z").expect("a time"),
            section: "basic".into(),
            changes: Vec::new(),
        }],
        media: Vec::new(),
        audit_head: None,
        pending_reentry: Vec::new(),
    };
    assert!(incoming::check_revisions(&good).is_ok());
    type Spoil = fn(&mut CaseRecord);
    let cases: [(&str, Spoil); 3] = [
        ("beyond the case's revision", |r| {
            r.revisions[0].revision = 3
        }),
        ("an unknown section", |r| {
            r.revisions[0].section = "x".into()
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
    // A time that does not read does not even make a record.
    let mut json = serde_json::to_value(&good).expect("serialises");
    json["revisions"][0]["at"] = "yesterday".into();
    assert!(serde_json::from_value::<CaseRecord>(json).is_err());
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
