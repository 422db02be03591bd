//! The encrypted store (暗号化データベース): one SQLCipher database per
//! installation, opened only through an account's keyslot.
//!
//! A [`Store`] is an unlocked store with a logged-in account. Every method
//! checks the account's [`Role`] and the case's assignment here, in core, so
//! no screen or command can forget to. Every read and write of identifying
//! data is appended to the audit log in the same transaction as the access.
//!
//! Durability: the database runs in WAL mode with `synchronous = FULL`, so a
//! save that returned `Ok` survives a killed process or a power cut.

mod accounts;
mod audit;
mod deletion;
pub mod keychain;
pub mod keys;
mod media;
mod open;
pub mod research;
mod rotation;
mod schema;
pub mod sync;

use crate::rfc3339::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

pub use crate::media::VideoInfo;
use accounts::read_account;
pub use audit::{AuditAction, AuditEntry};
pub use keychain::{
    ChosenKeychain, DeviceSecret, FileKeychain, Keychain, KeychainError, MemoryKeychain,
    OsKeychain, choose_keychain, choose_keychain_in,
};
use keys::{DbKey, KeyslotFile};
pub use keys::{KdfParams, KeyError, RecoveryCode};
pub use media::{
    Approval, MEDIA_DIR, MEDIA_REVISION_SECTION, MediaDetails, MediaId, MediaItem, MediaSpace,
    MediaStream, SWEEP_GRACE, ShownMedia,
};
pub use open::exists;
#[cfg(test)]
use open::open_db;
use rotation::HandleLock;
pub use rotation::{LOCK_FILE, ROTATION_LOCK_FILE};
pub use schema::CURRENT_VERSION as SCHEMA_VERSION;

use crate::model::{Case, CaseId, Section, SectionName, SupportStage};
use crate::pii::Identifying;
use crate::revision::{self, FieldChange};

/// The database file in a data folder.
pub const DB_FILE: &str = "store.db";

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What an account may do (権限).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理者: accounts, assignments, the audit log, and every case.
    Administrator,
    /// 支援員: creates cases and edits the cases assigned to them.
    SupportWorker,
    /// 閲覧のみ: reads the cases assigned to them, changes nothing.
    ReadOnly,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::SupportWorker => "support_worker",
            Self::ReadOnly => "read_only",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Administrator, Self::SupportWorker, Self::ReadOnly]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// The Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Administrator => "管理者",
            Self::SupportWorker => "支援員",
            Self::ReadOnly => "閲覧のみ",
        }
    }
}

/// A logged-in account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Login name.
    pub name: String,
    /// What it may do.
    pub role: Role,
}

/// Settings for creating a store.
#[derive(Clone, Copy, Debug)]
pub struct StoreOptions {
    /// Argon2id cost for new keyslots.
    pub kdf: KdfParams,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            kdf: KdfParams::DEFAULT,
        }
    }
}

/// Why the store refused or failed. Messages are for a support worker.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store has been set up in this folder.
    #[error("no Tsunagi store in {0}: run the first-time set-up")]
    NoStore(PathBuf),
    /// Set-up was asked for where a store already exists.
    #[error("a Tsunagi store already exists in {0}")]
    AlreadyExists(PathBuf),
    /// The user name or the password is wrong (which one is not said).
    #[error("the user name or password is wrong")]
    WrongPassword,
    /// The password is right, but an administrator disabled the account.
    #[error(
        "このアカウントは無効になっています。管理者に確認してください / \
         this account has been disabled: ask an administrator"
    )]
    AccountDisabled,
    /// The recovery code does not open the store.
    #[error("the recovery code is wrong")]
    WrongRecoveryCode,
    /// The keychain has lost this device's secret.
    #[error("this device's key is missing from the {0}; open the store with the recovery code")]
    DeviceSecretMissing(String),
    /// The keychain could not be used.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// The keyslot file could not be used.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The database file is damaged, truncated or not a store at all.
    #[error("the case database is damaged or is not a Tsunagi store; restore it from a backup")]
    Damaged,
    /// Research batches were asked for before a centre was configured.
    #[error("no research centre is configured: run `research configure` first")]
    NoResearchCentre,
    /// A newer version of Tsunagi wrote this store.
    #[error("this store was written by a newer version of Tsunagi (schema {0}); update the app")]
    TooNew(u32),
    /// The account's role does not allow this.
    #[error("your account ({role}) may not {action}")]
    NotPermitted {
        /// The account's role, in Japanese.
        role: &'static str,
        /// What was refused.
        action: &'static str,
    },
    /// The case exists but is not assigned to this account.
    #[error("this case is not assigned to you")]
    NotAssigned,
    /// There is no such case.
    #[error("there is no case {0}")]
    NoSuchCase(CaseId),
    /// Another paired device holds the signing key a device names.
    #[error(
        "another paired device already holds that signing key; unpair it first if it was replaced"
    )]
    SignerTaken,
    /// There is no paired tablet with that certificate fingerprint.
    #[error("no paired tablet has that fingerprint (`peers` lists them)")]
    NoSuchPeer,
    /// There is no such account.
    #[error("there is no account named {0}")]
    NoSuchAccount(String),
    /// An administrator tried to disable or remove their own account.
    #[error(
        "自分のアカウントは無効にも削除にもできません。ほかの管理者に依頼してください / \
         you cannot disable or remove your own account: ask another administrator"
    )]
    OwnAccount,
    /// Disabling or removing the account would leave no enabled
    /// administrator.
    #[error(
        "最後の管理者は無効にも削除にもできません。先にほかのアカウントを管理者にしてください / \
         the last administrator cannot be disabled or removed: make another account an \
         administrator first"
    )]
    LastAdministrator,
    /// The database key cannot be replaced while another handle has the
    /// store open: nothing was changed.
    #[error(
        "この保管庫がほかの画面やコマンド（連携の受信を含む）で開かれています。それらを閉じてから、\
         もう一度お試しください。何も変更していません / the store is open elsewhere (another \
         window, the link server, a command): close them and try again; nothing was changed"
    )]
    OtherHandlesOpen,
    /// The recovery slot is still in the keyslot format of an earlier
    /// version and could not hold a new database key: nothing was changed.
    #[error(
        "復旧コードの鍵スロットが古い形式のままです。一度復旧コードで開いてから（tsunagi recover）、\
         もう一度お試しください。何も変更していません / the recovery code's keyslot is still in \
         the format of an earlier version: open the store once with the recovery code \
         (tsunagi recover), then try again; nothing was changed"
    )]
    OldRecoverySlot,
    /// The account already exists.
    #[error("an account named {0} already exists")]
    AccountExists(String),
    /// The password is too short.
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    /// The account name is empty or has control characters.
    #[error("an account name must be 1 to 64 characters without spaces at either end")]
    BadAccountName,
    /// Case data that does not fit the case model.
    #[error("the case data does not fit the case format: {0}")]
    InvalidCase(String),
    /// A case that would not be consistent (a reference to a missing item,
    /// a period that ends before it starts): nothing was written.
    #[error("the case data does not fit the case format: {0}")]
    Inconsistent(#[from] crate::model::ValidationError),
    /// The audit log was altered outside Tsunagi.
    #[error("the audit log has been altered (entry {0})")]
    AuditTampered(i64),
    /// The disk is full; nothing was saved.
    #[error("the disk is full; nothing was saved")]
    DiskFull,
    /// Another database failure; nothing was saved.
    #[error("the case database failed ({0}); nothing was saved")]
    Database(String),
    /// A file in the data folder could not be read or written.
    #[error("a file in the data folder could not be read or written: {0}")]
    Io(#[from] std::io::Error),
    /// There is no such photo or video in this case.
    #[error("there is no photo or video {0} in this case")]
    NoSuchMedia(MediaId),
    /// A photo or video could not be stored or read.
    #[error(transparent)]
    Media(#[from] crate::media::MediaError),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Self::DiskFull,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Self::Damaged,
            // The message of a SQLite error names the failing constraint or
            // statement, never a bound value.
            _ => Self::Database(e.to_string()),
        }
    }
}

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
    /// Last change (RFC 3339, UTC).
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
    /// When (RFC 3339, UTC).
    pub at: Timestamp,
    /// Which section.
    pub section: SectionName,
    /// The fields that changed.
    pub changes: Vec<FieldChange>,
}

/// An unlocked store with a logged-in account. Not `Sync`: use it from one
/// thread (the app keeps it on a worker thread).
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    /// This handle's shared lock on `store.lock`: see [`rotation`].
    lock: HandleLock,
    keychain: Arc<dyn Keychain>,
    slots: KeyslotFile,
    key: DbKey,
    account: Account,
    kdf: KdfParams,
    /// When a list of cases was last audited by this handle.
    lists_audited: Option<std::time::Instant>,
}

/// A list of cases (names) is audited at most this often per unlocked
/// store: searching as one types shows a list per keystroke, and one entry
/// says as much as a hundred.
pub const LIST_AUDIT_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

fn now() -> String {
    crate::rfc3339::now()
}

fn check_account_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.trim() == name
        && !name.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadAccountName)
    }
}

fn check_password(password: &str) -> Result<(), StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(StoreError::PasswordTooShort)
    } else {
        Ok(())
    }
}

impl Store {
    /// The logged-in account.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn require(&self, allowed: &[Role], action: &'static str) -> Result<(), StoreError> {
        if allowed.contains(&self.account.role) {
            Ok(())
        } else {
            Err(StoreError::NotPermitted {
                role: self.account.role.label_ja(),
                action,
            })
        }
    }

    fn require_admin(&self, action: &'static str) -> Result<(), StoreError> {
        self.require(&[Role::Administrator], action)
    }

    fn require_editor(&self) -> Result<(), StoreError> {
        self.require(&[Role::Administrator, Role::SupportWorker], "change cases")
    }

    /// Refuses unless the account may see `case`: administrators see every
    /// case, others only those assigned to them.
    fn require_access(&self, tx: &Connection, case: CaseId) -> Result<(), StoreError> {
        let id = case.to_string();
        let found: bool = tx
            .query_row("SELECT 1 FROM cases WHERE id = ?1", [&id], |_| Ok(()))
            .optional()?
            .is_some();
        if !found {
            return Err(StoreError::NoSuchCase(case));
        }
        if self.account.role == Role::Administrator {
            return Ok(());
        }
        let assigned = tx
            .query_row(
                "SELECT 1 FROM assignments WHERE case_id = ?1 AND account = ?2",
                params![id, self.account.name],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if assigned {
            Ok(())
        } else {
            Err(StoreError::NotAssigned)
        }
    }

    fn audit(
        &self,
        tx: &Connection,
        action: AuditAction,
        case: Option<CaseId>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let case = case.map(|c| c.to_string());
        audit::append(
            tx,
            &now(),
            &self.account.name,
            action,
            case.as_deref(),
            detail,
        )?;
        Ok(())
    }

    // ───────────────────────────── accounts ─────────────────────────────

    fn device_secret(&self) -> Result<DeviceSecret, StoreError> {
        self.keychain
            .load(&self.slots.store_id)?
            .ok_or_else(|| StoreError::DeviceSecretMissing(self.keychain.describe()))
    }

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
        let id = CaseId::new();
        let at = now();
        let tx = self.conn.unchecked_transaction()?;
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
            write_section(&tx, id, &section, &self.account.name, &at)?;
        }
        self.audit(&tx, AuditAction::CreateCase, Some(id), "")?;
        tx.commit()?;
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
        let tx = self.conn.unchecked_transaction()?;
        let mine = (self.account.role != Role::Administrator).then(|| self.account.name.clone());
        let pattern = format!("%{}%", escape_like(query.text.trim()));
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, c.name, c.kana, c.stage, c.updated_at,
                    (SELECT group_concat(account, char(10)) FROM assignments a WHERE a.case_id = c.id)
             FROM cases c
             WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.account = ?1))
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.account = ?2))
               AND (?3 IS NULL OR c.stage = ?3)
               AND (c.name LIKE ?4 ESCAPE '\\' OR c.kana LIKE ?4 ESCAPE '\\')
             ORDER BY c.updated_at DESC, c.id",
        )?;
        let stage = query.stage.map(stage_key);
        let rows = stmt.query_map(params![mine, query.worker, stage, pattern], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Timestamp>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, kana, stage, updated_at, assigned) = row?;
            out.push(CaseSummary {
                id: id.parse().map_err(|_| StoreError::Damaged)?,
                name: name.into(),
                kana: kana.into(),
                stage: parse_stage(&stage)?,
                updated_at,
                assigned_to: assigned
                    .map(|a| a.lines().map(str::to_owned).collect())
                    .unwrap_or_default(),
            });
        }
        drop(stmt);
        if self
            .lists_audited
            .is_none_or(|at| at.elapsed() >= LIST_AUDIT_EVERY)
        {
            self.audit(
                &tx,
                AuditAction::ListCases,
                None,
                &format!("{} rows", out.len()),
            )?;
            tx.commit()?;
            self.lists_audited = Some(std::time::Instant::now());
        }
        Ok(out)
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

    // ──────────────────────────── audit log ─────────────────────────────

    /// The newest `limit` audit entries, newest first (administrators only).
    pub fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.require_admin("read the audit log")?;
        Ok(audit::entries(&self.conn, limit)?)
    }

    /// Checks the audit log's hash chain (administrators only).
    pub fn verify_audit_log(&self) -> Result<(), StoreError> {
        self.require_admin("read the audit log")?;
        match audit::first_broken_link(&self.conn)? {
            None => Ok(()),
            Some(seq) => Err(StoreError::AuditTampered(seq)),
        }
    }
}

fn stage_key(stage: SupportStage) -> String {
    serde_json::to_value(stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .expect("a stage serialises as a string")
}

fn parse_stage(s: &str) -> Result<SupportStage, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| StoreError::Damaged)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Writes one section inside `tx`, recording a revision when anything
/// changed, and returns the case's revision number.
fn write_section(
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

fn read_case(tx: &Connection, case: CaseId) -> Result<Case, StoreError> {
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

#[cfg(test)]
mod tests;
