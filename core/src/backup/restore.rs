//! Restoring a backup without personal data onto an empty store, and
//! sealing an opened backup anew (the office opens a tablet's backup
//! sealed to its key and gives the new tablet one with a passphrase).

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use super::BackupError;
use super::deidentify::restored_from;
use super::file::replace_atomically;
use super::format::{Header, PlainWriter};
use super::sealing::{BackupReader, SealTo, seal};
use crate::store::{Store, StoreError};

/// What the audit log says each restored case was created by.
pub const RESTORE_PURPOSE: &str = "restored from a backup without personal data";

/// What a restore did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreSummary {
    /// How many cases were restored.
    pub cases: usize,
    /// How many fields, over all cases, are marked to fill in again (要再入力).
    pub fields_to_reenter: usize,
    /// The backup's first line.
    pub header: Header,
}

/// Restores every case of `backup` onto `store`, which must hold no case
/// ([`StoreError::NotEmpty`]). Administrators only.
///
/// The cases come back with the same ids, revision numbers and history,
/// their identifying fields empty, and the fields that held something
/// marked to fill in again ([`Store::needs_reentry`]). It is one
/// transaction: a file cut short or altered anywhere, a line that does not
/// read, a case that does not hold together leaves the store as it was.
pub fn restore_backup<R: Read>(
    store: &mut Store,
    mut backup: BackupReader<R>,
) -> Result<RestoreSummary, BackupError> {
    if store.holds_cases()? {
        return Err(StoreError::NotEmpty.into());
    }
    let mut fields_to_reenter = 0;
    let mut ids = HashSet::new();
    let cases = store.restore_cases(RESTORE_PURPOSE, || {
        let Some(entry) = backup.next_case()? else {
            return Ok(None);
        };
        if !ids.insert(entry.id) {
            return Err(BackupError::Damaged("a case appears twice"));
        }
        let restored = restored_from(entry)?;
        fields_to_reenter += restored.reentry.len();
        Ok(Some(restored))
    })?;
    Ok(RestoreSummary {
        cases,
        fields_to_reenter,
        header: backup.header().clone(),
    })
}

/// Writes the cases of an opened `backup` to `out`, sealed anew as `to`
/// says, with the same first line; checks every line on the way and the
/// end of the file, and leaves `out` as it was on any error. Reads no
/// store. Returns how many cases it holds.
pub fn reseal<R: Read>(
    mut backup: BackupReader<R>,
    to: &SealTo,
    out: &Path,
) -> Result<usize, BackupError> {
    let header = backup.header().clone();
    replace_atomically(out, |file| {
        let mut plain = PlainWriter::new(seal(file, to)?, &header)?;
        let mut cases = 0;
        while let Some(entry) = backup.next_case()? {
            plain.case(&entry)?;
            cases += 1;
        }
        plain.finish()?.finish()?;
        Ok(cases)
    })
}
