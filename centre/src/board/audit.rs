//! The board's audit log (監査ログ): who logged in, posted, commented,
//! changed who may read a post, deleted, reported and reviewed, attached
//! a file, and when.
//! Each entry is written in the same transaction as what it records, so
//! that nothing is done without its entry. Entries name the post or
//! comment by number and never hold a title, a body or a reason: the log
//! is for finding out what happened, not a second copy of the board.
//! Only the centre's administrators read it ([`BoardStore::audit_log`]).

use rusqlite::{Connection, params};
use tsunagi_core::rfc3339::Timestamp;

use super::error::BoardError;
use super::model::{CommentId, PostId};
use crate::accounts::LoginName;

/// The table, made by [`BoardStore::new`].
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS board_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_login TEXT NOT NULL,
    action TEXT NOT NULL,
    post_id INTEGER,
    comment_id INTEGER,
    detail TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS board_audit_by_time ON board_audit (id DESC);
";

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// ログイン: a password was right.
    LoggedIn,
    /// ログイン失敗: a wrong password for an existing account.
    LoginFailed,
    /// 投稿.
    Posted,
    /// 編集: the title or body changed.
    Edited,
    /// 公開範囲の変更: who may read a post changed (the detail says from
    /// which code to which).
    VisibilityChanged,
    /// 削除.
    Deleted,
    /// コメント.
    Commented,
    /// 通報: a reader reported a post, which hid it.
    Reported,
    /// 確認して再公開: an administrator reviewed a report and showed the
    /// post again.
    Restored,
    /// 確認して削除: an administrator reviewed a report and deleted the
    /// post.
    Removed,
    /// 添付: a file was attached to a post (the detail is the file's
    /// number and its media type, never its name).
    Attached,
}

impl Action {
    /// All of them, in the order above.
    pub const ALL: [Self; 11] = [
        Self::LoggedIn,
        Self::LoginFailed,
        Self::Posted,
        Self::Edited,
        Self::VisibilityChanged,
        Self::Deleted,
        Self::Commented,
        Self::Reported,
        Self::Restored,
        Self::Removed,
        Self::Attached,
    ];

    /// The code stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::LoggedIn => "login",
            Self::LoginFailed => "login_failed",
            Self::Posted => "post",
            Self::Edited => "edit",
            Self::VisibilityChanged => "visibility",
            Self::Deleted => "delete",
            Self::Commented => "comment",
            Self::Reported => "report",
            Self::Restored => "restore",
            Self::Removed => "remove",
            Self::Attached => "attach",
        }
    }

    /// The name shown, in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::LoggedIn => "ログイン",
            Self::LoginFailed => "ログイン失敗",
            Self::Posted => "投稿",
            Self::Edited => "編集",
            Self::VisibilityChanged => "公開範囲の変更",
            Self::Deleted => "削除",
            Self::Commented => "コメント",
            Self::Reported => "通報（非公開に）",
            Self::Restored => "確認して再公開",
            Self::Removed => "確認して削除",
            Self::Attached => "ファイル添付",
        }
    }

    /// The action stored as `code`.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// One entry of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When.
    pub at: Timestamp,
    /// Who did it.
    pub actor: LoginName,
    /// What.
    pub action: Action,
    /// The post it concerns, if any.
    pub post: Option<PostId>,
    /// The comment it concerns, if any.
    pub comment: Option<CommentId>,
    /// A code-level detail (`all→centre` for a visibility change), never
    /// text anyone wrote.
    pub detail: Option<String>,
}

/// Writes one entry on `conn` (inside the caller's transaction).
pub(super) fn record(
    conn: &Connection,
    actor: &LoginName,
    action: Action,
    post: Option<PostId>,
    comment: Option<CommentId>,
    detail: Option<&str>,
) -> Result<(), BoardError> {
    conn.execute(
        "INSERT INTO board_audit (at, actor_login, action, post_id, comment_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            Timestamp::now(),
            actor.as_str(),
            action.code(),
            post.map(|p| p.0),
            comment.map(|c| c.0),
            detail
        ],
    )?;
    Ok(())
}
