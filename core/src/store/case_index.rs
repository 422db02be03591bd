//! The case list's index: every case's row (name, kana, stage, last change,
//! assignments) held in memory from the first time the list is asked for,
//! so that searching as one types scans memory instead of decrypting the
//! case table's pages on every keystroke.
//!
//! The index follows the database through temporary triggers on this
//! handle's connection: every insert, update or delete on `cases` or
//! `assignments` calls `tsunagi_case_changed(id)`, which marks that case to
//! be read again before the next search. The triggers and the function live
//! on this connection only, never in the file, so any other program that
//! opens the store needs neither. A commit made through another connection
//! (seen as a new `PRAGMA data_version`) makes the whole index be read
//! again. A change rolled back is read again too and found as it was.
//!
//! What is due (期限・予定) comes from the whole case, so it is kept beside
//! the rows once it is first asked for, and worked out again for a case
//! whose sections change (a trigger on `case_sections` marks the case too).

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use memchr::memmem::Finder;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use super::StoreError;
use super::cases::{CaseQuery, CaseSummary, parse_stage, read_case};
use crate::model::{CaseId, DueItem, due_items};
use crate::rfc3339::Timestamp;

/// Above this share of the index changed since the last search (a sync
/// bringing in hundreds of cases), reading the table once is cheaper than
/// reading each case.
const REREAD_ALL_ABOVE: f64 = 0.05;

/// A case's row and everything due in it.
pub(super) type CaseDue = (Arc<CaseSummary>, Vec<DueItem>);

/// The cases of the store as the case list shows them, most recent change
/// first. Empty until the first search.
#[derive(Default)]
pub(super) struct CaseIndex {
    built: Option<Built>,
    /// Ids of the cases changed since the index was last brought up to
    /// date; filled by the triggers' function.
    changed: Arc<Mutex<HashSet<String>>>,
    installed: bool,
}

struct Built {
    /// Sorted by last change, newest first, then by id.
    entries: Vec<Entry>,
    /// `PRAGMA data_version` when the entries were read.
    data_version: i64,
    /// Each case's due items, once asked for.
    due: Option<HashMap<CaseId, Vec<DueItem>>>,
}

struct Entry {
    summary: Arc<CaseSummary>,
    /// Name and kana with ASCII letters lowercased: `LIKE` matched them
    /// without regard to case, and so does the search.
    name: Box<str>,
    kana: Box<str>,
}

impl Entry {
    fn new(summary: CaseSummary) -> Self {
        Self {
            name: summary.name.expose().to_ascii_lowercase().into(),
            kana: summary.kana.expose().to_ascii_lowercase().into(),
            summary: Arc::new(summary),
        }
    }

    fn order(&self) -> (Reverse<Timestamp>, CaseId) {
        (Reverse(self.summary.updated_at), self.summary.id)
    }

    fn matches(&self, query: &CaseQuery, text: &Finder<'_>, mine: Option<&str>) -> bool {
        let assigned = |account: &str| self.summary.assigned_to.iter().any(|a| a == account);
        mine.is_none_or(assigned)
            && query.worker.as_deref().is_none_or(assigned)
            && query.stage.is_none_or(|s| s == self.summary.stage)
            && (text.find(self.name.as_bytes()).is_some()
                || text.find(self.kana.as_bytes()).is_some())
    }
}

const ROW: &str = "SELECT c.id, c.name, c.kana, c.stage, c.updated_at,
        (SELECT group_concat(account, char(10)) FROM assignments a WHERE a.case_id = c.id)
     FROM cases c";

impl CaseIndex {
    /// The cases matching `query`, newest change first; with `mine`, only
    /// those assigned to that account.
    pub(super) fn find(
        &mut self,
        conn: &Connection,
        query: &CaseQuery,
        mine: Option<&str>,
    ) -> Result<Vec<Arc<CaseSummary>>, StoreError> {
        let built = self.up_to_date(conn)?;
        let text = query.text.trim().to_ascii_lowercase();
        // Set up once for the typed text, not once per case.
        let text = Finder::new(&text);
        Ok(built
            .entries
            .iter()
            .filter(|e| e.matches(query, &text, mine))
            .map(|e| Arc::clone(&e.summary))
            .collect())
    }

    /// Every case visible (with `mine`, those assigned to that account)
    /// with everything due in it, in the case list's order.
    pub(super) fn due(
        &mut self,
        conn: &Connection,
        mine: Option<&str>,
    ) -> Result<Vec<CaseDue>, StoreError> {
        self.up_to_date(conn)?;
        let Some(built) = self.built.as_mut() else {
            return Ok(Vec::new());
        };
        let due = match built.due.take() {
            Some(due) => due,
            None => built
                .entries
                .iter()
                .map(|e| Ok((e.summary.id, due_items(&read_case(conn, e.summary.id)?))))
                .collect::<Result<_, StoreError>>()?,
        };
        let query = CaseQuery::default();
        let everything = Finder::new("");
        let out = built
            .entries
            .iter()
            .filter(|e| e.matches(&query, &everything, mine))
            .map(|e| {
                let items = due.get(&e.summary.id).cloned().unwrap_or_default();
                (Arc::clone(&e.summary), items)
            })
            .collect();
        built.due = Some(due);
        Ok(out)
    }

    fn up_to_date(&mut self, conn: &Connection) -> Result<&Built, StoreError> {
        if !self.installed {
            install(conn, Arc::clone(&self.changed))?;
            self.installed = true;
        }
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let changed =
            std::mem::take(&mut *self.changed.lock().unwrap_or_else(PoisonError::into_inner));
        let built = match self.built.take() {
            Some(mut built)
                if built.data_version == version
                    && (changed.len() as f64) <= built.entries.len() as f64 * REREAD_ALL_ABOVE =>
            {
                // Left empty on an error, so that the next search reads
                // everything rather than trusting a half-updated index.
                for id in &changed {
                    built.reread(conn, id)?;
                }
                built
            }
            _ => Built::read(conn, version)?,
        };
        Ok(self.built.insert(built))
    }
}

impl Built {
    fn read(conn: &Connection, data_version: i64) -> Result<Self, StoreError> {
        let mut stmt = conn.prepare_cached(&format!("{ROW} ORDER BY c.updated_at DESC, c.id"))?;
        let mut rows = stmt.query([])?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next()? {
            entries.push(Entry::new(summary(row)?));
        }
        // The text order of the times is their order, but the index must be
        // in exactly the order `reread` keeps.
        entries.sort_by_key(Entry::order);
        Ok(Self {
            entries,
            data_version,
            due: None,
        })
    }

    /// Reads the case `id` again: moved to its place, or removed if it is
    /// gone.
    fn reread(&mut self, conn: &Connection, id: &str) -> Result<(), StoreError> {
        let case: CaseId = id.parse().map_err(|_| StoreError::Damaged)?;
        self.entries.retain(|e| e.summary.id != case);
        let mut stmt = conn.prepare_cached(&format!("{ROW} WHERE c.id = ?1"))?;
        let mut rows = stmt.query([id])?;
        let found = match rows.next()? {
            Some(row) => {
                let entry = Entry::new(summary(row)?);
                let at = self.entries.partition_point(|e| e.order() < entry.order());
                self.entries.insert(at, entry);
                true
            }
            None => false,
        };
        if let Some(due) = self.due.as_mut() {
            if found {
                due.insert(case, due_items(&read_case(conn, case)?));
            } else {
                due.remove(&case);
            }
        }
        Ok(())
    }
}

fn summary(row: &rusqlite::Row<'_>) -> Result<CaseSummary, StoreError> {
    let id: String = row.get(0)?;
    let stage: String = row.get(3)?;
    let assigned: Option<String> = row.get(5)?;
    Ok(CaseSummary {
        id: id.parse().map_err(|_| StoreError::Damaged)?,
        name: row.get::<_, String>(1)?.into(),
        kana: row.get::<_, String>(2)?.into(),
        stage: parse_stage(&stage)?,
        updated_at: row.get(4)?,
        assigned_to: assigned
            .map(|a| a.lines().map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// The function and the temporary triggers that tell the index which cases
/// changed.
fn install(conn: &Connection, changed: Arc<Mutex<HashSet<String>>>) -> Result<(), StoreError> {
    conn.create_scalar_function(
        "tsunagi_case_changed",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let id: String = ctx.get(0)?;
            changed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id);
            Ok(0i64)
        },
    )?;
    conn.execute_batch(
        "CREATE TEMP TRIGGER IF NOT EXISTS case_index_insert AFTER INSERT ON main.cases
             BEGIN SELECT tsunagi_case_changed(NEW.id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_update AFTER UPDATE ON main.cases
             BEGIN SELECT tsunagi_case_changed(NEW.id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_delete AFTER DELETE ON main.cases
             BEGIN SELECT tsunagi_case_changed(OLD.id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_section_insert AFTER INSERT ON main.case_sections
             BEGIN SELECT tsunagi_case_changed(NEW.case_id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_section_update AFTER UPDATE ON main.case_sections
             BEGIN SELECT tsunagi_case_changed(NEW.case_id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_section_delete AFTER DELETE ON main.case_sections
             BEGIN SELECT tsunagi_case_changed(OLD.case_id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_assign AFTER INSERT ON main.assignments
             BEGIN SELECT tsunagi_case_changed(NEW.case_id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_reassign AFTER UPDATE ON main.assignments
             BEGIN SELECT tsunagi_case_changed(OLD.case_id); SELECT tsunagi_case_changed(NEW.case_id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS case_index_unassign AFTER DELETE ON main.assignments
             BEGIN SELECT tsunagi_case_changed(OLD.case_id); END;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
