//! The centre's pages for people, as opposed to intake for companions:
//! who is logged in ([`guard`]) and the login form ([`login`]). The
//! stakeholder board's pages will sit here too, behind the same guard and
//! with the same CSRF tokens.
//!
//! Every refusal a browser may meet is in Japanese with English beside it.

mod guard;
mod login;

pub(crate) use guard::{SignedIn, require_login, same_origin_posts};
pub(crate) use login::{account_bar, login_routes};

use axum::http::StatusCode;
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
