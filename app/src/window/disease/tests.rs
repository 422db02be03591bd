//! The disease screen's controller, without a window.

use slint::Model;
use tsunagi_core::model::{Employer, HireConfirmation};

use super::*;
use crate::window::ui::DiseaseIssueRow;

fn db() -> ReferenceDb {
    ReferenceDb::bundled().expect("the bundled reference is valid")
}

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d).expect("date")
}

fn codes(rows: &[DiseaseIssueRow]) -> Vec<String> {
    rows.iter().map(|r| r.code.to_string()).collect()
}

fn controller(db: &ReferenceDb) -> DiseaseController {
    DiseaseController::new(&Case::new(), db, false)
}

#[test]
fn choosing_a_disease_adds_it_once_and_shows_its_checklist() {
    let db = db();
    let mut c = controller(&db);
    assert!(c.checklist(&db).is_empty(), "no disease, no checklist");
    let saved = c.choose_disease(&db, "ulcerative-colitis");
    assert!(matches!(saved, Some(Section::Basic(_))));
    assert_eq!(c.basic().diseases.len(), 1);
    assert_eq!(c.basic().diseases[0].name, "潰瘍性大腸炎");
    assert!(codes(&c.checklist(&db)).contains(&"TOIL".to_owned()));
    assert!(
        c.choose_disease(&db, "ulcerative-colitis").is_none(),
        "choosing it again only selects it"
    );
    assert_eq!(c.basic().diseases.len(), 1);
    assert!(c.choose_disease(&db, "no-such-disease").is_none());
}

#[test]
fn ticks_and_accommodations_survive_the_round_trip_through_the_sections() {
    let db = db();
    let mut c = controller(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    let toilet = c
        .checklist(&db)
        .into_iter()
        .find(|r| r.code == "TOIL")
        .expect("UC brings TOIL");
    let option = toilet.options.row_data(0).expect("TOIL has options");
    assert!(c.set_applicable("TOIL", true).is_some());
    assert!(
        c.set_applicable("TOIL", true).is_none(),
        "no change, no save"
    );
    c.set_accommodation("TOIL", &option.id, true);
    let Some(Section::CaseManagement(saved)) = c.add_own("TOIL", " 休憩を自由に取れる ")
    else {
        panic!("own accommodations are saved in case management");
    };

    // A case read back with the saved sections shows the same checklist.
    let mut case = Case::new();
    case.basic = c.basic().clone();
    case.case_management = saved;
    let again = DiseaseController::new(&case, &db, false);
    let row = again
        .checklist(&db)
        .into_iter()
        .find(|r| r.code == "TOIL")
        .expect("TOIL");
    assert!(row.applicable);
    let chosen: Vec<String> = row
        .options
        .iter()
        .filter(|o| o.chosen)
        .map(|o| o.id.to_string())
        .collect();
    assert_eq!(chosen, [option.id.to_string()]);
    assert_eq!(
        row.own.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ["休憩を自由に取れる"]
    );

    // Dropping the option and removing the own text empties the issue.
    let mut again = again;
    again.set_accommodation("TOIL", &option.id, false);
    again.remove_own("TOIL", 0);
    let issue = &again.management().vocational_issues[0];
    assert!(issue.accommodations.is_empty() && issue.applicable);
}

#[test]
fn status_changes_are_added_to_the_history_never_overwritten() {
    let db = db();
    let mut c = controller(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    c.record_status(DiseaseStatus::Onset, day(2020, 4, 1), "診断");
    c.record_status(DiseaseStatus::Remission, day(2022, 6, 1), "");
    assert!(!c.needs_review());
    c.record_status(DiseaseStatus::Relapse, day(2026, 11, 20), "下痢が増えた");
    let history = c.history();
    let shown: Vec<(String, String)> = history
        .iter()
        .map(|r| (r.date.to_string(), r.status.to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            ("2026/11/20".into(), "再燃".into()),
            ("2022/06/01".into(), "寛解".into()),
            ("2020/04/01".into(), "発症".into()),
        ]
    );
    assert_eq!(c.basic().diseases[0].status_history.len(), 3);
    assert_eq!(c.current_status(), Some(DiseaseStatus::Relapse));
}

#[test]
fn checklist_follows_the_current_status_and_the_job() {
    let db = db();
    let mut c = controller(&db);
    c.choose_disease(&db, "ulcerative-colitis");
    let without_job = c.checklist(&db);
    assert!(without_job.iter().all(|r| r.demand == 0));

    c.set_occupation(&db, Some("truck-driver"));
    let with_job = c.checklist(&db);
    assert_eq!(
        with_job[0].code, "TOIL",
        "the job's strongest demand comes first"
    );
    assert_eq!(with_job[0].demand, 2);
    let first_untouched = with_job.iter().position(|r| r.demand == 0).expect("some");
    assert!(with_job[first_untouched..].iter().all(|r| r.demand == 0));

    c.record_status(DiseaseStatus::Remission, day(2025, 1, 1), "");
    assert!(!c.needs_review());
    c.record_status(DiseaseStatus::Progression, day(2026, 2, 1), "");
    assert!(c.needs_review(), "progression asks for a review");
    c.record_status(DiseaseStatus::Improvement, day(2026, 5, 1), "");
    assert!(!c.needs_review());
    c.record_status(DiseaseStatus::Relapse, day(2026, 11, 1), "");
    assert!(c.needs_review(), "a relapse asks for a review");

    c.set_occupation(&db, None);
    assert!(c.checklist(&db).iter().all(|r| r.demand == 0));
}

#[test]
fn the_hired_job_becomes_the_target_occupation() {
    let db = db();
    let mut case = Case::new();
    case.monitoring.hire = Some(HireConfirmation {
        job_title: "検品スタッフ".into(),
        ..HireConfirmation::default()
    });
    case.job_match.employers.push(Employer::default());
    let c = DiseaseController::new(&case, &db, false);
    assert_eq!(
        c.occupation.as_ref().map(OccupationId::as_str),
        Some("product-inspector"),
        "「検品スタッフ」 means 検品・検査"
    );
}

#[test]
fn a_read_only_account_changes_nothing() {
    let db = db();
    let mut case = Case::new();
    case.basic
        .diseases
        .push(Disease::new(Some("ulcerative-colitis"), "潰瘍性大腸炎"));
    let mut c = DiseaseController::new(&case, &db, true);
    assert!(c.choose_disease(&db, "crohns-disease").is_none());
    assert!(c.set_applicable("TOIL", true).is_none());
    assert!(c.add_own("TOIL", "x").is_none());
    assert!(
        c.record_status(DiseaseStatus::Relapse, day(2026, 1, 1), "")
            .is_none()
    );
    assert_eq!(c.basic(), &case.basic);
    assert_eq!(c.management(), &case.case_management);
}

#[test]
fn dates_are_read_in_the_usual_japanese_forms() {
    assert_eq!(parse_date("2026/11/25"), Some(day(2026, 11, 25)));
    assert_eq!(parse_date("2026-1-5"), Some(day(2026, 1, 5)));
    assert_eq!(parse_date("2026年1月5日"), Some(day(2026, 1, 5)));
    assert_eq!(parse_date("2026/2/30"), None);
    assert_eq!(parse_date("昨日"), None);
    assert_eq!(format_date(day(2026, 1, 5)), "2026/01/05");
}
