//! Making a backup without personal data of every case of a store.

use std::path::Path;

use super::BackupError;
use super::deidentify::entry_from;
use super::file::replace_atomically;
use super::format::{Header, PlainWriter};
use super::sealing::{SealTo, seal};
use crate::store::{Role, Store, StoreError};

/// What the audit log says each case was read for.
pub const BACKUP_PURPOSE: &str = "backup without personal data";

/// What a finished backup holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    /// How many cases.
    pub cases: usize,
    /// Its first line.
    pub header: Header,
}

/// Writes a backup without personal data of every case of `store` to
/// `out`, sealed as `to` says; `made_by` names the program in its first
/// line. Administrators only.
///
/// Every case is read at one moment and written with its id, its
/// content, its history and the paths of the identifying fields that held
/// something; every identifying value is left out (see the module docs),
/// and so are photos and video. The file appears under `out` only whole:
/// on any error `out` is as it was (a previous backup there stays). Each
/// case read is in the audit log. Runs on the calling thread and takes
/// about a second of scrypt for a passphrase.
pub fn write_backup(
    store: &mut Store,
    to: &SealTo,
    made_by: &str,
    out: &Path,
) -> Result<BackupSummary, BackupError> {
    let account = store.account().clone();
    if account.role != Role::Administrator {
        return Err(StoreError::NotPermitted {
            role: account.role.label_ja(),
            action: "back up every case",
        }
        .into());
    }
    let header = Header::without_personal_data(store.store_id(), made_by, &account.name);
    let cases = replace_atomically(out, |file| {
        let mut plain = PlainWriter::new(seal(file, to)?, &header)?;
        let cases =
            store.read_every_case(BACKUP_PURPOSE, |stored| plain.case(&entry_from(stored)))?;
        plain.finish()?.finish()?;
        Ok(cases)
    })?;
    Ok(BackupSummary { cases, header })
}
