//! Writing cases restored from a backup onto an empty store, in one
//! transaction (administrators only). What a backup holds and how it is
//! read is [`crate::backup`]'s; this is the store's side.

use std::collections::HashSet;

use rusqlite::{OptionalExtension as _, params};

use super::snapshot::StoredCase;
use super::{AuditAction, MEDIA_REVISION_SECTION, Store, StoreError, reentry, stage_key};
use crate::model::SectionName;

/// A case to restore, as a backup gave it back: the case (already
/// de-identified by the backup), its history, and the fields to fill in
/// again (要再入力) as change-history paths.
#[derive(Clone, Debug)]
pub struct RestoredCase {
    /// The case with what the store keeps beside it.
    pub stored: StoredCase,
    /// The fields that held something before the backup left them out.
    pub reentry: Vec<String>,
}

/// The longest account name taken from a backup's history.
const MAX_AUTHOR_CHARS: usize = 200;

impl Store {
    /// Whether the store holds a case, or remembers a deleted one.
    pub fn holds_cases(&self) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM deleted_cases)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Writes the cases that `next` gives, until it gives `None`, onto
    /// this store, which must hold no case and remember no deleted one
    /// ([`StoreError::NotEmpty`] otherwise). Administrators only.
    ///
    /// Each case keeps its id, revision number, times, maker and history;
    /// it is assigned to those of its accounts that exist here; its
    /// `reentry` paths are marked ([`Store::needs_reentry`]); the audit log
    /// says it was created for `purpose`. All of it is one transaction:
    /// when `next` fails, or a case does not fit (an invalid case,
    /// revisions out of order), nothing at all is written.
    pub fn restore_cases<E: From<StoreError>>(
        &mut self,
        purpose: &str,
        mut next: impl FnMut() -> Result<Option<RestoredCase>, E>,
    ) -> Result<usize, E> {
        self.require_admin("restore a backup")?;
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        if self.holds_cases()? {
            return Err(StoreError::NotEmpty.into());
        }
        let mut seen = HashSet::new();
        while let Some(restored) = next()? {
            let StoredCase {
                case,
                revision,
                created_at,
                created_by,
                updated_at,
                assigned_to,
                history,
            } = &restored.stored;
            let id = case.id.to_string();
            if !seen.insert(case.id) {
                return Err(
                    StoreError::InvalidCase(format!("case {} appears twice", short(&id))).into(),
                );
            }
            case.validate().map_err(StoreError::from)?;
            check_history(&id, *revision, &restored.stored)?;
            tx.execute(
                "INSERT INTO cases (id, created_at, created_by, updated_at, revision, stage, name, kana)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    created_at,
                    created_by,
                    updated_at,
                    revision,
                    stage_key(case.stage),
                    case.basic.name.expose(),
                    case.basic.kana.expose()
                ],
            )
            .map_err(StoreError::from)?;
            for section in case.sections() {
                tx.execute(
                    "INSERT INTO case_sections (case_id, section, body) VALUES (?1, ?2, ?3)",
                    params![id, section.name().key(), section.to_json().to_string()],
                )
                .map_err(StoreError::from)?;
            }
            for r in history {
                tx.execute(
                    "INSERT INTO revisions (case_id, revision, author, at, section, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, r.revision, r.author, r.at, r.section, serde_json::to_string(&r.changes).expect("changes serialise")],
                )
                .map_err(StoreError::from)?;
            }
            for account in assigned_to {
                let exists = tx
                    .query_row("SELECT 1 FROM accounts WHERE name = ?1", [account], |_| {
                        Ok(())
                    })
                    .optional()
                    .map_err(StoreError::from)?
                    .is_some();
                if exists {
                    tx.execute(
                        "INSERT OR IGNORE INTO assignments (case_id, account) VALUES (?1, ?2)",
                        params![id, account],
                    )
                    .map_err(StoreError::from)?;
                }
            }
            reentry::mark(&tx, case.id, &restored.reentry)?;
            self.audit(&tx, AuditAction::CreateCase, Some(case.id), purpose)?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(seen.len())
    }
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// A restored history must read as one the store wrote: revision numbers
/// that grow, none beyond the case's, known sections, plausible authors.
fn check_history(id: &str, revision: i64, stored: &StoredCase) -> Result<(), StoreError> {
    let bad = |why: &str| StoreError::InvalidCase(format!("case {}: {why}", short(id)));
    if revision < 0 {
        return Err(bad("its revision is negative"));
    }
    let mut last = 0;
    for r in &stored.history {
        if r.revision <= last || r.revision > revision {
            return Err(bad("revision numbers out of order"));
        }
        last = r.revision;
        if SectionName::from_key(&r.section).is_none() && r.section != MEDIA_REVISION_SECTION {
            return Err(bad("a change to an unknown section"));
        }
        if r.author.chars().count() > MAX_AUTHOR_CHARS {
            return Err(bad("an author name too long"));
        }
    }
    Ok(())
}
