//! The centre's storage on PostgreSQL, for a deployment that gathers many
//! agencies: the same tables and the same rules as SQLite. Accounts and
//! sessions are in `postgres_accounts.rs`.
//!
//! The connection string comes from the operator (`--database` or
//! `TSUNAGI_CENTRE_DATABASE`); it is never printed, since it may hold a
//! password. The connection is made without TLS: run the database on the
//! same host or reach it through a socket or a private network.

use postgres::{Client, NoTls};
use tsunagi_core::research::{Batch, ProgressRecord};

use super::{Ack, Agency, Database, StorageError};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS agencies (
    signer TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
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
        Ok(Self { client })
    }
}

impl Database for PostgresDatabase {
    fn add_agency(&mut self, agency: &Agency) -> Result<(), StorageError> {
        let inserted = self.client.execute(
            "INSERT INTO agencies (signer, name, added_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&agency.signer.to_hex(), &agency.name, &crate::now()],
        )?;
        if inserted == 0 {
            return Err(StorageError::AgencyExists);
        }
        Ok(())
    }

    fn agencies(&mut self) -> Result<Vec<Agency>, StorageError> {
        let rows = self.client.query(
            "SELECT name, signer, revoked_at FROM agencies ORDER BY name",
            &[],
        )?;
        rows.iter()
            .map(|row| {
                let signer: String = row.get(1);
                let revoked_at: Option<String> = row.get(2);
                Ok(Agency {
                    name: row.get(0),
                    signer: signer.parse().map_err(|_| StorageError::Damaged)?,
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
        let deleted = if delete_records {
            tx.execute(
                "DELETE FROM records WHERE signer = (SELECT signer FROM agencies WHERE name = $1)",
                &[&name],
            )?
        } else {
            0
        };
        tx.commit()?;
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
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
        for record in &batch.records {
            let body = serde_json::to_string(record).expect("a record serialises");
            // Not over a withdrawal made at the same time or later.
            tx.execute(
                "INSERT INTO records (signer, pseudonym, batch_id, created_at, body)
                 SELECT $1::TEXT, $2::TEXT, $3::TEXT, $4::TEXT, $5::TEXT
                 WHERE NOT EXISTS (SELECT 1 FROM withdrawals
                     WHERE signer = $1 AND pseudonym = $2 AND created_at >= $4)
                 ON CONFLICT (signer, pseudonym) DO UPDATE
                 SET batch_id = excluded.batch_id, created_at = excluded.created_at, body = excluded.body
                 WHERE excluded.created_at >= records.created_at",
                &[&signer, &record.pseudonym.as_str(), &id, &created_at, &body],
            )?;
        }
        for pseudonym in &batch.withdrawn {
            tx.execute(
                "DELETE FROM records WHERE signer = $1 AND pseudonym = $2 AND created_at <= $3",
                &[&signer, &pseudonym.as_str(), &created_at],
            )?;
            tx.execute(
                "INSERT INTO withdrawals (signer, pseudonym, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (signer, pseudonym) DO UPDATE SET created_at = excluded.created_at
                 WHERE excluded.created_at > withdrawals.created_at",
                &[&signer, &pseudonym.as_str(), &created_at],
            )?;
        }
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
}
