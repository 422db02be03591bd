//! Why a client's own record could not be made, opened or taken in, in
//! words for a support worker and the client, Japanese first. No message
//! holds a value from a case.

use std::io;

use crate::backup::BackupError;
use crate::store::{MediaId, StoreError};

/// Why a client's own record could not be made, opened or taken in. When
/// opening or taking one in, every one of these means that nothing was
/// changed.
#[derive(Debug, thiserror::Error)]
pub enum CarryError {
    /// The passphrase does not open the file.
    #[error(
        "パスフレーズが違います。本人に渡した紙のとおりに入力してください。何も取り込んでいません。 \
         The passphrase is wrong: type it as it is on the client's paper; nothing was taken in."
    )]
    WrongPassphrase,
    /// The file was altered or cut short after it was made.
    #[error(
        "本人携帯記録のファイルが壊れているか、途中で切れています。何も取り込んでいません。 The \
         client's own record is damaged or cut short; nothing was taken in ({0})."
    )]
    Damaged(&'static str),
    /// The file is not a client's own record (a backup, a send-data file,
    /// another `age` file, something else entirely).
    #[error(
        "つなぎの本人携帯記録のファイルではありません。何も取り込んでいません。 This file is not a \
         Tsunagi client's own record; nothing was taken in."
    )]
    NotACarryFile,
    /// A newer version of Tsunagi made the file.
    #[error(
        "この本人携帯記録は新しい版のつなぎで作られています（形式 {0}）。アプリを更新してから取り込んで\
         ください。何も取り込んでいません。 This client's own record was made by a newer version of \
         Tsunagi (format {0}): update the app, then take it in; nothing was taken in."
    )]
    NewerFormat(u64),
    /// The case does not exist, or this account may not see it.
    #[error(
        "ケース {0} が見つかりません。ファイルは作っていません。 There is no case {0}; no file was made."
    )]
    NoSuchCase(String),
    /// Nothing was chosen: a record with nothing in it is not made.
    #[error(
        "本人が持っていく内容（項目・疾患・写真や動画）を一つ以上選んでください。ファイルは作っていません。 \
         Choose at least one section, disease or photo/video for the client to take; no file was made."
    )]
    NothingChosen,
    /// A section was chosen that a client's own record does not carry.
    #[error(
        "「{0}」は本人携帯記録に入れられる項目ではありません。ファイルは作っていません。 \"{0}\" is \
         not a section a client's own record carries; no file was made."
    )]
    SectionNotCarried(&'static str),
    /// A disease was chosen that the case does not have.
    #[error(
        "疾患 {0} はこのケースにありません（番号は1から）。ファイルは作っていません。 The case has no \
         disease {0} (numbers start at 1); no file was made."
    )]
    NoSuchDisease(String),
    /// A photo or video was chosen that the case does not have.
    #[error(
        "写真・動画 {0} はこのケースにありません。ファイルは作っていません。 The case has no photo or \
         video {0}; no file was made."
    )]
    NoSuchMedia(MediaId),
    /// A photo or video was chosen that the client has not approved.
    #[error(
        "写真・動画 {0} は本人の同意（利用の承認）がないため入れられません。ファイルは作っていません。 \
         The photo or video {0} is not approved by the client, so it cannot be carried; no file was \
         made."
    )]
    MediaNotApproved(MediaId),
    /// A file could not be read or written.
    #[error(
        "ファイルを読み書きできませんでした（{0}）。 The file could not be read or written ({0})."
    )]
    Io(#[from] io::Error),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<BackupError> for CarryError {
    /// The `age` layer's errors, which the backup's reader names.
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::WrongPassphrase => Self::WrongPassphrase,
            BackupError::Damaged(what) => Self::Damaged(what),
            BackupError::Io(e) => Self::Io(e),
            BackupError::Store(e) => Self::Store(e),
            _ => Self::NotACarryFile,
        }
    }
}
