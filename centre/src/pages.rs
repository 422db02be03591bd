//! The centre's pages for people, as opposed to intake for companions:
//! who is logged in ([`guard`]), the login form ([`login`]) and changing
//! one's password ([`password`]), the accounts pages under `/admin`
//! ([`people`]). The
//! stakeholder board's pages will sit here too, behind the same guard and
//! with the same CSRF tokens.
//!
//! Every refusal a browser may meet is in Japanese with English beside it.

mod guard;
mod login;
mod password;
mod people;

pub(crate) use guard::{SignedIn, require_login, same_origin_posts, signed_in, to_login};
pub(crate) use login::{
    BUSY, LOCKED, LOCKED_EN, LoginOutcome, WRONG, WRONG_EN, account_bar, log_in, login_routes,
};
pub(crate) use password::password_routes;
pub(crate) use people::people_routes;

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::accounts::Account;
use crate::figures::html_escape;
use crate::server::{Failure, plain};
use crate::storage::{Database, StorageError};
use crate::throttle::Throttle;

/// The answer to a page request the database could not serve.
pub(crate) fn page_failure(failure: Failure) -> Response {
    match failure {
        Failure::Storage(e) => {
            eprintln!("tsunagi-centre: storage failed: {e}");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "センターのデータベースが応答しません。しばらくしてからもう一度お試しください。 \
                 The centre's database is not answering; try again later.",
            )
        }
        other => other.into_response(),
    }
}

/// 403 for a form whose CSRF token is missing or wrong.
pub(crate) fn bad_csrf() -> Response {
    plain(
        StatusCode::FORBIDDEN,
        "フォームの確認用トークンがないか、違います。ページを開き直してください。 \
         Refused: the form's check token is missing or wrong; open the page again.",
    )
}

/// `response` with the `Set-Cookie` values `cookies` added.
fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(value) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A page with `status`, never cached.
fn html(status: StatusCode, body: String) -> Response {
    let headers: [(HeaderName, &str); 2] = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    (status, headers, body).into_response()
}

/// A message in Japanese with its English beside it, announced to screen
/// readers: above a form that was refused.
fn alert((ja, en): (&str, &str)) -> String {
    format!(
        "<p class=\"error\" role=\"alert\">{}<br><span class=\"en\" lang=\"en\">{}</span></p>",
        html_escape(ja),
        html_escape(en)
    )
}

/// What the database said about a password attempt before the password is
/// checked.
enum Attempt {
    /// The login name is refused for now.
    Locked,
    /// Counted; the account and its hash, if the name has one.
    Counted(Option<(Account, String)>),
}

/// Counts an attempt at `login`'s password as a failure (the caller clears
/// the count when the password was right), unless the name is refused for
/// now; then reads the account. The login page and the password page both
/// count here, so that neither guesses faster than the other allows.
fn count_attempt(db: &mut dyn Database, login: &str, now: i64) -> Result<Attempt, StorageError> {
    let state = db.login_throttle(login)?;
    if Throttle::locked(state.as_ref(), now) {
        return Ok(Attempt::Locked);
    }
    db.set_login_throttle(login, Some(&Throttle::after_failure(state, now)))?;
    Ok(Attempt::Counted(db.account(login)?))
}
