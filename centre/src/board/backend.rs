//! [`Board`]: what the pages and the API ask of the board, whichever
//! database keeps it — [`BoardStore`] on SQLite (`board.db`) or
//! [`PgBoard`](super::postgres::PgBoard) on the centre's PostgreSQL
//! database ([`super::open_backend`]). Both answer alike: the same rule
//! decides who reads what ([`super::visibility`]), the same errors come
//! back, and every write is one transaction with its audit entry.

use std::collections::HashSet;

use super::attachments::{AttachmentId, AttachmentMeta, PreparedAttachment};
use super::audit::Entry;
use super::model::{
    Category, Comment, CommentId, NewPost, Post, PostFilter, PostId, Revision, Viewer,
};
use super::moderation::{Decision, Reported};
use super::stats::{BoardStats, Period};
use super::{BoardError, BoardStore, Visibility};
use crate::accounts::LoginName;

/// The board on one connection to its database. Every call blocks (run it
/// on a blocking thread, as `call.rs` does) and takes `&mut self`; see
/// [`BoardStore`]'s methods of the same names for what each does.
pub trait Board: Send {
    /// [`BoardStore::create_post`].
    fn create_post(&mut self, author: &Viewer, post: &NewPost) -> Result<PostId, BoardError>;
    /// [`BoardStore::edit_post`].
    fn edit_post(
        &mut self,
        editor: &Viewer,
        id: PostId,
        title: &str,
        body: &str,
    ) -> Result<(), BoardError>;
    /// [`BoardStore::set_visibility`].
    fn set_visibility(
        &mut self,
        editor: &Viewer,
        id: PostId,
        visibility: &Visibility,
    ) -> Result<(), BoardError>;
    /// [`BoardStore::delete_post`].
    fn delete_post(&mut self, deleter: &Viewer, id: PostId) -> Result<(), BoardError>;
    /// [`BoardStore::add_comment`].
    fn add_comment(
        &mut self,
        author: &Viewer,
        post: PostId,
        body: &str,
    ) -> Result<CommentId, BoardError>;
    /// [`BoardStore::list_posts`].
    fn list_posts(&mut self, viewer: &Viewer, filter: &PostFilter)
    -> Result<Vec<Post>, BoardError>;
    /// [`BoardStore::get_post`].
    fn get_post(&mut self, viewer: &Viewer, id: PostId) -> Result<Option<Post>, BoardError>;
    /// [`BoardStore::comments`].
    fn comments(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Comment>, BoardError>;
    /// [`BoardStore::history`].
    fn history(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Revision>, BoardError>;
    /// [`BoardStore::search`]. On PostgreSQL every word is matched with
    /// `ILIKE`, served by a `pg_trgm` index for words of three characters
    /// or more.
    fn search(&mut self, viewer: &Viewer, query: &str) -> Result<Vec<Post>, BoardError>;
    /// [`BoardStore::report_post`].
    fn report_post(
        &mut self,
        reporter: &Viewer,
        id: PostId,
        reason: &str,
    ) -> Result<(), BoardError>;
    /// [`BoardStore::reports_to_review`].
    fn reports_to_review(&mut self, admin: &Viewer) -> Result<Vec<Reported>, BoardError>;
    /// [`BoardStore::review`].
    fn review(&mut self, admin: &Viewer, id: PostId, decision: Decision) -> Result<(), BoardError>;
    /// [`BoardStore::record_login`].
    fn record_login(&mut self, login: &LoginName, succeeded: bool) -> Result<(), BoardError>;
    /// [`BoardStore::audit_log`].
    fn audit_log(&mut self, reader: &Viewer, limit: u32) -> Result<Vec<Entry>, BoardError>;
    /// [`BoardStore::mark_read`].
    fn mark_read(&mut self, viewer: &Viewer, id: PostId) -> Result<(), BoardError>;
    /// [`BoardStore::unread_among`].
    fn unread_among(
        &mut self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> Result<HashSet<PostId>, BoardError>;
    /// [`BoardStore::stats`].
    fn stats(&mut self, viewer: &Viewer, period: Option<Period>) -> Result<BoardStats, BoardError>;
    /// [`BoardStore::create_post_with_attachments`].
    fn create_post_with_attachments(
        &mut self,
        author: &Viewer,
        post: &NewPost,
        files: Vec<PreparedAttachment>,
    ) -> Result<PostId, BoardError>;
    /// [`BoardStore::attachments`].
    fn attachments(
        &mut self,
        viewer: &Viewer,
        post: PostId,
    ) -> Result<Vec<AttachmentMeta>, BoardError>;
    /// [`BoardStore::attachment`].
    fn attachment(
        &mut self,
        viewer: &Viewer,
        id: AttachmentId,
    ) -> Result<Option<(AttachmentMeta, Vec<u8>)>, BoardError>;
    /// [`BoardStore::categories`].
    fn categories(&mut self) -> Result<Vec<Category>, BoardError>;
    /// [`BoardStore::add_category`].
    fn add_category(&mut self, category: &Category) -> Result<(), BoardError>;
}

impl Board for BoardStore {
    fn create_post(&mut self, author: &Viewer, post: &NewPost) -> Result<PostId, BoardError> {
        BoardStore::create_post(self, author, post)
    }

    fn edit_post(
        &mut self,
        editor: &Viewer,
        id: PostId,
        title: &str,
        body: &str,
    ) -> Result<(), BoardError> {
        BoardStore::edit_post(self, editor, id, title, body)
    }

    fn set_visibility(
        &mut self,
        editor: &Viewer,
        id: PostId,
        visibility: &Visibility,
    ) -> Result<(), BoardError> {
        BoardStore::set_visibility(self, editor, id, visibility)
    }

    fn delete_post(&mut self, deleter: &Viewer, id: PostId) -> Result<(), BoardError> {
        BoardStore::delete_post(self, deleter, id)
    }

    fn add_comment(
        &mut self,
        author: &Viewer,
        post: PostId,
        body: &str,
    ) -> Result<CommentId, BoardError> {
        BoardStore::add_comment(self, author, post, body)
    }

    fn list_posts(
        &mut self,
        viewer: &Viewer,
        filter: &PostFilter,
    ) -> Result<Vec<Post>, BoardError> {
        BoardStore::list_posts(self, viewer, filter)
    }

    fn get_post(&mut self, viewer: &Viewer, id: PostId) -> Result<Option<Post>, BoardError> {
        BoardStore::get_post(self, viewer, id)
    }

    fn comments(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Comment>, BoardError> {
        BoardStore::comments(self, viewer, post)
    }

    fn history(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Revision>, BoardError> {
        BoardStore::history(self, viewer, post)
    }

    fn search(&mut self, viewer: &Viewer, query: &str) -> Result<Vec<Post>, BoardError> {
        BoardStore::search(self, viewer, query)
    }

    fn report_post(
        &mut self,
        reporter: &Viewer,
        id: PostId,
        reason: &str,
    ) -> Result<(), BoardError> {
        BoardStore::report_post(self, reporter, id, reason)
    }

    fn reports_to_review(&mut self, admin: &Viewer) -> Result<Vec<Reported>, BoardError> {
        BoardStore::reports_to_review(self, admin)
    }

    fn review(&mut self, admin: &Viewer, id: PostId, decision: Decision) -> Result<(), BoardError> {
        BoardStore::review(self, admin, id, decision)
    }

    fn record_login(&mut self, login: &LoginName, succeeded: bool) -> Result<(), BoardError> {
        BoardStore::record_login(self, login, succeeded)
    }

    fn audit_log(&mut self, reader: &Viewer, limit: u32) -> Result<Vec<Entry>, BoardError> {
        BoardStore::audit_log(self, reader, limit)
    }

    fn mark_read(&mut self, viewer: &Viewer, id: PostId) -> Result<(), BoardError> {
        BoardStore::mark_read(self, viewer, id)
    }

    fn unread_among(
        &mut self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> Result<HashSet<PostId>, BoardError> {
        BoardStore::unread_among(self, viewer, posts)
    }

    fn stats(&mut self, viewer: &Viewer, period: Option<Period>) -> Result<BoardStats, BoardError> {
        BoardStore::stats(self, viewer, period)
    }

    fn create_post_with_attachments(
        &mut self,
        author: &Viewer,
        post: &NewPost,
        files: Vec<PreparedAttachment>,
    ) -> Result<PostId, BoardError> {
        BoardStore::create_post_with_attachments(self, author, post, files)
    }

    fn attachments(
        &mut self,
        viewer: &Viewer,
        post: PostId,
    ) -> Result<Vec<AttachmentMeta>, BoardError> {
        BoardStore::attachments(self, viewer, post)
    }

    fn attachment(
        &mut self,
        viewer: &Viewer,
        id: AttachmentId,
    ) -> Result<Option<(AttachmentMeta, Vec<u8>)>, BoardError> {
        BoardStore::attachment(self, viewer, id)
    }

    fn categories(&mut self) -> Result<Vec<Category>, BoardError> {
        BoardStore::categories(self)
    }

    fn add_category(&mut self, category: &Category) -> Result<(), BoardError> {
        BoardStore::add_category(self, category)
    }
}
