//! Files attached to posts (添付ファイル): PDF documents and PNG or JPEG
//! images, at most [`MAX_FILES_PER_POST`] per post and [`MAX_FILE_BYTES`]
//! each, kept in the board's database (`board_attachments`) beside the
//! post they belong to.
//!
//! **Who reads a file** is whoever reads its post: every read joins the
//! owning post and applies [`readable_condition`], so that a file of a
//! post the reader may not read is answered exactly like a file that does
//! not exist. Only a post's author attaches files to it.
//!
//! **What a file is** is decided by its first bytes, never by its name or
//! by the type the browser claimed ([`FileKind::sniff`]); anything else is
//! refused. An image is decoded and encoded again in its own format
//! ([`prepare`]), which drops everything but its pixels: EXIF (a phone's
//! GPS position, the camera, the time), text chunks and colour profiles.
//! The EXIF orientation is applied to the pixels first, so that a photo
//! taken on its side still shows upright. An image of more than
//! [`MAX_PIXELS`] is refused before its pixels are decoded. A PDF is kept
//! byte for byte: **its own metadata (author, software, dates) is not
//! removed**, and no file's content is checked for personal information.
//!
//! **A file's name** is display text only ([`clean_file_name`]): no path,
//! no control or direction-changing characters, at most
//! [`MAX_FILE_NAME_CHARS`], and ending with the extension of what the file
//! really is. It is never used as a path; files live in the database.

use std::io::Cursor;
use std::sync::Mutex;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use rusqlite::types::{ToSql, Value};
use rusqlite::{Connection, Row, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use tsunagi_core::rfc3339::Timestamp;

use super::audit::{self, Action};
use super::model::{NewPost, PostId, Viewer};
use super::store::{BoardError, BoardStore, readable_post};
use super::visibility::readable_condition;

/// The most files one post may have.
pub const MAX_FILES_PER_POST: usize = 5;

/// The largest file that may be attached, as sent: 5 MiB.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// The most pixels an image may have (width × height): 40 megapixels, more
/// than a phone's camera makes. Checked from the image's header before its
/// pixels are decoded, so that a small file that would decode to gigabytes
/// is refused cheaply.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The most characters a file's name keeps.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// The JPEG quality images are encoded again with.
const JPEG_QUALITY: u8 = 90;

/// The table, made by [`BoardStore::new`].
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS board_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES board_posts (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (size = length(data))
) STRICT;
CREATE INDEX IF NOT EXISTS board_attachments_by_post ON board_attachments (post_id, id);
";

/// An attachment's number, given in the order files are attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttachmentId(pub i64);

/// What a file is, as told by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A PDF document (`%PDF-`), kept as sent.
    Pdf,
    /// A PNG image, encoded again.
    Png,
    /// A JPEG image, encoded again.
    Jpeg,
}

impl FileKind {
    /// What `data` is, from its first bytes; `None` for anything that is
    /// not one of the kinds above (HTML, SVG, a program, a zip file …).
    pub fn sniff(data: &[u8]) -> Option<Self> {
        if data.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    /// Its media type, stored and served as `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// The kind stored as `content_type`.
    pub fn from_content_type(text: &str) -> Option<Self> {
        [Self::Pdf, Self::Png, Self::Jpeg]
            .into_iter()
            .find(|k| k.content_type() == text)
    }

    /// The extension a file of this kind ends with.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }

    /// Its name for people: `PDF`, `PNG`, `JPEG`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
        }
    }

    /// Whether `extension` (without the dot, any case) is one a file of
    /// this kind may have.
    fn has_extension(self, extension: &str) -> bool {
        let extension = extension.to_ascii_lowercase();
        match self {
            Self::Pdf => extension == "pdf",
            Self::Png => extension == "png",
            Self::Jpeg => matches!(extension.as_str(), "jpg" | "jpeg" | "jpe"),
        }
    }
}

/// A file as sent: the name the browser gave (which may hold a path, or
/// anything at all) and its bytes. The type the browser claimed is not
/// kept: [`FileKind::sniff`] decides.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// The name as sent.
    pub file_name: String,
    /// The bytes as sent.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAttachment")
            .field("file_name", &"‹redacted›")
            .field("size", &self.data.len())
            .finish()
    }
}

/// A file checked and made ready to store by [`prepare`]: its name
/// cleaned, its kind known, an image encoded again without its metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedAttachment {
    file_name: String,
    kind: FileKind,
    data: Vec<u8>,
}

impl PreparedAttachment {
    /// Its cleaned name ([`clean_file_name`]).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// What the file is.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// The bytes that will be stored.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

impl std::fmt::Debug for PreparedAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedAttachment")
            .field("file_name", &"‹redacted›")
            .field("kind", &self.kind)
            .field("size", &self.data.len())
            .finish()
    }
}

/// A stored file, without its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    /// Its number.
    pub id: AttachmentId,
    /// The post it belongs to.
    pub post: PostId,
    /// Its name, cleaned ([`clean_file_name`]): display text, to be escaped.
    pub file_name: String,
    /// What it is.
    pub kind: FileKind,
    /// Its size in bytes, as stored (an image's after it was encoded again).
    pub size: u64,
    /// The SHA-256 of what is stored, in lowercase hex.
    pub sha256: String,
    /// When it was attached.
    pub created_at: Timestamp,
}

impl AttachmentMeta {
    /// Its media type.
    pub fn content_type(&self) -> &'static str {
        self.kind.content_type()
    }
}

impl std::fmt::Debug for AttachmentMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentMeta")
            .field("id", &self.id)
            .field("post", &self.post)
            .field("file_name", &"‹redacted›")
            .field("kind", &self.kind)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// One image is decoded at a time in the whole process, so that several
/// uploads at once hold at most one image's pixels (up to [`MAX_PIXELS`]
/// × 8 bytes) between them.
static DECODING: Mutex<()> = Mutex::new(());

/// Checks `file` and makes it ready to store: at most [`MAX_FILE_BYTES`]
/// ([`BoardError::FileTooLarge`]), a PDF, PNG or JPEG by its content
/// ([`BoardError::UnsupportedFile`]); an image is decoded (at most
/// [`MAX_PIXELS`], [`BoardError::ImageTooLarge`]; [`BoardError::BrokenImage`]
/// if it does not decode), turned as its EXIF orientation says, and
/// encoded again in its own format with nothing but its pixels. Blocks
/// (decoding a large image takes up to a second or so): call it on a
/// blocking thread, and outside the board's lock.
pub fn prepare(file: NewAttachment) -> Result<PreparedAttachment, BoardError> {
    if file.data.len() > MAX_FILE_BYTES {
        return Err(BoardError::FileTooLarge);
    }
    let kind = FileKind::sniff(&file.data).ok_or(BoardError::UnsupportedFile)?;
    let data = match kind {
        FileKind::Pdf => file.data,
        FileKind::Png => reencode(&file.data, ImageFormat::Png)?,
        FileKind::Jpeg => reencode(&file.data, ImageFormat::Jpeg)?,
    };
    Ok(PreparedAttachment {
        file_name: clean_file_name(&file.file_name, kind),
        kind,
        data,
    })
}

/// `data`, an image in `format`, decoded and encoded again in `format`.
fn reencode(data: &[u8], format: ImageFormat) -> Result<Vec<u8>, BoardError> {
    let _turn = DECODING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut reader = ImageReader::with_format(Cursor::new(data), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 8 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(BoardError::ImageTooLarge);
    }
    // A file whose EXIF does not read is shown as it is stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    image.apply_orientation(orientation);
    let mut out = Vec::new();
    match format {
        ImageFormat::Jpeg => {
            // JPEG holds no alpha and 8 bits a channel: a decoder that
            // gave anything else is brought to that first.
            let image = match image {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image,
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(
                Cursor::new(&mut out),
                JPEG_QUALITY,
            );
            image
                .write_with_encoder(encoder)
                .map_err(|_| BoardError::BrokenImage)?;
        }
        _ => {
            let encoder = image::codecs::png::PngEncoder::new(Cursor::new(&mut out));
            image
                .write_with_encoder(encoder)
                .map_err(|_| BoardError::BrokenImage)?;
        }
    }
    Ok(out)
}

/// Why an image did not decode: too large for the limits, or damaged.
fn image_error(e: image::ImageError) -> BoardError {
    match e {
        image::ImageError::Limits(_) => BoardError::ImageTooLarge,
        _ => BoardError::BrokenImage,
    }
}

/// `sent`, a file name as a browser sent it, as display text for a file of
/// `kind`: what follows the last `/` or `\`, without control characters
/// or the characters that turn text's direction (U+202E before `fdp.exe`
/// makes a program's name read as `exe.pdf`), whitespace trimmed, leading
/// dots removed, at most [`MAX_FILE_NAME_CHARS`] characters, and ending
/// with `kind`'s extension (added when the name has another, so that a
/// PDF named `page.html` is saved as `page.html.pdf`). An empty name
/// becomes `添付ファイル.pdf` (or `.png`, `.jpg`).
pub fn clean_file_name(sent: &str, kind: FileKind) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_direction_mark(*c))
        .collect();
    let kept = kept.trim().trim_start_matches('.').trim();
    let stem_and_extension = match kept.rsplit_once('.') {
        Some((stem, extension)) if kind.has_extension(extension) => {
            (stem.to_owned(), extension.to_owned())
        }
        _ => (kept.to_owned(), kind.extension().to_owned()),
    };
    let (mut stem, extension) = stem_and_extension;
    if stem.trim().is_empty() {
        stem = "添付ファイル".to_owned();
    }
    let room = MAX_FILE_NAME_CHARS - extension.chars().count() - 1;
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{extension}", stem.trim_end())
}

/// The characters that change the direction text is shown in.
fn is_direction_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The columns an [`AttachmentMeta`] is read from, on `board_attachments a`.
const META_COLUMNS: &str = "a.id, a.post_id, a.file_name, a.content_type, a.size, a.sha256, \
     a.created_at";

impl BoardStore {
    /// Attaches `file` to the post `post`: only its author may
    /// ([`BoardError::NotAuthor`]), a post `author` may not read or a
    /// deleted one is [`BoardError::NoSuchPost`], and a post has at most
    /// [`MAX_FILES_PER_POST`] files ([`BoardError::TooManyFiles`]). The
    /// file is checked and, if an image, encoded again ([`prepare`]) while
    /// the board is held: pages call [`prepare`] first and
    /// [`BoardStore::create_post_with_attachments`].
    pub fn attach(
        &mut self,
        author: &Viewer,
        post: PostId,
        file: NewAttachment,
    ) -> Result<AttachmentId, BoardError> {
        let prepared = prepare(file)?;
        let mut ids = self.attach_prepared(author, post, vec![prepared])?;
        ids.pop().ok_or(BoardError::Damaged)
    }

    /// Stores `post` with `files` (already [`prepare`]d) attached. The
    /// count is checked first, so a post with too many files is not made.
    /// The post is stored, then its files in one transaction; should that
    /// transaction fail (the database, not the files: they were checked),
    /// the post is deleted again as its author would delete it, and the
    /// error is returned.
    pub fn create_post_with_attachments(
        &mut self,
        author: &Viewer,
        post: &NewPost,
        files: Vec<PreparedAttachment>,
    ) -> Result<PostId, BoardError> {
        if files.len() > MAX_FILES_PER_POST {
            return Err(BoardError::TooManyFiles);
        }
        let id = self.create_post(author, post)?;
        if files.is_empty() {
            return Ok(id);
        }
        if let Err(e) = self.attach_prepared(author, id, files) {
            if self.delete_post(author, id).is_err() {
                eprintln!("tsunagi-centre: a post whose files were not stored stays");
            }
            return Err(e);
        }
        Ok(id)
    }

    /// Stores `files` on the post `post`, all or none, one audit entry
    /// each.
    fn attach_prepared(
        &mut self,
        author: &Viewer,
        post: PostId,
        files: Vec<PreparedAttachment>,
    ) -> Result<Vec<AttachmentId>, BoardError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = readable_post(&tx, author, post)?.ok_or(BoardError::NoSuchPost)?;
        if found.deleted {
            return Err(BoardError::NoSuchPost);
        }
        if found.author != *author.login() {
            return Err(BoardError::NotAuthor);
        }
        let already: i64 = tx.query_row(
            "SELECT count(*) FROM board_attachments WHERE post_id = ?1",
            params![post.0],
            |row| row.get(0),
        )?;
        let already = usize::try_from(already).map_err(|_| BoardError::Damaged)?;
        if already + files.len() > MAX_FILES_PER_POST {
            return Err(BoardError::TooManyFiles);
        }
        let now = Timestamp::now();
        let mut ids = Vec::with_capacity(files.len());
        for file in files {
            let sha256 = hex::encode(Sha256::digest(&file.data));
            let size = i64::try_from(file.data.len()).map_err(|_| BoardError::FileTooLarge)?;
            tx.execute(
                "INSERT INTO board_attachments
                     (post_id, file_name, content_type, size, sha256, data, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    post.0,
                    file.file_name,
                    file.kind.content_type(),
                    size,
                    sha256,
                    file.data,
                    now
                ],
            )?;
            let id = AttachmentId(tx.last_insert_rowid());
            audit::record(
                &tx,
                author.login(),
                Action::Attached,
                Some(post),
                None,
                Some(&format!("{} {}", id.0, file.kind.content_type())),
            )?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The files of the post `post`, in the order they were attached; none
    /// if `viewer` may not read the post (or it does not exist).
    pub fn attachments(
        &mut self,
        viewer: &Viewer,
        post: PostId,
    ) -> Result<Vec<AttachmentMeta>, BoardError> {
        let condition = readable_condition(viewer);
        let sql = format!(
            "SELECT {META_COLUMNS} FROM board_attachments a JOIN board_posts p ON p.id = a.post_id
             WHERE a.post_id = :board_post_id AND {} ORDER BY a.id",
            condition.sql
        );
        let mut params = condition.params;
        params.push((":board_post_id", Value::Integer(post.0)));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(bound(&params).as_slice())?;
        let mut found = Vec::new();
        while let Some(row) = rows.next()? {
            found.push(meta_from_row(row)?);
        }
        Ok(found)
    }

    /// The file `id` with its bytes, if `viewer` may read its post; a file
    /// of a post `viewer` may not read is `Ok(None)`, as one that does not
    /// exist.
    pub fn attachment(
        &mut self,
        viewer: &Viewer,
        id: AttachmentId,
    ) -> Result<Option<(AttachmentMeta, Vec<u8>)>, BoardError> {
        read_attachment(&self.conn, viewer, id)
    }
}

/// The file `id` and its bytes, if `viewer` may read its post.
fn read_attachment(
    conn: &Connection,
    viewer: &Viewer,
    id: AttachmentId,
) -> Result<Option<(AttachmentMeta, Vec<u8>)>, BoardError> {
    let condition = readable_condition(viewer);
    let sql = format!(
        "SELECT {META_COLUMNS}, a.data FROM board_attachments a JOIN board_posts p ON p.id = a.post_id
         WHERE a.id = :board_attachment_id AND {}",
        condition.sql
    );
    let mut params = condition.params;
    params.push((":board_attachment_id", Value::Integer(id.0)));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(bound(&params).as_slice())?;
    match rows.next()? {
        Some(row) => {
            let meta = meta_from_row(row)?;
            let data: Vec<u8> = row.get(7)?;
            Ok(Some((meta, data)))
        }
        None => Ok(None),
    }
}

/// The file in a row of [`META_COLUMNS`].
fn meta_from_row(row: &Row<'_>) -> Result<AttachmentMeta, BoardError> {
    let kind = FileKind::from_content_type(&row.get::<_, String>(3)?).ok_or(BoardError::Damaged)?;
    Ok(AttachmentMeta {
        id: AttachmentId(row.get(0)?),
        post: PostId(row.get(1)?),
        file_name: row.get(2)?,
        kind,
        size: u64::try_from(row.get::<_, i64>(4)?).map_err(|_| BoardError::Damaged)?,
        sha256: row.get(5)?,
        created_at: row.get(6)?,
    })
}

/// `params` as rusqlite binds named parameters.
fn bound<'a>(params: &'a [(&'static str, Value)]) -> Vec<(&'a str, &'a dyn ToSql)> {
    params
        .iter()
        .map(|(name, value)| (*name, value as &dyn ToSql))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_keeps_no_path_and_no_control_characters() {
        assert_eq!(
            clean_file_name("../../etc/passwd", FileKind::Pdf),
            "passwd.pdf"
        );
        assert_eq!(
            clean_file_name("C:\\Users\\aoi\\資料.PDF", FileKind::Pdf),
            "資料.PDF"
        );
        assert_eq!(
            clean_file_name("a\u{0}b\r\nc\u{202E}fdp.exe", FileKind::Pdf),
            "abcfdp.exe.pdf"
        );
        assert_eq!(clean_file_name("..", FileKind::Png), "添付ファイル.png");
        assert_eq!(clean_file_name("", FileKind::Jpeg), "添付ファイル.jpg");
        assert_eq!(clean_file_name("photo.JPEG", FileKind::Jpeg), "photo.JPEG");
    }

    #[test]
    fn a_name_is_cut_but_keeps_its_extension() {
        let long = format!("{}.pdf", "長".repeat(500));
        let cleaned = clean_file_name(&long, FileKind::Pdf);
        assert_eq!(cleaned.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cleaned.ends_with(".pdf"));
    }

    #[test]
    fn a_file_is_known_by_its_content_not_its_name() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(b"<html><script>"), None);
        assert_eq!(FileKind::sniff(b"<svg xmlns="), None);
        assert_eq!(FileKind::sniff(b""), None);
    }

    #[test]
    fn an_image_that_would_decode_too_large_is_refused() {
        // A PNG of a few bytes that claims 100 000 × 100 000 pixels.
        let mut header = 100_000_u32.to_be_bytes().to_vec();
        header.extend_from_slice(&100_000_u32.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&chunk(b"IHDR", &header));
        png.extend_from_slice(&chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0, 0, 0, 0, 1]));
        png.extend_from_slice(&chunk(b"IEND", &[]));
        let refused = prepare(NewAttachment {
            file_name: "bomb.png".into(),
            data: png,
        });
        assert!(
            matches!(refused, Err(BoardError::ImageTooLarge)),
            "{refused:?}"
        );
    }

    /// A PNG chunk: length, type, data, CRC.
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(data.len())
            .expect("a short chunk")
            .to_be_bytes()
            .to_vec();
        let mut typed = kind.to_vec();
        typed.extend_from_slice(data);
        out.extend_from_slice(&typed);
        out.extend_from_slice(&crc32(&typed).to_be_bytes());
        out
    }

    /// The CRC of a PNG chunk's type and data.
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
}
