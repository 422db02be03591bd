//! The board's JSON API through the centre's real router: logging in,
//! who reads a post, the CSRF header, the session, comments, statistics.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tsunagi_centre::accounts::Role;
use tsunagi_centre::storage::{Agency, Database};
use tsunagi_core::seal::DeviceKeys;

use common::AGENCY;
use common::site::{Answer, HOST, ORIGIN, PASSWORD, RESEARCHER, Site};

/// A member of the fixture's agency, who posts.
const AUTHOR: &str = "aoi";
/// A colleague in the same agency.
const COLLEAGUE: &str = "ren";
/// A member of another agency.
const OUTSIDER: &str = "sora";
/// The other agency.
const OTHER_AGENCY: &str = "別市就労支援センター";

/// A centre with the researcher, two members of the fixture's agency and
/// one of another agency (registered too).
fn site() -> Site {
    let site = Site::new();
    site.database()
        .add_agency(&Agency::new(OTHER_AGENCY, DeviceKeys::generate().signer()))
        .expect("registers the other agency");
    site.add_account(AUTHOR, Site::agency_role());
    site.add_account(COLLEAGUE, Site::agency_role());
    site.add_account(OUTSIDER, Role::Agency(OTHER_AGENCY.into()));
    site
}

/// A logged-in caller: the session cookie (`name=value`) and its CSRF
/// token.
struct Caller {
    cookie: String,
    csrf: String,
}

/// POSTs `body` as JSON to `path`, with the session of `caller` if any,
/// and `csrf` in `X-CSRF-Token` if any.
async fn post(
    site: &Site,
    path: &str,
    body: &Value,
    cookie: Option<&str>,
    csrf: Option<&str>,
) -> Answer {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    site.send(
        request
            .body(Body::from(body.to_string()))
            .expect("a request"),
    )
    .await
}

/// GETs `path` with the session of `caller` if any.
async fn get(site: &Site, path: &str, caller: Option<&Caller>) -> Answer {
    let cookies: Vec<&str> = caller.iter().map(|c| c.cookie.as_str()).collect();
    site.get(path, &cookies).await
}

/// `POST /api/login` with `login` and `password`, as a caller with no
/// session yet.
async fn try_api_login(site: &Site, login: &str, password: &str) -> Answer {
    post(
        site,
        "/api/login",
        &json!({"login": login, "password": password}),
        None,
        None,
    )
    .await
}

/// Logs `login` in through the API.
async fn login(site: &Site, login: &str) -> Caller {
    let answer = try_api_login(site, login, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    Caller {
        cookie: answer
            .cookie("__Host-tsunagi_session")
            .expect("a session cookie"),
        csrf: parsed(&answer)["csrf"]
            .as_str()
            .expect("a CSRF token")
            .to_owned(),
    }
}

/// The answer's body as JSON, after checking that it says it is JSON and
/// is never cached.
fn parsed(answer: &Answer) -> Value {
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/json; charset=utf-8"),
        "{} {}",
        answer.status,
        answer.body
    );
    assert_eq!(
        answer
            .headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert_eq!(
        answer
            .headers
            .get(header::X_CONTENT_TYPE_OPTIONS)
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    serde_json::from_str(&answer.body).expect("the body is JSON")
}

/// A post by `caller` with `scope`; its number.
async fn make_post(site: &Site, caller: &Caller, title: &str, scope: &str) -> i64 {
    let answer = post(
        site,
        "/api/posts",
        &json!({
            "category": "techniques",
            "kind": "information",
            "title": title,
            "body": "面談の前に就労支援の流れを紙で渡すと伝わりやすかったです。",
            "visibility": {"scope": scope},
        }),
        Some(&caller.cookie),
        Some(&caller.csrf),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    parsed(&answer)["id"].as_i64().expect("the post's number")
}

/// The titles of the posts in a list or search answer.
fn titles(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    parsed(answer)["posts"]
        .as_array()
        .expect("a list of posts")
        .iter()
        .map(|p| p["title"].as_str().expect("a title").to_owned())
        .collect()
}

#[tokio::test]
async fn logging_in_through_the_api_gives_a_csrf_token_and_the_pages_session_cookie() {
    let site = site();
    let answer = try_api_login(&site, RESEARCHER, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let csrf = parsed(&answer)["csrf"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    assert_eq!(csrf.len(), 43, "a base64url SHA-256");
    let set = answer
        .set_cookie("__Host-tsunagi_session")
        .expect("the session cookie is set");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    let cookie = answer.cookie("__Host-tsunagi_session").expect("a cookie");
    // The same session opens the API and the figures page, whose forms
    // carry the same CSRF token.
    let caller = Caller {
        cookie: cookie.clone(),
        csrf: csrf.clone(),
    };
    assert_eq!(
        get(&site, "/api/posts", Some(&caller)).await.status,
        StatusCode::OK
    );
    let page = site.get("/", &[&cookie]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.csrf(), csrf);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_name_get_the_same_401() {
    let site = site();
    let wrong = try_api_login(&site, RESEARCHER, "not the password at all").await;
    let unknown = try_api_login(&site, "nobody", PASSWORD).await;
    for answer in [&wrong, &unknown] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
        assert!(answer.set_cookie("__Host-tsunagi_session").is_none());
        assert!(
            parsed(answer)["error"]
                .as_str()
                .expect("an error")
                .contains("ログイン名またはパスワードが違います")
        );
    }
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn failures_through_the_api_lock_the_name_for_the_login_page_too() {
    let site = site();
    for _ in 0..5 {
        let answer = try_api_login(&site, RESEARCHER, "a wrong guess, again").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let page = site.try_login(RESEARCHER, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let api = try_api_login(&site, RESEARCHER, PASSWORD).await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS, "{}", api.body);
}

#[tokio::test]
async fn a_login_sent_as_a_form_or_from_another_site_is_refused() {
    let site = site();
    let as_form = site
        .post(
            "/api/login",
            &format!("login={RESEARCHER}&password=correct+horse+battery+staple"),
            &[],
            Some(ORIGIN),
        )
        .await;
    assert_eq!(as_form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(as_form.set_cookie("__Host-tsunagi_session").is_none());
    let request = Request::post("/api/login")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"login": RESEARCHER, "password": PASSWORD}).to_string(),
        ))
        .expect("a request");
    let foreign = site.send(request).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign.set_cookie("__Host-tsunagi_session").is_none());
    assert!(parsed(&foreign)["error"].is_string());
}

#[tokio::test]
async fn a_my_agency_post_is_read_by_colleagues_and_the_centre_but_not_by_another_agency() {
    let site = site();
    let author = login(&site, AUTHOR).await;
    let colleague = login(&site, COLLEAGUE).await;
    let researcher = login(&site, RESEARCHER).await;
    let outsider = login(&site, OUTSIDER).await;
    let title = "就労支援の面談で工夫していること";
    let id = make_post(&site, &author, title, "my_agency").await;

    for reader in [&colleague, &researcher] {
        assert_eq!(
            titles(&get(&site, "/api/posts", Some(reader)).await),
            [title]
        );
        assert_eq!(
            titles(&get(&site, "/api/search?q=就労支援", Some(reader)).await),
            [title]
        );
        let shown = get(&site, &format!("/api/posts/{id}"), Some(reader)).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        let shown = parsed(&shown);
        assert_eq!(shown["post"]["title"], title);
        assert_eq!(shown["post"]["author"], AUTHOR);
        assert_eq!(shown["post"]["visibility"]["scope"], "my_agency");
    }

    // The other agency's member: not listed, not found by search, and the
    // post itself answered exactly as a number no post has.
    assert!(
        titles(&get(&site, "/api/posts", Some(&outsider)).await).is_empty(),
        "listed for another agency"
    );
    assert!(
        titles(&get(&site, "/api/search?q=就労支援", Some(&outsider)).await).is_empty(),
        "found by another agency's search"
    );
    let hidden = get(&site, &format!("/api/posts/{id}"), Some(&outsider)).await;
    let missing = get(&site, "/api/posts/999999", Some(&outsider)).await;
    let not_a_number = get(&site, "/api/posts/abc", Some(&outsider)).await;
    for answer in [&hidden, &missing, &not_a_number] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
        parsed(answer);
    }
    assert_eq!(hidden.body, missing.body);
    assert_eq!(hidden.body, not_a_number.body);
    assert!(!hidden.body.contains(title));
    // Nor may they comment on it.
    let comment = post(
        &site,
        &format!("/api/posts/{id}/comments"),
        &json!({"body": "見えないはずの投稿へのコメント"}),
        Some(&outsider.cookie),
        Some(&outsider.csrf),
    )
    .await;
    assert_eq!(comment.status, StatusCode::NOT_FOUND);
    assert_eq!(comment.body, missing.body);
}

#[tokio::test]
async fn a_post_without_the_session_csrf_token_is_refused_and_nothing_is_stored() {
    let site = site();
    let author = login(&site, AUTHOR).await;
    let other = login(&site, COLLEAGUE).await;
    let new_post = json!({
        "category": "questions",
        "kind": "enquiry",
        "title": "トークンのない投稿",
        "body": "これは保存されてはいけません。",
        "visibility": {"scope": "all_agencies"},
    });
    for csrf in [
        None,
        Some(""),
        Some("not-the-token"),
        Some(other.csrf.as_str()),
    ] {
        let answer = post(&site, "/api/posts", &new_post, Some(&author.cookie), csrf).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{csrf:?}");
        assert!(parsed(&answer)["error"].is_string());
    }
    assert!(titles(&get(&site, "/api/posts", Some(&author)).await).is_empty());

    let id = make_post(&site, &author, "本物の投稿", "all_agencies").await;
    let refused = post(
        &site,
        &format!("/api/posts/{id}/comments"),
        &json!({"body": "トークンのないコメント"}),
        Some(&author.cookie),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let shown = parsed(&get(&site, &format!("/api/posts/{id}"), Some(&author)).await);
    assert_eq!(shown["comments"], json!([]));
}

#[tokio::test]
async fn without_a_live_session_every_route_but_login_answers_401() {
    let site = site();
    let author = login(&site, AUTHOR).await;
    let id = make_post(&site, &author, "ログインした人だけの投稿", "all_agencies").await;
    let stale = Caller {
        cookie: "__Host-tsunagi_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        csrf: author.csrf.clone(),
    };
    for caller in [None, Some(&stale)] {
        for path in [
            "/api/posts".to_owned(),
            format!("/api/posts/{id}"),
            "/api/search?q=投稿".to_owned(),
            "/api/stats".to_owned(),
            "/api/stats.csv".to_owned(),
        ] {
            let answer = get(&site, &path, caller).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(parsed(&answer)["error"].is_string());
            assert!(!answer.body.contains("ログインした人だけ"));
        }
        let cookie = caller.map(|c| c.cookie.as_str());
        let made = post(
            &site,
            "/api/posts",
            &json!({"category": "reports", "kind": "report", "title": "t", "body": "b",
                    "visibility": {"scope": "all_agencies"}}),
            cookie,
            Some(&author.csrf),
        )
        .await;
        assert_eq!(made.status, StatusCode::UNAUTHORIZED);
        let comment = post(
            &site,
            &format!("/api/posts/{id}/comments"),
            &json!({"body": "b"}),
            cookie,
            Some(&author.csrf),
        )
        .await;
        assert_eq!(comment.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        titles(&get(&site, "/api/posts", Some(&author)).await),
        ["ログインした人だけの投稿"]
    );
}

#[tokio::test]
async fn a_comment_is_added_and_shown_with_its_post() {
    let site = site();
    let author = login(&site, AUTHOR).await;
    let researcher = login(&site, RESEARCHER).await;
    let id = make_post(&site, &author, "支援計画の見直しについて", "my_agency").await;
    let answer = post(
        &site,
        &format!("/api/posts/{id}/comments"),
        &json!({"body": "研究班でも同じ傾向が見えています。"}),
        Some(&researcher.cookie),
        Some(&researcher.csrf),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert!(parsed(&answer)["id"].is_i64());

    let shown = get(&site, &format!("/api/posts/{id}"), Some(&author)).await;
    assert_eq!(shown.status, StatusCode::OK);
    let shown = parsed(&shown);
    let comments = shown["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["body"], "研究班でも同じ傾向が見えています。");
    assert_eq!(comments[0]["author"], RESEARCHER);
    assert_eq!(comments[0]["author_agency"], Value::Null);
}

#[tokio::test]
async fn the_categories_are_listed_for_a_member_and_not_for_a_stranger() {
    let site = site();
    assert_eq!(
        get(&site, "/api/categories", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let author = login(&site, AUTHOR).await;
    let answer = get(&site, "/api/categories", Some(&author)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let categories = parsed(&answer)["categories"].clone();
    let codes: Vec<&str> = categories
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["code"].as_str().expect("a code"))
        .collect();
    assert_eq!(
        codes,
        [
            "project",
            "model",
            "techniques",
            "questions",
            "reports",
            "publicity",
            "conversation"
        ]
    );
    assert_eq!(categories[3]["label_ja"], "質問・相談");
    assert_eq!(categories[3]["label_en"], "Questions and consultation");
}

#[tokio::test]
async fn a_post_the_board_refuses_is_answered_400_in_words() {
    let site = site();
    let author = login(&site, AUTHOR).await;
    for (body, says) in [
        (
            json!({"category": "nonsense", "kind": "report", "title": "t", "body": "b",
                   "visibility": {"scope": "all_agencies"}}),
            "no such category",
        ),
        (
            json!({"category": "Not A Code", "kind": "report", "title": "t", "body": "b",
                   "visibility": {"scope": "all_agencies"}}),
            "A category's code is up to 32 lowercase letters",
        ),
        (
            json!({"category": "reports", "kind": "report", "title": "  ", "body": "b",
                   "visibility": {"scope": "all_agencies"}}),
            "Please write a title",
        ),
        (
            json!({"category": "reports", "kind": "report", "title": "t", "body": "b",
                   "visibility": {"scope": "agencies", "agencies": []}}),
            "at least one agency",
        ),
        (json!({"title": "t"}), "does not read"),
    ] {
        let answer = post(
            &site,
            "/api/posts",
            &body,
            Some(&author.cookie),
            Some(&author.csrf),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        let error = parsed(&answer)["error"]
            .as_str()
            .expect("an error")
            .to_owned();
        assert!(error.contains(says), "{error}");
    }
    assert!(titles(&get(&site, "/api/posts", Some(&author)).await).is_empty());
}

/// Two posts by the fixture's agency, one for itself only and one for
/// every agency, and the researcher's comment on the first.
async fn seed_for_statistics(site: &Site) {
    let author = login(site, AUTHOR).await;
    let researcher = login(site, RESEARCHER).await;
    let own = make_post(site, &author, "自機関だけの投稿", "my_agency").await;
    make_post(site, &author, "全機関への投稿", "all_agencies").await;
    let answer = post(
        site,
        &format!("/api/posts/{own}/comments"),
        &json!({"body": "研究班でも同じ傾向が見えています。"}),
        Some(&researcher.cookie),
        Some(&researcher.csrf),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

#[tokio::test]
async fn statistics_count_only_what_the_caller_may_read_and_agencies_only_for_the_centre() {
    let site = site();
    seed_for_statistics(&site).await;
    let outsider = login(&site, OUTSIDER).await;
    let researcher = login(&site, RESEARCHER).await;

    let answer = get(&site, "/api/stats", Some(&outsider)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let theirs = parsed(&answer);
    assert_eq!(
        theirs["posts"], 1,
        "another agency's own post is not counted"
    );
    assert_eq!(theirs["comments"], 0, "nor the comment on it");
    assert_eq!(theirs["by_agency"], Value::Null);
    assert_eq!(theirs["period"], Value::Null);
    assert_eq!(theirs["time_zone"], "+09:00");
    let categories = theirs["by_category"].as_array().expect("categories");
    assert_eq!(categories.len(), 7, "every category, zeros included");
    assert_eq!(categories[0]["code"], "project");
    assert_eq!(categories[0]["label_ja"], "プロジェクト進行");
    assert_eq!(categories[0]["posts"], 0);
    assert_eq!(categories[2]["code"], "techniques");
    assert_eq!(categories[2]["posts"], 1);
    assert_eq!(categories[2]["posts_percent"], 100.0);
    assert_eq!(theirs["by_month"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        theirs["by_person"],
        json!([{"login": AUTHOR, "posts": 1, "posts_percent": 100.0,
                "comments": 0, "comments_percent": 0.0}])
    );

    let centre = parsed(&get(&site, "/api/stats", Some(&researcher)).await);
    assert_eq!(centre["posts"], 2);
    assert_eq!(centre["comments"], 1);
    assert_eq!(
        centre["by_poster"],
        json!([
            {"code": "centre", "label_ja": "センター", "label_en": "The centre",
             "posts": 0, "posts_percent": 0.0, "comments": 1, "comments_percent": 100.0},
            {"code": "agencies", "label_ja": "支援機関", "label_en": "Agencies",
             "posts": 2, "posts_percent": 100.0, "comments": 0, "comments_percent": 0.0},
        ])
    );
    assert_eq!(
        centre["by_agency"],
        json!([{"agency": AGENCY, "posts": 2, "posts_percent": 100.0,
                "comments": 0, "comments_percent": 0.0}])
    );
}

#[tokio::test]
async fn statistics_are_narrowed_to_days_in_japan_time_and_a_bad_period_is_400() {
    let site = site();
    seed_for_statistics(&site).await;
    let researcher = login(&site, RESEARCHER).await;
    let long_ago = parsed(
        &get(
            &site,
            "/api/stats?from=2000-04-01&to=2001-03-31",
            Some(&researcher),
        )
        .await,
    );
    assert_eq!(long_ago["posts"], 0);
    assert_eq!(long_ago["comments"], 0);
    assert_eq!(
        long_ago["period"],
        json!({"from": "2000-04-01", "to": "2001-03-31"})
    );
    assert_eq!(long_ago["by_month"], json!([]));
    for path in [
        "/api/stats?from=2027-04-01",
        "/api/stats?to=2027-04-01",
        "/api/stats?from=2027-04-01&to=2027-03-31",
        "/api/stats?from=2027-13-01&to=2028-03-31",
        "/api/stats?from=yesterday&to=today",
        "/api/stats.csv?from=2027-04-01",
    ] {
        let answer = get(&site, path, Some(&researcher)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        let error = parsed(&answer)["error"]
            .as_str()
            .expect("an error")
            .to_owned();
        assert!(error.contains("YYYY-MM-DD"), "{error}");
    }
}

#[tokio::test]
async fn statistics_download_as_a_csv_for_excel_that_counts_only_what_the_caller_may_read() {
    let site = site();
    seed_for_statistics(&site).await;
    let outsider = login(&site, OUTSIDER).await;
    let researcher = login(&site, RESEARCHER).await;

    let answer = get(&site, "/api/stats.csv", Some(&outsider)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let header = |name| {
        answer
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header(header::CONTENT_DISPOSITION).as_deref(),
        Some("attachment; filename=\"board-stats.csv\"")
    );
    assert_eq!(header(header::CACHE_CONTROL).as_deref(), Some("no-store"));
    assert_eq!(
        header(header::X_CONTENT_TYPE_OPTIONS).as_deref(),
        Some("nosniff")
    );
    let csv = &answer.body;
    assert!(csv.starts_with('\u{feff}'), "a byte order mark for Excel");
    assert!(csv.contains("\r\n合計 Total,全期間 All time,1,100.0,0,0.0\r\n"));
    assert!(
        !csv.contains("機関 Agency"),
        "agencies are for the centre only"
    );

    let centre = get(&site, "/api/stats.csv", Some(&researcher)).await;
    assert_eq!(centre.status, StatusCode::OK);
    assert!(
        centre
            .body
            .contains("\r\n合計 Total,全期間 All time,2,100.0,1,100.0\r\n")
    );
    assert!(
        centre
            .body
            .contains(&format!("\r\n機関 Agency,{AGENCY},2,100.0,0,0.0\r\n"))
    );
}

#[tokio::test]
async fn what_looks_like_a_persons_information_is_422_until_confirmed_and_never_echoed() {
    let site = site();
    let author = login(&site, AUTHOR).await;
    let mut sent = json!({
        "category": "reports",
        "kind": "report",
        "title": "面談の報告",
        "body": "佐藤花子さんは潰瘍性大腸炎で通院中。電話 03-1234-5678。",
        "visibility": {"scope": "all_agencies"},
    });
    let answer = post(
        &site,
        "/api/posts",
        &sent,
        Some(&author.cookie),
        Some(&author.csrf),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let found = parsed(&answer);
    let kinds: Vec<&str> = found["found"]
        .as_array()
        .expect("what was found")
        .iter()
        .map(|f| f["kind"].as_str().expect("a kind"))
        .collect();
    assert!(kinds.contains(&"phone"), "{kinds:?}");
    assert!(kinds.contains(&"name_with_disease"), "{kinds:?}");
    assert!(
        !answer.body.contains("佐藤"),
        "the answer never repeats the text"
    );
    assert!(
        !answer.body.contains("1234"),
        "the answer never repeats the text"
    );
    let list = get(&site, "/api/posts", Some(&author)).await;
    assert!(titles(&list).is_empty(), "nothing was stored");

    sent["confirm_not_personal"] = true.into();
    let answer = post(
        &site,
        "/api/posts",
        &sent,
        Some(&author.cookie),
        Some(&author.csrf),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let id = parsed(&answer)["id"].as_i64().expect("a number");

    let comment = json!({"body": "担当は yamada@example.jp です"});
    let answer = post(
        &site,
        &format!("/api/posts/{id}/comments"),
        &comment,
        Some(&author.cookie),
        Some(&author.csrf),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(parsed(&answer)["found"][0]["kind"], "email");
}

#[tokio::test]
async fn a_list_is_paged_with_before_and_limit() {
    let site = site();
    let author = login(&site, AUTHOR).await;
    let mut ids = Vec::new();
    for title in ["一番目", "二番目", "三番目"] {
        ids.push(make_post(&site, &author, title, "all_agencies").await);
    }
    let newest = get(&site, "/api/posts?limit=2", Some(&author)).await;
    assert_eq!(titles(&newest), ["三番目", "二番目"]);
    let next = get(
        &site,
        &format!("/api/posts?limit=2&before={}", ids[1]),
        Some(&author),
    )
    .await;
    assert_eq!(titles(&next), ["一番目"]);
    for bad in ["limit=0", "limit=1001", "before=abc"] {
        let answer = get(&site, &format!("/api/posts?{bad}"), Some(&author)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
