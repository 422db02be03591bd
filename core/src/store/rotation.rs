//! Replacing the database key (鍵の入れ替え): a fresh key, the database
//! re-encrypted under it (`PRAGMA rekey`), the key sealed to every slot that
//! remains — so that a slot left out, or an old copy of the keyslot file,
//! opens nothing that opens the live database.
//!
//! # Steps, and what a killed process leaves
//!
//! 1. The keyslot file is written with the new slot list, the current key
//!    sealed to it, and the new key as *pending* (backup copy, then
//!    `keyslots.json`). The account change is in a transaction not yet
//!    committed.
//! 2. The account change and its audit entry are committed.
//! 3. The database is re-encrypted under the pending key (one SQLCipher
//!    transaction), and the write-ahead log is emptied.
//! 4. The keyslot file is written with the pending key as the current one.
//!
//! Stopped before 1 completes, nothing changed. Stopped after 1 or 2, the
//! current key still opens the database; the next unlock sees the pending
//! key and rotates again with a fresh one (a key read from the file is never
//! used to re-encrypt: only a key this process made). Stopped after 3, the
//! current key no longer opens the database and the pending one does: the
//! next unlock makes it current. At no point does a remaining slot open
//! nothing.
//!
//! # Other handles on the store
//!
//! A connection keyed with the old key must not write after the database is
//! re-encrypted: its pages would be under a key no slot holds. So every
//! [`Store`] — each unlock, [`Store::open_another`], in this process or
//! another (the app, the companion's link server, a command) — holds a
//! shared lock on `store.lock` from open to drop, and a rotation runs only
//! when it can hold that lock alone. Otherwise it is refused with
//! [`StoreError::OtherHandlesOpen`] before anything is changed; the account
//! change is not made, and the administrator closes the other windows or
//! commands and tries again. An unlock that finds a rotation owed and other
//! handles open leaves it for a later unlock. An unlock waits while another
//! handle rotates (holds the lock exclusively), so it never reads a keyslot
//! file from before the rotation and a database from after it.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};
use zeroize::Zeroizing;

use super::keys::{DbKey, KEYSLOTS_BACKUP_FILE, KEYSLOTS_FILE, KeyslotFile, WhichKey};
use super::{AuditAction, Store, StoreError};

/// The lock file every handle holds shared.
pub const LOCK_FILE: &str = "store.lock";

/// The lock file a handle holds while it makes sure it is the only one, so
/// that two handles trying to rotate at once cannot both let go of their
/// shared lock.
pub const ROTATION_LOCK_FILE: &str = "store.rotation.lock";

/// A handle's shared lock on `store.lock`, released on drop (and by the
/// operating system when the process ends, so a killed process leaves none).
#[derive(Debug)]
pub(super) struct HandleLock {
    file: Arc<fs::File>,
}

impl HandleLock {
    /// Takes a shared lock on `dir/store.lock`, waiting while another handle
    /// rotates the key.
    pub(super) fn shared(dir: &Path) -> Result<Self, StoreError> {
        let file = open_lock(dir, LOCK_FILE)?;
        file.lock_shared()?;
        Ok(Self {
            file: Arc::new(file),
        })
    }

    /// The right to rotate: this handle is the only one open on the store,
    /// in this process or any other. [`StoreError::OtherHandlesOpen`]
    /// otherwise, with this handle's shared lock kept.
    pub(super) fn sole(&self, dir: &Path) -> Result<SoleHandle, StoreError> {
        let gate = open_lock(dir, ROTATION_LOCK_FILE)?;
        try_lock(&gate)?;
        // A shared lock is not turned into an exclusive one in place on
        // every platform: let go, try, and take it back if others hold it.
        // The gate keeps any other handle from taking it meanwhile.
        self.file.unlock()?;
        match try_lock(&self.file) {
            Ok(()) => Ok(SoleHandle {
                file: Arc::clone(&self.file),
                _gate: gate,
            }),
            Err(refused) => {
                self.file.lock_shared()?;
                Err(refused)
            }
        }
    }
}

/// Held while the key is rotated; on drop the handle's lock is shared
/// again, then the gate is let go.
pub(super) struct SoleHandle {
    file: Arc<fs::File>,
    _gate: fs::File,
}

impl Drop for SoleHandle {
    fn drop(&mut self) {
        let _ = self.file.unlock();
        let _ = self.file.lock_shared();
    }
}

fn open_lock(dir: &Path, name: &str) -> Result<fs::File, StoreError> {
    Ok(fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(name))?)
}

fn try_lock(file: &fs::File) -> Result<(), StoreError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(StoreError::OtherHandlesOpen),
        Err(fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// The steps of a rotation after which a test makes it stop, standing in
/// for a process killed there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// The keyslot backup holds the pending key; `keyslots.json` does not.
    PendingInBackup,
    /// Both keyslot copies hold the pending key.
    PendingWritten,
    /// The account change is committed.
    ChangeCommitted,
    /// The database is encrypted under the pending key.
    Rekeyed,
    /// The keyslot backup holds the new key as current; `keyslots.json`
    /// still as pending.
    CurrentInBackup,
}

#[cfg(test)]
thread_local! {
    /// Where the rotations of this thread stop.
    static STOP_AFTER: std::cell::Cell<Option<Step>> = const { std::cell::Cell::new(None) };
}

/// A step is done: in tests, stop here if asked to.
fn reached(step: Step) -> Result<(), StoreError> {
    #[cfg(test)]
    if STOP_AFTER.get() == Some(step) {
        return Err(StoreError::Io(std::io::Error::other(format!(
            "the rotation was stopped after {step:?}"
        ))));
    }
    let _ = step;
    Ok(())
}

/// Re-encrypts the database under `key` and empties the write-ahead log, so
/// that no page under the old key is left in it.
fn rekey(conn: &Connection, key: &DbKey) -> Result<(), StoreError> {
    let sql = Zeroizing::new(format!(
        "PRAGMA rekey = \"{}\";",
        key.sqlcipher_literal().as_str()
    ));
    conn.execute_batch(&sql)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

impl Store {
    /// Replaces the database key, with `slots` as the new slot list and
    /// `change` (the account change and its audit entry) committed between
    /// writing the pending key and re-encrypting; see the module
    /// documentation for the steps. The caller holds [`SoleHandle`].
    ///
    /// Account slots still in format 1 cannot hold the new key and are
    /// dropped ([`Store::accounts_without_keyslot`] names them); a recovery
    /// slot in format 1 refuses the rotation with
    /// [`StoreError::OldRecoverySlot`], since the recovery code must go on
    /// opening the store.
    pub(super) fn rotate(
        &mut self,
        mut slots: KeyslotFile,
        detail: &str,
        change: impl FnOnce(&Connection) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if slots.recovery_slot().is_some_and(|s| s.is_legacy()) {
            return Err(StoreError::OldRecoverySlot);
        }
        let new_key = DbKey::generate();
        slots.drop_legacy_account_slots();
        slots.seal(&self.key)?;
        slots.seal_pending(&new_key)?;

        let tx = self.conn.unchecked_transaction()?;
        change(&tx)?;
        self.audit(&tx, AuditAction::Account, None, detail)?;
        slots.write_copy(&self.dir, KEYSLOTS_BACKUP_FILE)?;
        reached(Step::PendingInBackup)?;
        slots.write_copy(&self.dir, KEYSLOTS_FILE)?;
        reached(Step::PendingWritten)?;
        tx.commit()?;
        self.slots = slots.clone();
        reached(Step::ChangeCommitted)?;

        rekey(&self.conn, &new_key)?;
        self.key = new_key;
        reached(Step::Rekeyed)?;

        slots.promote_pending();
        slots.write_copy(&self.dir, KEYSLOTS_BACKUP_FILE)?;
        reached(Step::CurrentInBackup)?;
        slots.write_copy(&self.dir, KEYSLOTS_FILE)?;
        self.slots = slots;
        Ok(())
    }

    /// The keyslot file as it is on disk when its current key is this
    /// handle's (another process may have added an account or changed a
    /// password since this handle read it); otherwise the copy this handle
    /// read and checked at unlock. A file changed by someone without the key
    /// is so never trusted, and is overwritten at the next write.
    pub(super) fn slots_on_disk(&self) -> KeyslotFile {
        match KeyslotFile::read(&self.dir) {
            Ok(Some(file)) if file.is_bound_to(&self.key) => file,
            _ => self.slots.clone(),
        }
    }

    /// At unlock, once `which` key has opened the database: finishes a
    /// rotation that a stopped process left.
    ///
    /// Opened with the pending key, the database was re-encrypted: the
    /// pending key becomes current. A pending key left while the current
    /// one still opens the database, or a slot whose account was removed
    /// or disabled in the database, means a rotation is owed: it is made
    /// now with a fresh key when this is the only handle, else left for a
    /// later unlock. Errors are returned for the caller to set aside: an
    /// unlock does not fail for them.
    pub(super) fn finish_rotation(&mut self, which: WhichKey) -> Result<(), StoreError> {
        if which == WhichKey::Pending {
            let mut slots = self.slots.clone();
            slots.promote_pending();
            slots.write(&self.dir)?;
            self.slots = slots;
        }
        if !self.slots.rotation_pending() && !self.retire_stale_slots(&mut self.slots.clone())? {
            return Ok(());
        }
        let Ok(_sole) = self.lock.sole(&self.dir) else {
            return Ok(());
        };
        let mut slots = self.slots_on_disk();
        self.retire_stale_slots(&mut slots)?;
        self.rotate(slots, "rotate key", |_| Ok(()))
    }

    /// Removes from `slots` the slots of accounts the database no longer
    /// has, and marks disabled those of accounts it has disabled; true when
    /// anything changed. (A process stopped between the two would leave
    /// them; the account change is the truth.)
    fn retire_stale_slots(&self, slots: &mut KeyslotFile) -> Result<bool, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT disabled FROM accounts WHERE name = ?1")?;
        let mut changed = false;
        let names: Vec<(String, bool)> = slots
            .slots
            .iter()
            .filter_map(|s| s.owner.account().map(|n| (n.to_owned(), s.disabled)))
            .collect();
        for (name, slot_disabled) in names {
            let disabled: Option<i64> = stmt.query_row([&name], |r| r.get(0)).optional()?;
            match disabled {
                None => {
                    slots.remove_account(&name);
                    changed = true;
                }
                Some(d) if d != 0 && !slot_disabled => {
                    slots.set_disabled(&name, true);
                    changed = true;
                }
                Some(_) => {}
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests;
