//! The database schema and its forward migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Opening a
//! store applies the missing ones in one transaction; a store written by a
//! newer version (a higher number than this build knows) is refused rather
//! than guessed at.

use rusqlite::Connection;

/// Migrations, in order. Never edit one that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: accounts, cases with sections, assignments, revisions, audit log.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('administrator', 'support_worker', 'read_only')),
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 0,
        stage TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        kana TEXT NOT NULL DEFAULT ''
    ) STRICT;
    CREATE INDEX cases_updated ON cases (updated_at DESC);
    CREATE TABLE case_sections (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        section TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (case_id, section)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE assignments (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        account TEXT NOT NULL REFERENCES accounts (name),
        PRIMARY KEY (case_id, account)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX assignments_account ON assignments (account);
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        author TEXT NOT NULL,
        at TEXT NOT NULL,
        section TEXT NOT NULL,
        changes TEXT NOT NULL
    ) STRICT;
    CREATE INDEX revisions_case ON revisions (case_id, revision);
    CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
        BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
    CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
        BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        account TEXT NOT NULL,
        action TEXT NOT NULL,
        case_id TEXT,
        detail TEXT NOT NULL,
        hash TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 2: photos and video. The file is encrypted under `key`; the row is the
    // only copy of the key. `poster` is a small sanitized JPEG.
    r#"
    CREATE TABLE media (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('photo', 'video')),
        file TEXT NOT NULL UNIQUE,
        key BLOB NOT NULL CHECK (length(key) = 32),
        sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
        size INTEGER NOT NULL CHECK (size >= 0),
        mime TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        duration_ms INTEGER,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        taken_at TEXT,
        caption TEXT NOT NULL DEFAULT '',
        illustrates TEXT NOT NULL DEFAULT '',
        approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
        approved_at TEXT,
        approved_by TEXT,
        poster BLOB NOT NULL
    ) STRICT;
    CREATE INDEX media_case ON media (case_id, created_at);
    "#,
    // 3: the link — this device's keys, paired devices,
    // pairing codes, outgoing and incoming sealed bundles, case origins.
    r#"
    CREATE TABLE device_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        signing_key BLOB NOT NULL,
        age_identity TEXT NOT NULL,
        tls_cert BLOB NOT NULL,
        tls_key BLOB NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE peers (
        fingerprint TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('tablet', 'companion')),
        signer TEXT NOT NULL UNIQUE,
        recipient TEXT NOT NULL,
        address TEXT,
        paired_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE pairing_codes (
        secret TEXT PRIMARY KEY,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    ) STRICT;
    CREATE TABLE outgoing_bundles (
        id TEXT PRIMARY KEY,
        peer TEXT NOT NULL,
        file TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        delivered_at TEXT
    ) STRICT;
    CREATE INDEX outgoing_bundles_peer ON outgoing_bundles (peer, delivered_at);
    CREATE TABLE outgoing_cases (
        bundle_id TEXT NOT NULL REFERENCES outgoing_bundles (id) ON DELETE CASCADE,
        case_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        PRIMARY KEY (bundle_id, case_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX outgoing_cases_case ON outgoing_cases (case_id);
    CREATE TABLE incoming_bundles (
        id TEXT PRIMARY KEY,
        signer TEXT NOT NULL,
        received_at TEXT NOT NULL,
        cases INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE outgoing_media (
        peer TEXT NOT NULL,
        media_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        bundle_id TEXT NOT NULL REFERENCES outgoing_bundles (id) ON DELETE CASCADE,
        PRIMARY KEY (peer, media_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE case_origins (
        case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
        signer TEXT NOT NULL,
        bundle_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        received_at TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 4: research upload: the agency's signing key and pseudonym secret, the
    // centre it sends to, and the sealed batches (ciphertext) with their
    // delivery state.
    r#"
    CREATE TABLE research_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        signing_key BLOB NOT NULL,
        age_identity TEXT NOT NULL,
        pseudonym_secret BLOB NOT NULL CHECK (length(pseudonym_secret) = 32),
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE research_centre (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        agency TEXT NOT NULL,
        url TEXT NOT NULL,
        recipient TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        configured_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE research_batches (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        records INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at TEXT,
        ack TEXT
    ) STRICT;
    "#,
    // 6: a batch the centre refused for good is set aside, with when.
    r#"
    ALTER TABLE research_batches ADD COLUMN refused_at TEXT;
    "#,
    // 7: a tablet paired with a code waits for the office to confirm the
    // verification code (確認コード) both screens show before it may send.
    r#"
    CREATE TABLE unconfirmed_peers (
        fingerprint TEXT PRIMARY KEY REFERENCES peers (fingerprint) ON DELETE CASCADE,
        verification TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 8: cases of a bundle the companion refused: sent again alone (to find
    // which one it refuses), or held back at that revision with the reason.
    r#"
    CREATE TABLE refused_cases (
        peer TEXT NOT NULL,
        case_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        alone INTEGER NOT NULL CHECK (alone IN (0, 1)),
        reason TEXT NOT NULL,
        refused_at TEXT NOT NULL,
        PRIMARY KEY (peer, case_id)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 9: the newest audit-log head each tablet's bundles carried, and when a
    // later bundle showed a log shorter than before (cut short).
    r#"
    CREATE TABLE peer_audit_heads (
        signer TEXT PRIMARY KEY,
        entries INTEGER NOT NULL,
        hash TEXT NOT NULL,
        sealed_at TEXT NOT NULL,
        cut_at TEXT,
        cut_detail TEXT
    ) STRICT, WITHOUT ROWID;
    "#,
    // 10: deleted cases. The id stays, so that a tablet sending the case
    // again changes nothing and the research centre is told to delete its
    // record; the history goes with the case, the one exception to the
    // append-only revisions.
    r#"
    CREATE TABLE deleted_cases (
        case_id TEXT PRIMARY KEY,
        deleted_at TEXT NOT NULL,
        deleted_by TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    DROP TRIGGER revisions_append_only_delete;
    CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
        WHEN NOT EXISTS (SELECT 1 FROM deleted_cases WHERE case_id = OLD.case_id)
        BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
    "#,
    // 11 (user_version 10; the labels skip 5): fields a restored backup
    // left empty (要再入力), one row per field path of a case that held
    // something before the backup left it out; a row goes once the field
    // is filled in again.
    r#"
    CREATE TABLE reentry_needed (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        PRIMARY KEY (case_id, path)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 12: tablets the office revoked (使用停止: lost, stolen or replaced),
    // by certificate and signing key: neither may pair or send again.
    r#"
    CREATE TABLE revoked_devices (
        fingerprint TEXT PRIMARY KEY,
        signer TEXT NOT NULL UNIQUE,
        revoked_at TEXT NOT NULL,
        revoked_by TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
    // 13: cases taken in from another agency's send-data file, with where
    // they came from.
    r#"
    CREATE TABLE agency_origins (
        case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
        agency TEXT NOT NULL,
        sender TEXT NOT NULL,
        source_case TEXT NOT NULL,
        bundle_id TEXT NOT NULL,
        received_at TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

/// What [`migrate`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Migration {
    /// The store is at `CURRENT_VERSION`, after applying `applied` migrations.
    Done {
        /// How many migrations were applied now.
        applied: u32,
    },
    /// The store was written by a newer version.
    TooNew {
        /// The store's schema version.
        found: u32,
    },
}

/// Brings the schema up to date in one transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Migration> {
    let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > CURRENT_VERSION {
        return Ok(Migration::TooNew { found });
    }
    let tx = conn.transaction()?;
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", CURRENT_VERSION)?;
    tx.commit()?;
    Ok(Migration::Done {
        applied: CURRENT_VERSION - found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_applies_nothing_the_second_time() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        assert_eq!(
            migrate(&mut conn).expect("migrates"),
            Migration::Done {
                applied: CURRENT_VERSION
            }
        );
        assert_eq!(
            migrate(&mut conn).expect("migrates"),
            Migration::Done { applied: 0 }
        );
    }

    #[test]
    fn a_store_from_a_newer_version_is_refused() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .expect("pragma");
        assert_eq!(
            migrate(&mut conn).expect("checks"),
            Migration::TooNew {
                found: CURRENT_VERSION + 1
            }
        );
    }

    #[test]
    fn the_audit_log_refuses_updates_and_deletes() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        migrate(&mut conn).expect("migrates");
        conn.execute(
            "INSERT INTO audit (at, account, action, case_id, detail, hash) VALUES ('t', 'a', 'x', NULL, '', 'h')",
            [],
        )
        .expect("insert");
        assert!(conn.execute("UPDATE audit SET action = 'y'", []).is_err());
        assert!(conn.execute("DELETE FROM audit", []).is_err());
    }
}
