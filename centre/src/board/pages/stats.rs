//! `GET /board/stats`: the board's statistics (投稿の集計) as tables, as
//! in the model project's analysis: posts and comments by category, by
//! kind, by month, by poster type, per agency (the centre's staff only) and
//! per person, each with its share; counted over what the reader may
//! read. The CSV is `/api/stats.csv` ([`crate::board::stats::to_csv`]).

use std::fmt::Write;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::layout::{self, Place};
use super::{call_failure, html, viewer};
use crate::board::call::on_board;
use crate::board::stats::{BoardStats, Tally};
use crate::figures::html_escape;
use crate::pages::SignedIn;
use crate::server::Shared;

pub(super) async fn page(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
) -> Response {
    let reader = viewer(&signed);
    let stats = match on_board(&centre, move |board| board.stats(&reader, None)).await {
        Ok(stats) => stats,
        Err(e) => return call_failure(&signed, e),
    };
    html(
        StatusCode::OK,
        layout::page(
            &signed,
            Place::Stats,
            ("投稿の集計", "Statistics"),
            true,
            &render(&stats),
        ),
    )
}

/// The page's content.
fn render(stats: &BoardStats) -> String {
    let mut out = format!(
        "<p class=\"meta\">投稿 {posts}件 ・ コメント {comments}件（あなたが読める投稿とそのコメント。月は日本時間） \
         <a href=\"/api/stats.csv\">CSV</a><br><span class=\"en\" lang=\"en\">{posts} posts and {comments} comments \
         that you may read; months in Japan time.</span></p>",
        posts = stats.posts,
        comments = stats.comments,
    );
    table(
        &mut out,
        ("カテゴリ別", "By category"),
        stats
            .by_category
            .iter()
            .map(|t| (t.key.label_ja().to_owned(), t)),
    );
    table(
        &mut out,
        ("種別", "By kind"),
        stats
            .by_kind
            .iter()
            .map(|t| (t.key.label_ja().to_owned(), t)),
    );
    table(
        &mut out,
        ("投稿者の種類", "By poster"),
        stats
            .by_poster
            .iter()
            .map(|t| (t.key.label_ja().to_owned(), t)),
    );
    table(
        &mut out,
        ("月別", "By month"),
        stats.by_month.iter().map(|t| (t.key.to_string(), t)),
    );
    if let Some(agencies) = &stats.by_agency {
        table(
            &mut out,
            ("機関別（センターのみ）", "By agency (centre only)"),
            agencies.iter().map(|t| (t.key.clone(), t)),
        );
    }
    table(
        &mut out,
        ("投稿者別", "By person"),
        stats
            .by_person
            .iter()
            .map(|t| (t.key.as_str().to_owned(), t)),
    );
    out
}

/// One table: a heading, then a row per tally with counts and shares.
fn table<'t, K: 't>(
    out: &mut String,
    (ja, en): (&str, &str),
    rows: impl Iterator<Item = (String, &'t Tally<K>)>,
) {
    let _ = write!(
        out,
        "<h2>{ja} <small lang=\"en\">{en}</small></h2><table><thead><tr><th scope=\"col\">項目</th>\
         <th scope=\"col\">投稿</th><th scope=\"col\">割合</th><th scope=\"col\">コメント</th>\
         <th scope=\"col\">割合</th></tr></thead><tbody>"
    );
    for (label, t) in rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{label}</th><td class=\"n\">{posts}</td><td class=\"n\">{pp:.1}%</td>\
             <td class=\"n\">{comments}</td><td class=\"n\">{cp:.1}%</td></tr>",
            label = html_escape(&label),
            posts = t.posts,
            pp = t.posts_percent,
            comments = t.comments,
            cp = t.comments_percent,
        );
    }
    out.push_str("</tbody></table>");
}
