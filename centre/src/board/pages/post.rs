//! `GET /board/posts/{id}`: a post, its edit history and its comments,
//! with the form to comment; `POST /board/posts/{id}/comments`.

use std::fmt::Write;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::layout::{self, Place};
use super::{Fields, alert, bad_csrf, call_failure, html, markdown, no_such_post, viewer};
use crate::board::attachments::AttachmentMeta;
use crate::board::call::{CallError, on_board};
use crate::board::{BoardError, Comment, Post, PostId, Revision};
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::Shared;

/// What the page shows of one post.
struct Shown {
    post: Post,
    history: Vec<Revision>,
    comments: Vec<Comment>,
    attachments: Vec<AttachmentMeta>,
}

/// The post number in an address; anything else is a post that does not
/// exist.
fn post_id(text: &str) -> Option<PostId> {
    text.parse().ok().map(PostId)
}

/// Reads the post `id`, its history and its comments, as `signed` may.
async fn load(centre: &Shared, signed: &SignedIn, id: PostId) -> Result<Shown, CallError> {
    let reader = viewer(signed);
    on_board(centre, move |board| {
        let post = board.get_post(&reader, id)?.ok_or(BoardError::NoSuchPost)?;
        let history = board.history(&reader, id)?;
        let comments = board.comments(&reader, id)?;
        let attachments = board.attachments(&reader, id)?;
        board.mark_read(&reader, id)?;
        Ok(Shown {
            post,
            history,
            comments,
            attachments,
        })
    })
    .await
}

pub(super) async fn page(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = post_id(&id) else {
        return no_such_post(&signed);
    };
    match load(&centre, &signed, id).await {
        Ok(shown) => html(StatusCode::OK, render(&signed, &shown, "", None)),
        Err(e) => call_failure(&signed, e),
    }
}

pub(super) async fn comment(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if !signed.csrf_matches(fields.get("csrf")) {
        return bad_csrf();
    }
    let Some(id) = post_id(&id) else {
        return no_such_post(&signed);
    };
    let text = fields.get("body").to_owned();
    if fields.get("not_personal") != "1"
        && let Some(notice) = super::personal_notice(&[("body", &text)])
    {
        return match load(&centre, &signed, id).await {
            Ok(shown) => html(
                StatusCode::BAD_REQUEST,
                render(&signed, &shown, &text, Some(notice)),
            ),
            Err(e) => call_failure(&signed, e),
        };
    }
    let writer = viewer(&signed);
    let written = text.clone();
    match on_board(&centre, move |board| {
        board.add_comment(&writer, id, &written)
    })
    .await
    {
        Ok(made) => {
            Redirect::to(&format!("/board/posts/{}#comment-{}", id.0, made.0)).into_response()
        }
        Err(CallError::Board(e @ (BoardError::EmptyBody | BoardError::BodyTooLong))) => {
            let (ja, en) = super::split_message(&e);
            match load(&centre, &signed, id).await {
                Ok(shown) => html(
                    StatusCode::BAD_REQUEST,
                    render(&signed, &shown, &text, Some(alert(&ja, &en))),
                ),
                Err(e) => call_failure(&signed, e),
            }
        }
        Err(e) => call_failure(&signed, e),
    }
}

/// The post's page; `draft` is put back in the comment form, above which
/// `error` (HTML) is shown.
fn render(signed: &SignedIn, shown: &Shown, draft: &str, error: Option<String>) -> String {
    let post = &shown.post;
    let mut content = format!(
        "<article class=\"post\" aria-labelledby=\"post-title\">\
         <h1 id=\"post-title\">{title}</h1>{meta}\
         <div class=\"body\">{body}</div>",
        title = html_escape(&post.title),
        meta = layout::post_meta(post),
        body = markdown::to_html(&post.body),
    );
    content.push_str(&attachment_list(&shown.attachments));
    if post.hidden {
        content.insert_str(
            0,
            "<p class=\"found\" role=\"status\">この投稿は通報により非公開になっています。\
             管理者が確認するまで、投稿者と管理者のほかは読めません。<br>\
             <span class=\"en\" lang=\"en\">A report hid this post: until an administrator reviews it, \
             only its author and the administrators read it.</span></p>",
        );
    }
    if post.deleted {
        content.insert_str(
            0,
            "<p class=\"found\" role=\"status\">この投稿は削除されています（管理者にだけ見えています）。\
             <span class=\"en\" lang=\"en\">This post was deleted; only administrators see it.</span></p>",
        );
    }
    if !shown.history.is_empty() {
        let _ = write!(
            content,
            "<details class=\"history\"><summary>編集履歴（{n}件） <span lang=\"en\">Earlier versions</span></summary>",
            n = shown.history.len()
        );
        for revision in shown.history.iter().rev() {
            let _ = write!(
                content,
                "<section><h3>{title}</h3><p class=\"meta\">{when} まで <span lang=\"en\">until</span></p>\
                 <div class=\"body\">{body}</div></section>",
                title = html_escape(&revision.title),
                when = layout::when(revision.replaced_at),
                body = markdown::to_html(&revision.body),
            );
        }
        content.push_str("</details>");
    }
    content.push_str(&actions(signed, post));
    content.push_str("</article>");
    let _ = write!(
        content,
        "<section class=\"comments\" aria-labelledby=\"comments\">\
         <h2 id=\"comments\">コメント（{n}件） <small lang=\"en\">Comments</small></h2>",
        n = shown.comments.len()
    );
    for c in &shown.comments {
        let _ = write!(
            content,
            "<article id=\"comment-{id}\"><p class=\"meta\">{author} ・ {when}</p>\
             <div class=\"body\">{body}</div></article>",
            id = c.id.0,
            author = layout::author(c.author.as_str(), c.author_agency.as_deref()),
            when = layout::when(c.created_at),
            body = markdown::to_html(&c.body),
        );
    }
    let _ = write!(
        content,
        "<h3>コメントする <small lang=\"en\">Comment</small></h3>\
         <form method=\"post\" action=\"/board/posts/{id}/comments\">{error}\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <p><label for=\"comment-body\">コメント</label> <span class=\"en\" lang=\"en\">Comment</span></p>\
         <p class=\"hint\" id=\"comment-hint\">個人が特定できる情報（氏名、連絡先、病名と名前など）は書かないでください。Markdown が使えます。\
         <span class=\"en\" lang=\"en\">Do not write anything that identifies a person. Markdown works.</span></p>\
         <p><textarea id=\"comment-body\" name=\"body\" required maxlength=\"20000\" \
         aria-describedby=\"comment-hint\">{draft}</textarea></p>\
         <p><button type=\"submit\">コメントを投稿 <span lang=\"en\">Post the comment</span></button></p>\
         </form></section>",
        error = error.unwrap_or_default(),
        id = post.id.0,
        csrf = html_escape(&signed.csrf),
        draft = html_escape(draft),
    );
    layout::page(
        signed,
        Place::Elsewhere,
        (&post.title, "Post"),
        false,
        &content,
    )
}

/// What the reader may do to the post: report it (anyone but its author,
/// while it is shown), delete it (its author and administrators).
fn actions(signed: &SignedIn, post: &Post) -> String {
    if post.deleted {
        return String::new();
    }
    let reader = viewer(signed);
    let is_author = post.author == signed.account.login;
    let mut out = String::from("<div class=\"actions\">");
    if !is_author && !post.hidden {
        let _ = write!(
            out,
            "<details><summary>この投稿を通報する <span lang=\"en\">Report this post</span></summary>\
             <form method=\"post\" action=\"/board/posts/{id}/report\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <p class=\"hint\" id=\"report-hint\">個人が特定できる情報が書かれているなど、問題のある投稿を通報すると、\
             管理者が確認するまで非公開になります。\
             <span class=\"en\" lang=\"en\">A reported post is hidden until an administrator reviews it.</span></p>\
             <p><label for=\"reason\">理由（任意）</label> <span class=\"en\" lang=\"en\">Reason (optional)</span><br>\
             <textarea id=\"reason\" name=\"reason\" maxlength=\"500\" aria-describedby=\"report-hint\"></textarea></p>\
             <p><button type=\"submit\">通報する <span lang=\"en\">Report</span></button></p></form></details>",
            id = post.id.0,
            csrf = html_escape(&signed.csrf),
        );
    }
    if is_author {
        let _ = write!(
            out,
            "<p><a href=\"/board/posts/{id}/edit\">編集・公開範囲の変更 <span lang=\"en\">Edit</span></a></p>",
            id = post.id.0,
        );
    }
    if is_author || *reader.standing() == crate::board::Standing::Admin {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/board/posts/{id}/delete\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <p><button type=\"submit\" class=\"danger\">この投稿を削除 <span lang=\"en\">Delete this post</span></button></p></form>",
            id = post.id.0,
            csrf = html_escape(&signed.csrf),
        );
    }
    out.push_str("</div>");
    out
}

/// The post's files as a list of downloads (name, type, size); nothing
/// when it has none.
fn attachment_list(files: &[AttachmentMeta]) -> String {
    if files.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section class=\"attachments\" aria-labelledby=\"attachments\">\
         <h2 id=\"attachments\">添付ファイル <small lang=\"en\">Attachments</small></h2><ul>",
    );
    for file in files {
        let _ = write!(
            out,
            "<li><a href=\"{href}\" download>{name}</a> \
             <span class=\"hint\">{kind} ・ {size}</span></li>",
            href = html_escape(&super::attachment_path(file)),
            name = html_escape(&file.file_name),
            kind = file.kind.label(),
            size = size_text(file.size),
        );
    }
    out.push_str("</ul></section>");
    out
}

/// `bytes` as a person reads a file's size: `820 B`, `14 KB`, `2.3 MB`
/// (in units of 1024, as the limits and most file managers count).
fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes < KB {
        format!("{bytes} B")
    } else if bytes < KB * KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        let tenths = (bytes * 10).div_ceil(KB * KB);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}
