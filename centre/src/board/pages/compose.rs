//! `GET /board/new`: the form to write a post; `POST /board/posts` stores
//! it and goes to it, or shows the form again with what was written and
//! what to fix.
//!
//! The form is `multipart/form-data`, with up to
//! [`MAX_FILES_PER_POST`] files ([`crate::board::attachments`]); a form
//! without files may also come `application/x-www-form-urlencoded`. The
//! post and its files are stored together: if a file is refused, nothing
//! is stored and the form comes back with the text as written, but the
//! files must be chosen again (a browser cannot be given them back).

use std::fmt::Write;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::layout::{self, Place};
use super::{Fields, MAX_PAGE_FORM, alert, bad_csrf, call_failure, html, scope, viewer};
use crate::board::attachments::{
    self, MAX_FILE_BYTES, MAX_FILES_PER_POST, NewAttachment, PreparedAttachment,
};
use crate::board::call::{CallError, on_board};
use crate::board::model::{MAX_BODY_CHARS, MAX_TITLE_CHARS};
use crate::board::{BoardError, Category, CategoryCode, Kind, NewPost};
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::Shared;

/// What the form holds, as written (so that a refused post is shown again
/// as it was).
#[derive(Default)]
struct Draft {
    category: String,
    kind: String,
    title: String,
    body: String,
    visibility: String,
    agencies: Vec<String>,
}

impl Draft {
    fn from_fields(fields: &Fields) -> Self {
        Self {
            category: fields.get("category").to_owned(),
            kind: fields.get("kind").to_owned(),
            title: fields.get("title").to_owned(),
            body: fields.get("body").to_owned(),
            visibility: fields.get("visibility").to_owned(),
            agencies: fields.all("agency"),
        }
    }

    /// The post this draft makes, or what is missing (Japanese, English).
    fn to_post(&self) -> Result<NewPost, (&'static str, &'static str)> {
        let category = CategoryCode::parse(&self.category)
            .map_err(|_| ("カテゴリを選んでください。", "Please choose a category."))?;
        let kind = Kind::from_code(&self.kind)
            .ok_or(("種別を選んでください。", "Please choose a kind."))?;
        let visibility = scope::read(&self.visibility, &self.agencies)?;
        Ok(NewPost {
            category,
            kind,
            title: self.title.clone(),
            body: self.body.clone(),
            visibility,
        })
    }
}

pub(super) async fn form(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
) -> Response {
    let choices = match Choices::read(&centre, &signed).await {
        Ok(choices) => choices,
        Err(response) => return response,
    };
    let draft = Draft {
        visibility: "all".into(),
        ..Draft::default()
    };
    html(StatusCode::OK, render(&signed, &draft, &choices, None))
}

pub(super) async fn submit(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    request: Request,
) -> Response {
    let Sent {
        fields,
        files,
        problem,
    } = match read_form(&signed, request).await {
        Ok(sent) => sent,
        Err(response) => return response,
    };
    let files_chosen = !files.is_empty() || problem.is_some();
    let draft = Draft::from_fields(&fields);
    let refused = |status: StatusCode, mut error: String| {
        let (centre, signed, draft) = (&centre, &signed, &draft);
        async move {
            if files_chosen {
                error.push_str(&alert(
                    "添付ファイルは保存されていません。もう一度選んでください。",
                    "The files were not kept: please choose them again.",
                ));
            }
            match Choices::read(centre, signed).await {
                Ok(choices) => html(status, render(signed, draft, &choices, Some(error))),
                Err(response) => response,
            }
        }
    };
    let post = match draft.to_post() {
        Ok(post) => post,
        Err((ja, en)) => return refused(StatusCode::BAD_REQUEST, alert(ja, en)).await,
    };
    if let Some((name, e)) = problem {
        return refused(file_status(&e), file_alert(name.as_deref(), &e)).await;
    }
    if fields.get("not_personal") != "1"
        && let Some(notice) =
            super::personal_notice(&[("title", &draft.title), ("body", &draft.body)])
    {
        return refused(StatusCode::BAD_REQUEST, notice).await;
    }
    let prepared = match prepare_all(files).await {
        Ok(prepared) => prepared,
        Err(Some((name, e))) => {
            return refused(file_status(&e), file_alert(Some(&name), &e)).await;
        }
        Err(None) => return call_failure(&signed, CallError::Internal),
    };
    let writer = viewer(&signed);
    match on_board(&centre, move |board| {
        board.create_post_with_attachments(&writer, &post, prepared)
    })
    .await
    {
        Ok(id) => Redirect::to(&format!("/board/posts/{}", id.0)).into_response(),
        Err(CallError::Board(
            e @ (BoardError::EmptyTitle
            | BoardError::TitleTooLong
            | BoardError::EmptyBody
            | BoardError::BodyTooLong
            | BoardError::NoAgencyChosen
            | BoardError::CentreHasNoAgency
            | BoardError::NoSuchCategory
            | BoardError::TooManyFiles),
        )) => {
            let (ja, en) = super::split_message(&e);
            refused(file_status(&e), alert(&ja, &en)).await
        }
        Err(e) => call_failure(&signed, e),
    }
}

/// What the new-post form sent.
struct Sent {
    /// Its text fields.
    fields: Fields,
    /// The files chosen, as sent, at most [`MAX_FILES_PER_POST`].
    files: Vec<NewAttachment>,
    /// What was wrong with the files as they arrived (a file too large,
    /// too many of them), with the file's name as sent when it is about
    /// one file. The files are then not kept.
    problem: Option<(Option<String>, BoardError)>,
}

/// Reads the form: `application/x-www-form-urlencoded` (a form without
/// files) or `multipart/form-data` (the page's form). The CSRF token is
/// checked before any file is read: it must come before the files, as
/// the page's form puts it (403 otherwise, and nothing is kept). Text
/// fields take at most [`MAX_PAGE_FORM`] together, a file at most
/// [`MAX_FILE_BYTES`] (the rest of it is read and dropped, so that the
/// browser gets the page that says so).
async fn read_form(signed: &SignedIn, request: Request) -> Result<Sent, Response> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.trim()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_multipart {
        let body = Bytes::from_request(request, &())
            .await
            .map_err(IntoResponse::into_response)?;
        if body.len() > MAX_PAGE_FORM {
            return Err(too_large());
        }
        let fields = Fields::parse(&body);
        if !signed.csrf_matches(fields.get("csrf")) {
            return Err(bad_csrf());
        }
        return Ok(Sent {
            fields,
            files: Vec::new(),
            problem: None,
        });
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(IntoResponse::into_response)?;
    let mut fields = Fields(Vec::new());
    let mut text_bytes = 0_usize;
    let mut files = Vec::new();
    let mut problem = None;
    let mut csrf_checked = false;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let Some(file_name) = field.file_name().map(str::to_owned) else {
            let text = field.text().await.map_err(unreadable)?;
            text_bytes += name.len() + text.len();
            if text_bytes > MAX_PAGE_FORM {
                return Err(too_large());
            }
            fields.0.push((name, text));
            continue;
        };
        if !csrf_checked {
            if !signed.csrf_matches(fields.get("csrf")) {
                return Err(bad_csrf());
            }
            csrf_checked = true;
        }
        let keep = name == "file" && problem.is_none();
        let mut data = Vec::new();
        let mut over = false;
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if !keep || over {
                continue;
            }
            if data.len() + chunk.len() > MAX_FILE_BYTES {
                over = true;
                data = Vec::new();
            } else {
                data.extend_from_slice(&chunk);
            }
        }
        if !keep || (file_name.is_empty() && data.is_empty() && !over) {
            // Another field's file, or the empty part a browser sends
            // when no file was chosen.
            continue;
        }
        if over {
            problem = Some((Some(file_name), BoardError::FileTooLarge));
            files.clear();
        } else if files.len() == MAX_FILES_PER_POST {
            problem = Some((None, BoardError::TooManyFiles));
            files.clear();
        } else {
            files.push(NewAttachment { file_name, data });
        }
    }
    if !signed.csrf_matches(fields.get("csrf")) {
        return Err(bad_csrf());
    }
    Ok(Sent {
        fields,
        files,
        problem,
    })
}

/// Checks and prepares `files` on a blocking thread (images are decoded
/// and encoded again): the first refusal with the name the file was sent
/// with, or `None` if the thread failed.
async fn prepare_all(
    files: Vec<NewAttachment>,
) -> Result<Vec<PreparedAttachment>, Option<(String, BoardError)>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|file| {
                let name = file.file_name.clone();
                attachments::prepare(file).map_err(|e| Some((name, e)))
            })
            .collect()
    })
    .await
    .map_err(|_| None)?
}

/// The status of a page that refuses a file: 413 for one too large, 400
/// otherwise.
fn file_status(e: &BoardError) -> StatusCode {
    match e {
        BoardError::FileTooLarge | BoardError::ImageTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// Why a file was refused, naming it as it was sent (its path and control
/// characters left out; escaped by [`alert`]).
fn file_alert(sent_name: Option<&str>, e: &BoardError) -> String {
    let (ja, en) = super::split_message(e);
    match sent_name {
        Some(sent) => {
            let name: String = sent
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(attachments::MAX_FILE_NAME_CHARS)
                .collect();
            alert(&format!("「{name}」：{ja}"), &format!("“{name}”: {en}"))
        }
        None => alert(&ja, &en),
    }
}

/// 400 or 413 for a multipart body that does not read.
fn unreadable(e: MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    crate::server::plain(
        StatusCode::BAD_REQUEST,
        "送られたフォームを読み取れませんでした。 The form sent could not be read.",
    )
}

/// 413 for a form larger than the board takes.
fn too_large() -> Response {
    crate::server::plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        "送られたフォームが大きすぎます（添付ファイルは5つまで、1つ5 MBまで）。 \
         The form is too large (at most 5 files of 5 MB each).",
    )
}

/// What the form offers to choose from.
struct Choices {
    /// The categories the board keeps, in its order.
    categories: Vec<Category>,
    /// The agencies a post may be shown to ([`scope::other_agencies`]).
    agencies: Vec<String>,
}

impl Choices {
    /// What the form offers `signed` now.
    async fn read(centre: &Shared, signed: &SignedIn) -> Result<Self, Response> {
        let agencies = scope::other_agencies(centre, signed).await?;
        let categories = on_board(centre, |board| board.categories())
            .await
            .map_err(|e| call_failure(signed, e))?;
        Ok(Self {
            categories,
            agencies,
        })
    }
}

/// `<option>`s for `choices` (code, Japanese, English), `current` selected.
fn options<'a>(
    choices: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
    current: &str,
) -> String {
    let mut out = String::from("<option value=\"\">選んでください Choose</option>");
    for (code, ja, en) in choices {
        let selected = if code == current { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{code}\"{selected}>{} ({})</option>",
            html_escape(ja),
            html_escape(en)
        );
    }
    out
}

/// The form with `draft` in it and `error` (HTML) above it.
fn render(signed: &SignedIn, draft: &Draft, choices: &Choices, error: Option<String>) -> String {
    let categories = options(
        choices
            .categories
            .iter()
            .map(|c| (c.code().as_str(), c.label_ja(), c.label_en())),
        &draft.category,
    );
    let kinds = options(
        Kind::ALL
            .into_iter()
            .map(|k| (k.code(), k.label_ja(), k.label_en())),
        &draft.kind,
    );
    let content = format!(
        "<form method=\"post\" action=\"/board/posts\" enctype=\"multipart/form-data\">{error}\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <p><label for=\"title\">件名</label> <span class=\"en\" lang=\"en\">Title</span><br>\
         <input id=\"title\" name=\"title\" required maxlength=\"{MAX_TITLE_CHARS}\" value=\"{title}\"></p>\
         <p><label for=\"category\">カテゴリ</label> <span class=\"en\" lang=\"en\">Category</span><br>\
         <select id=\"category\" name=\"category\" required>{categories}</select></p>\
         <p><label for=\"kind\">種別</label> <span class=\"en\" lang=\"en\">Kind</span><br>\
         <select id=\"kind\" name=\"kind\" required>{kinds}</select></p>\
         <p><label for=\"body\">本文</label> <span class=\"en\" lang=\"en\">Body</span></p>\
         <p class=\"hint\" id=\"body-hint\">個人が特定できる情報（氏名、連絡先、住所、生年月日、病名と名前など）は書かないでください。\
         Markdown（見出し、箇条書き、リンク、表）が使えます。\
         <span class=\"en\" lang=\"en\">Do not write anything that identifies a person. Markdown (headings, lists, links, tables) works.</span></p>\
         <p><textarea id=\"body\" name=\"body\" required maxlength=\"{MAX_BODY_CHARS}\" \
         aria-describedby=\"body-hint\">{body}</textarea></p>\
         <p><label for=\"file\">添付ファイル（任意）</label> <span class=\"en\" lang=\"en\">Files (optional)</span><br>\
         <input type=\"file\" id=\"file\" name=\"file\" multiple accept=\"application/pdf,image/png,image/jpeg\" \
         aria-describedby=\"file-hint\"></p>\
         <p class=\"hint\" id=\"file-hint\">PDF・PNG・JPEG を{MAX_FILES_PER_POST}つまで、1つ{max_mb} MBまで。\
         画像は位置情報（GPS）などのメタデータを除いて保存します。PDF の中のメタデータ（作成者など）は除かれません。\
         ファイルの中身に個人の情報がないか、ご自身で確かめてください。\
         <span class=\"en\" lang=\"en\">PDF, PNG or JPEG, up to {MAX_FILES_PER_POST} files of {max_mb} MB each. \
         Images are stored without their metadata (such as a GPS position); a PDF's own metadata (its author …) is kept. \
         Check yourself that the files hold no one's personal information.</span></p>\
{scopes}<p><button type=\"submit\">投稿する <span lang=\"en\">Post</span></button></p></form>",
        error = error.unwrap_or_default(),
        csrf = html_escape(&signed.csrf),
        title = html_escape(&draft.title),
        body = html_escape(&draft.body),
        max_mb = MAX_FILE_BYTES / (1024 * 1024),
        scopes = scope::fieldsets(
            signed,
            &draft.visibility,
            &draft.agencies,
            &choices.agencies
        ),
    );
    layout::page(
        signed,
        Place::Compose,
        ("新規投稿", "New post"),
        true,
        &content,
    )
}
