//! The app window (Slint): first-run set-up, login and the case list, in
//! Japanese first. The `.slint` sources are in `ui/app/` (one screen a file,
//! each with its `…Adapter` global); this module holds their controllers.
//!
//! Threads: the window, its models and every controller callback live on the
//! UI thread. The store is opened, read and written by jobs on one worker
//! thread, in order ([`Background`]); results come back through the event
//! loop. Locking drops every case value from the screen at once and closes
//! the store behind it.
//!
//! Not yet here: the case screen (`CaseListAdapter.open-case` has no handler
//! until it exists), recovery with the recovery code (the CLI's `recover`
//! does it). Locking after inactivity, the administration screen and the
//! settings are in `settings.rs` and `admin.rs`.

mod admin;
mod backup;
mod carry;
mod carry_form;
mod case;
mod case_fields;
mod case_form;
mod case_list;
mod case_query;
mod case_rows;
mod disease;
mod due;
mod i18n;
mod latest_frame;
mod library;
mod login;
mod media;
mod password;
mod plan_revisions;
mod presentation;
mod problem;
mod reference;
mod router;
mod session;
mod settings;
mod setup;
mod similar;
mod sync;
mod throttle;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use slint::{ComponentHandle, ModelRc, SharedString};
use time::UtcOffset;
use tsunagi_core::store::{self, Keychain, MIN_PASSWORD_CHARS, Role, StoreOptions};

pub use admin::{AUDIT_ACTIONS, AdminData, ROLES};
pub use case_query::{CaseListController, CaseRows, CaseSource, format_time, stage_index};
pub use i18n::Language;
pub use problem::Report;
pub use session::Background;
pub use settings::{AutoLock, SETTINGS_FILE, Settings, TextSize};
pub use setup::check_form;
pub use throttle::LoginThrottle;

/// The code generated from `ui/app/main.slint`: `AppWindow`, the adapters
/// (`SetupAdapter`, `LoginAdapter`, `CaseListAdapter`), `Stages`, `Messages`
/// and their types. Its names follow the `.slint` sources.
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

use ui::{AccountRole, AppWindow, CaseListAdapter, LoginAdapter, Screen, SetupAdapter};

/// Japan Standard Time, used when the system's offset cannot be read.
const JST: UtcOffset = time::macros::offset!(+9);

/// How to build the window.
pub struct Options {
    /// Where the device secret is kept.
    pub keychain: Arc<dyn Keychain>,
    /// Show the "key kept in a file" notice (the keychain is a file keystore).
    pub keychain_warning: bool,
    /// Argon2 cost and other settings for a store created at set-up.
    pub store_options: StoreOptions,
    /// Where slow work runs.
    pub background: Background,
    /// The offset in which times are shown.
    pub utc_offset: UtcOffset,
    /// Where photos and clips come from: the camera, or the test pattern
    /// (`TSUNAGI_CAMERA=test`, and the UI tests).
    pub camera: crate::av::Source,
}

impl Options {
    /// The app's options with `keychain`: default store settings, work on
    /// the worker thread, times in the system's offset (Japan time when it
    /// cannot be read, which on Unix is whenever other threads are running).
    pub fn new(keychain: Arc<dyn Keychain>) -> Self {
        Self {
            keychain,
            keychain_warning: false,
            store_options: StoreOptions::default(),
            background: Background::WorkerThread,
            utc_offset: local_offset(),
            camera: crate::av::Source::from_setting(""),
        }
    }
}

/// The system's UTC offset, or Japan time when it cannot be read.
fn local_offset() -> UtcOffset {
    UtcOffset::current_local_offset().unwrap_or(JST)
}

/// A built window with its controllers wired. Dropping it closes the window.
pub struct AppHandle {
    window: AppWindow,
    session: Arc<session::Session>,
    router: std::rc::Rc<router::Router>,
    /// The settings and the auto-lock timer (stops when dropped).
    watch: std::rc::Rc<settings::Watch>,
}

impl AppHandle {
    /// The window, for tests: look elements up with
    /// `i_slint_backend_testing::ElementHandle::find_by_accessible_label`, read
    /// the adapters with `window().global::<…Adapter>()`.
    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    /// Locks the app, as the auto-lock timer does, if the user has been
    /// inactive longer than the setting at `now`; returns whether it locked.
    /// The timer calls this every few seconds; tests call it with a later
    /// `now` instead of waiting.
    pub fn lock_if_idle(&self, now: std::time::Instant) -> bool {
        settings::lock_if_idle(&self.watch, &self.session, &self.router, &self.window, now)
    }

    /// Shows the disease screen for `case` (as the case screen's
    /// 「疾患と職業的課題」 does). For tests.
    pub fn open_disease(&self, case: tsunagi_core::model::CaseId) {
        if let Some(open) = self.router.routes().open_disease {
            open(&self.session, &self.window, case);
        }
    }

    /// Shows the window and runs the event loop until it closes, then saves
    /// what waits (an edit, a recording) and closes the store.
    pub fn run(&self) -> anyhow::Result<()> {
        self.window.run()?;
        self.router.close(
            &self.session,
            &self.window,
            std::time::Duration::from_secs(10),
        );
        self.session.close();
        Ok(())
    }
}

/// Builds the window on the store in `data_dir`, showing set-up when there is
/// no store there yet and login otherwise. Must be called on the thread that
/// will run the event loop. Does not show the window.
pub fn build(data_dir: PathBuf, options: Options) -> anyhow::Result<AppHandle> {
    let has_store = store::exists(&data_dir);
    let session = Arc::new(session::Session::new(
        data_dir,
        options.keychain,
        options.store_options,
        options.utc_offset,
        options.background,
        options.camera,
    )?);
    let window = AppWindow::new()?;

    // Every adapter starts from real values, never the preview data.
    let setup = window.global::<SetupAdapter<'_>>();
    setup.set_keychain_warning(options.keychain_warning);
    setup.set_min_password_chars(i32::try_from(MIN_PASSWORD_CHARS).unwrap_or(i32::MAX));
    setup.set_admin_name(SharedString::new());
    let login = window.global::<LoginAdapter<'_>>();
    login.set_keychain_warning(options.keychain_warning);
    let list = window.global::<CaseListAdapter<'_>>();
    list.set_cases(ModelRc::default());
    list.set_workers(ModelRc::default());
    list.set_account_name(SharedString::new());

    let router = std::rc::Rc::new(router::Router::default());
    setup::wire(&window, &session);
    login::wire(&window, &session, &router);
    case_list::wire(&window, &session, &router);
    due::wire(&window, &session, &router);
    admin::wire(&window, &session, &router);
    let watch = settings::wire(&window, &session, &router);
    backup::wire(&window, &session);
    password::wire(&window, &session, &router);
    case::wire(&window, &session, &router);
    plan_revisions::wire(&window, &session);
    reference::wire(&window, &session, &router);
    disease::wire(&window, &session, &router);
    presentation::wire(&window, &session, &router);
    sync::wire(&window, &session, &router);
    media::wire(&window, &session, &router);
    carry::wire(&window, &session, &router);
    similar::wire(&window, &session, &router);

    window.set_screen(if has_store {
        Screen::Login
    } else {
        Screen::Setup
    });
    Ok(AppHandle {
        window,
        session,
        router,
        watch,
    })
}

/// Opens the app window on the store in `data_dir` and returns when it is
/// closed. The keychain is chosen by `tsunagi_core::store::choose_keychain`,
/// its key file (if it comes to that) where the platform keeps it
/// (`tsunagi_platform::Platform::keystore_dir`); when it is the file
/// keystore, the set-up and login screens say so.
pub fn run(data_dir: PathBuf) -> anyhow::Result<()> {
    // Read before anything starts a thread: on Unix the offset cannot be
    // read safely once other threads run.
    let utc_offset = local_offset();
    let keystore_dir = tsunagi_platform::current()
        .keystore_dir()
        .context("the folder for the device key could not be found")?;
    let chosen = match keystore_dir {
        Some(dir) => store::choose_keychain_in(dir),
        None => store::choose_keychain(),
    };
    let options = Options {
        keychain_warning: chosen.warning.is_some(),
        utc_offset,
        ..Options::new(Arc::from(chosen.keychain))
    };
    build(data_dir, options)?.run()
}

/// Text arrived in a field: activity for the auto-lock, like a key. Text
/// typed through an input method (a Japanese IME, an on-screen keyboard)
/// reaches the field without a key event the window would see.
fn typed(window: &AppWindow) {
    window
        .global::<ui::SettingsAdapter<'_>>()
        .invoke_user_active();
}

fn account_role(role: Role) -> AccountRole {
    match role {
        Role::Administrator => AccountRole::Administrator,
        Role::SupportWorker => AccountRole::SupportWorker,
        Role::ReadOnly => AccountRole::ReadOnly,
    }
}
