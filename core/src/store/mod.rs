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
mod carried;
mod case_index;
mod cases;
mod deletion;
mod due;
mod error;
pub mod full_copy;
pub mod keychain;
pub mod keys;
mod media;
mod open;
mod reentry;
pub mod research;
mod restore;
mod rotation;
mod schema;
mod similar;
mod snapshot;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub use crate::media::VideoInfo;
pub use audit::{AuditAction, AuditEntry};
pub(crate) use carried::NewMedia;
pub use cases::{CaseQuery, CaseSummary, Revision};
use cases::{read_case, stage_key};
pub use due::DueRow;
pub use error::StoreError;
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
pub use restore::RestoredCase;
use rotation::HandleLock;
pub use rotation::{LOCK_FILE, ROTATION_LOCK_FILE};
pub use schema::CURRENT_VERSION as SCHEMA_VERSION;
pub use snapshot::StoredCase;

use crate::model::CaseId;

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
    lists_audited: std::cell::Cell<Option<std::time::Instant>>,
    /// The case list's rows, kept in memory for searching as one types.
    case_index: case_index::CaseIndex,
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

#[cfg(test)]
mod tests;
