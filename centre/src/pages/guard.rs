//! Who is logged in, and which requests a page may take.
//!
//! [`require_login`] stands before the figures page and the CSV files:
//! without a live session it answers 303 to `/login`; with one, it hands
//! the handler a [`SignedIn`] and marks the answer `Cache-Control:
//! no-store`. A session lives while its row exists, its account is not
//! disabled, and it is within its idle and absolute limits
//! ([`crate::session`]); every request through the guard reads the account
//! afresh, so disabling one ends its sessions at the next request.
//!
//! [`same_origin_posts`] refuses (403) a POST whose `Origin` header is
//! present and is not `https://` and the `Host` the request was sent to:
//! a form posted from another site. A request with no `Origin` (not a
//! browser's form) passes to the CSRF token check, which every form has.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::page_failure;
use crate::accounts::Account;
use crate::server::{Failure, Shared, plain, with_db};
use crate::session::{self, SESSION_COOKIE, Token, clear_cookie, csrf_token};

/// A live session's account, for the handlers behind the guard.
#[derive(Clone)]
pub(crate) struct SignedIn {
    /// The account.
    pub account: Account,
    /// The session's stored id (the SHA-256 of its token).
    pub session_id: String,
    /// The CSRF token its forms carry.
    pub csrf: String,
}

impl SignedIn {
    /// Whether `submitted` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        session::same_token(&self.csrf, submitted)
    }
}

/// The session cookie's token in `headers`, if one is there and reads.
fn session_token(headers: &HeaderMap) -> Option<Token> {
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    session::cookie(cookies, SESSION_COOKIE).and_then(Token::from_cookie)
}

/// The live session of the request with `headers`, if it has one; notes
/// its use. A session found ended (idle, too old, account disabled) is
/// deleted.
pub(crate) async fn signed_in(
    centre: &Shared,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, Failure> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let id = token.stored_id();
    let csrf = csrf_token(&token);
    let now = centre.clock.now();
    with_db(centre, move |db| {
        let Some((session, account)) = db.session(&id)? else {
            return Ok(None);
        };
        if account.disabled || session.expired(now) {
            db.end_session(&id)?;
            return Ok(None);
        }
        if session.needs_touch(now) {
            db.touch_session(&id, now.unix_timestamp())?;
        }
        Ok(Some(SignedIn {
            account,
            session_id: id,
            csrf,
        }))
    })
    .await
}

/// 303 to the login page; a session cookie that was sent (and so no
/// longer works) is deleted.
pub(crate) fn to_login(headers: &HeaderMap) -> Response {
    let mut response = Redirect::to("/login").into_response();
    if session_token(headers).is_some()
        && let Ok(value) = HeaderValue::from_str(&clear_cookie(SESSION_COOKIE))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The guard before the figures: see the module's docs.
pub(crate) async fn require_login(
    State(centre): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    match signed_in(&centre, request.headers()).await {
        Ok(Some(viewer)) if viewer.account.role.sees_figures() => {
            request.extensions_mut().insert(viewer);
            let mut response = next.run(request).await;
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(_) => to_login(request.headers()),
        Err(failure) => page_failure(failure),
    }
}

/// Whether a request with `headers` to `uri` may be a form of this centre:
/// no `Origin`, or `https://` and the host it was sent to.
fn origin_is_ours(headers: &HeaderMap, uri: &Uri) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    match (origin.to_str(), host) {
        (Ok(origin), Some(host)) => origin.eq_ignore_ascii_case(&format!("https://{host}")),
        _ => false,
    }
}

/// Refuses a POST from another site: see the module's docs.
pub(crate) async fn same_origin_posts(request: Request, next: Next) -> Response {
    if request.method() == Method::POST && !origin_is_ours(request.headers(), request.uri()) {
        eprintln!("tsunagi-centre: refused a form posted from another origin");
        return plain(
            StatusCode::FORBIDDEN,
            "別のサイトから送られたフォームは受け付けません。 \
             Refused: the form was sent from another site.",
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name, HeaderValue::from_str(value).expect("a header value"));
        }
        map
    }

    #[test]
    fn only_this_hosts_https_origin_or_none_is_ours() {
        let uri = Uri::from_static("/login");
        let host = (header::HOST, "centre.example:8443");
        assert!(origin_is_ours(&headers(std::slice::from_ref(&host)), &uri));
        assert!(origin_is_ours(
            &headers(&[
                host.clone(),
                (header::ORIGIN, "https://centre.example:8443")
            ]),
            &uri
        ));
        for foreign in [
            "https://evil.example",
            "http://centre.example:8443",
            "https://centre.example",
            "null",
        ] {
            assert!(
                !origin_is_ours(&headers(&[host.clone(), (header::ORIGIN, foreign)]), &uri),
                "{foreign}"
            );
        }
        assert!(!origin_is_ours(
            &headers(&[(header::ORIGIN, "https://centre.example:8443")]),
            &uri
        ));
    }
}
