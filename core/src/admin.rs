//! What an administrator does from the tablet's and the companion's command
//! lines: accounts (`account …`) and installing a reference release. Both
//! programs run this one code, so both ask for the same role and say the
//! same words.

use std::io::IsTerminal as _;
use std::path::Path;

use anyhow::bail;
use clap::Subcommand;

use crate::login;
use crate::reference::{ReferenceDb, UPDATE_FOLDER};
use crate::store::{Role, Store};

/// `account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Every account: name, role, and whether it may log in (administrators
    /// only).
    List,
    /// Adds an account; its first password comes from TSUNAGI_NEW_PASSWORD,
    /// else a prompt (administrators only).
    Add {
        /// The login name.
        name: String,
        /// administrator (管理者), support_worker (支援員) or read_only
        /// (閲覧のみ).
        #[arg(long, value_parser = parse_role, default_value = "support_worker")]
        role: Role,
    },
    /// Changes an account's role (administrators only; not one's own).
    Role {
        /// The account.
        name: String,
        /// administrator, support_worker or read_only.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Sets a password from TSUNAGI_NEW_PASSWORD, else a prompt: one's own
    /// (with no name, or one's own name), or, for an administrator, another
    /// account's, which also replaces the store's key so that the old
    /// password opens no copy of the store made from now on.
    Password {
        /// The account; one's own when left out.
        name: Option<String>,
    },
    /// Disables an account: it can no longer log in, and the store's key is
    /// replaced. Its cases and history stay (administrators only).
    Disable {
        /// The account.
        name: String,
    },
    /// Lets a disabled account log in again with the password it had
    /// (administrators only).
    Enable {
        /// The account.
        name: String,
    },
    /// Removes an account and its case assignments, and replaces the
    /// store's key. What it wrote stays, under its name (administrators
    /// only). Asks to be sure, or takes --yes.
    Remove {
        /// The account.
        name: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// A role as the command line names it: its stored name, or its Japanese
/// label.
pub fn parse_role(text: &str) -> Result<Role, String> {
    [Role::Administrator, Role::SupportWorker, Role::ReadOnly]
        .into_iter()
        .find(|r| r.as_str() == text || r.label_ja() == text)
        .ok_or_else(|| {
            format!("{text:?} is not a role: administrator, support_worker or read_only")
        })
}

/// Runs one `account` command on the store in `dir`; `program` is named in
/// messages.
pub fn run_account(program: &str, dir: &Path, command: AccountCommand) -> anyhow::Result<()> {
    let (mut store, password) = login::unlock_keeping_password(program, dir)?;
    match command {
        AccountCommand::List => {
            for (account, state) in store
                .accounts()?
                .into_iter()
                .map(|a| (a, "有効 enabled"))
                .chain(
                    store
                        .disabled_accounts()?
                        .into_iter()
                        .map(|a| (a, "無効 disabled")),
                )
            {
                println!(
                    "{}\t{}\t{}\t{state}",
                    account.name,
                    account.role.as_str(),
                    account.role.label_ja()
                );
            }
            for name in store.accounts_without_keyslot()? {
                eprintln!(
                    "{program}: {name} はパスワードの再設定が必要です ({name} needs a new password: `{program} account password {name}`)"
                );
            }
        }
        AccountCommand::Add { name, role } => {
            let new = new_password()?;
            store.add_account(&name, role, &new)?;
            println!("added {name} ({})", role.label_ja());
        }
        AccountCommand::Role { name, role } => {
            store.set_role(&name, role)?;
            println!("{name} is now {}", role.label_ja());
        }
        AccountCommand::Password { name } => {
            let own = name
                .as_deref()
                .is_none_or(|n| n == store.account().name.as_str());
            let new = new_password()?;
            if own {
                store.change_own_password(&password, &new)?;
                println!("パスワードを変更しました (your password was changed)");
            } else {
                let name = name.unwrap_or_default();
                store.set_password(&name, &new)?;
                println!("{name} のパスワードを再設定しました (the password of {name} was reset)");
            }
        }
        AccountCommand::Disable { name } => {
            store.disable_account(&name)?;
            println!("{name} を無効にしました (disabled {name})");
        }
        AccountCommand::Enable { name } => {
            store.enable_account(&name)?;
            println!("{name} を有効に戻しました (enabled {name})");
        }
        AccountCommand::Remove { name, yes } => {
            if !yes && !confirmed(&format!("{name} を削除しますか？ (remove {name}?) [y/N] "))?
            {
                bail!(
                    "何も削除していません。確かめたうえで --yes を付けてください (nothing was removed: add --yes once you are sure)"
                );
            }
            store.remove_account(&name)?;
            println!("{name} を削除しました (removed {name})");
        }
    }
    Ok(())
}

/// A new password from `TSUNAGI_NEW_PASSWORD`, else asked twice.
fn new_password() -> anyhow::Result<String> {
    if let Ok(value) = std::env::var("TSUNAGI_NEW_PASSWORD") {
        return Ok(value);
    }
    let first = login::from_env_or_prompt(
        "TSUNAGI_NEW_PASSWORD",
        "新しいパスワード (new password): ",
        true,
    )?;
    let again = login::from_env_or_prompt("TSUNAGI_NEW_PASSWORD", "もう一度 (again): ", true)?;
    if first != again {
        bail!("2回のパスワードが一致しません (the two passwords differ); nothing was changed");
    }
    Ok(first)
}

/// Asks `question` on the terminal; false when there is none.
fn confirmed(question: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!("{question}");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "はい"))
}

/// `due [--within DAYS]` (期限・予定): one line per thing due within `within`
/// days across the cases the account may see, overdue first: the date, the
/// case id, the name, what, and 期限切れ when it is past.
pub fn print_due(program: &str, dir: &Path, within: u16) -> anyhow::Result<()> {
    let mut store = login::unlock(program, dir)?;
    let today = time::OffsetDateTime::now_local()
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .date();
    for row in store.due(today, time::Duration::days(i64::from(within)))? {
        let state = if row.item.on < today {
            "\t期限切れ"
        } else {
            ""
        };
        println!(
            "{}\t{}\t{}\t{}{state}",
            row.item.on,
            row.case,
            row.name.expose(),
            row.item.label_ja()
        );
    }
    Ok(())
}

/// Installs the reference release at `source` into the data folder `dir`,
/// once the account unlocking the store there is an administrator: the
/// reference decides what every worker reads about a disease.
pub fn install_reference(program: &str, dir: &Path, source: &Path) -> anyhow::Result<ReferenceDb> {
    let store = login::unlock(program, dir)?;
    require_administrator(&store)?;
    drop(store);
    Ok(ReferenceDb::install_update(
        source,
        &dir.join(UPDATE_FOLDER),
    )?)
}

fn require_administrator(store: &Store) -> anyhow::Result<()> {
    if store.account().role != Role::Administrator {
        bail!(
            "共有データベースの更新は管理者だけができます (only an administrator may install a reference release)"
        );
    }
    Ok(())
}
