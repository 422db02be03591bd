//! Where accounts, sessions and failed logins are kept: the
//! [`AccountStore`] half of every [`super::Database`], and its SQLite
//! tables. PostgreSQL keeps the same tables (`postgres_accounts.rs`).
//!
//! `accounts` holds the password only as its Argon2id PHC string;
//! `sessions` holds only the SHA-256 of each session's token
//! ([`crate::session`]); `login_throttle` one row per login name that has
//! failed lately ([`crate::throttle`]). Times in `sessions` and
//! `login_throttle` are Unix seconds, so that the sweep compares numbers;
//! an account's creation time is RFC 3339 text, like an agency's.
//!
//! The role column's CHECK lists the roles ([`Role::as_str`]); an account
//! of an agency role (`agency`, `agency_admin`) names its agency and no
//! other does. A database made before `agency_admin` existed has the
//! table rebuilt when it is opened ([`rebuild`]).

use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{SqliteDatabase, StorageError};
use crate::accounts::{Account, LoginName, Role};
use crate::session::{ABSOLUTE_LIMIT, IDLE_LIMIT, SessionRecord};
use crate::throttle::Throttle;

/// Accounts, sessions and failed logins. Calls block: the server makes
/// them on a blocking thread, holding the database's lock, so a
/// read-then-write within one call of the server's is not interleaved
/// with another request's.
pub trait AccountStore {
    /// Adds `account` with `password_hash` (a PHC string). An agency's
    /// account must name a registered agency
    /// ([`StorageError::NoSuchAgency`]); a login name is taken once
    /// ([`StorageError::AccountExists`]).
    fn add_account(&mut self, account: &Account, password_hash: &str) -> Result<(), StorageError>;
    /// Every account, by login name.
    fn accounts(&mut self) -> Result<Vec<Account>, StorageError>;
    /// The account with the login name `login` and its password hash.
    fn account(&mut self, login: &str) -> Result<Option<(Account, String)>, StorageError>;
    /// Disables the account `login` and ends its sessions, in one
    /// transaction. Disabling again changes nothing.
    fn disable_account(&mut self, login: &str) -> Result<(), StorageError>;
    /// Lets the disabled account `login` log in again.
    fn enable_account(&mut self, login: &str) -> Result<(), StorageError>;
    /// Replaces the password hash of `login` and ends all its sessions, in
    /// one transaction: a session taken with the old password ends too.
    fn set_password(&mut self, login: &str, password_hash: &str) -> Result<(), StorageError>;
    /// Stores a new session.
    fn add_session(&mut self, session: &SessionRecord) -> Result<(), StorageError>;
    /// The session with the stored id `id`, with its account.
    fn session(&mut self, id: &str) -> Result<Option<(SessionRecord, Account)>, StorageError>;
    /// Notes that the session `id` was used at `at` (Unix seconds).
    fn touch_session(&mut self, id: &str, at: i64) -> Result<(), StorageError>;
    /// Ends the session `id` (deletes its row).
    fn end_session(&mut self, id: &str) -> Result<(), StorageError>;
    /// Deletes the sessions that have ended by `now` (Unix seconds) and the
    /// failed-login counts that no longer matter.
    fn forget_stale(&mut self, now: i64) -> Result<(), StorageError>;
    /// The failed logins of `login`, if any are counted.
    fn login_throttle(&mut self, login: &str) -> Result<Option<Throttle>, StorageError>;
    /// Stores the failed logins of `login`; `None` clears them.
    fn set_login_throttle(
        &mut self,
        login: &str,
        state: Option<&Throttle>,
    ) -> Result<(), StorageError>;
}

/// Sessions used last at or before the first time, or made at or before
/// the second, have ended at `now`.
pub(crate) fn session_cutoffs(now: i64) -> (i64, i64) {
    (
        now - IDLE_LIMIT.whole_seconds(),
        now - ABSOLUTE_LIMIT.whole_seconds(),
    )
}

/// An account from its stored parts; a row that does not read is damage.
pub(crate) fn account_from_parts(
    login: &str,
    display_name: String,
    role: &str,
    agency: Option<&str>,
    disabled: bool,
    created_at: &str,
) -> Result<Account, StorageError> {
    Ok(Account {
        login: LoginName::parse(login).map_err(|_| StorageError::Damaged)?,
        display_name,
        role: Role::from_parts(role, agency).map_err(|_| StorageError::Damaged)?,
        disabled,
        created_at: tsunagi_core::rfc3339::Timestamp::parse(created_at)
            .ok_or(StorageError::Damaged)?,
    })
}

/// The columns of `accounts`.
const ACCOUNTS_COLUMNS_SQL: &str = "
    login TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('researcher', 'agency', 'agency_admin', 'admin')),
    agency TEXT REFERENCES agencies (name),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    CHECK ((role IN ('agency', 'agency_admin')) = (agency IS NOT NULL))
";

/// The tables of this module.
pub(super) fn schema() -> String {
    format!("CREATE TABLE IF NOT EXISTS accounts ({ACCOUNTS_COLUMNS_SQL}) STRICT;\n{SCHEMA}")
}

/// Whether `accounts` has the CHECK it had before agencies had
/// administrators (no `agency_admin` role).
pub(super) fn has_old_roles(conn: &rusqlite::Connection) -> Result<bool, StorageError> {
    let sql: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'accounts'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(sql.is_some_and(|sql| !sql.contains("agency_admin")))
}

/// Makes `accounts` anew with today's CHECK and moves every row over, in
/// the caller's transaction, with foreign keys off (see
/// `SqliteDatabase::rebuild_old_tables`). Sessions keep pointing at the
/// same login names.
pub(super) fn rebuild(conn: &rusqlite::Connection) -> Result<(), StorageError> {
    conn.execute_batch(&format!(
        "CREATE TABLE accounts_rebuilt ({ACCOUNTS_COLUMNS_SQL}) STRICT;
         INSERT INTO accounts_rebuilt ({ACCOUNT_COLUMNS}, password_hash)
             SELECT {ACCOUNT_COLUMNS}, password_hash FROM accounts;
         DROP TABLE accounts;
         ALTER TABLE accounts_rebuilt RENAME TO accounts;"
    ))?;
    Ok(())
}

/// The tables beside `accounts`.
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL REFERENCES accounts (login),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS sessions_by_login ON sessions (login);
CREATE TABLE IF NOT EXISTS login_throttle (
    login TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at INTEGER NOT NULL,
    locked_until INTEGER
) STRICT;
"#;

const ACCOUNT_COLUMNS: &str = "login, display_name, role, agency, disabled, created_at";

/// The account in columns `at..at + 6` of `row` (as [`ACCOUNT_COLUMNS`]).
fn account_at(row: &Row<'_>, at: usize) -> Result<Account, StorageError> {
    account_from_parts(
        &row.get::<_, String>(at)?,
        row.get(at + 1)?,
        &row.get::<_, String>(at + 2)?,
        row.get::<_, Option<String>>(at + 3)?.as_deref(),
        row.get::<_, i64>(at + 4)? != 0,
        &row.get::<_, String>(at + 5)?,
    )
}

impl AccountStore for SqliteDatabase {
    fn add_account(&mut self, account: &Account, password_hash: &str) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(agency) = account.role.agency() {
            let known: Option<i64> = tx
                .query_row("SELECT 1 FROM agencies WHERE name = ?1", [agency], |r| {
                    r.get(0)
                })
                .optional()?;
            if known.is_none() {
                return Err(StorageError::NoSuchAgency);
            }
        }
        let inserted = tx.execute(
            "INSERT INTO accounts (login, display_name, role, agency, password_hash, disabled, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (login) DO NOTHING",
            params![
                account.login.as_str(),
                account.display_name,
                account.role.as_str(),
                account.role.agency(),
                password_hash,
                i64::from(account.disabled),
                account.created_at,
            ],
        )?;
        if inserted == 0 {
            return Err(StorageError::AccountExists);
        }
        tx.commit()?;
        Ok(())
    }

    fn accounts(&mut self) -> Result<Vec<Account>, StorageError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY login"
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(account_at(row, 0)?);
        }
        Ok(out)
    }

    fn account(&mut self, login: &str) -> Result<Option<(Account, String)>, StorageError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE login = ?1"
        ))?;
        let mut rows = stmt.query([login])?;
        match rows.next()? {
            Some(row) => Ok(Some((account_at(row, 0)?, row.get(6)?))),
            None => Ok(None),
        }
    }

    fn disable_account(&mut self, login: &str) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let updated = tx.execute("UPDATE accounts SET disabled = 1 WHERE login = ?1", [login])?;
        if updated == 0 {
            return Err(StorageError::NoSuchAccount);
        }
        tx.execute("DELETE FROM sessions WHERE login = ?1", [login])?;
        tx.commit()?;
        Ok(())
    }

    fn enable_account(&mut self, login: &str) -> Result<(), StorageError> {
        let updated = self
            .conn
            .execute("UPDATE accounts SET disabled = 0 WHERE login = ?1", [login])?;
        if updated == 0 {
            return Err(StorageError::NoSuchAccount);
        }
        Ok(())
    }

    fn set_password(&mut self, login: &str, password_hash: &str) -> Result<(), StorageError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let updated = tx.execute(
            "UPDATE accounts SET password_hash = ?2 WHERE login = ?1",
            params![login, password_hash],
        )?;
        if updated == 0 {
            return Err(StorageError::NoSuchAccount);
        }
        tx.execute("DELETE FROM sessions WHERE login = ?1", [login])?;
        tx.commit()?;
        Ok(())
    }

    fn add_session(&mut self, session: &SessionRecord) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO sessions (id, login, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                session.id,
                session.login,
                session.created_at,
                session.last_seen_at
            ],
        )?;
        Ok(())
    }

    fn session(&mut self, id: &str) -> Result<Option<(SessionRecord, Account)>, StorageError> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.created_at, s.last_seen_at,
                    a.login, a.display_name, a.role, a.agency, a.disabled, a.created_at
             FROM sessions s JOIN accounts a ON a.login = s.login WHERE s.id = ?1",
        )?;
        let mut rows = stmt.query([id])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let account = account_at(row, 3)?;
        let session = SessionRecord {
            id: row.get(0)?,
            login: account.login.as_str().to_owned(),
            created_at: row.get(1)?,
            last_seen_at: row.get(2)?,
        };
        Ok(Some((session, account)))
    }

    fn touch_session(&mut self, id: &str, at: i64) -> Result<(), StorageError> {
        self.conn.execute(
            "UPDATE sessions SET last_seen_at = max(last_seen_at, ?2) WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    fn end_session(&mut self, id: &str) -> Result<(), StorageError> {
        self.conn
            .execute("DELETE FROM sessions WHERE id = ?1", [id])?;
        Ok(())
    }

    fn forget_stale(&mut self, now: i64) -> Result<(), StorageError> {
        let (idle, made) = session_cutoffs(now);
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM sessions WHERE last_seen_at <= ?1 OR created_at <= ?2",
            params![idle, made],
        )?;
        tx.execute(
            "DELETE FROM login_throttle
             WHERE window_started_at < ?1 AND coalesce(locked_until, 0) <= ?2",
            params![Throttle::forgotten_before(now), now],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn login_throttle(&mut self, login: &str) -> Result<Option<Throttle>, StorageError> {
        Ok(self
            .conn
            .query_row(
                "SELECT failures, window_started_at, locked_until FROM login_throttle
                 WHERE login = ?1",
                [login],
                |r| {
                    Ok(Throttle {
                        failures: r.get(0)?,
                        window_started_at: r.get(1)?,
                        locked_until: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn set_login_throttle(
        &mut self,
        login: &str,
        state: Option<&Throttle>,
    ) -> Result<(), StorageError> {
        match state {
            None => {
                self.conn
                    .execute("DELETE FROM login_throttle WHERE login = ?1", [login])?;
            }
            Some(t) => {
                self.conn.execute(
                    "INSERT INTO login_throttle (login, failures, window_started_at, locked_until)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (login) DO UPDATE SET failures = excluded.failures,
                         window_started_at = excluded.window_started_at,
                         locked_until = excluded.locked_until",
                    params![login, t.failures, t.window_started_at, t.locked_until],
                )?;
            }
        }
        Ok(())
    }
}
