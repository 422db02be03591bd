//! The board in PostgreSQL: [`PgBoard`], for a centre run with
//! `--database postgres://…`, in the same database as its agencies,
//! batches and accounts.
//!
//! The tables are the SQLite board's (`board_…`, the same columns, the
//! same 0/1 flags and RFC 3339 text times), made if missing and the
//! categories seeded on every connect ([`schema`]). Who reads what is the
//! SQLite board's rule, rendered for PostgreSQL by
//! [`readable_condition_pg`](super::visibility::readable_condition_pg);
//! the statistics are counted by the same code
//! ([`super::stats`]). Search differs in how, not in what it finds: each
//! word is matched with `ILIKE '%word%'` (escaped) on the title and the
//! body, which a `pg_trgm` GIN index serves for words of three characters
//! or more ([`posts`]).
//!
//! Every write is one transaction holding the post's row lock
//! (`FOR UPDATE`) with its audit entry, as the SQLite board's writes are
//! `IMMEDIATE` transactions. The connection is made without TLS, like the
//! centre's own ([`crate::storage`]).
//!
//! - [`schema`]: the tables and the `pg_trgm` index;
//! - [`posts`]: posts, comments, history, lists and search;
//! - [`moderation`]: reports and their review;
//! - [`activity`]: the audit log, what each reader has read, statistics;
//! - [`attachments`]: files on posts;
//! - [`categories`]: the categories the centre keeps.

mod activity;
mod attachments;
mod categories;
mod moderation;
mod posts;
mod schema;

use std::collections::HashSet;

use postgres::{Client, NoTls};

use super::attachments::{AttachmentId, AttachmentMeta, PreparedAttachment};
use super::audit::Entry;
use super::backend::Board;
use super::model::{
    Category, Comment, CommentId, NewPost, Post, PostFilter, PostId, Revision, Viewer, Visibility,
};
use super::moderation::{Decision, Reported};
use super::stats::{BoardStats, Period};
use super::store::BoardError;
use crate::accounts::LoginName;

/// The board on one PostgreSQL connection. Calls block and take
/// `&mut self`; dropping it closes the connection.
pub struct PgBoard {
    client: Client,
}

impl std::fmt::Debug for PgBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBoard").finish_non_exhaustive()
    }
}

impl PgBoard {
    /// Connects with `url` (`postgres://user@host:port/db`, never shown in
    /// an error) and prepares the board there ([`PgBoard::new`]).
    pub fn connect(url: &str) -> Result<Self, BoardError> {
        Self::new(Client::connect(url, NoTls)?)
    }

    /// The board on `client`: installs `pg_trgm` if it is missing (which
    /// needs the right to create an extension in the database: a
    /// superuser, or since PostgreSQL 13 the database's owner), makes the
    /// tables if they are missing and seeds the categories, in one
    /// transaction that waits for another process doing the same.
    pub fn new(mut client: Client) -> Result<Self, BoardError> {
        schema::prepare(&mut client)?;
        Ok(Self { client })
    }
}

/// A PostgreSQL failure as the board reports it: as
/// [`BoardError::Sqlite`], the board's "the database failed", carrying
/// this instead of an SQLite error (the pages and the API answer both
/// alike: the board is unavailable, and the error goes to the log). Only
/// the SQLSTATE code, or that the connection failed, is kept: PostgreSQL's
/// own message can quote a stored value (a login name in a conflicting
/// key), so it is never shown.
pub struct PostgresFailure {
    summary: String,
}

impl PostgresFailure {
    /// What of `error` may be shown.
    fn of(error: &postgres::Error) -> Self {
        let summary = match error.code() {
            Some(code) => format!("SQLSTATE {}", code.code()),
            None if error.is_closed() => "接続が切れました the connection is closed".to_owned(),
            None => "接続できないか応答がありません no connection or no answer".to_owned(),
        };
        Self { summary }
    }
}

impl std::fmt::Display for PostgresFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgreSQL: {}", self.summary)
    }
}

impl std::fmt::Debug for PostgresFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresFailure({})", self.summary)
    }
}

impl std::error::Error for PostgresFailure {}

impl From<postgres::Error> for BoardError {
    /// See [`PostgresFailure`].
    fn from(error: postgres::Error) -> Self {
        BoardError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(
            PostgresFailure::of(&error),
        )))
    }
}

impl Board for PgBoard {
    fn create_post(&mut self, author: &Viewer, post: &NewPost) -> Result<PostId, BoardError> {
        self.create_post(author, post)
    }

    fn edit_post(
        &mut self,
        editor: &Viewer,
        id: PostId,
        title: &str,
        body: &str,
    ) -> Result<(), BoardError> {
        self.edit_post(editor, id, title, body)
    }

    fn set_visibility(
        &mut self,
        editor: &Viewer,
        id: PostId,
        visibility: &Visibility,
    ) -> Result<(), BoardError> {
        self.set_visibility(editor, id, visibility)
    }

    fn delete_post(&mut self, deleter: &Viewer, id: PostId) -> Result<(), BoardError> {
        self.delete_post(deleter, id)
    }

    fn add_comment(
        &mut self,
        author: &Viewer,
        post: PostId,
        body: &str,
    ) -> Result<CommentId, BoardError> {
        self.add_comment(author, post, body)
    }

    fn list_posts(
        &mut self,
        viewer: &Viewer,
        filter: &PostFilter,
    ) -> Result<Vec<Post>, BoardError> {
        self.list_posts(viewer, filter)
    }

    fn get_post(&mut self, viewer: &Viewer, id: PostId) -> Result<Option<Post>, BoardError> {
        posts::readable_post(&mut self.client, viewer, id)
    }

    fn comments(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Comment>, BoardError> {
        self.comments(viewer, post)
    }

    fn history(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Revision>, BoardError> {
        self.history(viewer, post)
    }

    fn search(&mut self, viewer: &Viewer, query: &str) -> Result<Vec<Post>, BoardError> {
        self.search(viewer, query)
    }

    fn report_post(
        &mut self,
        reporter: &Viewer,
        id: PostId,
        reason: &str,
    ) -> Result<(), BoardError> {
        self.report_post(reporter, id, reason)
    }

    fn reports_to_review(&mut self, admin: &Viewer) -> Result<Vec<Reported>, BoardError> {
        self.reports_to_review(admin)
    }

    fn review(&mut self, admin: &Viewer, id: PostId, decision: Decision) -> Result<(), BoardError> {
        self.review(admin, id, decision)
    }

    fn record_login(&mut self, login: &LoginName, succeeded: bool) -> Result<(), BoardError> {
        self.record_login(login, succeeded)
    }

    fn audit_log(&mut self, reader: &Viewer, limit: u32) -> Result<Vec<Entry>, BoardError> {
        self.audit_log(reader, limit)
    }

    fn mark_read(&mut self, viewer: &Viewer, id: PostId) -> Result<(), BoardError> {
        self.mark_read(viewer, id)
    }

    fn unread_among(
        &mut self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> Result<HashSet<PostId>, BoardError> {
        self.unread_among(viewer, posts)
    }

    fn stats(&mut self, viewer: &Viewer, period: Option<Period>) -> Result<BoardStats, BoardError> {
        self.stats(viewer, period)
    }

    fn create_post_with_attachments(
        &mut self,
        author: &Viewer,
        post: &NewPost,
        files: Vec<PreparedAttachment>,
    ) -> Result<PostId, BoardError> {
        self.create_post_with_attachments(author, post, files)
    }

    fn attachments(
        &mut self,
        viewer: &Viewer,
        post: PostId,
    ) -> Result<Vec<AttachmentMeta>, BoardError> {
        self.attachments(viewer, post)
    }

    fn attachment(
        &mut self,
        viewer: &Viewer,
        id: AttachmentId,
    ) -> Result<Option<(AttachmentMeta, Vec<u8>)>, BoardError> {
        self.attachment(viewer, id)
    }

    fn categories(&mut self) -> Result<Vec<Category>, BoardError> {
        self.categories()
    }

    fn add_category(&mut self, category: &Category) -> Result<(), BoardError> {
        self.add_category(category)
    }
}
