//! A case deleted at the office does not come back from a tablet.

use super::*;

#[test]
fn a_case_deleted_at_the_office_is_not_brought_back_by_its_tablet() {
    let ((_td, mut tablet), (_cd, mut companion), to) = paired();
    let case = tablet.create_case(&demo_cases()[0]).expect("creates");
    let kept = tablet.create_case(&demo_cases()[1]).expect("creates");
    deliver(&mut tablet, &mut companion, &to);
    companion.delete_case(case).expect("the office deletes it");

    // The tablet, not yet told, edits both and syncs again.
    edit(&mut tablet, case, "削除 後", 1);
    edit(&mut tablet, kept, "残る 人", 1);
    assert_eq!(
        offer(&mut tablet, &mut companion, &to).expect("acknowledged"),
        Imported::Now(1),
        "only the case still held is taken"
    );
    assert!(matches!(
        companion.load_case(case),
        Err(StoreError::NoSuchCase(_))
    ));
    assert_eq!(name_on(&mut companion, kept), "残る 人");
    assert_eq!(companion.deleted_cases().expect("lists"), [case]);
}
