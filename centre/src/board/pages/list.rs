//! `GET /board`: the posts the reader may read, newest first, narrowed by
//! category and kind.

use std::fmt::Write;

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::layout::{self, Place};
use super::{call_failure, html, viewer};
use crate::board::call::on_board;
use crate::board::{Category, CategoryCode, Kind, Post, PostFilter, PostId};
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::Shared;

/// The most posts a list shows.
pub(super) const LIST_LIMIT: u32 = 100;

/// What the list may be narrowed by; an unknown code narrows nothing.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(super) struct ListQuery {
    category: String,
    kind: String,
    /// `1`: only the posts the reader has not read.
    unread: String,
    /// Only posts numbered below this one: the next page.
    before: String,
}

pub(super) async fn page(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let filter = PostFilter {
        category: CategoryCode::parse(&query.category).ok(),
        kind: Kind::from_code(&query.kind),
        limit: Some(LIST_LIMIT),
        before: query.before.parse().ok().map(PostId),
        unread_only: query.unread == "1",
    };
    let reader = viewer(&signed);
    let asked = filter.clone();
    let listed = on_board(&centre, move |board| {
        let posts = board.list_posts(&reader, &asked)?;
        let ids: Vec<_> = posts.iter().map(|p| p.id).collect();
        let unread = board.unread_among(&reader, &ids)?;
        Ok((posts, unread, board.categories()?))
    })
    .await;
    let (posts, unread, categories) = match listed {
        Ok(listed) => listed,
        Err(e) => return call_failure(&signed, e),
    };
    let mut content = filter_form(&filter, &categories);
    let _ = write!(
        content,
        "<p class=\"meta\" role=\"status\">{shown}件を表示 ・ うち未読 {unread}件 \
         <span class=\"en\" lang=\"en\">{shown} shown, {unread} unread</span></p>",
        shown = posts.len(),
        unread = unread.len(),
    );
    content.push_str(&layout::post_list(
        &posts,
        &unread,
        "該当する投稿はありません。 <span class=\"en\" lang=\"en\">No posts here.</span>",
    ));
    content.push_str(&pager(&filter, &posts));
    html(
        StatusCode::OK,
        layout::page(&signed, Place::Posts, ("投稿一覧", "Posts"), true, &content),
    )
}

/// Links to the newest posts and, when the list is full, to the ones
/// before its last, narrowed as the list is.
fn pager(filter: &PostFilter, posts: &[Post]) -> String {
    let mut narrowed = String::new();
    if let Some(category) = &filter.category {
        let _ = write!(narrowed, "&amp;category={category}");
    }
    if let Some(kind) = filter.kind {
        let _ = write!(narrowed, "&amp;kind={}", kind.code());
    }
    if filter.unread_only {
        narrowed.push_str("&amp;unread=1");
    }
    let mut links = Vec::new();
    if filter.before.is_some() {
        links.push(format!(
            "<a href=\"/board?{}\">最新の投稿へ <span lang=\"en\">Newest posts</span></a>",
            narrowed.trim_start_matches("&amp;")
        ));
    }
    if posts.len() == LIST_LIMIT as usize
        && let Some(last) = posts.last()
    {
        links.push(format!(
            "<a href=\"/board?before={}{narrowed}\" rel=\"next\">さらに前の投稿 <span lang=\"en\">Older posts</span></a>",
            last.id.0
        ));
    }
    if links.is_empty() {
        return String::new();
    }
    format!(
        "<nav class=\"pager\" aria-label=\"ページ送り Pages\"><p>{}</p></nav>",
        links.join(" ・ ")
    )
}

/// The form that narrows the list, showing what it is narrowed by now.
fn filter_form(filter: &PostFilter, categories: &[Category]) -> String {
    let mut category_options = String::from("<option value=\"\">すべて All</option>");
    for c in categories {
        let selected = if filter.category.as_ref() == Some(c.code()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            category_options,
            "<option value=\"{}\"{selected}>{}</option>",
            c.code(),
            html_escape(c.label_ja())
        );
    }
    let mut kinds = String::from("<option value=\"\">すべて All</option>");
    for k in Kind::ALL {
        let selected = if filter.kind == Some(k) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            kinds,
            "<option value=\"{}\"{selected}>{}</option>",
            k.code(),
            k.label_ja()
        );
    }
    format!(
        "<form class=\"filter\" method=\"get\" action=\"/board\">\
         <p><label for=\"category\">カテゴリ</label> <span class=\"en\" lang=\"en\">Category</span><br>\
         <select id=\"category\" name=\"category\">{category_options}</select></p>\
         <p><label for=\"kind\">種別</label> <span class=\"en\" lang=\"en\">Kind</span><br>\
         <select id=\"kind\" name=\"kind\">{kinds}</select></p>\
         <p><input type=\"checkbox\" id=\"unread\" name=\"unread\" value=\"1\"{unread}> \
         <label for=\"unread\">未読のみ</label> <span class=\"en\" lang=\"en\">Unread only</span></p>\
         <p><button type=\"submit\">絞り込む <span lang=\"en\">Filter</span></button></p></form>",
        unread = if filter.unread_only { " checked" } else { "" },
    )
}
