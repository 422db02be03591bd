//! The programme part of the case screen through the accessibility tree:
//! a programme's period (開始日, 終了予定日) and its extensions (延長) are
//! saved as typed; a period past a year from its start is refused with the
//! reason shown and nothing of it saved; a review can end with 目標達成; and
//! résumé help (履歴書作成支援) and interview practice (面接練習) are
//! recorded as consultations of their own kind.

mod common;
use common::*;

use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use time::macros::date;
use tsunagi_app::window::ui::{AppWindow, CaseAdapter, Problem, SaveState, Screen};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::model::{
    Case, CaseId, ConsultationKind, ProgrammeEnrolment, ProgrammeKind, ProgrammeOutcome,
};
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

const NAME: &str = "期間 確認";

/// Past the save pause: what was typed is saved.
fn pause() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(500));
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

fn value_of(window: &AppWindow, label: &str) -> String {
    one(window, label, AccessibleRole::TextInput)
        .accessible_value()
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// The app on a store holding one case on a work-readiness programme with
/// no period yet, `admin` logged in and the case open.
struct Opened {
    _temp: tempfile::TempDir,
    data: std::path::PathBuf,
    keychain: Arc<dyn Keychain>,
    id: CaseId,
    app: window::AppHandle,
}

impl Opened {
    fn new() -> Self {
        init_backend();
        let temp = tempfile::tempdir().expect("temp dir");
        let data = temp.path().join("data");
        let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
        let fast = StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        };
        let (mut store, _code) =
            Store::create(&data, Arc::clone(&keychain), "admin", PASSWORD, fast).expect("store");
        let mut case = Case::new();
        *case.basic.name.expose_mut() = NAME.to_owned();
        let mut programme = ProgrammeEnrolment::new();
        programme.programme = "就労準備支援プログラム".into();
        programme.kind = ProgrammeKind::EmploymentReadiness;
        case.programmes.push(programme);
        let id = store.create_case(&case).expect("adds the case");
        drop(store);
        let options = Options {
            keychain: Arc::clone(&keychain),
            keychain_warning: false,
            store_options: fast,
            background: Background::Inline,
            utc_offset: time::macros::offset!(+9),
            camera: tsunagi_app::av::Source::Test,
        };
        let app = window::build(data.clone(), options).expect("the window builds");
        let w = app.window();
        w.show().expect("the window shows");
        // Tall enough that every field of the longest tab is in view.
        w.window()
            .set_size(slint::LogicalSize::new(1280.0, 40000.0));
        log_in(w, "admin", PASSWORD);
        one(w, NAME, AccessibleRole::ListItem).invoke_accessible_default_action();
        settle();
        assert_eq!(w.get_screen(), Screen::Case);
        Self {
            _temp: temp,
            data,
            keychain,
            id,
            app,
        }
    }

    /// The case as saved, read through a store opened anew.
    fn stored(&self) -> Case {
        Store::unlock(&self.data, Arc::clone(&self.keychain), "admin", PASSWORD)
            .expect("unlocks")
            .load_case(self.id)
            .expect("loads")
    }
}

#[test]
fn a_period_with_extensions_is_saved_and_one_past_a_year_is_refused() {
    let opened = Opened::new();
    let w = opened.app.window();
    let adapter = w.global::<CaseAdapter<'_>>();
    tab(w, "自立支援プログラム");

    type_into(w, "プログラム 1：開始日", "2026-04-01");
    type_into(w, "プログラム 1：終了予定日", "2026-09-30");
    pause();
    press(w, "延長を追加");
    type_into(w, "延長 1：延長後の終了日", "2026-12-31");
    type_into(w, "延長 1：延長の理由", "面接練習を続ける");
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Saved);
    let period = opened.stored().programmes[0].period.clone();
    assert_eq!(period.start, Some(date!(2026 - 04 - 01)));
    assert_eq!(period.planned_end, Some(date!(2026 - 09 - 30)));
    assert_eq!(period.extensions.len(), 1);
    assert_eq!(period.extensions[0].reason.expose(), "面接練習を続ける");
    assert_eq!(period.end(), Some(date!(2026 - 12 - 31)));

    // A second extension to 1 April 2027: a day past a year from the
    // start. Refused, with the rule said in words; nothing of it saved.
    press(w, "延長を追加");
    type_into(w, "延長 2：延長後の終了日", "2027-04-01");
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Failed);
    assert_eq!(adapter.get_problem(), Problem::Inconsistent);
    let detail = adapter.get_problem_detail();
    assert!(
        detail.contains("延長を含めて開始日から12か月までです"),
        "{detail}"
    );
    assert_eq!(
        opened.stored().programmes[0].period.end(),
        Some(date!(2026 - 12 - 31)),
        "the refused end was not saved"
    );

    // 31 March 2027 is the last day of the year: saved.
    type_into(w, "延長 2：延長後の終了日", "2027-03-31");
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Saved);
    assert_eq!(adapter.get_problem(), Problem::None, "the message went");
    let period = opened.stored().programmes[0].period.clone();
    assert_eq!(period.extensions.len(), 2);
    assert_eq!(period.end(), Some(date!(2027 - 03 - 31)));

    // An extension that ends before the one it extends is refused too.
    type_into(w, "延長 2：延長後の終了日", "2026-11-30");
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Failed);
    let detail = adapter.get_problem_detail();
    assert!(
        detail.contains("「延長後の終了日」は、延長する前の終了日より後の日付にしてください。"),
        "{detail}"
    );
    type_into(w, "延長 2：延長後の終了日", "2027-03-31");
    pause();
    assert_eq!(adapter.get_save_state(), SaveState::Saved);

    // The goals met: a review ends the programme with 目標達成.
    press(w, "評価を追加");
    type_into(w, "評価 1：評価日", "2027-03-15");
    choose(w, "評価 1：結果", "目標達成");
    pause();
    let stored = opened.stored();
    assert_eq!(
        stored.programmes[0].current_outcome(),
        Some(ProgrammeOutcome::GoalsMet)
    );
    assert!(!stored.programmes[0].is_running());
    // Shown again as typed after leaving the tab and coming back.
    tab(w, "基本情報");
    tab(w, "自立支援プログラム");
    assert_eq!(value_of(w, "プログラム 1：開始日"), "2026-04-01");
    assert_eq!(value_of(w, "延長 2：延長後の終了日"), "2027-03-31");
}

#[test]
fn cv_writing_and_interview_practice_are_recorded_as_consultations_of_their_own() {
    let opened = Opened::new();
    let w = opened.app.window();
    let adapter = w.global::<CaseAdapter<'_>>();
    tab(w, "相談経過");

    // The chips list every kind of the model, in its order.
    let chips: Vec<String> = adapter
        .get_consultation_kinds_1()
        .iter()
        .chain(adapter.get_consultation_kinds_2().iter())
        .map(|s| s.to_string())
        .collect();
    let kinds: Vec<String> = ConsultationKind::ALL
        .iter()
        .map(|k| k.label_ja().to_owned())
        .collect();
    assert_eq!(chips, kinds);

    type_into(w, "相談日", "2026-05-12");
    press(w, "履歴書作成支援");
    type_into(w, "相談の内容", "職務経歴書の下書きを一緒に直した");
    press(w, "記録を追加");
    type_into(w, "相談日", "2026-05-19");
    press(w, "面接練習");
    type_into(w, "相談の内容", "志望動機の受け答えを練習した");
    press(w, "記録を追加");
    pause();

    let stored = opened.stored();
    let mut kinds: Vec<(String, ConsultationKind)> = stored
        .consultations
        .iter()
        .map(|c| (c.date.map(|d| d.to_string()).unwrap_or_default(), c.kind))
        .collect();
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        kinds,
        [
            ("2026-05-12".to_owned(), ConsultationKind::CvWriting),
            ("2026-05-19".to_owned(), ConsultationKind::InterviewPractice),
        ]
    );
    // The record's kind picker names it too.
    assert_eq!(
        one(w, "記録 1：種別", AccessibleRole::Combobox)
            .accessible_value()
            .as_deref(),
        Some("面接練習"),
        "newest first"
    );
}
