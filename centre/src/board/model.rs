//! What the board holds: categories, kinds, who may read a post
//! ([`Visibility`]), who is reading ([`Viewer`]), posts, comments and the
//! earlier versions of an edited post.
//!
//! Titles and bodies are free text written by support staff and
//! researchers. The board is not meant to carry a client's information,
//! but nothing here can promise that, so a title or a body never reaches
//! `Debug` output or an error message.

use tsunagi_core::rfc3339::Timestamp;

use super::error::BoardError;
use crate::accounts::{LoginName, Role};

/// A category's code (`project`, `techniques`…): kept in the database and
/// used in addresses (`/board?category=`) and the API; never changes once
/// given out. One to [`MAX_CATEGORY_CODE_CHARS`] of `a`–`z`, `0`–`9` and
/// `-`, starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CategoryCode(String);

/// The most characters a category's code may have.
pub const MAX_CATEGORY_CODE_CHARS: usize = 32;

/// The most characters a category's name may have, in either language.
pub const MAX_CATEGORY_LABEL_CHARS: usize = 40;

impl CategoryCode {
    /// `code` if it is a well-formed code (whether such a category exists
    /// is the board's to say).
    pub fn parse(code: &str) -> Result<Self, BoardError> {
        let well_formed = code.len() <= MAX_CATEGORY_CODE_CHARS
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if well_formed {
            Ok(Self(code.to_owned()))
        } else {
            Err(BoardError::BadCategoryCode)
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CategoryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A post's category (カテゴリ). The centre keeps the list: the board
/// starts with the model project's seven ([`SEEDED_CATEGORIES`]) and the
/// centre adds more (`tsunagi-centre board category add`). Each is a row of
/// the `board_categories` table, listed in the order they were added.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Category {
    code: CategoryCode,
    label_ja: String,
    label_en: String,
}

impl Category {
    /// A category with `code` and its names in Japanese and English, each
    /// 1 to [`MAX_CATEGORY_LABEL_CHARS`] characters (trimmed, not only
    /// whitespace).
    pub fn new(code: CategoryCode, label_ja: &str, label_en: &str) -> Result<Self, BoardError> {
        let label = |text: &str| {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > MAX_CATEGORY_LABEL_CHARS {
                Err(BoardError::BadCategoryLabel)
            } else {
                Ok(text.to_owned())
            }
        };
        Ok(Self {
            code,
            label_ja: label(label_ja)?,
            label_en: label(label_en)?,
        })
    }

    /// A category as stored, not checked again.
    pub(super) fn stored(code: String, label_ja: String, label_en: String) -> Self {
        Self {
            code: CategoryCode(code),
            label_ja,
            label_en,
        }
    }

    /// Its code.
    pub fn code(&self) -> &CategoryCode {
        &self.code
    }

    /// Its name shown on the pages, in Japanese (the source of truth).
    pub fn label_ja(&self) -> &str {
        &self.label_ja
    }

    /// Its name in English.
    pub fn label_en(&self) -> &str {
        &self.label_en
    }
}

/// The categories a board starts with, in this order (code, Japanese,
/// English): the model project's, under which its 121 posts were
/// analysed.
pub const SEEDED_CATEGORIES: [(&str, &str, &str); 7] = [
    ("project", "プロジェクト進行", "Project progress"),
    ("model", "就業支援モデル", "Employment support model"),
    ("techniques", "支援技法", "Support techniques"),
    ("questions", "質問・相談", "Questions and consultation"),
    ("reports", "報告", "Reports"),
    ("publicity", "宣伝・広報", "Publicity"),
    ("conversation", "コミュニケーション・雑談", "Conversation"),
];

/// What kind of message a post is (種別).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 業務連絡: a notice about the work.
    Notice,
    /// 問い合わせ: an enquiry.
    Enquiry,
    /// 報告: a report.
    Report,
    /// 情報提供: information shared.
    Information,
    /// その他: anything else.
    Other,
}

impl Kind {
    /// Every kind, in the order the board offers them.
    pub const ALL: [Self; 5] = [
        Self::Notice,
        Self::Enquiry,
        Self::Report,
        Self::Information,
        Self::Other,
    ];

    /// The code kept in the database; never changes once given out.
    pub fn code(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Enquiry => "enquiry",
            Self::Report => "report",
            Self::Information => "information",
            Self::Other => "other",
        }
    }

    /// The kind with the code `code`, if there is one.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The name shown on the pages, in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Notice => "業務連絡",
            Self::Enquiry => "問い合わせ",
            Self::Report => "報告",
            Self::Information => "情報提供",
            Self::Other => "その他",
        }
    }

    /// The name in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Notice => "Notice",
            Self::Enquiry => "Enquiry",
            Self::Report => "Report",
            Self::Information => "Information",
            Self::Other => "Other",
        }
    }
}

/// Who may read a post (公開範囲), chosen by its poster. The centre (its
/// administrators and researchers) reads every post whatever is chosen;
/// the rule itself is [`super::visibility::may_read`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// センターのみ: the centre, and the post's own author.
    CentreOnly,
    /// 自機関: the poster's agency and the centre. Only an agency's
    /// account may choose it.
    MyAgency,
    /// 指定機関: the agencies named (by their registered names), the
    /// poster's own agency, and the centre. At least one is named.
    Agencies(Vec<String>),
    /// 全機関: every agency and the centre.
    AllAgencies,
}

impl Visibility {
    /// The code kept in the `visibility` column; the agencies of
    /// [`Visibility::Agencies`] are rows of `board_post_agencies`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CentreOnly => "centre",
            Self::MyAgency => "agency",
            Self::Agencies(_) => "agencies",
            Self::AllAgencies => "all",
        }
    }

    /// The name shown on the pages, in Japanese.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Self::CentreOnly => "センターのみ",
            Self::MyAgency => "自機関とセンター",
            Self::Agencies(_) => "指定した機関とセンター",
            Self::AllAgencies => "全機関",
        }
    }

    /// The name in English.
    pub fn label_en(&self) -> &'static str {
        match self {
            Self::CentreOnly => "The centre only",
            Self::MyAgency => "My agency and the centre",
            Self::Agencies(_) => "Chosen agencies and the centre",
            Self::AllAgencies => "All agencies",
        }
    }
}

/// Where a reader stands, from their account's role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// 管理者 at the centre: reads every post, deleted ones too (to
    /// moderate).
    Admin,
    /// 研究者 at the centre: reads every post that is not deleted.
    Researcher,
    /// A member of the registered agency with this name: its staff and
    /// its administrators alike.
    Agency(String),
}

impl Standing {
    /// The standing of an account with `role`.
    pub fn of(role: &Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Researcher => Self::Researcher,
            Role::Agency(name) | Role::AgencyAdmin(name) => Self::Agency(name.clone()),
        }
    }
}

/// Who is reading or writing: a logged-in account. It carries the login
/// name as well as the role because a [`Visibility::CentreOnly`] post is
/// readable by its author, and only an author edits a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    login: LoginName,
    standing: Standing,
}

impl Viewer {
    /// The account `login` with `role`.
    pub fn of(login: LoginName, role: &Role) -> Self {
        Self {
            login,
            standing: Standing::of(role),
        }
    }

    /// The account's login name.
    pub fn login(&self) -> &LoginName {
        &self.login
    }

    /// Where the account stands.
    pub fn standing(&self) -> &Standing {
        &self.standing
    }

    /// The agency the account belongs to; `None` for the centre's staff.
    pub fn agency(&self) -> Option<&str> {
        match &self.standing {
            Standing::Agency(name) => Some(name),
            Standing::Admin | Standing::Researcher => None,
        }
    }

    /// Whether the account is the centre's (an administrator or a
    /// researcher).
    pub fn is_centre(&self) -> bool {
        self.agency().is_none()
    }
}

/// A post's number on the board, given by the database in the order posts
/// are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostId(pub i64);

/// A comment's number, given in the order comments are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommentId(pub i64);

/// What a poster writes to make a post.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPost {
    /// Its category: one the board keeps ([`BoardError::NoSuchCategory`]
    /// otherwise).
    pub category: CategoryCode,
    /// Its kind.
    pub kind: Kind,
    /// Its title, kept as written (1 to [`MAX_TITLE_CHARS`] characters,
    /// not only whitespace). Not HTML: the pages escape it.
    pub title: String,
    /// Its body, kept as written (1 to [`MAX_BODY_CHARS`] characters, not
    /// only whitespace).
    pub body: String,
    /// Who may read it.
    pub visibility: Visibility,
}

impl std::fmt::Debug for NewPost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPost")
            .field("category", &self.category)
            .field("kind", &self.kind)
            .field("visibility", &self.visibility)
            .finish_non_exhaustive()
    }
}

/// The most characters a title may have.
pub const MAX_TITLE_CHARS: usize = 200;

/// The most characters a post's or a comment's body may have.
pub const MAX_BODY_CHARS: usize = 20_000;

/// A post as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Post {
    /// Its number.
    pub id: PostId,
    /// Who wrote it.
    pub author: LoginName,
    /// The author's agency when it was written; `None` for the centre's
    /// staff.
    pub author_agency: Option<String>,
    /// Its category.
    pub category: Category,
    /// Its kind.
    pub kind: Kind,
    /// Its title as it reads now.
    pub title: String,
    /// Its body as it reads now.
    pub body: String,
    /// Who may read it.
    pub visibility: Visibility,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was last edited (the same as `created_at` if never).
    pub updated_at: Timestamp,
    /// Whether it was deleted: only an administrator still reads it.
    pub deleted: bool,
    /// Whether a report hid it until an administrator reviews it
    /// ([`super::moderation`]): only its author and administrators read it.
    pub hidden: bool,
}

impl std::fmt::Debug for Post {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Post")
            .field("id", &self.id)
            .field("category", &self.category)
            .field("kind", &self.kind)
            .field("visibility", &self.visibility)
            .field("deleted", &self.deleted)
            .field("hidden", &self.hidden)
            .finish_non_exhaustive()
    }
}

/// A comment on a post (コメント). Whoever may read the post reads its
/// comments; there is no visibility of its own.
#[derive(Clone, PartialEq, Eq)]
pub struct Comment {
    /// Its number.
    pub id: CommentId,
    /// The post it answers.
    pub post: PostId,
    /// Who wrote it.
    pub author: LoginName,
    /// The author's agency when it was written; `None` for the centre.
    pub author_agency: Option<String>,
    /// What it says, as written.
    pub body: String,
    /// When it was made.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for Comment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Comment")
            .field("id", &self.id)
            .field("post", &self.post)
            .finish_non_exhaustive()
    }
}

/// An earlier version of an edited post (編集履歴): the title and body it
/// had until `replaced_at`.
#[derive(Clone, PartialEq, Eq)]
pub struct Revision {
    /// The title it had.
    pub title: String,
    /// The body it had.
    pub body: String,
    /// When an edit replaced it.
    pub replaced_at: Timestamp,
}

impl std::fmt::Debug for Revision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revision")
            .field("replaced_at", &self.replaced_at)
            .finish_non_exhaustive()
    }
}

/// Which posts a list shows, beyond what the reader may read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostFilter {
    /// Only posts in this category.
    pub category: Option<CategoryCode>,
    /// Only posts of this kind.
    pub kind: Option<Kind>,
    /// At most this many (the newest); all when `None`.
    pub limit: Option<u32>,
    /// Only posts older than this one (numbered below it): the next page
    /// after a list whose last post it is.
    pub before: Option<PostId>,
    /// Only posts the reader has not read since they were made or last
    /// commented on ([`super::reads`]).
    pub unread_only: bool,
}
