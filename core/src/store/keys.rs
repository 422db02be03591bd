//! Keys and keyslots (鍵スロット), LUKS-style, with a database key that can
//! be replaced without anyone's password.
//!
//! The database key is 32 random bytes, the SQLCipher key of `store.db`.
//! Every slot — one per account, one for the recovery code — holds an age
//! X25519 identity of its own, wrapped (XChaCha20-Poly1305) under a
//! key-encryption key:
//!
//! - an account's key-encryption key is HKDF-SHA256 over Argon2id(password),
//!   salted with the device secret from the keychain — a copied data folder
//!   alone cannot be attacked with password guesses;
//! - the recovery key-encryption key is HKDF-SHA256 over Argon2id(recovery
//!   code) alone, so losing the keychain entry does not lose the data.
//!
//! The database key itself is stored once, sealed (an age file) to the
//! public recipient of every enabled slot. Opening a slot gives
//! its identity; the identity opens the sealed key. Replacing the database
//! key (rotation, after an account is disabled or removed or an
//! administrator resets a password) therefore needs only the slots' public
//! recipients: a fresh key is sealed to the remaining slots, SQLCipher
//! re-encrypts the database under it (`PRAGMA rekey`), and a slot that was
//! left out — or an old copy of the keyslot file — opens nothing that opens
//! the database any more. Rotation protects the live store, not old copies
//! of it: an old `store.db` still opens with a slot from the same time.
//!
//! A rotation is written in steps that a killed process can stop between
//! without locking anyone out: the new key is first written as the
//! *pending* key beside the current one, then the database is re-encrypted,
//! then the pending key becomes the current one. An unlock whose current key
//! does not open the database tries the pending one and finishes the
//! rotation; one whose current key opens it while a pending key is written
//! makes the rotation again with a fresh key (the store does that, in
//! `store::rotation`).
//!
//! The list of slots (who, which recipient, whether disabled) is bound to
//! the database key by an HMAC under a key derived from it, kept beside each
//! sealed key. Without that, anyone able to write the data folder could add
//! a recipient of their own and have the next rotation seal the key to it;
//! a list that does not match its key is refused as
//! [`KeyError::Tampered`].
//!
//! The slots live in `keyslots.json` beside the database, written
//! atomically, with a second copy in `keyslots.backup.json`: a damaged or
//! missing keyslot file does not lock anyone out while its copy is whole.
//! `store.id` beside them holds the store's id in plain text, so that a key
//! file from another store is named as such rather than taken for a damaged
//! database.
//!
//! Stores set up before rotation existed have a keyslot file of format 1,
//! whose slots wrap the database key itself. They still open; the slot used
//! is rewritten in the current format at that unlock (format 2), and the
//! others at their own next unlock. A rotation drops the account slots still
//! in the old format (their accounts need a new password from an
//! administrator) and is refused while the recovery slot is in it.

mod file;
mod sealed;
mod slots;

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use hkdf::Hkdf;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::keychain::DeviceSecret;

pub use file::{KEYSLOTS_BACKUP_FILE, KEYSLOTS_FILE, KeyslotFile, WhichKey};
pub use slots::{Keyslot, Opened, SlotOwner};

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

    fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let key: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(Self(Zeroizing::new(key)))
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

/// Why a key could not be unwrapped or kept.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The secret given does not open the slot.
    #[error("wrong password or recovery code")]
    WrongSecret,
    /// There is no slot for this account.
    #[error("no such account")]
    NoSlot,
    /// The slot opened, but it belongs to a disabled account: no key is
    /// sealed to it.
    #[error("このアカウントは無効になっています / this account has been disabled")]
    Disabled,
    /// Neither the keyslot file nor its backup is one this program wrote
    /// (truncated, edited, another format).
    #[error(
        "the key file of this store (keyslots.json, and its backup if any) is damaged; \
         restore the data folder from a backup"
    )]
    Malformed,
    /// The keyslot file is whole, but its list of slots does not match the
    /// key sealed in it, or the key is not sealed to a slot that should
    /// hold it: the file was changed by someone without the key.
    #[error(
        "the key file of this store (keyslots.json) was changed outside Tsunagi: its keyslots \
         do not match its key; restore the data folder from a backup"
    )]
    Tampered,
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

/// The key-encryption key of a slot: HKDF-SHA256 over Argon2id(secret),
/// salted with the device secret for an account's slot and with nothing for
/// the recovery slot. Unchanged since format 1.
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
    fn argon2_costs_outside_the_bounds_are_refused_before_anything_is_derived() {
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
                    file.new_account_slot("admin", "pw", &device, kdf),
                    Err(KeyError::KdfOutOfBounds { .. })
                ),
                "{kdf:?} seals"
            );
            let mut slot = file
                .new_account_slot("admin", "pw", &device, FAST)
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
