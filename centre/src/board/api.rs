//! The board as a JSON API under `/api`, on the centre's HTTPS server
//! (`docs/board.md` has every route with examples).
//!
//! **Login.** `POST /api/login` takes `{"login", "password"}` through the
//! login page's own path ([`crate::pages`]: the throttle, disabled
//! accounts, Argon2id with a dummy hash for unknown names, the turns), sets
//! the same session cookie and answers the session's CSRF token. A wrong
//! name, a wrong password and a disabled account get the same 401.
//!
//! **Every other route** needs a live session (401 otherwise), read afresh
//! on each request as the pages do. Every `POST` also needs the header
//! `X-CSRF-Token` holding the session's CSRF token, compared in constant
//! time (403 otherwise, before the body is read), and, like the pages, an
//! `Origin` that is this centre's or none. A body must be `Content-Type:
//! application/json` (415 otherwise), which a form on another site cannot
//! send without the browser asking first (and the centre answers no such
//! question), so even the login cannot be posted from elsewhere.
//!
//! **Who reads what** is the board's own rule ([`super::visibility`]); a
//! post the caller may not read gets exactly the 404 of one that does not
//! exist, and so does an id that is not a number.
//!
//! **Statistics** of what the caller may read ([`super::stats`]) are
//! answered as JSON at `GET /api/stats` and as a CSV file at
//! `GET /api/stats.csv`, both narrowed by `?from=YYYY-MM-DD&to=YYYY-MM-DD`
//! (days in Japan time, both included).
//!
//! **Every answer** is JSON (`{"error": "…"}` for a refusal, Japanese first
//! with English beside it), but for the CSV of statistics, with
//! `Cache-Control: no-store` and
//! `X-Content-Type-Options: nosniff`; a request takes at most
//! [`crate::server::PAGE_TIMEOUT`] and its body at most [`MAX_API_BODY`].
//! Board calls run on blocking threads, each on a free connection of the
//! board's ([`super::call`]). Titles and bodies never reach the log.

mod wire;

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use self::wire::{
    AttachmentJson, CategoriesJson, CategoryJson, CommentJson, CsrfJson, ErrorJson, FindingJson,
    FoundJson, LoginJson, MadeJson, NewCommentJson, NewPostJson, PostJson, PostWithCommentsJson,
    PostsJson, StatsJson,
};
use super::call::CallError;
use super::stats::{BoardStats, Period, to_csv};
use super::{Board, BoardError, NewPost, PostFilter, PostId, Viewer};
use crate::pages::{self, LoginOutcome, SignedIn};
use crate::server::{Failure, PAGE_TIMEOUT, Shared};
use crate::session::{SESSION_COOKIE, csrf_token, set_cookie};

/// The largest request body the API takes: 256 KiB, room for a post of
/// [`super::model::MAX_BODY_CHARS`] characters of Japanese (3 bytes each
/// in UTF-8) written as JSON.
pub const MAX_API_BODY: usize = 256 * 1024;

/// The header that carries the session's CSRF token on every `POST`.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The `/api` routes, with their own limits (see the module's docs).
pub(crate) fn routes(centre: Shared) -> Router<Shared> {
    let guarded = Router::new()
        .route("/api/posts", get(list).post(create))
        .route("/api/posts/{id}", get(show))
        .route("/api/posts/{id}/comments", post(comment))
        .route("/api/search", get(search))
        .route("/api/categories", get(categories))
        .route("/api/stats", get(stats))
        .route("/api/stats.csv", get(stats_csv))
        .route_layer(middleware::from_fn_with_state(centre, require_session));
    Router::new()
        .route("/api/login", post(login))
        .merge(guarded)
        .layer(middleware::from_fn(pages::same_origin_posts))
        .layer(DefaultBodyLimit::max(MAX_API_BODY))
        .layer(middleware::from_fn(json_answers))
}

/// Why an API request was not done, each with its status.
enum ApiError {
    /// No live session: 401.
    NoSession,
    /// The `X-CSRF-Token` header is missing or wrong: 403.
    BadCsrf,
    /// The body is not `application/json`: 415.
    NotJson,
    /// What was sent does not read, or is refused, with why: 400.
    Invalid(String),
    /// The board said no (404 for a post that cannot be read, 400 for a
    /// refused post, 503 when its database failed).
    Board(BoardError),
    /// The centre's database (sessions, accounts) failed.
    Storage(Failure),
    /// The centre was started without a board.
    NoBoard,
}

impl From<BoardError> for ApiError {
    fn from(e: BoardError) -> Self {
        Self::Board(e)
    }
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        Self::Storage(failure)
    }
}

/// The centre cannot answer just now.
const UNAVAILABLE: &str = "掲示板が応答しません。しばらくしてからもう一度お試しください。 \
     The board is not answering; try again later.";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::NoSession => json_error(
                StatusCode::UNAUTHORIZED,
                "ログインしてください。 Log in first: there is no live session.",
            ),
            Self::BadCsrf => json_error(
                StatusCode::FORBIDDEN,
                "確認用トークン（X-CSRF-Token）がないか、違います。 \
                 Refused: the X-CSRF-Token header is missing or wrong.",
            ),
            Self::NotJson => json_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "本文は JSON（Content-Type: application/json）で送ってください。 \
                 Send the body as JSON (Content-Type: application/json).",
            ),
            Self::Invalid(why) => json_error(StatusCode::BAD_REQUEST, &why),
            Self::Board(e) => board_error(e),
            Self::Storage(Failure::Storage(e)) => {
                eprintln!("tsunagi-centre: storage failed: {e}");
                json_error(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
            }
            Self::Storage(Failure::Refused(status, text)) => json_error(status, &text),
            Self::Storage(Failure::Internal) => internal(),
            Self::NoBoard => {
                eprintln!("tsunagi-centre: an /api request, but the board is not open");
                json_error(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
            }
        }
    }
}

/// The answer to what the board refused or failed to do.
fn board_error(e: BoardError) -> Response {
    let status = match &e {
        BoardError::Sqlite(_) | BoardError::Damaged => {
            eprintln!("tsunagi-centre: the board failed: {e}");
            return json_error(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE);
        }
        BoardError::NoSuchPost => StatusCode::NOT_FOUND,
        BoardError::NotAuthor | BoardError::NotAdministrator => StatusCode::FORBIDDEN,
        BoardError::EmptyTitle
        | BoardError::TitleTooLong
        | BoardError::EmptyBody
        | BoardError::BodyTooLong
        | BoardError::NoAgencyChosen
        | BoardError::CentreHasNoAgency
        | BoardError::ReasonTooLong
        | BoardError::TooManyFiles
        | BoardError::UnsupportedFile
        | BoardError::BrokenImage
        | BoardError::NoSuchCategory
        | BoardError::BadCategoryCode
        | BoardError::BadCategoryLabel => StatusCode::BAD_REQUEST,
        BoardError::CategoryExists => StatusCode::CONFLICT,
        BoardError::FileTooLarge | BoardError::ImageTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
    };
    json_error(status, &e.to_string())
}

/// 500, said in words.
fn internal() -> Response {
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "センターで内部エラーが起きました。 The centre failed.",
    )
}

/// `value` as JSON with `status`.
fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(_) => internal(),
    }
}

/// `{"error": text}` with `status`.
fn json_error(status: StatusCode, text: &str) -> Response {
    json(status, &ErrorJson { error: text })
}

/// Marks every `/api` answer `no-store` and `nosniff`, holds the request
/// to [`PAGE_TIMEOUT`], and turns a refusal that is not JSON (a body
/// over [`MAX_API_BODY`], a POST from another site, a wrong method) into
/// a JSON error with the same status. A success passes as it is: every
/// handler answers JSON but [`stats_csv`].
async fn json_answers(request: Request, next: Next) -> Response {
    let mut response = match tokio::time::timeout(PAGE_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => json_error(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE),
    };
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json && !response.status().is_success() {
        let status = response.status();
        let text = match status {
            StatusCode::PAYLOAD_TOO_LARGE => {
                "送られた内容が大きすぎます。 The request's body is too large."
            }
            StatusCode::FORBIDDEN => {
                "別のサイトから送られたリクエストは受け付けません。 \
                 Refused: the request was sent from another site."
            }
            StatusCode::METHOD_NOT_ALLOWED => {
                "この宛先はその方法では使えません。 That method is not allowed here."
            }
            _ => status.canonical_reason().unwrap_or("error"),
        };
        let cookies: Vec<HeaderValue> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        response = json_error(status, text);
        for cookie in cookies {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The guard before every route but the login: a live session (401
/// otherwise), and on a `POST` its CSRF token in [`CSRF_HEADER`] (403
/// otherwise). Hands the handler the [`SignedIn`].
async fn require_session(
    State(centre): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    let signed = match pages::signed_in(&centre, request.headers()).await {
        Ok(Some(signed)) => signed,
        Ok(None) => return ApiError::NoSession.into_response(),
        Err(failure) => return ApiError::Storage(failure).into_response(),
    };
    if request.method() == Method::POST {
        let submitted = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !signed.csrf_matches(submitted) {
            eprintln!("tsunagi-centre: refused an /api POST without the session's CSRF token");
            return ApiError::BadCsrf.into_response();
        }
    }
    request.extensions_mut().insert(signed);
    next.run(request).await
}

/// The board's reader for a signed-in account.
fn viewer(signed: &SignedIn) -> Viewer {
    Viewer::of(signed.account.login.clone(), &signed.account.role)
}

/// Reads a JSON body of type `T`, refused in words: a `Content-Type` other
/// than `application/json` (415), or JSON that does not read as `T`
/// (400, saying where but never repeating what was sent).
fn read_json<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::NotJson);
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::Invalid(format!(
            "送られた JSON が読めません（{line}行{column}列）。 The JSON sent does not read \
             (line {line}, column {column}): check the fields' names and types in docs/board.md.",
            line = e.line(),
            column = e.column(),
        ))
    })
}

/// Runs `work` on the board ([`super::call::on_board`]), its failures as
/// the API answers them.
async fn on_board<T: Send + 'static>(
    centre: &Shared,
    work: impl FnOnce(&mut dyn Board) -> Result<T, BoardError> + Send + 'static,
) -> Result<T, ApiError> {
    super::call::on_board(centre, work)
        .await
        .map_err(|e| match e {
            CallError::Board(e) => ApiError::Board(e),
            CallError::NoBoard => ApiError::NoBoard,
            CallError::Internal => ApiError::Storage(Failure::Internal),
        })
}

/// `POST /api/login`.
async fn login(State(centre): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let posted: LoginJson = match read_json(&headers, &body) {
        Ok(posted) => posted,
        Err(e) => return e.into_response(),
    };
    let password = Zeroizing::new(posted.password);
    let token = match pages::log_in(&centre, &posted.login, password).await {
        Ok(LoginOutcome::SignedIn(token)) => token,
        Ok(LoginOutcome::Wrong) => {
            return json_error(
                StatusCode::UNAUTHORIZED,
                &format!("{} {}", pages::WRONG, pages::WRONG_EN),
            );
        }
        Ok(LoginOutcome::Locked) => {
            return json_error(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("{} {}", pages::LOCKED, pages::LOCKED_EN),
            );
        }
        Ok(LoginOutcome::Busy) => {
            let mut response = json_error(StatusCode::SERVICE_UNAVAILABLE, pages::BUSY);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            return response;
        }
        Err(failure) => return ApiError::Storage(failure).into_response(),
    };
    let mut response = json(
        StatusCode::OK,
        &CsrfJson {
            csrf: csrf_token(&token),
        },
    );
    if let Ok(cookie) = HeaderValue::from_str(&set_cookie(SESSION_COOKIE, &token.to_cookie())) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// What `GET /api/posts` may be narrowed by.
#[derive(Deserialize)]
struct ListQuery {
    /// A category's code.
    category: Option<String>,
    /// A kind's code.
    kind: Option<String>,
    /// Only posts numbered below this one (the next page).
    before: Option<i64>,
    /// At most this many, the newest first (1 to [`MAX_API_LIMIT`]).
    limit: Option<u32>,
}

/// The most posts `GET /api/posts?limit=` gives at once.
pub const MAX_API_LIMIT: u32 = 1000;

/// `GET /api/posts`.
async fn list(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let filter = match list_filter(query) {
        Ok(filter) => filter,
        Err(e) => return e.into_response(),
    };
    let viewer = viewer(&signed);
    posts_answer(on_board(&centre, move |board| board.list_posts(&viewer, &filter)).await)
}

/// The filter of `GET /api/posts`, or why the query is refused.
fn list_filter(query: Result<Query<ListQuery>, QueryRejection>) -> Result<PostFilter, ApiError> {
    let Query(query) = query.map_err(|_| {
        ApiError::Invalid("問い合わせの条件が読めません。 The query string does not read.".into())
    })?;
    Ok(PostFilter {
        category: query
            .category
            .as_deref()
            .map(wire::category)
            .transpose()
            .map_err(ApiError::Invalid)?,
        kind: query
            .kind
            .as_deref()
            .map(wire::kind)
            .transpose()
            .map_err(ApiError::Invalid)?,
        limit: match query.limit {
            Some(n @ 1..=MAX_API_LIMIT) => Some(n),
            Some(_) => {
                return Err(ApiError::Invalid(
                    "limit は1〜1000にしてください。 limit is 1 to 1000.".into(),
                ));
            }
            None => None,
        },
        before: query.before.map(PostId),
        unread_only: false,
    })
}

/// `{"posts": [...]}` for a list or a search.
fn posts_answer(posts: Result<Vec<super::Post>, ApiError>) -> Response {
    match posts {
        Ok(posts) => json(
            StatusCode::OK,
            &PostsJson {
                posts: posts.into_iter().map(PostJson::from).collect(),
            },
        ),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/categories`: every category the board keeps, in its order.
async fn categories(State(centre): State<Shared>) -> Response {
    match on_board(&centre, |board| board.categories()).await {
        Ok(categories) => json(
            StatusCode::OK,
            &CategoriesJson {
                categories: categories.into_iter().map(CategoryJson::from).collect(),
            },
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /api/posts`: 201 with the new post's number.
async fn create(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (post, confirmed) = match read_json::<NewPostJson>(&headers, &body).and_then(|json| {
        let confirmed = json.confirm_not_personal;
        NewPost::try_from(json)
            .map(|post| (post, confirmed))
            .map_err(ApiError::Invalid)
    }) {
        Ok(read) => read,
        Err(e) => return e.into_response(),
    };
    if !confirmed
        && let Some(found) = personal_found(&[("title", &post.title), ("body", &post.body)])
    {
        return found;
    }
    let viewer = viewer(&signed);
    match on_board(&centre, move |board| board.create_post(&viewer, &post)).await {
        Ok(id) => json(StatusCode::CREATED, &MadeJson { id: id.0 }),
        Err(e) => e.into_response(),
    }
}

/// The post number in an address; anything else is a post that does not
/// exist.
fn post_id(text: &str) -> Result<PostId, ApiError> {
    text.parse()
        .map(PostId)
        .map_err(|_| ApiError::Board(BoardError::NoSuchPost))
}

/// `GET /api/posts/{id}`: the post, its comments and its files.
async fn show(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    let id = match post_id(&id) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let viewer = viewer(&signed);
    let found = on_board(&centre, move |board| {
        let post = board.get_post(&viewer, id)?.ok_or(BoardError::NoSuchPost)?;
        let comments = board.comments(&viewer, id)?;
        let attachments = board.attachments(&viewer, id)?;
        Ok((post, comments, attachments))
    })
    .await;
    match found {
        Ok((post, comments, attachments)) => json(
            StatusCode::OK,
            &PostWithCommentsJson {
                post: post.into(),
                comments: comments.into_iter().map(CommentJson::from).collect(),
                attachments: attachments.into_iter().map(AttachmentJson::from).collect(),
            },
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /api/posts/{id}/comments`: 201 with the new comment's number.
async fn comment(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let posted = post_id(&id).and_then(|id| {
        read_json::<NewCommentJson>(&headers, &body)
            .map(|json| (id, json.body, json.confirm_not_personal))
    });
    let (id, text, confirmed) = match posted {
        Ok(posted) => posted,
        Err(e) => return e.into_response(),
    };
    if !confirmed && let Some(found) = personal_found(&[("body", &text)]) {
        return found;
    }
    let viewer = viewer(&signed);
    match on_board(&centre, move |board| board.add_comment(&viewer, id, &text)).await {
        Ok(made) => json(StatusCode::CREATED, &MadeJson { id: made.0 }),
        Err(e) => e.into_response(),
    }
}

/// 422 with what the personal-information guard found in `fields`, or
/// `None` when it found nothing.
fn personal_found(fields: &[(&'static str, &str)]) -> Option<Response> {
    let found = super::personal::scan_fields(fields);
    if found.is_empty() {
        return None;
    }
    let found = found
        .into_iter()
        .map(|(field, f)| FindingJson {
            field,
            kind: f.kind.code(),
            label_ja: f.kind.label_ja(),
            label_en: f.kind.label_en(),
            start: f.span.start,
            end: f.span.end,
        })
        .collect();
    Some(json(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FoundJson {
            error: "個人が特定できる情報かもしれないものが見つかりました。消すか書き換えるか、\
                    個人の情報ではないときは confirm_not_personal を true にして送り直してください。 \
                    This may identify a person: take it out, or send it again with \
                    confirm_not_personal set to true if it is not a person's information.",
            found,
        },
    ))
}

/// What `GET /api/search` reads.
#[derive(Deserialize)]
struct SearchQuery {
    /// The words, split at whitespace; none finds nothing.
    #[serde(default)]
    q: String,
}

/// `GET /api/search?q=…`: the posts the caller may read that hold every
/// word ([`BoardStore::search`]).
async fn search(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return ApiError::Invalid(
            "検索の条件が読めません。 The search's query string does not read.".into(),
        )
        .into_response();
    };
    let viewer = viewer(&signed);
    posts_answer(on_board(&centre, move |board| board.search(&viewer, &query.q)).await)
}

/// What `GET /api/stats` and `GET /api/stats.csv` read: both days or
/// neither.
#[derive(Deserialize)]
struct StatsQuery {
    /// The first day counted, `YYYY-MM-DD` in Japan time.
    from: Option<String>,
    /// The last day counted, included.
    to: Option<String>,
}

/// The period asked for, or why the query is refused.
fn stats_period(
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Option<Period>, ApiError> {
    const REFUSED: &str = "期間は from と to の両方を YYYY-MM-DD（日本時間、両日を含む）で、\
         from を to 以前にして指定してください。 Give the period as both from and to, \
         YYYY-MM-DD in Japan time (both days included), from not after to.";
    let refused = || ApiError::Invalid(REFUSED.to_owned());
    let Query(query) = query.map_err(|_| refused())?;
    let day = |text: &str| {
        time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| refused())
    };
    match (query.from.as_deref(), query.to.as_deref()) {
        (None, None) => Ok(None),
        (Some(from), Some(to)) => Period::new(day(from)?, day(to)?)
            .map(Some)
            .ok_or_else(refused),
        _ => Err(refused()),
    }
}

/// The statistics of what the caller may read, over the period asked for.
async fn caller_stats(
    centre: &Shared,
    signed: &SignedIn,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<BoardStats, ApiError> {
    let period = stats_period(query)?;
    let viewer = viewer(signed);
    on_board(centre, move |board| board.stats(&viewer, period)).await
}

/// `GET /api/stats[?from=…&to=…]`: the statistics as JSON.
async fn stats(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Response {
    match caller_stats(&centre, &signed, query).await {
        Ok(stats) => json(StatusCode::OK, &StatsJson::from(stats)),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/stats.csv[?from=…&to=…]`: the statistics as a CSV file to
/// save ([`to_csv`]); a refusal is JSON like every other.
async fn stats_csv(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Response {
    match caller_stats(&centre, &signed, query).await {
        Ok(stats) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"board-stats.csv\"",
                ),
            ],
            to_csv(&stats),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
