//! Corrections on the disease screen and the saved target occupation,
//! through the controller without a window.

use tsunagi_core::model::{AmendError, HireConfirmation, TargetOccupation};

use super::*;

fn db() -> ReferenceDb {
    ReferenceDb::bundled().expect("the bundled reference is valid")
}

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d).expect("date")
}

fn worker(db: &ReferenceDb) -> DiseaseController {
    DiseaseController::new(&Case::new(), db, false).with_account("worker")
}

/// The case as a new screen would read it back from the saved sections.
fn reopened(c: &DiseaseController, db: &ReferenceDb) -> DiseaseController {
    let mut case = Case::new();
    case.basic = c.basic().clone();
    case.case_management = c.management().clone();
    DiseaseController::new(&case, db, false).with_account("worker")
}

#[test]
fn the_subtype_is_saved_for_the_disease_shown() {
    let db = db();
    let mut c = worker(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    assert!(matches!(
        c.set_subtype(" 全大腸炎型 "),
        Some(Section::Basic(_))
    ));
    assert!(c.set_subtype("全大腸炎型").is_none(), "no change, no save");
    assert_eq!(reopened(&c, &db).subtype(), "全大腸炎型");
}

#[test]
fn a_removed_disease_leaves_the_tabs_and_the_checklist_and_is_listed_as_removed() {
    let db = db();
    let mut c = worker(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    c.choose_disease(&db, "crohns-disease");
    assert!(!c.checklist(&db).is_empty());
    assert_eq!(
        c.remove_disease(day(2026, 11, 25), " ").err(),
        Some(AmendError::NoReason)
    );
    assert!(matches!(
        c.remove_disease(day(2026, 11, 25), "別の方の病名を誤って登録"),
        Ok(Some(Section::Basic(_)))
    ));

    let tabs: Vec<String> = c.tabs().iter().map(|t| t.name.to_string()).collect();
    assert_eq!(tabs, ["潰瘍性大腸炎"], "the other disease is shown now");
    assert_eq!(c.selected_tab(), 0);
    assert_eq!(
        c.disease().and_then(|d| d.reference_id.as_deref()),
        Some("ulcerative-colitis"),
        "the checklist is the remaining disease's"
    );
    assert_eq!(c.basic().diseases.len(), 2, "kept in the case");
    let removed = c.removed_rows();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].title, "クローン病");
    assert_eq!(
        removed[0].detail,
        "2026/11/25に削除（worker）：別の方の病名を誤って登録"
    );

    // Removing the last one leaves no checklist at all.
    c.remove_disease(day(2026, 11, 26), "誤登録")
        .expect("removed");
    assert!(c.tabs().is_empty() && c.checklist(&db).is_empty() && c.history().is_empty());
    assert_eq!(c.removed_rows().len(), 2);

    // Choosing it again adds a new entry; the removed one stays removed.
    c.choose_disease(&db, "crohns-disease");
    assert_eq!(c.basic().diseases.len(), 3);
    assert_eq!(c.tabs().len(), 1);
    assert_eq!(c.removed_rows().len(), 2);
    assert!(!c.checklist(&db).is_empty());
}

#[test]
fn a_correction_shows_both_entries_and_the_current_status_follows_it() {
    let db = db();
    let mut c = worker(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    c.record_status(DiseaseStatus::Remission, day(2025, 4, 1), "");
    c.record_status(DiseaseStatus::Relapse, day(2026, 11, 20), "下痢が増えた");
    assert!(c.needs_review());
    let wrong = c.history()[0].id.to_string();
    let draft = c.correction_draft(&wrong).expect("a draft");
    assert_eq!(draft.date, "2026/11/20");
    assert_eq!(DiseaseStatus::ALL[draft.status], DiseaseStatus::Relapse);
    assert_eq!(draft.note, "下痢が増えた");

    c.correct_status(
        &wrong,
        DiseaseStatus::Improvement,
        day(2026, 11, 20),
        "軽快",
        day(2026, 11, 25),
        "聞き違い",
    )
    .expect("corrected");
    assert_eq!(c.current_status(), Some(DiseaseStatus::Improvement));
    assert!(
        !c.needs_review(),
        "the wrong relapse no longer asks for a review"
    );

    let history = c.history();
    assert_eq!(history.len(), 3);
    let fix = &history[0];
    assert_eq!((fix.status.as_str(), fix.corrected), ("改善", false));
    assert_eq!(
        fix.remark,
        "「2026/11/20 再燃」の訂正（2026/11/25・worker）：聞き違い"
    );
    let old = history
        .iter()
        .find(|r| r.id == wrong.as_str())
        .expect("the wrong entry is kept");
    assert!(old.corrected && !old.can_correct);
    assert_eq!(old.note, "下痢が増えた");
    assert_eq!(old.remark, "正しくは「2026/11/20 改善」");

    assert_eq!(
        c.correct_status(
            &wrong,
            DiseaseStatus::Other,
            day(2026, 11, 20),
            "",
            day(2026, 11, 25),
            "x"
        )
        .err(),
        Some(AmendError::AlreadyCorrected)
    );
    let back = reopened(&c, &db);
    assert_eq!(back.current_status(), Some(DiseaseStatus::Improvement));
    assert_eq!(back.history().len(), 3);
}

#[test]
fn the_target_occupation_is_saved_and_reopened_and_orders_the_checklist() {
    let db = db();
    let mut c = worker(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    assert!(c.checklist(&db).iter().all(|r| r.demand == 0));
    let Some(Section::CaseManagement(saved)) = c.set_occupation(&db, Some("truck-driver")) else {
        panic!("the target is saved in case management");
    };
    assert_eq!(
        saved.target_occupation,
        Some(TargetOccupation::from_reference(
            "truck-driver",
            "トラック運転手"
        ))
    );
    assert!(
        c.set_occupation(&db, Some("truck-driver")).is_none(),
        "no change"
    );

    let back = reopened(&c, &db);
    assert_eq!(
        back.occupation.as_ref().map(OccupationId::as_str),
        Some("truck-driver")
    );
    let first = &back.checklist(&db)[0];
    assert_eq!((first.code.as_str(), first.demand), ("TOIL", 2));

    // Own words: saved as written, the checklist follows the nearest occupation.
    let mut c = back;
    c.set_own_occupation(&db, " トラック運転の仕事 ")
        .expect("saved");
    let back = reopened(&c, &db);
    assert_eq!(
        back.target().map(|t| t.name.as_str()),
        Some("トラック運転の仕事")
    );
    assert_eq!(
        back.occupation.as_ref().map(OccupationId::as_str),
        Some("truck-driver")
    );
    assert!(c.set_own_occupation(&db, "  ").is_none());

    // Taking the target away saves that too.
    let mut c = back;
    assert!(c.set_occupation(&db, None).is_some());
    assert!(reopened(&c, &db).target().is_none());
    assert!(c.checklist(&db).iter().all(|r| r.demand == 0));
}

#[test]
fn a_saved_target_wins_over_the_suggestion_from_the_hire() {
    let db = db();
    let mut case = Case::new();
    case.monitoring.hire = Some(HireConfirmation {
        job_title: "検品スタッフ".into(),
        ..HireConfirmation::default()
    });
    let suggested = DiseaseController::new(&case, &db, false);
    assert!(suggested.target().is_none());
    assert_eq!(
        suggested.occupation.as_ref().map(OccupationId::as_str),
        Some("product-inspector")
    );
    case.case_management.target_occupation = Some(TargetOccupation::from_reference(
        "truck-driver",
        "トラック運転手",
    ));
    let saved = DiseaseController::new(&case, &db, false);
    assert_eq!(
        saved.occupation.as_ref().map(OccupationId::as_str),
        Some("truck-driver")
    );
}

#[test]
fn a_read_only_account_removes_and_corrects_nothing() {
    let db = db();
    let mut c = worker(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    c.record_status(DiseaseStatus::Relapse, day(2026, 11, 20), "");
    let mut case = Case::new();
    case.basic = c.basic().clone();
    let mut r = DiseaseController::new(&case, &db, true);
    let id = r.history()[0].id.to_string();
    assert!(!r.history()[0].can_correct);
    assert!(r.set_subtype("x").is_none());
    assert_eq!(r.remove_disease(day(2026, 11, 25), "x"), Ok(None));
    assert_eq!(
        r.correct_status(
            &id,
            DiseaseStatus::Onset,
            day(2026, 1, 1),
            "",
            day(2026, 1, 2),
            "x"
        ),
        Ok(None)
    );
    assert!(r.set_occupation(&db, Some("truck-driver")).is_none());
    assert_eq!(r.basic(), &case.basic);
    assert_eq!(r.management(), &case.case_management);
}
