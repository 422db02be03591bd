//! `GET /account/password` (the form) and `POST /account/password`: a
//! logged-in user of any role changes their own password.
//!
//! The post needs the session's CSRF token (403 without it). The current
//! password is checked as a login checks it: counted against the login
//! name's failures first, so that a stolen session cannot guess the
//! password faster than the login page allows ([`crate::throttle`]), and
//! at most [`crate::server::LOGINS_AT_ONCE`] checks at once. The new
//! password must be typed twice alike, be at least 12 characters, and
//! differ from the current one. When it is stored, every session of the
//! account ends (the one changing it too), so a session taken with the old
//! password is over; the page says so and links to the login.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::guard::{SignedIn, signed_in, to_login};
use super::{Attempt, alert, bad_csrf, count_attempt, html, page_failure, with_cookies};
use crate::accounts::{AccountError, check_new_password};
use crate::figures::html_escape;
use crate::server::{Failure, LOGIN_QUEUE_WAIT, Shared, busy, with_db};
use crate::session::{SESSION_COOKIE, clear_cookie};

/// What the form posts.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Posted {
    current: String,
    new: String,
    again: String,
    csrf: String,
}

/// The routes of this module.
pub(crate) fn password_routes() -> Router<Shared> {
    Router::new().route("/account/password", get(form).post(submit))
}

/// The page with the form; `message` (Japanese, English) above it.
fn page(viewer: &SignedIn, message: Option<(&str, &str)>) -> String {
    let message = message.map(alert).unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>パスワードの変更 — つなぎ研究センター</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>\
         <h1>パスワードの変更 <small>Change your password</small></h1>\
         <p class=\"meta\">{name} のパスワードを変更します。変更すると、ほかの端末のログインも含めてすべてログアウトします。<br>\
         <span class=\"en\" lang=\"en\">Changing it logs this account out everywhere, this browser included.</span></p>\
         {message}\
         <form method=\"post\" action=\"/account/password\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"login\" autocomplete=\"username\" value=\"{login}\">\
         <p><label for=\"current\">現在のパスワード</label> <span class=\"en\" lang=\"en\">Current password</span><br>\
         <input id=\"current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required autofocus></p>\
         <p><label for=\"new\">新しいパスワード（12文字以上）</label> <span class=\"en\" lang=\"en\">New password (at least 12 characters)</span><br>\
         <input id=\"new\" name=\"new\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" required></p>\
         <p><label for=\"again\">新しいパスワード（もう一度）</label> <span class=\"en\" lang=\"en\">New password, again</span><br>\
         <input id=\"again\" name=\"again\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" required></p>\
         <p><button type=\"submit\">変更する <span lang=\"en\">Change</span></button> \
         <a href=\"/\">戻る <span lang=\"en\">Back</span></a></p>\
         </form></body></html>\n",
        name = html_escape(&viewer.account.display_name),
        login = html_escape(viewer.account.login.as_str()),
        csrf = html_escape(&viewer.csrf),
    )
}

/// The page after the change: every session has ended.
fn changed_page() -> String {
    "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>パスワードを変更しました — つなぎ研究センター</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>\
         <h1>パスワードを変更しました <small>Password changed</small></h1>\
         <p role=\"status\">すべての端末でログアウトしました。新しいパスワードでログインしてください。<br>\
         <span class=\"en\" lang=\"en\">You have been logged out everywhere. Log in with the new password.</span></p>\
         <p><a href=\"/login\">ログイン <span lang=\"en\">Log in</span></a></p></body></html>\n"
    .to_owned()
}

async fn form(State(centre): State<Shared>, headers: HeaderMap) -> Response {
    match signed_in(&centre, &headers).await {
        Ok(Some(viewer)) => html(StatusCode::OK, page(&viewer, None)),
        Ok(None) => to_login(&headers),
        Err(failure) => page_failure(failure),
    }
}

async fn submit(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Form(posted): Form<Posted>,
) -> Response {
    let viewer = match signed_in(&centre, &headers).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => return to_login(&headers),
        Err(failure) => return page_failure(failure),
    };
    if !viewer.csrf_matches(&posted.csrf) {
        return bad_csrf();
    }
    let current = Zeroizing::new(posted.current);
    let new = Zeroizing::new(posted.new);
    let again = Zeroizing::new(posted.again);
    let refuse = |status, ja, en| html(status, page(&viewer, Some((ja, en))));
    if *new != *again {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "新しいパスワードが2回で一致しません。何も変更していません。",
            "The two new passwords differ; nothing was changed.",
        );
    }
    if let Err(AccountError::PasswordTooShort) = check_new_password(&new) {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "新しいパスワードは12文字以上にしてください。何も変更していません。",
            "The new password needs at least 12 characters; nothing was changed.",
        );
    }
    if *new == *current {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "新しいパスワードが現在のものと同じです。何も変更していません。",
            "The new password is the current one; nothing was changed.",
        );
    }
    let Ok(Ok(_turn)) = tokio::time::timeout(LOGIN_QUEUE_WAIT, centre.logins.acquire()).await
    else {
        return busy(
            "ほかのログインを確認中です。しばらくしてからもう一度お試しください。 \
             The centre is checking other logins just now; try again later.",
        );
    };
    let now = centre.clock.now().unix_timestamp();
    let login = viewer.account.login.as_str().to_owned();
    let counted_login = login.clone();
    let attempt = with_db(&centre, move |db| count_attempt(db, &counted_login, now)).await;
    let stored = match attempt {
        Ok(Attempt::Counted(stored)) => stored.map(|(_, hash)| hash),
        Ok(Attempt::Locked) => {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "パスワードの誤りが続いたため、15分間変更できません。",
                "Too many wrong passwords: it cannot be changed for 15 minutes.",
            );
        }
        Err(failure) => return page_failure(failure),
    };
    let hashing = {
        let centre = std::sync::Arc::clone(&centre);
        tokio::task::spawn_blocking(move || {
            centre
                .passwords
                .verify(stored.as_deref(), &current)
                .then(|| centre.passwords.hash(&new))
        })
    };
    let Ok(hashed) = hashing.await else {
        return Failure::Internal.into_response();
    };
    let Some(hash) = hashed else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "現在のパスワードが違います。何も変更していません。",
            "The current password is wrong; nothing was changed.",
        );
    };
    let stored = with_db(&centre, move |db| {
        db.set_login_throttle(&login, None)?;
        db.set_password(&login, &hash)
    })
    .await;
    if let Err(failure) = stored {
        return page_failure(failure);
    }
    with_cookies(
        html(StatusCode::OK, changed_page()),
        &[clear_cookie(SESSION_COOKIE)],
    )
}
