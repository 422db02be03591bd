//! The case screen through the accessibility tree: open a demo case, fill a
//! field in every section, log a consultation, change the stage, go back,
//! close and reopen the app — everything is there; the history panel shows
//! who changed what; a read-only account sees everything disabled.
//!
//! One test: its steps build on each other. Store work runs inline
//! (`Background::Inline`); the save pause is passed with mocked time.

mod common;
use common::*;

use std::sync::Arc;
use std::time::{Duration, Instant};

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_app::window;
use tsunagi_app::window::ui::{
    AppWindow, CaseAdapter, CaseListAdapter, Problem, ReferenceAdapter, ReferenceTab, SaveState,
    Screen,
};
use tsunagi_core::model::demo_cases;
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Role, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";
const READER_PASSWORD: &str = "よむだけの合言葉 2026";

/// Past the save pause: what was typed is saved.
fn pause() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(500));
}

fn value_of(window: &AppWindow, label: &str) -> String {
    one(window, label, AccessibleRole::TextInput)
        .accessible_value()
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn tab(window: &AppWindow, label: &str) {
    one(window, label, AccessibleRole::Tab).invoke_accessible_default_action();
    settle();
}

fn choose(window: &AppWindow, field: &str, option: &str) {
    one(window, field, AccessibleRole::Combobox).invoke_accessible_default_action();
    settle();
    one(window, option, AccessibleRole::ListItem).invoke_accessible_default_action();
    settle();
}

/// The number of list rows titled `item n` on the shown tab.
fn rows(window: &AppWindow, item: &str) -> usize {
    let prefix = format!("{item} ");
    window
        .global::<CaseAdapter<'_>>()
        .get_blocks()
        .iter()
        .filter(|b| b.title.starts_with(&prefix) && b.title[prefix.len()..].parse::<u32>().is_ok())
        .count()
}

fn log_in(window: &AppWindow, name: &str, password: &str) {
    // Lookups find only what is on screen (not scrolled away): a window
    // tall enough for the longest tab keeps every field in view (portrait).
    window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 40000.0));
    type_into(window, "ユーザー名", name);
    type_into(window, "パスワード", password);
    press(window, "ログイン");
    assert_eq!(window.get_screen(), Screen::CaseList);
}

fn open_case(window: &AppWindow, name: &str) {
    one(window, name, AccessibleRole::ListItem).invoke_accessible_default_action();
    settle();
    assert_eq!(window.get_screen(), Screen::Case);
}

/// A new store in a temporary folder (the fast KDF, an in-memory keychain)
/// with `admin` as its administrator: the folder guard, the data folder,
/// the keychain and the open store.
fn new_store() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Arc<dyn Keychain>,
    Store,
) {
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let (store, _code) = Store::create(
        &data,
        Arc::clone(&keychain),
        "admin",
        PASSWORD,
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )
    .expect("store");
    (temp, data, keychain, store)
}

/// The app on a new store holding the first demo case, with `admin` logged
/// in and that case open.
struct OneCase {
    _temp: tempfile::TempDir,
    data: std::path::PathBuf,
    keychain: Arc<dyn Keychain>,
    case: tsunagi_core::model::Case,
    id: tsunagi_core::model::CaseId,
    app: window::AppHandle,
}

impl OneCase {
    fn open() -> Self {
        init_backend();
        let (_temp, data, keychain, mut store) = new_store();
        let case = demo_cases().remove(0);
        let id = store.create_case(&case).expect("demo case");
        drop(store);
        let app = window::build(data.clone(), options(&keychain)).expect("the window builds");
        let w = app.window();
        w.show().expect("the window shows");
        log_in(w, "admin", PASSWORD);
        open_case(w, case.basic.name.expose());
        Self {
            _temp,
            data,
            keychain,
            case,
            id,
            app,
        }
    }

    /// The store as saved, opened anew.
    fn stored(&self) -> Store {
        Store::unlock(&self.data, Arc::clone(&self.keychain), "admin", PASSWORD).expect("unlocks")
    }
}

#[test]
fn every_section_is_saved_as_typed_survives_a_restart_and_shows_its_history() {
    i_slint_backend_testing::init_no_event_loop();
    let (_temp, data, keychain, mut store) = new_store();
    let mut hanako = None;
    for case in demo_cases() {
        let id = store.create_case(&case).expect("demo case");
        if case.basic.name.expose() == "見本 花子" {
            hanako = Some(id);
        }
    }
    store
        .add_account("etsuran", Role::ReadOnly, READER_PASSWORD)
        .expect("a read-only account");
    store
        .assign(hanako.expect("the demo has 見本 花子"), "etsuran")
        .expect("assigned");
    drop(store);

    // ── fill a field in every section ───────────────────────────────────
    let app = window::build(data.clone(), options(&keychain)).expect("the window builds");
    let w = app.window();
    w.show().expect("the window shows");
    log_in(w, "admin", PASSWORD);
    open_case(w, "見本 花子");
    let adapter = w.global::<CaseAdapter<'_>>();
    assert_eq!(adapter.get_name().as_str(), "見本 花子");
    assert!(adapter.get_can_edit());

    type_into(w, "氏名", "見本 花");
    type_into(w, "氏名", "見本 花子（改）");
    assert_eq!(
        adapter.get_save_state(),
        SaveState::Idle,
        "not before the pause"
    );
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Saved);
    assert_eq!(
        adapter.get_name().as_str(),
        "見本 花子（改）",
        "the header follows"
    );

    tab(w, "キャリア計画");
    type_into(w, "週の日数", "4");
    // Another field at once: the first is saved without waiting.
    type_into(w, "通勤手段", "バス");
    pause();

    tab(w, "ジョブマッチ");
    let before = rows(w, "事業所");
    press(w, "事業所を追加");
    let n = before + 1;
    assert_eq!(rows(w, "事業所"), n);
    type_into(w, &format!("事業所 {n}：事業所名"), "テスト物流");
    pause();

    tab(w, "ケースマネジメント");
    assert!(
        !all(w, "疾患と職業的課題", AccessibleRole::Button).is_empty(),
        "the place for the disease checklist"
    );
    let before = rows(w, "項目");
    press(w, "項目を追加");
    type_into(w, &format!("項目 {}：支援内容", before + 1), "通院日の調整");

    tab(w, "モニタリング");
    type_into(w, "作成日", "2026-11-20");
    pause();

    tab(w, "相談経過");
    let before = rows(w, "記録");
    type_into(w, "相談日", "2026-11-25");
    press(w, "電話");
    type_into(w, "相談の内容", "体調と通院の予定を確認");
    type_into(w, "相談の次回の予定", "来週 事業所見学");
    press(w, "記録を追加");
    assert_eq!(rows(w, "記録"), before + 1);
    assert_eq!(value_of(w, "記録 1：日付"), "2026-11-25", "newest first");
    assert_eq!(
        one(w, "記録 1：種別", AccessibleRole::Combobox)
            .accessible_value()
            .as_deref(),
        Some("電話")
    );

    tab(w, "自立支援プログラム");
    let before = rows(w, "プログラム");
    press(w, "プログラムを追加");
    let p = before + 1;
    type_into(
        w,
        &format!("プログラム {p}：プログラム名"),
        "生活保護受給者等就労自立促進事業",
    );
    press(w, "評価を追加");

    tab(w, "同意・開示");
    choose(w, "事業所への開示", "一部開示");

    press(w, "就職");
    assert_eq!(adapter.get_stage(), 3);

    // Typed just now, then straight back to the list: saved on leaving.
    tab(w, "基本情報");
    type_into(w, "電話番号", "000-0000-0000");
    press(w, "一覧へ戻る");
    assert_eq!(w.get_screen(), Screen::CaseList);
    let listed = w.global::<CaseListAdapter<'_>>().get_cases();
    let row = listed
        .iter()
        .find(|r| r.name == "見本 花子（改）")
        .expect("the list shows the new name");
    assert_eq!(row.stage, 3, "and the new stage");
    drop(app);

    // ── a new window on the same store: everything is there ─────────────
    let app = window::build(data.clone(), options(&keychain)).expect("the window builds again");
    let w = app.window();
    w.show().expect("the window shows");
    log_in(w, "admin", PASSWORD);
    open_case(w, "見本 花子（改）");
    let adapter = w.global::<CaseAdapter<'_>>();
    assert_eq!(adapter.get_stage(), 3);
    assert_eq!(value_of(w, "氏名"), "見本 花子（改）");
    assert_eq!(value_of(w, "電話番号"), "000-0000-0000");
    tab(w, "キャリア計画");
    assert_eq!(value_of(w, "週の日数"), "4");
    assert_eq!(value_of(w, "通勤手段"), "バス");
    tab(w, "ジョブマッチ");
    assert_eq!(value_of(w, &format!("事業所 {n}：事業所名")), "テスト物流");
    tab(w, "ケースマネジメント");
    assert!(
        !all(w, "通院日の調整", AccessibleRole::TextInput).is_empty() || {
            let blocks = adapter.get_blocks();
            blocks
                .iter()
                .any(|b| b.fields.iter().any(|f| f.value == "通院日の調整"))
        }
    );
    tab(w, "モニタリング");
    assert_eq!(value_of(w, "作成日"), "2026-11-20");
    tab(w, "相談経過");
    assert_eq!(value_of(w, "記録 1：次回の予定"), "来週 事業所見学");
    tab(w, "自立支援プログラム");
    assert_eq!(
        value_of(w, &format!("プログラム {p}：プログラム名")),
        "生活保護受給者等就労自立促進事業"
    );
    assert!(rows(w, "評価") >= 1);
    tab(w, "同意・開示");
    assert_eq!(
        one(w, "事業所への開示", AccessibleRole::Combobox)
            .accessible_value()
            .as_deref(),
        Some("一部開示")
    );

    // ── the history of a field: who, old → new ──────────────────────────
    tab(w, "基本情報");
    press(w, "氏名の履歴");
    assert!(adapter.get_history_open());
    let history: Vec<_> = adapter.get_history().iter().collect();
    let latest = history.first().expect("the name has a history");
    assert_eq!(latest.author.as_str(), "admin");
    assert_eq!(
        (latest.old.as_str(), latest.new.as_str()),
        ("見本 花子", "見本 花子（改）")
    );
    assert!(
        history.iter().all(|h| h.new != "見本 花"),
        "keystrokes within the pause are saved as one change"
    );
    let label = format!("{} admin：見本 花子 → 見本 花子（改）", latest.when);
    assert_eq!(
        all(w, &label, AccessibleRole::ListItem).len(),
        1,
        "shown in the panel"
    );
    press(w, "閉じる");
    assert!(!adapter.get_history_open());

    // ── a read-only account sees everything, edits nothing ──────────────
    press(w, "一覧へ戻る");
    press(w, "ロック");
    log_in(w, "etsuran", READER_PASSWORD);
    open_case(w, "見本 花子（改）");
    assert!(!adapter.get_can_edit());
    assert_eq!(value_of(w, "氏名"), "見本 花子（改）");
    assert_eq!(
        one(w, "氏名", AccessibleRole::TextInput).accessible_enabled(),
        Some(false)
    );
    assert_eq!(
        one(w, "交渉", AccessibleRole::Button).accessible_enabled(),
        Some(false),
        "the stage cannot be changed"
    );
    one(w, "交渉", AccessibleRole::Button).invoke_accessible_default_action();
    settle();
    assert_eq!(adapter.get_stage(), 3);
    tab(w, "相談経過");
    assert_eq!(
        one(w, "記録を追加", AccessibleRole::Button).accessible_enabled(),
        Some(false)
    );
    press(w, "一覧へ戻る");
    drop(app);
}

#[test]
fn a_save_the_store_refuses_is_shown_and_changes_nothing() {
    let one = OneCase::open();
    let (w, case, id) = (one.app.window(), &one.case, one.id);
    let given = case.consents[0]
        .given_on
        .expect("the demo consent has a date");
    tab(w, "同意・開示");
    let adapter = w.global::<CaseAdapter<'_>>();

    // Withdrawn before it was given: the store refuses the section, and the
    // screen says the save failed and why.
    let before = given - time::Duration::days(30);
    type_into(w, "同意 1：撤回日", &before.to_string());
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Failed);
    assert_eq!(adapter.get_problem(), Problem::Inconsistent);
    let detail = adapter.get_problem_detail();
    assert!(
        detail.contains("「同意日と撤回日」の日付の順序が逆です"),
        "{detail}"
    );
    let stored = one.stored().load_case(id).expect("loads");
    assert_eq!(stored.consents[0].withdrawn_on, None, "nothing was saved");

    // Put right, it saves.
    let after = given + time::Duration::days(30);
    type_into(w, "同意 1：撤回日", &after.to_string());
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Saved);
    assert_eq!(adapter.get_problem(), Problem::None, "the message went");
    let stored = one.stored().load_case(id).expect("loads");
    assert_eq!(stored.consents[0].withdrawn_on, Some(after));
}

#[test]
fn text_that_arrives_without_key_events_counts_as_activity_for_the_auto_lock() {
    let one = OneCase::open();
    let (app, w) = (&one.app, one.app.window());
    // The last key or touch was before this instant.
    let quiet_since = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    // Text set on the field as an input method commits it: no key event.
    type_into(w, "氏名", "見本 花子（改）");
    // Five minutes and a second after the last key: without the text
    // counting, the default five-minute lock would be due.
    assert!(!app.lock_if_idle(quiet_since + Duration::from_secs(5 * 60 + 1)));
    assert_eq!(w.get_screen(), Screen::Case);
    assert!(app.lock_if_idle(quiet_since + Duration::from_secs(5 * 60 + 3)));
    assert_eq!(w.get_screen(), Screen::Login);
}

#[test]
fn an_occupation_found_in_the_search_is_added_to_the_cases_job_areas() {
    let one = OneCase::open();
    let (w, case, id) = (one.app.window(), &one.case, one.id);
    tab(w, "キャリア計画");
    press(w, "職業を調べる");
    assert_eq!(w.get_screen(), Screen::Reference);
    let reference = w.global::<ReferenceAdapter<'_>>();
    assert_eq!(reference.get_tab(), ReferenceTab::Occupations);
    assert_eq!(reference.get_for_case().as_str(), case.basic.name.expose());

    type_into(w, "職業を検索", "事務");
    let found = reference.get_occupations();
    assert!(found.row_count() > 0, "the search finds office work");
    let name = found.row_data(0).expect("a row").name.to_string();
    assert!(
        !case.career_plan.direction.job_areas.contains(&name),
        "the demo case has {name} already"
    );
    press(w, &format!("「{name}」を職域に加える"));
    assert_eq!(
        reference.get_added(),
        format!("「{name}」を職域に加えました。")
    );
    press(w, &format!("「{name}」を職域に加える"));
    assert_eq!(
        reference.get_added(),
        format!("「{name}」はすでに職域にあります。")
    );

    press(w, "戻る");
    assert_eq!(w.get_screen(), Screen::Case);
    pause();
    let stored = one.stored().load_case(id).expect("loads");
    let areas = &stored.career_plan.direction.job_areas;
    assert_eq!(
        areas.iter().filter(|a| **a == name).count(),
        1,
        "added once: {areas:?}"
    );
    assert_eq!(areas.len(), case.career_plan.direction.job_areas.len() + 1);
}
