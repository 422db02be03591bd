//! `GET /login` (the form), `POST /login`, `POST /logout`, and the bar at
//! the top of a page that says who is logged in.
//!
//! **The form** sets [`LOGIN_COOKIE`] (a random token, kept if the browser
//! already has a good one, so that two open tabs both work) and carries
//! its CSRF token in a hidden field.
//!
//! **A login** is refused with 403 unless that field matches the cookie.
//! Then, in one database call: if the name is refused for now
//! ([`crate::throttle`]), 429 and the page says for how long; otherwise the
//! attempt is counted as a failure and the account read. The password is
//! checked against the account's hash, or against a dummy hash when there
//! is no such account (or the name could never be one), so that the work
//! is the same; at most [`crate::server::LOGINS_AT_ONCE`] checks run at
//! once. A wrong
//! password, a name with no account and a disabled account all get the
//! same page with 401 and 「ログイン名またはパスワードが違います」. A right one
//! clears the count, sweeps ended sessions and old counts, stores the new
//! session (only its token's SHA-256), sets [`SESSION_COOKIE`], deletes the
//! form's cookie, and answers 303 to `/`.
//!
//! **Logout** needs the session's CSRF token (403 without it), deletes the
//! session's row and the cookie, and answers 303 to `/login`.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::guard::{SignedIn, signed_in, to_login};
use super::{Attempt, alert, bad_csrf, count_attempt, html, page_failure, with_cookies};
use crate::accounts::{LoginName, Role};
use crate::figures::html_escape;
use crate::server::{Failure, LOGIN_QUEUE_WAIT, Shared, busy, with_db};
use crate::session::{
    LOGIN_COOKIE, SESSION_COOKIE, SessionRecord, Token, clear_cookie, cookie, csrf_matches,
    csrf_token, set_cookie,
};

/// What the login form and the logout button post.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Posted {
    login: String,
    password: String,
    csrf: String,
}

/// The routes of this module.
pub(crate) fn login_routes() -> Router<Shared> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/logout", post(logout))
}

/// The one message for a wrong name or password.
pub(crate) const WRONG: &str = "ログイン名またはパスワードが違います";
/// [`WRONG`] in English.
pub(crate) const WRONG_EN: &str = "The login name or the password is wrong.";

/// The message for a name refused after too many failures.
pub(crate) const LOCKED: &str = "このログイン名は失敗が続いたため、15分間ログインできません。15分たってからもう一度お試しください。";
/// [`LOCKED`] in English.
pub(crate) const LOCKED_EN: &str =
    "Too many failed logins for this name: it cannot log in for 15 minutes. Try again after that.";

/// The login page; `error` (Japanese, English) is shown above the form.
fn page(csrf: &str, error: Option<(&str, &str)>) -> String {
    let error = error.map(alert).unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>ログイン — つなぎ研究センター</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>\
         <h1>ログイン <small>Log in</small></h1>\
         <p class=\"meta\">研究集計を見るには、センターで作られたアカウントでログインしてください。<br>\
         <span class=\"en\" lang=\"en\">Log in with the account the centre made for you to see the research figures.</span></p>\
         {error}\
         <form method=\"post\" action=\"/login\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <p><label for=\"login\">ログイン名</label> <span class=\"en\" lang=\"en\">Login name</span><br>\
         <input id=\"login\" name=\"login\" autocomplete=\"username\" autocapitalize=\"none\" required autofocus></p>\
         <p><label for=\"password\">パスワード</label> <span class=\"en\" lang=\"en\">Password</span><br>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">ログイン <span lang=\"en\">Log in</span></button></p>\
         </form></body></html>\n",
        csrf = html_escape(csrf),
    )
}

/// The login form's token from the request's cookie, if it has a good one.
fn form_token(headers: &HeaderMap) -> Option<Token> {
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    cookie(cookies, LOGIN_COOKIE).and_then(Token::from_cookie)
}

async fn form(State(centre): State<Shared>, headers: HeaderMap) -> Response {
    match signed_in(&centre, &headers).await {
        Ok(Some(_)) => return Redirect::to("/").into_response(),
        Ok(None) => {}
        Err(failure) => return page_failure(failure),
    }
    let token = form_token(&headers).unwrap_or_else(Token::generate);
    let response = html(StatusCode::OK, page(&csrf_token(&token), None));
    with_cookies(response, &[set_cookie(LOGIN_COOKIE, &token.to_cookie())])
}

async fn submit(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Form(posted): Form<Posted>,
) -> Response {
    let Some(form_token) = form_token(&headers) else {
        return bad_csrf();
    };
    if !csrf_matches(&form_token, &posted.csrf) {
        return bad_csrf();
    }
    let csrf = csrf_token(&form_token);
    let password = Zeroizing::new(posted.password);
    match log_in(&centre, &posted.login, password).await {
        Ok(LoginOutcome::SignedIn(token)) => with_cookies(
            Redirect::to("/").into_response(),
            &[
                set_cookie(SESSION_COOKIE, &token.to_cookie()),
                clear_cookie(LOGIN_COOKIE),
            ],
        ),
        Ok(LoginOutcome::Wrong) => html(
            StatusCode::UNAUTHORIZED,
            page(&csrf, Some((WRONG, WRONG_EN))),
        ),
        Ok(LoginOutcome::Locked) => html(
            StatusCode::TOO_MANY_REQUESTS,
            page(&csrf, Some((LOCKED, LOCKED_EN))),
        ),
        Ok(LoginOutcome::Busy) => busy(BUSY),
        Err(failure) => page_failure(failure),
    }
}

/// The message for a login that waited too long for its turn.
pub(crate) const BUSY: &str = "ログインが混み合っています。しばらくしてからもう一度お試しください。 \
     The centre is checking other logins just now; try again later.";

/// What a login attempt came to ([`log_in`]).
pub(crate) enum LoginOutcome {
    /// The password was right: a new session is stored, and this is its
    /// token (for [`SESSION_COOKIE`]).
    SignedIn(Token),
    /// A wrong password, a name with no account, or a disabled account:
    /// told apart nowhere.
    Wrong,
    /// The name is refused for now ([`crate::throttle`]).
    Locked,
    /// The attempt waited more than [`LOGIN_QUEUE_WAIT`] for its turn.
    Busy,
}

/// Checks `password` for the name `login` and, if it is right, stores a
/// new session: the one path of both the login page and `POST /api/login`
/// (see the module's docs for the throttle, the dummy hash, the turns and
/// the sweep of ended sessions). The password is wiped on drop.
pub(crate) async fn log_in(
    centre: &Shared,
    login: &str,
    password: Zeroizing<String>,
) -> Result<LoginOutcome, Failure> {
    let Ok(Ok(_turn)) = tokio::time::timeout(LOGIN_QUEUE_WAIT, centre.logins.acquire()).await
    else {
        return Ok(LoginOutcome::Busy);
    };
    let now = centre.clock.now().unix_timestamp();
    let name = LoginName::parse(login).ok();
    let looked_up = name.clone();
    let attempt = with_db(centre, move |db| match looked_up {
        Some(name) => count_attempt(db, name.as_str(), now),
        None => Ok(Attempt::Counted(None)),
    })
    .await?;
    let stored = match attempt {
        Attempt::Counted(stored) => stored,
        Attempt::Locked => return Ok(LoginOutcome::Locked),
    };
    let checking = {
        let centre = std::sync::Arc::clone(centre);
        tokio::task::spawn_blocking(move || {
            let hash = stored.as_ref().map(|(_, hash)| hash.as_str());
            let right = centre.passwords.verify(hash, &password);
            let exists = stored.is_some();
            let account = stored
                .map(|(account, _)| account)
                .filter(|account| right && !account.disabled);
            (exists, account)
        })
    };
    let (exists, account) = checking.await.map_err(|_| Failure::Internal)?;
    if let Some(name) = name.clone().filter(|_| exists) {
        audit_login(centre, name, account.is_some()).await;
    }
    let (Some(account), Some(name)) = (account, name) else {
        return Ok(LoginOutcome::Wrong);
    };
    let token = Token::generate();
    let session = SessionRecord::new(&token, account.login.as_str(), centre.clock.now());
    with_db(centre, move |db| {
        db.set_login_throttle(name.as_str(), None)?;
        db.forget_stale(now)?;
        db.add_session(&session)
    })
    .await?;
    Ok(LoginOutcome::SignedIn(token))
}

/// Puts a login, or a failed one, of an existing account in the board's
/// audit log. A log that cannot be written is said on stderr; the login
/// goes on (the centre's own throttle has counted it).
async fn audit_login(centre: &Shared, name: LoginName, succeeded: bool) {
    if centre.board.is_none() {
        return;
    }
    let recorded =
        crate::board::call::on_board(centre, move |board| board.record_login(&name, succeeded))
            .await;
    if let Err(e) = recorded {
        eprintln!("tsunagi-centre: a login could not be put in the audit log: {e:?}");
    }
}

async fn logout(
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
    let id = viewer.session_id;
    if let Err(failure) = with_db(&centre, move |db| db.end_session(&id)).await {
        return page_failure(failure);
    }
    with_cookies(
        Redirect::to("/login").into_response(),
        &[clear_cookie(SESSION_COOKIE)],
    )
}

/// The role as the bar shows it.
fn role_label(role: &Role) -> String {
    match role {
        Role::Researcher => "研究者".to_owned(),
        Role::Admin => "管理者".to_owned(),
        Role::Agency(agency) => format!("機関：{}", html_escape(agency)),
        Role::AgencyAdmin(agency) => format!("機関管理者：{}", html_escape(agency)),
    }
}

/// Who is logged in, and the logout button with the session's CSRF token;
/// for an administrator (the centre's or an agency's), a link to the
/// accounts page.
pub(crate) fn account_bar(viewer: &SignedIn) -> String {
    let manage = if viewer.account.role.manages_accounts() {
        "<a href=\"/admin\">アカウント管理 <span lang=\"en\">Accounts</span></a> "
    } else {
        ""
    };
    format!(
        "<form class=\"account\" method=\"post\" action=\"/logout\">\
         <span>{name}（{role}）</span> \
         <a href=\"/board\">掲示板 <span lang=\"en\">Board</span></a> {manage}\
         <a href=\"/account/password\">パスワードの変更 <span lang=\"en\">Password</span></a> \
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\">ログアウト <span lang=\"en\">Log out</span></button></form>",
        name = html_escape(&viewer.account.display_name),
        role = role_label(&viewer.account.role),
        csrf = html_escape(&viewer.csrf),
    )
}
