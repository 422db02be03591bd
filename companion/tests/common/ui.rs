//! Driving the companion's window through the accessibility tree on the
//! headless testing backend (no event loop: time is moved by hand).

use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use tsunagi_companion::window::ui::DeskWindow;

/// Lets the window lay itself out and run what a change set off.
pub fn settle() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(16));
}

/// The elements labelled `label` with the role `role`.
pub fn find(w: &DeskWindow, label: &str, role: AccessibleRole) -> Vec<ElementHandle> {
    settle();
    ElementHandle::find_by_accessible_label(w, label)
        .filter(|e| e.accessible_role() == Some(role))
        .collect()
}

/// The one button labelled `label`.
pub fn button(w: &DeskWindow, label: &str) -> ElementHandle {
    let mut found = find(w, label, AccessibleRole::Button);
    assert_eq!(
        found.len(),
        1,
        "one button {label:?}, found {}",
        found.len()
    );
    found.remove(0)
}

/// Presses the one enabled button labelled `label`.
pub fn press(w: &DeskWindow, label: &str) {
    let found = button(w, label);
    assert_ne!(
        found.accessible_enabled(),
        Some(false),
        "{label:?} is disabled"
    );
    found.invoke_accessible_default_action();
    settle();
}

/// Types `text` into the one field labelled `label`.
pub fn type_into(w: &DeskWindow, label: &str, text: &str) {
    let found = find(w, label, AccessibleRole::TextInput);
    assert_eq!(found.len(), 1, "one field {label:?}");
    found[0].set_accessible_value(text);
    settle();
}
