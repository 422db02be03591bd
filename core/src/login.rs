//! Opening the store from a command line (the tablet's and the companion's):
//! the keychain, and the user and password from the environment or a prompt.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use crate::store::{self, Keychain, Store};
use anyhow::{Context, bail};

/// The keychain for this run; `program` prints the warning when it is the
/// file keystore.
pub fn keychain(program: &str) -> Arc<dyn Keychain> {
    let chosen = store::choose_keychain();
    if let Some(warning) = chosen.warning {
        eprintln!("{program}: warning: {warning}");
    }
    Arc::from(chosen.keychain)
}

/// A value from `var`, else asked for on the terminal.
pub fn from_env_or_prompt(var: &str, prompt: &str, secret: bool) -> anyhow::Result<String> {
    if let Ok(value) = std::env::var(var) {
        return Ok(value);
    }
    if !std::io::stdin().is_terminal() {
        bail!("{var} is not set and there is no terminal to ask on");
    }
    if secret {
        rpassword::prompt_password(prompt).context("could not read the password")
    } else {
        eprint!("{prompt}");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("could not read from the terminal")?;
        Ok(line.trim().to_owned())
    }
}

/// Unlocks the store in `dir` as `TSUNAGI_USER` with `TSUNAGI_PASSWORD`
/// (asked for when not set); `program` is named in the messages.
pub fn unlock(program: &str, dir: &Path) -> anyhow::Result<Store> {
    Ok(unlock_keeping_password(program, dir)?.0)
}

/// [`unlock`], also giving back the password it was unlocked with (for a
/// command that needs it again, such as changing it).
pub fn unlock_keeping_password(program: &str, dir: &Path) -> anyhow::Result<(Store, String)> {
    if !store::exists(dir) {
        bail!(
            "no Tsunagi store in {}: run `{program} --data-dir {} init --user NAME` first",
            dir.display(),
            dir.display()
        );
    }
    let user = from_env_or_prompt("TSUNAGI_USER", "ユーザー名 (user): ", false)?;
    let password = from_env_or_prompt("TSUNAGI_PASSWORD", "パスワード (password): ", true)?;
    let store = Store::unlock(dir, keychain(program), &user, &password)?;
    Ok((store, password))
}

/// Sets up a new store in `dir` with `user` as its first administrator (the
/// password from `TSUNAGI_PASSWORD`, else a prompt) and prints the recovery
/// code once, with the warning to keep it.
pub fn init(program: &str, dir: &Path, user: &str) -> anyhow::Result<Store> {
    let password = from_env_or_prompt("TSUNAGI_PASSWORD", "パスワード (password): ", true)?;
    let (store, code) = Store::create(
        dir,
        keychain(program),
        user,
        &password,
        store::StoreOptions::default(),
    )?;
    println!("復旧コード (recovery code): {}", code.display().as_str());
    eprintln!("この復旧コードは一度だけ表示されます。紙に書いて安全な場所に保管してください。");
    eprintln!("This recovery code is shown only once: write it down and keep it safe.");
    Ok(store)
}
