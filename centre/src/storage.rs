//! Where the centre keeps agencies, batches and accounts: a small
//! [`Database`] trait (with [`AccountStore`] for accounts and sessions),
//! with SQLite ([`SqliteDatabase`]) as the default and PostgreSQL
//! ([`PostgresDatabase`]) for a national deployment; [`open`] picks one.
//!
//! The SQLite file is not encrypted (no SQLCipher key): it holds only
//! de-identified records, auditors must be able to inspect every stored
//! byte, and the service starts unattended. Records are kept per agency and
//! pseudonym, the latest batch winning, so a case sent in many batches is
//! counted once.
//!
//! A batch may also withdraw pseudonyms (consent withdrawn, case deleted):
//! their records are deleted in the same transaction that stores the batch,
//! and the withdrawal is remembered (the pseudonym and the batch's time, no
//! content) so that an older batch arriving late cannot bring the record
//! back. For each agency and pseudonym the latest batch wins, whether it
//! sends a record or withdraws it.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use tsunagi_core::research::{Batch, ProgressRecord};
use tsunagi_core::seal::SignerKey;

/// The database file in the data folder.
pub const DATABASE_FILE: &str = "centre.sqlite";

/// Why the database failed. Never holds a record's content.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// SQLite failed.
    #[error("the centre's database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// An agency with that name or key is registered already.
    #[error("an agency with that name or key is registered already")]
    AgencyExists,
    /// PostgreSQL failed (or could not be reached).
    #[error("the centre's PostgreSQL database failed: {0}")]
    Postgres(#[from] postgres::Error),
    /// A stored row does not read back.
    #[error("the centre's database holds a row it cannot read")]
    Damaged,
    /// No agency is registered under the name given.
    #[error("no agency is registered under that name; `agency list` shows them")]
    NoSuchAgency,
    /// The agency's registration was revoked: its batches are refused.
    #[error(
        "this agency's registration at the centre was revoked (登録取消); the centre takes no more batches from it"
    )]
    Revoked,
    /// An account with that login name exists already.
    #[error("an account with that login name exists already")]
    AccountExists,
    /// No account has the login name given.
    #[error("no account has that login name; `account list` shows them")]
    NoSuchAccount,
}

mod accounts;
mod postgres_accounts;
mod postgres_db;
pub use accounts::AccountStore;
pub use postgres_db::PostgresDatabase;

/// Opens the database: PostgreSQL when a connection string `url`
/// (`postgres://…`) is given, else SQLite in `dir`.
pub fn open(dir: &Path, url: Option<&str>) -> Result<Box<dyn Database>, StorageError> {
    match url {
        Some(url) if !url.trim().is_empty() => Ok(Box::new(PostgresDatabase::connect(url)?)),
        _ => Ok(Box::new(SqliteDatabase::open(dir)?)),
    }
}

/// A registered agency (登録機関).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    /// Its name as registered at the centre.
    pub name: String,
    /// The Ed25519 key its batches are signed with.
    pub signer: SignerKey,
    /// When its registration was revoked, if it was: batches it
    /// signs from then on are refused; what it sent before stays unless
    /// deleted with the revocation.
    pub revoked_at: Option<tsunagi_core::rfc3339::Timestamp>,
}

impl Agency {
    /// A registered agency, not revoked.
    pub fn new(name: impl Into<String>, signer: SignerKey) -> Self {
        Self {
            name: name.into(),
            signer,
            revoked_at: None,
        }
    }
}

/// What the centre answers when a batch is stored: the same every time the
/// same batch arrives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    /// The batch's id.
    pub batch_id: String,
    /// The agency, as registered.
    pub agency: String,
    /// How many records the batch held.
    pub records: usize,
    /// How many pseudonyms the batch withdrew (their records deleted).
    /// Absent from acknowledgements stored before withdrawals existed.
    #[serde(default)]
    pub withdrawn: usize,
    /// When the centre first stored it.
    pub received_at: tsunagi_core::rfc3339::Timestamp,
}

impl Ack {
    /// The acknowledgement of `batch` from `agency`, first stored at
    /// `received_at`.
    pub fn of(
        agency: &Agency,
        batch: &Batch,
        received_at: tsunagi_core::rfc3339::Timestamp,
    ) -> Self {
        Self {
            batch_id: batch.batch_id.to_string(),
            agency: agency.name.clone(),
            records: batch.records.len(),
            withdrawn: batch.withdrawn.len(),
            received_at,
        }
    }
}

/// The centre's storage. Implementations keep `store_batch` atomic: a batch
/// is stored whole or not at all. Calls block: the server makes them on a
/// blocking thread.
pub trait Database: AccountStore + Send {
    /// Registers an agency.
    fn add_agency(&mut self, agency: &Agency) -> Result<(), StorageError>;
    /// Every registered agency, revoked ones included.
    fn agencies(&mut self) -> Result<Vec<Agency>, StorageError>;
    /// Revokes the registration of the agency called `name` (登録取消):
    /// from then on [`Database::store_batch`] refuses its new batches with
    /// [`StorageError::Revoked`]. Its stored records stay, unless
    /// `delete_records`, when they are deleted in the same transaction
    /// (its batches' acknowledgements stay: they hold no record). Revoking
    /// again keeps the first time and may still delete. Returns how many
    /// records were deleted.
    fn revoke_agency(&mut self, name: &str, delete_records: bool) -> Result<usize, StorageError>;
    /// Stores `batch` from `agency` unless a batch with its id is stored
    /// already; either way returns the batch's acknowledgement. In the same
    /// transaction, deletes the agency's records of every pseudonym the
    /// batch withdraws (unless a later batch sent it again). A new batch
    /// from a revoked agency is refused with [`StorageError::Revoked`],
    /// checked in the same transaction; one stored before the revocation is
    /// acknowledged again.
    fn store_batch(
        &mut self,
        agency: &Agency,
        batch: &Batch,
        received_at: tsunagi_core::rfc3339::Timestamp,
    ) -> Result<Ack, StorageError>;
    /// The current record of every case (the latest per agency and
    /// pseudonym).
    fn records(&mut self) -> Result<Vec<ProgressRecord>, StorageError>;
    /// How many batches are stored.
    fn batch_count(&mut self) -> Result<usize, StorageError>;
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS agencies (
    signer TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    signer TEXT NOT NULL REFERENCES agencies (signer),
    created_at TEXT NOT NULL,
    ack TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS records (
    signer TEXT NOT NULL REFERENCES agencies (signer),
    pseudonym TEXT NOT NULL,
    batch_id TEXT NOT NULL REFERENCES batches (id),
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (signer, pseudonym)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS withdrawals (
    signer TEXT NOT NULL REFERENCES agencies (signer),
    pseudonym TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (signer, pseudonym)
) STRICT, WITHOUT ROWID;
"#;

/// The SQLite database in the data folder.
pub struct SqliteDatabase {
    conn: Connection,
}

impl std::fmt::Debug for SqliteDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteDatabase")
    }
}

impl SqliteDatabase {
    /// Opens (or creates) `centre.sqlite` in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        let conn = Connection::open(dir.join(DATABASE_FILE))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        // A database made before revocations existed.
        let has_revoked: i64 = conn.query_row(
            "SELECT count(*) FROM pragma_table_info('agencies') WHERE name = 'revoked_at'",
            [],
            |r| r.get(0),
        )?;
        if has_revoked == 0 {
            conn.execute_batch("ALTER TABLE agencies ADD COLUMN revoked_at TEXT")?;
        }
        conn.execute_batch(accounts::SCHEMA)?;
        Ok(Self { conn })
    }
}

impl Database for SqliteDatabase {
    fn add_agency(&mut self, agency: &Agency) -> Result<(), StorageError> {
        let now = crate::now();
        match self.conn.execute(
            "INSERT INTO agencies (signer, name, added_at) VALUES (?1, ?2, ?3)",
            params![agency.signer.to_hex(), agency.name, now],
        ) {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StorageError::AgencyExists)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn agencies(&mut self) -> Result<Vec<Agency>, StorageError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, signer, revoked_at FROM agencies ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<tsunagi_core::rfc3339::Timestamp>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, signer, revoked_at) = row?;
            out.push(Agency {
                name,
                signer: signer.parse().map_err(|_| StorageError::Damaged)?,
                revoked_at,
            });
        }
        Ok(out)
    }

    fn revoke_agency(&mut self, name: &str, delete_records: bool) -> Result<usize, StorageError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let updated = tx.execute(
            "UPDATE agencies SET revoked_at = coalesce(revoked_at, ?2) WHERE name = ?1",
            params![name, crate::now()],
        )?;
        if updated == 0 {
            return Err(StorageError::NoSuchAgency);
        }
        let deleted = if delete_records {
            tx.execute(
                "DELETE FROM records WHERE signer = (SELECT signer FROM agencies WHERE name = ?1)",
                [name],
            )?
        } else {
            0
        };
        tx.commit()?;
        Ok(deleted)
    }

    fn store_batch(
        &mut self,
        agency: &Agency,
        batch: &Batch,
        received_at: tsunagi_core::rfc3339::Timestamp,
    ) -> Result<Ack, StorageError> {
        let id = batch.batch_id.to_string();
        // Immediate: the write lock from the start, so that a revocation
        // cannot come between the check below and the records.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row("SELECT ack FROM batches WHERE id = ?1", [&id], |r| r.get(0))
            .optional()?;
        if let Some(ack) = existing {
            return serde_json::from_str(&ack).map_err(|_| StorageError::Damaged);
        }
        let signer = agency.signer.to_hex();
        let revoked: Option<Option<String>> = tx
            .query_row(
                "SELECT revoked_at FROM agencies WHERE signer = ?1",
                [&signer],
                |r| r.get(0),
            )
            .optional()?;
        match revoked {
            None => return Err(StorageError::NoSuchAgency),
            Some(Some(_)) => return Err(StorageError::Revoked),
            Some(None) => {}
        }
        let ack = Ack::of(agency, batch, received_at);
        tx.execute(
            "INSERT INTO batches (id, signer, created_at, ack) VALUES (?1, ?2, ?3, ?4)",
            params![
                id,
                signer,
                batch.created_at,
                serde_json::to_string(&ack).expect("serialises")
            ],
        )?;
        for record in &batch.records {
            let body = serde_json::to_string(record).expect("a record serialises");
            // Not over a withdrawal made at the same time or later.
            tx.execute(
                "INSERT INTO records (signer, pseudonym, batch_id, created_at, body)
                 SELECT ?1, ?2, ?3, ?4, ?5
                 WHERE NOT EXISTS (SELECT 1 FROM withdrawals
                     WHERE signer = ?1 AND pseudonym = ?2 AND created_at >= ?4)
                 ON CONFLICT (signer, pseudonym) DO UPDATE
                 SET batch_id = excluded.batch_id, created_at = excluded.created_at, body = excluded.body
                 WHERE excluded.created_at >= records.created_at",
                params![signer, record.pseudonym.as_str(), id, batch.created_at, body],
            )?;
        }
        for pseudonym in &batch.withdrawn {
            tx.execute(
                "DELETE FROM records WHERE signer = ?1 AND pseudonym = ?2 AND created_at <= ?3",
                params![signer, pseudonym.as_str(), batch.created_at],
            )?;
            tx.execute(
                "INSERT INTO withdrawals (signer, pseudonym, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (signer, pseudonym) DO UPDATE SET created_at = excluded.created_at
                 WHERE excluded.created_at > withdrawals.created_at",
                params![signer, pseudonym.as_str(), batch.created_at],
            )?;
        }
        tx.commit()?;
        Ok(ack)
    }

    fn records(&mut self) -> Result<Vec<ProgressRecord>, StorageError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM records ORDER BY signer, pseudonym")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?).map_err(|_| StorageError::Damaged)?);
        }
        Ok(out)
    }

    fn batch_count(&mut self) -> Result<usize, StorageError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM batches", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}
