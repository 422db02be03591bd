//! The login screen's controller: the growing wait after wrong passwords, and
//! opening the store off the UI thread.

use std::sync::Arc;
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use tsunagi_core::store::{Role, Store, StoreError};

use super::case_list::CaseListController;
use super::problem::Report;
use super::session::Session;
use super::ui::{AppWindow, CaseListAdapter, CaseRow, LoginAdapter, Screen};

/// The wait imposed after wrong passwords (ログイン試行の待ち時間).
///
/// The first wrong password costs nothing (a typo); after that the wait
/// doubles from one second up to [`LoginThrottle::MAX_WAIT`]: 0, 1, 2, 4, 8,
/// 16, 30, 30… seconds. A correct password resets it. The wait lives in
/// memory only: restarting the app resets it, so it slows guessing at the
/// screen, while Argon2 is what makes guessing slow anywhere.
///
/// Time is passed in ([`LoginThrottle::elapse`]), so the throttle is tested
/// without a clock.
#[derive(Clone, Debug, Default)]
pub struct LoginThrottle {
    failures: u32,
    remaining: Duration,
}

impl LoginThrottle {
    /// The longest wait.
    pub const MAX_WAIT: Duration = Duration::from_secs(30);

    /// The wait after `failures` wrong passwords in a row.
    pub fn wait_after(failures: u32) -> Duration {
        match failures {
            0 | 1 => Duration::ZERO,
            n => {
                let doubled = 1u64.checked_shl(n - 2).unwrap_or(u64::MAX);
                Duration::from_secs(doubled).min(Self::MAX_WAIT)
            }
        }
    }

    /// Counts a wrong password and returns the wait before the next attempt.
    pub fn record_failure(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.remaining = Self::wait_after(self.failures);
        self.remaining
    }

    /// A correct password: no more waiting.
    pub fn record_success(&mut self) {
        *self = Self::default();
    }

    /// Lets `by` pass and returns what is left of the wait.
    pub fn elapse(&mut self, by: Duration) -> Duration {
        self.remaining = self.remaining.saturating_sub(by);
        self.remaining
    }

    /// Whether an attempt is allowed now.
    pub fn may_attempt(&self) -> bool {
        self.remaining.is_zero()
    }

    /// What is left of the wait.
    pub fn remaining(&self) -> Duration {
        self.remaining
    }

    /// Wrong passwords in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// Whole seconds to show for a wait, rounded up so that "0" means "now".
fn seconds_to_show(wait: Duration) -> i32 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    i32::try_from(secs).unwrap_or(i32::MAX)
}

/// What opening the store gave, carried back to the UI thread.
enum Outcome {
    Opened {
        account: String,
        role: Role,
        workers: Vec<String>,
        rows: Result<Vec<CaseRow>, StoreError>,
    },
    Refused(StoreError),
}

/// Connects the login screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>) {
    let adapter = window.global::<LoginAdapter<'_>>();
    let weak = window.as_weak();
    let session = Arc::clone(session);
    adapter.on_log_in(move |user, password| {
        let Some(window) = weak.upgrade() else { return };
        log_in(&session, &window, user.trim(), password);
    });
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

/// Fills the case list for a freshly opened store and shows it.
pub(super) fn show_case_list(
    session: &Arc<Session>,
    window: &AppWindow,
    account: &str,
    role: Role,
    workers: Vec<String>,
    rows: Result<Vec<CaseRow>, StoreError>,
) {
    let list = window.global::<CaseListAdapter<'_>>();
    session.cases().reset(workers.clone());
    list.set_account_name(account.into());
    list.set_account_role(super::account_role(role));
    list.set_can_create(role != Role::ReadOnly);
    list.set_workers(ModelRc::new(VecModel::from(
        workers
            .into_iter()
            .map(SharedString::from)
            .collect::<Vec<_>>(),
    )));
    list.set_search_text(SharedString::new());
    list.set_stage_filter(-1);
    list.set_worker_filter(-1);
    super::case_list::show_rows(window, rows);
    window.set_screen(Screen::CaseList);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_wrong_password_costs_no_wait_then_the_wait_doubles() {
        let mut throttle = LoginThrottle::default();
        let waits: Vec<u64> = (0..8)
            .map(|_| throttle.record_failure().as_secs())
            .collect();
        assert_eq!(waits, [0, 1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn the_wait_never_exceeds_thirty_seconds_however_many_failures() {
        assert_eq!(LoginThrottle::wait_after(64), LoginThrottle::MAX_WAIT);
        assert_eq!(LoginThrottle::wait_after(u32::MAX), LoginThrottle::MAX_WAIT);
    }

    #[test]
    fn no_attempt_is_allowed_until_the_wait_has_passed() {
        let mut throttle = LoginThrottle::default();
        throttle.record_failure();
        assert!(throttle.may_attempt(), "one typo must not lock anyone out");
        throttle.record_failure();
        throttle.record_failure();
        assert!(!throttle.may_attempt());
        assert_eq!(
            throttle.elapse(Duration::from_secs(1)),
            Duration::from_secs(1)
        );
        assert!(!throttle.may_attempt());
        throttle.elapse(Duration::from_secs(1));
        assert!(throttle.may_attempt());
    }

    #[test]
    fn a_correct_password_resets_the_wait() {
        let mut throttle = LoginThrottle::default();
        for _ in 0..5 {
            throttle.record_failure();
        }
        throttle.record_success();
        assert!(throttle.may_attempt());
        assert_eq!(throttle.failures(), 0);
        assert_eq!(throttle.record_failure(), Duration::ZERO);
    }

    #[test]
    fn partial_seconds_are_shown_rounded_up() {
        assert_eq!(seconds_to_show(Duration::ZERO), 0);
        assert_eq!(seconds_to_show(Duration::from_millis(1)), 1);
        assert_eq!(seconds_to_show(Duration::from_millis(1500)), 2);
        assert_eq!(seconds_to_show(Duration::from_secs(30)), 30);
    }
}
