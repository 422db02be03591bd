//! The security headers on every answer the centre gives (pages, the API,
//! intake, fonts): what a browser may load and run on the centre's pages.
//!
//! - `Content-Security-Policy`: nothing by default; styles (`/style.css`,
//!   `/board/style.css`), images and fonts only from the centre itself,
//!   never inline; no script at all, inline or not; forms only to the
//!   centre; no framing; no `<base>`. An answer that brings its own
//!   policy keeps it: a board attachment is served with a stricter one
//!   (`sandbox`, see `board/pages/attachment.rs`).
//! - `Strict-Transport-Security`: a year, so a browser that has been here
//!   never tries plain HTTP.
//! - `X-Frame-Options: DENY` for browsers older than `frame-ancestors`.
//! - `X-Content-Type-Options: nosniff`: an answer is only what its
//!   `Content-Type` says.
//! - `Referrer-Policy: same-origin`: a post's address never leaves in a
//!   `Referer` when a link in it to another site is followed. Not
//!   `no-referrer`: with it, a browser sends `Origin: null` on the
//!   centre's own forms, which [`crate::pages::same_origin_posts`] must
//!   refuse.
//! - `Cross-Origin-Opener-Policy: same-origin` and
//!   `Cross-Origin-Resource-Policy: same-origin`.

use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy (see the module's docs).
static POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_static(
        "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
});

/// Adds the headers in the module's docs to the answer.
pub(crate) async fn security(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, POLICY.clone());
    }
    headers.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}
