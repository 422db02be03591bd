//! The companion's window (Slint, `ui/companion/`): login; the received
//! cases with their five documents (preview, print, save as PDF); what
//! falls due across them; pairing tablets; the programme figures; progress
//! data for the research centre (preview, send, outbox) and the centre's
//! board, opened in the browser; the office's accounts.
//! While logged in it receives from paired tablets: the link server runs on
//! its own thread with its own connection to the store and tells the window
//! what arrived.
//!
//! Threads: the window and its models live on the UI thread. Store work runs
//! as jobs on one worker thread, in order; printing and page previews run on
//! threads of their own; results come back through the event loop
//! ([`Background`]). Locking drops every case value from the window, stops
//! the link server and closes the store.

mod accounts;
mod documents;
mod due;
mod pairing;
pub mod preview;
mod printers;
mod programme;
pub mod qr;
mod research;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use slint::{ComponentHandle, SharedString};
use tokio::sync::oneshot;
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::{self, Keychain, Store, StoreError};

use crate::board::Launcher;
use crate::print::CupsServer;
use ui::{DeskAdapter, DeskLoginAdapter, DeskScreen, DeskWindow};

/// The code generated from `ui/companion/main.slint`.
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::todo,
    clippy::unwrap_used,
    unused_qualifications
)]
pub mod ui {
    slint::include_modules!();
}

/// Where slow work runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Background {
    /// On worker threads, results delivered through the event loop.
    #[default]
    Threads,
    /// On the calling (UI) thread before the call returns: for UI tests on
    /// the headless backend, which has no event loop.
    Inline,
}

/// How to build the window.
pub struct Options {
    /// The companion's data folder.
    pub dir: PathBuf,
    /// Where the device secret is kept.
    pub keychain: Arc<dyn Keychain>,
    /// Where slow work runs.
    pub background: Background,
    /// Where the link server listens; `None` runs no server (tests of the
    /// documents alone).
    pub listen: Option<SocketAddr>,
    /// The CUPS server that prints ([`CupsServer::from_env`] in the app).
    pub cups: CupsServer,
    /// The offset in which times are shown ([`local_offset`] in the app).
    pub utc_offset: time::UtcOffset,
    /// Opens the research centre's board in a browser
    /// ([`SystemBrowser`](crate::board::SystemBrowser) in the app).
    pub launcher: Arc<dyn Launcher>,
}

/// This machine's offset from UTC, else Japan's. Read it before any thread
/// starts: afterwards the `time` crate refuses to read it.
pub fn local_offset() -> time::UtcOffset {
    time::UtcOffset::current_local_offset().unwrap_or(time::macros::offset!(+9))
}

type Job = Box<dyn FnOnce() + Send>;

/// What the panels share. Lives as long as the window.
pub(crate) struct Desk {
    dir: PathBuf,
    keychain: Arc<dyn Keychain>,
    background: Background,
    listen: Option<SocketAddr>,
    cups: CupsServer,
    utc_offset: time::UtcOffset,
    launcher: Arc<dyn Launcher>,
    store: Mutex<Option<Store>>,
    /// Bumped on every lock: results asked for before it are dropped.
    epoch: AtomicU64,
    jobs: Option<Sender<Job>>,
    /// The running link server's endpoint, to close on lock.
    server: Mutex<Option<quinn::Endpoint>>,
    /// The running link server's thread, to wait for when the store must
    /// be alone (see `accounts`).
    server_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// CUPS's printer names, in the order both panels list them.
    printers: Mutex<Vec<String>>,
}

impl Desk {
    fn new(options: Options) -> std::io::Result<Self> {
        let jobs = match options.background {
            Background::Inline => None,
            Background::Threads => {
                let (tx, rx) = mpsc::channel::<Job>();
                std::thread::Builder::new()
                    .name("tsunagi-store".into())
                    .spawn(move || {
                        for job in rx {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                    })?;
                Some(tx)
            }
        };
        Ok(Self {
            dir: options.dir,
            keychain: options.keychain,
            background: options.background,
            listen: options.listen,
            cups: options.cups,
            utc_offset: options.utc_offset,
            launcher: options.launcher,
            store: Mutex::new(None),
            epoch: AtomicU64::new(0),
            jobs,
            server: Mutex::new(None),
            server_thread: Mutex::new(None),
            printers: Mutex::new(Vec::new()),
        })
    }

    /// The current lock epoch.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Runs `job` on the open store in the background (in order with every
    /// other store job), then `done` with its result on the UI thread; the
    /// result is `None` when the window is locked. Dropped if the window
    /// was locked meanwhile. The result comes back through a channel to a
    /// task on the UI thread's event loop, so `done` may hold UI-thread
    /// values (it need not be `Send`).
    pub(crate) fn with_store<R: Send + 'static>(
        self: &Arc<Self>,
        window: &DeskWindow,
        job: impl FnOnce(&mut Store) -> R + Send + 'static,
        done: impl FnOnce(&Arc<Desk>, &DeskWindow, Option<R>) + 'static,
    ) {
        let epoch = self.epoch();
        let run = move |desk: &Arc<Desk>| {
            let mut slot = desk.store.lock().unwrap_or_else(PoisonError::into_inner);
            slot.as_mut().map(job)
        };
        let Some(jobs) = &self.jobs else {
            let result = run(self);
            if self.epoch() == epoch {
                done(self, window, result);
            }
            return;
        };
        let (tx, rx) = oneshot::channel();
        let desk = Arc::clone(self);
        let _ = jobs.send(Box::new(move || {
            let _ = tx.send(run(&desk));
        }));
        self.deliver(window, epoch, rx, done);
    }

    /// Runs `work` on a thread of its own (printing, previews), then `done`
    /// on the UI thread. As with [`Desk::with_store`], `done` runs in a task
    /// on the UI thread's event loop and need not be `Send`.
    pub(crate) fn spawn<R: Send + 'static>(
        self: &Arc<Self>,
        window: &DeskWindow,
        work: impl FnOnce() -> R + Send + 'static,
        done: impl FnOnce(&Arc<Desk>, &DeskWindow, R) + 'static,
    ) {
        let epoch = self.epoch();
        if self.background == Background::Inline {
            let result = work();
            done(self, window, result);
            return;
        }
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(work());
        });
        self.deliver(window, epoch, rx, done);
    }

    /// Awaits `result` in a task on the UI thread, then calls `done` unless
    /// the window is gone or was locked since `epoch`. A result whose
    /// sender was dropped (the work panicked) calls nothing.
    fn deliver<R: 'static>(
        self: &Arc<Self>,
        window: &DeskWindow,
        epoch: u64,
        result: oneshot::Receiver<R>,
        done: impl FnOnce(&Arc<Desk>, &DeskWindow, R) + 'static,
    ) {
        let (desk, weak) = (Arc::clone(self), window.as_weak());
        // An error means no event loop will run the task: nobody is left to
        // tell, so the result is dropped.
        let _ = slint::spawn_local(async move {
            let Ok(result) = result.await else { return };
            let Some(window) = weak.upgrade() else { return };
            if desk.epoch() == epoch {
                done(&desk, &window, result);
            }
        });
    }
}

/// Builds the window on `options`, wired and showing the login. For the
/// app's `main` ([`run`]) and for UI tests.
pub fn build(options: Options) -> anyhow::Result<DeskWindow> {
    let window = DeskWindow::new()?;
    let exists = store::exists(&options.dir);
    let desk = Arc::new(Desk::new(options)?);
    window
        .global::<DeskLoginAdapter<'_>>()
        .set_no_store(!exists);
    let panels = Panels {
        documents: documents::wire(&window, &desk),
        programme: programme::wire(&window, &desk),
    };
    pairing::wire(&window, &desk);
    research::wire(&window, &desk);
    due::wire(&window, &desk);
    let docs = Rc::clone(&panels.documents);
    let link = accounts::Link {
        pause: Rc::new(|desk: &Arc<Desk>| pairing::pause_server(desk)),
        resume: Rc::new(move |desk: &Arc<Desk>, window: &DeskWindow| {
            pairing::start_server(desk, window, &docs);
        }),
    };
    accounts::wire(&window, &desk, &link);
    wire(&window, &desk, &panels);
    Ok(window)
}

/// Opens the window and runs until it is closed.
pub fn run(options: Options) -> anyhow::Result<()> {
    let window = build(options)?;
    window.run()?;
    // Closing the window locks: the link server stops, the store closes.
    window.global::<DeskAdapter<'_>>().invoke_lock();
    Ok(())
}

/// The panels that hold state between callbacks (UI thread only), shared
/// by the window's callbacks.
#[derive(Clone)]
struct Panels {
    documents: Rc<documents::Documents>,
    programme: Rc<programme::Programme>,
}

fn wire(window: &DeskWindow, desk: &Arc<Desk>, panels: &Panels) {
    let login = window.global::<DeskLoginAdapter<'_>>();
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), panels.clone());
    login.on_log_in(move |user, password| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DeskLoginAdapter<'_>>();
        if adapter.get_busy() {
            return;
        }
        adapter.set_busy(true);
        adapter.set_error(SharedString::new());
        let (dir, keychain) = (d.dir.clone(), Arc::clone(&d.keychain));
        let (user, password) = (
            user.to_string(),
            zeroize::Zeroizing::new(password.to_string()),
        );
        let p = p.clone();
        d.spawn(
            &window,
            move || Store::unlock(&dir, keychain, &user, &password).map(|s| (s, user)),
            move |desk, window, opened| {
                let adapter = window.global::<DeskLoginAdapter<'_>>();
                adapter.set_busy(false);
                match opened {
                    Ok((store, user)) => {
                        adapter.set_password(SharedString::new());
                        *desk.store.lock().unwrap_or_else(PoisonError::into_inner) = Some(store);
                        window.global::<DeskAdapter<'_>>().set_account(user.into());
                        window.set_screen(DeskScreen::Cases);
                        pairing::start_server(desk, window, &p.documents);
                        documents::refresh(&p.documents, desk, window);
                    }
                    Err(e) => adapter.set_error(login_error(&e).into()),
                }
            },
        );
    });

    let desk_adapter = window.global::<DeskAdapter<'_>>();
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), panels.clone());
    desk_adapter.on_lock(move || {
        if let Some(window) = weak.upgrade() {
            lock(&d, &p, &window);
        }
    });
    let (weak, d, p) = (window.as_weak(), Arc::clone(desk), panels.clone());
    desk_adapter.on_show(move |screen| {
        let Some(window) = weak.upgrade() else { return };
        window.set_screen(screen);
        match screen {
            DeskScreen::Cases => documents::refresh(&p.documents, &d, &window),
            DeskScreen::Pairing => pairing::refresh(&d, &window),
            DeskScreen::Programme => programme::refresh(&p.programme, &d, &window),
            DeskScreen::Research => research::refresh(&d, &window),
            DeskScreen::Due => due::refresh(&d, &window),
            DeskScreen::Accounts => accounts::refresh(&d, &window),
            DeskScreen::Login => {}
        }
    });
}

/// A time in `offset`, to the minute.
pub(super) fn local_time(at: Timestamp, offset: time::UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The day of a time in `offset`: `2026-11-25`.
pub(super) fn local_day(at: Timestamp, offset: time::UtcOffset) -> String {
    let t = at.to_offset(offset);
    format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// A login failure in words.
fn login_error(e: &StoreError) -> String {
    match e {
        StoreError::WrongPassword => {
            "ユーザー名またはパスワードが違います (wrong user name or password)".to_owned()
        }
        other => other.to_string(),
    }
}

/// Locks: every case value leaves the window, the link server stops and
/// the store closes.
fn lock(desk: &Arc<Desk>, panels: &Panels, window: &DeskWindow) {
    desk.epoch.fetch_add(1, Ordering::SeqCst);
    pairing::stop_server(desk);
    documents::clear(&panels.documents, window);
    pairing::clear(window);
    programme::clear(&panels.programme, window);
    research::clear(window);
    due::clear(window);
    accounts::clear(window);
    window
        .global::<DeskAdapter<'_>>()
        .set_account(SharedString::new());
    window.set_screen(DeskScreen::Login);
    let store = desk
        .store
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    drop(store);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrival_times_show_in_the_office_offset_to_the_minute() {
        let jst = time::macros::offset!(+9);
        let at = |text| Timestamp::parse(text).expect("a time");
        assert_eq!(
            local_time(at("2026-11-25T10:42:31Z"), jst),
            "2026-11-25 19:42"
        );
        assert_eq!(
            local_time(at("2026-11-25T20:05:00Z"), jst),
            "2026-11-26 05:05"
        );
        assert_eq!(local_day(at("2026-11-25T20:05:00Z"), jst), "2026-11-26");
    }
}
