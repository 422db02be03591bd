//! Throttling password guesses per login name (ログインの試行制限).
//!
//! After [`MAX_FAILURES`] failed logins for one name within
//! [`FAILURE_WINDOW`], that name is refused for [`LOCK_FOR`], whatever
//! the password, and the page says so in words. The count is kept in the
//! database ([`crate::storage::AccountStore::login_throttle`]), so a
//! restart does not reset it. A name with no account is counted the same
//! way, so the answers do not tell which names exist. A successful login
//! clears the count.
//!
//! An attempt is counted as a failure **before** its password is checked,
//! and the count is cleared if it turns out right: two attempts at once
//! cannot both slip past the last allowed failure.

use time::Duration;

/// Failures allowed in [`FAILURE_WINDOW`] before the name is refused.
pub const MAX_FAILURES: u32 = 5;

/// The window the failures are counted in: 15 minutes.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);

/// How long a name is refused after too many failures: 15 minutes.
pub const LOCK_FOR: Duration = Duration::minutes(15);

/// The failed logins of one name, as the database keeps them (Unix
/// seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// Failures since `window_started_at`.
    pub failures: u32,
    /// When the first of those failures came.
    pub window_started_at: i64,
    /// Until when the name is refused, once it has failed too often.
    pub locked_until: Option<i64>,
}

impl Throttle {
    /// Whether the name is refused at `now`.
    pub fn locked(state: Option<&Self>, now: i64) -> bool {
        state
            .and_then(|t| t.locked_until)
            .is_some_and(|until| now < until)
    }

    /// The state after one more failure at `now`: a new window if the last
    /// one is over, and refused for [`LOCK_FOR`] on reaching
    /// [`MAX_FAILURES`].
    pub fn after_failure(state: Option<Self>, now: i64) -> Self {
        let mut next = match state {
            Some(t)
                if now - t.window_started_at < FAILURE_WINDOW.whole_seconds()
                    && t.locked_until.is_none_or(|until| until > now) =>
            {
                t
            }
            _ => Self {
                failures: 0,
                window_started_at: now,
                locked_until: None,
            },
        };
        next.failures += 1;
        if next.failures >= MAX_FAILURES {
            next.locked_until = Some(now + LOCK_FOR.whole_seconds());
        }
        next
    }

    /// Before this time (Unix seconds) a stored state no longer matters at
    /// `now`: its window and any lock are over.
    pub fn forgotten_before(now: i64) -> i64 {
        now - FAILURE_WINDOW.whole_seconds().max(LOCK_FOR.whole_seconds())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    #[test]
    fn the_fifth_failure_in_fifteen_minutes_locks_the_name_for_fifteen_minutes() {
        let mut state = None;
        for i in 0..4 {
            state = Some(Throttle::after_failure(state, T0 + i * 60));
            assert!(!Throttle::locked(state.as_ref(), T0 + i * 60 + 1));
        }
        let fifth = T0 + 14 * 60;
        state = Some(Throttle::after_failure(state, fifth));
        assert!(Throttle::locked(state.as_ref(), fifth + 1));
        assert!(Throttle::locked(state.as_ref(), fifth + 15 * 60 - 1));
        assert!(!Throttle::locked(state.as_ref(), fifth + 15 * 60));
        // After the lock, counting starts again.
        let again = Throttle::after_failure(state, fifth + 15 * 60);
        assert_eq!(again.failures, 1);
        assert!(!Throttle::locked(Some(&again), fifth + 15 * 60 + 1));
    }

    #[test]
    fn failures_further_apart_than_the_window_do_not_add_up() {
        let mut state = None;
        for i in 0..10 {
            state = Some(Throttle::after_failure(state, T0 + i * 16 * 60));
            assert!(!Throttle::locked(state.as_ref(), T0 + i * 16 * 60 + 1));
        }
    }
}
