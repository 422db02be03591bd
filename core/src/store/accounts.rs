//! Accounts (アカウント): adding them, their roles and passwords, disabling
//! and removing them. Administrators only, except one's own password; every
//! change is audited.
//!
//! Disabling or removing an account, and an administrator setting another
//! account's password, replace the database key ([`super::rotation`]), so
//! that the account's old keyslot — in a copy of the keyslot file taken
//! earlier — opens nothing that opens the store any more. They need the
//! store open nowhere else ([`StoreError::OtherHandlesOpen`]). Changing
//! one's own password replaces one's slot without a rotation: the old
//! password goes on opening only old copies of the keyslot file, which the
//! next rotation makes useless.

use rusqlite::params;

use rusqlite::{Connection, OptionalExtension};

use super::{
    Account, AuditAction, Role, Store, StoreError, check_account_name, check_password, now,
};

/// An account as the database has it.
pub(super) enum AccountState {
    /// It may log in.
    Enabled(Account),
    /// An administrator disabled it.
    Disabled(Account),
    /// There is no such account (or its role is not one this build knows).
    Missing,
}

pub(super) fn account_state(conn: &Connection, name: &str) -> Result<AccountState, StoreError> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT role, disabled FROM accounts WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((role, disabled)) = row else {
        return Ok(AccountState::Missing);
    };
    let Some(role) = Role::parse(&role) else {
        return Ok(AccountState::Missing);
    };
    let account = Account {
        name: name.to_owned(),
        role,
    };
    Ok(if disabled == 0 {
        AccountState::Enabled(account)
    } else {
        AccountState::Disabled(account)
    })
}

/// The account if it exists and may log in.
pub(super) fn read_account(conn: &Connection, name: &str) -> Result<Option<Account>, StoreError> {
    Ok(match account_state(conn, name)? {
        AccountState::Enabled(account) => Some(account),
        AccountState::Disabled(_) | AccountState::Missing => None,
    })
}

impl Store {
    /// Adds an account (administrators only).
    pub fn add_account(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<(), StoreError> {
        self.require_admin("manage accounts")?;
        check_account_name(name)?;
        check_password(password)?;
        let mut slots = self.slots_on_disk();
        if !matches!(account_state(&self.conn, name)?, AccountState::Missing)
            || slots.account_slot(name).is_some()
        {
            return Err(StoreError::AccountExists(name.to_owned()));
        }
        let device = self.device_secret()?;
        slots.put(slots.new_account_slot(name, password, &device, self.kdf)?);
        self.commit_slots(slots, &format!("add {name} {}", role.as_str()), |tx| {
            tx.execute(
                "INSERT INTO accounts (name, role, created_at) VALUES (?1, ?2, ?3)",
                params![name, role.as_str(), now()],
            )?;
            Ok(())
        })
    }

    /// Seals the database key (unchanged) to `slots`, makes `change` with
    /// the audit entry `detail` in one transaction, writes the slot file
    /// before the commit, and keeps the slots: the twin of
    /// `rotate` (`store::rotation`) for changes that replace no key.
    fn commit_slots(
        &mut self,
        mut slots: super::keys::KeyslotFile,
        detail: &str,
        change: impl FnOnce(&Connection) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        slots.seal(&self.key)?;
        let tx = self.conn.unchecked_transaction()?;
        change(&tx)?;
        self.audit(&tx, AuditAction::Account, None, detail)?;
        slots.write(&self.dir)?;
        tx.commit()?;
        self.slots = slots;
        Ok(())
    }

    /// Changes an account's role (administrators only; not their own).
    pub fn set_role(&mut self, name: &str, role: Role) -> Result<(), StoreError> {
        self.require_admin("manage accounts")?;
        if name == self.account.name {
            return Err(StoreError::NotPermitted {
                role: self.account.role.label_ja(),
                action: "change their own role",
            });
        }
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute(
            "UPDATE accounts SET role = ?2 WHERE name = ?1",
            params![name, role.as_str()],
        )?;
        if n == 0 {
            return Err(StoreError::NoSuchAccount(name.to_owned()));
        }
        self.audit(
            &tx,
            AuditAction::Account,
            None,
            &format!("role {name} {}", role.as_str()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a new password: one's own (as [`Store::change_own_password`],
    /// without asking for the old one), or, for an administrator, another
    /// account's. Another account's reset replaces the database key, so the
    /// password it had opens nothing any more, even with an old copy of the
    /// keyslot file; it is refused with [`StoreError::OtherHandlesOpen`]
    /// while the store is open elsewhere.
    pub fn set_password(&mut self, name: &str, password: &str) -> Result<(), StoreError> {
        if name == self.account.name {
            return self.replace_own_slot(password);
        }
        self.require_admin("set another account's password")?;
        check_password(password)?;
        if read_account(&self.conn, name)?.is_none() {
            return Err(StoreError::NoSuchAccount(name.to_owned()));
        }
        let _sole = self.lock.sole(&self.dir)?;
        let device = self.device_secret()?;
        let mut slots = self.slots_on_disk();
        slots.put(slots.new_account_slot(name, password, &device, self.kdf)?);
        self.rotate(slots, &format!("password {name}"), |_| Ok(()))
    }

    /// Changes the logged-in account's password, once `old` is confirmed
    /// (it takes as long as a login). The slot is replaced, with a fresh
    /// identity; the database key is not.
    pub fn change_own_password(&mut self, old: &str, new: &str) -> Result<(), StoreError> {
        check_password(new)?;
        self.confirm_password(old)?;
        self.replace_own_slot(new)
    }

    fn replace_own_slot(&mut self, password: &str) -> Result<(), StoreError> {
        check_password(password)?;
        let name = self.account.name.clone();
        let device = self.device_secret()?;
        let mut slots = self.slots_on_disk();
        slots.put(slots.new_account_slot(&name, password, &device, self.kdf)?);
        self.commit_slots(slots, &format!("password {name}"), |_| Ok(()))
    }

    /// Disables an account (administrators only): it can no longer unlock
    /// (「このアカウントは無効になっています」), its slot is kept only to say
    /// so, and the database key is replaced. Its cases, assignments and
    /// history stay. Refused for one's own account, the last administrator,
    /// and while the store is open elsewhere.
    pub fn disable_account(&mut self, name: &str) -> Result<(), StoreError> {
        self.check_may_retire(name)?;
        let _sole = self.lock.sole(&self.dir)?;
        let mut slots = self.slots_on_disk();
        slots.set_disabled(name, true);
        self.rotate(slots, &format!("disable {name}"), |tx| {
            tx.execute("UPDATE accounts SET disabled = 1 WHERE name = ?1", [name])?;
            Ok(())
        })
    }

    /// Enables a disabled account again (administrators only), with the
    /// password it had; the key is sealed to its slot again. An account
    /// whose slot was dropped (see [`Store::accounts_without_keyslot`])
    /// needs a new password as well.
    pub fn enable_account(&mut self, name: &str) -> Result<(), StoreError> {
        self.require_admin("manage accounts")?;
        match account_state(&self.conn, name)? {
            AccountState::Missing => return Err(StoreError::NoSuchAccount(name.to_owned())),
            AccountState::Enabled(_) => return Ok(()),
            AccountState::Disabled(_) => {}
        }
        let mut slots = self.slots_on_disk();
        slots.set_disabled(name, false);
        self.commit_slots(slots, &format!("enable {name}"), |tx| {
            tx.execute("UPDATE accounts SET disabled = 0 WHERE name = ?1", [name])?;
            Ok(())
        })
    }

    /// Removes an account (administrators only): its slot and its case
    /// assignments go, and the database key is replaced. What it wrote — its
    /// cases, revisions and audit entries under its name — stays. Refused
    /// for one's own account, the last administrator, and while the store is
    /// open elsewhere.
    pub fn remove_account(&mut self, name: &str) -> Result<(), StoreError> {
        self.check_may_retire(name)?;
        let _sole = self.lock.sole(&self.dir)?;
        let mut slots = self.slots_on_disk();
        slots.remove_account(name);
        self.rotate(slots, &format!("remove {name}"), |tx| {
            tx.execute("DELETE FROM assignments WHERE account = ?1", [name])?;
            tx.execute("DELETE FROM accounts WHERE name = ?1", [name])?;
            Ok(())
        })
    }

    /// Refuses to disable or remove `name` when the logged-in account is not
    /// an administrator, when it is the logged-in account itself, when there
    /// is no such account, and when no other enabled administrator would be
    /// left.
    fn check_may_retire(&self, name: &str) -> Result<(), StoreError> {
        self.require_admin("manage accounts")?;
        if name == self.account.name {
            return Err(StoreError::OwnAccount);
        }
        let role = match account_state(&self.conn, name)? {
            AccountState::Missing => return Err(StoreError::NoSuchAccount(name.to_owned())),
            AccountState::Enabled(account) | AccountState::Disabled(account) => account.role,
        };
        let other_admins: i64 = self.conn.query_row(
            "SELECT count(*) FROM accounts WHERE role = ?1 AND disabled = 0 AND name <> ?2",
            params![Role::Administrator.as_str(), name],
            |r| r.get(0),
        )?;
        if role == Role::Administrator && other_admins == 0 {
            return Err(StoreError::LastAdministrator);
        }
        Ok(())
    }

    /// Every enabled account with its role (administrators only).
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.accounts_where(false)
    }

    /// Every disabled account with its role (administrators only): the ones
    /// [`Store::enable_account`] can bring back.
    pub fn disabled_accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.accounts_where(true)
    }

    fn accounts_where(&self, disabled: bool) -> Result<Vec<Account>, StoreError> {
        self.require_admin("manage accounts")?;
        let mut stmt = self
            .conn
            .prepare("SELECT name, role FROM accounts WHERE disabled = ?1 ORDER BY name")?;
        let rows = stmt.query_map([i64::from(disabled)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, role) = row?;
            if let Some(role) = Role::parse(&role) {
                out.push(Account { name, role });
            }
        }
        Ok(out)
    }

    /// The enabled accounts that have no keyslot and so cannot unlock until
    /// an administrator sets their password (administrators only): after a
    /// recovery on a device whose keychain lost its secret, or after a
    /// rotation dropped a slot still in the format of an earlier version.
    pub fn accounts_without_keyslot(&self) -> Result<Vec<String>, StoreError> {
        let slots = self.slots_on_disk();
        Ok(self
            .accounts()?
            .into_iter()
            .map(|a| a.name)
            .filter(|name| slots.account_slot(name).is_none())
            .collect())
    }
}

#[cfg(test)]
pub(super) mod tests;
