//! What every board page shares: the frame (the site's name, the
//! navigation, who is logged in, a link past the navigation to the page's
//! content), the look ([`STYLE`]), times in Japan's time, and a post's
//! line in a list.

use std::collections::HashSet;
use std::fmt::Write;

use time::UtcOffset;
use tsunagi_core::rfc3339::Timestamp;

use crate::board::{Post, PostId, Visibility};
use crate::figures::html_escape;
use crate::pages::{SignedIn, account_bar};

/// Where the board's pages show times: Japan (UTC+9, no daylight saving).
const JAPAN: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// `at` as the board shows it: `2026-12-07 10:05` in Japan's time.
pub(super) fn when(at: Timestamp) -> String {
    let t = at.to_offset(JAPAN);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The `datetime` attribute of a `<time>` for `at`.
fn machine_time(at: Timestamp) -> String {
    html_escape(&at.to_string())
}

/// The board's pages, for the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// 投稿一覧 `/board`.
    Posts,
    /// 新規投稿 `/board/new`.
    Compose,
    /// 検索 `/board/search`.
    Search,
    /// 集計 `/board/stats`.
    Stats,
    /// 通報の確認 `/board/reports` (administrators).
    Reports,
    /// 監査ログ `/board/audit` (administrators).
    Audit,
    /// A page that is none of these (a post).
    Elsewhere,
}

/// The navigation's links: address, Japanese, English, place.
const LINKS: [(&str, &str, &str, Place); 4] = [
    ("/board", "投稿一覧", "Posts", Place::Posts),
    ("/board/new", "新規投稿", "New post", Place::Compose),
    ("/board/search", "検索", "Search", Place::Search),
    ("/board/stats", "集計", "Statistics", Place::Stats),
];

/// The administrators' links, after [`LINKS`].
const ADMIN_LINKS: [(&str, &str, &str, Place); 2] = [
    ("/board/reports", "通報の確認", "Reports", Place::Reports),
    ("/board/audit", "監査ログ", "Audit log", Place::Audit),
];

/// A whole page: `title` (Japanese, English) in `<title>` and as the `<h1>`
/// when `heading` is true, the frame, and `content` (HTML) in `<main>`.
pub(super) fn page(
    signed: &SignedIn,
    place: Place,
    (title_ja, title_en): (&str, &str),
    heading: bool,
    content: &str,
) -> String {
    let is_admin = *crate::board::Viewer::of(signed.account.login.clone(), &signed.account.role)
        .standing()
        == crate::board::Standing::Admin;
    let links = LINKS
        .iter()
        .chain(if is_admin { &ADMIN_LINKS[..] } else { &[] });
    let mut nav = String::new();
    for &(href, ja, en, at) in links {
        let current = if at == place {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(
            nav,
            "<li><a href=\"{href}\"{current}>{ja} <span class=\"en\" lang=\"en\">{en}</span></a></li>"
        );
    }
    let _ = write!(
        nav,
        "<li><a href=\"/\">研究集計 <span class=\"en\" lang=\"en\">Research figures</span></a></li>"
    );
    let h1 = if heading {
        format!(
            "<h1>{} <small lang=\"en\">{}</small></h1>",
            html_escape(title_ja),
            html_escape(title_en)
        )
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — つなぎ 関係者掲示板</title>\
         <link rel=\"stylesheet\" href=\"/board/style.css\"></head><body>\
         <a class=\"skip\" href=\"#main\">本文へ移動 <span lang=\"en\">Skip to content</span></a>\
         <header class=\"site\">{bar}\
         <p class=\"site-name\">つなぎ 関係者掲示板 <span class=\"en\" lang=\"en\">Tsunagi stakeholder board</span></p>\
         <nav aria-label=\"掲示板のメニュー Board menu\"><ul>{nav}</ul></nav></header>\
         <main id=\"main\" tabindex=\"-1\">{h1}{content}</main></body></html>\n",
        title = html_escape(title_ja),
        bar = account_bar(signed),
    )
}

/// Who wrote something: the login name and the agency, or the centre.
pub(super) fn author(login: &str, agency: Option<&str>) -> String {
    match agency {
        Some(agency) => format!("{}（{}）", html_escape(login), html_escape(agency)),
        None => format!(
            "{}（研究センター <span lang=\"en\">centre</span>）",
            html_escape(login)
        ),
    }
}

/// Who may read a post, in words.
pub(super) fn visibility(v: &Visibility) -> String {
    let mut text = format!(
        "{} <span class=\"en\" lang=\"en\">{}</span>",
        v.label_ja(),
        v.label_en()
    );
    if let Visibility::Agencies(names) = v {
        let names: Vec<String> = names.iter().map(|n| html_escape(n)).collect();
        let _ = write!(text, "：{}", names.join("、"));
    }
    text
}

/// The line under a post's title: category, kind, who may read it, who
/// wrote it and when.
pub(super) fn post_meta(post: &Post) -> String {
    let edited = if post.updated_at == post.created_at {
        String::new()
    } else {
        format!(
            " ・ 編集 <span lang=\"en\">edited</span> <time datetime=\"{}\">{}</time>",
            machine_time(post.updated_at),
            when(post.updated_at)
        )
    };
    format!(
        "<p class=\"meta\"><span class=\"tag\">{category}</span> <span class=\"tag kind\">{kind}</span> \
         ・ 公開範囲 <span lang=\"en\">visible to</span>：{visibility}<br>\
         {author} ・ <time datetime=\"{at}\">{when}</time>{edited}</p>",
        category = html_escape(post.category.label_ja()),
        kind = post.kind.label_ja(),
        visibility = visibility(&post.visibility),
        author = author(post.author.as_str(), post.author_agency.as_deref()),
        at = machine_time(post.created_at),
        when = when(post.created_at),
    )
}

/// `posts` as a list of links, those in `unread` marked 未読, or `empty`
/// (HTML) when there are none.
pub(super) fn post_list(posts: &[Post], unread: &HashSet<PostId>, empty: &str) -> String {
    if posts.is_empty() {
        return format!("<p class=\"empty\">{empty}</p>");
    }
    let mut out = String::from("<ol class=\"posts\">");
    for post in posts {
        let new = if unread.contains(&post.id) {
            "<span class=\"new\">未読 <span lang=\"en\">new</span></span>"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<li><article><h2><a href=\"/board/posts/{id}\">{title}</a>{new}</h2>{meta}</article></li>",
            id = post.id.0,
            title = html_escape(&post.title),
            meta = post_meta(post),
        );
    }
    out.push_str("</ol>");
    out
}

/// The board's look on top of the centre's ([`crate::figures::STYLE`]):
/// served as `/board/style.css`, so that the pages need no inline style
/// and the Content-Security-Policy can forbid it.
pub(super) const STYLE: &str = "\
.skip{position:absolute;left:-10000px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.4rem .8rem;border:2px solid #1f4e6b;z-index:1}\
header.site{border-bottom:3px solid #2a6f97;margin-bottom:1.2rem;padding-bottom:.4rem}\
header.site form.account{float:none;margin:0 0 .4rem}\
.site-name{font-weight:700;font-size:1.15rem;margin:.2rem 0}\
nav ul{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}\
nav a{display:inline-block;padding:.3rem 0;text-decoration:none;border-bottom:3px solid transparent}\
nav a[aria-current=page]{border-bottom-color:#2a6f97;font-weight:700;color:#1d2733}\
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,main:focus-visible{outline:3px solid #b35c00;outline-offset:2px}\
h1{border-bottom:none;padding-bottom:0}\
ol.posts{list-style:none;padding:0}ol.posts li{border-bottom:1px solid #c9d3dd;padding:.6rem 0}\
ol.posts h2{font-size:1.1rem;margin:0 0 .2rem}\
.tag{display:inline-block;border:1px solid #2a6f97;border-radius:3px;padding:0 .4rem;font-size:.85rem;color:#1f4e6b}\
.tag.kind{border-style:dashed}.new{display:inline-block;background:#9b1c1c;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8rem;margin-left:.4rem}\
.body{border-left:4px solid #c9d3dd;padding:.2rem 1rem;margin:1rem 0}.body pre{overflow:auto;background:#f4f6f8;padding:.5rem}\
section.comments article{border-top:1px solid #c9d3dd;padding:.4rem 0}\
textarea{font:inherit;width:100%;max-width:48rem;min-height:12rem;padding:.4rem .5rem;border:1px solid #8a9aab;border-radius:4px;box-sizing:border-box}\
select{font:inherit;padding:.3rem .4rem;border:1px solid #8a9aab;border-radius:4px}\
fieldset{border:1px solid #c9d3dd;border-radius:4px;margin:1rem 0;max-width:48rem}legend{font-weight:700;padding:0 .3rem}\
fieldset label{font-weight:400}input[type=checkbox],input[type=radio]{width:auto;margin-right:.3rem}.choices p{margin:.3rem 0}\
input[type=search]{width:28rem}.hint{color:#4a5866;font-size:.9rem;margin:.2rem 0}\
button.danger{background:#fff;color:#9b1c1c;border-color:#9b1c1c}.actions{margin:1rem 0}\
details summary{cursor:pointer;color:#2a6f97}section.report{border:1px solid #c9d3dd;border-radius:4px;padding:.2rem 1rem;margin:1rem 0}\
.found{color:#5c3900;background:#fff7e6;border-left:4px solid #b35c00;padding:.4rem .7rem;margin:1rem 0}.found p{margin:.3rem 0}\
section.report h2{margin-top:.8rem}\
form.filter{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:end;margin:1rem 0}form.filter p{margin:0}\
@media (max-width:700px){body{margin:1rem auto}form.account{float:none;text-align:left}input[type=search]{width:100%}}";
