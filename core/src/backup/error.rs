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
    /// A kind of backup this version cannot restore with this command (a
    /// full backup given to `restore`, or a kind of a newer version).
    #[error(
        "この版のつなぎのこのコマンドでは復元できない種類のバックアップです（事務所PCの全体バックアップは \
         tsunagi-companion restore-full で復元します）。何も変更していません。 This version of Tsunagi \
         cannot restore this kind of backup with this command (a full backup of the office is restored \
         with `tsunagi-companion restore-full`); nothing was changed."
    )]
    OtherKind,
    /// A backup without personal data was given where a full backup was
    /// expected.
    #[error(
        "これは個人情報を除いたバックアップで、全体バックアップではありません。復元は `restore` で、\
         ケースのない保管庫に行います。何も書き込んでいません。 This is a backup without personal \
         data, not a full backup: restore it with `restore` onto a store without cases; nothing was \
         written."
    )]
    NotFull,
    /// The folder a full backup is to be restored into is not empty (or
    /// not a folder).
    #[error(
        "復元先 {0} は空のフォルダーではありません。まだないフォルダーか、空のフォルダーを指定してください。\
         何も書き込んでいません。 The target {0} is not an empty folder: give a folder that does not \
         exist yet or is empty; nothing was written."
    )]
    TargetNotEmpty(std::path::PathBuf),
    /// A full backup names a file outside the folder it is restored into,
    /// or a name that cannot be used; nothing was written.
    #[error(
        "このバックアップには、復元先のフォルダーの外を指すか使えないファイル名があります。何も書き込んで\
         いません。 This backup names a file outside the target folder, or a name that cannot be \
         used; nothing was written."
    )]
    UnsafePath,
    /// The disk of the target has too little space for the backup.
    #[error(
        "復元先のディスクの空きが足りません（{0} バイト必要です）。何も書き込んでいません。 There is \
         not enough free space for the restore ({0} bytes needed); nothing was written."
    )]
    NoSpace(u64),
    /// Files of the store kept changing while a full backup was made.
    #[error(
        "バックアップの途中で写真・動画などのファイルが変わり続けました。もう一度実行してください。\
         バックアップは作っていません。 Files of the store kept changing while the backup was made \
         (a photo or video deleted, the reference updated): run it again; no backup was made."
    )]
    StoreChanged,
    /// This machine's keychain holds another device key for the store a
    /// full backup holds: the restored store would not open with the
    /// passwords, so nothing was written.
    #[error(
        "このPCのキーチェーンには、このバックアップの保管庫の別の端末鍵がすでにあります。そのままでは\
         パスワードで開けないため、復元しません。別のPCか別のユーザーで復元してください。何も書き込んで\
         いません。 This computer's keychain already holds another device key for the store in this \
         backup, so the passwords would not open it: restore it on another computer or as another \
         user; nothing was written."
    )]
    DeviceKeyConflict,
    /// A full backup was to be sealed to this device's own key, which is
    /// inside it and lost with it.
    #[error(
        "全体バックアップはこの事務所PC自身の鍵あてには封をできません（その鍵はバックアップの中にあり、\
         PCと一緒に失われます）。事務所の鍵（age1…）かパスフレーズを指定してください。 A full backup \
         cannot be sealed to this companion's own key (that key is inside it and lost with it): give \
         the office key (age1…) or a passphrase."
    )]
    OwnKey,
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
