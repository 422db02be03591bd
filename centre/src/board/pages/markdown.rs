//! Post and comment bodies as HTML: a safe subset of Markdown.
//!
//! Bodies are written in Markdown (CommonMark with tables and
//! strikethrough, read by `pulldown-cmark`). Whatever HTML a writer puts
//! in is shown as text, never passed through; images are shown as their
//! description and address, never loaded (a post cannot make a reader's
//! browser fetch anything). The HTML made is then cleaned by `ammonia`
//! down to [`TAGS`], with links only to `http`, `https` and `mailto`
//! addresses, each marked `rel="noopener noreferrer nofollow"`: a second
//! line of defence should the first let anything through.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The elements a rendered body may hold.
pub(super) const TAGS: &[&str] = &[
    "p",
    "br",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// The cleaner, built once.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect::<HashSet<_>>())
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    builder
});

/// `markdown` as clean HTML (see the module's docs). Headings are moved
/// down to `<h3>` and below, so that a body never outranks the page's own
/// `<h1>` and `<h2>`.
pub(super) fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut image_url = Vec::new();
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML is the writer's text, not markup.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        // An image becomes its description and address, as text.
        Event::Start(Tag::Image { dest_url, .. }) => {
            image_url.push(dest_url);
            Event::Text("［画像 image: ".into())
        }
        Event::End(TagEnd::Image) => {
            let url = image_url.pop().map(|u| u.to_string()).unwrap_or_default();
            Event::Text(format!(" <{url}>］").into())
        }
        Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
            level: lower(level),
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    CLEANER.clean(&html).to_string()
}

/// A heading level moved down by two, to `<h3>` at most.
fn lower(level: pulldown_cmark::HeadingLevel) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    match level {
        H1 => H3,
        H2 => H4,
        H3 => H5,
        _ => H6,
    }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_becomes_the_usual_html() {
        let html = to_html(
            "# 見出し\n\n**太字**と*斜体*\n\n- 一\n- 二\n\n[研究センター](https://example.jp/)",
        );
        assert!(html.contains("<h3>見出し</h3>"), "{html}");
        assert!(html.contains("<strong>太字</strong>"), "{html}");
        assert!(html.contains("<em>斜体</em>"), "{html}");
        assert!(html.contains("<li>一</li>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://example.jp/\" rel=\"noopener noreferrer nofollow\">研究センター</a>"
            ),
            "{html}"
        );
    }

    #[test]
    fn html_in_a_body_is_shown_as_text() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "text <b onclick=\"alert(1)\">bold</b>",
        ] {
            let html = to_html(attack);
            assert!(!html.contains("<script"), "{attack} → {html}");
            assert!(!html.contains("<img"), "{attack} → {html}");
            assert!(!html.contains("<iframe"), "{attack} → {html}");
            assert!(!html.contains("<b "), "{attack} → {html}");
            assert!(!html.contains("<a href=\"javascript"), "{attack} → {html}");
            assert!(html.contains("&lt;"), "shown as text: {attack} → {html}");
        }
    }

    #[test]
    fn links_go_only_to_web_and_mail_addresses() {
        let html =
            to_html("[a](javascript:alert(1)) [b](data:text/html,x) [c](mailto:a@example.jp)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"mailto:a@example.jp\""), "{html}");
    }

    #[test]
    fn images_are_never_loaded() {
        let html = to_html("![図](https://evil.example/track.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("https://evil.example/track.png"), "{html}");
    }
}
