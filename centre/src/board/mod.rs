//! The centre's closed board (関係者間の情報共有): where support agencies
//! and researchers post questions, reports, project coordination and
//! know-how, and comment on each other's posts.
//!
//! **What it must never carry** is an individual client's information: it
//! is for the people who support, not about the people supported. The
//! guard ([`personal`]) asks the poster about much of what looks like a
//! person's information, but it cannot catch all of it, so titles and
//! bodies are treated as possibly identifying all the same: they never
//! reach `Debug` output, errors or the log.
//!
//! **Who reads what** is chosen per post by its poster ([`Visibility`]) and
//! decided in one place, [`visibility`]: as Rust for a post in hand and as
//! an SQL condition, so that lists and search are filtered by the database
//! with the same rule. A post the reader may not read is answered exactly
//! like one that does not exist.
//!
//! - [`model`]: categories, kinds, visibility, viewers, posts, comments;
//! - [`categories`]: the categories the centre keeps, seeded with the
//!   model project's seven;
//! - [`visibility`]: the rule;
//! - [`personal`]: the guard that finds what looks like a person's
//!   information in a text (phone numbers, addresses, names with a disease …);
//! - [`store`]: [`BoardStore`], the SQLite tables (posts, comments, edit
//!   history, chosen agencies, an FTS5 trigram index for Japanese search);
//! - [`backend`]: [`Board`], what the pages and the API ask of the board,
//!   answered alike by [`BoardStore`] and by [`postgres::PgBoard`]
//!   ([`open_backend`] picks one);
//! - [`postgres`]: [`postgres::PgBoard`], the same tables in the centre's
//!   PostgreSQL database, searched through a `pg_trgm` index;
//! - [`moderation`], [`reads`], [`audit`]: reports and their review, unread
//!   markers, the audit log;
//! - [`attachments`]: PDF and image files on posts, typed by their
//!   content, images encoded again without their metadata (EXIF, GPS),
//!   read through their post's visibility;
//! - [`stats`]: counts of posts and comments by category, kind, month
//!   (Japan time), poster type, person and (for the centre) agency, over
//!   what the reader may read, and as CSV;
//! - `api` and `pages`: the JSON API under `/api` and the pages under
//!   `/board` (`docs/board.md`), both through [`Board`] on a blocking
//!   thread (`call`).

pub(crate) mod api;
pub mod attachments;
pub mod audit;
mod audit_log;
pub mod backend;
pub(crate) mod call;
pub mod categories;
mod error;
pub mod model;
pub mod moderation;
pub(crate) mod pages;
pub mod personal;
pub mod postgres;
pub mod reads;
mod sqlite;
pub mod stats;
pub mod store;
pub mod visibility;

use std::path::Path;

use rusqlite::Connection;

pub use backend::Board;
pub use call::BOARD_CONNECTIONS;
pub use model::{
    Category, CategoryCode, Comment, CommentId, Kind, NewPost, Post, PostFilter, PostId, Revision,
    Standing, Viewer, Visibility,
};
pub use store::{BoardError, BoardStore};

/// The board's database file in the centre's data folder, beside
/// [`crate::storage::DATABASE_FILE`], when the centre keeps its data in
/// SQLite ([`open_backend`] with no database URL).
pub const BOARD_FILE: &str = "board.db";

/// Opens (or creates) [`BOARD_FILE`] in `dir`, as the centre's own SQLite
/// database is opened: plain SQLite (no SQLCipher key), the process's
/// default file permissions, write-ahead log, `synchronous = FULL` so that
/// a post that was answered survives a crash, and up to 5 s of waiting
/// when another connection is writing.
pub fn open(dir: &Path) -> Result<BoardStore, BoardError> {
    let conn = Connection::open(dir.join(BOARD_FILE))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    BoardStore::new(conn)
}

/// Opens the board where the centre keeps its data: in the PostgreSQL
/// database at `database_url` (`--database postgres://…`, the tables made
/// there if missing: [`postgres::PgBoard::connect`]) or, with none (or an
/// empty one, as [`crate::storage::open`] reads it), in [`BOARD_FILE`] in
/// `dir` ([`open`]). The URL is never put into an error: it may hold a
/// password.
pub fn open_backend(dir: &Path, database_url: Option<&str>) -> Result<Box<dyn Board>, BoardError> {
    match database_url {
        Some(url) if !url.trim().is_empty() => Ok(Box::new(postgres::PgBoard::connect(url)?)),
        _ => Ok(Box::new(open(dir)?)),
    }
}
