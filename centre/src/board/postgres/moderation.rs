//! Reports and their review on PostgreSQL: the SQLite board's
//! `moderation.rs`, statement for statement.

use tsunagi_core::rfc3339::Timestamp;

use super::super::audit::Action;
use super::super::model::{PostId, Standing, Viewer};
use super::super::moderation::{Decision, MAX_REASON_CHARS, Report, Reported};
use super::super::store::{BoardError, login};
use super::PgBoard;
use super::posts::{locked_post, readable_post, record, time};

impl PgBoard {
    /// [`super::super::BoardStore::report_post`].
    pub(super) fn report_post(
        &mut self,
        reporter: &Viewer,
        id: PostId,
        reason: &str,
    ) -> Result<(), BoardError> {
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(BoardError::ReasonTooLong);
        }
        let mut tx = self.client.transaction()?;
        let post = locked_post(&mut tx, reporter, id)?.ok_or(BoardError::NoSuchPost)?;
        if post.deleted {
            return Err(BoardError::NoSuchPost);
        }
        tx.execute(
            "INSERT INTO board_reports (post_id, reporter_login, reason, created_at)
             VALUES ($1, $2, $3, $4)",
            &[
                &id.0,
                &reporter.login().as_str(),
                &reason.trim(),
                &Timestamp::now().to_string(),
            ],
        )?;
        tx.execute("UPDATE board_posts SET hidden = 1 WHERE id = $1", &[&id.0])?;
        record(
            &mut tx,
            reporter.login(),
            Action::Reported,
            Some(id),
            None,
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// [`super::super::BoardStore::reports_to_review`].
    pub(super) fn reports_to_review(
        &mut self,
        admin: &Viewer,
    ) -> Result<Vec<Reported>, BoardError> {
        require_admin(admin)?;
        let rows = self.client.query(
            "SELECT post_id, reporter_login, reason, created_at FROM board_reports
             WHERE reviewed_at IS NULL ORDER BY id",
            &[],
        )?;
        let mut reported: Vec<Reported> = Vec::new();
        for row in &rows {
            let id = PostId(row.try_get(0)?);
            let report = Report {
                reporter: login(row.try_get(1)?)?,
                reason: row.try_get(2)?,
                created_at: time(row.try_get(3)?)?,
            };
            if let Some(entry) = reported.iter_mut().find(|r| r.post.id == id) {
                entry.reports.push(report);
                continue;
            }
            let post = readable_post(&mut self.client, admin, id)?.ok_or(BoardError::Damaged)?;
            reported.push(Reported {
                post,
                reports: vec![report],
            });
        }
        Ok(reported)
    }

    /// [`super::super::BoardStore::review`].
    pub(super) fn review(
        &mut self,
        admin: &Viewer,
        id: PostId,
        decision: Decision,
    ) -> Result<(), BoardError> {
        require_admin(admin)?;
        let (code, sql, action) = match decision {
            Decision::Restore => (
                "restore",
                "UPDATE board_posts SET hidden = 0 WHERE id = $1",
                Action::Restored,
            ),
            Decision::Remove => (
                "remove",
                "UPDATE board_posts SET hidden = 0, deleted = 1 WHERE id = $1",
                Action::Removed,
            ),
        };
        let mut tx = self.client.transaction()?;
        let closed = tx.execute(
            "UPDATE board_reports SET reviewed_at = $2, reviewer_login = $3, decision = $4
             WHERE post_id = $1 AND reviewed_at IS NULL",
            &[
                &id.0,
                &Timestamp::now().to_string(),
                &admin.login().as_str(),
                &code,
            ],
        )?;
        if closed == 0 {
            return Err(BoardError::NoSuchPost);
        }
        tx.execute(sql, &[&id.0])?;
        record(&mut tx, admin.login(), action, Some(id), None, None)?;
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
