//! Fields to fill in again (要再入力): a case restored from a backup
//! without personal data has its identifying fields empty, and the store
//! remembers which of them held something before the backup left them
//! out, so that screens can say 要再入力 beside each. A mark goes when a
//! save fills its field in again (or removes the item it belonged to).

use rusqlite::{Connection, params};
use serde_json::Value;

use super::{Role, Store, StoreError};
use crate::model::CaseId;
use crate::revision::{holds_something, value_at};

impl Store {
    /// The fields of `case` to fill in again, as change-history paths
    /// (e.g. `basic.name`, `consultations[id=…].content`), sorted; empty
    /// for a case that was not restored from a backup or is complete
    /// again. Checked like reading the case; not audited, since a path
    /// holds no value.
    pub fn needs_reentry(&self, case: CaseId) -> Result<Vec<String>, StoreError> {
        self.require_access(&self.conn, case)?;
        paths(&self.conn, case)
    }

    /// The cases this account may see that have fields to fill in again.
    pub fn cases_needing_reentry(&self) -> Result<Vec<CaseId>, StoreError> {
        let mine = (self.account.role != Role::Administrator).then(|| self.account.name.clone());
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT r.case_id FROM reentry_needed r
             WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = r.case_id AND a.account = ?1)
             ORDER BY r.case_id",
        )?;
        let ids: Vec<String> = stmt
            .query_map([mine], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter()
            .map(|id| id.parse().map_err(|_| StoreError::Damaged))
            .collect()
    }
}

/// Records that `paths` of `case` are to be filled in again.
pub(super) fn mark(tx: &Connection, case: CaseId, paths: &[String]) -> Result<(), StoreError> {
    let mut stmt =
        tx.prepare_cached("INSERT OR IGNORE INTO reentry_needed (case_id, path) VALUES (?1, ?2)")?;
    for path in paths {
        stmt.execute(params![case.to_string(), path])?;
    }
    Ok(())
}

/// The paths of `case` marked 要再入力, sorted; not checked or audited (a
/// path holds no value): for sealing the case, which checked access.
pub(super) fn paths(conn: &Connection, case: CaseId) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT path FROM reentry_needed WHERE case_id = ?1 ORDER BY path")?;
    let paths = stmt
        .query_map([case.to_string()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(paths)
}

/// After the section `key` of `case` was saved as `body`: forgets the
/// marks under that section whose field holds something again, or is gone.
pub(super) fn forget_filled(
    tx: &Connection,
    case: CaseId,
    key: &str,
    body: &Value,
) -> Result<(), StoreError> {
    let id = case.to_string();
    let marked: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT path FROM reentry_needed WHERE case_id = ?1 AND (path = ?2 OR substr(path, 1, length(?2) + 1) IN (?2 || '.', ?2 || '['))",
        )?;
        stmt.query_map(params![id, key], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    if marked.is_empty() {
        return Ok(());
    }
    let section = Value::Object(serde_json::Map::from_iter([(key.to_owned(), body.clone())]));
    let mut forget =
        tx.prepare_cached("DELETE FROM reentry_needed WHERE case_id = ?1 AND path = ?2")?;
    for path in marked {
        if value_at(&section, &path).is_none_or(holds_something) {
            forget.execute(params![id, path])?;
        }
    }
    Ok(())
}
