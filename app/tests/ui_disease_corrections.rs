//! Putting right the disease record through the accessibility tree: the
//! type (病型) is changed, a disease entered by mistake is removed with a
//! reason (it leaves the tabs and the checklist and is listed under
//! 削除した疾患), a wrong status entry is corrected (both entries shown,
//! the current status the corrected one), and a target occupation is
//! chosen. Leaving the case and opening it again shows all of it, the
//! checklist still ordered by the occupation; the store holds it.
//!
//! One test: its steps build on each other. Store work runs inline
//! (`Background::Inline`): the headless backend has no event loop.

mod common;
use common::*;

use std::sync::Arc;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use time::macros::date;
use tsunagi_app::window;
use tsunagi_app::window::ui::{AppWindow, DiseaseAdapter, Screen};
use tsunagi_core::model::{Case, CaseId, Disease, DiseaseStatus, StatusChange};
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

const MISTAKE: &str = "クローン病";
const REASON: &str = "別の方の病名を誤って登録";
const FIX_REASON: &str = "再燃ではなく改善と聞き違えた";

fn tab_names(w: &AppWindow) -> Vec<String> {
    w.global::<DiseaseAdapter<'_>>()
        .get_diseases()
        .iter()
        .map(|t| t.name.to_string())
        .collect()
}

fn first_issue(w: &AppWindow) -> (String, i32) {
    let row = w
        .global::<DiseaseAdapter<'_>>()
        .get_issues()
        .row_data(0)
        .expect("a checklist");
    (row.code.to_string(), row.demand)
}

/// What the screen shows after the corrections, whether just made or
/// read back from the store.
fn shows_the_corrected_record(w: &AppWindow) {
    assert_eq!(tab_names(w), ["潰瘍性大腸炎"]);
    assert!(all(w, MISTAKE, AccessibleRole::Tab).is_empty());
    let removed = one(
        w,
        &format!("削除した疾患: {MISTAKE}"),
        AccessibleRole::ListItem,
    );
    let detail = removed.accessible_description().unwrap_or_default();
    assert!(
        detail.contains(REASON) && detail.contains("admin"),
        "{detail}"
    );
    assert_eq!(w.global::<DiseaseAdapter<'_>>().get_subtype(), "全大腸炎型");
    one(w, "現在の状態: 改善", AccessibleRole::Text);
    let wrong = one(w, "2026/11/20 再燃（訂正済み）", AccessibleRole::ListItem);
    assert!(
        wrong
            .accessible_description()
            .is_some_and(|d| d.contains("下痢が増えた")),
        "the wrong entry keeps its note"
    );
    let fix = one(w, "2026/11/20 改善", AccessibleRole::ListItem);
    assert!(
        fix.accessible_description()
            .is_some_and(|d| d.contains(FIX_REASON)),
        "the correction says why"
    );
    assert!(
        all(w, "2026/11/20 再燃を訂正", AccessibleRole::Button).is_empty(),
        "a corrected entry is not corrected again"
    );
    one(w, "選択中: トラック運転手", AccessibleRole::Text);
    assert_eq!(
        first_issue(w),
        ("TOIL".to_owned(), 2),
        "the checklist puts the truck driver's strongest demand first"
    );
}

/// A store with one case: ulcerative colitis with a remission and a
/// relapse, and a second disease entered by mistake.
fn store_with_case(data: &std::path::Path, keychain: &Arc<dyn Keychain>) -> CaseId {
    let (mut store, _code) = Store::create(
        data,
        Arc::clone(keychain),
        "admin",
        PASSWORD,
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )
    .expect("a store");
    let mut case = Case::new();
    case.basic.name = "見本 花子".into();
    let mut uc = Disease::new(Some("ulcerative-colitis"), "潰瘍性大腸炎");
    uc.record_status(StatusChange::new(
        date!(2025 - 04 - 01),
        DiseaseStatus::Remission,
        "",
    ));
    uc.record_status(StatusChange::new(
        date!(2026 - 11 - 20),
        DiseaseStatus::Relapse,
        "下痢が増えた",
    ));
    case.basic.diseases.push(uc);
    case.basic
        .diseases
        .push(Disease::new(Some("crohns-disease"), MISTAKE));
    store.create_case(&case).expect("a case")
}

#[test]
fn disease_entries_are_corrected_and_the_target_occupation_is_kept() {
    init_backend();
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let case = store_with_case(&data, &keychain);
    let app = window::build(data.clone(), options(&keychain)).expect("the window builds");
    let w = app.window();
    // Tall enough that nothing is scrolled out of view: the lookups skip
    // what a scroll view clips away.
    w.window().set_size(slint::LogicalSize::new(1280.0, 6000.0));
    w.show().expect("the window shows");
    log_in(w, "admin", PASSWORD);
    app.open_disease(case);
    assert_eq!(w.get_screen(), Screen::Disease);
    assert_eq!(tab_names(w), ["潰瘍性大腸炎", MISTAKE]);

    // ── the type ────────────────────────────────────────────────────────
    type_into(w, "病型", "全大腸炎型");
    press(w, "病型を保存");
    assert_eq!(w.global::<DiseaseAdapter<'_>>().get_subtype(), "全大腸炎型");

    // ── removing the disease entered by mistake ─────────────────────────
    press_as(w, MISTAKE, AccessibleRole::Tab);
    assert_eq!(w.global::<DiseaseAdapter<'_>>().get_subtype(), "");
    assert!(w.global::<DiseaseAdapter<'_>>().get_issues().row_count() > 0);
    press(w, "この疾患を削除");
    one(
        w,
        &format!("「{MISTAKE}」を削除しますか？"),
        AccessibleRole::Text,
    );
    assert_eq!(
        one(w, "削除する", AccessibleRole::Button).accessible_enabled(),
        Some(false),
        "no removal without a reason"
    );
    type_into(w, "削除の理由", REASON);
    press(w, "削除する");
    assert_eq!(tab_names(w), ["潰瘍性大腸炎"], "it leaves the tabs");
    assert!(
        all(w, "削除の理由", AccessibleRole::TextInput).is_empty(),
        "the confirmation closes"
    );
    one(
        w,
        &format!("削除した疾患: {MISTAKE}"),
        AccessibleRole::ListItem,
    );
    // The checklist is the remaining disease's, with its relapse.
    one(w, "現在の状態: 再燃", AccessibleRole::Text);

    // ── correcting the wrong relapse ────────────────────────────────────
    press(w, "2026/11/20 再燃を訂正");
    press_as(w, "訂正後の状態: 改善", AccessibleRole::RadioButton);
    type_into(w, "訂正後のメモ", "軽快");
    assert_eq!(
        one(w, "訂正を記録", AccessibleRole::Button).accessible_enabled(),
        Some(false),
        "no correction without a reason"
    );
    type_into(w, "訂正の理由", FIX_REASON);
    press(w, "訂正を記録");
    assert!(
        all(w, "訂正の理由", AccessibleRole::TextInput).is_empty(),
        "the form closes"
    );

    // ── the target occupation ───────────────────────────────────────────
    type_into(w, "職業を検索", "トラック");
    press_as(w, "トラック運転手", AccessibleRole::ListItem);
    shows_the_corrected_record(w);

    // ── leave the case and open it again ────────────────────────────────
    press(w, "戻る");
    assert_eq!(w.get_screen(), Screen::CaseList);
    assert!(
        tab_names(w).is_empty(),
        "the case's values leave the screen"
    );
    app.open_disease(case);
    assert_eq!(w.get_screen(), Screen::Disease);
    shows_the_corrected_record(w);
    press(w, "戻る");
    drop(app);

    // ── the store holds it, nothing deleted or overwritten ──────────────
    let mut store = Store::unlock(&data, Arc::clone(&keychain), "admin", PASSWORD).expect("unlock");
    let stored = store.load_case(case).expect("the case");
    let target = stored
        .case_management
        .target_occupation
        .expect("the target occupation is saved");
    assert_eq!(target.reference_id.as_deref(), Some("truck-driver"));
    assert_eq!(
        stored.basic.diseases.len(),
        2,
        "the removed disease is kept"
    );
    let removal = stored.basic.diseases[1]
        .removed
        .as_ref()
        .expect("marked removed");
    assert_eq!(removal.reason.expose(), REASON);
    assert_eq!(removal.by.expose(), "admin");
    let uc = &stored.basic.diseases[0];
    assert_eq!(uc.subtype, "全大腸炎型");
    assert_eq!(uc.status_history.len(), 3, "the wrong entry is kept");
    assert_eq!(uc.current_status(), Some(DiseaseStatus::Improvement));
    assert_eq!(uc.relapses().count(), 0);
}
