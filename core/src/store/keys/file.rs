//! The keyslot file (`keyslots.json`) and its backup: reading the copy that
//! is whole, writing both, putting back a damaged one, and the slot list
//! with the sealed keys it carries.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::sealed::SealedKey;
use super::slots::{Keyslot, Opened, SlotOwner};
use super::{
    DbKey, KdfParams, KeyError, RecoveryCode, read_store_id, write_atomically, write_store_id,
};
use crate::store::keychain::DeviceSecret;

/// The file holding the keyslots, beside the database.
pub const KEYSLOTS_FILE: &str = "keyslots.json";

/// The second copy of [`KEYSLOTS_FILE`], read when the first is missing,
/// unreadable or damaged.
pub const KEYSLOTS_BACKUP_FILE: &str = "keyslots.backup.json";

/// The format this program writes. Format 1 (slots wrapping the database
/// key itself) is still read.
const FORMAT: u32 = 2;

/// The keyslot file: the store's id, its slots, and the database key sealed
/// to them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyslotFile {
    /// Format version of this file: 2, or 1 for a file written before the
    /// database key could be rotated.
    pub format: u32,
    /// The store's id; names the device secret in the keychain.
    pub store_id: String,
    /// The slots.
    pub slots: Vec<Keyslot>,
    /// The database key, sealed to every enabled slot of format 2. Absent
    /// only in format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<SealedKey>,
    /// The key of a rotation not finished: the database may already be
    /// encrypted under it. See the module documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<SealedKey>,
}

/// Which of the file's keys a key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhichKey {
    /// The current key.
    Current,
    /// The key of a rotation not finished.
    Pending,
}

impl KeyslotFile {
    /// A new keyslot file for a new store.
    pub fn new(store_id: String) -> Self {
        Self {
            format: FORMAT,
            store_id,
            slots: Vec::new(),
            key: None,
            pending: None,
        }
    }

    /// Reads the keyslots of the store in `dir`; `Ok(None)` when there is
    /// no store here.
    ///
    /// `keyslots.json` is read first. When it is missing, unreadable or
    /// damaged (not JSON, another format, a slot that does not decode, Argon2
    /// costs out of bounds), `keyslots.backup.json` is used instead if it is
    /// whole and names the store in `store.id` (or there is no `store.id`,
    /// as in stores set up before it existed). Which copy was used is not
    /// said: [`KeyslotFile::repair`] rewrites the other once the key has
    /// opened the database. When neither copy is usable, the error is the
    /// first copy's, or the backup's when there is no first copy.
    ///
    /// A whole `keyslots.json` naming another store than `store.id` is
    /// refused with [`KeyError::BelongsToAnotherStore`], before any password
    /// is tried.
    pub fn read(dir: &Path) -> Result<Option<Self>, KeyError> {
        let expected = read_store_id(dir);
        match Self::read_one(&dir.join(KEYSLOTS_FILE)) {
            Ok(Some(file)) => {
                if expected.as_ref().is_some_and(|id| *id != file.store_id) {
                    return Err(KeyError::BelongsToAnotherStore);
                }
                Ok(Some(file))
            }
            first => match (first, Self::read_one(&dir.join(KEYSLOTS_BACKUP_FILE))) {
                (_, Ok(Some(backup)))
                    if expected.as_ref().is_none_or(|id| *id == backup.store_id) =>
                {
                    Ok(Some(backup))
                }
                // No keyslot file: what is wrong with the backup is the news.
                (Ok(None), Ok(Some(_))) => Err(KeyError::BelongsToAnotherStore),
                (Ok(None), Err(backup_error)) => Err(backup_error),
                (first, _) => first,
            },
        }
    }

    /// Reads and checks one copy; `Ok(None)` when it does not exist.
    fn read_one(path: &Path) -> Result<Option<Self>, KeyError> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let file: Self = serde_json::from_slice(&bytes).map_err(|_| KeyError::Malformed)?;
        file.check()?;
        Ok(Some(file))
    }

    /// Checks what can be checked without a secret: the format, every slot
    /// ([`Keyslot::check`]) and the sealed keys' sizes. Format 1 has only
    /// slots wrapping the database key and no sealed key; format 2 has a
    /// sealed key and may still hold slots carried over from format 1.
    fn check(&self) -> Result<(), KeyError> {
        let shape_ok = match self.format {
            1 => self.key.is_none() && self.pending.is_none(),
            FORMAT => self.key.is_some(),
            _ => false,
        };
        if !shape_ok || self.store_id.is_empty() {
            return Err(KeyError::Malformed);
        }
        for slot in &self.slots {
            slot.check()?;
            if self.format == 1 && !slot.is_legacy() {
                return Err(KeyError::Malformed);
            }
        }
        for sealed in self.key.iter().chain(&self.pending) {
            sealed.check()?;
        }
        Ok(())
    }

    /// Writes `keyslots.backup.json`, then `keyslots.json`, each atomically
    /// (temp file, fsync, rename, fsync the folder), so that at every moment
    /// at least one whole copy is on disk.
    ///
    /// The backup goes first so that `keyslots.json` is still the last file
    /// set-up writes: a set-up that fails before it leaves no store. If the
    /// process stops between the two renames, `keyslots.json` is the older
    /// copy and is the one read; the next unlock brings the backup back in
    /// line with it.
    pub fn write(&self, dir: &Path) -> Result<(), KeyError> {
        self.write_copy(dir, KEYSLOTS_BACKUP_FILE)?;
        self.write_copy(dir, KEYSLOTS_FILE)
    }

    /// Writes one copy (`name` is [`KEYSLOTS_FILE`] or
    /// [`KEYSLOTS_BACKUP_FILE`]) atomically: for a rotation, which stops
    /// between the two copies in its tests.
    pub(crate) fn write_copy(&self, dir: &Path, name: &str) -> Result<(), KeyError> {
        write_atomically(dir, name, &self.to_bytes())
    }

    /// After this file's key has opened the database (so it is this
    /// store's, and whole): puts it back where `keyslots.json` or its backup
    /// is missing or damaged, brings a backup that differs from an identical
    /// `keyslots.json` in line, and writes `store.id` where it is missing.
    /// This is how a damaged copy is replaced by the good one and how a
    /// store set up before the backup existed gains one.
    ///
    /// A whole `keyslots.json` that differs from this one is left alone: it
    /// may have been written since this one was read (another process adding
    /// an account), and the newer file must not be overwritten by the older.
    pub fn repair(&self, dir: &Path) -> Result<(), KeyError> {
        let bytes = self.to_bytes();
        let usable = |name: &str| matches!(Self::read_one(&dir.join(name)), Ok(Some(_)));
        let same = |name: &str| fs::read(dir.join(name)).is_ok_and(|on_disk| on_disk == bytes);
        if !usable(KEYSLOTS_BACKUP_FILE) || (!same(KEYSLOTS_BACKUP_FILE) && same(KEYSLOTS_FILE)) {
            write_atomically(dir, KEYSLOTS_BACKUP_FILE, &bytes)?;
        }
        if !usable(KEYSLOTS_FILE) {
            write_atomically(dir, KEYSLOTS_FILE, &bytes)?;
        }
        if read_store_id(dir).is_none() {
            write_store_id(dir, &self.store_id)?;
        }
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("keyslot file serialises")
    }

    // ─────────────────────────────── slots ───────────────────────────────

    /// The slot of account `name`.
    pub fn account_slot(&self, name: &str) -> Option<&Keyslot> {
        self.slots
            .iter()
            .find(|s| s.owner.account().is_some_and(|n| n == name))
    }

    /// The recovery slot.
    pub fn recovery_slot(&self) -> Option<&Keyslot> {
        self.slots.iter().find(|s| s.owner == SlotOwner::Recovery)
    }

    /// Adds or replaces the slot for `slot.owner`. Seal the key again
    /// ([`KeyslotFile::seal`]) before writing.
    pub fn put(&mut self, slot: Keyslot) {
        self.slots.retain(|s| s.owner != slot.owner);
        self.slots.push(slot);
    }

    /// Removes the slot of account `name`.
    pub fn remove_account(&mut self, name: &str) {
        self.slots
            .retain(|s| s.owner.account().is_none_or(|n| n != name));
    }

    /// Marks the slot of account `name` disabled or enabled; false when it
    /// has no slot. A slot carried over from format 1 cannot stay disabled
    /// (it wraps the key itself): it is removed instead.
    pub fn set_disabled(&mut self, name: &str, disabled: bool) -> bool {
        let Some(slot) = self
            .slots
            .iter_mut()
            .find(|s| s.owner.account().is_some_and(|n| n == name))
        else {
            return false;
        };
        if disabled && slot.is_legacy() {
            self.remove_account(name);
            return true;
        }
        slot.disabled = disabled;
        true
    }

    /// Removes the account slots still in format 1, which cannot hold a new
    /// key, and returns their accounts' names. The recovery slot is kept.
    pub fn drop_legacy_account_slots(&mut self) -> Vec<String> {
        let dropped = self
            .slots
            .iter()
            .filter(|s| s.is_legacy())
            .filter_map(|s| s.owner.account().map(str::to_owned))
            .collect();
        self.slots
            .retain(|s| !(s.is_legacy() && s.owner != SlotOwner::Recovery));
        dropped
    }

    /// A new slot for account `name`, with a fresh identity. Put it in
    /// ([`KeyslotFile::put`]) and seal the key again.
    pub fn new_account_slot(
        &self,
        name: &str,
        password: &str,
        device: &DeviceSecret,
        kdf: KdfParams,
    ) -> Result<Keyslot, KeyError> {
        let owner = SlotOwner::Account {
            name: name.to_owned(),
        };
        Keyslot::new(
            &self.store_id,
            owner,
            password.as_bytes(),
            Some(device),
            kdf,
        )
    }

    /// A new recovery slot, with a fresh identity.
    pub fn new_recovery_slot(
        &self,
        code: &RecoveryCode,
        kdf: KdfParams,
    ) -> Result<Keyslot, KeyError> {
        Keyslot::new(
            &self.store_id,
            SlotOwner::Recovery,
            code.as_bytes(),
            None,
            kdf,
        )
    }

    /// Opens account `name`'s slot.
    pub fn open_account(
        &self,
        name: &str,
        password: &str,
        device: &DeviceSecret,
    ) -> Result<Opened, KeyError> {
        let slot = self.account_slot(name).ok_or(KeyError::NoSlot)?;
        slot.open(&self.store_id, password.as_bytes(), Some(device))
    }

    /// Opens the recovery slot.
    pub fn open_recovery(&self, code: &RecoveryCode) -> Result<Opened, KeyError> {
        let slot = self.recovery_slot().ok_or(KeyError::NoSlot)?;
        slot.open(&self.store_id, code.as_bytes(), None)
    }

    // ─────────────────────────────── keys ────────────────────────────────

    /// The keys an opened slot gives, to try on the database in this order:
    /// the current key, then the pending one. A key whose binding does not
    /// match this file's slot list is left out. [`KeyError::Tampered`] when
    /// none is left: the slot opened, but nothing sealed here is meant for
    /// it.
    pub fn keys(&self, opened: &Opened) -> Result<Vec<(DbKey, WhichKey)>, KeyError> {
        let list = self.list();
        let identity = match opened {
            Opened::Legacy(key) => {
                // A slot of format 1 wraps the current key itself; in a file
                // of format 2 that key must also bind the slot list.
                return match &self.key {
                    Some(sealed) if !sealed.binds(key, &list) => Err(KeyError::Tampered),
                    _ => Ok(vec![(key.duplicate(), WhichKey::Current)]),
                };
            }
            Opened::Identity(identity) => identity,
        };
        let mut keys = Vec::new();
        let mut damaged = None;
        for (sealed, which) in [
            (&self.key, WhichKey::Current),
            (&self.pending, WhichKey::Pending),
        ] {
            let Some(sealed) = sealed else { continue };
            match sealed.open(identity) {
                Ok(Some(key)) if sealed.binds(&key, &list) => keys.push((key, which)),
                Ok(_) => {}
                Err(e) => damaged = damaged.or(Some(e)),
            }
        }
        if keys.is_empty() {
            Err(damaged.unwrap_or(KeyError::Tampered))
        } else {
            Ok(keys)
        }
    }

    /// Whether this file's current key is `key` and binds its slot list:
    /// the file can be trusted by a holder of `key` without any password.
    pub fn is_bound_to(&self, key: &DbKey) -> bool {
        self.key
            .as_ref()
            .is_some_and(|sealed| sealed.binds(key, &self.list()))
    }

    /// Seals `key` as the current key to every enabled slot of format 2 and
    /// binds the slot list to it; the file is then of format 2. A pending
    /// key is kept as it is: it marks a rotation still owed.
    pub fn seal(&mut self, key: &DbKey) -> Result<(), KeyError> {
        self.format = FORMAT;
        self.key = Some(self.sealed(key)?);
        Ok(())
    }

    /// Seals `key` as the pending key of a rotation, beside the current one.
    pub fn seal_pending(&mut self, key: &DbKey) -> Result<(), KeyError> {
        self.pending = Some(self.sealed(key)?);
        Ok(())
    }

    /// Makes the pending key the current one, once the database is
    /// encrypted under it; false when there is none.
    pub fn promote_pending(&mut self) -> bool {
        match self.pending.take() {
            Some(pending) => {
                self.key = Some(pending);
                true
            }
            None => false,
        }
    }

    /// Whether a rotation was begun and not finished.
    pub fn rotation_pending(&self) -> bool {
        self.pending.is_some()
    }

    fn sealed(&self, key: &DbKey) -> Result<SealedKey, KeyError> {
        let recipients: Vec<&str> = self.slots.iter().filter_map(Keyslot::sealed_to).collect();
        if recipients.is_empty() {
            // Never reached: the slot being used to unlock is always among
            // them. Sealing to no one would lock everyone out.
            return Err(KeyError::Malformed);
        }
        SealedKey::seal(key, &recipients, &self.list())
    }

    /// The slot list as the binding covers it: the store, then each slot's
    /// owner, recipient and whether it is disabled, in file order.
    fn list(&self) -> Vec<u8> {
        let mut list = format!("tsunagi keyslot list v2\0{}\n", self.store_id);
        for slot in &self.slots {
            list.push_str(&slot.list_entry());
        }
        list.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::super::slots::legacy_slot;
    use super::*;

    const FAST: KdfParams = KdfParams::INSECURE_FOR_TESTS;

    fn opened_key(file: &KeyslotFile, opened: &Opened) -> DbKey {
        let mut keys = file.keys(opened).expect("keys");
        keys.remove(0).0
    }

    #[test]
    fn every_enabled_slot_opens_the_current_key() {
        let device = DeviceSecret::generate();
        let code = RecoveryCode::generate();
        let key = DbKey::generate();
        let mut file = KeyslotFile::new("s".into());
        for name in ["admin", "worker"] {
            file.put(
                file.new_account_slot(name, "pw", &device, FAST)
                    .expect("slot"),
            );
        }
        file.put(file.new_recovery_slot(&code, FAST).expect("slot"));
        file.seal(&key).expect("seals");
        for name in ["admin", "worker"] {
            let opened = file.open_account(name, "pw", &device).expect("opens");
            assert_eq!(opened_key(&file, &opened).0.as_ref(), key.0.as_ref());
        }
        let opened = file.open_recovery(&code).expect("opens");
        assert_eq!(opened_key(&file, &opened).0.as_ref(), key.0.as_ref());
        assert!(file.is_bound_to(&key));
        assert!(!file.is_bound_to(&DbKey::generate()));
    }

    #[test]
    fn a_recipient_added_to_the_file_without_the_key_is_refused() {
        let device = DeviceSecret::generate();
        let key = DbKey::generate();
        let mut file = KeyslotFile::new("s".into());
        file.put(
            file.new_account_slot("admin", "pw", &device, FAST)
                .expect("slot"),
        );
        file.seal(&key).expect("seals");
        // Someone who can write the folder, not holding the key, adds a slot
        // of their own, hoping the next rotation seals to it.
        let mallory = file
            .new_account_slot("mallory", "pw", &device, FAST)
            .expect("slot");
        file.slots.push(mallory);
        assert!(!file.is_bound_to(&key));
        let opened = file.open_account("admin", "pw", &device).expect("opens");
        assert!(matches!(file.keys(&opened), Err(KeyError::Tampered)));
    }

    #[test]
    fn a_disabled_slot_is_not_sealed_to_and_is_told_so() {
        let device = DeviceSecret::generate();
        let key = DbKey::generate();
        let mut file = KeyslotFile::new("s".into());
        for name in ["admin", "worker"] {
            file.put(
                file.new_account_slot(name, "pw", &device, FAST)
                    .expect("slot"),
            );
        }
        file.seal(&key).expect("seals");
        let before = file.clone();
        assert!(file.set_disabled("worker", true));
        file.seal(&key).expect("seals");
        assert!(matches!(
            file.open_account("worker", "pw", &device),
            Err(KeyError::Disabled)
        ));
        // Even with the flag cleared by hand, the key is not sealed to it.
        file.slots.iter_mut().for_each(|slot| slot.disabled = false);
        let opened = file.open_account("worker", "pw", &device).expect("opens");
        assert!(matches!(file.keys(&opened), Err(KeyError::Tampered)));
        // The copy from before still opens the same key: only a rotation
        // makes it useless.
        let opened = before.open_account("worker", "pw", &device).expect("opens");
        assert_eq!(opened_key(&before, &opened).0.as_ref(), key.0.as_ref());
    }

    #[test]
    fn a_pending_key_is_offered_after_the_current_one() {
        let device = DeviceSecret::generate();
        let (old, new) = (DbKey::generate(), DbKey::generate());
        let mut file = KeyslotFile::new("s".into());
        file.put(
            file.new_account_slot("admin", "pw", &device, FAST)
                .expect("slot"),
        );
        file.seal(&old).expect("seals");
        file.seal_pending(&new).expect("seals");
        assert!(file.rotation_pending());
        let opened = file.open_account("admin", "pw", &device).expect("opens");
        let keys = file.keys(&opened).expect("keys");
        let got: Vec<_> = keys.iter().map(|(k, w)| (k.0.to_vec(), *w)).collect();
        assert_eq!(
            got,
            [
                (old.0.to_vec(), WhichKey::Current),
                (new.0.to_vec(), WhichKey::Pending)
            ]
        );
        assert!(file.promote_pending());
        assert!(!file.rotation_pending());
        assert!(file.is_bound_to(&new));
    }

    #[test]
    fn a_format_1_file_is_read_and_its_slots_give_the_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let device = DeviceSecret::generate();
        let key = DbKey::generate();
        let mut file = KeyslotFile::new("s".into());
        file.format = 1;
        let owner = SlotOwner::Account {
            name: "admin".into(),
        };
        file.slots
            .push(legacy_slot("s", owner, b"pw", Some(&device), &key, FAST).expect("slot"));
        file.write(dir.path()).expect("writes");
        let read = KeyslotFile::read(dir.path())
            .expect("reads")
            .expect("exists");
        assert_eq!(read.format, 1);
        let opened = read.open_account("admin", "pw", &device).expect("opens");
        assert_eq!(opened_key(&read, &opened).0.as_ref(), key.0.as_ref());
    }

    #[test]
    fn a_file_of_an_unknown_format_or_without_its_sealed_key_is_damaged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let device = DeviceSecret::generate();
        let mut file = KeyslotFile::new("s".into());
        file.put(
            file.new_account_slot("admin", "pw", &device, FAST)
                .expect("slot"),
        );
        file.write(dir.path()).expect("writes");
        assert!(matches!(
            KeyslotFile::read(dir.path()),
            Err(KeyError::Malformed)
        ));
        file.seal(&DbKey::generate()).expect("seals");
        file.format = 3;
        file.write(dir.path()).expect("writes");
        assert!(matches!(
            KeyslotFile::read(dir.path()),
            Err(KeyError::Malformed)
        ));
    }
}
