//! The login screen's controller: the growing wait after wrong passwords, and
//! opening the store off the UI thread.

use std::sync::Arc;
use std::time::Duration;

use slint::{ComponentHandle, SharedString};
use tsunagi_core::store::{Role, Store, StoreError};

use super::case_query::{CaseListController, CaseRows};
use super::case_rows::show_case_list;
use super::problem::Report;
use super::router::Router;
use super::session::Session;
use super::throttle::seconds_to_show;
use super::ui::{AppWindow, LoginAdapter};

/// What opening the store gave, carried back to the UI thread.
enum Outcome {
    Opened {
        account: String,
        role: Role,
        workers: Vec<String>,
        rows: Result<CaseRows, StoreError>,
    },
    Refused(StoreError),
}

/// Connects the login screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Router) {
    router.on_lock(clear);
    let adapter = window.global::<LoginAdapter<'_>>();
    let weak = window.as_weak();
    let session = Arc::clone(session);
    adapter.on_log_in(move |user, password| {
        let Some(window) = weak.upgrade() else { return };
        log_in(&session, &window, user.trim(), password);
    });
}

/// Empties the password and the problem at a lock.
fn clear(_: &Arc<Session>, window: &AppWindow) {
    let login = window.global::<LoginAdapter<'_>>();
    login.set_password(SharedString::new());
    login.set_problem(Report::none().problem);
}

fn log_in(session: &Arc<Session>, window: &AppWindow, user: &str, password: SharedString) {
    let adapter = window.global::<LoginAdapter<'_>>();
    if adapter.get_busy() || !session.throttle().may_attempt() {
        return;
    }
    adapter.set_busy(true);
    adapter.set_problem(Report::none().problem);
    // The password leaves the screen at once; the store has it from here.
    adapter.set_password(SharedString::new());
    let user = user.to_owned();
    let cases = CaseListController::new(session.utc_offset());
    session.run(
        window,
        move |session| {
            let mut store =
                match Store::unlock(session.dir(), session.keychain(), &user, password.as_str()) {
                    Ok(store) => store,
                    Err(e) => return Outcome::Refused(e),
                };
            let account = store.account().clone();
            let workers = if account.role == Role::Administrator {
                store
                    .accounts()
                    .map(|a| a.into_iter().map(|a| a.name).collect())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let rows = cases.rows(&mut store);
            session.open(store);
            Outcome::Opened {
                account: account.name,
                role: account.role,
                workers,
                rows,
            }
        },
        move |session, window, outcome| {
            let adapter = window.global::<LoginAdapter<'_>>();
            adapter.set_busy(false);
            match outcome {
                Outcome::Opened {
                    account,
                    role,
                    workers,
                    rows,
                } => {
                    session.throttle().record_success();
                    adapter.set_wait_seconds(0);
                    show_case_list(session, window, &account, role, workers, rows);
                }
                Outcome::Refused(error) => {
                    let report = Report::from(&error);
                    if matches!(error, StoreError::WrongPassword) {
                        let wait = session.throttle().record_failure();
                        adapter.set_wait_seconds(seconds_to_show(wait));
                        count_down(session, window);
                    }
                    adapter.set_problem(report.problem);
                    adapter.set_problem_detail(report.detail.into());
                }
            }
        },
    );
}

/// Ticks the wait down once a second until it is over.
fn count_down(session: &Arc<Session>, window: &AppWindow) {
    if session.throttle().may_attempt() {
        return;
    }
    let weak = window.as_weak();
    let session = Arc::clone(session);
    slint::Timer::single_shot(Duration::from_secs(1), move || {
        let Some(window) = weak.upgrade() else { return };
        let left = session.throttle().elapse(Duration::from_secs(1));
        window
            .global::<LoginAdapter<'_>>()
            .set_wait_seconds(seconds_to_show(left));
        count_down(&session, &window);
    });
}
