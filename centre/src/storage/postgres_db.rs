//! The centre's storage on PostgreSQL, for a deployment that gathers many
//! agencies: the same tables and the same rules as SQLite. Accounts and
//! sessions are in `postgres_accounts.rs`.
//!
//! The connection string comes from the operator (`--database` or
//! `TSUNAGI_CENTRE_DATABASE`); it is never printed, since it may hold a
//! password. The connection is made without TLS: run the database on the
//! same host or reach it through a socket or a private network.
//!
//! A database made before agencies could be registered without a key
//! (`agencies` keyed by its signing key) or before agencies had
//! administrators is changed in place when it is connected to, in one
//! transaction holding both tables' locks ([`migrate`]).

use postgres::error::SqlState;
use postgres::{Client, GenericClient, NoTls};
use tsunagi_core::research::{Batch, ProgressRecord};

use super::counts::{self, FigureCounts};
use super::{Ack, Agency, AgencyAdded, AgencyEntry, Database, StorageError};
use crate::figures::Tally;
use crate::figures::tally::FIGURE_RULES;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS agencies (
    name TEXT PRIMARY KEY,
    signer TEXT UNIQUE,
    added_at TEXT NOT NULL,
    revoked_at TEXT
);
ALTER TABLE agencies ADD COLUMN IF NOT EXISTS revoked_at TEXT;
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    signer TEXT NOT NULL REFERENCES agencies (signer),
    created_at TEXT NOT NULL,
    ack TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    signer TEXT NOT NULL REFERENCES agencies (signer),
    pseudonym TEXT NOT NULL,
    batch_id TEXT NOT NULL REFERENCES batches (id),
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (signer, pseudonym)
);
CREATE TABLE IF NOT EXISTS withdrawals (
    signer TEXT NOT NULL REFERENCES agencies (signer),
    pseudonym TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (signer, pseudonym)
);
"#;

/// A PostgreSQL database.
pub struct PostgresDatabase {
    pub(super) client: Client,
}

impl std::fmt::Debug for PostgresDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresDatabase")
    }
}

impl PostgresDatabase {
    /// Connects with `url` (`postgres://user@host:port/db`) and creates the
    /// tables if they are missing.
    pub fn connect(url: &str) -> Result<Self, StorageError> {
        let mut client = Client::connect(url, NoTls)?;
        client.batch_execute(SCHEMA)?;
        client.batch_execute(super::postgres_accounts::SCHEMA)?;
        client.batch_execute(counts::POSTGRES_SCHEMA)?;
        migrate(&mut client)?;
        recount(&mut client)?;
        Ok(Self { client })
    }
}

/// Whether `agencies` is keyed by its signing key (a `NOT NULL` column),
/// as it was before agencies could be registered without one.
fn agencies_keyed_by_signer(client: &mut impl GenericClient) -> Result<bool, StorageError> {
    let row = client.query_opt(
        "SELECT is_nullable FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'agencies'
           AND column_name = 'signer'",
        &[],
    )?;
    Ok(match row {
        Some(row) => row.try_get::<_, String>(0)? == "NO",
        None => false,
    })
}

/// Brings a database made by an earlier version to today's shape: see the
/// module's docs. `agencies` loses the primary key on its signing key
/// (and with it the foreign keys of `batches`, `records` and
/// `withdrawals`, made again at once on the key's new unique constraint)
/// and is keyed by name; `accounts` gets today's CHECKs. Another process
/// connecting at the same time waits for the locks, then finds nothing
/// left to do.
fn migrate(client: &mut Client) -> Result<(), StorageError> {
    use super::postgres_accounts::{has_old_roles, migrate as migrate_accounts};
    if !agencies_keyed_by_signer(client)? && !has_old_roles(client)? {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    tx.batch_execute("LOCK TABLE agencies, accounts IN ACCESS EXCLUSIVE MODE")?;
    if agencies_keyed_by_signer(&mut tx)? {
        let primary: String = tx
            .query_one(
                "SELECT conname FROM pg_constraint
                 WHERE conrelid = 'agencies'::regclass AND contype = 'p'",
                &[],
            )?
            .try_get(0)?;
        tx.batch_execute(&format!(
            "ALTER TABLE agencies DROP CONSTRAINT \"{}\" CASCADE;",
            primary.replace('"', "\"\"")
        ))?;
        tx.batch_execute(
            "ALTER TABLE agencies ALTER COLUMN signer DROP NOT NULL;
             ALTER TABLE agencies ADD CONSTRAINT agencies_signer_key UNIQUE (signer);
             ALTER TABLE agencies ADD PRIMARY KEY (name);
             ALTER TABLE batches ADD CONSTRAINT batches_signer_fkey
                 FOREIGN KEY (signer) REFERENCES agencies (signer);
             ALTER TABLE records ADD CONSTRAINT records_signer_fkey
                 FOREIGN KEY (signer) REFERENCES agencies (signer);
             ALTER TABLE withdrawals ADD CONSTRAINT withdrawals_signer_fkey
                 FOREIGN KEY (signer) REFERENCES agencies (signer);",
        )?;
    }
    if has_old_roles(&mut tx)? {
        migrate_accounts(&mut tx)?;
    }
    tx.commit()?;
    Ok(())
}

/// The stored counts, locked until the transaction ends: every change to
/// the records takes this row first (see `counts.rs`).
fn locked_tally(tx: &mut impl GenericClient) -> Result<Tally, StorageError> {
    let row = tx.query_one(
        "SELECT tally FROM figure_counts WHERE id = 1 FOR UPDATE",
        &[],
    )?;
    counts::tally(row.try_get(0)?)
}

/// Stores `tally` and raises the data version.
fn save_tally(tx: &mut impl GenericClient, tally: &Tally) -> Result<(), StorageError> {
    tx.execute(
        "UPDATE figure_counts SET tally = $1, version = version + 1 WHERE id = 1",
        &[&tally.to_stored()],
    )?;
    Ok(())
}

/// Counts every record again if the stored counts were made by other
/// rules (`counts.rs`), holding the counts' row meanwhile: a batch being
/// stored at once waits, then adds to the new counts.
fn recount(client: &mut Client) -> Result<(), StorageError> {
    let mut tx = client.transaction()?;
    let rules: i64 = tx
        .query_one(
            "SELECT rules FROM figure_counts WHERE id = 1 FOR UPDATE",
            &[],
        )?
        .try_get(0)?;
    if rules == FIGURE_RULES {
        return Ok(());
    }
    let mut tally = Tally::default();
    let params: [&(dyn postgres::types::ToSql + Sync); 0] = [];
    let mut rows = tx.query_raw("SELECT body FROM records", params)?;
    while let Some(row) = postgres::fallible_iterator::FallibleIterator::next(&mut rows)? {
        tally.add(&counts::record(row.try_get(0)?)?);
    }
    drop(rows);
    tx.execute(
        "UPDATE figure_counts SET tally = $1, rules = $2, version = version + 1 WHERE id = 1",
        &[&tally.to_stored(), &FIGURE_RULES],
    )?;
    tx.commit()?;
    Ok(())
}

/// A unique violation as [`StorageError::AgencyExists`].
fn agency_exists_on_conflict(e: postgres::Error) -> StorageError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        StorageError::AgencyExists
    } else {
        e.into()
    }
}

impl Database for PostgresDatabase {
    fn add_agency(&mut self, agency: &Agency) -> Result<AgencyAdded, StorageError> {
        let signer = agency.signer.to_hex();
        let mut tx = self.client.transaction()?;
        let existing = tx.query_opt(
            "SELECT signer FROM agencies WHERE name = $1 FOR UPDATE",
            &[&agency.name],
        )?;
        let added = match existing {
            Some(row) => {
                if row.try_get::<_, Option<String>>(0)?.is_some() {
                    return Err(StorageError::AgencyExists);
                }
                tx.execute(
                    "UPDATE agencies SET signer = $2 WHERE name = $1",
                    &[&agency.name, &signer],
                )
                .map_err(agency_exists_on_conflict)?;
                AgencyAdded::KeyAdded
            }
            None => {
                let inserted = tx.execute(
                    "INSERT INTO agencies (name, signer, added_at) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&agency.name, &signer, &crate::now()],
                )?;
                if inserted == 0 {
                    return Err(StorageError::AgencyExists);
                }
                AgencyAdded::Registered
            }
        };
        // The page counts the agencies with a key.
        tx.execute(
            "UPDATE figure_counts SET version = version + 1 WHERE id = 1",
            &[],
        )?;
        tx.commit()?;
        Ok(added)
    }

    fn add_agency_without_key(&mut self, name: &str) -> Result<(), StorageError> {
        let inserted = self.client.execute(
            "INSERT INTO agencies (name, added_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&name, &crate::now()],
        )?;
        if inserted == 0 {
            return Err(StorageError::AgencyExists);
        }
        Ok(())
    }

    fn agencies(&mut self) -> Result<Vec<Agency>, StorageError> {
        Ok(super::with_keys(self.all_agencies()?))
    }

    fn all_agencies(&mut self) -> Result<Vec<AgencyEntry>, StorageError> {
        let rows = self.client.query(
            "SELECT name, signer, revoked_at FROM agencies ORDER BY name",
            &[],
        )?;
        rows.iter()
            .map(|row| {
                let signer: Option<String> = row.try_get(1)?;
                let revoked_at: Option<String> = row.try_get(2)?;
                Ok(AgencyEntry {
                    name: row.try_get(0)?,
                    signer: signer
                        .map(|s| s.parse().map_err(|_| StorageError::Damaged))
                        .transpose()?,
                    revoked_at: revoked_at
                        .map(|at| {
                            tsunagi_core::rfc3339::Timestamp::parse(&at)
                                .ok_or(StorageError::Damaged)
                        })
                        .transpose()?,
                })
            })
            .collect()
    }

    fn revoke_agency(&mut self, name: &str, delete_records: bool) -> Result<usize, StorageError> {
        let mut tx = self.client.transaction()?;
        // The row lock waits for any batch being stored for the agency
        // (which holds it FOR SHARE) and makes later ones see the revocation.
        let updated = tx.execute(
            "UPDATE agencies SET revoked_at = coalesce(revoked_at, $2) WHERE name = $1",
            &[&name, &crate::now()],
        )?;
        if updated == 0 {
            return Err(StorageError::NoSuchAgency);
        }
        let mut tally = locked_tally(&mut tx)?;
        let deleted = if delete_records {
            let rows = tx.query(
                "DELETE FROM records WHERE signer = (SELECT signer FROM agencies WHERE name = $1)
                 RETURNING body",
                &[&name],
            )?;
            for row in &rows {
                tally.remove(&counts::record(row.try_get(0)?)?);
            }
            rows.len()
        } else {
            0
        };
        save_tally(&mut tx, &tally)?;
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
        let created_at = batch.created_at.to_string();
        let signer = agency.signer.to_hex();
        let ack = Ack::of(agency, batch, received_at);
        let mut tx = self.client.transaction()?;
        // The agency's row, locked against a revocation until this commits.
        let revoked: Option<Option<String>> = tx
            .query_opt(
                "SELECT revoked_at FROM agencies WHERE signer = $1 FOR SHARE",
                &[&signer],
            )?
            .map(|row| row.get(0));
        // The batch row first: a second sender of the same batch waits on
        // its key until the first commits, then finds it and stores nothing.
        let inserted = tx.execute(
            "INSERT INTO batches (id, signer, created_at, ack) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING",
            &[
                &id,
                &signer,
                &created_at,
                &serde_json::to_string(&ack).expect("an ack serialises"),
            ],
        )?;
        if inserted == 0 {
            let row = tx.query_one("SELECT ack FROM batches WHERE id = $1", &[&id])?;
            let stored: String = row.get(0);
            return serde_json::from_str(&stored).map_err(|_| StorageError::Damaged);
        }
        // A new batch: refused (and the row above rolled back) if revoked.
        match revoked {
            None => return Err(StorageError::NoSuchAgency),
            Some(Some(_)) => return Err(StorageError::Revoked),
            Some(None) => {}
        }
        let mut tally = locked_tally(&mut tx)?;
        let records = counts::last_per_pseudonym(&batch.records);
        let pseudonyms: Vec<&str> = records.iter().map(|r| r.pseudonym.as_str()).collect();
        let bodies: Vec<String> = records
            .iter()
            .map(|r| serde_json::to_string(r).expect("a record serialises"))
            .collect();
        // The records they replace, for the counts.
        let old: std::collections::HashMap<String, String> = tx
            .query(
                "SELECT pseudonym, body FROM records WHERE signer = $1 AND pseudonym = ANY($2)",
                &[&signer, &pseudonyms],
            )?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, StorageError>>()?;
        // Every record in one statement (one pseudonym once: see
        // `last_per_pseudonym`), not over a withdrawal made at the same
        // time or later, nor over a record from a later batch; the rows
        // written come back.
        let stored: std::collections::HashSet<String> = tx
            .query(
                "INSERT INTO records (signer, pseudonym, batch_id, created_at, body)
                 SELECT $1::TEXT, u.pseudonym, $3::TEXT, $4::TEXT, u.body
                 FROM unnest($2::TEXT[], $5::TEXT[]) AS u (pseudonym, body)
                 WHERE NOT EXISTS (SELECT 1 FROM withdrawals w
                     WHERE w.signer = $1 AND w.pseudonym = u.pseudonym AND w.created_at >= $4)
                 ON CONFLICT (signer, pseudonym) DO UPDATE
                 SET batch_id = excluded.batch_id, created_at = excluded.created_at, body = excluded.body
                 WHERE excluded.created_at >= records.created_at
                 RETURNING pseudonym",
                &[&signer, &pseudonyms, &id, &created_at, &bodies],
            )?
            .iter()
            .map(|row| row.try_get(0))
            .collect::<Result<_, _>>()?;
        for record in records {
            let pseudonym = record.pseudonym.as_str();
            if stored.contains(pseudonym) {
                if let Some(old) = old.get(pseudonym) {
                    tally.remove(&counts::record(old)?);
                }
                tally.add(record);
            }
        }
        for pseudonym in &batch.withdrawn {
            let deleted = tx.query_opt(
                "DELETE FROM records WHERE signer = $1 AND pseudonym = $2 AND created_at <= $3
                 RETURNING body",
                &[&signer, &pseudonym.as_str(), &created_at],
            )?;
            if let Some(row) = deleted {
                tally.remove(&counts::record(row.try_get(0)?)?);
            }
            tx.execute(
                "INSERT INTO withdrawals (signer, pseudonym, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (signer, pseudonym) DO UPDATE SET created_at = excluded.created_at
                 WHERE excluded.created_at > withdrawals.created_at",
                &[&signer, &pseudonym.as_str(), &created_at],
            )?;
        }
        save_tally(&mut tx, &tally)?;
        tx.commit()?;
        Ok(ack)
    }

    fn records(&mut self) -> Result<Vec<ProgressRecord>, StorageError> {
        let rows = self
            .client
            .query("SELECT body FROM records ORDER BY signer, pseudonym", &[])?;
        rows.iter()
            .map(|row| {
                let body: String = row.get(0);
                serde_json::from_str(&body).map_err(|_| StorageError::Damaged)
            })
            .collect()
    }

    fn batch_count(&mut self) -> Result<usize, StorageError> {
        let n: i64 = self
            .client
            .query_one("SELECT count(*) FROM batches", &[])?
            .get(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn data_version(&mut self) -> Result<u64, StorageError> {
        let row = self
            .client
            .query_one("SELECT version FROM figure_counts WHERE id = 1", &[])?;
        Ok(counts::version(row.try_get(0)?))
    }

    fn figure_counts(&mut self) -> Result<FigureCounts, StorageError> {
        // One snapshot for the counts and what the page says beside them.
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let row = tx.query_one(
            "SELECT version, tally,
                    (SELECT count(*) FROM batches),
                    (SELECT count(*) FROM agencies WHERE signer IS NOT NULL)
             FROM figure_counts WHERE id = 1",
            &[],
        )?;
        let counted = |i: usize| -> Result<usize, StorageError> {
            Ok(usize::try_from(row.try_get::<_, i64>(i)?).unwrap_or(0))
        };
        let figure_counts = FigureCounts {
            version: counts::version(row.try_get(0)?),
            tally: counts::tally(row.try_get(1)?)?,
            batches: counted(2)?,
            agencies: counted(3)?,
        };
        tx.commit()?;
        Ok(figure_counts)
    }
}
