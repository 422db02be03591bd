//! `GET /board/new`: the form to write a post; `POST /board/posts` stores
//! it and goes to it, or shows the form again with what was written and
//! what to fix.

use std::fmt::Write;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::layout::{self, Place};
use super::{Fields, alert, bad_csrf, call_failure, failure_page, html, viewer};
use crate::board::call::{CallError, on_board};
use crate::board::model::{MAX_BODY_CHARS, MAX_TITLE_CHARS};
use crate::board::{BoardError, Category, Kind, NewPost, Visibility};
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::{Shared, with_db};

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
        let category = Category::from_code(&self.category)
            .ok_or(("カテゴリを選んでください。", "Please choose a category."))?;
        let kind = Kind::from_code(&self.kind)
            .ok_or(("種別を選んでください。", "Please choose a kind."))?;
        let visibility = match self.visibility.as_str() {
            "centre" => Visibility::CentreOnly,
            "agency" => Visibility::MyAgency,
            "agencies" => Visibility::Agencies(self.agencies.clone()),
            "all" => Visibility::AllAgencies,
            _ => {
                return Err((
                    "公開範囲を選んでください。",
                    "Please choose who may read the post.",
                ));
            }
        };
        Ok(NewPost {
            category,
            kind,
            title: self.title.clone(),
            body: self.body.clone(),
            visibility,
        })
    }
}

/// The registered agencies' names other than the writer's own, for the
/// "chosen agencies" choice.
async fn other_agencies(centre: &Shared, signed: &SignedIn) -> Result<Vec<String>, Response> {
    let own = viewer(signed).agency().map(str::to_owned);
    let agencies = with_db(centre, |db| db.all_agencies())
        .await
        .map_err(failure_page)?;
    Ok(agencies
        .into_iter()
        .filter(|a| a.revoked_at.is_none() && Some(&a.name) != own.as_ref())
        .map(|a| a.name)
        .collect())
}

pub(super) async fn form(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
) -> Response {
    let agencies = match other_agencies(&centre, &signed).await {
        Ok(agencies) => agencies,
        Err(response) => return response,
    };
    let draft = Draft {
        visibility: "all".into(),
        ..Draft::default()
    };
    html(StatusCode::OK, render(&signed, &draft, &agencies, None))
}

pub(super) async fn submit(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if !signed.csrf_matches(fields.get("csrf")) {
        return bad_csrf();
    }
    let draft = Draft::from_fields(&fields);
    let refused = |error: String| async {
        match other_agencies(&centre, &signed).await {
            Ok(agencies) => html(
                StatusCode::BAD_REQUEST,
                render(&signed, &draft, &agencies, Some(error)),
            ),
            Err(response) => response,
        }
    };
    let post = match draft.to_post() {
        Ok(post) => post,
        Err((ja, en)) => return refused(alert(ja, en)).await,
    };
    if fields.get("not_personal") != "1"
        && let Some(notice) =
            super::personal_notice(&[("title", &draft.title), ("body", &draft.body)])
    {
        return refused(notice).await;
    }
    let writer = viewer(&signed);
    match on_board(&centre, move |board| board.create_post(&writer, &post)).await {
        Ok(id) => Redirect::to(&format!("/board/posts/{}", id.0)).into_response(),
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

/// `<option>`s for `choices` (code, Japanese, English), `current` selected.
fn options(
    choices: impl Iterator<Item = (&'static str, &'static str, &'static str)>,
    current: &str,
) -> String {
    let mut out = String::from("<option value=\"\">選んでください Choose</option>");
    for (code, ja, en) in choices {
        let selected = if code == current { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{code}\"{selected}>{ja} ({en})</option>"
        );
    }
    out
}

/// The form with `draft` in it and `error` (HTML) above it.
fn render(signed: &SignedIn, draft: &Draft, agencies: &[String], error: Option<String>) -> String {
    let is_centre = viewer(signed).is_centre();
    let categories = options(
        Category::ALL
            .into_iter()
            .map(|c| (c.code(), c.label_ja(), c.label_en())),
        &draft.category,
    );
    let kinds = options(
        Kind::ALL
            .into_iter()
            .map(|k| (k.code(), k.label_ja(), k.label_en())),
        &draft.kind,
    );
    let mut scopes = String::new();
    for v in [
        Visibility::CentreOnly,
        Visibility::MyAgency,
        Visibility::Agencies(Vec::new()),
        Visibility::AllAgencies,
    ] {
        if is_centre && v == Visibility::MyAgency {
            continue;
        }
        let checked = if v.code() == draft.visibility {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            scopes,
            "<p><input type=\"radio\" id=\"visibility-{code}\" name=\"visibility\" value=\"{code}\"{checked}> \
             <label for=\"visibility-{code}\">{ja} <span class=\"en\" lang=\"en\">{en}</span></label></p>",
            code = v.code(),
            ja = v.label_ja(),
            en = v.label_en(),
        );
    }
    let mut chosen = String::new();
    for (i, name) in agencies.iter().enumerate() {
        let checked = if draft.agencies.contains(name) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            chosen,
            "<p><input type=\"checkbox\" id=\"agency-{i}\" name=\"agency\" value=\"{name}\"{checked}> \
             <label for=\"agency-{i}\">{name}</label></p>",
            name = html_escape(name),
        );
    }
    if agencies.is_empty() {
        chosen.push_str("<p class=\"hint\">ほかに登録された機関はありません。 <span lang=\"en\">No other agency is registered.</span></p>");
    }
    let content = format!(
        "<form method=\"post\" action=\"/board/posts\">{error}\
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
         <fieldset class=\"choices\"><legend>公開範囲 <span class=\"en\" lang=\"en\">Who may read it</span></legend>\
         <p class=\"hint\">研究センターはどの投稿も読めます。 <span lang=\"en\">The centre reads every post.</span></p>{scopes}</fieldset>\
         <fieldset class=\"choices\"><legend>公開する機関（「指定した機関」のとき） \
         <span class=\"en\" lang=\"en\">Agencies (for “chosen agencies”)</span></legend>{chosen}</fieldset>\
         <p><button type=\"submit\">投稿する <span lang=\"en\">Post</span></button></p></form>",
        error = error.unwrap_or_default(),
        csrf = html_escape(&signed.csrf),
        title = html_escape(&draft.title),
        body = html_escape(&draft.body),
    );
    layout::page(
        signed,
        Place::Compose,
        ("新規投稿", "New post"),
        true,
        &content,
    )
}
