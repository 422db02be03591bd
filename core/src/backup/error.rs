//! Why a backup could not be made or restored, in words for a support
//! worker, Japanese first. No message holds a value from a case.

use std::io;

use crate::store::StoreError;

/// The fewest characters a backup's passphrase may have: a backup may
/// leave the office, and whoever holds the file can try passphrases
/// offline (each try costs about a second of scrypt).
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Why a backup could not be made or restored. When restoring, every one
/// of these means that nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The passphrase does not open the backup.
    #[error(
        "パスフレーズが違います。何も変更していません。 The passphrase is wrong; nothing was changed."
    )]
    WrongPassphrase,
    /// The identity given is not the one the backup was sealed to.
    #[error(
        "このバックアップは、指定された鍵あてに封をされたものではありません。何も変更していません。 \
         This backup was sealed to another key than the identity given; nothing was changed."
    )]
    WrongIdentity,
    /// The backup is sealed to a key, and a passphrase was given.
    #[error(
        "このバックアップはパスフレーズではなく鍵（age1…）あてに封をされています。--identity で鍵ファイルを\
         指定してください。 This backup is sealed to a key, not a passphrase: give its identity file \
         with --identity."
    )]
    SealedToKey,
    /// The backup is sealed with a passphrase, and an identity was given.
    #[error(
        "このバックアップは鍵ではなくパスフレーズで封をされています。パスフレーズで開いてください。 \
         This backup is sealed with a passphrase, not to a key: open it with the passphrase."
    )]
    SealedWithPassphrase,
    /// The file is not a backup made by Tsunagi (another `age` file, a
    /// send-data file, something else entirely).
    #[error(
        "つなぎのバックアップではありません。何も変更していません。 This file is not a Tsunagi backup; nothing was changed."
    )]
    NotABackup,
    /// The file was altered or cut short after it was made.
    #[error(
        "バックアップが壊れているか、途中で切れています。何も変更していません。 The backup is damaged \
         or cut short; nothing was changed ({0})."
    )]
    Damaged(&'static str),
    /// A newer version of Tsunagi made the backup.
    #[error(
        "このバックアップは新しい版のつなぎで作られています（形式 {0}）。アプリを更新してから復元して\
         ください。何も変更していません。 This backup was made by a newer version of Tsunagi (format \
         {0}): update the app, then restore it; nothing was changed."
    )]
    NewerFormat(u64),
    /// A kind of backup this version cannot restore.
    #[error(
        "この版のつなぎでは復元できない種類のバックアップです。何も変更していません。 This version of \
         Tsunagi cannot restore this kind of backup; nothing was changed."
    )]
    OtherKind,
    /// The passphrase chosen for a new backup is too short.
    #[error(
        "パスフレーズは{MIN_PASSPHRASE_CHARS}文字以上にしてください。 The passphrase must have at least \
         {MIN_PASSPHRASE_CHARS} characters."
    )]
    PassphraseTooShort,
    /// The identity file holds no `age` identity.
    #[error(
        "鍵ファイルに age の鍵（AGE-SECRET-KEY-1…）が見つかりません。 The identity file holds no age \
         identity (AGE-SECRET-KEY-1…)."
    )]
    BadIdentityFile,
    /// One case would not fit in a backup line (it could not be restored).
    #[error(
        "ケース {0} が大きすぎて、バックアップに入れられません。バックアップは作っていません。 Case {0} \
         is too large for a backup; no backup was made."
    )]
    CaseTooLarge(String),
    /// A file could not be read or written.
    #[error(
        "ファイルを読み書きできませんでした（{0}）。 The file could not be read or written ({0})."
    )]
    Io(#[from] io::Error),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
