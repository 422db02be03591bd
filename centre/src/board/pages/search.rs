//! `GET /board/search?q=…`: the posts the reader may read that hold every
//! word asked for.

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::layout::{self, Place};
use super::{call_failure, html, viewer};
use crate::board::call::on_board;
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::Shared;

/// What the search form sends.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(super) struct SearchQuery {
    q: String,
}

pub(super) async fn page(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let words = query.q.trim().to_owned();
    let results = if words.is_empty() {
        String::new()
    } else {
        let reader = viewer(&signed);
        let asked = words.clone();
        let found = on_board(&centre, move |board| {
            let posts = board.search(&reader, &asked)?;
            let ids: Vec<_> = posts.iter().map(|p| p.id).collect();
            let unread = board.unread_among(&reader, &ids)?;
            Ok((posts, unread))
        })
        .await;
        match found {
            Ok((posts, unread)) => format!(
                "<h2 id=\"results\">「{q}」の検索結果（{n}件） <small lang=\"en\">Results</small></h2>{more}{list}",
                more = if posts.len() >= crate::board::store::SEARCH_LIMIT as usize {
                    "<p class=\"hint\">新しい順に100件まで表示しています。言葉を足すと絞り込めます。 \
                     <span lang=\"en\">The newest 100 are shown; add words to narrow the search.</span></p>"
                } else {
                    ""
                },
                q = html_escape(&words),
                n = posts.len(),
                list = layout::post_list(
                    &posts,
                    &unread,
                    "見つかりませんでした。 <span class=\"en\" lang=\"en\">Nothing found.</span>"
                ),
            ),
            Err(e) => return call_failure(&signed, e),
        }
    };
    let content = format!(
        "<form class=\"filter\" method=\"get\" action=\"/board/search\" role=\"search\">\
         <p><label for=\"q\">検索する言葉</label> <span class=\"en\" lang=\"en\">Words to find</span><br>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\" aria-describedby=\"q-hint\"></p>\
         <p><button type=\"submit\">検索 <span lang=\"en\">Search</span></button></p></form>\
         <p class=\"hint\" id=\"q-hint\">件名と本文から探します。空白で区切ると、すべての言葉を含む投稿を探します。\
         <span class=\"en\" lang=\"en\">Searches titles and bodies; words split by spaces must all appear.</span></p>{results}",
        q = html_escape(&words),
    );
    html(
        StatusCode::OK,
        layout::page(&signed, Place::Search, ("検索", "Search"), true, &content),
    )
}
