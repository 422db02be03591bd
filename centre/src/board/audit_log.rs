//! Reading and writing the audit log as the board's own calls:
//! [`BoardStore::record_login`] and [`BoardStore::audit_log`] (the log
//! itself, its entries and how they are written are [`super::audit`]'s).

use rusqlite::params;

use super::audit::{Action, Entry, record};
use super::error::BoardError;
use super::model::{CommentId, PostId, Standing, Viewer};
use super::store::BoardStore;
use crate::accounts::LoginName;

impl BoardStore {
    /// Records a login or a failed one for `login` (an existing account's
    /// name: a name with no account is not kept, for it may be a password
    /// typed in the wrong field).
    pub fn record_login(&mut self, login: &LoginName, succeeded: bool) -> Result<(), BoardError> {
        let action = if succeeded {
            Action::LoggedIn
        } else {
            Action::LoginFailed
        };
        record(&self.conn, login, action, None, None, None)
    }

    /// The newest `limit` entries, newest first: for the centre's
    /// administrators only ([`BoardError::NotAdministrator`] otherwise).
    pub fn audit_log(&mut self, reader: &Viewer, limit: u32) -> Result<Vec<Entry>, BoardError> {
        if *reader.standing() != Standing::Admin {
            return Err(BoardError::NotAdministrator);
        }
        let mut stmt = self.conn.prepare(
            "SELECT at, actor_login, action, post_id, comment_id, detail
             FROM board_audit ORDER BY id DESC LIMIT ?1",
        )?;
        let mut rows = stmt.query(params![i64::from(limit)])?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next()? {
            entries.push(Entry {
                at: row.get(0)?,
                actor: LoginName::parse(&row.get::<_, String>(1)?)
                    .map_err(|_| BoardError::Damaged)?,
                action: Action::from_code(&row.get::<_, String>(2)?).ok_or(BoardError::Damaged)?,
                post: row.get::<_, Option<i64>>(3)?.map(PostId),
                comment: row.get::<_, Option<i64>>(4)?.map(CommentId),
                detail: row.get(5)?,
            });
        }
        Ok(entries)
    }
}
