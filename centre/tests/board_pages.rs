//! The board's pages through the centre's real router, as a browser sends
//! forms: who reaches a post by list, address and search, the CSRF token
//! on every form, text shown as text, and the security headers.

mod common;

use axum::http::StatusCode;

use common::board::{
    AUTHOR, Browser, OUTSIDER, PARTNER, PARTNER_AGENCY, board_site as site, log_in,
};
use common::site::{Site, form};

/// The title with script in it that every test posts.
const TITLE: &str = "<script>alert('title')</script>職場実習の受け入れ先について";
/// Its body, with HTML a writer might try.
const BODY: &str = "**太字**の本文。<img src=x onerror=alert(1)> 短時間勤務の工夫を共有します。";

/// `author` posts [`TITLE`] and [`BODY`] shared with [`PARTNER_AGENCY`];
/// the post's address.
async fn post_to_partner(site: &Site, author: &Browser) -> String {
    let answer = author
        .post(
            site,
            "/board/posts",
            &[
                ("csrf", &author.csrf),
                ("title", TITLE),
                ("category", "techniques"),
                ("kind", "information"),
                ("body", BODY),
                ("visibility", "agencies"),
                ("agency", PARTNER_AGENCY),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let at = answer.location.expect("goes to the post");
    assert!(at.starts_with("/board/posts/"), "{at}");
    at
}

#[tokio::test]
async fn the_board_needs_a_login() {
    let site = site();
    for path in [
        "/board",
        "/board/new",
        "/board/posts/1",
        "/board/search?q=x",
    ] {
        let answer = site.get(path, &[]).await;
        assert!(answer.redirects_to("/login"), "{path}: {}", answer.status);
    }
}

#[tokio::test]
async fn a_post_reaches_the_chosen_agency_and_the_centre_and_no_one_else() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let at = post_to_partner(&site, &author).await;

    for reader in [AUTHOR, PARTNER, common::site::RESEARCHER] {
        let browser = log_in(&site, reader).await;
        let page = browser.get(&site, &at).await;
        assert_eq!(page.status, StatusCode::OK, "{reader}");
        assert!(
            page.body.contains("職場実習の受け入れ先について"),
            "{reader}"
        );
        let list = browser.get(&site, "/board").await;
        assert!(list.body.contains(&format!("href=\"{at}\"")), "{reader}");
        let found = browser
            .get(&site, "/board/search?q=%E7%9F%AD%E6%99%82%E9%96%93")
            .await;
        assert!(
            found.body.contains(&format!("href=\"{at}\"")),
            "{reader}: search"
        );
    }

    // Another agency: not in the list, not in search, and the post's
    // address is answered exactly as an address with no post.
    let outsider = log_in(&site, OUTSIDER).await;
    let list = outsider.get(&site, "/board").await;
    assert!(!list.body.contains(&at), "not listed");
    assert!(!list.body.contains("職場実習"), "not listed");
    let found = outsider
        .get(&site, "/board/search?q=%E7%9F%AD%E6%99%82%E9%96%93")
        .await;
    assert!(!found.body.contains(&at), "not found by search");
    assert!(!found.body.contains("職場実習"), "not found by search");
    let hidden = outsider.get(&site, &at).await;
    let missing = outsider.get(&site, "/board/posts/999999").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.status, missing.status);
    assert_eq!(
        hidden.body, missing.body,
        "a hidden post looks like no post"
    );
    // Nor can it comment on it.
    let comment = outsider
        .post(
            &site,
            &format!("{at}/comments"),
            &[("csrf", &outsider.csrf), ("body", "見えないはずの投稿へ")],
        )
        .await;
    assert_eq!(comment.status, StatusCode::NOT_FOUND);
    let page = author.get(&site, &at).await;
    assert!(!page.body.contains("見えないはずの投稿へ"));
}

#[tokio::test]
async fn script_in_a_title_body_or_comment_is_shown_as_text() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let at = post_to_partner(&site, &author).await;
    let answer = author
        .post(
            &site,
            &format!("{at}/comments"),
            &[
                ("csrf", &author.csrf),
                (
                    "body",
                    "<script>alert('comment')</script>ありがとうございます",
                ),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert!(
        answer
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with(&format!("{at}#comment-"))),
        "{:?}",
        answer.location
    );

    let page = author.get(&site, &at).await;
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(!page.body.contains("<img"), "{}", page.body);
    assert!(
        page.body
            .contains("&lt;script&gt;alert('title')&lt;/script&gt;")
    );
    assert!(
        page.body
            .contains("&lt;script&gt;alert('comment')&lt;/script&gt;")
    );
    assert!(
        page.body.contains("<strong>太字</strong>"),
        "Markdown renders"
    );
    let list = author.get(&site, "/board").await;
    assert!(!list.body.contains("<script"), "{}", list.body);
}

#[tokio::test]
async fn a_form_without_its_csrf_token_stores_nothing() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let at = post_to_partner(&site, &author).await;
    for token in ["", "not-the-token"] {
        let answer = author
            .post(
                &site,
                "/board/posts",
                &[
                    ("csrf", token),
                    ("title", "トークンなし"),
                    ("category", "questions"),
                    ("kind", "enquiry"),
                    ("body", "本文"),
                    ("visibility", "all"),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{token:?}");
        let answer = author
            .post(
                &site,
                &format!("{at}/comments"),
                &[("csrf", token), ("body", "トークンなしのコメント")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{token:?}");
    }
    // From another site, even with the token.
    let answer = site
        .post(
            "/board/posts",
            &form(&[
                ("csrf", &author.csrf),
                ("title", "別サイトから"),
                ("category", "questions"),
                ("kind", "enquiry"),
                ("body", "本文"),
                ("visibility", "all"),
            ]),
            &[&author.cookie],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    let list = author.get(&site, "/board").await;
    assert!(!list.body.contains("トークンなし"));
    assert!(!list.body.contains("別サイトから"));
    let page = author.get(&site, &at).await;
    assert!(!page.body.contains("トークンなしのコメント"));
}

#[tokio::test]
async fn a_refused_post_is_shown_again_as_written_with_what_to_fix() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let answer = author
        .post(
            &site,
            "/board/posts",
            &[
                ("csrf", &author.csrf),
                ("title", "機関を選び忘れた投稿"),
                ("category", "reports"),
                ("kind", "report"),
                ("body", "書いた本文は消えません。"),
                ("visibility", "agencies"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("role=\"alert\""), "{}", answer.body);
    assert!(answer.body.contains("公開する機関を1つ以上選んでください"));
    assert!(answer.body.contains("value=\"機関を選び忘れた投稿\""));
    assert!(answer.body.contains(">書いた本文は消えません。</textarea>"));
    assert!(answer.body.contains("<option value=\"reports\" selected>"));
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let at = post_to_partner(&site, &author).await;
    for path in ["/board", &at, "/board/new", "/board/search?q=x", "/login"] {
        let answer = author.get(&site, path).await;
        let header = |name: &str| {
            answer
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("script-src"), "no script at all: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(header("strict-transport-security").starts_with("max-age="));
        assert_eq!(header("x-frame-options"), "DENY");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("referrer-policy"), "same-origin");
        if path != "/login" {
            assert_eq!(header("cache-control"), "no-store", "{path}");
            assert!(!answer.body.contains("<script"), "{path}");
            assert!(!answer.body.contains("style=\""), "{path}: no inline style");
            assert!(!answer.body.contains("<style"), "{path}: no inline style");
        }
    }
}

#[tokio::test]
async fn what_looks_like_a_persons_information_is_shown_before_it_is_posted() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let fields = [
        ("csrf", author.csrf.as_str()),
        ("title", "面談の報告"),
        ("category", "reports"),
        ("kind", "report"),
        (
            "body",
            "山田太郎さん（パーキンソン病）と面談しました。連絡先は090-1234-5678です。",
        ),
        ("visibility", "all"),
    ];
    let answer = author.post(&site, "/board/posts", &fields).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.body.contains("個人が特定できる情報かもしれないもの"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("電話番号"), "{}", answer.body);
    assert!(answer.body.contains("氏名と病名"), "{}", answer.body);
    assert!(answer.body.contains("name=\"not_personal\""));
    assert!(
        answer
            .body
            .contains("連絡先は090-1234-5678です。</textarea>"),
        "kept as written"
    );
    let list = author.get(&site, "/board").await;
    assert!(!list.body.contains("面談の報告"), "nothing was stored");

    // Confirmed as not a person's: posted.
    let mut confirmed = fields.to_vec();
    confirmed.push(("not_personal", "1"));
    let answer = author.post(&site, "/board/posts", &confirmed).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let at = answer.location.expect("goes to the post");

    // A comment is checked too.
    let answer = author
        .post(
            &site,
            &format!("{at}/comments"),
            &[
                ("csrf", &author.csrf),
                ("body", "メールは yamada@example.jp へ"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("メールアドレス"), "{}", answer.body);
    let page = author.get(&site, &at).await;
    assert!(!page.body.contains("yamada@example.jp</p>"), "not stored");
}

#[tokio::test]
async fn an_author_narrows_who_reads_a_post_and_the_old_text_stays_in_its_history() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let partner = log_in(&site, PARTNER).await;
    let at = post_to_partner(&site, &author).await;
    assert_eq!(partner.get(&site, &at).await.status, StatusCode::OK);

    // Only the author may open the form.
    let form = partner.get(&site, &format!("{at}/edit")).await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    let form = author.get(&site, &format!("{at}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("id=\"visibility-agencies\" name=\"visibility\" value=\"agencies\" checked")
    );

    let answer = author
        .post(
            &site,
            &format!("{at}/edit"),
            &[
                ("csrf", &author.csrf),
                ("title", "自機関だけに絞った投稿"),
                ("body", BODY),
                ("visibility", "agency"),
            ],
        )
        .await;
    assert!(
        answer.redirects_to(&at),
        "{} {}",
        answer.status,
        answer.body
    );
    let missing = partner.get(&site, "/board/posts/999999").await;
    let now = partner.get(&site, &at).await;
    assert_eq!(now.status, StatusCode::NOT_FOUND, "no longer shared");
    assert_eq!(now.body, missing.body);
    let page = author.get(&site, &at).await;
    assert!(page.body.contains("自機関だけに絞った投稿"));
    assert!(page.body.contains("編集履歴（1件）"), "{}", page.body);
    assert!(
        page.body.contains("職場実習の受け入れ先について"),
        "the old title in the history"
    );

    // Someone else's form, even with a token, changes nothing.
    let answer = partner
        .post(
            &site,
            &format!("{at}/edit"),
            &[
                ("csrf", &partner.csrf),
                ("title", "乗っ取り"),
                ("body", "x"),
                ("visibility", "all"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(!author.get(&site, &at).await.body.contains("乗っ取り"));
}

#[tokio::test]
async fn statistics_count_what_the_reader_may_read_and_agencies_only_for_the_centre() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    post_to_partner(&site, &author).await;
    let outsider = log_in(&site, OUTSIDER).await;
    let page = outsider.get(&site, "/board/stats").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("投稿 0件"),
        "the post is not shared with them"
    );
    assert!(
        !page.body.contains("機関別"),
        "no per-agency table for agencies"
    );
    let researcher = log_in(&site, common::site::RESEARCHER).await;
    let page = researcher.get(&site, "/board/stats").await;
    assert!(page.body.contains("投稿 1件"), "{}", page.body);
    assert!(page.body.contains("機関別"));
    assert!(page.body.contains(
        "<th scope=\"row\">支援技法</th><td class=\"n\">1</td><td class=\"n\">100.0%</td>"
    ));
}

#[tokio::test]
async fn a_full_list_links_to_the_posts_before_its_last_and_back_to_the_newest() {
    let site = site();
    let author = tsunagi_centre::board::Viewer::of(
        tsunagi_centre::accounts::LoginName::parse(AUTHOR).expect("a login"),
        &Site::agency_role(),
    );
    // 101 posts, by a second connection to the board's file as another
    // process would make them; the oldest is numbered 1.
    let mut board = tsunagi_centre::board::open(site.fixture.dir.path()).expect("the board");
    for n in 1..=101 {
        board
            .create_post(
                &author,
                &tsunagi_centre::board::NewPost {
                    category: tsunagi_centre::board::CategoryCode::parse("reports")
                        .expect("a code"),
                    kind: tsunagi_centre::board::Kind::Report,
                    title: format!("月次報告その{n}"),
                    body: "今月の支援の報告です。".to_owned(),
                    visibility: tsunagi_centre::board::Visibility::AllAgencies,
                },
            )
            .expect("posted");
    }
    let reader = log_in(&site, PARTNER).await;
    let newest = site.get("/board", &[&reader.cookie]).await;
    assert_eq!(newest.status, StatusCode::OK);
    assert!(newest.body.contains("月次報告その101<"));
    assert!(newest.body.contains("月次報告その2<"));
    assert!(
        !newest.body.contains("月次報告その1<"),
        "the 101st is on the next page"
    );
    assert!(
        newest
            .body
            .contains("<a href=\"/board?before=2\" rel=\"next\">さらに前の投稿"),
        "a full list links to what is before its last post"
    );
    assert!(!newest.body.contains("最新の投稿へ"));

    let older = site.get("/board?before=2", &[&reader.cookie]).await;
    assert!(older.body.contains("月次報告その1<"));
    assert!(!older.body.contains("月次報告その2<"));
    assert!(older.body.contains("<a href=\"/board?\">最新の投稿へ"));
    assert!(!older.body.contains("rel=\"next\""), "nothing is older");

    // Narrowed lists keep what they are narrowed by from page to page.
    let narrowed = site
        .get("/board?category=reports&kind=report", &[&reader.cookie])
        .await;
    assert!(
        narrowed
            .body
            .contains("href=\"/board?before=2&amp;category=reports&amp;kind=report\" rel=\"next\"")
    );
    let other = site
        .get("/board?category=questions", &[&reader.cookie])
        .await;
    assert!(!other.body.contains("rel=\"next\""));
}
