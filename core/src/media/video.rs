//! Video import (動画の取り込み): the seam between a video file on disk and
//! the store's encrypting writer.
//!
//! A [`VideoImport`] reads a source file and writes the video the store
//! should keep into a `Write` — the store's [`MediaWriter`](super::MediaWriter),
//! which encrypts as it goes. [`AsIsVideo`] keeps an MP4 or QuickTime file
//! as it is; a transcoder (GStreamer, to H.264 Main 4:2:0 in MP4) implements
//! the same trait and also gives a poster frame.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use image::{DynamicImage, Rgb, RgbImage};

use super::{MediaError, Sniffed, VideoInfo, photo, sniff};

/// What an import learnt about the video it wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedVideo {
    /// Its type and length.
    pub info: VideoInfo,
    /// A frame to show before it plays (JPEG or PNG), when the importer can
    /// make one.
    pub poster: Option<Vec<u8>>,
}

/// Turns a video file into the bytes the store keeps.
pub trait VideoImport {
    /// Reads `source` and writes the video to keep into `out`, plaintext.
    /// `out` encrypts as it is written; it may refuse a write past the size
    /// limit with an `io::Error` wrapping [`MediaError::TooLarge`].
    fn import(&self, source: &Path, out: &mut dyn Write) -> Result<ImportedVideo, MediaError>;
}

/// Keeps an MP4 or QuickTime file as it is, reading its length from the
/// `mvhd` box. Makes no poster.
#[derive(Clone, Copy, Debug, Default)]
pub struct AsIsVideo;

impl VideoImport for AsIsVideo {
    fn import(&self, source: &Path, out: &mut dyn Write) -> Result<ImportedVideo, MediaError> {
        let mut file = File::open(source)?;
        let mut head = [0u8; 16];
        let n = read_up_to(&mut file, &mut head)?;
        let Some(Sniffed::Video(mime)) = sniff(&head[..n]) else {
            return Err(MediaError::UnknownKind);
        };
        file.seek(SeekFrom::Start(0))?;
        let duration_ms = mp4_duration_ms(&mut file)?.ok_or(MediaError::UnknownKind)?;
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut file, out)?;
        Ok(ImportedVideo {
            info: VideoInfo {
                mime: mime.to_owned(),
                duration_ms,
            },
            poster: None,
        })
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The length of an ISO base-media file (MP4, MOV) from `moov/mvhd`, in
/// milliseconds; `None` when there is no readable `mvhd`.
pub fn mp4_duration_ms(r: &mut (impl Read + Seek)) -> io::Result<Option<u64>> {
    let end = r.seek(SeekFrom::End(0))?;
    find_mvhd(r, 0, end, 0)
}

fn find_mvhd(
    r: &mut (impl Read + Seek),
    mut at: u64,
    end: u64,
    depth: u32,
) -> io::Result<Option<u64>> {
    while at + 8 <= end {
        r.seek(SeekFrom::Start(at))?;
        let mut head = [0u8; 16];
        if read_up_to(r, &mut head[..8])? < 8 {
            return Ok(None);
        }
        let mut size = u64::from(u32::from_be_bytes(head[..4].try_into().expect("4 bytes")));
        let kind: [u8; 4] = head[4..8].try_into().expect("4 bytes");
        let mut header = 8;
        if size == 1 {
            if read_up_to(r, &mut head[8..16])? < 8 {
                return Ok(None);
            }
            size = u64::from_be_bytes(head[8..16].try_into().expect("8 bytes"));
            header = 16;
        } else if size == 0 {
            size = end - at;
        }
        if size < header || at + size > end {
            return Ok(None);
        }
        match &kind {
            b"moov" if depth == 0 => return find_mvhd(r, at + header, at + size, 1),
            b"mvhd" if depth == 1 => {
                let mut body = [0u8; 32];
                let n = read_up_to(r, &mut body)?;
                let (timescale, duration) = match body[0] {
                    0 if n >= 20 => (
                        u32::from_be_bytes(body[12..16].try_into().expect("4 bytes")),
                        u64::from(u32::from_be_bytes(
                            body[16..20].try_into().expect("4 bytes"),
                        )),
                    ),
                    1 if n >= 32 => (
                        u32::from_be_bytes(body[20..24].try_into().expect("4 bytes")),
                        u64::from_be_bytes(body[24..32].try_into().expect("8 bytes")),
                    ),
                    _ => return Ok(None),
                };
                if timescale == 0 {
                    return Ok(None);
                }
                let ms = u128::from(duration) * 1000 / u128::from(timescale);
                return Ok(u64::try_from(ms).ok());
            }
            _ => {}
        }
        at += size;
    }
    Ok(None)
}

/// A plain grey poster for a video with no frame to show, 320×180, as a
/// JPEG.
pub fn placeholder_poster() -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(320, 180, Rgb([96, 96, 96])));
    photo::encode_clean(
        &img,
        super::POSTER_EDGE,
        image::imageops::FilterType::Triangle,
    )
    .expect("a small grey picture always encodes")
    .jpeg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::fixtures::minimal_mp4;

    #[test]
    fn the_length_is_read_from_mvhd() {
        let mp4 = minimal_mp4(12_345, 1000);
        assert_eq!(
            mp4_duration_ms(&mut io::Cursor::new(&mp4)).expect("reads"),
            Some(12_345)
        );
        assert_eq!(
            mp4_duration_ms(&mut io::Cursor::new(&mp4[..40])).expect("reads"),
            None
        );
    }

    #[test]
    fn an_mp4_is_copied_as_it_is_and_other_files_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("clip.mp4");
        let mp4 = minimal_mp4(3_000, 5000);
        std::fs::write(&path, &mp4).expect("writes");
        let mut out = Vec::new();
        let got = AsIsVideo.import(&path, &mut out).expect("imports");
        assert_eq!(out, mp4);
        assert_eq!(got.info.duration_ms, 3_000);
        assert_eq!(got.info.mime, "video/mp4");
        let text = dir.path().join("notes.mp4");
        std::fs::write(&text, "not a video").expect("writes");
        assert!(matches!(
            AsIsVideo.import(&text, &mut Vec::new()),
            Err(MediaError::UnknownKind)
        ));
    }

    #[test]
    fn the_placeholder_poster_is_a_clean_jpeg() {
        let poster = placeholder_poster();
        assert!(poster.starts_with(&[0xFF, 0xD8]));
        assert!(
            photo::jpeg_header_segments(&poster)
                .iter()
                .all(|(m, _)| *m == 0xE0)
        );
    }
}
