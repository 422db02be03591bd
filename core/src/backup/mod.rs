//! Backups without personal data (個人情報を除いたバックアップ): the source's
//! promise that registered data can be backed up encrypted, without the
//! name, the address and the other information that identifies a person
//! (「氏名・住所等の個人が特定される情報を除いて暗号化されたものをバックアップ」).
//!
//! A backup ([`write_backup`]) holds every case of a store, each with:
//!
//! - its id (so that the restored case is the same case), its revision
//!   number, when and by whom it was made, when it last changed, the
//!   accounts it was assigned to;
//! - its content (docs/case-json.md) with every identifying field `null`:
//!   [`pii::deidentified`](crate::pii::deidentified), so the fields left
//!   out are exactly those the model marks
//!   [`Identifying`](crate::pii::Identifying), never a list kept here;
//! - its change history, each change keeping its path, who and when, and
//!   its old and new values with the identifying parts `null`
//!   (`deidentify`), so a name changed once is in neither its old nor
//!   its new value;
//! - the paths of the identifying fields that held something (要再入力).
//!
//! It holds no photo or video (no file, no poster, no caption), no
//! account, password, key or keyslot, no audit log, no pairing and no
//! link or research state. It is sealed with `age` (`sealing`) to an
//! X25519 public key (the office companion's, as the tablet learnt it when
//! pairing, or any `age1…` key) or with a passphrase; any `age` tool opens
//! it. Inside is one line of JSON per case after a first line that says
//! what the file is (`format`: format number, kind, when, the store's
//! id, the program and account that made it). The file is written
//! through a temporary file and renamed only when whole (`file`).
//!
//! [`restore_backup`] puts the cases back onto a store that holds none,
//! in one transaction, with their identifying fields empty and marked
//! ([`Store::needs_reentry`](crate::store::Store::needs_reentry)); a wrong
//! passphrase or key, a file cut short or altered, another kind of file,
//! a newer format are refused in words ([`BackupError`]) and change
//! nothing. Making and restoring are for administrators; both are in the
//! audit log.
//!
//! # Consent
//!
//! A backup asks no consent ([`crate::consent`]). DESIGN.md asks consent
//! for every use of a case *beyond the worker's own support*: research,
//! employers, another agency, the client's own record. A backup is the
//! agency keeping its own records safe, like docking a tablet with its own
//! office companion, which is not asked either (docs/consent.md): it is
//! sealed to the office's key or a passphrase the agency chose, and
//! nothing identifying is in it. It is not a way to hand a case to
//! someone else: a send-data file for another agency is, and that asks the
//! agency-sharing consent. A case whose consents were withdrawn is backed
//! up like any other, since it is still in the store; deleting it
//! (`case delete` at the office) is how it leaves.

mod deidentify;
mod error;
mod file;
mod format;
mod full;
mod make;
mod restore;
mod sealing;

#[cfg(feature = "cli")]
pub mod cli;

pub use deidentify::{deidentified_revision, deidentified_value};
pub use error::{BackupError, MIN_PASSPHRASE_CHARS};
pub(crate) use file::replace_file;
pub use format::{CaseEntry, FORMAT, Header, KIND_WITHOUT_PERSONAL_DATA, MAGIC, MAX_LINE};
pub(crate) use format::{read_failed, read_line, shown};
pub use full::{
    DeviceKeyRestored, FULL_FORMAT, FullBackupInfo, FullRestoreSummary, FullSummary, KIND_FULL,
    Verified, check_restore_target, restore_full_backup, verify_backup, write_full_backup,
};
pub use make::{BACKUP_PURPOSE, BackupSummary, write_backup};
pub use restore::{RESTORE_PURPOSE, RestoreSummary, reseal, restore_backup};
pub(crate) use sealing::seal;
pub use sealing::{BackupFile, BackupReader, SealTo, SealedWith, Unseal};

#[cfg(test)]
mod tests;
