//! `GET /board/attachments/{id}/{name}`: a post's file, for whoever reads
//! the post, as a download that a browser neither runs nor shows in the
//! centre's origin:
//!
//! - `Content-Type` is the type the file was found to be when it was
//!   attached ([`crate::board::attachments::FileKind`]), never what the
//!   uploader's browser claimed;
//! - `Content-Disposition: attachment` with the cleaned name, so that the
//!   browser saves it rather than opening it in the page;
//! - `X-Content-Type-Options: nosniff`, so that it is only what its type
//!   says;
//! - `Content-Security-Policy: sandbox; default-src 'none'` in place of
//!   the site's policy: should a browser show it all the same, it runs in
//!   an origin of its own with no script, no form and nothing loaded;
//! - `Cache-Control: no-store`, as every board page.
//!
//! `{name}` is only there so that the address ends with the file's name;
//! it is not read. A file of a post the reader may not read is answered
//! with the very page of a number that has no file.

use std::fmt::Write;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::layout::{self, Place};
use super::{alert, call_failure, html, viewer};
use crate::board::attachments::{AttachmentId, AttachmentMeta};
use crate::board::call::on_board;
use crate::pages::SignedIn;
use crate::server::Shared;

/// The policy a file is served with (see the module's docs).
const SANDBOX: &str = "sandbox; default-src 'none'";

/// The address of the file `meta`: `/board/attachments/{id}/{name}`, the
/// name percent-encoded (so the address is ASCII and safe in HTML as it
/// is).
pub(crate) fn path(meta: &AttachmentMeta) -> String {
    format!(
        "/board/attachments/{}/{}",
        meta.id.0,
        percent_encode(&meta.file_name)
    )
}

/// `text` as UTF-8 with every byte but the unreserved ones of RFC 3986
/// (`A–Z a–z 0–9 - . _ ~`) written `%XX`: fit for a path segment and for
/// `filename*=UTF-8''…` (RFC 8187).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `name` for the plain `filename="…"` of browsers that do not read
/// `filename*`: ASCII letters, digits, `-`, `_` and `.` kept, anything
/// else `_`.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub(super) async fn download(
    State(centre): State<Shared>,
    Extension(signed): Extension<SignedIn>,
    Path((id, _name)): Path<(String, String)>,
) -> Response {
    let Ok(id) = id.parse().map(AttachmentId) else {
        return no_such_file(&signed);
    };
    let reader = viewer(&signed);
    match on_board(&centre, move |board| board.attachment(&reader, id)).await {
        Ok(Some((meta, data))) => file(&meta, data),
        Ok(None) => no_such_file(&signed),
        Err(e) => call_failure(&signed, e),
    }
}

/// The answer that carries the file.
fn file(meta: &AttachmentMeta, data: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(&meta.file_name),
        percent_encode(&meta.file_name)
    );
    let Ok(disposition) = HeaderValue::from_str(&disposition) else {
        // Cannot happen: both names are ASCII by construction.
        return super::unavailable();
    };
    let headers: [(HeaderName, HeaderValue); 5] = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(meta.content_type()),
        ),
        (header::CONTENT_DISPOSITION, disposition),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(SANDBOX),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (StatusCode::OK, headers, data).into_response()
}

/// 404 for a file that does not exist or whose post the reader may not
/// read: the same page for both.
fn no_such_file(signed: &SignedIn) -> Response {
    html(
        StatusCode::NOT_FOUND,
        layout::page(
            signed,
            Place::Elsewhere,
            ("ファイルが見つかりません", "No such file"),
            true,
            &format!(
                "{}<p><a href=\"/board\">投稿一覧へ戻る <span lang=\"en\">Back to the posts</span></a></p>",
                alert(
                    "そのファイルはありません。削除されたか、公開範囲の外です。",
                    "There is no such file, or it is not shared with you."
                )
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_in_an_address_or_header_is_ascii_and_harmless() {
        assert_eq!(
            percent_encode("資料 <b>.pdf"),
            "%E8%B3%87%E6%96%99%20%3Cb%3E.pdf"
        );
        assert_eq!(percent_encode("a/../b\"c"), "a%2F..%2Fb%22c");
        assert_eq!(ascii_fallback("資料\";x.pdf"), "____x.pdf");
    }
}
