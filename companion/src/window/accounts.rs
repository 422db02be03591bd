//! アカウント: the office's accounts managed from the window, as the
//! tablet's 管理 screen does — administrators list, add, change the role,
//! disable and enable accounts and set a new password; every account
//! changes its own password. The store checks who may do what and audits
//! every change; this module puts the results in words.
//!
//! Disabling an account and setting another's password replace the
//! database key, which the store refuses while another handle is open: the
//! link server's. Those two pause receiving from the tablets (the server
//! closes and its thread ends), make the change, and start receiving again.

use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};
use tsunagi_core::store::{Role, Store, StoreError};
use zeroize::Zeroizing;

use super::Desk;
use super::ui::{DeskAccount, DeskAccountsAdapter, DeskWindow};

/// The roles in the order the panel lists them (`role-labels`).
const ROLES: [Role; 3] = [Role::Administrator, Role::SupportWorker, Role::ReadOnly];

/// Closes the link server; its thread's handle, to wait for, if it ran.
type Pause = Rc<dyn Fn(&Arc<Desk>) -> Option<JoinHandle<()>>>;
/// Starts the link server again.
type Resume = Rc<dyn Fn(&Arc<Desk>, &DeskWindow)>;

/// Stops and starts receiving from the tablets, for the changes that must
/// have the store to themselves.
#[derive(Clone)]
pub(super) struct Link {
    /// Closes the link server.
    pub pause: Pause,
    /// Starts it again.
    pub resume: Resume,
}

/// What an action did, in words, once done.
type Said = Box<dyn FnOnce() -> String + Send>;

/// Wires the panel's callbacks.
pub(super) fn wire(window: &DeskWindow, desk: &Arc<Desk>, link: &Link) {
    let adapter = window.global::<DeskAccountsAdapter<'_>>();

    let weak = window.as_weak();
    adapter.on_select(move |index| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DeskAccountsAdapter<'_>>();
        adapter.set_selected(index);
        if let Some(account) = usize::try_from(index)
            .ok()
            .and_then(|i| adapter.get_accounts().row_data(i))
        {
            adapter.set_role_choice(account.role);
        }
        adapter.set_reset_password(SharedString::new());
        adapter.set_reset_again(SharedString::new());
    });

    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_add(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DeskAccountsAdapter<'_>>();
        let name = adapter.get_new_name().trim().to_owned();
        let role = role_at(adapter.get_new_role());
        let password = Zeroizing::new(adapter.get_new_password().to_string());
        if *password != adapter.get_new_again().as_str() {
            return refuse(&window, "パスワードが一致しません (the passwords differ)");
        }
        adapter.set_new_password(SharedString::new());
        adapter.set_new_again(SharedString::new());
        act(&d, &window, None, move |store| {
            store.add_account(&name, role, &password)?;
            Ok(Box::new(move || {
                format!(
                    "{name} を{}として追加しました (account added)",
                    role.label_ja()
                )
            }))
        });
    });

    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_set_role(move || {
        let Some(window) = weak.upgrade() else { return };
        let Some(name) = chosen(&window) else { return };
        let role = role_at(window.global::<DeskAccountsAdapter<'_>>().get_role_choice());
        act(&d, &window, None, move |store| {
            store.set_role(&name, role)?;
            Ok(Box::new(move || {
                format!(
                    "{name} の役割を{}にしました (role changed)",
                    role.label_ja()
                )
            }))
        });
    });

    let (weak, d, l) = (window.as_weak(), Arc::clone(desk), link.clone());
    adapter.on_disable(move || {
        let Some(window) = weak.upgrade() else { return };
        let Some(name) = chosen(&window) else { return };
        act(&d, &window, Some(&l), move |store| {
            store.disable_account(&name)?;
            Ok(Box::new(move || {
                format!("{name} を無効にしました。ログインできません (account disabled)")
            }))
        });
    });

    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_enable(move || {
        let Some(window) = weak.upgrade() else { return };
        let Some(name) = chosen(&window) else { return };
        act(&d, &window, None, move |store| {
            store.enable_account(&name)?;
            Ok(Box::new(move || {
                format!("{name} を有効に戻しました (account enabled)")
            }))
        });
    });

    let (weak, d, l) = (window.as_weak(), Arc::clone(desk), link.clone());
    adapter.on_set_password(move || {
        let Some(window) = weak.upgrade() else { return };
        let Some(name) = chosen(&window) else { return };
        let adapter = window.global::<DeskAccountsAdapter<'_>>();
        let password = Zeroizing::new(adapter.get_reset_password().to_string());
        if *password != adapter.get_reset_again().as_str() {
            return refuse(&window, "パスワードが一致しません (the passwords differ)");
        }
        adapter.set_reset_password(SharedString::new());
        adapter.set_reset_again(SharedString::new());
        act(&d, &window, Some(&l), move |store| {
            store.set_password(&name, &password)?;
            Ok(Box::new(move || {
                format!("{name} のパスワードを再設定しました (password set)")
            }))
        });
    });

    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_change_own(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<DeskAccountsAdapter<'_>>();
        let current = Zeroizing::new(adapter.get_own_current().to_string());
        let new = Zeroizing::new(adapter.get_own_new().to_string());
        if *new != adapter.get_own_again().as_str() {
            return refuse(
                &window,
                "新しいパスワードが一致しません (the new passwords differ)",
            );
        }
        clear_own(&adapter);
        act(&d, &window, None, move |store| {
            store.change_own_password(&current, &new)?;
            Ok(Box::new(|| {
                "パスワードを変更しました。次回から新しいパスワードでログインします (password changed)"
                    .to_owned()
            }))
        });
    });
}

/// Reads the accounts (administrators) or only who is logged in.
pub(super) fn refresh(desk: &Arc<Desk>, window: &DeskWindow) {
    desk.with_store(window, read, |_, window, accounts| {
        let Some(accounts) = accounts else { return };
        show(window, accounts);
    });
}

/// Empties the panel (at a lock): no name or password stays on screen.
pub(super) fn clear(window: &DeskWindow) {
    let adapter = window.global::<DeskAccountsAdapter<'_>>();
    adapter.set_admin(false);
    adapter.set_accounts(ModelRc::default());
    adapter.set_selected(-1);
    adapter.set_new_name(SharedString::new());
    adapter.set_new_password(SharedString::new());
    adapter.set_new_again(SharedString::new());
    adapter.set_reset_password(SharedString::new());
    adapter.set_reset_again(SharedString::new());
    clear_own(&adapter);
    adapter.set_result(SharedString::new());
    adapter.set_error(SharedString::new());
}

fn clear_own(adapter: &DeskAccountsAdapter<'_>) {
    adapter.set_own_current(SharedString::new());
    adapter.set_own_new(SharedString::new());
    adapter.set_own_again(SharedString::new());
}

/// The accounts as the panel lists them: every account, enabled ones
/// first, for an administrator; none for the others.
fn read(store: &mut Store) -> Result<(bool, Vec<DeskAccount>), StoreError> {
    if store.account().role != Role::Administrator {
        return Ok((false, Vec::new()));
    }
    let line = |disabled| {
        move |a: tsunagi_core::store::Account| DeskAccount {
            name: a.name.into(),
            role: role_index(a.role),
            disabled,
        }
    };
    let mut accounts: Vec<DeskAccount> = store.accounts()?.into_iter().map(line(false)).collect();
    accounts.extend(store.disabled_accounts()?.into_iter().map(line(true)));
    Ok((true, accounts))
}

fn show(window: &DeskWindow, accounts: Result<(bool, Vec<DeskAccount>), StoreError>) {
    let adapter = window.global::<DeskAccountsAdapter<'_>>();
    match accounts {
        Ok((admin, accounts)) => {
            // Keep the same account selected when it is still listed.
            let selected = usize::try_from(adapter.get_selected())
                .ok()
                .and_then(|i| adapter.get_accounts().row_data(i))
                .and_then(|was| accounts.iter().position(|a| a.name == was.name));
            if let Some(account) = selected.and_then(|i| accounts.get(i)) {
                adapter.set_role_choice(account.role);
            }
            adapter.set_selected(selected.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1));
            adapter.set_admin(admin);
            adapter.set_accounts(ModelRc::new(VecModel::from(accounts)));
        }
        Err(e) => refuse(window, &error_in_words(&e)),
    }
}

/// Runs `change` on the store; with `link`, with receiving paused around
/// it. Then says what it did (or why not) and reads the accounts again.
fn act(
    desk: &Arc<Desk>,
    window: &DeskWindow,
    link: Option<&Link>,
    change: impl FnOnce(&mut Store) -> Result<Said, StoreError> + Send + 'static,
) {
    let adapter = window.global::<DeskAccountsAdapter<'_>>();
    if adapter.get_busy() {
        return;
    }
    adapter.set_busy(true);
    adapter.set_result(SharedString::new());
    adapter.set_error(SharedString::new());
    // The server's thread moves to the store's thread, which waits for it
    // (and so for the server's store handle to close) before the change.
    let (thread, resume) = match link {
        Some(link) => ((link.pause)(desk), Some(Rc::clone(&link.resume))),
        None => (None, None),
    };
    desk.with_store(
        window,
        move |store| {
            if let Some(thread) = thread {
                let _ = thread.join();
            }
            change(store).and_then(|said| Ok((said, read(store)?)))
        },
        move |desk, window, done| {
            let adapter = window.global::<DeskAccountsAdapter<'_>>();
            adapter.set_busy(false);
            if let Some(resume) = resume {
                resume(desk, window);
            }
            match done {
                Some(Ok((said, accounts))) => {
                    adapter.set_result(said().into());
                    show(window, Ok(accounts));
                }
                Some(Err(e)) => refuse(window, &error_in_words(&e)),
                None => {}
            }
        },
    );
}

/// Shows why an action was refused.
fn refuse(window: &DeskWindow, why: &str) {
    let adapter = window.global::<DeskAccountsAdapter<'_>>();
    adapter.set_result(SharedString::new());
    adapter.set_error(why.into());
}

fn chosen(window: &DeskWindow) -> Option<String> {
    let adapter = window.global::<DeskAccountsAdapter<'_>>();
    let index = usize::try_from(adapter.get_selected()).ok()?;
    Some(adapter.get_accounts().row_data(index)?.name.to_string())
}

fn role_at(index: i32) -> Role {
    usize::try_from(index)
        .ok()
        .and_then(|i| ROLES.get(i).copied())
        .unwrap_or(Role::ReadOnly)
}

fn role_index(role: Role) -> i32 {
    match role {
        Role::Administrator => 0,
        Role::SupportWorker => 1,
        Role::ReadOnly => 2,
    }
}

/// A refusal in the office's words; the store's own words for the rest.
fn error_in_words(e: &StoreError) -> String {
    match e {
        StoreError::WrongPassword => {
            "今のパスワードが違います。何も変更していません (the current password is wrong; nothing was changed)"
                .to_owned()
        }
        StoreError::AccountExists(name) => {
            format!("{name} というアカウントはすでにあります (an account named {name} already exists)")
        }
        StoreError::PasswordTooShort => format!(
            "パスワードは{}文字以上にしてください (the password must have at least {} characters)",
            tsunagi_core::store::MIN_PASSWORD_CHARS,
            tsunagi_core::store::MIN_PASSWORD_CHARS
        ),
        StoreError::BadAccountName => {
            "ユーザー名は1〜64文字で、前後に空白を入れないでください (an account name must be 1 to 64 characters without spaces at either end)"
                .to_owned()
        }
        StoreError::NotPermitted { .. } => {
            "この操作は管理者だけができます (only an administrator may do this)".to_owned()
        }
        other => format!("変更できませんでした (not changed): {other}"),
    }
}
