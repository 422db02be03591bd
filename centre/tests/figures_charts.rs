//! The charts of the figures: served as SVG images behind the same login
//! as the page and the CSV files, and shown on the page above each table.

mod common;

use axum::http::{StatusCode, header};
use common::site::{RESEARCHER, Site};
use common::{AGENCY, records};
use tsunagi_centre::figures::HIDDEN;
use tsunagi_centre::storage::Database;
use tsunagi_core::research::Batch;

const CHARTS: [&str; 3] = [
    "/figures/stages.svg",
    "/figures/outcomes.svg",
    "/figures/programmes.svg",
];

/// A site whose database holds the demo cases, `copies` times over.
fn site_with_records(copies: usize) -> Site {
    let site = Site::new();
    site.database()
        .store_batch(
            &site.fixture.agency,
            &Batch::new(AGENCY, records(copies)),
            tsunagi_core::rfc3339::Timestamp::now(),
        )
        .expect("stores the batch");
    site
}

#[tokio::test]
async fn a_chart_sends_a_visitor_without_a_session_to_the_login_page() {
    let site = site_with_records(2);
    let bogus = "__Host-tsunagi_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for path in CHARTS.iter().copied().chain(["/figures/nothing.svg"]) {
        for cookies in [&[][..], &[bogus][..]] {
            let answer = site.get(path, cookies).await;
            assert!(
                answer.redirects_to("/login"),
                "{path}: {} {:?}",
                answer.status,
                answer.location
            );
            assert!(!answer.body.contains("<svg"), "{path}: no chart");
        }
    }
}

#[tokio::test]
async fn a_logged_in_account_gets_each_chart_as_an_svg_image_with_small_counts_hidden() {
    let site = site_with_records(2);
    let token = site.login(RESEARCHER).await;
    for path in CHARTS {
        let answer = site.get(path, &[&token]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        assert_eq!(
            answer.content_type.as_deref(),
            Some("image/svg+xml"),
            "{path}"
        );
        assert_eq!(
            answer
                .headers
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{path}"
        );
        let doc = roxmltree::Document::parse(&answer.body).expect("well-formed SVG");
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{path}");
        assert!(!answer.body.contains("<script"), "{path}");
        // Two copies of the demo cases leave counts from 1 to 4 in every
        // table: each chart marks them hidden, and no text says 1 to 4
        // (the scale's numbers start at 0 and step by at least 2, so a
        // lone "1", "3" could only be a count).
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        assert!(texts.contains(&HIDDEN), "{path}: {texts:?}");
        for n in ["1", "3"] {
            assert!(!texts.contains(&n), "{path}: a count of {n} is written");
        }
    }
    let missing = site.get("/figures/nothing.svg", &[&token]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_figures_page_shows_each_chart_as_an_image_above_its_table() {
    let site = site_with_records(2);
    let token = site.login(RESEARCHER).await;
    let page = site.get("/", &[&token]).await;
    assert_eq!(page.status, StatusCode::OK);
    for slug in ["stages", "outcomes", "programmes"] {
        let section = page
            .body
            .split(&format!("<h2 id=\"{slug}\">"))
            .nth(1)
            .and_then(|s| s.split("<h2").next())
            .expect("the table's section");
        let img = section
            .split("<img ")
            .nth(1)
            .and_then(|s| s.split('>').next())
            .unwrap_or_else(|| panic!("{slug}: no chart in {section}"));
        assert!(
            img.contains(&format!("src=\"/figures/{slug}.svg\"")),
            "{img}"
        );
        assert!(img.contains("alt=\"横棒グラフ："), "a Japanese text: {img}");
        assert!(img.contains("Bar charts: "), "and an English one: {img}");
        assert!(
            section.find("<img ") < section.find("<table"),
            "{slug}: the chart is above its table"
        );
    }
    assert!(!page.body.contains("<svg"), "the charts are not inlined");
}
