//! The companion's accounts (アカウント) in its window, while it receives
//! from the tablets: an administrator adds a support worker, disables the
//! account (it can no longer log in) and enables it again; the support
//! worker changes their own password and sees no one else's account.
//! Receiving pauses for the change that replaces the key and starts again.

mod common;

use std::sync::Arc;

use common::ui::{find, press, settle, type_into};
use common::{PW, demo_store};
use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_companion::print::CupsServer;
use tsunagi_companion::window::ui::{
    DeskAccountsAdapter, DeskAdapter, DeskLoginAdapter, DeskScreen, DeskWindow,
};
use tsunagi_companion::window::{self, Background, Options};
use tsunagi_core::store::{FileKeychain, Store, StoreError};

const SATO_PW: &str = "sato's first password";
const SATO_NEW: &str = "sato's second password";

fn log_in(w: &DeskWindow, user: &str, password: &str) {
    type_into(w, "ユーザー名", user);
    type_into(w, "パスワード", password);
    press(w, "ログイン");
}

fn lock(w: &DeskWindow) {
    w.global::<DeskAdapter<'_>>().invoke_lock();
    settle();
}

fn show_accounts(w: &DeskWindow) {
    w.global::<DeskAdapter<'_>>()
        .invoke_show(DeskScreen::Accounts);
    settle();
}

fn select(w: &DeskWindow, name: &str) {
    let found = find(w, name, AccessibleRole::ListItem);
    assert_eq!(found.len(), 1, "one account {name:?} listed");
    found[0].invoke_accessible_default_action();
    settle();
}

fn listed(w: &DeskWindow) -> Vec<(String, bool)> {
    w.global::<DeskAccountsAdapter<'_>>()
        .get_accounts()
        .iter()
        .map(|a| (a.name.to_string(), a.disabled))
        .collect()
}

#[test]
fn an_administrator_disables_and_enables_an_account_and_a_worker_changes_their_password() {
    i_slint_backend_testing::init_no_event_loop();
    let (dir, store, _) = demo_store();
    drop(store);
    let data = dir.path().join("data");
    let keychain = || Arc::new(FileKeychain::new(dir.path().join("keys")));

    let w = window::build(Options {
        dir: data.clone(),
        keychain: keychain(),
        background: Background::Inline,
        listen: Some("127.0.0.1:0".parse().expect("an address")),
        cups: CupsServer::default(),
        utc_offset: time::UtcOffset::UTC,
        launcher: Arc::new(common::RecordingLauncher::default()),
    })
    .expect("the window builds");
    w.window().set_size(slint::LogicalSize::new(1280.0, 1600.0));
    w.show().expect("the window shows");
    let accounts = w.global::<DeskAccountsAdapter<'_>>();
    let status = || w.global::<DeskAdapter<'_>>().get_link_status().to_string();

    log_in(&w, "admin", PW);
    assert!(status().contains("受信中"), "{}", status());
    show_accounts(&w);
    assert!(accounts.get_admin());
    assert_eq!(listed(&w), vec![("admin".to_owned(), false)]);

    // Adding: the passwords must agree.
    type_into(&w, "ユーザー名", "sato");
    press(&w, "役割：支援員");
    type_into(&w, "パスワード", SATO_PW);
    type_into(&w, "パスワード（確認）", "something else");
    press(&w, "追加");
    assert!(accounts.get_error().contains("一致しません"));
    assert_eq!(listed(&w).len(), 1, "nothing was added");
    type_into(&w, "パスワード", SATO_PW);
    type_into(&w, "パスワード（確認）", SATO_PW);
    press(&w, "追加");
    assert_eq!(accounts.get_error(), "");
    assert!(accounts.get_result().contains("sato"));
    assert_eq!(
        listed(&w),
        vec![("admin".to_owned(), false), ("sato".to_owned(), false)]
    );

    // Disabling replaces the key: receiving pauses and starts again.
    select(&w, "sato");
    press(&w, "無効にする");
    assert_eq!(accounts.get_error(), "");
    assert!(accounts.get_result().contains("無効"));
    assert_eq!(
        listed(&w),
        vec![("admin".to_owned(), false), ("sato".to_owned(), true)]
    );
    assert!(status().contains("受信中"), "{}", status());
    // One's own account cannot be disabled: the store says so.
    select(&w, "admin");
    press(&w, "無効にする");
    assert!(
        accounts.get_error().contains("自分のアカウント"),
        "{}",
        accounts.get_error()
    );
    lock(&w);

    // A disabled account cannot log in.
    log_in(&w, "sato", SATO_PW);
    assert_eq!(w.get_screen(), DeskScreen::Login);
    assert!(
        !w.global::<DeskLoginAdapter<'_>>().get_error().is_empty(),
        "the login says why"
    );
    assert!(matches!(
        Store::unlock(&data, keychain(), "sato", SATO_PW),
        Err(StoreError::AccountDisabled)
    ));

    log_in(&w, "admin", PW);
    show_accounts(&w);
    select(&w, "sato");
    press(&w, "有効に戻す");
    assert_eq!(accounts.get_error(), "");
    assert_eq!(
        listed(&w),
        vec![("admin".to_owned(), false), ("sato".to_owned(), false)]
    );
    lock(&w);
    assert!(listed(&w).is_empty(), "no account stays listed when locked");

    // The support worker: their own password, and no list.
    log_in(&w, "sato", SATO_PW);
    assert_eq!(w.get_screen(), DeskScreen::Cases);
    show_accounts(&w);
    assert!(!accounts.get_admin());
    assert!(listed(&w).is_empty());
    type_into(&w, "今のパスワード", "not my password");
    type_into(&w, "新しいパスワード", SATO_NEW);
    type_into(&w, "新しいパスワード（確認）", SATO_NEW);
    press(&w, "パスワードを変更");
    assert!(
        accounts.get_error().contains("今のパスワードが違います"),
        "{}",
        accounts.get_error()
    );
    assert_eq!(accounts.get_own_new(), "", "passwords leave the screen");
    type_into(&w, "今のパスワード", SATO_PW);
    type_into(&w, "新しいパスワード", SATO_NEW);
    type_into(&w, "新しいパスワード（確認）", SATO_NEW);
    press(&w, "パスワードを変更");
    assert_eq!(accounts.get_error(), "");
    lock(&w);
    drop(w);

    assert!(matches!(
        Store::unlock(&data, keychain(), "sato", SATO_PW),
        Err(StoreError::WrongPassword)
    ));
    Store::unlock(&data, keychain(), "sato", SATO_NEW).expect("the new password opens");
}
