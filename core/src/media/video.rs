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

/// The most boxes one walk for `mvhd` reads, counting those inside `moov`.
/// A fragmented recording has two top-level boxes (`moof`, `mdat`) per
/// fragment, so this covers hours of one-second fragments; past it the
/// length is unknown rather than slow to find.
pub const MAX_BOXES: u32 = 100_000;

/// How deep the walk goes: the top level (depth 0) and `moov`'s children
/// (depth 1), where `mvhd` is. Nothing deeper is entered.
const MAX_DEPTH: u32 = 1;

/// The length of an ISO base-media file (MP4, MOV) from `moov/mvhd`, in
/// milliseconds; `None` when there is no readable `mvhd`.
///
/// The file is not trusted: a box smaller than its own header, running past
/// the end of its parent, or so large that an offset would overflow ends the
/// walk with `None`, as does an `mvhd` too short for its fields. Every box
/// read moves the walk forward by at least 8 bytes, only the top level's
/// `moov` is entered, and at most [`MAX_BOXES`] are read: any input returns
/// after at most one seek per 8 bytes of file.
pub fn mp4_duration_ms(r: &mut (impl Read + Seek)) -> io::Result<Option<u64>> {
    let end = r.seek(SeekFrom::End(0))?;
    let mut boxes_left = MAX_BOXES;
    find_mvhd(r, 0, end, 0, &mut boxes_left)
}

/// One box header: where its body starts and where the box ends.
struct BoxSpan {
    kind: [u8; 4],
    body: u64,
    end: u64,
}

/// Reads the header of the box at `at` inside a parent ending at `end`;
/// `None` when there is no well-formed box there.
fn read_box(r: &mut (impl Read + Seek), at: u64, end: u64) -> io::Result<Option<BoxSpan>> {
    match at.checked_add(8) {
        Some(header_end) if header_end <= end => {}
        _ => return Ok(None),
    }
    r.seek(SeekFrom::Start(at))?;
    let mut head = [0u8; 16];
    if read_up_to(r, &mut head[..8])? < 8 {
        return Ok(None);
    }
    let size32 = u32::from_be_bytes(head[..4].try_into().expect("4 bytes"));
    let kind: [u8; 4] = head[4..8].try_into().expect("4 bytes");
    let (size, header) = match size32 {
        // A 64-bit size follows the type.
        1 => {
            if read_up_to(r, &mut head[8..16])? < 8 {
                return Ok(None);
            }
            (
                u64::from_be_bytes(head[8..16].try_into().expect("8 bytes")),
                16,
            )
        }
        // The box runs to the end of its parent.
        0 => (end - at, 8),
        n => (u64::from(n), 8),
    };
    if size < header {
        return Ok(None);
    }
    let (Some(body), Some(box_end)) = (at.checked_add(header), at.checked_add(size)) else {
        return Ok(None);
    };
    if box_end > end || body > box_end {
        return Ok(None);
    }
    Ok(Some(BoxSpan {
        kind,
        body,
        end: box_end,
    }))
}

fn find_mvhd(
    r: &mut (impl Read + Seek),
    mut at: u64,
    end: u64,
    depth: u32,
    boxes_left: &mut u32,
) -> io::Result<Option<u64>> {
    loop {
        let Some(left) = boxes_left.checked_sub(1) else {
            return Ok(None);
        };
        *boxes_left = left;
        let Some(span) = read_box(r, at, end)? else {
            return Ok(None);
        };
        match &span.kind {
            b"moov" if depth < MAX_DEPTH => {
                return find_mvhd(r, span.body, span.end, depth + 1, boxes_left);
            }
            b"mvhd" if depth == 1 => return read_mvhd(r, span.end - span.body),
            _ => {}
        }
        // A box is at least 8 bytes, so this always moves forward; a walk
        // that did not would stop here rather than loop.
        if span.end <= at {
            return Ok(None);
        }
        at = span.end;
    }
}

/// Reads the duration from an `mvhd` body of `len` bytes, the reader at its
/// start.
fn read_mvhd(r: &mut impl Read, len: u64) -> io::Result<Option<u64>> {
    let mut body = [0u8; 32];
    let want = usize::try_from(len.min(32)).expect("at most 32");
    let n = read_up_to(r, &mut body[..want])?;
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
    Ok(u64::try_from(ms).ok())
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
    use proptest::prelude::*;

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

    /// The most seeks a walk over `len` bytes needs: one to find the end,
    /// then one per box, and a box is at least 8 bytes.
    fn seek_bound(len: usize) -> usize {
        1 + len / 8
    }

    /// Walks `bytes` on another thread and fails the test if the walk
    /// panics, makes more seeks than [`seek_bound`], or has not returned
    /// within five seconds.
    fn walk_within_bounds(bytes: Vec<u8>) -> Option<u64> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = CountingReader::new(bytes);
            let got = mp4_duration_ms(&mut r).expect("the walk stays within its seeks");
            let _ = tx.send(got);
        });
        rx.recv_timeout(std::time::Duration::from_secs(5))
            .expect("the walk returns, without panicking, within five seconds")
    }

    fn mp4_box(size: u32, kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = size.to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn a_64_bit_box_size_that_wraps_the_offset_ends_the_walk() {
        // `ftyp`, then a box whose 64-bit size brings 16 + size back to 0.
        let mut mp4 = mp4_box(16, b"ftyp", b"isom\0\0\x02\0");
        mp4.extend(mp4_box(1, b"free", &(u64::MAX - 15).to_be_bytes()));
        assert_eq!(mp4.len(), 32);
        assert_eq!(walk_within_bounds(mp4), None);
    }

    #[test]
    fn a_64_bit_size_of_the_largest_value_ends_the_walk() {
        let mut mp4 = mp4_box(16, b"ftyp", b"isom\0\0\x02\0");
        mp4.extend(mp4_box(1, b"moov", &u64::MAX.to_be_bytes()));
        assert_eq!(walk_within_bounds(mp4), None);
    }

    #[test]
    fn a_zero_size_box_runs_to_the_end_of_the_file() {
        let mp4 = minimal_mp4(7_000, 0);
        // The last box, `mdat`, with size 0: "to the end".
        let mut zero = mp4.clone();
        let mdat = zero.len() - 8;
        zero[mdat..mdat + 4].copy_from_slice(&0u32.to_be_bytes());
        zero.extend_from_slice(&[0u8; 100]);
        assert_eq!(walk_within_bounds(zero), Some(7_000));
        // A `moov` with size 0 runs to the end and is still read.
        let mut moov_last = mp4.clone();
        let moov = usize::try_from(u32::from_be_bytes(mp4[..4].try_into().expect("4 bytes")))
            .expect("the ftyp size fits");
        assert_eq!(&mp4[moov + 4..moov + 8], b"moov");
        moov_last[moov..moov + 4].copy_from_slice(&0u32.to_be_bytes());
        assert_eq!(walk_within_bounds(moov_last), Some(7_000));
    }

    #[test]
    fn a_box_smaller_than_its_header_ends_the_walk() {
        for size in [2u32, 7] {
            let mut mp4 = mp4_box(size, b"free", &[]);
            mp4.extend(minimal_mp4(1_000, 0));
            assert_eq!(walk_within_bounds(mp4), None, "size {size}");
        }
        // A 64-bit size smaller than the 16-byte header.
        let mut mp4 = mp4_box(1, b"free", &8u64.to_be_bytes());
        mp4.extend(minimal_mp4(1_000, 0));
        assert_eq!(walk_within_bounds(mp4), None);
    }

    #[test]
    fn a_moov_inside_moov_is_not_entered() {
        let mut mvhd_body = vec![0u8; 100];
        mvhd_body[12..16].copy_from_slice(&1000u32.to_be_bytes());
        mvhd_body[16..20].copy_from_slice(&5_000u32.to_be_bytes());
        let mvhd = mp4_box(108, b"mvhd", &mvhd_body);
        // moov(moov(moov(… mvhd))): only the top `moov` is entered, and
        // its only child is another `moov`, so there is no length to read.
        let mut nested = mvhd;
        for _ in 0..1_000 {
            nested = mp4_box(
                u32::try_from(nested.len() + 8).expect("small"),
                b"moov",
                &nested,
            );
        }
        assert_eq!(walk_within_bounds(nested), None);
    }

    #[test]
    fn an_mvhd_shorter_than_its_fields_has_no_length() {
        // A version-0 `mvhd` of 12 body bytes, followed by a `free` box
        // whose header would be read as the timescale and the duration if
        // the walk read past the `mvhd`.
        let mut moov_body = mp4_box(20, b"mvhd", &[0u8; 12]);
        moov_body.extend(mp4_box(16, b"free", &[0u8; 8]));
        let mp4 = mp4_box(
            u32::try_from(moov_body.len() + 8).expect("small"),
            b"moov",
            &moov_body,
        );
        assert_eq!(walk_within_bounds(mp4), None);
    }

    /// Counts seeks, and fails the walk once it has made more than
    /// [`seek_bound`] allows for its length.
    struct CountingReader {
        inner: io::Cursor<Vec<u8>>,
        seeks: usize,
        limit: usize,
    }

    impl CountingReader {
        fn new(bytes: Vec<u8>) -> Self {
            Self {
                limit: seek_bound(bytes.len()),
                inner: io::Cursor::new(bytes),
                seeks: 0,
            }
        }
    }

    impl Read for CountingReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.inner.read(buf)
        }
    }

    impl Seek for CountingReader {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.seeks += 1;
            if self.seeks > self.limit {
                return Err(io::Error::other("the walk went back or did not stop"));
            }
            self.inner.seek(pos)
        }
    }

    /// How a generated box states its size.
    #[derive(Clone, Debug)]
    enum SizeField {
        /// Its true length, in 32 bits.
        Exact,
        /// Its true length, as a 64-bit size.
        Exact64,
        /// 0: "to the end of the parent".
        ToTheEnd,
        /// A 64-bit size of this value.
        Large(u64),
        /// A 32-bit size of this value (1 is read as "64-bit size follows").
        Any(u32),
    }

    /// Box-shaped bytes: mostly well-formed, so that the walk reaches deep
    /// into the input, with sizes that are zero, tiny, huge or wrap the
    /// offset mixed in.
    fn box_like() -> impl Strategy<Value = Vec<u8>> {
        let kind = prop_oneof![
            Just(*b"moov"),
            Just(*b"mvhd"),
            Just(*b"ftyp"),
            Just(*b"mdat"),
            any::<[u8; 4]>(),
        ];
        let size = prop_oneof![
            6 => Just(SizeField::Exact),
            2 => Just(SizeField::Exact64),
            1 => Just(SizeField::ToTheEnd),
            2 => (0u64..256).prop_map(|k| SizeField::Large(u64::MAX - k)),
            1 => (0u64..64).prop_map(SizeField::Large),
            1 => any::<u64>().prop_map(SizeField::Large),
            1 => any::<u32>().prop_map(SizeField::Any),
        ];
        let body = prop::collection::vec(any::<u8>(), 0..64);
        (size, kind, body).prop_map(|(size, kind, body)| {
            let len = 8 + body.len();
            let (field, large) = match size {
                SizeField::Exact => (u32::try_from(len).expect("small"), None),
                SizeField::Exact64 => (1, Some(len as u64 + 8)),
                SizeField::ToTheEnd => (0, None),
                SizeField::Large(n) => (1, Some(n)),
                SizeField::Any(n) => (n, None),
            };
            let mut out = field.to_be_bytes().to_vec();
            out.extend_from_slice(&kind);
            if field == 1 {
                out.extend_from_slice(&large.unwrap_or(0).to_be_bytes());
            }
            out.extend(body);
            out
        })
    }

    /// Up to 4 KiB: random bytes, or a run of box-shaped ones.
    fn mp4_like() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            1 => prop::collection::vec(any::<u8>(), 0..=4096),
            3 => prop::collection::vec(box_like(), 0..48).prop_map(|boxes| {
                let mut out = boxes.concat();
                out.truncate(4096);
                out
            }),
        ]
    }

    proptest! {
        #[test]
        fn any_bytes_up_to_4_kib_are_walked_in_bounded_steps_without_panicking(
            bytes in mp4_like()
        ) {
            let len = bytes.len();
            let mut r = CountingReader::new(bytes);
            prop_assert!(
                mp4_duration_ms(&mut r).is_ok(),
                "more than {} seeks for {len} bytes", seek_bound(len)
            );
        }
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
