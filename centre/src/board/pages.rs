//! The board as pages for people, under `/board`: server-rendered HTML
//! that works without JavaScript in a tablet's and a desktop's browser,
//! Japanese first with English beside it.
//!
//! - [`list`]: `GET /board`, the posts the reader may read, newest first,
//!   narrowed by category and kind;
//! - [`post`]: `GET /board/posts/{id}`, a post with its comments, and
//!   `POST /board/posts/{id}/comments`;
//! - [`compose`]: `GET /board/new`, the form, and `POST /board/posts`
//!   (with up to five files, as `multipart/form-data`);
//! - [`attachment`]: `GET /board/attachments/{id}/{name}`, a post's file,
//!   as a download a browser does not run;
//! - [`edit`]: `GET`/`POST /board/posts/{id}/edit`, changing a post's
//!   title, body and who may read it (its author);
//! - [`scope`]: who may read a post, on a form;
//! - [`search`]: `GET /board/search?q=…`;
//! - [`stats`]: `GET /board/stats`, the statistics as tables;
//! - [`moderation`]: reporting and deleting a post, and the
//!   administrators' pages (reports to review, the audit log);
//! - [`layout`]: the frame every page shares, and `/board/style.css`;
//! - [`markdown`]: bodies as clean HTML.
//!
//! **Who may come in:** every route needs a live session (303 to `/login`
//! otherwise), read afresh on each request as the figures do. **Who reads
//! what** is the board's rule ([`crate::board::visibility`]) through
//! [`crate::board::BoardStore`]; a post the reader may not read is the
//! same 404 page as one that does not exist. **Every form** carries the
//! session's CSRF token (403 without it, nothing stored) and must come
//! from this centre's own origin ([`crate::pages::same_origin_posts`]).
//! Every page is `no-store`. Titles, bodies and comments are escaped, or
//! rendered by [`markdown`], and never reach the log.

mod attachment;
mod compose;
mod edit;
mod layout;
mod list;
mod markdown;
mod moderation;
mod post;
mod scope;
mod search;
mod stats;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::BoardError;
use super::attachments::{MAX_FILE_BYTES, MAX_FILES_PER_POST};
use super::call::CallError;
use crate::figures::html_escape;
use crate::pages::{self, SignedIn, bad_csrf, page_failure};
use crate::server::Shared;

/// The largest form the board's pages take: 256 KiB, room for a post of
/// [`crate::board::model::MAX_BODY_CHARS`] characters of Japanese (9 bytes
/// each when a form encodes them).
pub const MAX_PAGE_FORM: usize = 256 * 1024;

/// The largest new-post form: [`MAX_PAGE_FORM`] for its text and room for
/// [`MAX_FILES_PER_POST`] files of [`MAX_FILE_BYTES`] with their part
/// headers (a little over 25 MiB). Only `POST /board/posts` takes it.
pub const MAX_UPLOAD_FORM: usize = MAX_PAGE_FORM + MAX_FILES_PER_POST * (MAX_FILE_BYTES + 4096);

pub(crate) use attachment::path as attachment_path;

/// The `/board` routes.
pub(crate) fn routes(centre: Shared) -> Router<Shared> {
    let guarded = Router::new()
        .route("/board", get(list::page))
        .route("/board/new", get(compose::form))
        .route(
            "/board/posts",
            axum::routing::post(compose::submit).layer(DefaultBodyLimit::max(MAX_UPLOAD_FORM)),
        )
        .route("/board/posts/{id}", get(post::page))
        .route("/board/attachments/{id}/{name}", get(attachment::download))
        .route(
            "/board/posts/{id}/comments",
            axum::routing::post(post::comment),
        )
        .route("/board/search", get(search::page))
        .route("/board/stats", get(stats::page))
        .route("/board/posts/{id}/edit", get(edit::form).post(edit::submit))
        .route(
            "/board/posts/{id}/report",
            axum::routing::post(moderation::report),
        )
        .route(
            "/board/posts/{id}/delete",
            axum::routing::post(moderation::delete),
        )
        .route("/board/reports", get(moderation::reports))
        .route(
            "/board/reports/{id}",
            axum::routing::post(moderation::decide),
        )
        .route("/board/audit", get(moderation::audit))
        .route_layer(middleware::from_fn_with_state(centre, require_member));
    Router::new()
        .merge(guarded)
        .route("/board/style.css", get(style))
        .layer(middleware::from_fn(pages::same_origin_posts))
        .layer(DefaultBodyLimit::max(MAX_PAGE_FORM))
}

/// The guard before every page: a live session, or 303 to `/login`.
async fn require_member(
    State(centre): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    match pages::signed_in(&centre, request.headers()).await {
        Ok(Some(signed)) => {
            request.extensions_mut().insert(signed);
            let mut response = next.run(request).await;
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(None) => pages::to_login(request.headers()),
        Err(failure) => page_failure(failure),
    }
}

/// `/board/style.css`: the centre's look and the board's.
async fn style() -> Response {
    let headers: [(HeaderName, &str); 2] = [
        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=3600"),
    ];
    (
        headers,
        format!("{}{}", crate::figures::STYLE, layout::STYLE),
    )
        .into_response()
}

/// A page with `status`.
fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A message in Japanese with English beside it, announced to screen
/// readers.
fn alert(ja: &str, en: &str) -> String {
    format!(
        "<p class=\"error\" role=\"alert\">{}<br><span class=\"en\" lang=\"en\">{}</span></p>",
        html_escape(ja),
        html_escape(en)
    )
}

/// A [`BoardError`]'s message split into its Japanese and its English (it
/// is written `日本語。 English.`).
fn split_message(e: &BoardError) -> (String, String) {
    let text = e.to_string();
    match text.split_once("。 ") {
        Some((ja, en)) => (format!("{ja}。"), en.to_owned()),
        None => (text.clone(), text),
    }
}

/// The page for a post that cannot be read (or does not exist).
fn no_such_post(signed: &SignedIn) -> Response {
    html(
        StatusCode::NOT_FOUND,
        layout::page(
            signed,
            layout::Place::Elsewhere,
            ("投稿が見つかりません", "No such post"),
            true,
            &format!(
                "{}<p><a href=\"/board\">投稿一覧へ戻る <span lang=\"en\">Back to the posts</span></a></p>",
                alert(
                    "その投稿はありません。削除されたか、公開範囲の外です。",
                    "There is no such post, or it is not shared with you."
                )
            ),
        ),
    )
}

/// The answer to a board call that failed for a reason the form cannot
/// fix: a missing post, the database, the centre.
fn call_failure(signed: &SignedIn, e: CallError) -> Response {
    match e {
        CallError::Board(BoardError::NoSuchPost) => no_such_post(signed),
        CallError::Board(BoardError::NotAuthor) => html(
            StatusCode::FORBIDDEN,
            layout::page(
                signed,
                layout::Place::Elsewhere,
                ("変更できません", "Not allowed"),
                true,
                &alert(
                    "この投稿を変更できるのは投稿者と管理者だけです。",
                    "Only the author or an administrator may change this post.",
                ),
            ),
        ),
        CallError::Board(e) => {
            eprintln!("tsunagi-centre: the board failed: {e}");
            unavailable()
        }
        CallError::NoBoard | CallError::Internal => {
            eprintln!("tsunagi-centre: a board page could not reach the board");
            unavailable()
        }
    }
}

/// 503, in words.
fn unavailable() -> Response {
    crate::server::plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "掲示板が応答しません。しばらくしてからもう一度お試しください。 \
         The board is not answering; try again later.",
    )
}

/// The fields of a posted form, in order (a name may come more than
/// once: the chosen agencies).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, or "".
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// The board's reader for a signed-in account.
fn viewer(signed: &SignedIn) -> super::Viewer {
    super::Viewer::of(signed.account.login.clone(), &signed.account.role)
}

/// The guard's findings in the fields `texts` (name, text) as a notice
/// above the form, with the box to tick to post all the same; empty when
/// nothing was found. Each finding is shown with what was written, to the
/// writer alone (it is their own text, never stored or logged here).
fn personal_notice(texts: &[(&str, &str)]) -> Option<String> {
    let found = super::personal::scan_fields(texts);
    if found.is_empty() {
        return None;
    }
    let mut items = String::new();
    for (field, finding) in &found {
        let text = texts
            .iter()
            .find(|(name, _)| name == field)
            .map_or("", |(_, text)| *text);
        let where_ja = if *field == "title" {
            "件名"
        } else {
            "本文"
        };
        items.push_str(&format!(
            "<li>{where_ja}：{ja}「{excerpt}」 <span class=\"en\" lang=\"en\">{en}</span></li>",
            ja = finding.kind.label_ja(),
            en = finding.kind.label_en(),
            excerpt = html_escape(finding.excerpt(text)),
        ));
    }
    Some(format!(
        "<div class=\"found\" role=\"alert\"><p>個人が特定できる情報かもしれないものが見つかりました。\
         消すか書き換えてください。個人の情報ではない（機関の代表電話など）ときは、下の確認に印を付けて投稿できます。<br>\
         <span class=\"en\" lang=\"en\">This may identify a person: take it out, or tick the box below if it is not \
         a person's information (an agency's main number, say).</span></p><ul>{items}</ul>\
         <p><input type=\"checkbox\" id=\"not-personal\" name=\"not_personal\" value=\"1\"> \
         <label for=\"not-personal\">個人の情報ではないことを確認しました</label> \
         <span class=\"en\" lang=\"en\">I have checked: this is not a person's information</span></p></div>"
    ))
}
