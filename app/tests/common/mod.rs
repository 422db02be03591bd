//! Helpers shared by the UI tests: the headless backend and lookups through
//! the accessibility tree. Each test binary uses some of them.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::ComponentHandle;
use tsunagi_app::window::ui::{AppWindow, Screen};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

/// The password of the stores the UI tests make.
pub const PASSWORD: &str = "ながい合言葉 2026";

/// Starts the headless backend for this test's thread (Slint's platform is
/// per thread when there is no event loop), once.
pub fn init_backend() {
    thread_local!(static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    DONE.with(|done| {
        if !done.replace(true) {
            i_slint_backend_testing::init_no_event_loop();
        }
    });
}

/// Lets the UI catch up: timers fire and conditional elements are built.
pub fn settle() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(16));
}

pub fn all(window: &AppWindow, label: &str, role: AccessibleRole) -> Vec<ElementHandle> {
    settle();
    ElementHandle::find_by_accessible_label(window, label)
        .filter(|e| e.accessible_role() == Some(role))
        .collect()
}

pub fn one(window: &AppWindow, label: &str, role: AccessibleRole) -> ElementHandle {
    let mut found = all(window, label, role);
    assert_eq!(
        found.len(),
        1,
        "expected one {role:?} labelled {label:?}, found {}",
        found.len()
    );
    found.pop().expect("one element")
}

pub fn shows(window: &AppWindow, label: &str, role: AccessibleRole) -> bool {
    !all(window, label, role).is_empty()
}

/// Presses the element labelled `label` with `role` (its default action),
/// which must not be disabled.
pub fn press_as(window: &AppWindow, label: &str, role: AccessibleRole) {
    let element = one(window, label, role);
    assert_ne!(
        element.accessible_enabled(),
        Some(false),
        "{label:?} is disabled"
    );
    element.invoke_accessible_default_action();
    settle();
}

/// Presses the button labelled `label`.
pub fn press(window: &AppWindow, label: &str) {
    press_as(window, label, AccessibleRole::Button);
}

pub fn type_into(window: &AppWindow, label: &str, text: &str) {
    one(window, label, AccessibleRole::TextInput).set_accessible_value(text);
    settle();
}

/// Logs `user` in on the login screen; the case list must follow.
pub fn log_in(window: &AppWindow, user: &str, password: &str) {
    type_into(window, "ユーザー名", user);
    type_into(window, "パスワード", password);
    press(window, "ログイン");
    assert_eq!(window.get_screen(), Screen::CaseList, "{user} logged in");
}

/// The window's options for a UI test: `keychain`, fast key derivation,
/// store work inline, Japan's offset, the test camera.
pub fn options(keychain: &Arc<dyn Keychain>) -> Options {
    Options {
        keychain: Arc::clone(keychain),
        keychain_warning: false,
        store_options: StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
        background: Background::Inline,
        utc_offset: time::macros::offset!(+9),
        camera: tsunagi_app::av::Source::Test,
    }
}

/// A store with `admin` (and what `prepare` adds), the window on it,
/// shown, with `admin` logged in. The data folder is `temp/data`.
pub fn logged_in_window(
    prepare: impl FnOnce(&mut Store),
) -> (tempfile::TempDir, window::AppHandle) {
    init_backend();
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let fast = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    let (mut store, _code) =
        Store::create(&data, Arc::clone(&keychain), "admin", PASSWORD, fast).expect("store");
    prepare(&mut store);
    drop(store);
    let options = options(&keychain);
    let app = window::build(data, options).expect("the window builds");
    app.window().show().expect("the window shows");
    log_in(app.window(), "admin", PASSWORD);
    (temp, app)
}
