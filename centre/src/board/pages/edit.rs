//! `GET /board/posts/{id}/edit`: the form to change a post's title, body
//! and who may read it, for its author; `POST` to the same address saves
//! it (the earlier title and body go to the post's history, a change of
//! visibility to the audit log) and goes back to the post.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::layout::{self, Place};
use super::{Fields, alert, bad_csrf, call_failure, html, no_such_post, scope, viewer};
use crate::board::call::{CallError, on_board};
use crate::board::model::{MAX_BODY_CHARS, MAX_TITLE_CHARS};
use crate::board::{BoardError, Post, PostId, Visibility};
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::Shared;

/// What the form holds, as written.
struct Draft {
    title: String,
    body: String,
    visibility: String,
    agencies: Vec<String>,
}

impl Draft {
    fn of(post: &Post) -> Self {
        let agencies = match &post.visibility {
            Visibility::Agencies(names) => names.clone(),
            _ => Vec::new(),
        };
        Self {
            title: post.title.clone(),
            body: post.body.clone(),
            visibility: post.visibility.code().to_owned(),
            agencies,
        }
    }
}

/// The post `id` if the signed-in reader wrote it.
async fn own_post(centre: &Shared, signed: &SignedIn, id: PostId) -> Result<Post, CallError> {
    let reader = viewer(signed);
    let post = on_board(centre, move |board| {
        board.get_post(&reader, id)?.ok_or(BoardError::NoSuchPost)
    })
    .await?;
    if post.deleted {
        return Err(CallError::Board(BoardError::NoSuchPost));
    }
    if post.author != signed.account.login {
        return Err(CallError::Board(BoardError::NotAuthor));
    }
    Ok(post)
}

pub(super) async fn form(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = id.parse().ok().map(PostId) else {
        return no_such_post(&signed);
    };
    let post = match own_post(&centre, &signed, id).await {
        Ok(post) => post,
        Err(e) => return call_failure(&signed, e),
    };
    let agencies = match scope::other_agencies(&centre, &signed).await {
        Ok(agencies) => agencies,
        Err(response) => return response,
    };
    html(
        StatusCode::OK,
        render(&signed, id, &Draft::of(&post), &agencies, None),
    )
}

pub(super) async fn submit(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if !signed.csrf_matches(fields.get("csrf")) {
        return bad_csrf();
    }
    let Some(id) = id.parse().ok().map(PostId) else {
        return no_such_post(&signed);
    };
    let post = match own_post(&centre, &signed, id).await {
        Ok(post) => post,
        Err(e) => return call_failure(&signed, e),
    };
    let draft = Draft {
        title: fields.get("title").to_owned(),
        body: fields.get("body").to_owned(),
        visibility: fields.get("visibility").to_owned(),
        agencies: fields.all("agency"),
    };
    let refused = |error: String| async {
        match scope::other_agencies(&centre, &signed).await {
            Ok(agencies) => html(
                StatusCode::BAD_REQUEST,
                render(&signed, id, &draft, &agencies, Some(error)),
            ),
            Err(response) => response,
        }
    };
    let visibility = match scope::read(&draft.visibility, &draft.agencies) {
        Ok(visibility) => visibility,
        Err((ja, en)) => return refused(alert(ja, en)).await,
    };
    if fields.get("not_personal") != "1"
        && let Some(notice) =
            super::personal_notice(&[("title", &draft.title), ("body", &draft.body)])
    {
        return refused(notice).await;
    }
    let editor = viewer(&signed);
    let (title, text) = (draft.title.clone(), draft.body.clone());
    let saved = on_board(&centre, move |board| {
        if title != post.title || text != post.body {
            board.edit_post(&editor, id, &title, &text)?;
        }
        board.set_visibility(&editor, id, &visibility)
    })
    .await;
    match saved {
        Ok(()) => Redirect::to(&format!("/board/posts/{}", id.0)).into_response(),
        Err(CallError::Board(
            e @ (BoardError::EmptyTitle
            | BoardError::TitleTooLong
            | BoardError::EmptyBody
            | BoardError::BodyTooLong
            | BoardError::NoAgencyChosen
            | BoardError::CentreHasNoAgency),
        )) => {
            let (ja, en) = super::split_message(&e);
            refused(alert(&ja, &en)).await
        }
        Err(e) => call_failure(&signed, e),
    }
}

/// The form with `draft` in it and `error` (HTML) inside it, at its top.
fn render(
    signed: &SignedIn,
    id: PostId,
    draft: &Draft,
    agencies: &[String],
    error: Option<String>,
) -> String {
    let content = format!(
        "<form method=\"post\" action=\"/board/posts/{id}/edit\">{error}\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <p><label for=\"title\">件名</label> <span class=\"en\" lang=\"en\">Title</span><br>\
         <input id=\"title\" name=\"title\" required maxlength=\"{MAX_TITLE_CHARS}\" value=\"{title}\"></p>\
         <p><label for=\"body\">本文</label> <span class=\"en\" lang=\"en\">Body</span></p>\
         <p class=\"hint\" id=\"body-hint\">変更前の件名と本文は編集履歴に残ります。 \
         <span class=\"en\" lang=\"en\">The title and body before the change stay in the post's history.</span></p>\
         <p><textarea id=\"body\" name=\"body\" required maxlength=\"{MAX_BODY_CHARS}\" \
         aria-describedby=\"body-hint\">{body}</textarea></p>{scopes}\
         <p><button type=\"submit\">保存する <span lang=\"en\">Save</span></button> \
         <a href=\"/board/posts/{id}\">やめる <span lang=\"en\">Cancel</span></a></p></form>",
        id = id.0,
        error = error.unwrap_or_default(),
        csrf = html_escape(&signed.csrf),
        title = html_escape(&draft.title),
        body = html_escape(&draft.body),
        scopes = scope::fieldsets(signed, &draft.visibility, &draft.agencies, agencies),
    );
    layout::page(
        signed,
        Place::Elsewhere,
        ("投稿の編集", "Edit the post"),
        true,
        &content,
    )
}
