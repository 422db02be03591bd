//! Files on posts through the centre's real router, sent as a browser
//! sends the new-post form (`multipart/form-data`): a photo's EXIF (its GPS
//! position) is gone from what is served, a PDF comes back as a download a
//! browser does not run, a file is typed by its content and not its name,
//! the limits refuse and store nothing, another agency gets the 404 of a
//! file that does not exist, a hostile name stays text, and the CSRF token
//! comes before any file.

mod common;

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use image::{ImageEncoder, RgbImage};
use tower::ServiceExt;
use tsunagi_centre::board::attachments::{MAX_FILE_BYTES, MAX_FILES_PER_POST};

use common::board::{
    ADMIN, AUTHOR, Browser, OUTSIDER, PARTNER, PARTNER_AGENCY, board_site as site, log_in,
};
use common::site::{Answer, HOST, ORIGIN, Site};

/// Text hidden in every test image's EXIF, as a phone writes where a
/// photo was taken.
const GPS_MARK: &[u8] = b"GPS 35.6581N 139.7414E home-of-client";

/// A small PDF.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// One part of a `multipart/form-data` body.
enum Part<'a> {
    /// A text field.
    Text(&'a str, &'a str),
    /// A file in the field `file`: its name and the type the browser
    /// claims.
    File(&'a str, &'a str, &'a [u8]),
}

const BOUNDARY: &str = "----tsunagi-test-boundary-7MA4YWxkTrZu0gW";

/// `parts` as a browser encodes a form with files.
fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(file_name, claimed, data) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                         Content-Type: {claimed}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(data);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A new post's text fields (shared with [`PARTNER_AGENCY`]), `title`
/// its title, the CSRF token `csrf` first as the page's form has it.
fn post_fields<'a>(csrf: &'a str, title: &'a str) -> Vec<Part<'a>> {
    vec![
        Part::Text("csrf", csrf),
        Part::Text("title", title),
        Part::Text("category", "techniques"),
        Part::Text("kind", "information"),
        Part::Text("body", "面談で使った資料を共有します。"),
        Part::Text("visibility", "agencies"),
        Part::Text("agency", PARTNER_AGENCY),
    ]
}

impl Browser {
    /// Sends the new-post form with `parts`.
    async fn send_form(&self, site: &Site, parts: &[Part<'_>]) -> Answer {
        let request = Request::post("/board/posts")
            .header(header::HOST, HOST)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(header::COOKIE, &self.cookie)
            .header(header::ORIGIN, ORIGIN)
            .body(Body::from(multipart(parts)))
            .expect("a request");
        site.send(request).await
    }

    /// Posts `title` with `files` (name, claimed type, bytes): the post's
    /// address.
    async fn post_with(&self, site: &Site, title: &str, files: &[Part<'_>]) -> String {
        let mut parts = post_fields(&self.csrf, title);
        for file in files {
            let Part::File(name, claimed, data) = file else {
                panic!("files only");
            };
            parts.push(Part::File(name, claimed, data));
        }
        let answer = self.send_form(site, &parts).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        answer.location.expect("goes to the post")
    }

    /// GET `path` and the raw bytes of the answer.
    async fn fetch(&self, site: &Site, path: &str) -> (axum::http::HeaderMap, StatusCode, Vec<u8>) {
        let request = Request::get(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .expect("a request");
        let response = tsunagi_centre::server::router(Arc::clone(&site.centre))
            .oneshot(request)
            .await
            .expect("the router answers");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("a body");
        (parts.headers, parts.status, bytes.to_vec())
    }
}

/// The attachment links on a post's page, in order.
fn attachment_links(page: &str) -> Vec<String> {
    page.split("href=\"/board/attachments/")
        .skip(1)
        .map(|rest| {
            format!(
                "/board/attachments/{}",
                rest.split('"').next().expect("a closing quote")
            )
        })
        .collect()
}

/// An EXIF block (TIFF, little-endian) with the orientation `orientation`
/// and [`GPS_MARK`] after it.
fn exif(orientation: u8) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&[1, 0]); // one entry
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0]);
    tiff.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    tiff.extend_from_slice(GPS_MARK);
    tiff
}

/// A `width` × `height` JPEG with an APP1 Exif segment (orientation 6:
/// turned a quarter clockwise, as a phone held upright writes it).
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, _| image::Rgb([(x * 6) as u8, 90, 160]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut plain), 90)
        .write_image(&image, width, height, image::ExtendedColorType::Rgb8)
        .expect("encodes");
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&exif(6));
    let length = u16::try_from(payload.len() + 2).expect("a short segment");
    let mut jpeg = plain[..2].to_vec(); // SOI
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&length.to_be_bytes());
    jpeg.extend_from_slice(&payload);
    jpeg.extend_from_slice(&plain[2..]);
    jpeg
}

/// A PNG with an `eXIf` chunk before its end.
fn png_with_exif() -> Vec<u8> {
    let image = RgbImage::from_fn(30, 10, |x, y| image::Rgb([x as u8 * 8, y as u8 * 20, 50]));
    let mut plain = Vec::new();
    image::codecs::png::PngEncoder::new(Cursor::new(&mut plain))
        .write_image(&image, 30, 10, image::ExtendedColorType::Rgb8)
        .expect("encodes");
    let data = exif(1);
    let mut chunk = u32::try_from(data.len())
        .expect("short")
        .to_be_bytes()
        .to_vec();
    let mut typed = b"eXIf".to_vec();
    typed.extend_from_slice(&data);
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    let end = plain.len() - 12; // IEND
    let mut png = plain[..end].to_vec();
    png.extend_from_slice(&chunk);
    png.extend_from_slice(&plain[end..]);
    png
}

/// The CRC of a PNG chunk.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn header(headers: &axum::http::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_photos_exif_and_gps_position_are_gone_from_what_is_served() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let jpeg = jpeg_with_exif(40, 20);
    let png = png_with_exif();
    assert!(contains(&jpeg, GPS_MARK) && contains(&jpeg, b"Exif\0\0"));
    assert!(contains(&png, GPS_MARK) && contains(&png, b"eXIf"));
    let at = author
        .post_with(
            &site,
            "写真つきの報告",
            &[
                Part::File("IMG_0001.JPG", "image/jpeg", &jpeg),
                Part::File("screen.png", "image/png", &png),
            ],
        )
        .await;

    let page = author.get(&site, &at).await;
    let links = attachment_links(&page.body);
    assert_eq!(links.len(), 2, "{}", page.body);
    assert!(page.body.contains(">IMG_0001.JPG</a>"), "{}", page.body);
    assert!(
        page.body.contains("JPEG ・ "),
        "the type and size are shown"
    );

    let (headers, status, served) = author.fetch(&site, &links[0]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "image/jpeg");
    assert!(!contains(&served, GPS_MARK), "the GPS position is gone");
    assert!(!contains(&served, b"Exif"), "no EXIF segment at all");
    let decoded = image::load_from_memory(&served).expect("still a JPEG");
    assert_eq!(
        (decoded.width(), decoded.height()),
        (20, 40),
        "turned upright as its EXIF said, before the EXIF was dropped"
    );

    let (headers, status, served) = author.fetch(&site, &links[1]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "image/png");
    assert!(!contains(&served, GPS_MARK));
    assert!(!contains(&served, b"eXIf"));
    let decoded = image::load_from_memory(&served).expect("still a PNG");
    assert_eq!((decoded.width(), decoded.height()), (30, 10));

    // Both are in the audit log, by number and type only.
    let admin = log_in(&site, ADMIN).await;
    let audit = admin.get(&site, "/board/audit").await;
    assert_eq!(
        audit.body.matches("ファイル添付").count(),
        2,
        "{}",
        audit.body
    );
    assert!(!audit.body.contains("IMG_0001"), "no file name in the log");
}

#[tokio::test]
async fn a_pdf_is_served_as_a_download_the_browser_does_not_run() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    // The browser's claim is ignored: the content says PDF.
    let at = author
        .post_with(
            &site,
            "資料の共有",
            &[Part::File("就労支援の資料.pdf", "text/html", PDF)],
        )
        .await;
    let page = author.get(&site, &at).await;
    let links = attachment_links(&page.body);
    assert_eq!(links.len(), 1, "{}", page.body);
    assert!(
        page.body.contains(">就労支援の資料.pdf</a>"),
        "{}",
        page.body
    );

    let (headers, status, served) = author.fetch(&site, &links[0]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served, PDF, "a PDF is kept byte for byte");
    assert_eq!(header(&headers, "content-type"), "application/pdf");
    let disposition = header(&headers, "content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains(
            "filename*=UTF-8''%E5%B0%B1%E5%8A%B4%E6%94%AF%E6%8F%B4%E3%81%AE%E8%B3%87%E6%96%99.pdf"
        ),
        "{disposition}"
    );
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&headers, "content-security-policy"),
        "sandbox; default-src 'none'"
    );
    assert_eq!(header(&headers, "cache-control"), "no-store");

    // The API lists it with the post.
    let id = at.rsplit('/').next().expect("an id");
    let json = author.get(&site, &format!("/api/posts/{id}")).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    let files = value["attachments"].as_array().expect("a list");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["file_name"], "就労支援の資料.pdf");
    assert_eq!(files[0]["content_type"], "application/pdf");
    assert_eq!(files[0]["size"], PDF.len());
    assert_eq!(files[0]["url"], links[0].as_str());
}

#[tokio::test]
async fn a_file_is_typed_by_its_content_so_html_named_png_is_refused_and_nothing_stored() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let mut parts = post_fields(&author.csrf, "偽の画像つき");
    parts.push(Part::File(
        "photo.png",
        "image/png",
        b"<html><script>alert(document.cookie)</script></html>",
    ));
    let answer = author.send_form(&site, &parts).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("添付できるのはPDFとPNG・JPEGの画像だけです"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("photo.png"), "names the file");
    assert!(
        answer.body.contains("もう一度選んでください"),
        "files again"
    );
    assert!(
        answer.body.contains("value=\"偽の画像つき\""),
        "the text is kept"
    );
    let list = author.get(&site, "/board").await;
    assert!(!list.body.contains("偽の画像つき"), "no post was stored");
}

#[tokio::test]
async fn a_file_over_the_limits_is_refused_and_nothing_is_stored() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let mut big = PDF.to_vec();
    big.resize(MAX_FILE_BYTES + 1, b' ');
    let mut parts = post_fields(&author.csrf, "大きすぎる資料");
    parts.push(Part::File("big.pdf", "application/pdf", &big));
    let answer = author.send_form(&site, &parts).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert!(answer.body.contains("5 MBまで"), "{}", answer.body);

    // Exactly the limit is taken.
    big.truncate(MAX_FILE_BYTES);
    let at = author
        .post_with(
            &site,
            "ちょうど上限の資料",
            &[Part::File("limit.pdf", "application/pdf", &big)],
        )
        .await;
    assert_eq!(
        attachment_links(&author.get(&site, &at).await.body).len(),
        1
    );

    // One file too many.
    let mut parts = post_fields(&author.csrf, "多すぎる添付");
    for _ in 0..=MAX_FILES_PER_POST {
        parts.push(Part::File("a.pdf", "application/pdf", PDF));
    }
    let answer = author.send_form(&site, &parts).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(answer.body.contains("5つまで"), "{}", answer.body);

    let list = author.get(&site, "/board").await;
    assert!(!list.body.contains("大きすぎる資料"), "nothing stored");
    assert!(!list.body.contains("多すぎる添付"), "nothing stored");
}

#[tokio::test]
async fn another_agency_gets_for_a_file_the_same_404_as_for_no_file() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let at = author
        .post_with(
            &site,
            "協力機関への資料",
            &[Part::File("資料.pdf", "application/pdf", PDF)],
        )
        .await;
    let link = attachment_links(&author.get(&site, &at).await.body)
        .pop()
        .expect("a link");

    let partner = log_in(&site, PARTNER).await;
    let (_, status, served) = partner.fetch(&site, &link).await;
    assert_eq!(status, StatusCode::OK, "the chosen agency reads it");
    assert_eq!(served, PDF);

    let outsider = log_in(&site, OUTSIDER).await;
    let hidden = outsider.get(&site, &link).await;
    let missing = outsider
        .get(&site, "/board/attachments/999999/%E8%B3%87%E6%96%99.pdf")
        .await;
    let not_a_number = outsider.get(&site, "/board/attachments/x/a.pdf").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.status, missing.status);
    assert_eq!(
        hidden.body, missing.body,
        "a hidden file looks like no file"
    );
    assert_eq!(hidden.body, not_a_number.body);
    assert!(!hidden.body.contains("資料"), "{}", hidden.body);
    // Nor does the API tell: the post is 404 as a whole.
    let id = at.rsplit('/').next().expect("an id");
    let json = outsider.get(&site, &format!("/api/posts/{id}")).await;
    assert_eq!(json.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_file_name_with_script_or_a_path_is_shown_as_text_and_never_used_as_a_path() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let at = author
        .post_with(
            &site,
            "名前の怪しいファイル",
            &[
                Part::File(
                    "<script>alert('name')<script><img src=x onerror=alert(1)>.pdf",
                    "application/pdf",
                    PDF,
                ),
                Part::File("../../etc/passwd", "application/pdf", PDF),
                Part::File("..\\..\\Windows\\win.ini", "application/pdf", PDF),
            ],
        )
        .await;
    let page = author.get(&site, &at).await;
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(!page.body.contains("<img"), "{}", page.body);
    assert!(
        page.body
            .contains("&lt;script&gt;alert('name')&lt;script&gt;&lt;img"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">passwd.pdf</a>"), "{}", page.body);
    assert!(page.body.contains(">win.ini.pdf</a>"), "{}", page.body);
    assert!(!page.body.contains("../"), "no path is kept");
    let links = attachment_links(&page.body);
    assert_eq!(links.len(), 3);
    for link in &links {
        assert!(
            link.bytes().all(|b| b.is_ascii_graphic() && b != b'<'),
            "{link}"
        );
    }
    let (headers, status, _) = author.fetch(&site, &links[0]).await;
    assert_eq!(status, StatusCode::OK);
    let disposition = header(&headers, "content-disposition");
    assert!(
        disposition.contains("filename*=UTF-8''%3Cscript%3Ealert%28%27name%27%29"),
        "{disposition}"
    );
    // Files live in the database: nothing was written by those names.
    assert!(
        files_under(site.fixture.dir.path())
            .iter()
            .all(|name| !name.contains("passwd") && !name.contains("script")),
        "{:?}",
        files_under(site.fixture.dir.path())
    );
}

/// The names of every file under `dir`.
fn files_under(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads the folder") {
        let entry = entry.expect("an entry");
        if entry.file_type().expect("a type").is_dir() {
            names.extend(files_under(&entry.path()));
        }
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names
}

#[tokio::test]
async fn a_form_with_files_needs_its_csrf_token_before_the_files() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    for token in ["", "not-the-token"] {
        let mut parts = post_fields(token, "トークンなしの添付");
        parts.push(Part::File("a.pdf", "application/pdf", PDF));
        let answer = author.send_form(&site, &parts).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{token:?}");
    }
    // The right token, but after the file: refused before the file is
    // read.
    let mut parts: Vec<Part<'_>> = post_fields(&author.csrf, "トークンが後ろ")
        .into_iter()
        .filter(|p| !matches!(p, Part::Text("csrf", _)))
        .collect();
    parts.push(Part::File("a.pdf", "application/pdf", PDF));
    parts.push(Part::Text("csrf", &author.csrf));
    let answer = author.send_form(&site, &parts).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    let list = author.get(&site, "/board").await;
    assert!(!list.body.contains("トークンなしの添付"));
    assert!(!list.body.contains("トークンが後ろ"));
}

#[tokio::test]
async fn the_new_post_form_sends_files() {
    let site = site();
    let author = log_in(&site, AUTHOR).await;
    let form = author.get(&site, "/board/new").await;
    assert!(
        form.body.contains("enctype=\"multipart/form-data\""),
        "{}",
        form.body
    );
    assert!(form.body.contains(
        "<input type=\"file\" id=\"file\" name=\"file\" multiple accept=\"application/pdf,image/png,image/jpeg\""
    ));
    assert!(form.body.contains("<label for=\"file\">"));
}
