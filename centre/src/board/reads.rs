//! What each reader has read (既読): a post is **unread** (未読) for a
//! reader who has not opened it since it was made, or since its newest
//! comment. Opening a post's page marks it read up to the comments shown.
//! The list marks unread posts and can show only them: "what is new since
//! my last visit".

use std::collections::HashSet;

use rusqlite::params;
use tsunagi_core::rfc3339::Timestamp;

use super::error::BoardError;
use super::model::{PostId, Viewer};
use super::store::{BoardStore, unread_condition};

/// The table, made by [`BoardStore::new`].
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS board_reads (
    login TEXT NOT NULL,
    post_id INTEGER NOT NULL REFERENCES board_posts (id),
    seen_comment INTEGER NOT NULL,
    read_at TEXT NOT NULL,
    PRIMARY KEY (login, post_id)
) STRICT, WITHOUT ROWID;
";

impl BoardStore {
    /// Marks the post `id` read by `viewer`, up to its newest comment now.
    /// Nothing happens for a post the viewer may not read.
    pub fn mark_read(&mut self, viewer: &Viewer, id: PostId) -> Result<(), BoardError> {
        if self.get_post(viewer, id)?.is_none() {
            return Ok(());
        }
        self.conn.execute(
            "INSERT INTO board_reads (login, post_id, seen_comment, read_at)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(id), 0) FROM board_comments WHERE post_id = ?2), ?3)
             ON CONFLICT (login, post_id) DO UPDATE
             SET seen_comment = excluded.seen_comment, read_at = excluded.read_at",
            params![viewer.login().as_str(), id.0, Timestamp::now()],
        )?;
        Ok(())
    }

    /// Which of `posts` are unread by `viewer`.
    pub fn unread_among(
        &mut self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> Result<HashSet<PostId>, BoardError> {
        let (condition, (name, login)) = unread_condition(viewer);
        let sql =
            format!("SELECT p.id FROM board_posts p WHERE p.id = :board_post AND {condition}");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut unread = HashSet::new();
        for id in posts {
            let found = stmt.exists(&[
                (":board_post", &id.0 as &dyn rusqlite::ToSql),
                (name.as_str(), &login),
            ])?;
            if found {
                unread.insert(*id);
            }
        }
        Ok(unread)
    }
}
