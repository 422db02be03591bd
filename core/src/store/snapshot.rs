//! Every case as the store holds it, read at one moment for a backup
//! (administrators only), and the store's id the backup names.

use std::fmt;

use rusqlite::params;

use super::sync::revisions_after;
use super::{AuditAction, Store, StoreError, read_case};
use crate::model::{Case, CaseId};
use crate::rfc3339::Timestamp;
use crate::seal::RevisionRecord;

/// A case with what the store keeps beside it, but not its photos and
/// video: its revision number, when and by whom it was made, when it last
/// changed, the accounts it is assigned to, and its change history.
///
/// Identifying: holds the whole case and its history, values included.
/// [`crate::backup`] de-identifies it before anything is written.
#[derive(Clone)]
pub struct StoredCase {
    /// The whole case, with its id.
    pub case: Case,
    /// The case's revision number (it only grows).
    pub revision: i64,
    /// When the case was made.
    pub created_at: Timestamp,
    /// The account that made it (or imported it).
    pub created_by: String,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The accounts it is assigned to.
    pub assigned_to: Vec<String>,
    /// Every saved change, oldest first, photo and video changes included.
    pub history: Vec<RevisionRecord>,
}

impl fmt::Debug for StoredCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCase")
            .field("case", &self.case.id)
            .field("revision", &self.revision)
            .field("history", &self.history.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The store's id (a UUID, not secret), which a backup names as the
    /// store it came from.
    pub fn store_id(&self) -> &str {
        &self.slots.store_id
    }

    /// Hands every case of the store to `each`, oldest first, all read in
    /// one transaction so that they are as they stood at one moment;
    /// then writes to the audit log, per case handed over, that it was
    /// read for `purpose` (also when `each` failed part way, since those
    /// cases were read). Administrators only. Other handles may write
    /// meanwhile (the database is in WAL mode); they are not seen.
    pub fn read_every_case<E: From<StoreError>>(
        &mut self,
        purpose: &str,
        mut each: impl FnMut(StoredCase) -> Result<(), E>,
    ) -> Result<usize, E> {
        self.require_admin("back up every case")?;
        let mut handed = Vec::new();
        let result = (|| -> Result<(), E> {
            let tx = self
                .conn
                .unchecked_transaction()
                .map_err(StoreError::from)?;
            let rows: Vec<(String, i64, Timestamp, String, Timestamp)> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT id, revision, created_at, created_by, updated_at FROM cases
                         ORDER BY created_at, id",
                    )
                    .map_err(StoreError::from)?;
                stmt.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .and_then(Iterator::collect)
                .map_err(StoreError::from)?
            };
            for (id, revision, created_at, created_by, updated_at) in rows {
                let case_id: CaseId = id.parse().map_err(|_| StoreError::Damaged)?;
                let assigned_to = {
                    let mut stmt = tx
                        .prepare_cached(
                            "SELECT account FROM assignments WHERE case_id = ?1 ORDER BY account",
                        )
                        .map_err(StoreError::from)?;
                    stmt.query_map(params![id], |r| r.get(0))
                        .and_then(Iterator::collect)
                        .map_err(StoreError::from)?
                };
                let stored = StoredCase {
                    case: read_case(&tx, case_id)?,
                    revision,
                    created_at,
                    created_by,
                    updated_at,
                    assigned_to,
                    history: revisions_after(&tx, &id, 0)?,
                };
                handed.push(case_id);
                each(stored)?;
            }
            Ok(())
        })();
        if !handed.is_empty() {
            let tx = self
                .conn
                .unchecked_transaction()
                .map_err(StoreError::from)?;
            for case in &handed {
                self.audit(&tx, AuditAction::ReadCase, Some(*case), purpose)?;
            }
            tx.commit().map_err(StoreError::from)?;
        }
        result.map(|()| handed.len())
    }
}
