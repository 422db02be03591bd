//! The audit log, what each reader has read, and the statistics on
//! PostgreSQL: the SQLite board's `audit.rs`, `reads.rs` and `stats.rs`
//! (whose counting is shared: [`super::super::stats`]).

use std::collections::HashSet;

use postgres::IsolationLevel;
use tsunagi_core::rfc3339::Timestamp;

use super::super::audit::{Action, Entry};
use super::super::model::{CommentId, PostId, Standing, Viewer};
use super::super::stats::{BoardStats, Counter, Period, StatsRow, queries};
use super::super::store::{BoardError, login};
use super::super::visibility::readable_condition_pg;
use super::PgBoard;
use super::posts::{borrowed, boxed, readable_post, record, time, unread_condition};
use crate::accounts::LoginName;

impl PgBoard {
    /// [`super::super::BoardStore::record_login`].
    pub(super) fn record_login(
        &mut self,
        login: &LoginName,
        succeeded: bool,
    ) -> Result<(), BoardError> {
        let action = if succeeded {
            Action::LoggedIn
        } else {
            Action::LoginFailed
        };
        record(&mut self.client, login, action, None, None, None)
    }

    /// [`super::super::BoardStore::audit_log`].
    pub(super) fn audit_log(
        &mut self,
        reader: &Viewer,
        limit: u32,
    ) -> Result<Vec<Entry>, BoardError> {
        if *reader.standing() != Standing::Admin {
            return Err(BoardError::NotAdministrator);
        }
        let rows = self.client.query(
            "SELECT at, actor_login, action, post_id, comment_id, detail
             FROM board_audit ORDER BY id DESC LIMIT $1",
            &[&i64::from(limit)],
        )?;
        rows.iter()
            .map(|row| {
                let code: &str = row.try_get(2)?;
                Ok(Entry {
                    at: time(row.try_get(0)?)?,
                    actor: login(row.try_get(1)?)?,
                    action: Action::ALL
                        .into_iter()
                        .find(|a| a.code() == code)
                        .ok_or(BoardError::Damaged)?,
                    post: row.try_get::<_, Option<i64>>(3)?.map(PostId),
                    comment: row.try_get::<_, Option<i64>>(4)?.map(CommentId),
                    detail: row.try_get(5)?,
                })
            })
            .collect()
    }

    /// [`super::super::BoardStore::mark_read`].
    pub(super) fn mark_read(&mut self, viewer: &Viewer, id: PostId) -> Result<(), BoardError> {
        if readable_post(&mut self.client, viewer, id)?.is_none() {
            return Ok(());
        }
        self.client.execute(
            "INSERT INTO board_reads (login, post_id, seen_comment, read_at)
             VALUES ($1, $2, (SELECT COALESCE(MAX(id), 0) FROM board_comments WHERE post_id = $2), $3)
             ON CONFLICT (login, post_id) DO UPDATE
             SET seen_comment = excluded.seen_comment, read_at = excluded.read_at",
            &[
                &viewer.login().as_str(),
                &id.0,
                &Timestamp::now().to_string(),
            ],
        )?;
        Ok(())
    }

    /// [`super::super::BoardStore::unread_among`].
    pub(super) fn unread_among(
        &mut self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> Result<HashSet<PostId>, BoardError> {
        let ids: Vec<i64> = posts.iter().map(|p| p.0).collect();
        let sql = format!(
            "SELECT p.id FROM board_posts p WHERE p.id = ANY($1) AND {}",
            unread_condition(2)
        );
        let rows = self.client.query(&sql, &[&ids, &viewer.login().as_str()])?;
        rows.iter().map(|row| Ok(PostId(row.try_get(0)?))).collect()
    }

    /// [`super::super::BoardStore::stats`]: the same queries and the same
    /// counting, in one read-only transaction that sees the posts and the
    /// comments as of one moment.
    pub(super) fn stats(
        &mut self,
        viewer: &Viewer,
        period: Option<Period>,
    ) -> Result<BoardStats, BoardError> {
        let condition = readable_condition_pg(viewer, 1);
        let params: Vec<_> = boxed(condition.params).collect();
        let mut counter = Counter::new(period);
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        for (what, sql) in queries(&condition.sql) {
            for row in tx.query(&sql, &borrowed(&params))? {
                counter.add(
                    what,
                    StatsRow {
                        author: row.try_get(0)?,
                        agency: row.try_get(1)?,
                        category: row.try_get(2)?,
                        kind: row.try_get(3)?,
                        created_at: time(row.try_get(4)?)?,
                    },
                )?;
            }
        }
        let categories = super::categories::read_all(&mut tx)?;
        tx.commit()?;
        counter.finish(viewer, categories)
    }
}
