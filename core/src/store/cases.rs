//! Cases: creating, saving a section, loading, the case list, assignment
//! to accounts and each case's history. Every read and write of a case is
//! checked against the account's role and assignment, and audited in the
//! same transaction.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::accounts::read_account;
use super::{AuditAction, LIST_AUDIT_EVERY, MEDIA_REVISION_SECTION, Role, Store, StoreError, now};
use crate::model::{Case, CaseId, Section, SectionName, SupportStage};
use crate::pii::Identifying;
use crate::revision::{self, FieldChange};
use crate::rfc3339::Timestamp;

/// One row of the case list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseSummary {
    /// The case id.
    pub id: CaseId,
    /// 氏名. Identifying.
    pub name: Identifying<String>,
    /// ふりがな. Identifying.
    pub kana: Identifying<String>,
    /// 支援段階.
    pub stage: SupportStage,
    /// Last change.
    pub updated_at: Timestamp,
    /// Accounts the case is assigned to.
    pub assigned_to: Vec<String>,
}

/// Which cases to list.
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Part of the name or kana; empty for all.
    pub text: String,
    /// Only cases at this stage.
    pub stage: Option<SupportStage>,
    /// Only cases assigned to this account.
    pub worker: Option<String>,
}

/// One saved change of a case: who, when, which section, which fields.
#[derive(Clone, Debug, Serialize)]
pub struct Revision {
    /// The case's revision number after this change.
    pub revision: i64,
    /// Who saved it.
    pub author: String,
    /// When.
    pub at: Timestamp,
    /// Which section.
    pub section: SectionName,
    /// The fields that changed.
    pub changes: Vec<FieldChange>,
}

impl Store {
    /// Assigns a case to an account (administrators only).
    pub fn assign(&mut self, case: CaseId, account: &str) -> Result<(), StoreError> {
        self.require_admin("assign cases")?;
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        if read_account(&tx, account)?.is_none() {
            return Err(StoreError::NoSuchAccount(account.to_owned()));
        }
        tx.execute(
            "INSERT OR IGNORE INTO assignments (case_id, account) VALUES (?1, ?2)",
            params![case.to_string(), account],
        )?;
        self.audit(
            &tx,
            AuditAction::Assignment,
            Some(case),
            &format!("assign {account}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes a case from an account (administrators only).
    pub fn unassign(&mut self, case: CaseId, account: &str) -> Result<(), StoreError> {
        self.require_admin("assign cases")?;
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        tx.execute(
            "DELETE FROM assignments WHERE case_id = ?1 AND account = ?2",
            params![case.to_string(), account],
        )?;
        self.audit(
            &tx,
            AuditAction::Assignment,
            Some(case),
            &format!("unassign {account}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    // ────────────────────────────── cases ───────────────────────────────

    /// Stores `case` as a new case under a fresh id, which is returned. A
    /// support worker who creates a case is assigned to it.
    /// The case must pass [`Case::validate`].
    pub fn create_case(&mut self, case: &Case) -> Result<CaseId, StoreError> {
        self.require_editor()?;
        case.validate()?;
        let tx = self.conn.unchecked_transaction()?;
        let id = self.insert_case(&tx, case)?;
        self.audit(&tx, AuditAction::CreateCase, Some(id), "")?;
        tx.commit()?;
        Ok(id)
    }

    /// Writes `case` inside `tx` as a new case under a fresh id, assigned
    /// to the support worker who creates it; not audited. The caller has
    /// checked the role and validated the case.
    pub(super) fn insert_case(
        &self,
        tx: &Transaction<'_>,
        case: &Case,
    ) -> Result<CaseId, StoreError> {
        let id = CaseId::new();
        let at = now();
        tx.execute(
            "INSERT INTO cases (id, created_at, created_by, updated_at, stage) VALUES (?1, ?2, ?3, ?2, ?4)",
            params![id.to_string(), at, self.account.name, stage_key(case.stage)],
        )?;
        if self.account.role == Role::SupportWorker {
            tx.execute(
                "INSERT INTO assignments (case_id, account) VALUES (?1, ?2)",
                params![id.to_string(), self.account.name],
            )?;
        }
        for section in case.sections() {
            write_section(tx, id, &section, &self.account.name, &at)?;
        }
        Ok(id)
    }

    /// Saves one section of a case and returns the case's revision number.
    /// Saving what is already stored writes nothing. A section that would
    /// leave the case invalid (dates reversed, a reference to a missing
    /// employer, duplicate ids) is refused with [`StoreError::Inconsistent`]
    /// and nothing is written.
    pub fn save_section(&mut self, case: CaseId, section: &Section) -> Result<i64, StoreError> {
        self.require_editor()?;
        let at = now();
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        // The case as it would be after this save must still be a valid
        // case: what the import, the send-data file and the companion
        // accept, so that nothing saved here is refused there later.
        let mut after = read_case(&tx, case)?;
        after.apply(section.clone());
        after.validate()?;
        let revision = write_section(&tx, case, section, &self.account.name, &at)?;
        self.audit(
            &tx,
            AuditAction::WriteCase,
            Some(case),
            section.name().key(),
        )?;
        tx.commit()?;
        Ok(revision)
    }

    /// Reads a whole case.
    pub fn load_case(&mut self, case: CaseId) -> Result<Case, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let loaded = read_case(&tx, case)?;
        self.audit(&tx, AuditAction::ReadCase, Some(case), "")?;
        tx.commit()?;
        Ok(loaded)
    }

    /// The cases this account may see that match `query`, most recently
    /// changed first. Audited as [`AuditAction::ListCases`] at most once
    /// every [`LIST_AUDIT_EVERY`].
    pub fn list_cases(&mut self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        Ok(self
            .find_cases(query)?
            .iter()
            .map(|c| CaseSummary::clone(c))
            .collect())
    }

    /// [`Store::list_cases`] without copying the rows: shared with the
    /// store's in-memory index of the case list, which is read from the
    /// database on the first call and kept up to date after (see
    /// `case_index`), so that a search as one types scans memory.
    pub fn find_cases(&mut self, query: &CaseQuery) -> Result<Vec<Arc<CaseSummary>>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let mine = (self.account.role != Role::Administrator).then_some(self.account.name.as_str());
        let out = self.case_index.find(&tx, query, mine)?;
        self.audit_list(&tx, &format!("{} rows", out.len()))?;
        // Nothing written but the audit entry, if any: no sync otherwise.
        tx.commit()?;
        Ok(out)
    }

    /// Audits a list of cases shown ([`AuditAction::ListCases`]), at most
    /// once every [`LIST_AUDIT_EVERY`]: searching as one types shows a list
    /// per keystroke, and one entry says as much as a hundred.
    pub(super) fn audit_list(&self, tx: &Transaction<'_>, detail: &str) -> Result<(), StoreError> {
        if self
            .lists_audited
            .get()
            .is_none_or(|at| at.elapsed() >= LIST_AUDIT_EVERY)
        {
            self.audit(tx, AuditAction::ListCases, None, detail)?;
            self.lists_audited.set(Some(std::time::Instant::now()));
        }
        Ok(())
    }

    /// The change history of a case, oldest first; with `path_prefix`, only
    /// changes to fields under that path (e.g. `basic.diseases`). Revisions
    /// that record a change to the photos and videos are not listed.
    pub fn history(
        &mut self,
        case: CaseId,
        path_prefix: Option<&str>,
    ) -> Result<Vec<Revision>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let mut out = Vec::new();
        {
            let mut stmt = tx.prepare_cached(
                "SELECT revision, author, at, section, changes FROM revisions WHERE case_id = ?1 ORDER BY id",
            )?;
            let mut rows = stmt.query([case.to_string()])?;
            while let Some(r) = rows.next()? {
                let section: String = r.get(3)?;
                if section == MEDIA_REVISION_SECTION {
                    // Photos and videos are not a section of the form;
                    // their changes show in the media rows and the audit log.
                    continue;
                }
                let changes: String = r.get(4)?;
                let mut changes: Vec<FieldChange> =
                    serde_json::from_str(&changes).map_err(|_| StoreError::Damaged)?;
                if let Some(prefix) = path_prefix {
                    changes.retain(|c| c.path.starts_with(prefix));
                    if changes.is_empty() {
                        continue;
                    }
                }
                out.push(Revision {
                    revision: r.get(0)?,
                    author: r.get(1)?,
                    at: r.get(2)?,
                    section: SectionName::from_key(&section).ok_or(StoreError::Damaged)?,
                    changes,
                });
            }
        }
        self.audit(
            &tx,
            AuditAction::ReadHistory,
            Some(case),
            path_prefix.unwrap_or(""),
        )?;
        tx.commit()?;
        Ok(out)
    }
}

pub(super) fn stage_key(stage: SupportStage) -> String {
    serde_json::to_value(stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .expect("a stage serialises as a string")
}

pub(super) fn parse_stage(s: &str) -> Result<SupportStage, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| StoreError::Damaged)
}

/// Writes one section inside `tx`, recording a revision when anything
/// changed, and returns the case's revision number.
pub(super) fn write_section(
    tx: &Transaction<'_>,
    case: CaseId,
    section: &Section,
    author: &str,
    at: &str,
) -> Result<i64, StoreError> {
    let id = case.to_string();
    let name = section.name();
    let new = section.to_json();
    let old: serde_json::Value = tx
        .query_row(
            "SELECT body FROM case_sections WHERE case_id = ?1 AND section = ?2",
            params![id, name.key()],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(|body| serde_json::from_str(&body).map_err(|_| StoreError::Damaged))
        .transpose()?
        .unwrap_or(serde_json::Value::Null);
    let changes = revision::diff(name.key(), &old, &new);
    let current: i64 = tx.query_row("SELECT revision FROM cases WHERE id = ?1", [&id], |r| {
        r.get(0)
    })?;
    if changes.is_empty() {
        return Ok(current);
    }
    let revision = current + 1;
    tx.execute(
        "INSERT INTO case_sections (case_id, section, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (case_id, section) DO UPDATE SET body = excluded.body",
        params![id, name.key(), new.to_string()],
    )?;
    tx.execute(
        "INSERT INTO revisions (case_id, revision, author, at, section, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, revision, author, at, name.key(), serde_json::to_string(&changes).expect("changes serialise")],
    )?;
    tx.execute(
        "UPDATE cases SET revision = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, revision, at],
    )?;
    super::reentry::forget_filled(tx, case, name.key(), &new)?;
    match section {
        Section::Stage(stage) => {
            tx.execute(
                "UPDATE cases SET stage = ?2 WHERE id = ?1",
                params![id, stage_key(*stage)],
            )?;
        }
        Section::Basic(basic) => {
            tx.execute(
                "UPDATE cases SET name = ?2, kana = ?3 WHERE id = ?1",
                params![id, basic.name.expose(), basic.kana.expose()],
            )?;
        }
        _ => {}
    }
    Ok(revision)
}

pub(super) fn read_case(tx: &Connection, case: CaseId) -> Result<Case, StoreError> {
    let mut loaded = Case {
        id: case,
        ..Case::default()
    };
    let mut stmt =
        tx.prepare_cached("SELECT section, body FROM case_sections WHERE case_id = ?1")?;
    let mut rows = stmt.query([case.to_string()])?;
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let body: String = r.get(1)?;
        let Some(name) = SectionName::from_key(&key) else {
            continue;
        };
        let value = serde_json::from_str(&body).map_err(|_| StoreError::Damaged)?;
        loaded.apply(Section::from_json(name, value).map_err(|_| StoreError::Damaged)?);
    }
    Ok(loaded)
}
