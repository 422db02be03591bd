//! The documents print the disease record as it now stands: a disease
//! removed as entered by mistake is in none of them, and a corrected
//! status entry gives way to its correction (pdftotext reads them back).

mod common;

use common::{Pdf, fixed_meta, normalise};
use time::macros::date;
use tsunagi_companion::documents::{self, DocumentKind, Request};
use tsunagi_core::model::{Disclosure, Disease, DiseaseStatus, StatusChange, demo_cases};
use tsunagi_core::reference::ReferenceDb;

const MISTAKE: &str = "誤って登録した疾患";
const WRONG_NOTE: &str = "聞き違えた再燃の記録";
const RIGHT_NOTE: &str = "訂正した改善の記録";

fn text_of(case: &tsunagi_core::model::Case, kind: DocumentKind, db: &ReferenceDb) -> String {
    // The proposal goes to the case's first employer.
    let bytes = documents::render(case, &fixed_meta(), &Request::new(kind), db).expect("renders");
    normalise(&Pdf::new(bytes).raw_text())
}

#[test]
fn removed_diseases_and_corrected_entries_are_left_out_of_the_documents() {
    let db = ReferenceDb::bundled().expect("the bundled reference loads");
    let mut case = demo_cases().remove(0);
    case.disclosure = Disclosure::Disclosed;
    let mut mistake = Disease::new(None, MISTAKE);
    mistake
        .remove(date!(2026 - 11 - 25), "worker", "別の方の病名を誤って登録")
        .expect("removed");
    case.basic.diseases.push(mistake);
    let uc = &mut case.basic.diseases[0];
    let wrong = StatusChange::new(date!(2026 - 11 - 20), DiseaseStatus::Relapse, WRONG_NOTE);
    let wrong_id = wrong.id.clone();
    uc.record_status(wrong);
    uc.correct_status(
        &wrong_id,
        StatusChange::new(
            date!(2026 - 11 - 20),
            DiseaseStatus::Improvement,
            RIGHT_NOTE,
        ),
        date!(2026 - 11 - 25),
        "worker",
        "聞き違い",
    )
    .expect("corrected");
    let name = case.basic.diseases[0].name.clone();

    for kind in [
        DocumentKind::Profile,
        DocumentKind::Proposal,
        DocumentKind::SupportPlan,
    ] {
        let text = text_of(&case, kind, &db);
        assert!(
            text.contains(&normalise(&name)),
            "{kind}: the disease is named"
        );
        assert!(
            !text.contains(&normalise(MISTAKE)),
            "{kind}: the removed disease"
        );
    }
    let plan = text_of(&case, DocumentKind::SupportPlan, &db);
    assert!(
        plan.contains(&normalise(RIGHT_NOTE)),
        "the correction is printed"
    );
    assert!(
        !plan.contains(&normalise(WRONG_NOTE)),
        "the wrong entry is not"
    );
}
