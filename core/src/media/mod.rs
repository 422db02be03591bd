//! Photos and video (写真・動画) of a case: the encrypted file format, photo
//! sanitizing, and recognising what a file is.
//!
//! - [`file`]: one item a file, encrypted in authenticated chunks
//!   ([`MediaWriter`] as it is written, [`MediaReader`] as it is read);
//! - [`photo`]: decode, orient, shrink and re-encode a photo with no
//!   metadata at all (no GPS, no EXIF, no XMP, no ICC, no comments);
//! - [`video`]: the seam for importing a video file ([`VideoImport`]).
//!
//! The store keeps each item's key and details in its database
//! (`Store::import_photo` and the other media methods in
//! [`store`](crate::store)).

pub mod file;
#[doc(hidden)]
pub mod fixtures;
pub mod photo;
pub mod video;

use std::io;

use serde::{Deserialize, Serialize};

pub use file::{MediaKey, MediaReader, MediaWriter, WrittenMedia};
pub use video::{AsIsVideo, ImportedVideo, VideoImport};

/// Why a media item could not be stored or read. Messages never name the
/// file's content, caption or owner.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Authentication failed: a changed byte, a cut-off end, chunks out of
    /// order, or a key that is not this file's.
    #[error(
        "写真・動画のファイルが壊れているか改ざんされています (the media file is damaged or has been altered)"
    )]
    Damaged,
    /// The file was written by a newer version of Tsunagi.
    #[error("the media file has format version {0}, which this version of Tsunagi cannot read")]
    UnknownVersion(u8),
    /// The bytes are not a picture in a format Tsunagi reads.
    #[error(
        "写真として読み込めません (this is not a photo Tsunagi can read: JPEG, PNG, WebP, GIF or TIFF)"
    )]
    NotAnImage,
    /// The picture is cut off or its data is broken.
    #[error("写真のデータが途中で切れているか壊れています (the photo is cut off or broken)")]
    BrokenImage,
    /// The bytes are neither a photo nor a video Tsunagi can read.
    #[error("写真・動画として認識できません (not a photo or a video Tsunagi can read)")]
    UnknownKind,
    /// Over the configured size or length limit.
    #[error("写真・動画が上限を超えています (the item is over the size or length limit)")]
    TooLarge,
    /// The file could not be read or written.
    #[error("the media file could not be read or written: {0}")]
    Io(io::Error),
}

impl From<io::Error> for MediaError {
    /// Recovers a `MediaError` that travelled inside an `io::Error` (from
    /// [`MediaReader`]'s `Read` or [`MediaWriter`]'s `Write`).
    fn from(e: io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<MediaError>()) {
            let inner = e
                .into_inner()
                .expect("checked above")
                .downcast::<MediaError>()
                .expect("checked above");
            return *inner;
        }
        Self::Io(e)
    }
}

/// What a media item is (種類).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// 写真: a sanitized JPEG.
    Photo,
    /// 動画: a video (MP4 / QuickTime).
    Video,
}

impl MediaKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Video => "video",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Photo, Self::Video]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Photo => "写真",
            Self::Video => "動画",
        }
    }
}

/// Limits on what is stored (上限), kept in the store's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaLimits {
    /// Photos are shrunk so that their longer side is at most this many
    /// pixels (default 2000).
    pub max_photo_edge: u32,
    /// The largest video accepted, in bytes (default 2 GiB).
    pub max_video_bytes: u64,
    /// The longest video accepted, in milliseconds (default 10 minutes).
    pub max_video_ms: u64,
}

impl Default for MediaLimits {
    fn default() -> Self {
        Self {
            max_photo_edge: 2000,
            max_video_bytes: 2 * 1024 * 1024 * 1024,
            max_video_ms: 10 * 60 * 1000,
        }
    }
}

/// What the capture or import knows about a video.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoInfo {
    /// `video/mp4` or `video/quicktime`.
    pub mime: String,
    /// Length in milliseconds.
    pub duration_ms: u64,
}

/// The long edge of the poster (サムネイル) kept for every item.
pub const POSTER_EDGE: u32 = 320;

/// What the first bytes of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A picture format the photo importer reads.
    Photo,
    /// An ISO base-media file (`ftyp` box): MP4 or QuickTime, with its MIME
    /// type.
    Video(&'static str),
}

/// Recognises a photo or an MP4/MOV video by content, not by file name.
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let mime = if &head[8..12] == b"qt  " {
            "video/quicktime"
        } else {
            "video/mp4"
        };
        return Some(Sniffed::Video(mime));
    }
    image::guess_format(head).ok().and_then(|f| {
        matches!(
            f,
            image::ImageFormat::Jpeg
                | image::ImageFormat::Png
                | image::ImageFormat::WebP
                | image::ImageFormat::Gif
                | image::ImageFormat::Tiff
        )
        .then_some(Sniffed::Photo)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_and_videos_are_recognised_by_content() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"), Some(Sniffed::Photo));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(Sniffed::Photo)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypisom\0\0\x02\0"),
            Some(Sniffed::Video("video/mp4"))
        );
        assert_eq!(
            sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"),
            Some(Sniffed::Video("video/quicktime"))
        );
        assert_eq!(sniff(b"just some text, not media"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_media_error_survives_a_trip_through_io_error() {
        let e = io::Error::new(io::ErrorKind::InvalidData, MediaError::Damaged);
        assert!(matches!(MediaError::from(e), MediaError::Damaged));
        let e = io::Error::other("disk gone");
        assert!(matches!(MediaError::from(e), MediaError::Io(_)));
    }
}
