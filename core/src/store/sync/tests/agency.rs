//! Send-data between offices: only with the agency-sharing consent in
//! force; taken in at the other office as a new case saying where it came
//! from, once.

use super::*;
use crate::media::fixtures;
use crate::model::ConsentScope;
use crate::store::{CaseQuery, MediaDetails};

#[test]
fn a_case_goes_to_another_office_only_with_consent_and_arrives_as_a_new_case_with_its_origin() {
    let (_ad, mut sending) = store();
    let (_bd, mut receiving) = store();
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("case.age");
    let other_office = receiving
        .device_identity()
        .expect("identity")
        .keys
        .recipient();

    // Without the consent: refused, and no file.
    let mut without = demo_cases()[0].clone();
    without
        .consents
        .retain(|c| c.scope != ConsentScope::AgencySharing);
    let refused = sending.create_case(&without).expect("creates");
    assert!(matches!(
        sending.export_case_to_file(refused, &other_office, &file),
        Err(SyncError::NoConsent(_))
    ));
    assert_eq!(std::fs::read_dir(out.path()).expect("lists").count(), 0);

    // With it (the demo case has it): sealed to the other office.
    let case = sending.create_case(&demo_cases()[0]).expect("creates");
    let photo = sending
        .import_photo(case, &fixtures::gps_tagged_jpeg(), &MediaDetails::default())
        .expect("a photo");
    sending
        .set_media_approval(case, photo, true)
        .expect("approves");
    sending
        .export_case_to_file(case, &other_office, &file)
        .expect("exports");

    // Not opened by a third office it was not sealed to.
    let (_cd, mut third) = store();
    assert!(
        third
            .import_from_agency(std::fs::File::open(&file).expect("opens"), "架空市")
            .is_err()
    );
    assert!(
        third
            .list_cases(&CaseQuery::default())
            .expect("lists")
            .is_empty()
    );
    // Nor without naming where it came from.
    assert!(matches!(
        receiving.import_from_agency(std::fs::File::open(&file).expect("opens"), "  "),
        Err(SyncError::NoAgencyName)
    ));

    let created = receiving
        .import_from_agency(
            std::fs::File::open(&file).expect("opens"),
            "架空市難病相談支援センター",
        )
        .expect("takes it in")
        .expect("new");
    assert_eq!(created.len(), 1);
    let new = created[0];
    assert_ne!(new, case, "a new case at this office");
    let sent = sending.load_case(case).expect("loads");
    let taken = receiving.load_case(new).expect("loads");
    assert_eq!(taken.basic, sent.basic);
    assert_eq!(taken.career_plan, sent.career_plan);
    assert!(taken.consents.is_empty(), "this office records its own");
    let origin = receiving
        .agency_origin(new)
        .expect("reads")
        .expect("an origin");
    assert_eq!(origin.agency, "架空市難病相談支援センター");
    assert_eq!(origin.source_case, case.to_string());
    let media = receiving.list_media(new).expect("lists");
    assert_eq!(media.len(), 1);
    assert!(media[0].approval.is_none(), "approved here only");

    // The same file again changes nothing.
    assert_eq!(
        receiving
            .import_from_agency(std::fs::File::open(&file).expect("opens"), "架空市")
            .expect("already had"),
        None
    );
    assert_eq!(
        receiving
            .list_cases(&CaseQuery::default())
            .expect("lists")
            .len(),
        1
    );
}
