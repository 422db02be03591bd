//! The window with the app's real threading: store work on the worker
//! thread, results back through the event loop. Logging in does not block
//! the screen, and a result asked for before the app was locked never reaches
//! the locked screen.
//!
//! This backend has an event loop, which can be set up once per process:
//! this file holds one test.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::{ComponentHandle, Model, TimerMode};
use tsunagi_app::window::ui::{AppWindow, CaseListAdapter, LoginAdapter, Problem, Screen};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::model::demo_cases;
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";

fn one(window: &AppWindow, label: &str, role: AccessibleRole) -> ElementHandle {
    let mut found: Vec<_> = ElementHandle::find_by_accessible_label(window, label)
        .filter(|e| e.accessible_role() == Some(role))
        .collect();
    assert_eq!(found.len(), 1, "expected one {role:?} labelled {label:?}");
    found.pop().expect("one element")
}

/// Runs the event loop until `reached` holds (true) or 20 s pass (false).
fn run_until(window: &AppWindow, reached: impl Fn(&AppWindow) -> bool + 'static) -> bool {
    let weak = window.as_weak();
    let start = Instant::now();
    let ok = Rc::new(Cell::new(false));
    let timer = slint::Timer::default();
    let flag = Rc::clone(&ok);
    timer.start(TimerMode::Repeated, Duration::from_millis(10), move || {
        let Some(window) = weak.upgrade() else { return };
        if reached(&window) {
            flag.set(true);
            let _ = slint::quit_event_loop();
        } else if start.elapsed() > Duration::from_secs(20) {
            let _ = slint::quit_event_loop();
        }
    });
    slint::run_event_loop().expect("the event loop runs");
    ok.get()
}

#[test]
fn store_work_runs_off_the_ui_thread_and_stale_results_never_reach_a_locked_screen() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let fast = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    let (mut store, _code) =
        Store::create(&data, Arc::clone(&keychain), "admin", PASSWORD, fast).expect("store");
    for case in demo_cases() {
        store.create_case(&case).expect("demo case");
    }
    drop(store);

    let options = Options {
        background: Background::WorkerThread,
        ..Options::new(keychain)
    };
    let app = window::build(data, options).expect("the window builds");
    let w = app.window();
    w.show().expect("the window shows");
    assert_eq!(w.get_screen(), Screen::Login);

    one(w, "ユーザー名", AccessibleRole::TextInput).set_accessible_value("admin");
    one(w, "パスワード", AccessibleRole::TextInput).set_accessible_value(PASSWORD);
    one(w, "ログイン", AccessibleRole::Button).invoke_accessible_default_action();
    // The press returned at once: the store opens on the worker thread.
    assert!(
        w.global::<LoginAdapter<'_>>().get_busy(),
        "the screen shows that it is working"
    );
    assert_eq!(w.get_screen(), Screen::Login);
    assert!(
        run_until(w, |w| w.get_screen() == Screen::CaseList),
        "the case list never came"
    );
    assert_eq!(w.global::<CaseListAdapter<'_>>().get_cases().row_count(), 4);

    // A search is asked for, then the app is locked before its answer comes.
    one(w, "ケースを検索", AccessibleRole::TextInput).set_accessible_value("さくら");
    one(w, "ロック", AccessibleRole::Button).invoke_accessible_default_action();
    assert_eq!(w.get_screen(), Screen::Login);
    // Jobs run in order: once this wrong password's answer is back, the
    // search's answer has been delivered too.
    one(w, "ユーザー名", AccessibleRole::TextInput).set_accessible_value("admin");
    one(w, "パスワード", AccessibleRole::TextInput).set_accessible_value("まちがい");
    one(w, "ログイン", AccessibleRole::Button).invoke_accessible_default_action();
    assert!(run_until(w, |w| w
        .global::<LoginAdapter<'_>>()
        .get_problem()
        == Problem::WrongPassword));
    let list = w.global::<CaseListAdapter<'_>>();
    assert_eq!(
        list.get_cases().row_count(),
        0,
        "a stale search result refilled the locked list"
    );
    assert!(list.get_account_name().is_empty());
    assert_eq!(w.get_screen(), Screen::Login);
}
