//! A refused bundle never blocks docking; a cut audit log is noticed.

use super::*;

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
