//! Why the store refused or failed, in words for a support worker.

use std::path::PathBuf;

use rusqlite::ErrorCode;

use super::keychain::KeychainError;
use super::keys::KeyError;
use super::{MIN_PASSWORD_CHARS, MediaId};
use crate::model::CaseId;

/// Why the store refused or failed. Messages are for a support worker.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store has been set up in this folder.
    #[error("no Tsunagi store in {0}: run the first-time set-up")]
    NoStore(PathBuf),
    /// Set-up was asked for where a store already exists.
    #[error("a Tsunagi store already exists in {0}")]
    AlreadyExists(PathBuf),
    /// The user name or the password is wrong (which one is not said).
    #[error("the user name or password is wrong")]
    WrongPassword,
    /// The password is right, but an administrator disabled the account.
    #[error(
        "このアカウントは無効になっています。管理者に確認してください / \
         this account has been disabled: ask an administrator"
    )]
    AccountDisabled,
    /// The recovery code does not open the store.
    #[error("the recovery code is wrong")]
    WrongRecoveryCode,
    /// The keychain has lost this device's secret.
    #[error("this device's key is missing from the {0}; open the store with the recovery code")]
    DeviceSecretMissing(String),
    /// The keychain could not be used.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// The keyslot file could not be used.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The database file is damaged, truncated or not a store at all.
    #[error("the case database is damaged or is not a Tsunagi store; restore it from a backup")]
    Damaged,
    /// Research batches were asked for before a centre was configured.
    #[error("no research centre is configured: run `research configure` first")]
    NoResearchCentre,
    /// A newer version of Tsunagi wrote this store.
    #[error("this store was written by a newer version of Tsunagi (schema {0}); update the app")]
    TooNew(u32),
    /// The account's role does not allow this.
    #[error("your account ({role}) may not {action}")]
    NotPermitted {
        /// The account's role, in Japanese.
        role: &'static str,
        /// What was refused.
        action: &'static str,
    },
    /// The case exists but is not assigned to this account.
    #[error("this case is not assigned to you")]
    NotAssigned,
    /// There is no such case.
    #[error("there is no case {0}")]
    NoSuchCase(CaseId),
    /// Another paired device holds the signing key a device names.
    #[error(
        "another paired device already holds that signing key; unpair it first if it was replaced"
    )]
    SignerTaken,
    /// The device was revoked by the office (使用停止): it may never pair or
    /// send again.
    #[error(
        "この端末は事務所で使用停止にされています。新しい端末をペアリングしてください (the office revoked this device; pair a new one)"
    )]
    Revoked,
    /// There is no paired tablet with that certificate fingerprint.
    #[error("no paired tablet has that fingerprint (`peers` lists them)")]
    NoSuchPeer,
    /// There is no such account.
    #[error("there is no account named {0}")]
    NoSuchAccount(String),
    /// An administrator tried to disable or remove their own account.
    #[error(
        "自分のアカウントは無効にも削除にもできません。ほかの管理者に依頼してください / \
         you cannot disable or remove your own account: ask another administrator"
    )]
    OwnAccount,
    /// Disabling or removing the account would leave no enabled
    /// administrator.
    #[error(
        "最後の管理者は無効にも削除にもできません。先にほかのアカウントを管理者にしてください / \
         the last administrator cannot be disabled or removed: make another account an \
         administrator first"
    )]
    LastAdministrator,
    /// The database key cannot be replaced while another handle has the
    /// store open: nothing was changed.
    #[error(
        "この保管庫がほかの画面やコマンド（連携の受信を含む）で開かれています。それらを閉じてから、\
         もう一度お試しください。何も変更していません / the store is open elsewhere (another \
         window, the link server, a command): close them and try again; nothing was changed"
    )]
    OtherHandlesOpen,
    /// The recovery slot is still in the keyslot format of an earlier
    /// version and could not hold a new database key: nothing was changed.
    #[error(
        "復旧コードの鍵スロットが古い形式のままです。一度復旧コードで開いてから（tsunagi recover）、\
         もう一度お試しください。何も変更していません / the recovery code's keyslot is still in \
         the format of an earlier version: open the store once with the recovery code \
         (tsunagi recover), then try again; nothing was changed"
    )]
    OldRecoverySlot,
    /// A backup was to be restored onto a store that holds cases (or
    /// remembers deleted ones): nothing was changed.
    #[error(
        "この保管庫にはすでにケースがあります（削除したケースの記録を含みます）。バックアップは\
         ケースのない保管庫にだけ復元できます。何も変更していません / this store already holds \
         cases (or remembers deleted ones): a backup is restored only onto a store without cases; \
         nothing was changed"
    )]
    NotEmpty,
    /// The account already exists.
    #[error("an account named {0} already exists")]
    AccountExists(String),
    /// The password is too short.
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    /// The account name is empty or has control characters.
    #[error("an account name must be 1 to 64 characters without spaces at either end")]
    BadAccountName,
    /// Case data that does not fit the case model.
    #[error("the case data does not fit the case format: {0}")]
    InvalidCase(String),
    /// A case that would not be consistent (a reference to a missing item,
    /// a period that ends before it starts): nothing was written.
    #[error("the case data does not fit the case format: {0}")]
    Inconsistent(#[from] crate::model::ValidationError),
    /// The audit log was altered outside Tsunagi.
    #[error("the audit log has been altered (entry {0})")]
    AuditTampered(i64),
    /// The disk is full; nothing was saved.
    #[error("the disk is full; nothing was saved")]
    DiskFull,
    /// Another database failure; nothing was saved.
    #[error("the case database failed ({0}); nothing was saved")]
    Database(String),
    /// A file in the data folder could not be read or written.
    #[error("a file in the data folder could not be read or written: {0}")]
    Io(#[from] std::io::Error),
    /// There is no such photo or video in this case.
    #[error("there is no photo or video {0} in this case")]
    NoSuchMedia(MediaId),
    /// A photo or video could not be stored or read.
    #[error(transparent)]
    Media(#[from] crate::media::MediaError),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Self::DiskFull,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Self::Damaged,
            // The message of a SQLite error names the failing constraint or
            // statement, never a bound value.
            _ => Self::Database(e.to_string()),
        }
    }
}
