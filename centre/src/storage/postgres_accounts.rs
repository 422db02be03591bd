//! Accounts, sessions and failed logins on PostgreSQL: the same tables and
//! the same statements as SQLite (`accounts.rs`), with PostgreSQL's types
//! (`BOOLEAN`, `BIGINT`) and `greatest` for SQLite's `max`.
//!
//! The CHECKs of `accounts` are named, so that [`migrate`] can tell a
//! table made before agencies had administrators (its CHECKs unnamed, with
//! no `agency_admin`) and replace them in place.

use postgres::{GenericClient, Row};

use super::accounts::{AccountStore, account_from_parts, session_cutoffs};
use super::{PostgresDatabase, StorageError};
use crate::accounts::Account;
use crate::session::SessionRecord;
use crate::throttle::Throttle;

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS accounts (
    login TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency TEXT REFERENCES agencies (name),
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    CONSTRAINT accounts_role_check
        CHECK (role IN ('researcher', 'agency', 'agency_admin', 'admin')),
    CONSTRAINT accounts_agency_check
        CHECK ((role IN ('agency', 'agency_admin')) = (agency IS NOT NULL))
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL REFERENCES accounts (login),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_login ON sessions (login);
CREATE TABLE IF NOT EXISTS login_throttle (
    login TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT
);
"#;

const ACCOUNT_COLUMNS: &str = "login, display_name, role, agency, disabled, created_at";

/// Whether `accounts` was made before agencies had administrators: it
/// lacks the named CHECK `accounts_agency_check`.
pub(super) fn has_old_roles(client: &mut impl GenericClient) -> Result<bool, StorageError> {
    let row = client.query_one(
        "SELECT count(*) FROM pg_constraint
         WHERE conrelid = 'accounts'::regclass AND conname = 'accounts_agency_check'",
        &[],
    )?;
    Ok(row.try_get::<_, i64>(0)? == 0)
}

/// Replaces every CHECK of an `accounts` table made before agencies had
/// administrators with today's two, in the caller's transaction (which
/// holds the table's lock). Rows are kept as they are: each satisfies the
/// new CHECKs as it did the old.
pub(super) fn migrate(client: &mut impl GenericClient) -> Result<(), StorageError> {
    let checks = client.query(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'c'",
        &[],
    )?;
    for row in checks {
        let name: String = row.try_get(0)?;
        client.batch_execute(&format!(
            "ALTER TABLE accounts DROP CONSTRAINT \"{}\"",
            name.replace('"', "\"\"")
        ))?;
    }
    client.batch_execute(
        "ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
             CHECK (role IN ('researcher', 'agency', 'agency_admin', 'admin'));
         ALTER TABLE accounts ADD CONSTRAINT accounts_agency_check
             CHECK ((role IN ('agency', 'agency_admin')) = (agency IS NOT NULL));",
    )?;
    Ok(())
}

/// The account in columns `at..at + 6` of `row` (as [`ACCOUNT_COLUMNS`]).
fn account_at(row: &Row, at: usize) -> Result<Account, StorageError> {
    account_from_parts(
        &row.try_get::<_, String>(at)?,
        row.try_get(at + 1)?,
        &row.try_get::<_, String>(at + 2)?,
        row.try_get::<_, Option<String>>(at + 3)?.as_deref(),
        row.try_get(at + 4)?,
        &row.try_get::<_, String>(at + 5)?,
    )
}

impl AccountStore for PostgresDatabase {
    fn add_account(&mut self, account: &Account, password_hash: &str) -> Result<(), StorageError> {
        let mut tx = self.client.transaction()?;
        if let Some(agency) = account.role.agency() {
            let known = tx.query_opt(
                "SELECT 1 FROM agencies WHERE name = $1 FOR SHARE",
                &[&agency],
            )?;
            if known.is_none() {
                return Err(StorageError::NoSuchAgency);
            }
        }
        let inserted = tx.execute(
            "INSERT INTO accounts (login, display_name, role, agency, password_hash, disabled, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (login) DO NOTHING",
            &[
                &account.login.as_str(),
                &account.display_name,
                &account.role.as_str(),
                &account.role.agency(),
                &password_hash,
                &account.disabled,
                &account.created_at.to_string(),
            ],
        )?;
        if inserted == 0 {
            return Err(StorageError::AccountExists);
        }
        tx.commit()?;
        Ok(())
    }

    fn accounts(&mut self) -> Result<Vec<Account>, StorageError> {
        let rows = self.client.query(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY login"),
            &[],
        )?;
        rows.iter().map(|row| account_at(row, 0)).collect()
    }

    fn account(&mut self, login: &str) -> Result<Option<(Account, String)>, StorageError> {
        let row = self.client.query_opt(
            &format!("SELECT {ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE login = $1"),
            &[&login],
        )?;
        match row {
            Some(row) => Ok(Some((account_at(&row, 0)?, row.try_get(6)?))),
            None => Ok(None),
        }
    }

    fn disable_account(&mut self, login: &str) -> Result<(), StorageError> {
        let mut tx = self.client.transaction()?;
        let updated = tx.execute(
            "UPDATE accounts SET disabled = TRUE WHERE login = $1",
            &[&login],
        )?;
        if updated == 0 {
            return Err(StorageError::NoSuchAccount);
        }
        tx.execute("DELETE FROM sessions WHERE login = $1", &[&login])?;
        tx.commit()?;
        Ok(())
    }

    fn enable_account(&mut self, login: &str) -> Result<(), StorageError> {
        let updated = self.client.execute(
            "UPDATE accounts SET disabled = FALSE WHERE login = $1",
            &[&login],
        )?;
        if updated == 0 {
            return Err(StorageError::NoSuchAccount);
        }
        Ok(())
    }

    fn set_password(&mut self, login: &str, password_hash: &str) -> Result<(), StorageError> {
        let mut tx = self.client.transaction()?;
        let updated = tx.execute(
            "UPDATE accounts SET password_hash = $2 WHERE login = $1",
            &[&login, &password_hash],
        )?;
        if updated == 0 {
            return Err(StorageError::NoSuchAccount);
        }
        tx.execute("DELETE FROM sessions WHERE login = $1", &[&login])?;
        tx.commit()?;
        Ok(())
    }

    fn add_session(&mut self, session: &SessionRecord) -> Result<(), StorageError> {
        self.client.execute(
            "INSERT INTO sessions (id, login, created_at, last_seen_at) VALUES ($1, $2, $3, $4)",
            &[
                &session.id,
                &session.login,
                &session.created_at,
                &session.last_seen_at,
            ],
        )?;
        Ok(())
    }

    fn session(&mut self, id: &str) -> Result<Option<(SessionRecord, Account)>, StorageError> {
        let Some(row) = self.client.query_opt(
            "SELECT s.id, s.created_at, s.last_seen_at,
                    a.login, a.display_name, a.role, a.agency, a.disabled, a.created_at
             FROM sessions s JOIN accounts a ON a.login = s.login WHERE s.id = $1",
            &[&id],
        )?
        else {
            return Ok(None);
        };
        let account = account_at(&row, 3)?;
        let session = SessionRecord {
            id: row.try_get(0)?,
            login: account.login.as_str().to_owned(),
            created_at: row.try_get(1)?,
            last_seen_at: row.try_get(2)?,
        };
        Ok(Some((session, account)))
    }

    fn touch_session(&mut self, id: &str, at: i64) -> Result<(), StorageError> {
        self.client.execute(
            "UPDATE sessions SET last_seen_at = greatest(last_seen_at, $2) WHERE id = $1",
            &[&id, &at],
        )?;
        Ok(())
    }

    fn end_session(&mut self, id: &str) -> Result<(), StorageError> {
        self.client
            .execute("DELETE FROM sessions WHERE id = $1", &[&id])?;
        Ok(())
    }

    fn forget_stale(&mut self, now: i64) -> Result<(), StorageError> {
        let (idle, made) = session_cutoffs(now);
        let mut tx = self.client.transaction()?;
        tx.execute(
            "DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2",
            &[&idle, &made],
        )?;
        tx.execute(
            "DELETE FROM login_throttle
             WHERE window_started_at < $1 AND coalesce(locked_until, 0) <= $2",
            &[&Throttle::forgotten_before(now), &now],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn login_throttle(&mut self, login: &str) -> Result<Option<Throttle>, StorageError> {
        let Some(row) = self.client.query_opt(
            "SELECT failures, window_started_at, locked_until FROM login_throttle
             WHERE login = $1",
            &[&login],
        )?
        else {
            return Ok(None);
        };
        let failures: i32 = row.try_get(0)?;
        Ok(Some(Throttle {
            failures: u32::try_from(failures).map_err(|_| StorageError::Damaged)?,
            window_started_at: row.try_get(1)?,
            locked_until: row.try_get(2)?,
        }))
    }

    fn set_login_throttle(
        &mut self,
        login: &str,
        state: Option<&Throttle>,
    ) -> Result<(), StorageError> {
        match state {
            None => {
                self.client
                    .execute("DELETE FROM login_throttle WHERE login = $1", &[&login])?;
            }
            Some(t) => {
                let failures = i32::try_from(t.failures).unwrap_or(i32::MAX);
                self.client.execute(
                    "INSERT INTO login_throttle (login, failures, window_started_at, locked_until)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (login) DO UPDATE SET failures = excluded.failures,
                         window_started_at = excluded.window_started_at,
                         locked_until = excluded.locked_until",
                    &[&login, &failures, &t.window_started_at, &t.locked_until],
                )?;
            }
        }
        Ok(())
    }
}
