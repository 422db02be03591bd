//! The state the screens share and where slow work runs. How one screen
//! asks for another, and locking, are the router's (`router.rs`).
//!
//! The open [`Store`] is not `Sync`; it sits in a `Mutex` and is used only by
//! jobs, which run one at a time, in the order asked, on one worker thread
//! ("tsunagi-store"). A job's result comes back to the UI thread through a
//! one-shot channel awaited on the event loop (`slint::spawn_local`), so
//! what handles it may hold the UI thread's own state. UI tests run jobs
//! inline instead ([`Background::Inline`]), because the headless test
//! backend has no event loop to come back to.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use slint::ComponentHandle;
use time::UtcOffset;
use tsunagi_core::store::{Keychain, Store, StoreError, StoreOptions};

use super::case_query::CaseListController;
use super::library::Library;
use super::throttle::LoginThrottle;
use super::ui::AppWindow;
use crate::av::Source;

/// How long the screens wait after the last keystroke before saving.
pub const SAVE_PAUSE: std::time::Duration = std::time::Duration::from_millis(400);

/// Where the store's work runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Background {
    /// On the worker thread, results delivered through the event loop. The
    /// app uses this: the UI never waits for Argon2 or the disk.
    #[default]
    WorkerThread,
    /// On the calling (UI) thread, before the call returns. For UI tests
    /// with `i_slint_backend_testing::init_no_event_loop`, which has no event
    /// loop to deliver results.
    Inline,
}

type Job = Box<dyn FnOnce() + Send>;

/// What the screens share. Lives as long as the window.
pub(super) struct Session {
    dir: PathBuf,
    keychain: Arc<dyn Keychain>,
    store_options: StoreOptions,
    utc_offset: UtcOffset,
    store: Mutex<Option<Store>>,
    throttle: Mutex<LoginThrottle>,
    cases: Mutex<CaseListController>,
    library: Library,
    camera: Source,
    /// Bumped on every lock: results of jobs asked for before a lock are
    /// dropped, so no case data reaches a locked screen.
    epoch: AtomicU64,
    /// Bumped on every case-list query: a query overtaken by a newer one
    /// (typing fast) is skipped.
    query: AtomicU64,
    jobs: Option<Sender<Job>>,
}

impl Session {
    pub(super) fn new(
        dir: PathBuf,
        keychain: Arc<dyn Keychain>,
        store_options: StoreOptions,
        utc_offset: UtcOffset,
        background: Background,
        camera: Source,
    ) -> std::io::Result<Self> {
        let jobs = match background {
            Background::Inline => None,
            Background::WorkerThread => {
                let (tx, rx) = mpsc::channel::<Job>();
                std::thread::Builder::new()
                    .name("tsunagi-store".into())
                    .spawn(move || {
                        for job in rx {
                            // A failing job must not take the worker (and every
                            // later job) with it; its result is simply lost.
                            let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                        }
                    })?;
                Some(tx)
            }
        };
        Ok(Self {
            dir,
            keychain,
            store_options,
            utc_offset,
            store: Mutex::new(None),
            throttle: Mutex::new(LoginThrottle::default()),
            cases: Mutex::new(CaseListController::new(utc_offset)),
            library: Library::default(),
            camera,
            epoch: AtomicU64::new(0),
            query: AtomicU64::new(0),
            jobs,
        })
    }

    /// The data folder.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The keychain holding the device secret.
    pub(super) fn keychain(&self) -> Arc<dyn Keychain> {
        Arc::clone(&self.keychain)
    }

    /// Argon2 and other settings for a new store.
    pub(super) fn store_options(&self) -> StoreOptions {
        self.store_options
    }

    /// The offset in which times are shown.
    pub(super) fn utc_offset(&self) -> UtcOffset {
        self.utc_offset
    }

    /// The login throttle.
    pub(super) fn throttle(&self) -> MutexGuard<'_, LoginThrottle> {
        self.throttle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The case list's query.
    pub(super) fn cases(&self) -> MutexGuard<'_, CaseListController> {
        self.cases.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The reference database the screens share.
    pub(super) fn library(&self) -> &Library {
        &self.library
    }

    /// Where photos and clips come from.
    pub(super) fn camera(&self) -> Source {
        self.camera.clone()
    }

    /// Keeps `store` as the open store. Call from a job.
    pub(super) fn open(&self, store: Store) {
        *self.store.lock().unwrap_or_else(PoisonError::into_inner) = Some(store);
    }

    /// Runs `f` on the open store; `None` when the app is locked.
    pub(super) fn with_store<R>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, StoreError>,
    ) -> Option<Result<R, StoreError>> {
        let mut slot = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        slot.as_mut().map(f)
    }

    /// Closes the store (waits for a running job). Call from a job or at exit.
    pub(super) fn close(&self) {
        let store = self
            .store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(store);
    }

    /// The current lock epoch; see [`Session::invalidate`].
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Makes every result of a job asked for until now stale.
    pub(super) fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Starts a new case-list query and returns its number.
    pub(super) fn next_query(&self) -> u64 {
        self.query.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether `query` is still the newest.
    pub(super) fn is_latest_query(&self, query: u64) -> bool {
        self.query.load(Ordering::SeqCst) == query
    }

    /// Runs `job` in the background, then `done` with its result on the UI
    /// thread, unless the window has closed meanwhile.
    pub(super) fn run<R: Send + 'static>(
        self: &Arc<Self>,
        window: &AppWindow,
        job: impl FnOnce(&Session) -> R + Send + 'static,
        done: impl FnOnce(&Arc<Session>, &AppWindow, R) + 'static,
    ) {
        let Some(jobs) = &self.jobs else {
            let result = job(self);
            done(self, window, result);
            return;
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let session = Arc::clone(self);
        let sent = jobs.send(Box::new(move || {
            // Fails only when the window has closed: nobody is left to tell.
            let _ = tx.send(job(&session));
        }));
        // The worker outlives every sender: it stops only when the session drops.
        debug_assert!(sent.is_ok(), "the store worker has stopped");
        let (session, weak) = (Arc::clone(self), window.as_weak());
        // An error: no event loop is left (the window has closed), so nobody
        // is left to tell either.
        let _ = slint::spawn_local(async move {
            // An error: the job panicked, its result is lost.
            if let Ok(result) = rx.await
                && let Some(window) = weak.upgrade()
            {
                done(&session, &window, result);
            }
        });
    }

    /// Waits (at most `limit`) until the worker has done every job asked so
    /// far. For closing the app, after the event loop has ended.
    pub(super) fn wait_for_jobs(&self, limit: std::time::Duration) {
        let Some(jobs) = &self.jobs else { return };
        let (tx, rx) = mpsc::channel();
        if jobs
            .send(Box::new(move || {
                let _ = tx.send(());
            }))
            .is_ok()
        {
            let _ = rx.recv_timeout(limit);
        }
    }
}
