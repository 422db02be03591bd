//! The wait after wrong passwords at the login screen.

use std::time::Duration;

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
pub(super) fn seconds_to_show(wait: Duration) -> i32 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    i32::try_from(secs).unwrap_or(i32::MAX)
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
