//! The companion's window with its real threading: the store opens and is
//! read on the worker thread, a document renders on a thread of its own,
//! and every result comes back through the event loop. Logging in does not
//! block the window, and a result asked for before a lock never reaches the
//! locked window.
//!
//! This backend has an event loop, which can be set up once per process:
//! this file holds one test.

mod common;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{PW, RecordingLauncher, demo_store};
use slint::{ComponentHandle, Model, TimerMode};
use tsunagi_companion::print::CupsServer;
use tsunagi_companion::window::ui::{
    DeskAdapter, DeskLoginAdapter, DeskScreen, DeskWindow, DocumentsAdapter,
};
use tsunagi_companion::window::{self, Background, Options};
use tsunagi_core::store::FileKeychain;

/// Runs the event loop until `reached` holds (true) or `limit` passes
/// (false).
fn run_until(
    w: &DeskWindow,
    limit: Duration,
    reached: impl Fn(&DeskWindow) -> bool + 'static,
) -> bool {
    let weak = w.as_weak();
    let start = Instant::now();
    let ok = Rc::new(Cell::new(false));
    let timer = slint::Timer::default();
    let flag = Rc::clone(&ok);
    timer.start(TimerMode::Repeated, Duration::from_millis(10), move || {
        let Some(w) = weak.upgrade() else { return };
        if !flag.get() && reached(&w) {
            flag.set(true);
        }
        if flag.get() || start.elapsed() > limit {
            let _ = slint::quit_event_loop();
        }
    });
    // A quit asked for twice ends the next run at once: run again until
    // the answer is in or the time is up.
    while !ok.get() && start.elapsed() <= limit {
        slint::run_event_loop().expect("the event loop runs");
    }
    ok.get()
}

fn log_in(w: &DeskWindow, password: &str) {
    let login = w.global::<DeskLoginAdapter<'_>>();
    login.invoke_log_in("admin".into(), password.into());
}

#[test]
fn store_work_and_rendering_run_off_the_ui_thread_and_stale_results_never_reach_a_locked_window() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let (dir, store, ids) = demo_store();
    drop(store);
    let w = window::build(Options {
        dir: dir.path().join("data"),
        keychain: Arc::new(FileKeychain::new(dir.path().join("keys"))),
        background: Background::Threads,
        listen: None,
        cups: CupsServer::default(),
        utc_offset: time::UtcOffset::UTC,
        launcher: Arc::new(RecordingLauncher::default()),
    })
    .expect("the window builds");
    w.window().set_size(slint::LogicalSize::new(1280.0, 1600.0));
    w.show().expect("the window shows");

    log_in(&w, PW);
    // The call returned at once: the store opens on another thread.
    assert!(w.global::<DeskLoginAdapter<'_>>().get_busy());
    assert_eq!(w.get_screen(), DeskScreen::Login);
    let count = ids.len();
    assert!(
        run_until(&w, Duration::from_secs(20), move |w| {
            w.get_screen() == DeskScreen::Cases
                && w.global::<DocumentsAdapter<'_>>().get_cases().row_count() == count
        }),
        "the received cases never came"
    );

    // A document renders on a thread of its own and comes back as pages.
    let docs = w.global::<DocumentsAdapter<'_>>();
    docs.invoke_select_case(0);
    docs.invoke_choose_document(0);
    assert!(
        run_until(&w, Duration::from_secs(60), |w| {
            let docs = w.global::<DocumentsAdapter<'_>>();
            docs.get_pages() >= 1 && docs.get_preview().size().height > 500
        }),
        "the document never rendered: {}",
        docs.get_error()
    );

    // Another document and the list are asked for, then the window locks
    // before the answers.
    docs.invoke_choose_document(1);
    w.global::<DeskAdapter<'_>>().invoke_show(DeskScreen::Cases);
    w.global::<DeskAdapter<'_>>().invoke_lock();
    assert_eq!(w.get_screen(), DeskScreen::Login);
    log_in(&w, "まちがい");
    assert!(
        run_until(&w, Duration::from_secs(20), |w| {
            !w.global::<DeskLoginAdapter<'_>>().get_error().is_empty()
        }),
        "a wrong password was never answered"
    );
    // Whatever was still on its way has had time to arrive.
    run_until(&w, Duration::from_millis(500), |_| false);
    let docs = w.global::<DocumentsAdapter<'_>>();
    assert_eq!(
        docs.get_cases().row_count(),
        0,
        "a result asked for before the lock refilled the locked window"
    );
    assert_eq!(docs.get_pages(), 0, "a page stayed in the locked window");
    assert_eq!(w.get_screen(), DeskScreen::Login);
}
