//! Reports (通報) and their review. Anyone who reads a post may report it,
//! for example because it seems to describe a client; the report hides
//! the post at once from everyone but its author and the centre's
//! administrators ([`super::visibility`]), until an administrator reviews
//! it and either shows it again or deletes it. Every report and review is
//! in the audit log ([`super::audit`]).

use rusqlite::{TransactionBehavior, params};
use tsunagi_core::rfc3339::Timestamp;

use super::audit::{self, Action};
use super::model::{Post, PostId, Standing, Viewer};
use super::store::{BoardError, BoardStore, readable_post};
use crate::accounts::LoginName;

/// The most characters a report's reason may have.
pub const MAX_REASON_CHARS: usize = 500;

/// The table, made by [`BoardStore::new`].
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS board_reports (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES board_posts (id),
    reporter_login TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reviewed_at TEXT,
    reviewer_login TEXT,
    decision TEXT CHECK (decision IN ('restore', 'remove'))
) STRICT;
CREATE INDEX IF NOT EXISTS board_reports_open ON board_reports (reviewed_at, post_id);
";

/// What an administrator decided about a reported post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// 再公開: nothing wrong; readers see it again.
    Restore,
    /// 削除: it is deleted (kept for administrators, as any deletion).
    Remove,
}

impl Decision {
    fn code(self) -> &'static str {
        match self {
            Self::Restore => "restore",
            Self::Remove => "remove",
        }
    }
}

/// A report waiting for review.
#[derive(Clone, PartialEq, Eq)]
pub struct Report {
    /// Who reported.
    pub reporter: LoginName,
    /// Why, as written.
    pub reason: String,
    /// When.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A hidden post and the reports on it not yet reviewed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    /// The post.
    pub post: Post,
    /// Its open reports, oldest first.
    pub reports: Vec<Report>,
}

impl BoardStore {
    /// `reporter` reports the post `id` for `reason` (may be empty, at most
    /// [`MAX_REASON_CHARS`]); the post is hidden until reviewed. A post the
    /// reporter may not read is [`BoardError::NoSuchPost`]. Reporting a
    /// hidden post again adds the report and changes nothing else.
    pub fn report_post(
        &mut self,
        reporter: &Viewer,
        id: PostId,
        reason: &str,
    ) -> Result<(), BoardError> {
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(BoardError::ReasonTooLong);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let post = readable_post(&tx, reporter, id)?.ok_or(BoardError::NoSuchPost)?;
        if post.deleted {
            return Err(BoardError::NoSuchPost);
        }
        tx.execute(
            "INSERT INTO board_reports (post_id, reporter_login, reason, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                id.0,
                reporter.login().as_str(),
                reason.trim(),
                Timestamp::now()
            ],
        )?;
        tx.execute(
            "UPDATE board_posts SET hidden = 1 WHERE id = ?1",
            params![id.0],
        )?;
        audit::record(
            &tx,
            reporter.login(),
            Action::Reported,
            Some(id),
            None,
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The posts hidden by reports not yet reviewed, oldest report first:
    /// for the centre's administrators only.
    pub fn reports_to_review(&mut self, admin: &Viewer) -> Result<Vec<Reported>, BoardError> {
        require_admin(admin)?;
        let mut stmt = self.conn.prepare(
            "SELECT post_id, reporter_login, reason, created_at FROM board_reports
             WHERE reviewed_at IS NULL ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut open: Vec<(PostId, Report)> = Vec::new();
        while let Some(row) = rows.next()? {
            open.push((
                PostId(row.get(0)?),
                Report {
                    reporter: LoginName::parse(&row.get::<_, String>(1)?)
                        .map_err(|_| BoardError::Damaged)?,
                    reason: row.get(2)?,
                    created_at: row.get(3)?,
                },
            ));
        }
        drop(rows);
        drop(stmt);
        let mut reported: Vec<Reported> = Vec::new();
        for (id, report) in open {
            if let Some(entry) = reported.iter_mut().find(|r| r.post.id == id) {
                entry.reports.push(report);
                continue;
            }
            let post = readable_post(&self.conn, admin, id)?.ok_or(BoardError::Damaged)?;
            reported.push(Reported {
                post,
                reports: vec![report],
            });
        }
        Ok(reported)
    }

    /// An administrator's decision on the reported post `id`: every open
    /// report on it is closed, and the post is shown again or deleted.
    pub fn review(
        &mut self,
        admin: &Viewer,
        id: PostId,
        decision: Decision,
    ) -> Result<(), BoardError> {
        require_admin(admin)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let closed = tx.execute(
            "UPDATE board_reports SET reviewed_at = ?2, reviewer_login = ?3, decision = ?4
             WHERE post_id = ?1 AND reviewed_at IS NULL",
            params![
                id.0,
                Timestamp::now(),
                admin.login().as_str(),
                decision.code()
            ],
        )?;
        if closed == 0 {
            return Err(BoardError::NoSuchPost);
        }
        let (sql, action) = match decision {
            Decision::Restore => (
                "UPDATE board_posts SET hidden = 0 WHERE id = ?1",
                Action::Restored,
            ),
            Decision::Remove => (
                "UPDATE board_posts SET hidden = 0, deleted = 1 WHERE id = ?1",
                Action::Removed,
            ),
        };
        tx.execute(sql, params![id.0])?;
        audit::record(&tx, admin.login(), action, Some(id), None, None)?;
        tx.commit()?;
        Ok(())
    }
}

/// Only the centre's administrators review.
fn require_admin(viewer: &Viewer) -> Result<(), BoardError> {
    if *viewer.standing() == Standing::Admin {
        Ok(())
    } else {
        Err(BoardError::NotAdministrator)
    }
}
