//! The JSON the board's API reads and writes, apart from the board's own
//! types, with one conversion point each way: [`NewPostJson`] into a
//! [`NewPost`] (refused in words when a code is unknown), and a [`Post`] or
//! [`Comment`] into [`PostJson`] / [`CommentJson`], and [`BoardStats`]
//! into [`StatsJson`].
//!
//! Titles and bodies are free text that may name a client by mistake: no
//! type here derives `Debug` over them, and a refusal never repeats what
//! was sent.

use serde::{Deserialize, Serialize};
use tsunagi_core::rfc3339::Timestamp;

use crate::board::attachments::AttachmentMeta;
use crate::board::stats::{BoardStats, Period, Tally};
use crate::board::{Category, CategoryCode, Comment, Kind, NewPost, Post, Visibility};

/// What `POST /api/login` reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginJson {
    /// The login name.
    pub login: String,
    /// The password; the handler moves it into a [`zeroize::Zeroizing`] at once.
    pub password: String,
}

/// What `POST /api/login` answers: the session's CSRF token, for the
/// `X-CSRF-Token` header of every later POST.
#[derive(Serialize)]
pub(super) struct CsrfJson {
    /// The token.
    pub csrf: String,
}

/// Who may read a post, as the API writes it: `scope` is one of
/// `centre_only`, `my_agency`, `agencies`, `all_agencies`; `agencies` names
/// the chosen agencies for `agencies` and is empty otherwise.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VisibilityJson {
    /// The scope's code.
    pub scope: String,
    /// The agencies chosen (registered names), for the scope `agencies`.
    #[serde(default)]
    pub agencies: Vec<String>,
}

impl From<&Visibility> for VisibilityJson {
    fn from(visibility: &Visibility) -> Self {
        let (scope, agencies) = match visibility {
            Visibility::CentreOnly => ("centre_only", Vec::new()),
            Visibility::MyAgency => ("my_agency", Vec::new()),
            Visibility::Agencies(chosen) => ("agencies", chosen.clone()),
            Visibility::AllAgencies => ("all_agencies", Vec::new()),
        };
        Self {
            scope: scope.to_owned(),
            agencies,
        }
    }
}

impl TryFrom<VisibilityJson> for Visibility {
    type Error = String;

    fn try_from(json: VisibilityJson) -> Result<Self, String> {
        let only_scope = |visibility: Visibility| {
            if json.agencies.is_empty() {
                Ok(visibility)
            } else {
                Err("機関を指定できるのは公開範囲が agencies のときだけです。 \
                     Agencies are named only with the scope \"agencies\"."
                    .to_owned())
            }
        };
        match json.scope.as_str() {
            "centre_only" => only_scope(Visibility::CentreOnly),
            "my_agency" => only_scope(Visibility::MyAgency),
            "all_agencies" => only_scope(Visibility::AllAgencies),
            "agencies" => Ok(Visibility::Agencies(json.agencies)),
            _ => Err(
                "公開範囲（scope）は centre_only、my_agency、agencies、all_agencies \
                      のどれかです。 The scope is one of centre_only, my_agency, agencies, \
                      all_agencies."
                    .to_owned(),
            ),
        }
    }
}

/// What `POST /api/posts` reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewPostJson {
    /// A [`Category`] code.
    pub category: String,
    /// A [`Kind`] code.
    pub kind: String,
    /// The title.
    pub title: String,
    /// The body.
    pub body: String,
    /// Who may read it.
    pub visibility: VisibilityJson,
    /// The poster has checked that what the personal-information guard
    /// finds is not a person's information (an agency's main number).
    #[serde(default)]
    pub confirm_not_personal: bool,
}

impl TryFrom<NewPostJson> for NewPost {
    type Error = String;

    fn try_from(json: NewPostJson) -> Result<Self, String> {
        Ok(NewPost {
            category: category(&json.category)?,
            kind: kind(&json.kind)?,
            title: json.title,
            body: json.body,
            visibility: json.visibility.try_into()?,
        })
    }
}

/// `code` as a category's code, or why it cannot be one, in words
/// (whether the board keeps such a category is the board's to say:
/// `GET /api/categories` lists them).
pub(super) fn category(code: &str) -> Result<CategoryCode, String> {
    CategoryCode::parse(code).map_err(|e| e.to_string())
}

/// What `GET /api/categories` answers.
#[derive(Serialize)]
pub(super) struct CategoriesJson {
    /// Every category, in the board's order.
    pub categories: Vec<CategoryJson>,
}

/// A category, in `GET /api/categories`.
#[derive(Serialize)]
pub(super) struct CategoryJson {
    /// Its code (as in `GET /api/posts?category=` and a new post's
    /// `category`).
    pub code: String,
    /// Its name in Japanese.
    pub label_ja: String,
    /// Its name in English.
    pub label_en: String,
}

impl From<Category> for CategoryJson {
    fn from(category: Category) -> Self {
        Self {
            code: category.code().to_string(),
            label_ja: category.label_ja().to_owned(),
            label_en: category.label_en().to_owned(),
        }
    }
}

/// The kind with the code `code`, or why not, in words.
pub(super) fn kind(code: &str) -> Result<Kind, String> {
    Kind::from_code(code).ok_or_else(|| {
        let codes: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        format!(
            "その種別はありません。 There is no such kind; the kinds are {}.",
            codes.join(", ")
        )
    })
}

/// What `POST /api/posts/{id}/comments` reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewCommentJson {
    /// What the comment says.
    pub body: String,
    /// As [`NewPostJson::confirm_not_personal`].
    #[serde(default)]
    pub confirm_not_personal: bool,
}

/// What a `POST` that made something answers: its number.
#[derive(Serialize)]
pub(super) struct MadeJson {
    /// The new post's or comment's number.
    pub id: i64,
}

/// A post as the API writes it.
#[derive(Serialize)]
pub(super) struct PostJson {
    /// Its number.
    pub id: i64,
    /// Its author's login name.
    pub author: String,
    /// Its author's agency; `null` for the centre's staff.
    pub author_agency: Option<String>,
    /// Its category's code.
    pub category: String,
    /// Its kind's code.
    pub kind: &'static str,
    /// Its title, verbatim (not HTML-escaped).
    pub title: String,
    /// Its body, verbatim.
    pub body: String,
    /// Who may read it.
    pub visibility: VisibilityJson,
    /// When it was made (RFC 3339, UTC).
    pub created_at: Timestamp,
    /// When it was last edited.
    pub updated_at: Timestamp,
    /// Whether it was deleted (only an administrator is shown one).
    pub deleted: bool,
}

impl From<Post> for PostJson {
    fn from(post: Post) -> Self {
        Self {
            id: post.id.0,
            author: post.author.as_str().to_owned(),
            author_agency: post.author_agency,
            category: post.category.code().to_string(),
            kind: post.kind.code(),
            title: post.title,
            body: post.body,
            visibility: (&post.visibility).into(),
            created_at: post.created_at,
            updated_at: post.updated_at,
            deleted: post.deleted,
        }
    }
}

/// A comment as the API writes it.
#[derive(Serialize)]
pub(super) struct CommentJson {
    /// Its number.
    pub id: i64,
    /// Its author's login name.
    pub author: String,
    /// Its author's agency; `null` for the centre's staff.
    pub author_agency: Option<String>,
    /// What it says, verbatim.
    pub body: String,
    /// When it was made.
    pub created_at: Timestamp,
}

impl From<Comment> for CommentJson {
    fn from(comment: Comment) -> Self {
        Self {
            id: comment.id.0,
            author: comment.author.as_str().to_owned(),
            author_agency: comment.author_agency,
            body: comment.body,
            created_at: comment.created_at,
        }
    }
}

/// What `GET /api/posts` and `GET /api/search` answer.
#[derive(Serialize)]
pub(super) struct PostsJson {
    /// The posts, newest first.
    pub posts: Vec<PostJson>,
}

/// What `GET /api/posts/{id}` answers.
#[derive(Serialize)]
pub(super) struct PostWithCommentsJson {
    /// The post.
    pub post: PostJson,
    /// Its comments, oldest first.
    pub comments: Vec<CommentJson>,
    /// Its files, in the order they were attached.
    pub attachments: Vec<AttachmentJson>,
}

/// A post's file as the API writes it: what it is, not its bytes, which
/// are at `url` (the page's address, for the same session).
#[derive(Serialize)]
pub(super) struct AttachmentJson {
    /// Its number.
    pub id: i64,
    /// Its name as display text (no path; escape it for HTML).
    pub file_name: String,
    /// `application/pdf`, `image/png` or `image/jpeg`, from its content.
    pub content_type: &'static str,
    /// Its size in bytes, as stored.
    pub size: u64,
    /// Where it is downloaded.
    pub url: String,
}

impl From<AttachmentMeta> for AttachmentJson {
    fn from(meta: AttachmentMeta) -> Self {
        Self {
            id: meta.id.0,
            url: crate::board::pages::attachment_path(&meta),
            content_type: meta.content_type(),
            size: meta.size,
            file_name: meta.file_name,
        }
    }
}

/// What `GET /api/stats` answers: [`BoardStats`], each table a list of
/// lines with the counts flattened into them ([`CountsJson`]).
#[derive(Serialize)]
pub(super) struct StatsJson {
    /// The days counted, or `null` for all of them.
    pub period: Option<PeriodJson>,
    /// The time zone of days and months: always `+09:00` (Japan).
    pub time_zone: &'static str,
    /// How many posts are counted.
    pub posts: u64,
    /// How many comments are counted.
    pub comments: u64,
    /// Every category, zeros included.
    pub by_category: Vec<LabelledJson>,
    /// Every kind, zeros included.
    pub by_kind: Vec<LabelledJson>,
    /// Month by month (`YYYY-MM`), from the first to the last counted.
    pub by_month: Vec<MonthJson>,
    /// The centre and the agencies.
    pub by_poster: Vec<LabelledJson>,
    /// Everyone with a post or a comment counted, the busiest first.
    pub by_person: Vec<PersonJson>,
    /// Every agency with a post or a comment counted; `null` for an
    /// agency's staff.
    pub by_agency: Option<Vec<AgencyJson>>,
}

impl From<BoardStats> for StatsJson {
    fn from(stats: BoardStats) -> Self {
        Self {
            period: stats.period.map(PeriodJson::from),
            time_zone: "+09:00",
            posts: stats.posts,
            comments: stats.comments,
            by_category: stats
                .by_category
                .iter()
                .map(|t| {
                    LabelledJson::new(t, t.key.code().as_str(), t.key.label_ja(), t.key.label_en())
                })
                .collect(),
            by_kind: stats
                .by_kind
                .iter()
                .map(|t| LabelledJson::new(t, t.key.code(), t.key.label_ja(), t.key.label_en()))
                .collect(),
            by_month: stats
                .by_month
                .iter()
                .map(|t| MonthJson {
                    month: t.key.to_string(),
                    counts: t.into(),
                })
                .collect(),
            by_poster: stats
                .by_poster
                .iter()
                .map(|t| LabelledJson::new(t, t.key.code(), t.key.label_ja(), t.key.label_en()))
                .collect(),
            by_person: stats
                .by_person
                .iter()
                .map(|t| PersonJson {
                    login: t.key.as_str().to_owned(),
                    counts: t.into(),
                })
                .collect(),
            by_agency: stats.by_agency.map(|agencies| {
                agencies
                    .iter()
                    .map(|t| AgencyJson {
                        agency: t.key.clone(),
                        counts: t.into(),
                    })
                    .collect()
            }),
        }
    }
}

/// The days counted, in Japan time, both included.
#[derive(Serialize)]
pub(super) struct PeriodJson {
    /// The first day, `YYYY-MM-DD`.
    pub from: String,
    /// The last day, `YYYY-MM-DD`.
    pub to: String,
}

impl From<Period> for PeriodJson {
    fn from(period: Period) -> Self {
        Self {
            from: period.first().to_string(),
            to: period.last().to_string(),
        }
    }
}

/// One line's counts, and their shares of all the posts and of all the
/// comments counted (percent, one decimal).
#[derive(Serialize)]
pub(super) struct CountsJson {
    /// How many posts.
    pub posts: u64,
    /// Their share of all the posts, in percent.
    pub posts_percent: f64,
    /// How many comments.
    pub comments: u64,
    /// Their share of all the comments, in percent.
    pub comments_percent: f64,
}

impl<K> From<&Tally<K>> for CountsJson {
    fn from(tally: &Tally<K>) -> Self {
        Self {
            posts: tally.posts,
            posts_percent: tally.posts_percent,
            comments: tally.comments,
            comments_percent: tally.comments_percent,
        }
    }
}

/// A line of a table whose items have a code and names: a category, a
/// kind, a poster type.
#[derive(Serialize)]
pub(super) struct LabelledJson {
    /// The item's code (as in `GET /api/posts?category=`).
    pub code: String,
    /// Its name in Japanese.
    pub label_ja: String,
    /// Its name in English.
    pub label_en: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: CountsJson,
}

impl LabelledJson {
    fn new<K>(tally: &Tally<K>, code: &str, label_ja: &str, label_en: &str) -> Self {
        Self {
            code: code.to_owned(),
            label_ja: label_ja.to_owned(),
            label_en: label_en.to_owned(),
            counts: tally.into(),
        }
    }
}

/// A month's line.
#[derive(Serialize)]
pub(super) struct MonthJson {
    /// The month in Japan time, `YYYY-MM`.
    pub month: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: CountsJson,
}

/// A person's line.
#[derive(Serialize)]
pub(super) struct PersonJson {
    /// Their login name.
    pub login: String,
    /// Their counts.
    #[serde(flatten)]
    pub counts: CountsJson,
}

/// An agency's line.
#[derive(Serialize)]
pub(super) struct AgencyJson {
    /// The agency's registered name.
    pub agency: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: CountsJson,
}

/// A refusal or a failure: one message, Japanese first, English beside it.
#[derive(Serialize)]
pub(super) struct ErrorJson<'a> {
    /// The message.
    pub error: &'a str,
}

/// 422: the personal-information guard found something, and the poster
/// has not confirmed it is not a person's. Where each finding is, never
/// what it says.
#[derive(Serialize)]
pub(super) struct FoundJson<'a> {
    /// The message.
    pub error: &'a str,
    /// Each finding.
    pub found: Vec<FindingJson>,
}

/// One finding of the guard.
#[derive(Serialize)]
pub(super) struct FindingJson {
    /// `title` or `body`.
    pub field: &'static str,
    /// A [`crate::board::personal::PersonalKind`] code (`phone`, `email` …).
    pub kind: &'static str,
    /// The kind in Japanese.
    pub label_ja: &'static str,
    /// The kind in English.
    pub label_en: &'static str,
    /// Where it starts in the field, in bytes of UTF-8.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
}
