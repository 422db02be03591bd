//! A logged-in user changes their own password on the page
//! 「パスワードの変更」: the session's CSRF token, the current password
//! (counted like a login), the new one twice; then every session of the
//! account ends.

mod common;

use axum::http::StatusCode;

use common::site::{ORIGIN, PASSWORD, RESEARCHER, Site, form};

const NEW: &str = "a brand new passphrase";

#[tokio::test]
async fn changing_ones_password_ends_every_session_and_only_the_new_one_opens() {
    let site = Site::new();
    let here = site.login(RESEARCHER).await;
    let elsewhere = site.login(RESEARCHER).await;
    let page = site.get("/account/password", &[&here]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("パスワードの変更"), "{}", page.body);
    let csrf = page.csrf();
    let change = |current: &str, new: &str, again: &str, csrf: &str| {
        form(&[
            ("current", current),
            ("new", new),
            ("again", again),
            ("csrf", csrf),
        ])
    };
    let post = |body: String| {
        let site = &site;
        let here = here.clone();
        async move {
            site.post("/account/password", &body, &[&here], Some(ORIGIN))
                .await
        }
    };

    // Refused, each in words, and nothing changes.
    let answer = post(change(PASSWORD, NEW, NEW, "not the token")).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = post(change("a wrong password", NEW, NEW, &csrf)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body.contains("現在のパスワードが違います"));
    let answer = post(change(PASSWORD, NEW, "something else entirely", &csrf)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("一致しません"));
    let answer = post(change(PASSWORD, "short", "short", &csrf)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("12文字以上"));
    assert_eq!(site.get("/", &[&elsewhere]).await.status, StatusCode::OK);

    // Changed: both sessions are over, the old password no longer opens.
    let answer = post(change(PASSWORD, NEW, NEW, &csrf)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("パスワードを変更しました"));
    let cleared = answer
        .set_cookie("__Host-tsunagi_session")
        .expect("the cookie is deleted");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    for session in [&here, &elsewhere] {
        assert!(site.get("/", &[session]).await.redirects_to("/login"));
    }
    let old = site.try_login(RESEARCHER, PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = site.try_login(RESEARCHER, NEW).await;
    assert!(new.redirects_to("/"), "{}", new.status);
}

#[tokio::test]
async fn a_stolen_session_cannot_guess_the_password_faster_than_the_login_page() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let csrf = site.get("/account/password", &[&session]).await.csrf();
    let mut statuses = Vec::new();
    for n in 0..6 {
        let guess = format!("guess number {n} here");
        let body = form(&[
            ("current", &guess),
            ("new", NEW),
            ("again", NEW),
            ("csrf", &csrf),
        ]);
        let answer = site
            .post("/account/password", &body, &[&session], Some(ORIGIN))
            .await;
        statuses.push(answer.status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // The right password is refused too while the name is locked.
    let body = form(&[
        ("current", PASSWORD),
        ("new", NEW),
        ("again", NEW),
        ("csrf", &csrf),
    ]);
    let answer = site
        .post("/account/password", &body, &[&session], Some(ORIGIN))
        .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_password_page_needs_a_login() {
    let site = Site::new();
    assert!(
        site.get("/account/password", &[])
            .await
            .redirects_to("/login")
    );
    let body = form(&[("current", PASSWORD), ("new", NEW), ("again", NEW)]);
    assert!(
        site.post("/account/password", &body, &[], Some(ORIGIN))
            .await
            .redirects_to("/login")
    );
}
