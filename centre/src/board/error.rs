//! [`BoardError`]: why the board could not do what was asked, whichever
//! database keeps it.

/// Why the board could not do what was asked. The messages are shown to
/// the user as they are, Japanese first, and never hold a post's text.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// SQLite failed.
    #[error("掲示板のデータベースでエラーが起きました。 The board's database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row does not read back.
    #[error(
        "掲示板のデータベースに読めない行があります。 The board's database holds a row it cannot read."
    )]
    Damaged,
    /// There is no such post, or the reader may not read it: the two are
    /// answered alike, so that a post's existence does not leak.
    #[error("その投稿はありません。 There is no such post.")]
    NoSuchPost,
    /// Only a post's author may edit it, and only its author or an
    /// administrator may delete it.
    #[error("この投稿を変更できるのは投稿者だけです。 Only the author may change this post.")]
    NotAuthor,
    /// Only the centre's administrators read the audit log and review
    /// reports.
    #[error(
        "この操作はセンターの管理者だけができます。 Only the centre's administrators may do this."
    )]
    NotAdministrator,
    /// A report's reason is longer than
    /// [`super::moderation::MAX_REASON_CHARS`].
    #[error("通報の理由は500文字以内にしてください。 A report's reason is at most 500 characters.")]
    ReasonTooLong,
    /// The title is empty or only whitespace.
    #[error("件名を入力してください。 Please write a title.")]
    EmptyTitle,
    /// The title is longer than [`MAX_TITLE_CHARS`].
    #[error("件名は200文字以内にしてください。 A title is at most 200 characters.")]
    TitleTooLong,
    /// The body is empty or only whitespace.
    #[error("本文を入力してください。 Please write something in the body.")]
    EmptyBody,
    /// The body is longer than [`MAX_BODY_CHARS`].
    #[error("本文は20,000文字以内にしてください。 A body is at most 20,000 characters.")]
    BodyTooLong,
    /// [`Visibility::Agencies`] was chosen with no agency named.
    #[error("公開する機関を1つ以上選んでください。 Please choose at least one agency.")]
    NoAgencyChosen,
    /// [`Visibility::MyAgency`] was chosen by the centre's staff, who
    /// belong to no agency.
    #[error(
        "センターのアカウントは「自機関」を選べません。「センターのみ」か機関を選んでください。 A centre account belongs to no agency: choose \"the centre only\" or the agencies."
    )]
    CentreHasNoAgency,
    /// A file is larger than [`super::attachments::MAX_FILE_BYTES`].
    #[error("添付ファイルは1つ5 MBまでです。 A file may be at most 5 MB.")]
    FileTooLarge,
    /// A post would have more than
    /// [`super::attachments::MAX_FILES_PER_POST`] files.
    #[error("添付ファイルは1つの投稿に5つまでです。 A post may have at most 5 files.")]
    TooManyFiles,
    /// A file is not a PDF, PNG or JPEG by its content (whatever its name
    /// says).
    #[error(
        "添付できるのはPDFとPNG・JPEGの画像だけです。 Only PDF files and PNG or JPEG images can be attached."
    )]
    UnsupportedFile,
    /// An image has more than [`super::attachments::MAX_PIXELS`] pixels.
    #[error(
        "画像が大きすぎます（4,000万画素まで）。縮小してから添付してください。 The image is too large (at most 40 megapixels): make it smaller first."
    )]
    ImageTooLarge,
    /// An image's content does not decode.
    #[error(
        "画像を読み取れませんでした。壊れているかもしれません。 The image could not be read: it may be damaged."
    )]
    BrokenImage,
    /// A post names a category the board does not keep.
    #[error(
        "そのカテゴリはありません。カテゴリを選び直してください。 There is no such category: please choose one."
    )]
    NoSuchCategory,
    /// A category with this code is kept already.
    #[error("そのコードのカテゴリはすでにあります。 A category with this code exists already.")]
    CategoryExists,
    /// A category's code is not 1 to 32 of `a`–`z`, `0`–`9` and `-`,
    /// starting with a letter.
    #[error(
        "カテゴリのコードは英小文字で始まる32文字以内の英小文字・数字・「-」にしてください。 A category's code is up to 32 lowercase letters, digits and hyphens, starting with a letter."
    )]
    BadCategoryCode,
    /// A category's name is empty or longer than 40 characters.
    #[error(
        "カテゴリの名前は日本語・英語とも1〜40文字にしてください。 A category's name, in Japanese and in English, is 1 to 40 characters."
    )]
    BadCategoryLabel,
}
