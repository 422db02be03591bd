//! What is inside the `age` encryption of a client's own record: a first
//! line saying what the file is, then entries, each a line of JSON that
//! gives its length and SHA-256 followed by exactly that many bytes, then
//! a last line counting the entries.
//!
//! ```text
//! {"magic":"tsunagi-client-record","format":1,"created_at":…,"made_by":"tsunagi","agency":…,"sections":["basic",…],"entries":N}
//! {"case":{"size":n,"sha256":"…"}}            then n bytes: the case as JSON
//! {"media":{"size":n,"sha256":"…","info":{"kind":"photo",…},"poster_size":p,"poster_sha256":"…"}}
//!                                              then n bytes of the item, p bytes of its poster
//! …one media entry per photo or video…
//! {"end":{"entries":N}}
//! ```
//!
//! Every line is read with a bound on its length and every entry's bytes
//! with the bound its kind allows, so a hostile file cannot make a reader
//! hold more than it says and the limits allow. Nothing may follow the
//! last line.

use std::io::{BufRead, Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CarryError;
use crate::backup::{read_failed, read_line};
use crate::media::{MediaKind, MediaLimits};
use crate::model::{MAX_CASE_BYTES, SectionName};
use crate::pii::Identifying;
use crate::rfc3339::Timestamp;

/// What the first line of every client's own record says it is.
pub const MAGIC: &str = "tsunagi-client-record";
/// The format this version writes and the newest it reads.
pub const FORMAT: u64 = 1;
/// The longest line read.
const MAX_LINE: usize = 256 * 1024;
/// The largest poster read.
const MAX_POSTER: u64 = 4 * 1024 * 1024;

/// The first line: what the file is, when and where it was made, and
/// which sections it carries. The agency's name is the one it sends
/// research under, when it has one; not identifying.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`MAGIC`].
    pub magic: String,
    /// The format number ([`FORMAT`] for this version).
    pub format: u64,
    /// When it was made.
    pub created_at: Timestamp,
    /// The program that made it.
    pub made_by: String,
    /// The agency that made it, if known.
    pub agency: Option<String>,
    /// The sections it carries whole.
    pub sections: Vec<SectionName>,
    /// How many entries follow (the case and each photo or video).
    pub entries: u64,
}

/// What a photo or video entry says of its item. The caption and what it
/// illustrates are the client's own words.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaInfo {
    /// Photo or video.
    pub kind: MediaKind,
    /// `image/jpeg`, `video/mp4` or `video/quicktime`.
    pub mime: String,
    /// Width in pixels (photos).
    pub width: Option<u32>,
    /// Height in pixels (photos).
    pub height: Option<u32>,
    /// Length in milliseconds (videos).
    pub duration_ms: Option<u64>,
    /// 撮影日時, if known.
    pub taken_at: Option<Timestamp>,
    /// キャプション. Identifying.
    pub caption: Identifying<String>,
    /// The strength it illustrates. Identifying.
    pub illustrates: Identifying<String>,
}

impl std::fmt::Debug for MediaInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaInfo")
            .field("kind", &self.kind)
            .field("mime", &self.mime)
            .finish_non_exhaustive()
    }
}

/// The line before an entry's bytes.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Case {
        size: u64,
        sha256: String,
    },
    Media {
        size: u64,
        sha256: String,
        info: MediaInfo,
        poster_size: u64,
        poster_sha256: String,
    },
    End {
        entries: u64,
    },
}

/// One entry read back.
pub(super) enum Entry {
    /// The case as JSON.
    Case(Vec<u8>),
    /// A photo or video: what it is, its bytes, its poster.
    Media(MediaInfo, Vec<u8>, Vec<u8>),
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn line_out(out: &mut impl Write, line: &Line) -> Result<(), CarryError> {
    let mut bytes = serde_json::to_vec(line).expect("an entry's line serialises");
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    Ok(())
}

/// Writes the lines and bytes of a record to `inner` (the `age` stream).
pub(super) struct PlainWriter<W: Write> {
    inner: W,
    entries: u64,
}

impl<W: Write> PlainWriter<W> {
    /// Writes the first line.
    pub(super) fn new(mut inner: W, header: &Header) -> Result<Self, CarryError> {
        let mut line = serde_json::to_vec(header).expect("a header serialises");
        line.push(b'\n');
        inner.write_all(&line)?;
        Ok(Self { inner, entries: 0 })
    }

    /// Writes the case entry.
    pub(super) fn case(&mut self, json: &[u8]) -> Result<(), CarryError> {
        let line = Line::Case {
            size: json.len() as u64,
            sha256: sha256_hex(json),
        };
        line_out(&mut self.inner, &line)?;
        self.inner.write_all(json)?;
        self.entries += 1;
        Ok(())
    }

    /// Writes a photo or video entry: `bytes` streams the item's `size`
    /// bytes, whose SHA-256 (hex) the store recorded; the stream checks
    /// it as it ends.
    pub(super) fn media(
        &mut self,
        info: MediaInfo,
        size: u64,
        sha256: String,
        bytes: &mut dyn Read,
        poster: &[u8],
    ) -> Result<(), CarryError> {
        let line = Line::Media {
            size,
            sha256,
            info,
            poster_size: poster.len() as u64,
            poster_sha256: sha256_hex(poster),
        };
        line_out(&mut self.inner, &line)?;
        let copied = std::io::copy(bytes, &mut self.inner).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                CarryError::Store(crate::media::MediaError::Damaged.into())
            } else {
                CarryError::Io(e)
            }
        })?;
        if copied != size {
            return Err(CarryError::Store(crate::media::MediaError::Damaged.into()));
        }
        self.inner.write_all(poster)?;
        self.entries += 1;
        Ok(())
    }

    /// Writes the last line and gives back the stream.
    pub(super) fn finish(mut self) -> Result<W, CarryError> {
        line_out(
            &mut self.inner,
            &Line::End {
                entries: self.entries,
            },
        )?;
        Ok(self.inner)
    }
}

/// Reads a record's first line: [`CarryError::NotACarryFile`] for
/// another kind of file, [`CarryError::NewerFormat`] for a newer one.
pub(super) fn read_header(inner: &mut impl BufRead) -> Result<Header, CarryError> {
    let line = match read_line(inner, MAX_LINE) {
        Ok(Some(line)) => line,
        Ok(None) | Err(None) => return Err(CarryError::NotACarryFile),
        Err(Some(e)) => return Err(e.into()),
    };
    let value: serde_json::Value =
        serde_json::from_slice(&line).map_err(|_| CarryError::NotACarryFile)?;
    if value.get("magic").and_then(serde_json::Value::as_str) != Some(MAGIC) {
        return Err(CarryError::NotACarryFile);
    }
    match value.get("format").and_then(serde_json::Value::as_u64) {
        Some(format) if format > FORMAT => return Err(CarryError::NewerFormat(format)),
        Some(format) if format >= 1 => {}
        _ => return Err(CarryError::Damaged("the first line has no format number")),
    }
    serde_json::from_value(value).map_err(|_| CarryError::Damaged("the first line does not read"))
}

/// Reads exactly `size` bytes (at most `max`) and checks their SHA-256.
fn read_bytes(
    inner: &mut impl BufRead,
    size: u64,
    max: u64,
    sha256: &str,
) -> Result<Vec<u8>, CarryError> {
    if size > max {
        return Err(CarryError::Damaged("an entry is larger than allowed"));
    }
    let mut bytes = Vec::new();
    inner
        .by_ref()
        .take(size)
        .read_to_end(&mut bytes)
        .map_err(read_failed)?;
    if bytes.len() as u64 != size {
        return Err(CarryError::Damaged("the file ends inside an entry"));
    }
    if sha256_hex(&bytes) != sha256.to_ascii_lowercase() {
        return Err(CarryError::Damaged("an entry does not match its SHA-256"));
    }
    Ok(bytes)
}

/// Reads the next entry; `None` after the last, once the count matches
/// and nothing follows it (which also authenticates the end of the `age`
/// stream, so a file cut short is caught).
pub(super) fn read_entry(
    inner: &mut impl BufRead,
    read_so_far: u64,
) -> Result<Option<Entry>, CarryError> {
    let line = match read_line(inner, MAX_LINE) {
        Ok(Some(line)) => line,
        Ok(None) => return Err(CarryError::Damaged("the file ends before its last line")),
        Err(None) => return Err(CarryError::Damaged("a line is too long or not ended")),
        Err(Some(e)) => return Err(e.into()),
    };
    let line: Line =
        serde_json::from_slice(&line).map_err(|_| CarryError::Damaged("a line does not read"))?;
    match line {
        Line::Case { size, sha256 } => Ok(Some(Entry::Case(read_bytes(
            inner,
            size,
            MAX_CASE_BYTES as u64,
            &sha256,
        )?))),
        Line::Media {
            size,
            sha256,
            info,
            poster_size,
            poster_sha256,
        } => {
            let max = MediaLimits::default().max_video_bytes;
            let bytes = read_bytes(inner, size, max, &sha256)?;
            let poster = read_bytes(inner, poster_size, MAX_POSTER, &poster_sha256)?;
            Ok(Some(Entry::Media(info, bytes, poster)))
        }
        Line::End { entries } => {
            if entries != read_so_far {
                return Err(CarryError::Damaged("the count of entries does not match"));
            }
            let mut byte = [0u8; 1];
            if inner.read(&mut byte).map_err(read_failed)? != 0 {
                return Err(CarryError::Damaged("there is more after the last line"));
            }
            Ok(None)
        }
    }
}
