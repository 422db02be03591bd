//! The board's SQLite tables and every read and write of them:
//! [`BoardStore`].
//!
//! Tables (all named `board_…`, so they can sit in the centre's database
//! beside the others later):
//!
//! - `board_categories`: the categories the centre keeps ([`Category`]),
//!   with their names and order, seeded on every open (`INSERT OR IGNORE`);
//! - `board_posts`: one row per post, with its visibility's code; a deleted
//!   post keeps its row with `deleted = 1`;
//! - `board_post_agencies`: the agencies a [`Visibility::Agencies`] post
//!   names, one row each, so that the database can filter on them;
//! - `board_post_history`: the title and body a post had before each edit;
//! - `board_comments`: comments, each on one post;
//! - `board_search`: an FTS5 table with the `trigram` tokenizer holding each
//!   post's current title and body under the post's id, for [`BoardStore::search`].
//!
//! Every value reaches SQL as a bound parameter; the only SQL put together
//! from pieces is fixed text chosen here ([`readable_condition`] and the
//! parameter names of a search).

use std::collections::BTreeSet;

use rusqlite::types::{ToSql, Value};
use rusqlite::{Connection, Row, TransactionBehavior, params};
use tsunagi_core::rfc3339::Timestamp;

use super::audit::{self, Action};
pub use super::error::BoardError;
use super::model::{
    Category, Comment, CommentId, Kind, MAX_BODY_CHARS, MAX_TITLE_CHARS, NewPost, Post, PostFilter,
    PostId, Revision, Standing, Viewer, Visibility,
};
use super::visibility::readable_condition;
use crate::accounts::LoginName;

/// The most posts a search answers: the newest that match. A common word
/// matches tens of thousands of posts on a national board; nobody reads
/// past the first hundred, and sending them all costs the reader seconds.
pub const SEARCH_LIMIT: u32 = 100;

/// The fewest characters a search word must have to be looked up in the
/// trigram index; a shorter one is matched with `LIKE` over every post
/// the reader may read.
pub const MIN_INDEXED_CHARS: usize = 3;

/// The columns a [`Post`] is read from, on `board_posts p`: the twelfth
/// is the JSON array of the agencies a post names, the last two its
/// category's names.
const POST_COLUMNS: &str = "p.id, p.author_login, p.author_agency, p.category, p.kind, \
     p.title, p.body, p.visibility, p.created_at, p.updated_at, p.deleted, \
     (SELECT json_group_array(agency) FROM \
        (SELECT agency FROM board_post_agencies WHERE post_id = p.id ORDER BY agency)), \
     p.hidden, \
     (SELECT label_ja FROM board_categories WHERE code = p.category), \
     (SELECT label_en FROM board_categories WHERE code = p.category)";

/// The board on one SQLite connection. Calls block and take `&mut self`:
/// each write is one transaction, so a post, its agencies and its search
/// row are stored together or not at all.
pub struct BoardStore {
    pub(super) conn: Connection,
}

impl std::fmt::Debug for BoardStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardStore").finish_non_exhaustive()
    }
}

impl BoardStore {
    /// Stores `post` written by `author` and returns its number. The
    /// author's agency is taken from `author` (none for the centre's
    /// staff). Agencies named for [`Visibility::Agencies`] are trimmed and
    /// kept once each; they are not checked against the registered ones
    /// here.
    pub fn create_post(&mut self, author: &Viewer, post: &NewPost) -> Result<PostId, BoardError> {
        check_title(&post.title)?;
        check_body(&post.body)?;
        let chosen = chosen_agencies(author, &post.visibility)?;
        let now = Timestamp::now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !category_exists(&tx, post.category.as_str())? {
            return Err(BoardError::NoSuchCategory);
        }
        tx.execute(
            "INSERT INTO board_posts (author_login, author_agency, category, kind, title, body,
                                      visibility, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                author.login().as_str(),
                author.agency(),
                post.category.as_str(),
                post.kind.code(),
                post.title,
                post.body,
                post.visibility.code(),
                now,
            ],
        )?;
        let id = tx.last_insert_rowid();
        for agency in chosen {
            tx.execute(
                "INSERT INTO board_post_agencies (post_id, agency) VALUES (?1, ?2)",
                params![id, agency],
            )?;
        }
        tx.execute(
            "INSERT INTO board_search (rowid, title, body) VALUES (?1, ?2, ?3)",
            params![id, post.title, post.body],
        )?;
        audit::record(
            &tx,
            author.login(),
            Action::Posted,
            Some(PostId(id)),
            None,
            Some(post.visibility.code()),
        )?;
        tx.commit()?;
        Ok(PostId(id))
    }

    /// Replaces the title and body of the post `id`, keeping the ones it
    /// had in its history ([`BoardStore::history`]). Only its author edits
    /// it ([`BoardError::NotAuthor`]); a post `editor` may not read, or a
    /// deleted one, is [`BoardError::NoSuchPost`]. Category, kind and
    /// visibility stay as they were.
    pub fn edit_post(
        &mut self,
        editor: &Viewer,
        id: PostId,
        title: &str,
        body: &str,
    ) -> Result<(), BoardError> {
        check_title(title)?;
        check_body(body)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let post = readable_post(&tx, editor, id)?.ok_or(BoardError::NoSuchPost)?;
        if post.deleted {
            return Err(BoardError::NoSuchPost);
        }
        if post.author != *editor.login() {
            return Err(BoardError::NotAuthor);
        }
        let now = Timestamp::now();
        tx.execute(
            "INSERT INTO board_post_history (post_id, title, body, replaced_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![id.0, post.title, post.body, now],
        )?;
        tx.execute(
            "UPDATE board_posts SET title = ?2, body = ?3, updated_at = ?4 WHERE id = ?1",
            params![id.0, title, body, now],
        )?;
        tx.execute(
            "UPDATE board_search SET title = ?2, body = ?3 WHERE rowid = ?1",
            params![id.0, title, body],
        )?;
        audit::record(&tx, editor.login(), Action::Edited, Some(id), None, None)?;
        tx.commit()?;
        Ok(())
    }

    /// Changes who may read the post `id` to `visibility`. Only its author
    /// changes it ([`BoardError::NotAuthor`]); the same rules as a new
    /// post apply. The change, from which code to which, is in the audit
    /// log; changing to the same visibility changes nothing.
    pub fn set_visibility(
        &mut self,
        editor: &Viewer,
        id: PostId,
        visibility: &Visibility,
    ) -> Result<(), BoardError> {
        let chosen = chosen_agencies(editor, visibility)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let post = readable_post(&tx, editor, id)?.ok_or(BoardError::NoSuchPost)?;
        if post.deleted {
            return Err(BoardError::NoSuchPost);
        }
        if post.author != *editor.login() {
            return Err(BoardError::NotAuthor);
        }
        let before = post.visibility.clone();
        let mut after = visibility.clone();
        if let Visibility::Agencies(names) = &mut after {
            *names = chosen.iter().map(|n| (*n).to_owned()).collect();
        }
        if before == after {
            return Ok(());
        }
        tx.execute(
            "UPDATE board_posts SET visibility = ?2 WHERE id = ?1",
            params![id.0, visibility.code()],
        )?;
        tx.execute(
            "DELETE FROM board_post_agencies WHERE post_id = ?1",
            params![id.0],
        )?;
        for agency in chosen {
            tx.execute(
                "INSERT INTO board_post_agencies (post_id, agency) VALUES (?1, ?2)",
                params![id.0, agency],
            )?;
        }
        let detail = format!("{}→{}", before.code(), visibility.code());
        audit::record(
            &tx,
            editor.login(),
            Action::VisibilityChanged,
            Some(id),
            None,
            Some(&detail),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Marks the post `id` deleted: from then on only administrators read
    /// it; its row, history and comments stay. Its author or an
    /// administrator may delete it ([`BoardError::NotAuthor`] for anyone
    /// else who reads it; [`BoardError::NoSuchPost`] for anyone who does
    /// not). Deleting it again changes nothing.
    pub fn delete_post(&mut self, deleter: &Viewer, id: PostId) -> Result<(), BoardError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let post = readable_post(&tx, deleter, id)?.ok_or(BoardError::NoSuchPost)?;
        if post.author != *deleter.login() && *deleter.standing() != Standing::Admin {
            return Err(BoardError::NotAuthor);
        }
        tx.execute(
            "UPDATE board_posts SET deleted = 1 WHERE id = ?1",
            params![id.0],
        )?;
        audit::record(&tx, deleter.login(), Action::Deleted, Some(id), None, None)?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a comment by `author` on the post `post`, which `author` must
    /// read and which is not deleted ([`BoardError::NoSuchPost`] if not).
    pub fn add_comment(
        &mut self,
        author: &Viewer,
        post: PostId,
        body: &str,
    ) -> Result<CommentId, BoardError> {
        check_body(body)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        match readable_post(&tx, author, post)? {
            Some(found) if !found.deleted => {}
            _ => return Err(BoardError::NoSuchPost),
        }
        tx.execute(
            "INSERT INTO board_comments (post_id, author_login, author_agency, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                post.0,
                author.login().as_str(),
                author.agency(),
                body,
                Timestamp::now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        audit::record(
            &tx,
            author.login(),
            Action::Commented,
            Some(post),
            Some(CommentId(id)),
            None,
        )?;
        tx.commit()?;
        Ok(CommentId(id))
    }

    /// The posts `viewer` may read that `filter` keeps, newest first (by
    /// number, which is the order they were made in).
    pub fn list_posts(
        &mut self,
        viewer: &Viewer,
        filter: &PostFilter,
    ) -> Result<Vec<Post>, BoardError> {
        let mut extra = String::new();
        let mut params = Vec::new();
        if let Some(category) = &filter.category {
            extra.push_str(" AND p.category = :board_category");
            params.push((
                ":board_category".to_owned(),
                Value::Text(category.as_str().to_owned()),
            ));
        }
        if let Some(kind) = filter.kind {
            extra.push_str(" AND p.kind = :board_kind");
            params.push((
                ":board_kind".to_owned(),
                Value::Text(kind.code().to_owned()),
            ));
        }
        if let Some(before) = filter.before {
            extra.push_str(" AND p.id < :board_before");
            params.push((":board_before".to_owned(), Value::Integer(before.0)));
        }
        if filter.unread_only {
            let (unread, param) = unread_condition(viewer);
            extra.push_str(" AND ");
            extra.push_str(&unread);
            params.push(param);
        }
        query_posts(&self.conn, viewer, &extra, params, filter.limit)
    }

    /// The post `id` if `viewer` may read it. A post that exists but may
    /// not be read is answered exactly as one that does not: `Ok(None)`.
    pub fn get_post(&mut self, viewer: &Viewer, id: PostId) -> Result<Option<Post>, BoardError> {
        readable_post(&self.conn, viewer, id)
    }

    /// The comments on the post `post`, oldest first; none if `viewer` may
    /// not read the post (or it does not exist).
    pub fn comments(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Comment>, BoardError> {
        let condition = readable_condition(viewer);
        let sql = format!(
            "SELECT c.id, c.post_id, c.author_login, c.author_agency, c.body, c.created_at
             FROM board_comments c JOIN board_posts p ON p.id = c.post_id
             WHERE c.post_id = :board_post_id AND {}
             ORDER BY c.id",
            condition.sql
        );
        let mut params = owned(condition.params);
        params.push((":board_post_id".to_owned(), Value::Integer(post.0)));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(borrowed(&params).as_slice())?;
        let mut comments = Vec::new();
        while let Some(row) = rows.next()? {
            comments.push(Comment {
                id: CommentId(row.get(0)?),
                post: PostId(row.get(1)?),
                author: login(&row.get::<_, String>(2)?)?,
                author_agency: row.get(3)?,
                body: row.get(4)?,
                created_at: row.get(5)?,
            });
        }
        Ok(comments)
    }

    /// The earlier versions of the post `post`, oldest first; none if
    /// `viewer` may not read the post.
    pub fn history(&mut self, viewer: &Viewer, post: PostId) -> Result<Vec<Revision>, BoardError> {
        let condition = readable_condition(viewer);
        let sql = format!(
            "SELECT h.title, h.body, h.replaced_at
             FROM board_post_history h JOIN board_posts p ON p.id = h.post_id
             WHERE h.post_id = :board_post_id AND {}
             ORDER BY h.id",
            condition.sql
        );
        let mut params = owned(condition.params);
        params.push((":board_post_id".to_owned(), Value::Integer(post.0)));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(borrowed(&params).as_slice())?;
        let mut revisions = Vec::new();
        while let Some(row) = rows.next()? {
            revisions.push(Revision {
                title: row.get(0)?,
                body: row.get(1)?,
                replaced_at: row.get(2)?,
            });
        }
        Ok(revisions)
    }

    /// The posts `viewer` may read whose current title or body holds every
    /// word of `query` (words are split at whitespace), newest first, at
    /// most [`SEARCH_LIMIT`].
    ///
    /// Japanese is written without spaces, so the index is of trigrams
    /// (every run of three characters), not words: a word of
    /// [`MIN_INDEXED_CHARS`] or more characters is found anywhere inside a
    /// title or body through the FTS5 index (「就労支援」 in
    /// 「就労支援の進め方について」). A shorter word (「支援」) cannot use
    /// the index and is matched with `LIKE` instead, which reads every post
    /// the viewer may read: fine for a board of thousands of posts, slow
    /// for millions. Both ignore ASCII case only. Comments are not
    /// searched. A query with no words finds nothing.
    pub fn search(&mut self, viewer: &Viewer, query: &str) -> Result<Vec<Post>, BoardError> {
        let words: Vec<&str> = query.split_whitespace().collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let (indexed, short): (Vec<&str>, Vec<&str>) = words
            .into_iter()
            .partition(|w| w.chars().count() >= MIN_INDEXED_CHARS);
        let mut extra = String::new();
        let mut params = Vec::new();
        if !indexed.is_empty() {
            // Each word as an FTS5 phrase (quotes doubled), all of them
            // required: the text is a bound value, never SQL.
            let phrase = indexed
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" ");
            extra.push_str(
                " AND p.id IN (SELECT rowid FROM board_search WHERE board_search MATCH :board_match)",
            );
            params.push((":board_match".to_owned(), Value::Text(phrase)));
        }
        for (i, word) in short.iter().enumerate() {
            let name = format!(":board_like_{i}");
            extra.push_str(&format!(
                " AND (p.title LIKE {name} ESCAPE '\\' OR p.body LIKE {name} ESCAPE '\\')"
            ));
            params.push((name, Value::Text(format!("%{}%", escape_like(word)))));
        }
        query_posts(&self.conn, viewer, &extra, params, Some(SEARCH_LIMIT))
    }
}

/// The post `id` if `viewer` may read it.
pub(super) fn readable_post(
    conn: &Connection,
    viewer: &Viewer,
    id: PostId,
) -> Result<Option<Post>, BoardError> {
    let params = vec![(":board_post_id".to_owned(), Value::Integer(id.0))];
    Ok(query_posts(conn, viewer, " AND p.id = :board_post_id", params, Some(1))?.pop())
}

/// The posts `viewer` may read that also meet `extra` (empty, or SQL that
/// starts with ` AND`, using the named parameters in `params`), newest
/// first, at most `limit`.
fn query_posts(
    conn: &Connection,
    viewer: &Viewer,
    extra: &str,
    mut params: Vec<(String, Value)>,
    limit: Option<u32>,
) -> Result<Vec<Post>, BoardError> {
    let condition = readable_condition(viewer);
    let mut sql = format!(
        "SELECT {POST_COLUMNS} FROM board_posts p WHERE {}{extra} ORDER BY p.id DESC",
        condition.sql
    );
    params.extend(owned(condition.params));
    if let Some(limit) = limit {
        sql.push_str(" LIMIT :board_limit");
        params.push((":board_limit".to_owned(), Value::Integer(i64::from(limit))));
    }
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(borrowed(&params).as_slice())?;
    let mut posts = Vec::new();
    while let Some(row) = rows.next()? {
        posts.push(post_from_row(row)?);
    }
    Ok(posts)
}

/// Whether `code` is a category kept on `conn` ([`super::categories`]).
pub(super) fn category_exists(conn: &Connection, code: &str) -> Result<bool, BoardError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM board_categories WHERE code = ?1")?
        .exists([code])?)
}

/// The post in a row of [`POST_COLUMNS`].
fn post_from_row(row: &Row<'_>) -> Result<Post, BoardError> {
    let category = Category::stored(
        row.get(3)?,
        row.get::<_, Option<String>>(13)?
            .ok_or(BoardError::Damaged)?,
        row.get::<_, Option<String>>(14)?
            .ok_or(BoardError::Damaged)?,
    );
    let kind = Kind::from_code(&row.get::<_, String>(4)?).ok_or(BoardError::Damaged)?;
    let agencies: Vec<String> =
        serde_json::from_str(&row.get::<_, String>(11)?).map_err(|_| BoardError::Damaged)?;
    let visibility = match row.get::<_, String>(7)?.as_str() {
        "centre" => Visibility::CentreOnly,
        "agency" => Visibility::MyAgency,
        "agencies" => Visibility::Agencies(agencies),
        "all" => Visibility::AllAgencies,
        _ => return Err(BoardError::Damaged),
    };
    Ok(Post {
        id: PostId(row.get(0)?),
        author: login(&row.get::<_, String>(1)?)?,
        author_agency: row.get(2)?,
        category,
        kind,
        title: row.get(5)?,
        body: row.get(6)?,
        visibility,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        deleted: row.get::<_, i64>(10)? != 0,
        hidden: row.get::<_, i64>(12)? != 0,
    })
}

/// The agencies `author` names for `visibility`, trimmed and once each
/// (none unless it is [`Visibility::Agencies`]), or why it cannot be
/// chosen.
pub(super) fn chosen_agencies<'v>(
    author: &Viewer,
    visibility: &'v Visibility,
) -> Result<BTreeSet<&'v str>, BoardError> {
    match visibility {
        Visibility::MyAgency if author.is_centre() => Err(BoardError::CentreHasNoAgency),
        Visibility::Agencies(names) => {
            let chosen: BTreeSet<&str> = names
                .iter()
                .map(|n| n.trim())
                .filter(|n| !n.is_empty())
                .collect();
            if chosen.is_empty() {
                return Err(BoardError::NoAgencyChosen);
            }
            Ok(chosen)
        }
        _ => Ok(BTreeSet::new()),
    }
}

/// A stored login name; one that does not parse is damage.
pub(super) fn login(text: &str) -> Result<LoginName, BoardError> {
    LoginName::parse(text).map_err(|_| BoardError::Damaged)
}

/// Named parameters with owned names, as the queries here gather them.
fn owned(params: Vec<(&'static str, Value)>) -> Vec<(String, Value)> {
    params
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

/// `params` as rusqlite binds named parameters.
fn borrowed(params: &[(String, Value)]) -> Vec<(&str, &dyn ToSql)> {
    params
        .iter()
        .map(|(name, value)| (name.as_str(), value as &dyn ToSql))
        .collect()
}

/// `word` with `\`, `%` and `_` escaped for `LIKE … ESCAPE '\'`.
pub(super) fn escape_like(word: &str) -> String {
    let mut escaped = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Checks a title: not only whitespace, at most [`MAX_TITLE_CHARS`].
pub(super) fn check_title(title: &str) -> Result<(), BoardError> {
    if title.trim().is_empty() {
        return Err(BoardError::EmptyTitle);
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(BoardError::TitleTooLong);
    }
    Ok(())
}

/// Checks a body: not only whitespace, at most [`MAX_BODY_CHARS`].
pub(super) fn check_body(body: &str) -> Result<(), BoardError> {
    if body.trim().is_empty() {
        return Err(BoardError::EmptyBody);
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(BoardError::BodyTooLong);
    }
    Ok(())
}

/// The parameter holding the reader's login name in [`unread_condition`].
const READER: &str = ":board_reader";

/// An SQL condition on a row of `board_posts p`: the post is unread
/// ([`super::reads`]) by
/// the reader bound as `:board_reader`, with that binding.
pub(super) fn unread_condition(viewer: &Viewer) -> (String, (String, Value)) {
    (
        format!(
            "NOT EXISTS (SELECT 1 FROM board_reads r WHERE r.login = {READER} AND r.post_id = p.id \
             AND r.seen_comment >= (SELECT COALESCE(MAX(c.id), 0) FROM board_comments c \
                                    WHERE c.post_id = p.id))"
        ),
        (
            READER.to_owned(),
            Value::Text(viewer.login().as_str().to_owned()),
        ),
    )
}
