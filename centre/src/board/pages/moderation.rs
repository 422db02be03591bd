//! What readers and administrators do to a post besides reading it:
//! `POST /board/posts/{id}/report` (anyone who reads it), `POST
//! /board/posts/{id}/delete` (its author, an administrator), and the
//! administrators' pages: `GET /board/reports`, the reported posts
//! waiting for review, with `POST /board/reports/{id}` to decide, and `GET
//! /board/audit`, the audit log.

use std::fmt::Write;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::layout::{self, Place};
use super::{Fields, alert, bad_csrf, call_failure, html, markdown, no_such_post, viewer};
use crate::board::call::{CallError, on_board};
use crate::board::moderation::Decision;
use crate::board::{BoardError, PostId};
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::Shared;

/// The most audit entries the page shows.
const AUDIT_SHOWN: u32 = 500;

/// The post number in an address.
fn post_id(text: &str) -> Option<PostId> {
    text.parse().ok().map(PostId)
}

/// Why a form was turned away before anything was done.
enum Refused {
    /// Its CSRF token is missing or wrong.
    Csrf,
    /// Its address names no post.
    NoPost,
}

impl Refused {
    fn page(self, signed: &SignedIn) -> Response {
        match self {
            Self::Csrf => bad_csrf(),
            Self::NoPost => no_such_post(signed),
        }
    }
}

/// Reads the form, checks its CSRF token and the post number.
fn form(signed: &SignedIn, id: &str, body: &[u8]) -> Result<(PostId, Fields), Refused> {
    let fields = Fields::parse(body);
    if !signed.csrf_matches(fields.get("csrf")) {
        return Err(Refused::Csrf);
    }
    let id = post_id(id).ok_or(Refused::NoPost)?;
    Ok((id, fields))
}

pub(super) async fn report(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (id, fields) = match form(&signed, &id, &body) {
        Ok(read) => read,
        Err(refused) => return refused.page(&signed),
    };
    let reason = fields.get("reason").to_owned();
    let reporter = viewer(&signed);
    match on_board(&centre, move |board| {
        board.report_post(&reporter, id, &reason)
    })
    .await
    {
        Ok(()) => html(
            StatusCode::OK,
            layout::page(
                &signed,
                Place::Elsewhere,
                ("通報しました", "Reported"),
                true,
                "<p role=\"status\">通報を受け付けました。管理者が確認するまで、この投稿は非公開になります。<br>\
                 <span class=\"en\" lang=\"en\">Thank you: the post is hidden until an administrator reviews it.</span></p>\
                 <p><a href=\"/board\">投稿一覧へ戻る <span lang=\"en\">Back to the posts</span></a></p>",
            ),
        ),
        Err(CallError::Board(e @ BoardError::ReasonTooLong)) => {
            let (ja, en) = super::split_message(&e);
            html(
                StatusCode::BAD_REQUEST,
                layout::page(
                    &signed,
                    Place::Elsewhere,
                    ("通報できませんでした", "Not reported"),
                    true,
                    &alert(&ja, &en),
                ),
            )
        }
        Err(e) => call_failure(&signed, e),
    }
}

pub(super) async fn delete(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (id, _) = match form(&signed, &id, &body) {
        Ok(read) => read,
        Err(refused) => return refused.page(&signed),
    };
    let deleter = viewer(&signed);
    match on_board(&centre, move |board| board.delete_post(&deleter, id)).await {
        Ok(()) => Redirect::to("/board").into_response(),
        Err(e) => call_failure(&signed, e),
    }
}

/// The page for someone who is not an administrator.
fn not_administrator(signed: &SignedIn) -> Response {
    html(
        StatusCode::FORBIDDEN,
        layout::page(
            signed,
            Place::Elsewhere,
            ("管理者のページです", "Administrators only"),
            true,
            &alert(
                "このページはセンターの管理者だけが使えます。",
                "Only the centre's administrators may use this page.",
            ),
        ),
    )
}

/// A board failure on an administrators' page.
fn admin_failure(signed: &SignedIn, e: CallError) -> Response {
    match e {
        CallError::Board(BoardError::NotAdministrator) => not_administrator(signed),
        other => call_failure(signed, other),
    }
}

pub(super) async fn reports(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
) -> Response {
    let admin = viewer(&signed);
    let queue = match on_board(&centre, move |board| board.reports_to_review(&admin)).await {
        Ok(queue) => queue,
        Err(e) => return admin_failure(&signed, e),
    };
    let mut content = String::new();
    if queue.is_empty() {
        content.push_str(
            "<p class=\"empty\">確認を待つ通報はありません。 <span class=\"en\" lang=\"en\">No reports to review.</span></p>",
        );
    }
    for item in &queue {
        let post = &item.post;
        let _ = write!(
            content,
            "<section class=\"report\" aria-labelledby=\"reported-{id}\"><h2 id=\"reported-{id}\">\
             <a href=\"/board/posts/{id}\">{title}</a></h2>{meta}<div class=\"body\">{body}</div>\
             <h3>通報（{n}件） <small lang=\"en\">Reports</small></h3><ul>",
            id = post.id.0,
            title = html_escape(&post.title),
            meta = layout::post_meta(post),
            body = markdown::to_html(&post.body),
            n = item.reports.len(),
        );
        for r in &item.reports {
            let reason = if r.reason.is_empty() {
                "（理由なし no reason given）".to_owned()
            } else {
                html_escape(&r.reason)
            };
            let _ = write!(
                content,
                "<li>{who} ・ {when}：{reason}</li>",
                who = html_escape(r.reporter.as_str()),
                when = layout::when(r.created_at),
            );
        }
        let _ = write!(
            content,
            "</ul><form method=\"post\" action=\"/board/reports/{id}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <p><button type=\"submit\" name=\"decision\" value=\"restore\">問題なし・再公開 <span lang=\"en\">Show it again</span></button> \
             <button type=\"submit\" name=\"decision\" value=\"remove\" class=\"danger\">削除する <span lang=\"en\">Delete it</span></button></p>\
             </form></section>",
            id = post.id.0,
            csrf = html_escape(&signed.csrf),
        );
    }
    html(
        StatusCode::OK,
        layout::page(
            &signed,
            Place::Reports,
            ("通報の確認", "Reports to review"),
            true,
            &content,
        ),
    )
}

pub(super) async fn decide(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (id, fields) = match form(&signed, &id, &body) {
        Ok(read) => read,
        Err(refused) => return refused.page(&signed),
    };
    let decision = match fields.get("decision") {
        "restore" => Decision::Restore,
        "remove" => Decision::Remove,
        _ => {
            return html(
                StatusCode::BAD_REQUEST,
                layout::page(
                    &signed,
                    Place::Reports,
                    ("通報の確認", "Reports to review"),
                    true,
                    &alert(
                        "再公開か削除かを選んでください。",
                        "Choose to show it again or to delete it.",
                    ),
                ),
            );
        }
    };
    let admin = viewer(&signed);
    match on_board(&centre, move |board| board.review(&admin, id, decision)).await {
        Ok(()) => Redirect::to("/board/reports").into_response(),
        Err(e) => admin_failure(&signed, e),
    }
}

pub(super) async fn audit(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
) -> Response {
    let admin = viewer(&signed);
    let log = match on_board(&centre, move |board| board.audit_log(&admin, AUDIT_SHOWN)).await {
        Ok(log) => log,
        Err(e) => return admin_failure(&signed, e),
    };
    let mut rows = String::new();
    for entry in &log {
        let post = entry
            .post
            .map(|p| format!("<a href=\"/board/posts/{0}\">#{0}</a>", p.0))
            .unwrap_or_default();
        let comment = entry
            .comment
            .map(|c| format!(" #{}", c.0))
            .unwrap_or_default();
        let _ = write!(
            rows,
            "<tr><td>{when}</td><td>{who}</td><td>{what}</td><td>{post}{comment}</td><td>{detail}</td></tr>",
            when = layout::when(entry.at),
            who = html_escape(entry.actor.as_str()),
            what = entry.action.label_ja(),
            detail = html_escape(entry.detail.as_deref().unwrap_or("")),
        );
    }
    let content = format!(
        "<p class=\"meta\">新しい順に最大{AUDIT_SHOWN}件。件名・本文・理由は記録しません。 \
         <span class=\"en\" lang=\"en\">Newest first, at most {AUDIT_SHOWN}; titles, bodies and reasons are never recorded.</span></p>\
         <table><caption>監査ログ Audit log</caption><thead><tr><th scope=\"col\">日時</th><th scope=\"col\">アカウント</th>\
         <th scope=\"col\">操作</th><th scope=\"col\">投稿・コメント</th><th scope=\"col\">詳細</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    );
    html(
        StatusCode::OK,
        layout::page(
            &signed,
            Place::Audit,
            ("監査ログ", "Audit log"),
            true,
            &content,
        ),
    )
}
