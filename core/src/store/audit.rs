//! The audit log (監査ログ): an append-only, hash-chained record of every read
//! and write of identifying data.
//!
//! Rows hold who, when, what kind of access and which case — never the data
//! itself. Triggers refuse updates and deletes; each row's hash covers the
//! previous row's, so a row removed or altered outside this program (say by
//! someone holding the database key) breaks the chain, and
//! [`Store::verify_audit_log`](super::Store::verify_audit_log) says where.

use crate::rfc3339::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What kind of access an audit entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The store was set up.
    StoreCreated,
    /// A user unlocked the store.
    Login,
    /// A user opened the store with the recovery code.
    Recovered,
    /// A list of cases (with names) was shown.
    ListCases,
    /// A whole case was read.
    ReadCase,
    /// A case's change history was read.
    ReadHistory,
    /// A case was created or imported.
    CreateCase,
    /// A section of a case was saved.
    WriteCase,
    /// An account was added or changed.
    Account,
    /// A case was assigned or unassigned.
    Assignment,
    /// A case was deleted, with its history and media.
    DeleteCase,
    /// Similar cases (似た事例) were shown for a case: the entry names the
    /// case they were found for and how many were shown.
    SimilarCases,
}

impl AuditAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StoreCreated => "store_created",
            Self::Login => "login",
            Self::Recovered => "recovered",
            Self::ListCases => "list_cases",
            Self::ReadCase => "read_case",
            Self::ReadHistory => "read_history",
            Self::CreateCase => "create_case",
            Self::WriteCase => "write_case",
            Self::Account => "account",
            Self::Assignment => "assignment",
            Self::DeleteCase => "delete_case",
            Self::SimilarCases => "similar_cases",
        }
    }

    /// The Japanese label for the audit screen.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::StoreCreated => "初期設定",
            Self::Login => "ログイン",
            Self::Recovered => "復旧コードで解除",
            Self::ListCases => "ケース一覧の表示",
            Self::ReadCase => "ケースの閲覧",
            Self::ReadHistory => "変更履歴の閲覧",
            Self::CreateCase => "ケースの作成",
            Self::WriteCase => "ケースの更新",
            Self::Account => "アカウントの変更",
            Self::Assignment => "担当の変更",
            Self::DeleteCase => "ケースの削除",
            Self::SimilarCases => "似た事例の閲覧",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::StoreCreated,
            Self::Login,
            Self::Recovered,
            Self::ListCases,
            Self::ReadCase,
            Self::ReadHistory,
            Self::CreateCase,
            Self::WriteCase,
            Self::Account,
            Self::Assignment,
            Self::DeleteCase,
            Self::SimilarCases,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: Timestamp,
    /// Which account.
    pub account: String,
    /// What kind of access.
    pub action: AuditAction,
    /// Which case, if any.
    pub case_id: Option<String>,
    /// Non-identifying detail: a section name, an account name, a count.
    pub detail: String,
}

fn chain_hash(
    prev: &str,
    at: &str,
    account: &str,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, at, account, action, case_id.unwrap_or(""), detail] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends one entry; call inside the transaction of the access it records.
pub(super) fn append(
    conn: &Connection,
    at: &str,
    account: &str,
    action: AuditAction,
    case_id: Option<&str>,
    detail: &str,
) -> rusqlite::Result<()> {
    let prev: String = conn
        .query_row(
            "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default();
    let hash = chain_hash(&prev, at, account, action.as_str(), case_id, detail);
    conn.execute(
        "INSERT INTO audit (at, account, action, case_id, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![at, account, action.as_str(), case_id, detail, hash],
    )?;
    Ok(())
}

/// The newest entry's sequence number and hash; `None` for an empty log.
pub(super) fn head(conn: &Connection) -> rusqlite::Result<Option<crate::seal::AuditHead>> {
    conn.query_row(
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        [],
        |r| {
            Ok(crate::seal::AuditHead {
                entries: r.get(0)?,
                hash: r.get(1)?,
            })
        },
    )
    .optional()
}

/// The newest `limit` entries, newest first.
pub(super) fn entries(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, account, action, case_id, detail FROM audit ORDER BY seq DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        let action: String = r.get(3)?;
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            account: r.get(2)?,
            action: AuditAction::parse(&action).unwrap_or(AuditAction::Account),
            case_id: r.get(4)?,
            detail: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// The sequence number of the first entry whose hash does not follow from
/// the one before it, if any.
pub(super) fn first_broken_link(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, account, action, case_id, detail, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = String::new();
    let mut expected_seq = 1;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let case_id: Option<String> = r.get(4)?;
        let hash: String = r.get(6)?;
        let want = chain_hash(
            &prev,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            case_id.as_deref(),
            &r.get::<_, String>(5)?,
        );
        if seq != expected_seq || hash != want {
            return Ok(Some(seq));
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok(None)
}
