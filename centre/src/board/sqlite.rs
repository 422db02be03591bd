//! Opening the board on SQLite: [`BoardStore::new`] makes every table the
//! board keeps (posts here, and those of [`super::audit`],
//! [`super::moderation`], [`super::reads`] and [`super::attachments`]) and
//! seeds the categories.

use rusqlite::Connection;

use super::error::BoardError;
use super::store::BoardStore;

/// The posts' tables; see [`super::store`] for what each holds.
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS board_categories (
    code TEXT PRIMARY KEY,
    label_ja TEXT NOT NULL,
    label_en TEXT NOT NULL,
    position INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS board_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_login TEXT NOT NULL,
    author_agency TEXT,
    category TEXT NOT NULL REFERENCES board_categories (code),
    kind TEXT NOT NULL
        CHECK (kind IN ('notice', 'enquiry', 'report', 'information', 'other')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('centre', 'agency', 'agencies', 'all')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    CHECK (visibility <> 'agency' OR author_agency IS NOT NULL)
) STRICT;
CREATE INDEX IF NOT EXISTS board_posts_by_category ON board_posts (category, id);
CREATE INDEX IF NOT EXISTS board_posts_by_agency ON board_posts (author_agency, id);
CREATE TABLE IF NOT EXISTS board_post_agencies (
    post_id INTEGER NOT NULL REFERENCES board_posts (id),
    agency TEXT NOT NULL,
    PRIMARY KEY (post_id, agency)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS board_post_agencies_by_agency
    ON board_post_agencies (agency, post_id);
CREATE TABLE IF NOT EXISTS board_post_history (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES board_posts (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    replaced_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS board_post_history_by_post ON board_post_history (post_id, id);
CREATE TABLE IF NOT EXISTS board_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES board_posts (id),
    author_login TEXT NOT NULL,
    author_agency TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS board_comments_by_post ON board_comments (post_id, id);
CREATE VIRTUAL TABLE IF NOT EXISTS board_search USING fts5 (title, body, tokenize = 'trigram');
"#;

impl BoardStore {
    /// The board on `conn`: turns on foreign keys for the connection,
    /// makes the tables if they are missing and seeds the categories. Fails
    /// if this SQLite lacks FTS5 or its `trigram` tokenizer.
    pub fn new(conn: Connection) -> Result<Self, BoardError> {
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        conn.execute_batch(SCHEMA)?;
        add_hidden_column(&conn)?;
        conn.execute_batch(super::audit::SCHEMA)?;
        conn.execute_batch(super::moderation::SCHEMA)?;
        conn.execute_batch(super::reads::SCHEMA)?;
        conn.execute_batch(super::attachments::SCHEMA)?;
        super::categories::seed(&conn)?;
        Ok(Self { conn })
    }

    /// A board in memory, gone on drop: for tests.
    pub fn open_in_memory() -> Result<Self, BoardError> {
        Self::new(Connection::open_in_memory()?)
    }
}

/// Adds `board_posts.hidden` to a board made before reports could hide a
/// post.
fn add_hidden_column(conn: &Connection) -> Result<(), BoardError> {
    let has_it = conn
        .prepare("SELECT 1 FROM pragma_table_info('board_posts') WHERE name = 'hidden'")?
        .exists([])?;
    if !has_it {
        conn.execute_batch(
            "ALTER TABLE board_posts ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 \
             CHECK (hidden IN (0, 1));",
        )?;
    }
    Ok(())
}
