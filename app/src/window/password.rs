//! The password part of the settings screen (`PasswordAdapter`): every
//! account changes its own password, the current one confirmed first
//! (`Store::change_own_password`, on the worker thread: it takes as long as
//! a login). The fields are emptied once used and when the app locks.

use std::sync::Arc;

use slint::{ComponentHandle, SharedString};
use tsunagi_core::store::{MIN_PASSWORD_CHARS, StoreError};

use super::i18n::{tr, tr_fill};
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, PasswordAdapter};

/// What the screen says about a change that failed.
pub fn problem(error: &StoreError) -> String {
    match error {
        StoreError::WrongPassword => {
            tr("今のパスワードが違います。パスワードは変わっていません。").to_owned()
        }
        StoreError::PasswordTooShort => tr_fill(
            "新しいパスワードは{}文字以上にしてください。",
            &[&MIN_PASSWORD_CHARS.to_string()],
        ),
        other => other.to_string(),
    }
}

/// Empties the fields and what was said.
fn clear(window: &AppWindow) {
    let adapter = window.global::<PasswordAdapter<'_>>();
    adapter.set_current(SharedString::new());
    adapter.set_new(SharedString::new());
    adapter.set_new_again(SharedString::new());
    adapter.set_busy(false);
    adapter.set_status(SharedString::new());
    adapter.set_failed(false);
}

/// Shows `text` as what happened (`failed`: as an error).
fn say(window: &AppWindow, text: &str, failed: bool) {
    let adapter = window.global::<PasswordAdapter<'_>>();
    adapter.set_status(text.into());
    adapter.set_failed(failed);
}

pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Router) {
    router.on_lock(|_, window| clear(window));
    let (weak, s) = (window.as_weak(), Arc::clone(session));
    window.global::<PasswordAdapter<'_>>().on_change(move || {
        let Some(window) = weak.upgrade() else { return };
        change(&s, &window);
    });
}

fn change(session: &Arc<Session>, window: &AppWindow) {
    let adapter = window.global::<PasswordAdapter<'_>>();
    if adapter.get_busy() {
        return;
    }
    let (current, new) = (adapter.get_current(), adapter.get_new());
    if new != adapter.get_new_again() {
        say(
            window,
            tr("確認の新しいパスワードが一致しません。パスワードは変わっていません。"),
            true,
        );
        return;
    }
    adapter.set_busy(true);
    say(window, "", false);
    let epoch = session.epoch();
    let (current, new) = (current.to_string(), new.to_string());
    session.run(
        window,
        move |session| session.with_store(|store| store.change_own_password(&current, &new)),
        move |session, window, changed| {
            if session.epoch() != epoch {
                return;
            }
            let adapter = window.global::<PasswordAdapter<'_>>();
            adapter.set_busy(false);
            match changed {
                Some(Ok(())) => {
                    clear(window);
                    say(
                        window,
                        tr("パスワードを変更しました。次のログインから新しいパスワードを使います。"),
                        false,
                    );
                }
                Some(Err(e)) => {
                    adapter.set_current(SharedString::new());
                    say(window, &problem(&e), true);
                }
                None => {}
            }
        },
    );
}
