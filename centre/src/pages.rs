//! The centre's pages for people, as opposed to intake for companions:
//! who is logged in ([`guard`]), the login form ([`login`]) and changing
//! one's password ([`password`]). The
//! stakeholder board's pages will sit here too, behind the same guard and
//! with the same CSRF tokens.
//!
//! Every refusal a browser may meet is in Japanese with English beside it.

mod guard;
mod login;
mod password;

pub(crate) use guard::{SignedIn, require_login, same_origin_posts};
pub(crate) use login::{account_bar, login_routes};
pub(crate) use password::password_routes;

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::server::{Failure, plain};

/// The answer to a page request the database could not serve.
fn page_failure(failure: Failure) -> Response {
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
fn bad_csrf() -> Response {
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
