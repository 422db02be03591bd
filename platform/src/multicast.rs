//! Keeping Wi-Fi multicast on while someone needs it.
//!
//! Android's Wi-Fi driver drops multicast packets addressed to an app unless
//! the app holds a `WifiManager.MulticastLock`, which costs battery: it is
//! held only while mDNS discovery runs. [`MulticastLock`] counts the holders
//! so that overlapping lookups share one system lock, turned on by the first
//! and off after the last.

use std::sync::{Mutex, PoisonError};

use crate::PlatformError;

/// The system's multicast switch for this app. [`MulticastLock`] calls it
/// with its own mutex held, so calls never overlap, `turn_on` only when it
/// is off and `turn_off` only after a `turn_on` that succeeded.
pub trait MulticastSwitch: Send + Sync {
    /// Starts letting multicast packets through to this app.
    fn turn_on(&self) -> Result<(), PlatformError>;
    /// Stops it. Cannot fail in a way the caller could act on: a failure is
    /// the system's to log.
    fn turn_off(&self);
}

/// A count of the holders of one [`MulticastSwitch`].
pub struct MulticastLock {
    switch: Box<dyn MulticastSwitch>,
    holders: Mutex<usize>,
}

impl MulticastLock {
    /// A lock over `switch`, held by no one.
    pub fn new(switch: impl MulticastSwitch + 'static) -> Self {
        Self {
            switch: Box::new(switch),
            holders: Mutex::new(0),
        }
    }

    /// Keeps multicast on until the guard is dropped. The first holder
    /// turns the switch on (a call into the system: on Android, JNI on the
    /// calling thread); dropping the last guard turns it off. When the
    /// switch cannot be turned on, nothing is held and the next call tries
    /// again.
    pub fn acquire(&self) -> Result<MulticastGuard<'_>, PlatformError> {
        let mut holders = self.holders.lock().unwrap_or_else(PoisonError::into_inner);
        if *holders == 0 {
            self.switch.turn_on()?;
        }
        *holders += 1;
        Ok(MulticastGuard { lock: self })
    }

    /// How many guards are held now.
    pub fn holders(&self) -> usize {
        *self.holders.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MulticastLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MulticastLock")
            .field("holders", &self.holders())
            .finish_non_exhaustive()
    }
}

/// One holder of a [`MulticastLock`]. Dropping it lets go; the last one
/// dropped turns multicast off (on the dropping thread).
#[derive(Debug)]
#[must_use = "multicast stays on only while the guard is held"]
pub struct MulticastGuard<'a> {
    lock: &'a MulticastLock,
}

impl Drop for MulticastGuard<'_> {
    fn drop(&mut self) {
        let mut holders = self
            .lock
            .holders
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *holders = holders.saturating_sub(1);
        if *holders == 0 {
            self.lock.switch.turn_off();
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;

    /// A switch that counts how often it was turned on and off, and whether
    /// it is on; it refuses to turn on while `broken` is set.
    #[derive(Clone, Default)]
    pub(crate) struct CountingSwitch {
        pub(crate) ons: Arc<AtomicUsize>,
        pub(crate) offs: Arc<AtomicUsize>,
        pub(crate) on: Arc<AtomicBool>,
        pub(crate) broken: Arc<AtomicBool>,
    }

    impl MulticastSwitch for CountingSwitch {
        fn turn_on(&self) -> Result<(), PlatformError> {
            if self.broken.load(Ordering::SeqCst) {
                return Err(PlatformError::System {
                    call: "WifiManager.MulticastLock.acquire",
                    reason: "no Wi-Fi".into(),
                });
            }
            assert!(!self.on.swap(true, Ordering::SeqCst), "turned on twice");
            self.ons.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }

        fn turn_off(&self) {
            assert!(
                self.on.swap(false, Ordering::SeqCst),
                "turned off while off"
            );
            self.offs.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn multicast_is_on_while_a_guard_is_held_and_off_after() {
        let switch = CountingSwitch::default();
        let lock = MulticastLock::new(switch.clone());
        assert!(!switch.on.load(Ordering::SeqCst));
        let guard = lock.acquire().expect("on");
        assert!(switch.on.load(Ordering::SeqCst));
        assert_eq!(lock.holders(), 1);
        drop(guard);
        assert!(!switch.on.load(Ordering::SeqCst));
        assert_eq!(lock.holders(), 0);
        assert_eq!(switch.offs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn overlapping_holders_share_one_system_lock_released_after_the_last() {
        let switch = CountingSwitch::default();
        let lock = MulticastLock::new(switch.clone());
        let first = lock.acquire().expect("on");
        let second = lock.acquire().expect("still on");
        assert_eq!(switch.ons.load(Ordering::SeqCst), 1);
        drop(first);
        assert!(
            switch.on.load(Ordering::SeqCst),
            "the second holder still needs it"
        );
        assert_eq!(switch.offs.load(Ordering::SeqCst), 0);
        drop(second);
        assert!(!switch.on.load(Ordering::SeqCst));
        assert_eq!(switch.offs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn each_new_lookup_after_a_release_turns_multicast_on_again() {
        let switch = CountingSwitch::default();
        let lock = MulticastLock::new(switch.clone());
        drop(lock.acquire().expect("on"));
        drop(lock.acquire().expect("on again"));
        assert_eq!(switch.ons.load(Ordering::SeqCst), 2);
        assert_eq!(switch.offs.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_switch_that_fails_holds_nothing_and_is_tried_again_next_time() {
        let switch = CountingSwitch::default();
        let lock = MulticastLock::new(switch.clone());
        switch.broken.store(true, Ordering::SeqCst);
        let error = lock.acquire().expect_err("refused");
        assert!(error.to_string().contains("MulticastLock"), "{error}");
        assert_eq!(lock.holders(), 0);
        assert_eq!(
            switch.offs.load(Ordering::SeqCst),
            0,
            "never turned off what never turned on"
        );
        switch.broken.store(false, Ordering::SeqCst);
        let _guard = lock.acquire().expect("works now");
        assert!(switch.on.load(Ordering::SeqCst));
    }

    #[test]
    fn holders_on_many_threads_leave_multicast_off_when_all_are_done() {
        let switch = CountingSwitch::default();
        let lock = Arc::new(MulticastLock::new(switch.clone()));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let lock = Arc::clone(&lock);
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        let _guard = lock.acquire().expect("on");
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("no thread panicked");
        }
        assert_eq!(lock.holders(), 0);
        assert!(!switch.on.load(Ordering::SeqCst));
        assert_eq!(
            switch.ons.load(Ordering::SeqCst),
            switch.offs.load(Ordering::SeqCst)
        );
    }
}
