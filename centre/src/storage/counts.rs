//! The figures' counts kept beside the records, and the data version.
//!
//! One row, `figure_counts`, holds the [`Tally`] of every stored record
//! and the data version: a number raised in the same transaction as every
//! change to what the figures show (a batch stored, with its records and
//! withdrawals; an agency's records deleted with its revocation; an agency
//! registered with its key). A transaction that changes records takes the
//! row first, for its whole length, so that changes to the counts come one
//! after another and in the order the records changed; the old record's
//! part is taken out and the new one's put in ([`Tally::remove`],
//! [`Tally::add`]), so the counts never have to be made again from every
//! record. They are, once, when the database is opened with counts made
//! by other rules than today's ([`FIGURE_RULES`]), which includes a
//! database made before the counts were kept.

use std::collections::HashSet;

use rusqlite::{Connection, TransactionBehavior};
use tsunagi_core::research::ProgressRecord;

use super::StorageError;
use crate::figures::Tally;
use crate::figures::tally::FIGURE_RULES;

/// What the figures are made from, read in one transaction.
#[derive(Clone, Debug)]
pub struct FigureCounts {
    /// The data version these counts are of.
    pub version: u64,
    /// The counts of every stored record.
    pub tally: Tally,
    /// How many batches are stored.
    pub batches: usize,
    /// How many agencies have a key (revoked ones included).
    pub agencies: usize,
}

/// The table, and its one row (counts of no rules yet, so that they are
/// made when the database is opened).
pub(super) const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS figure_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    rules INTEGER NOT NULL,
    tally TEXT NOT NULL
) STRICT;
INSERT INTO figure_counts (id, version, rules, tally) VALUES (1, 0, 0, '')
    ON CONFLICT DO NOTHING;
";

/// The same for PostgreSQL.
pub(super) const POSTGRES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS figure_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    rules BIGINT NOT NULL,
    tally TEXT NOT NULL
);
INSERT INTO figure_counts (id, version, rules, tally) VALUES (1, 0, 0, '')
    ON CONFLICT DO NOTHING;
";

/// A stored record's body, read back.
pub(super) fn record(body: &str) -> Result<ProgressRecord, StorageError> {
    serde_json::from_str(body).map_err(|_| StorageError::Damaged)
}

/// A stored tally, read back.
pub(super) fn tally(text: &str) -> Result<Tally, StorageError> {
    Tally::from_stored(text).ok_or(StorageError::Damaged)
}

/// A stored version as a number.
pub(super) fn version(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The batch's records, one per pseudonym: the last, as storing them in
/// order would leave (the same batch, the same time, the later one wins).
pub(super) fn last_per_pseudonym(records: &[ProgressRecord]) -> Vec<&ProgressRecord> {
    let mut seen = HashSet::new();
    let mut out: Vec<&ProgressRecord> = records
        .iter()
        .rev()
        .filter(|r| seen.insert(r.pseudonym.as_str()))
        .collect();
    out.reverse();
    out
}

/// The counts in SQLite (`conn` inside a transaction that writes).
pub(super) fn sqlite_tally(conn: &Connection) -> Result<Tally, StorageError> {
    let text: String = conn.query_row("SELECT tally FROM figure_counts WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    tally(&text)
}

/// Stores `tally` and raises the data version.
pub(super) fn sqlite_save(conn: &Connection, tally: &Tally) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE figure_counts SET tally = ?1, version = version + 1 WHERE id = 1",
        [tally.to_stored()],
    )?;
    Ok(())
}

/// Raises the data version (a change the counts do not hold, such as a
/// new agency).
pub(super) fn sqlite_bump(conn: &Connection) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE figure_counts SET version = version + 1 WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// Counts every record again, in one transaction, if the stored counts
/// were made by other rules (see the module's docs).
pub(super) fn sqlite_recount(conn: &mut Connection) -> Result<(), StorageError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let rules: i64 = tx.query_row("SELECT rules FROM figure_counts WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    if rules == FIGURE_RULES {
        return Ok(());
    }
    let mut tally = Tally::default();
    {
        let mut stmt = tx.prepare("SELECT body FROM records")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            tally.add(&record(
                row.get_ref(0)?
                    .as_str()
                    .map_err(|_| StorageError::Damaged)?,
            )?);
        }
    }
    tx.execute(
        "UPDATE figure_counts SET tally = ?1, rules = ?2, version = version + 1 WHERE id = 1",
        rusqlite::params![tally.to_stored(), FIGURE_RULES],
    )?;
    tx.commit()?;
    Ok(())
}

/// The version alone.
pub(super) fn sqlite_version(conn: &Connection) -> Result<u64, StorageError> {
    let v: i64 = conn.query_row("SELECT version FROM figure_counts WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    Ok(version(v))
}

/// The counts, the version, the batches and the agencies, in one read
/// transaction.
pub(super) fn sqlite_figure_counts(conn: &mut Connection) -> Result<FigureCounts, StorageError> {
    let tx = conn.transaction()?;
    let (v, text): (i64, String) = tx.query_row(
        "SELECT version, tally FROM figure_counts WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let batches: i64 = tx.query_row("SELECT count(*) FROM batches", [], |r| r.get(0))?;
    let agencies: i64 = tx.query_row(
        "SELECT count(*) FROM agencies WHERE signer IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    tx.commit()?;
    Ok(FigureCounts {
        version: version(v),
        tally: tally(&text)?,
        batches: usize::try_from(batches).unwrap_or(0),
        agencies: usize::try_from(agencies).unwrap_or(0),
    })
}
