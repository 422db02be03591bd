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
//!
//! Beside the records the storage keeps the figures' counts and a data
//! version, both changed in the transaction that changes the records
//! (`counts.rs`, [`Database::figure_counts`]).
//!
//! **Agencies with and without a key.** An agency is a row of `agencies`,
//! keyed by its name. One registered to send research data has its
//! signing key ([`Agency`], `agency add NAME --key FILE`); one registered
//! only to use the board has none yet ([`AgencyEntry`] with no `signer`,
//! `board agency add NAME`): it may have accounts, but it is not among
//! [`Database::agencies`], so its batches are refused as an unknown
//! agency's. Registering a key under the name of an agency that has none
//! gives it that key ([`AgencyAdded::KeyAdded`]); its accounts stay.
//! Databases made when the key was the table's primary key are rebuilt to
//! this shape when they are opened, in one transaction.

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
mod counts;
mod postgres_accounts;
mod postgres_db;
pub use accounts::AccountStore;
pub use counts::FigureCounts;
pub use postgres_db::PostgresDatabase;

/// Opens the database: PostgreSQL when a connection string `url`
/// (`postgres://…`) is given, else SQLite in `dir`.
pub fn open(dir: &Path, url: Option<&str>) -> Result<Box<dyn Database>, StorageError> {
    match url {
        Some(url) if !url.trim().is_empty() => Ok(Box::new(PostgresDatabase::connect(url)?)),
        _ => Ok(Box::new(SqliteDatabase::open(dir)?)),
    }
}

/// A registered agency with its signing key (登録機関): one that may send
/// batches. [`AgencyEntry`] also lists those registered without a key.
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

/// An agency as the centre lists it: registered to send research data
/// (with its key), or only to use the board (no key yet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyEntry {
    /// Its name as registered at the centre; its accounts name it.
    pub name: String,
    /// The key its batches are signed with; `None` until one is
    /// registered, and until then its batches are refused.
    pub signer: Option<SignerKey>,
    /// When its registration was revoked, if it was (see [`Agency`]).
    pub revoked_at: Option<tsunagi_core::rfc3339::Timestamp>,
}

/// What [`Database::add_agency`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencyAdded {
    /// A new agency was registered with its key.
    Registered,
    /// An agency of that name was registered without a key (for the
    /// board); the key is now its, and its accounts stay.
    KeyAdded,
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
    /// Registers an agency with its key; or, if an agency of that name is
    /// registered without a key, gives it this key (a revocation stays).
    /// [`StorageError::AgencyExists`] if the name has a key already or the
    /// key is another agency's.
    fn add_agency(&mut self, agency: &Agency) -> Result<AgencyAdded, StorageError>;
    /// Registers an agency by its name alone, with no key, for the board:
    /// it may have accounts, but the centre takes no batch from it until a
    /// key is added with [`Database::add_agency`].
    /// [`StorageError::AgencyExists`] if the name is registered already,
    /// with a key or without.
    fn add_agency_without_key(&mut self, name: &str) -> Result<(), StorageError>;
    /// Every agency with a key (those that may send batches), revoked ones
    /// included.
    fn agencies(&mut self) -> Result<Vec<Agency>, StorageError>;
    /// Every registered agency, with a key or without, revoked ones
    /// included, by name.
    fn all_agencies(&mut self) -> Result<Vec<AgencyEntry>, StorageError>;
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
    /// The data version: a number raised in the same transaction as every
    /// change to what the figures show (a batch stored, records withdrawn
    /// or deleted, an agency registered with its key). Figures made at a
    /// version are those of every later read of the same version.
    fn data_version(&mut self) -> Result<u64, StorageError>;
    /// What the figures are made from: the counts of every stored record,
    /// kept up to date by every change (never counted again from the
    /// records here), with their data version and the batch and agency
    /// counts, read in one transaction.
    fn figure_counts(&mut self) -> Result<FigureCounts, StorageError>;
}

/// The columns of `agencies`: keyed by name, the signing key unique when
/// there is one.
const AGENCIES_COLUMNS: &str = "
    name TEXT NOT NULL PRIMARY KEY,
    signer TEXT UNIQUE,
    added_at TEXT NOT NULL,
    revoked_at TEXT
";

/// The tables beside `agencies`.
const SCHEMA: &str = r#"
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
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS agencies ({AGENCIES_COLUMNS}) STRICT;"
        ))?;
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
        conn.execute_batch(&accounts::schema())?;
        conn.execute_batch(counts::SQLITE_SCHEMA)?;
        let mut db = Self { conn };
        db.rebuild_old_tables()?;
        counts::sqlite_recount(&mut db.conn)?;
        Ok(db)
    }

    /// Rebuilds, in one transaction, the tables of a database made before
    /// agencies could be registered without a key (`agencies` keyed by its
    /// signing key) or before agencies had administrators (the `accounts`
    /// role's CHECK without `agency_admin`). SQLite changes neither a
    /// primary key nor a CHECK in place: each table is made anew under a
    /// new name, filled, and takes the old one's place, with foreign keys
    /// off meanwhile and checked before the commit. Another process
    /// opening the same file at once waits for the lock, then finds
    /// nothing left to do.
    fn rebuild_old_tables(&mut self) -> Result<(), StorageError> {
        if !agencies_keyed_by_signer(&self.conn)? && !accounts::has_old_roles(&self.conn)? {
            return Ok(());
        }
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let rebuilt = self.rebuild_with_foreign_keys_off();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        rebuilt
    }

    fn rebuild_with_foreign_keys_off(&mut self) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if agencies_keyed_by_signer(&tx)? {
            tx.execute_batch(&format!(
                "CREATE TABLE agencies_rebuilt ({AGENCIES_COLUMNS}) STRICT;
                 INSERT INTO agencies_rebuilt (name, signer, added_at, revoked_at)
                     SELECT name, signer, added_at, revoked_at FROM agencies;
                 DROP TABLE agencies;
                 ALTER TABLE agencies_rebuilt RENAME TO agencies;"
            ))?;
        }
        if accounts::has_old_roles(&tx)? {
            accounts::rebuild(&tx)?;
        }
        if tx.prepare("PRAGMA foreign_key_check")?.exists([])? {
            return Err(StorageError::Damaged);
        }
        tx.commit()?;
        Ok(())
    }
}

/// Whether `agencies` has the shape it had before agencies could be
/// registered without a key: its signing key as its primary key.
fn agencies_keyed_by_signer(conn: &Connection) -> Result<bool, StorageError> {
    let pk: i64 = conn.query_row(
        "SELECT coalesce(max(pk), 0) FROM pragma_table_info('agencies') WHERE name = 'signer'",
        [],
        |r| r.get(0),
    )?;
    Ok(pk > 0)
}

/// The agencies of `all` that have a key.
pub(crate) fn with_keys(all: Vec<AgencyEntry>) -> Vec<Agency> {
    all.into_iter()
        .filter_map(|a| {
            Some(Agency {
                name: a.name,
                signer: a.signer?,
                revoked_at: a.revoked_at,
            })
        })
        .collect()
}

/// A constraint violation as [`StorageError::AgencyExists`].
fn agency_exists_on_conflict(e: rusqlite::Error) -> StorageError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StorageError::AgencyExists
        }
        e => e.into(),
    }
}

impl Database for SqliteDatabase {
    fn add_agency(&mut self, agency: &Agency) -> Result<AgencyAdded, StorageError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<Option<String>> = tx
            .query_row(
                "SELECT signer FROM agencies WHERE name = ?1",
                [&agency.name],
                |r| r.get(0),
            )
            .optional()?;
        let added = match existing {
            Some(Some(_)) => return Err(StorageError::AgencyExists),
            Some(None) => {
                tx.execute(
                    "UPDATE agencies SET signer = ?2 WHERE name = ?1 AND signer IS NULL",
                    params![agency.name, agency.signer.to_hex()],
                )
                .map_err(agency_exists_on_conflict)?;
                AgencyAdded::KeyAdded
            }
            None => {
                tx.execute(
                    "INSERT INTO agencies (name, signer, added_at) VALUES (?1, ?2, ?3)",
                    params![agency.name, agency.signer.to_hex(), crate::now()],
                )
                .map_err(agency_exists_on_conflict)?;
                AgencyAdded::Registered
            }
        };
        // The page counts the agencies with a key.
        counts::sqlite_bump(&tx)?;
        tx.commit()?;
        Ok(added)
    }

    fn add_agency_without_key(&mut self, name: &str) -> Result<(), StorageError> {
        let inserted = self.conn.execute(
            "INSERT INTO agencies (name, added_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![name, crate::now()],
        )?;
        if inserted == 0 {
            return Err(StorageError::AgencyExists);
        }
        Ok(())
    }

    fn agencies(&mut self) -> Result<Vec<Agency>, StorageError> {
        Ok(with_keys(self.all_agencies()?))
    }

    fn all_agencies(&mut self) -> Result<Vec<AgencyEntry>, StorageError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, signer, revoked_at FROM agencies ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<tsunagi_core::rfc3339::Timestamp>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, signer, revoked_at) = row?;
            out.push(AgencyEntry {
                name,
                signer: signer
                    .map(|s| s.parse().map_err(|_| StorageError::Damaged))
                    .transpose()?,
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
        let mut tally = counts::sqlite_tally(&tx)?;
        let deleted = if delete_records {
            let mut stmt = tx.prepare(
                "SELECT body FROM records WHERE signer = (SELECT signer FROM agencies WHERE name = ?1)",
            )?;
            let mut rows = stmt.query([name])?;
            while let Some(row) = rows.next()? {
                let body = row
                    .get_ref(0)?
                    .as_str()
                    .map_err(|_| StorageError::Damaged)?;
                tally.remove(&counts::record(body)?);
            }
            drop(rows);
            drop(stmt);
            tx.execute(
                "DELETE FROM records WHERE signer = (SELECT signer FROM agencies WHERE name = ?1)",
                [name],
            )?
        } else {
            0
        };
        counts::sqlite_save(&tx, &tally)?;
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
        let mut tally = counts::sqlite_tally(&tx)?;
        for record in counts::last_per_pseudonym(&batch.records) {
            let body = serde_json::to_string(record).expect("a record serialises");
            let old: Option<String> = tx
                .prepare_cached("SELECT body FROM records WHERE signer = ?1 AND pseudonym = ?2")?
                .query_row(params![signer, record.pseudonym.as_str()], |r| r.get(0))
                .optional()?;
            // Not over a withdrawal made at the same time or later.
            let stored = tx.prepare_cached(
                "INSERT INTO records (signer, pseudonym, batch_id, created_at, body)
                 SELECT ?1, ?2, ?3, ?4, ?5
                 WHERE NOT EXISTS (SELECT 1 FROM withdrawals
                     WHERE signer = ?1 AND pseudonym = ?2 AND created_at >= ?4)
                 ON CONFLICT (signer, pseudonym) DO UPDATE
                 SET batch_id = excluded.batch_id, created_at = excluded.created_at, body = excluded.body
                 WHERE excluded.created_at >= records.created_at",
            )?
            .execute(params![signer, record.pseudonym.as_str(), id, batch.created_at, body])?;
            if stored > 0 {
                if let Some(old) = old {
                    tally.remove(&counts::record(&old)?);
                }
                tally.add(record);
            }
        }
        for pseudonym in &batch.withdrawn {
            let old: Option<String> = tx
                .query_row(
                    "DELETE FROM records WHERE signer = ?1 AND pseudonym = ?2 AND created_at <= ?3
                     RETURNING body",
                    params![signer, pseudonym.as_str(), batch.created_at],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(old) = old {
                tally.remove(&counts::record(&old)?);
            }
            tx.execute(
                "INSERT INTO withdrawals (signer, pseudonym, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (signer, pseudonym) DO UPDATE SET created_at = excluded.created_at
                 WHERE excluded.created_at > withdrawals.created_at",
                params![signer, pseudonym.as_str(), batch.created_at],
            )?;
        }
        counts::sqlite_save(&tx, &tally)?;
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

    fn data_version(&mut self) -> Result<u64, StorageError> {
        counts::sqlite_version(&self.conn)
    }

    fn figure_counts(&mut self) -> Result<FigureCounts, StorageError> {
        counts::sqlite_figure_counts(&mut self.conn)
    }
}
