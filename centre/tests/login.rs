//! Logging in to the figures: the form, the cookie it sets, the one answer
//! for a wrong name or password, the limit on failures, CSRF tokens and
//! forms from other sites. Through the real router, as a browser would.

mod common;

use axum::http::StatusCode;
use common::site::{ORIGIN, PASSWORD, RESEARCHER, Site, form};
use time::Duration;

#[tokio::test]
async fn the_figures_and_every_csv_send_a_visitor_without_a_session_to_the_login_page() {
    let site = Site::new();
    let bogus = "__Host-tsunagi_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for path in [
        "/",
        "/figures/stages.csv",
        "/figures/outcomes.csv",
        "/figures/programmes.csv",
        "/figures/nothing.csv",
    ] {
        for cookies in [&[][..], &[bogus][..]] {
            let answer = site.get(path, cookies).await;
            assert!(
                answer.redirects_to("/login"),
                "{path}: {} {:?}",
                answer.status,
                answer.location
            );
            assert!(!answer.body.contains("支援段階"), "{path}");
            assert!(!answer.body.contains(','), "{path}: no CSV");
        }
    }
    // The font the login page needs stays public.
    let font = site.get("/fonts/BIZUDGothic-Regular.ttf", &[]).await;
    assert_eq!(font.status, StatusCode::OK);
}

#[tokio::test]
async fn logging_in_sets_a_secure_host_only_cookie_and_then_the_figures_are_served() {
    let site = Site::new();
    let page = site.get("/login", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ログイン名") && page.body.contains("Login name"));
    assert!(page.body.contains("href=\"/style.css\""), "the pages' look");
    let style = site.get("/style.css", &[]).await;
    assert_eq!(style.status, StatusCode::OK);
    assert!(style.body.contains("BIZUDGothic"), "the pages' font");
    let form_cookie = page
        .set_cookie("__Host-tsunagi_login")
        .expect("form cookie");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(form_cookie.contains(attribute), "{form_cookie}");
    }

    let answer = site.try_login(RESEARCHER, PASSWORD).await;
    assert!(
        answer.redirects_to("/"),
        "{} {}",
        answer.status,
        answer.body
    );
    let set = answer
        .set_cookie("__Host-tsunagi_session")
        .expect("a session cookie");
    let attributes: Vec<&str> = set.split(';').skip(1).map(str::trim).collect();
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.contains(&attribute), "{set}");
    }
    assert!(!set.contains("Domain"), "host-only: {set}");
    let token = set.split(';').next().expect("name=value");
    let value = token.split_once('=').expect("a value").1;
    assert_eq!(value.len(), 43, "32 bytes in base64url: {value}");
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{value}"
    );
    // The form's cookie is spent.
    let spent = answer.set_cookie("__Host-tsunagi_login").expect("cleared");
    assert!(spent.contains("Max-Age=0"), "{spent}");

    let page = site.get("/", &[token]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("支援段階"), "the figures: {}", page.body);
    assert!(page.body.contains("tanaka さん"), "who is logged in");
    assert!(page.body.contains("action=\"/logout\""), "a logout button");
    for table in ["stages", "outcomes", "programmes"] {
        let csv = site.get(&format!("/figures/{table}.csv"), &[token]).await;
        assert_eq!(csv.status, StatusCode::OK, "{table}");
        assert_eq!(csv.content_type.as_deref(), Some("text/csv; charset=utf-8"));
    }
    // Logged in, the login page sends the browser to the figures.
    assert!(site.get("/login", &[token]).await.redirects_to("/"));
}

#[tokio::test]
async fn an_agency_account_sees_the_figures_too() {
    let site = Site::new();
    site.add_account("kikan", Site::agency_role());
    let token = site.login("kikan").await;
    let page = site.get("/", &[&token]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("機関：架空市難病相談支援センター"));
    assert_eq!(
        site.get("/figures/outcomes.csv", &[&token]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_name_get_the_same_answer() {
    let site = Site::new();
    let (cookie, csrf) = site.login_form().await;
    let attempt = |login: &'static str, password: &'static str| {
        let body = form(&[("login", login), ("password", password), ("csrf", &csrf)]);
        let cookie = cookie.clone();
        let site = &site;
        async move { site.post("/login", &body, &[&cookie], Some(ORIGIN)).await }
    };
    let wrong = attempt(RESEARCHER, "not the password at all").await;
    let unknown = attempt("nobody", PASSWORD).await;
    let malformed = attempt("no body", PASSWORD).await;
    for answer in [&wrong, &unknown, &malformed] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.body.contains("ログイン名またはパスワードが違います"));
        assert!(answer.set_cookie("__Host-tsunagi_session").is_none());
    }
    assert_eq!(wrong.body, unknown.body, "the same page, byte for byte");
    assert_eq!(wrong.body, malformed.body);
    assert_eq!(wrong.set_cookies, unknown.set_cookies);
}

#[tokio::test]
async fn five_failures_lock_the_name_for_fifteen_minutes_even_across_a_restart() {
    let mut site = Site::new();
    site.add_account("suzuki", Site::agency_role());
    for _ in 0..5 {
        let answer = site.try_login(RESEARCHER, "a wrong password!").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        site.clock.advance(Duration::minutes(1));
    }
    // The fifth failure came 4 minutes after the first; it is now 5.
    // The right password is refused now, in words.
    let refused = site.try_login(RESEARCHER, PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("15分"), "{}", refused.body);
    assert!(refused.body.contains("15 minutes"), "{}", refused.body);
    assert!(refused.set_cookie("__Host-tsunagi_session").is_none());
    // Another name is not held up.
    site.login("suzuki").await;
    // A restart does not forget.
    site.restart();
    site.clock.advance(Duration::minutes(13));
    let refused = site.try_login(RESEARCHER, PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    // Fifteen minutes after the fifth failure, the name may log in again.
    site.clock.advance(Duration::minutes(1));
    site.login(RESEARCHER).await;
}

#[tokio::test]
async fn unknown_names_are_locked_like_known_ones() {
    let site = Site::new();
    for _ in 0..5 {
        let answer = site.try_login("nobody", PASSWORD).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let answer = site.try_login("nobody", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn failures_spread_over_more_than_fifteen_minutes_do_not_lock_the_name() {
    let site = Site::new();
    for _ in 0..8 {
        let answer = site.try_login(RESEARCHER, "a wrong password!").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        site.clock.advance(Duration::minutes(4));
    }
    site.login(RESEARCHER).await;
}

#[tokio::test]
async fn a_login_with_a_missing_or_wrong_csrf_token_is_refused() {
    let site = Site::new();
    let (cookie, csrf) = site.login_form().await;
    let (_, other_csrf) = site.login_form().await;
    let with = |token: Option<&str>| {
        let mut fields = vec![("login", RESEARCHER), ("password", PASSWORD)];
        if let Some(t) = token {
            fields.push(("csrf", t));
        }
        form(&fields)
    };
    let cases = [
        (with(None), vec![cookie.as_str()]),
        (with(Some("")), vec![cookie.as_str()]),
        (with(Some(&other_csrf)), vec![cookie.as_str()]),
        (with(Some(&format!("{csrf}x"))), vec![cookie.as_str()]),
        (with(Some(&csrf)), vec![]),
    ];
    for (body, cookies) in cases {
        let answer = site.post("/login", &body, &cookies, Some(ORIGIN)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{body} {cookies:?}");
        assert!(answer.body.contains("token"), "{}", answer.body);
        assert_eq!(answer.body.lines().count(), 1, "one plain line");
        assert!(answer.set_cookie("__Host-tsunagi_session").is_none());
    }
    // None of those counted as a failed password.
    let answer = site
        .post("/login", &with(Some(&csrf)), &[&cookie], Some(ORIGIN))
        .await;
    assert!(answer.redirects_to("/"));
}

#[tokio::test]
async fn a_logout_with_a_missing_or_wrong_csrf_token_is_refused_and_the_session_stays() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let (_, login_csrf) = site.login_form().await;
    for body in [String::new(), form(&[("csrf", &login_csrf)])] {
        let answer = site.post("/logout", &body, &[&session], Some(ORIGIN)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{body}");
    }
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let site = Site::new();
    let (cookie, csrf) = site.login_form().await;
    let body = form(&[
        ("login", RESEARCHER),
        ("password", PASSWORD),
        ("csrf", &csrf),
    ]);
    for origin in ["https://evil.example", "null", "http://centre.test:8443"] {
        let answer = site.post("/login", &body, &[&cookie], Some(origin)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin}");
        assert!(answer.body.contains("another site"), "{}", answer.body);
        assert!(answer.set_cookie("__Host-tsunagi_session").is_none());
    }
    let session = site.login(RESEARCHER).await;
    let page = site.get("/", &[&session]).await;
    let logout = form(&[("csrf", &page.csrf())]);
    let answer = site
        .post(
            "/logout",
            &logout,
            &[&session],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);
    // Without an Origin header (not a browser's form) the token decides.
    let answer = site.post("/login", &body, &[&cookie], None).await;
    assert!(answer.redirects_to("/"));
}

#[tokio::test]
async fn intake_takes_no_login_csrf_token_or_origin_check() {
    let site = Site::new();
    let answer = site
        .post("/batches", "not a batch", &[], Some("https://evil.example"))
        .await;
    // Refused as a batch that does not open, not as a form.
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
}
