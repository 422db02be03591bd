//! The disease screen (疾患と職業的課題) and the reference browser, driven
//! through the accessibility tree: choose a disease by search, tick an
//! issue, pick an accommodation, record a relapse; then a new window on the
//! same store shows that all of it was saved. The reference browser opens
//! from the case list without a case and finds an occupation by search.
//!
//! One test: its steps build on each other. Store work runs inline
//! (`Background::Inline`): the headless backend has no event loop.

mod common;
use common::*;

use std::sync::Arc;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{AppWindow, DiseaseAdapter, ReferenceAdapter, Screen};
use tsunagi_app::window::{self, AppHandle};
use tsunagi_core::model::{Case, CaseId, DiseaseStatus};
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";

fn tick(window: &AppWindow, label: &str) {
    let check = one(window, label, AccessibleRole::Checkbox);
    assert_eq!(
        check.accessible_checked(),
        Some(false),
        "{label:?} is ticked"
    );
    check.invoke_accessible_default_action();
    settle();
    assert_eq!(
        one(window, label, AccessibleRole::Checkbox).accessible_checked(),
        Some(true),
        "{label:?} stays ticked once the screen is rebuilt"
    );
}

fn log_in(app: &AppHandle) {
    let w = app.window();
    // Tall enough that nothing is scrolled out of view: the lookups skip
    // what a scroll view clips away.
    w.window().set_size(slint::LogicalSize::new(1280.0, 6000.0));
    w.show().expect("the window shows");
    assert_eq!(w.get_screen(), Screen::Login);
    type_into(w, "ユーザー名", "admin");
    type_into(w, "パスワード", PASSWORD);
    press_as(w, "ログイン", AccessibleRole::Button);
    assert_eq!(w.get_screen(), Screen::CaseList);
}

#[test]
fn disease_checklist_is_saved_and_the_reference_is_browsable_without_a_case() {
    init_backend();
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let case: CaseId = {
        let (mut store, _code) = Store::create(
            &data,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )
        .expect("a store");
        let mut new = Case::new();
        new.basic.name = "見本 花子".into();
        store.create_case(&new).expect("a case")
    };

    // ── the disease screen for the case ─────────────────────────────────
    let app = window::build(data.clone(), options(&keychain)).expect("the window builds");
    let w = app.window();
    log_in(&app);
    app.open_disease(case);
    assert_eq!(w.get_screen(), Screen::Disease);
    assert!(w.global::<DiseaseAdapter<'_>>().get_diseases().row_count() == 0);

    // Search by kana, choose the hit.
    type_into(w, "疾患を検索", "かいようせいだい");
    press_as(w, "潰瘍性大腸炎", AccessibleRole::ListItem);
    assert_eq!(
        one(w, "潰瘍性大腸炎", AccessibleRole::Tab)
            .accessible_label()
            .as_deref(),
        Some("潰瘍性大腸炎")
    );

    // The issue checklist: tick toilet access, pick its first option.
    let issues = w.global::<DiseaseAdapter<'_>>().get_issues();
    let toilet = issues
        .iter()
        .find(|r| r.code == "TOIL")
        .expect("UC brings the toilet issue");
    tick(w, toilet.name.as_str());
    let option = toilet
        .options
        .row_data(0)
        .expect("options")
        .text
        .to_string();
    tick(w, &option);

    // The job: a truck driver's demands move toilet access to the top.
    type_into(w, "職業を検索", "トラック");
    press_as(w, "トラック運転手", AccessibleRole::ListItem);
    let first = w
        .global::<DiseaseAdapter<'_>>()
        .get_issues()
        .row_data(0)
        .expect("rows");
    assert_eq!(first.code, "TOIL");
    assert_eq!(first.demand, 2, "strongly demanded by the job");

    // A relapse with its date: the status shows and the checklist asks for a review.
    let review = "状態が変わりました — 課題を見直してください（現在: 再燃）";
    assert!(all(w, review, AccessibleRole::Text).is_empty());
    press_as(w, "再燃", AccessibleRole::RadioButton);
    type_into(w, "状態の変化の日付", "2026/11/20");
    type_into(w, "状態の変化のメモ", "下痢が増えた");
    press_as(w, "状態を記録", AccessibleRole::Button);
    assert!(!w.global::<DiseaseAdapter<'_>>().get_date_invalid());
    one(w, "現在の状態: 再燃", AccessibleRole::Text);
    one(w, review, AccessibleRole::Text);
    one(w, "2026/11/20 再燃", AccessibleRole::ListItem);

    press_as(w, "戻る", AccessibleRole::Button);
    assert_eq!(w.get_screen(), Screen::CaseList);
    assert!(
        w.global::<DiseaseAdapter<'_>>()
            .get_client_name()
            .is_empty(),
        "the case's values leave the screen"
    );
    drop(app);

    // ── a new window on the same store: everything was saved ────────────
    let app = window::build(data.clone(), options(&keychain)).expect("the window builds");
    let w = app.window();
    log_in(&app);
    {
        let mut store =
            Store::unlock(&data, Arc::clone(&keychain), "admin", PASSWORD).expect("unlock");
        let stored = store.load_case(case).expect("the case");
        let disease = &stored.basic.diseases[0];
        assert_eq!(disease.reference_id.as_deref(), Some("ulcerative-colitis"));
        assert_eq!(disease.current_status(), Some(DiseaseStatus::Relapse));
        let relapse = disease.relapses().next().expect("the relapse");
        assert_eq!(
            relapse.date.map(|d| d.to_string()).as_deref(),
            Some("2026-11-20")
        );
        assert_eq!(relapse.note.expose(), "下痢が増えた");
        let issue = stored
            .case_management
            .applicable_issues()
            .find(|i| i.code.as_deref() == Some("TOIL"))
            .expect("the ticked issue");
        assert_eq!(issue.accommodations.len(), 1);
        assert!(issue.accommodations[0].reference_id.is_some());
    }

    // The screen shows it again.
    app.open_disease(case);
    one(w, "現在の状態: 再燃", AccessibleRole::Text);
    assert_eq!(
        one(w, &option, AccessibleRole::Checkbox).accessible_checked(),
        Some(true)
    );
    press_as(w, "戻る", AccessibleRole::Button);

    // ── the reference without a case ────────────────────────────────────
    press_as(w, "疾患・職業の参照", AccessibleRole::Button);
    assert_eq!(w.get_screen(), Screen::Reference);
    type_into(w, "疾患を検索", "SLE");
    press_as(w, "全身性エリテマトーデス", AccessibleRole::ListItem);
    assert!(w.global::<ReferenceAdapter<'_>>().get_page_open());
    let page = w.global::<ReferenceAdapter<'_>>().get_page();
    assert_eq!(page.name, "全身性エリテマトーデス");
    assert!(page.issues.row_count() > 0 && page.sources.row_count() > 0);
    press_as(w, "疾患の一覧へ", AccessibleRole::Button);
    press_as(w, "職業検索", AccessibleRole::Tab);
    type_into(w, "職業を検索", "データ");
    let found = one(w, "データ入力", AccessibleRole::ListItem);
    assert!(
        found
            .accessible_description()
            .is_some_and(|d| !d.is_empty())
    );
    let listed = w.global::<ReferenceAdapter<'_>>().get_occupations();
    assert_eq!(listed.row_data(0).expect("a hit").name, "データ入力");
    assert!(listed.row_count() < 52, "the search narrows the list");
    press_as(w, "戻る", AccessibleRole::Button);
    assert_eq!(w.get_screen(), Screen::CaseList);
}
