//! Helpers shared by the UI tests: the headless backend and lookups through
//! the accessibility tree. Each test binary uses some of them.
#![allow(dead_code)]

use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use tsunagi_app::window::ui::AppWindow;

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
