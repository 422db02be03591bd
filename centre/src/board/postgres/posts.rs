//! Posts, comments, history, lists and search on PostgreSQL: the SQLite
//! board's `store.rs`, statement for statement, with the same checks
//! (shared with it) and the same rule for who reads what.

use postgres::GenericClient;
use postgres::types::ToSql;
use tsunagi_core::rfc3339::Timestamp;

use super::super::audit::Action;
use super::super::model::{
    Category, Comment, CommentId, Kind, NewPost, Post, PostFilter, PostId, Revision, Standing,
    Viewer, Visibility,
};
use super::super::store::{
    BoardError, check_body, check_title, chosen_agencies, escape_like, login,
};
use super::super::visibility::readable_condition_pg;
use super::PgBoard;
use crate::accounts::LoginName;

/// Positional parameters gathered for one query, `$1` first.
pub(super) type Params = Vec<Box<dyn ToSql + Sync>>;

/// The columns a [`Post`] is read from, on `board_posts p`: the twelfth
/// is the array of the agencies a post names, the last two its category's
/// names.
const POST_COLUMNS: &str = "p.id, p.author_login, p.author_agency, p.category, p.kind, \
     p.title, p.body, p.visibility, p.created_at, p.updated_at, p.deleted, \
     ARRAY(SELECT agency FROM board_post_agencies WHERE post_id = p.id ORDER BY agency), \
     p.hidden, \
     (SELECT label_ja FROM board_categories WHERE code = p.category), \
     (SELECT label_en FROM board_categories WHERE code = p.category)";

impl PgBoard {
    /// [`super::super::BoardStore::create_post`].
    pub(super) fn create_post(
        &mut self,
        author: &Viewer,
        post: &NewPost,
    ) -> Result<PostId, BoardError> {
        check_title(&post.title)?;
        check_body(&post.body)?;
        let chosen = chosen_agencies(author, &post.visibility)?;
        let now = Timestamp::now().to_string();
        let mut tx = self.client.transaction()?;
        if !super::categories::exists(&mut tx, post.category.as_str())? {
            return Err(BoardError::NoSuchCategory);
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO board_posts (author_login, author_agency, category, kind, title, body,
                                          visibility, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                &[
                    &author.login().as_str(),
                    &author.agency(),
                    &post.category.as_str(),
                    &post.kind.code(),
                    &post.title,
                    &post.body,
                    &post.visibility.code(),
                    &now,
                ],
            )?
            .try_get(0)?;
        for agency in chosen {
            tx.execute(
                "INSERT INTO board_post_agencies (post_id, agency) VALUES ($1, $2)",
                &[&id, &agency],
            )?;
        }
        record(
            &mut tx,
            author.login(),
            Action::Posted,
            Some(PostId(id)),
            None,
            Some(post.visibility.code()),
        )?;
        tx.commit()?;
        Ok(PostId(id))
    }

    /// [`super::super::BoardStore::edit_post`].
    pub(super) fn edit_post(
        &mut self,
        editor: &Viewer,
        id: PostId,
        title: &str,
        body: &str,
    ) -> Result<(), BoardError> {
        check_title(title)?;
        check_body(body)?;
        let mut tx = self.client.transaction()?;
        let post = locked_post(&mut tx, editor, id)?.ok_or(BoardError::NoSuchPost)?;
        if post.deleted {
            return Err(BoardError::NoSuchPost);
        }
        if post.author != *editor.login() {
            return Err(BoardError::NotAuthor);
        }
        let now = Timestamp::now().to_string();
        tx.execute(
            "INSERT INTO board_post_history (post_id, title, body, replaced_at)
             VALUES ($1, $2, $3, $4)",
            &[&id.0, &post.title, &post.body, &now],
        )?;
        tx.execute(
            "UPDATE board_posts SET title = $2, body = $3, updated_at = $4 WHERE id = $1",
            &[&id.0, &title, &body, &now],
        )?;
        record(
            &mut tx,
            editor.login(),
            Action::Edited,
            Some(id),
            None,
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// [`super::super::BoardStore::set_visibility`].
    pub(super) fn set_visibility(
        &mut self,
        editor: &Viewer,
        id: PostId,
        visibility: &Visibility,
    ) -> Result<(), BoardError> {
        let chosen = chosen_agencies(editor, visibility)?;
        let mut tx = self.client.transaction()?;
        let post = locked_post(&mut tx, editor, id)?.ok_or(BoardError::NoSuchPost)?;
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
            "UPDATE board_posts SET visibility = $2 WHERE id = $1",
            &[&id.0, &visibility.code()],
        )?;
        tx.execute(
            "DELETE FROM board_post_agencies WHERE post_id = $1",
            &[&id.0],
        )?;
        for agency in chosen {
            tx.execute(
                "INSERT INTO board_post_agencies (post_id, agency) VALUES ($1, $2)",
                &[&id.0, &agency],
            )?;
        }
        let detail = format!("{}→{}", before.code(), visibility.code());
        record(
            &mut tx,
            editor.login(),
            Action::VisibilityChanged,
            Some(id),
            None,
            Some(&detail),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// [`super::super::BoardStore::delete_post`].
    pub(super) fn delete_post(&mut self, deleter: &Viewer, id: PostId) -> Result<(), BoardError> {
        let mut tx = self.client.transaction()?;
        let post = locked_post(&mut tx, deleter, id)?.ok_or(BoardError::NoSuchPost)?;
        if post.author != *deleter.login() && *deleter.standing() != Standing::Admin {
            return Err(BoardError::NotAuthor);
        }
        tx.execute("UPDATE board_posts SET deleted = 1 WHERE id = $1", &[&id.0])?;
        record(
            &mut tx,
            deleter.login(),
            Action::Deleted,
            Some(id),
            None,
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// [`super::super::BoardStore::add_comment`].
    pub(super) fn add_comment(
        &mut self,
        author: &Viewer,
        post: PostId,
        body: &str,
    ) -> Result<CommentId, BoardError> {
        check_body(body)?;
        let mut tx = self.client.transaction()?;
        // Locked, so that the post is not deleted or hidden while the
        // comment is added.
        match locked_post(&mut tx, author, post)? {
            Some(found) if !found.deleted => {}
            _ => return Err(BoardError::NoSuchPost),
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO board_comments (post_id, author_login, author_agency, body, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &post.0,
                    &author.login().as_str(),
                    &author.agency(),
                    &body,
                    &Timestamp::now().to_string(),
                ],
            )?
            .try_get(0)?;
        record(
            &mut tx,
            author.login(),
            Action::Commented,
            Some(post),
            Some(CommentId(id)),
            None,
        )?;
        tx.commit()?;
        Ok(CommentId(id))
    }

    /// [`super::super::BoardStore::list_posts`].
    pub(super) fn list_posts(
        &mut self,
        viewer: &Viewer,
        filter: &PostFilter,
    ) -> Result<Vec<Post>, BoardError> {
        let mut extra = String::new();
        let mut params: Params = Vec::new();
        if let Some(category) = &filter.category {
            params.push(Box::new(category.as_str().to_owned()));
            extra.push_str(&format!(" AND p.category = ${}", params.len()));
        }
        if let Some(kind) = filter.kind {
            params.push(Box::new(kind.code()));
            extra.push_str(&format!(" AND p.kind = ${}", params.len()));
        }
        if let Some(before) = filter.before {
            params.push(Box::new(before.0));
            extra.push_str(&format!(" AND p.id < ${}", params.len()));
        }
        if filter.unread_only {
            params.push(Box::new(viewer.login().as_str().to_owned()));
            extra.push_str(" AND ");
            extra.push_str(&unread_condition(params.len()));
        }
        query_posts(&mut self.client, viewer, &extra, params, filter.limit)
    }

    /// [`super::super::BoardStore::comments`].
    pub(super) fn comments(
        &mut self,
        viewer: &Viewer,
        post: PostId,
    ) -> Result<Vec<Comment>, BoardError> {
        let condition = readable_condition_pg(viewer, 2);
        let sql = format!(
            "SELECT c.id, c.post_id, c.author_login, c.author_agency, c.body, c.created_at
             FROM board_comments c JOIN board_posts p ON p.id = c.post_id
             WHERE c.post_id = $1 AND {}
             ORDER BY c.id",
            condition.sql
        );
        let mut params: Params = vec![Box::new(post.0)];
        params.extend(boxed(condition.params));
        let rows = self.client.query(&sql, &borrowed(&params))?;
        rows.iter()
            .map(|row| {
                Ok(Comment {
                    id: CommentId(row.try_get(0)?),
                    post: PostId(row.try_get(1)?),
                    author: login(row.try_get(2)?)?,
                    author_agency: row.try_get(3)?,
                    body: row.try_get(4)?,
                    created_at: time(row.try_get(5)?)?,
                })
            })
            .collect()
    }

    /// [`super::super::BoardStore::history`].
    pub(super) fn history(
        &mut self,
        viewer: &Viewer,
        post: PostId,
    ) -> Result<Vec<Revision>, BoardError> {
        let condition = readable_condition_pg(viewer, 2);
        let sql = format!(
            "SELECT h.title, h.body, h.replaced_at
             FROM board_post_history h JOIN board_posts p ON p.id = h.post_id
             WHERE h.post_id = $1 AND {}
             ORDER BY h.id",
            condition.sql
        );
        let mut params: Params = vec![Box::new(post.0)];
        params.extend(boxed(condition.params));
        let rows = self.client.query(&sql, &borrowed(&params))?;
        rows.iter()
            .map(|row| {
                Ok(Revision {
                    title: row.try_get(0)?,
                    body: row.try_get(1)?,
                    replaced_at: time(row.try_get(2)?)?,
                })
            })
            .collect()
    }

    /// [`super::super::BoardStore::search`]: the posts `viewer` may read
    /// whose current title or body holds every word of `query`, newest
    /// first. Each word is one `ILIKE '%word%'` (`\`, `%` and `_` escaped:
    /// the text is a bound value, never a pattern), which the `pg_trgm`
    /// index on the title and the body serves for a word of three
    /// characters or more; a shorter one is checked on every post the
    /// reader may read, as on SQLite. `ILIKE` ignores case as the
    /// database's locale says (ASCII only under the `C` locale). Comments
    /// are not searched; a query with no words finds nothing.
    pub(super) fn search(&mut self, viewer: &Viewer, query: &str) -> Result<Vec<Post>, BoardError> {
        let words: Vec<&str> = query.split_whitespace().collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut extra = String::new();
        let mut params: Params = Vec::new();
        for word in words {
            params.push(Box::new(format!("%{}%", escape_like(word))));
            let n = params.len();
            extra.push_str(&format!(
                " AND (p.title ILIKE ${n} ESCAPE '\\' OR p.body ILIKE ${n} ESCAPE '\\')"
            ));
        }
        query_posts(
            &mut self.client,
            viewer,
            &extra,
            params,
            Some(super::super::store::SEARCH_LIMIT),
        )
    }
}

/// The post `id` if `viewer` may read it.
pub(super) fn readable_post(
    client: &mut impl GenericClient,
    viewer: &Viewer,
    id: PostId,
) -> Result<Option<Post>, BoardError> {
    let params: Params = vec![Box::new(id.0)];
    Ok(query_posts(client, viewer, " AND p.id = $1", params, Some(1))?.pop())
}

/// [`readable_post`] after locking the post's row until the transaction
/// `tx` ends, so that writes to one post follow each other.
pub(super) fn locked_post(
    tx: &mut impl GenericClient,
    viewer: &Viewer,
    id: PostId,
) -> Result<Option<Post>, BoardError> {
    tx.query(
        "SELECT 1 FROM board_posts WHERE id = $1 FOR UPDATE",
        &[&id.0],
    )?;
    readable_post(tx, viewer, id)
}

/// The posts `viewer` may read that also meet `extra` (empty, or SQL that
/// starts with ` AND`, using `$1` to `$n` for the `n` values in
/// `params`), newest first, at most `limit`.
fn query_posts(
    client: &mut impl GenericClient,
    viewer: &Viewer,
    extra: &str,
    mut params: Params,
    limit: Option<u32>,
) -> Result<Vec<Post>, BoardError> {
    let condition = readable_condition_pg(viewer, params.len() + 1);
    let mut sql = format!(
        "SELECT {POST_COLUMNS} FROM board_posts p WHERE {}{extra} ORDER BY p.id DESC",
        condition.sql
    );
    params.extend(boxed(condition.params));
    if let Some(limit) = limit {
        params.push(Box::new(i64::from(limit)));
        sql.push_str(&format!(" LIMIT ${}", params.len()));
    }
    let rows = client.query(&sql, &borrowed(&params))?;
    rows.iter().map(post_from_row).collect()
}

/// The post in a row of [`POST_COLUMNS`].
fn post_from_row(row: &postgres::Row) -> Result<Post, BoardError> {
    let category = Category::stored(
        row.try_get(3)?,
        row.try_get::<_, Option<String>>(13)?
            .ok_or(BoardError::Damaged)?,
        row.try_get::<_, Option<String>>(14)?
            .ok_or(BoardError::Damaged)?,
    );
    let kind = Kind::from_code(row.try_get(4)?).ok_or(BoardError::Damaged)?;
    let visibility = match row.try_get::<_, &str>(7)? {
        "centre" => Visibility::CentreOnly,
        "agency" => Visibility::MyAgency,
        "agencies" => Visibility::Agencies(row.try_get(11)?),
        "all" => Visibility::AllAgencies,
        _ => return Err(BoardError::Damaged),
    };
    Ok(Post {
        id: PostId(row.try_get(0)?),
        author: login(row.try_get(1)?)?,
        author_agency: row.try_get(2)?,
        category,
        kind,
        title: row.try_get(5)?,
        body: row.try_get(6)?,
        visibility,
        created_at: time(row.try_get(8)?)?,
        updated_at: time(row.try_get(9)?)?,
        deleted: row.try_get::<_, i32>(10)? != 0,
        hidden: row.try_get::<_, i32>(12)? != 0,
    })
}

/// A stored time; one that is not RFC 3339 is damage.
pub(super) fn time(text: &str) -> Result<Timestamp, BoardError> {
    Timestamp::parse(text).ok_or(BoardError::Damaged)
}

/// Text values as parameters.
pub(super) fn boxed(values: Vec<String>) -> impl Iterator<Item = Box<dyn ToSql + Sync>> {
    values
        .into_iter()
        .map(|v| Box::new(v) as Box<dyn ToSql + Sync>)
}

/// `params` as the `postgres` crate takes them.
pub(super) fn borrowed(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref()).collect()
}

/// Writes one audit entry on `client` (inside the caller's transaction).
pub(super) fn record(
    client: &mut impl GenericClient,
    actor: &LoginName,
    action: Action,
    post: Option<PostId>,
    comment: Option<CommentId>,
    detail: Option<&str>,
) -> Result<(), BoardError> {
    client.execute(
        "INSERT INTO board_audit (at, actor_login, action, post_id, comment_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &Timestamp::now().to_string(),
            &actor.as_str(),
            &action.code(),
            &post.map(|p| p.0),
            &comment.map(|c| c.0),
            &detail,
        ],
    )?;
    Ok(())
}

/// An SQL condition on a row of `board_posts p`: the post is unread by
/// the reader whose login name is the parameter `$n`.
pub(super) fn unread_condition(n: usize) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM board_reads r WHERE r.login = ${n} AND r.post_id = p.id \
         AND r.seen_comment >= (SELECT COALESCE(MAX(c.id), 0) FROM board_comments c \
                                WHERE c.post_id = p.id))"
    )
}
