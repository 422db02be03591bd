//! Keys and keyslots (鍵スロット), LUKS-style.
//!
//! The database key is 32 random bytes. It is stored only wrapped
//! (XChaCha20-Poly1305), once per account and once for the recovery code:
//!
//! - an account's key-encryption key is HKDF-SHA256 over Argon2id(password),
//!   salted with the device secret from the keychain — a copied data folder
//!   alone cannot be attacked with password guesses;
//! - the recovery key-encryption key is HKDF-SHA256 over Argon2id(recovery
//!   code) alone, so losing the keychain entry does not lose the data.
//!
//! The slots live in `keyslots.json` beside the database, written
//! atomically, with a second copy in `keyslots.backup.json`: a damaged or
//! missing keyslot file does not lock anyone out while its copy is whole.
//! `store.id` beside them holds the store's id in plain text, so that a key
//! file from another store is named as such rather than taken for a damaged
//! database.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::keychain::DeviceSecret;

/// The file holding the keyslots, beside the database.
pub const KEYSLOTS_FILE: &str = "keyslots.json";

/// The second copy of [`KEYSLOTS_FILE`], read when the first is missing,
/// unreadable or damaged.
pub const KEYSLOTS_BACKUP_FILE: &str = "keyslots.backup.json";

/// The store's id (a UUID, not secret) in plain text, beside the database.
/// A keyslot file whose `store_id` differs belongs to another store.
pub const STORE_ID_FILE: &str = "store.id";

/// The 32-byte database key. Zeroed on drop, never printed.
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        Self(key)
    }

    /// A second copy, for a second connection to the same store.
    pub(crate) fn duplicate(&self) -> Self {
        Self(self.0.clone())
    }

    /// The key as SQLCipher's raw-key literal: `x'…'` (64 hex digits).
    pub fn sqlcipher_literal(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        for b in self.0.iter() {
            s.push_str(&format!("{b:02x}"));
        }
        s.push('\'');
        s
    }
}

/// Argon2id cost parameters, kept in each slot so they can be raised later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The parameters new stores use: 64 MiB, 3 passes, 1 lane (RFC 9106's
    /// second recommended option is 64 MiB / 3 passes). See BENCHMARKS.md for
    /// the unlock time this gives.
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// The cheapest parameters Argon2 accepts: only for tests that unlock
    /// hundreds of times. Never use for real data.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };

    /// The most memory a keyslot may ask for: 1 GiB (16 times
    /// [`KdfParams::DEFAULT`]). The parameters come from a file anyone with
    /// the data folder can edit; without a ceiling, a damaged or hostile
    /// file would make an unlock allocate up to 4 TiB and abort the app.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;

    /// The most passes a keyslot may ask for (the default is 3): more would
    /// hold the login screen for minutes.
    pub const MAX_ITERATIONS: u32 = 16;

    /// The most lanes a keyslot may ask for; Argon2 allocates per lane.
    pub const MAX_PARALLELISM: u32 = 16;

    /// Refuses parameters outside the bounds above or below Argon2's own
    /// minimums (1 pass, 1 lane, 8 KiB per lane).
    pub fn check(&self) -> Result<(), KeyError> {
        let lanes_ok = (1..=Self::MAX_PARALLELISM).contains(&self.parallelism);
        let passes_ok = (1..=Self::MAX_ITERATIONS).contains(&self.iterations);
        let memory_ok = self.memory_kib <= Self::MAX_MEMORY_KIB
            && self.memory_kib >= self.parallelism.max(1).saturating_mul(8);
        if lanes_ok && passes_ok && memory_ok {
            Ok(())
        } else {
            Err(KeyError::KdfOutOfBounds {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                parallelism: self.parallelism,
            })
        }
    }

    fn derive(&self, secret: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        self.check()?;
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|_| KeyError::Malformed)?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(secret, salt, out.as_mut())
            .map_err(|_| KeyError::Malformed)?;
        Ok(out)
    }
}

/// What a slot is opened with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlotOwner {
    /// An account's password, mixed with the device secret.
    Account {
        /// The account's login name.
        name: String,
    },
    /// The recovery code shown once at set-up.
    Recovery,
}

/// One wrapped copy of the database key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Keyslot {
    /// Who opens it.
    #[serde(flatten)]
    pub owner: SlotOwner,
    /// Argon2id cost.
    pub kdf: KdfParams,
    /// Argon2 salt (base64).
    salt: String,
    /// XChaCha20 nonce (base64).
    nonce: String,
    /// The wrapped key with its tag (base64).
    wrapped: String,
}

/// The keyslot file: the store's id and its slots.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyslotFile {
    /// Format version of this file.
    pub format: u32,
    /// The store's id; names the device secret in the keychain.
    pub store_id: String,
    /// The slots.
    pub slots: Vec<Keyslot>,
}

/// Why a key could not be unwrapped or kept.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The secret given does not open the slot.
    #[error("wrong password or recovery code")]
    WrongSecret,
    /// There is no slot for this account.
    #[error("no such account")]
    NoSlot,
    /// Neither the keyslot file nor its backup is one this program wrote
    /// (truncated, edited, another format).
    #[error(
        "the key file of this store (keyslots.json, and its backup if any) is damaged; \
         restore the data folder from a backup"
    )]
    Malformed,
    /// A keyslot asks for Argon2 costs outside [`KdfParams::check`]'s
    /// bounds; nothing was allocated.
    #[error(
        "the key file of this store asks for unlock settings Tsunagi does not allow \
         ({memory_kib} KiB of memory, {iterations} passes, {parallelism} lanes): \
         it is damaged or was not written by Tsunagi"
    )]
    KdfOutOfBounds {
        /// The memory asked for, in KiB.
        memory_kib: u32,
        /// The passes asked for.
        iterations: u32,
        /// The lanes asked for.
        parallelism: u32,
    },
    /// The keyslot file names another store than the `store.id` beside the
    /// database: it was copied from another data folder.
    #[error(
        "the key file (keyslots.json) belongs to another store, not to the case database \
         beside it: put back this store's own key file, or restore the whole data folder \
         from one backup"
    )]
    BelongsToAnotherStore,
    /// The keyslot file could not be read or written.
    #[error("the key file of this store could not be read or written: {0}")]
    Io(#[from] std::io::Error),
}

/// The recovery code (復旧コード): 25 characters of Crockford base32 (125
/// bits), shown once at set-up in groups of five.
pub struct RecoveryCode(Zeroizing<String>);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl RecoveryCode {
    /// A fresh random code.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 25]);
        OsRng.fill_bytes(bytes.as_mut());
        Self(Zeroizing::new(
            bytes
                .iter()
                .map(|b| CROCKFORD[(b % 32) as usize] as char)
                .collect(),
        ))
    }

    /// Reads a code as a person types it: any case, with or without dashes
    /// and spaces, O for 0 and I/L for 1.
    pub fn parse(text: &str) -> Option<Self> {
        let mut code = Zeroizing::new(String::with_capacity(25));
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ' | '\t')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c if CROCKFORD.contains(&(c as u8)) && c.is_ascii() => c,
                _ => return None,
            };
            code.push(c);
        }
        (code.len() == 25).then_some(Self(code))
    }

    /// The code as shown to the user: `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`.
    pub fn display(&self) -> Zeroizing<String> {
        let groups: Vec<&str> = (0..5).map(|i| &self.0[i * 5..i * 5 + 5]).collect();
        Zeroizing::new(groups.join("-"))
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl KeyslotFile {
    /// A new keyslot file for a new store.
    pub fn new(store_id: String) -> Self {
        Self {
            format: 1,
            store_id,
            slots: Vec::new(),
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

    /// Checks what can be checked without a secret: the format, every slot's
    /// Argon2 costs and the sizes of its salt, nonce and wrapped key.
    fn check(&self) -> Result<(), KeyError> {
        if self.format != 1 || self.store_id.is_empty() {
            return Err(KeyError::Malformed);
        }
        for slot in &self.slots {
            slot.kdf.check()?;
            let decodes_to =
                |field: &str, len: usize| B64.decode(field).is_ok_and(|bytes| bytes.len() == len);
            if !(decodes_to(&slot.salt, 16)
                && decodes_to(&slot.nonce, 24)
                && decodes_to(&slot.wrapped, 32 + 16))
            {
                return Err(KeyError::Malformed);
            }
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
        let bytes = self.to_bytes();
        write_atomically(dir, KEYSLOTS_BACKUP_FILE, &bytes)?;
        write_atomically(dir, KEYSLOTS_FILE, &bytes)?;
        Ok(())
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

    /// The slot of account `name`.
    pub fn account_slot(&self, name: &str) -> Option<&Keyslot> {
        self.slots
            .iter()
            .find(|s| matches!(&s.owner, SlotOwner::Account { name: n } if n == name))
    }

    /// Adds or replaces the slot for `owner`.
    pub fn put(&mut self, slot: Keyslot) {
        self.slots.retain(|s| s.owner != slot.owner);
        self.slots.push(slot);
    }

    /// Removes the slot of account `name`.
    pub fn remove_account(&mut self, name: &str) {
        self.slots.retain(|s| {
            s.owner
                != SlotOwner::Account {
                    name: name.to_owned(),
                }
        });
    }

    fn aad(&self, owner: &SlotOwner) -> Vec<u8> {
        let who = match owner {
            SlotOwner::Account { name } => format!("account:{name}"),
            SlotOwner::Recovery => "recovery".to_owned(),
        };
        format!("tsunagi-keyslot-v1\0{}\0{who}", self.store_id).into_bytes()
    }

    /// Wraps `key` for an account's password and the device secret.
    pub fn seal_for_account(
        &self,
        name: &str,
        password: &str,
        device: &DeviceSecret,
        key: &DbKey,
        kdf: KdfParams,
    ) -> Result<Keyslot, KeyError> {
        let owner = SlotOwner::Account {
            name: name.to_owned(),
        };
        self.seal(owner, password.as_bytes(), Some(device), key, kdf)
    }

    /// Wraps `key` for the recovery code.
    pub fn seal_for_recovery(
        &self,
        code: &RecoveryCode,
        key: &DbKey,
        kdf: KdfParams,
    ) -> Result<Keyslot, KeyError> {
        self.seal(SlotOwner::Recovery, code.as_bytes(), None, key, kdf)
    }

    /// Unwraps the key from account `name`'s slot.
    pub fn open_account(
        &self,
        name: &str,
        password: &str,
        device: &DeviceSecret,
    ) -> Result<DbKey, KeyError> {
        let slot = self.account_slot(name).ok_or(KeyError::NoSlot)?;
        self.open(slot, password.as_bytes(), Some(device))
    }

    /// Unwraps the key with the recovery code.
    pub fn open_recovery(&self, code: &RecoveryCode) -> Result<DbKey, KeyError> {
        let slot = self
            .slots
            .iter()
            .find(|s| s.owner == SlotOwner::Recovery)
            .ok_or(KeyError::NoSlot)?;
        self.open(slot, code.as_bytes(), None)
    }

    fn seal(
        &self,
        owner: SlotOwner,
        secret: &[u8],
        device: Option<&DeviceSecret>,
        key: &DbKey,
        kdf: KdfParams,
    ) -> Result<Keyslot, KeyError> {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let kek = kek(kdf, secret, &salt, device)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let aad = self.aad(&owner);
        let wrapped = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key.0.as_ref(),
                    aad: &aad,
                },
            )
            .map_err(|_| KeyError::Malformed)?;
        Ok(Keyslot {
            owner,
            kdf,
            salt: B64.encode(salt),
            nonce: B64.encode(nonce),
            wrapped: B64.encode(wrapped),
        })
    }

    fn open(
        &self,
        slot: &Keyslot,
        secret: &[u8],
        device: Option<&DeviceSecret>,
    ) -> Result<DbKey, KeyError> {
        let salt = B64.decode(&slot.salt).map_err(|_| KeyError::Malformed)?;
        let nonce = B64.decode(&slot.nonce).map_err(|_| KeyError::Malformed)?;
        let wrapped = B64.decode(&slot.wrapped).map_err(|_| KeyError::Malformed)?;
        if nonce.len() != 24 {
            return Err(KeyError::Malformed);
        }
        let kek = kek(slot.kdf, secret, &salt, device)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let aad = self.aad(&slot.owner);
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &wrapped,
                        aad: &aad,
                    },
                )
                .map_err(|_| KeyError::WrongSecret)?,
        );
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Malformed)?;
        Ok(DbKey(Zeroizing::new(key)))
    }
}

/// Writes `dir/name` through a temp file: write, fsync, rename, fsync the
/// folder. Afterwards the file holds either its old or its new bytes. The
/// temp file's name is random, so two processes writing at once (the app and
/// a command) never write into each other's.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = dir.join(format!("{name}.{:016x}.tmp", OsRng.next_u64()));
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, dir.join(name))
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Writes `store.id` atomically: the store's id and a newline.
pub fn write_store_id(dir: &Path, store_id: &str) -> Result<(), KeyError> {
    write_atomically(dir, STORE_ID_FILE, format!("{store_id}\n").as_bytes())
}

/// The id in `dir/store.id`; `None` when the file is missing, unreadable or
/// does not hold a UUID (then nothing is checked against it).
pub fn read_store_id(dir: &Path) -> Option<String> {
    let mut text = String::new();
    fs::File::open(dir.join(STORE_ID_FILE))
        .ok()?
        .take(64)
        .read_to_string(&mut text)
        .ok()?;
    let id = text.trim();
    uuid::Uuid::parse_str(id).ok().map(|_| id.to_owned())
}

fn kek(
    kdf: KdfParams,
    secret: &[u8],
    salt: &[u8],
    device: Option<&DeviceSecret>,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let stretched = kdf.derive(secret, salt)?;
    let (hkdf_salt, info): (Option<&[u8]>, &[u8]) = match device {
        Some(d) => (Some(d.as_bytes()), b"tsunagi password keyslot v1"),
        None => (None, b"tsunagi recovery keyslot v1"),
    };
    let mut out = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(hkdf_salt, stretched.as_ref())
        .expand(info, out.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::INSECURE_FOR_TESTS;

    #[test]
    fn account_slot_opens_only_with_the_right_password_and_device_secret() {
        let file = KeyslotFile::new("s".into());
        let key = DbKey::generate();
        let device = DeviceSecret::generate();
        let slot = file
            .seal_for_account("admin", "correct horse", &device, &key, FAST)
            .expect("seal");
        let mut file = file;
        file.put(slot);
        let opened = file
            .open_account("admin", "correct horse", &device)
            .expect("opens");
        assert_eq!(opened.0.as_ref(), key.0.as_ref());
        assert!(matches!(
            file.open_account("admin", "wrong", &device),
            Err(KeyError::WrongSecret)
        ));
        let other_device = DeviceSecret::generate();
        assert!(matches!(
            file.open_account("admin", "correct horse", &other_device),
            Err(KeyError::WrongSecret)
        ));
    }

    #[test]
    fn a_slot_copied_to_another_account_does_not_open() {
        let mut file = KeyslotFile::new("s".into());
        let key = DbKey::generate();
        let device = DeviceSecret::generate();
        let mut slot = file
            .seal_for_account("alice", "pw", &device, &key, FAST)
            .expect("seal");
        slot.owner = SlotOwner::Account {
            name: "mallory".into(),
        };
        file.put(slot);
        assert!(matches!(
            file.open_account("mallory", "pw", &device),
            Err(KeyError::WrongSecret)
        ));
    }

    #[test]
    fn recovery_code_opens_without_the_device_secret() {
        let mut file = KeyslotFile::new("s".into());
        let key = DbKey::generate();
        let code = RecoveryCode::generate();
        file.put(file.seal_for_recovery(&code, &key, FAST).expect("seal"));
        let typed = code.display().to_lowercase().replace('-', " ");
        let parsed = RecoveryCode::parse(&typed).expect("parses as typed");
        assert_eq!(
            file.open_recovery(&parsed).expect("opens").0.as_ref(),
            key.0.as_ref()
        );
        let wrong = RecoveryCode::generate();
        assert!(matches!(
            file.open_recovery(&wrong),
            Err(KeyError::WrongSecret)
        ));
    }

    #[test]
    fn argon2_costs_outside_the_bounds_are_refused_before_anything_is_derived() {
        let key = DbKey::generate();
        let device = DeviceSecret::generate();
        let bad = [
            KdfParams {
                memory_kib: u32::MAX - 1,
                ..FAST
            },
            KdfParams {
                memory_kib: KdfParams::MAX_MEMORY_KIB + 1,
                ..FAST
            },
            KdfParams {
                iterations: u32::MAX,
                ..FAST
            },
            KdfParams {
                iterations: 0,
                ..FAST
            },
            KdfParams {
                parallelism: 0,
                ..FAST
            },
            KdfParams {
                parallelism: u32::MAX,
                ..FAST
            },
            KdfParams {
                memory_kib: 17 * 8,
                parallelism: 17,
                ..FAST
            },
            // Less than Argon2's 8 KiB per lane.
            KdfParams {
                memory_kib: 8,
                parallelism: 4,
                ..FAST
            },
        ];
        for kdf in bad {
            let mut file = KeyslotFile::new("s".into());
            assert!(
                matches!(
                    file.seal_for_account("admin", "pw", &device, &key, kdf),
                    Err(KeyError::KdfOutOfBounds { .. })
                ),
                "{kdf:?} seals"
            );
            let mut slot = file
                .seal_for_account("admin", "pw", &device, &key, FAST)
                .expect("seal");
            slot.kdf = kdf;
            file.put(slot);
            match file.open_account("admin", "pw", &device) {
                Err(KeyError::KdfOutOfBounds {
                    memory_kib,
                    iterations,
                    parallelism,
                }) => assert_eq!(
                    (memory_kib, iterations, parallelism),
                    (kdf.memory_kib, kdf.iterations, kdf.parallelism)
                ),
                other => panic!("{kdf:?} gave {:?}", other.map(|_| "a key")),
            }
        }
        let most = KdfParams {
            memory_kib: KdfParams::MAX_MEMORY_KIB,
            iterations: KdfParams::MAX_ITERATIONS,
            parallelism: KdfParams::MAX_PARALLELISM,
        };
        for good in [KdfParams::DEFAULT, KdfParams::INSECURE_FOR_TESTS, most] {
            good.check().expect("within bounds");
        }
    }

    #[test]
    fn recovery_code_parse_refuses_wrong_lengths_and_letters() {
        assert!(RecoveryCode::parse("ABCDE").is_none());
        assert!(RecoveryCode::parse("UUUUU-UUUUU-UUUUU-UUUUU-UUUUU").is_none());
    }
}
