//! The full backup of the office (全体バックアップ): the companion's whole
//! store — its database, keyslots, photos and video, installed reference
//! update — sealed with `age` to an office key (`age1…`) or a passphrase,
//! and restored onto a new machine, where the companion then opens with
//! the same accounts and passwords and holds the same cases and media, byte
//! for byte.
//!
//! # What is in it
//!
//! | held | left out |
//! |---|---|
//! | `store.db`, copied at one moment with `VACUUM INTO` on the store's own SQLCipher connection, so still encrypted with the store's key (`store::full_copy` says why this way) | `store.db-wal`, `-shm`: folded into the copy |
//! | `keyslots.json`, `keyslots.backup.json`, `store.id` as they are | `store.lock`, `store.rotation.lock`: made again on open |
//! | every file in `media/` that the copy's rows name, as it is (each already encrypted under its own key) | media files no row names (an interrupted write), temporary files |
//! | the installed reference update (`reference/`) | `inbox/`: parts of bundles a tablet was sending, which it sends again |
//! | the device key (端末鍵) that the accounts' keyslots are mixed with | |
//!
//! The device key is normally kept by the machine's keychain, so that a
//! copy of the data folder alone cannot be attacked with password
//! guesses. A backup that is to open with the same passwords on a new
//! machine must carry it; the restore puts it into the new machine's
//! keychain. So a full backup whose seal is broken (the office key stolen,
//! the passphrase guessed) is as strong as the accounts' passwords
//! (Argon2id each), no more: seal it to an office key kept offline.
//!
//! # The file
//!
//! An `age` file (`sealing`), whose plaintext is a versioned first line,
//! a manifest of every file (relative path, length, SHA-256), the files'
//! bytes streamed one after another, and a last line (`archive` describes
//! it). Made through a temporary file renamed into place (`file`).
//!
//! # Restoring
//!
//! [`restore_full_backup`] writes into a temporary folder beside the
//! target and renames it into place only when every file has been checked;
//! [`verify_backup`] reads a backup of either kind to its end and writes
//! nothing. Refusals are [`BackupError`]s, Japanese first, and leave
//! nothing behind.
//!
//! # Consent
//!
//! Like the backup without personal data, a full backup asks no consent:
//! it is the office keeping its own records, sealed to its own key, and the
//! restored store is the same store, with its consents, audit log and
//! accounts.

mod archive;
mod make;
mod restore;
mod verify;

use archive::FullHeader;
pub use archive::{FULL_FORMAT, KIND_FULL};
pub use make::write_full_backup;
pub use restore::{
    DeviceKeyRestored, FullRestoreSummary, check_restore_target, restore_full_backup,
};
pub use verify::{Verified, verify_backup};

use crate::rfc3339::Timestamp;

/// What a full backup's first line says, without its device key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullBackupInfo {
    /// When it was made.
    pub created_at: Timestamp,
    /// The store it holds (`store.id`).
    pub store_id: String,
    /// The program that made it.
    pub made_by: String,
    /// The account that made it.
    pub account: String,
    /// The schema version of its database.
    pub schema_version: u32,
}

impl FullBackupInfo {
    fn of(header: &FullHeader) -> Self {
        Self {
            created_at: header.created_at,
            store_id: header.store_id.clone(),
            made_by: header.made_by.clone(),
            account: header.account.clone(),
            schema_version: header.schema_version,
        }
    }
}

/// What a full backup holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullSummary {
    /// Its first line.
    pub info: FullBackupInfo,
    /// How many files.
    pub files: usize,
    /// Their bytes, all together.
    pub bytes: u64,
    /// How many of them are photos and video.
    pub media: usize,
}

#[cfg(test)]
mod tests;
