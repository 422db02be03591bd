//! The security headers on every answer the centre gives (pages, the API,
//! intake, fonts): what a browser may load and run on the centre's pages.
//!
//! - `Content-Security-Policy`: nothing by default; styles, images and
//!   fonts only from the centre itself (and the one inline style sheet the
//!   older pages carry, allowed by its hash, [`INLINE_STYLE_HASH`]); no
//!   script at all, inline or not; forms only to the centre; no framing;
//!   no `<base>`.
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
use base64::Engine;
use sha2::{Digest, Sha256};

/// The CSP source for the inline `<style>` of the login, password and
/// figures pages ([`crate::figures::STYLE`]).
pub static INLINE_STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(crate::figures::STYLE.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

/// The Content-Security-Policy (see the module's docs).
static POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let policy = format!(
        "default-src 'none'; style-src 'self' {}; img-src 'self'; font-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        *INLINE_STYLE_HASH
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII")
});

/// Adds the headers in the module's docs to the answer.
pub(crate) async fn security(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, POLICY.clone());
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
