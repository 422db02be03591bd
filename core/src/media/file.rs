//! The encrypted media file (暗号化メディアファイル): one photo or video in
//! its own file, encrypted in authenticated chunks.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! header (32 bytes): magic "TSGMEDIA" | version u8 = 1 | chunk size u32 | nonce prefix (19 bytes)
//! chunk 0:           XChaCha20-Poly1305(chunk size bytes of plaintext) ‖ 16-byte tag
//! chunk 1 …
//! last chunk:        0 ..= chunk size bytes of plaintext ‖ tag, sealed with the "last" flag
//! ```
//!
//! The chunks are the STREAM construction (Hoang, Reyhanitabar, Rogaway and
//! Vizár, "Online authenticated-encryption and its nonce-reuse
//! misuse-resistance"), as implemented by `aead::stream::StreamBE32`: chunk
//! `i` is sealed under the nonce `prefix ‖ i (32-bit big-endian) ‖ last flag`,
//! with the whole header as associated data. So a changed byte, a chunk moved
//! to another place, a dropped final chunk (truncation) or a header edited to
//! another chunk size all fail authentication, and a file read with another
//! item's key fails on its first chunk. Every item has its own random 32-byte
//! key, kept only in the encrypted database.
//!
//! Plaintext never reaches the disk: [`MediaWriter`] encrypts chunk by chunk
//! as it is written, and [`MediaReader`] decrypts only the chunk a read needs.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::Buffer;
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{NewStream, StreamBE32, StreamPrimitive};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::MediaError;
use sealing::{Sealer, Worker};
use writeback::{SyncFn, Writeback};

mod sealing;
mod writeback;

/// The first bytes of every media file.
pub const MAGIC: [u8; 8] = *b"TSGMEDIA";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// The header's length in bytes.
pub const HEADER_LEN: usize = 32;
/// The plaintext bytes in every chunk but the last: 256 KiB, so a seek
/// decrypts at most that much and the tag overhead is 0.006 %.
pub const DEFAULT_CHUNK_SIZE: u32 = 256 * 1024;
/// The suffix of a file still being written. Such files are never read and
/// are swept when stale.
pub const TEMP_SUFFIX: &str = ".part";

const TAG_LEN: usize = 16;
const PREFIX_LEN: usize = 19;
const MIN_CHUNK: u32 = 4 * 1024;
const MAX_CHUNK: u32 = 16 * 1024 * 1024;

type Stream = StreamBE32<XChaCha20Poly1305>;

/// The per-item key of one media file (32 random bytes). Zeroed on drop;
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaKey(Zeroizing<[u8; 32]>);

impl MediaKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        Self(key)
    }

    /// A key read back from the database; `None` unless it is 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(array)))
    }

    /// The key bytes, for storing in the encrypted database only.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn stream(&self, prefix: &[u8; PREFIX_LEN]) -> Stream {
        let aead = XChaCha20Poly1305::new(Key::from_slice(self.0.as_ref()));
        Stream::from_aead(aead, GenericArray::from_slice(prefix))
    }
}

impl fmt::Debug for MediaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MediaKey(‹redacted›)")
    }
}

/// A new random file name: 32 hex digits, carrying nothing about the item.
fn random_name() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Is `name` a finished media file's name (32 lower-case hex digits)?
pub fn is_media_file_name(name: &str) -> bool {
    name.len() == 32
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What [`MediaWriter::finish`] wrote.
#[derive(Debug)]
pub struct WrittenMedia {
    /// The file's name in the media folder (no folder part).
    pub file_name: String,
    /// The key it is encrypted under.
    pub key: MediaKey,
    /// SHA-256 of the plaintext.
    pub sha256: [u8; 32],
    /// Plaintext length in bytes.
    pub size: u64,
}

/// Encrypts everything written to it into a new media file.
///
/// It writes to `NAME.part` in the media folder; [`finish`](Self::finish)
/// seals the last chunk, fsyncs, and renames it to `NAME`. Dropped without
/// `finish` (a cancelled capture, an error), it removes the temporary file;
/// after a crash the stale `.part` file is swept when the store next opens.
/// It holds no store handle, so capture can write on its own thread.
///
/// The caller's thread hashes the plaintext and gathers it into chunks; a
/// thread of the writer's own encrypts and writes them ([`sealing`]), and
/// another syncs what is written every few megabytes ([`writeback`]), so
/// the disk works while the rest is encrypted and `finish` has only the
/// tail left to sync. An error on either thread (a full disk, a failed
/// sync) is returned by the next `write` or by `finish`; after any error
/// every later `write` and `finish` fail too, and nothing is ever renamed
/// to the final name.
pub struct MediaWriter {
    worker: Option<Worker>,
    dir: PathBuf,
    name: String,
    key: MediaKey,
    chunk_size: usize,
    buffer: Vec<u8>,
    hasher: Sha256,
    size: u64,
    max_size: Option<u64>,
    /// The first error met, returned again by every later call.
    failed: Option<(io::ErrorKind, String)>,
    /// Set once the file carries its final name.
    renamed: bool,
}

impl fmt::Debug for MediaWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaWriter")
            .field("name", &self.name)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl MediaWriter {
    /// Starts a new media file in `dir` (created if missing) under a fresh
    /// key and name, with the default chunk size.
    pub fn create(dir: &Path) -> Result<Self, MediaError> {
        Self::with_chunk_size(dir, DEFAULT_CHUNK_SIZE)
    }

    /// As [`create`](Self::create) with another chunk size (4 KiB–16 MiB).
    pub fn with_chunk_size(dir: &Path, chunk_size: u32) -> Result<Self, MediaError> {
        Self::with_writeback(dir, chunk_size, writeback::SYNC_EVERY, File::sync_data)
    }

    /// As [`with_chunk_size`](Self::with_chunk_size), syncing every
    /// `sync_every` bytes with `sync`.
    fn with_writeback(
        dir: &Path,
        chunk_size: u32,
        sync_every: u64,
        sync: SyncFn,
    ) -> Result<Self, MediaError> {
        if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk_size) {
            return Err(MediaError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the chunk size must be between 4 KiB and 16 MiB",
            )));
        }
        fs::create_dir_all(dir)?;
        let name = random_name();
        let mut prefix = [0u8; PREFIX_LEN];
        rand::rngs::OsRng.fill_bytes(&mut prefix);
        let mut header = [0u8; HEADER_LEN];
        header[..8].copy_from_slice(&MAGIC);
        header[8] = VERSION;
        header[9..13].copy_from_slice(&chunk_size.to_le_bytes());
        header[13..].copy_from_slice(&prefix);
        let temp_path = dir.join(format!("{name}{TEMP_SUFFIX}"));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)?;
        let key = MediaKey::generate();
        let stream = key.stream(&prefix);
        let capacity = chunk_size as usize + TAG_LEN;
        let started = file
            .write_all(&header)
            .and_then(|()| Writeback::start(&file, sync_every, sync))
            .and_then(|writeback| {
                Worker::start(Sealer::new(file, stream, header, writeback), capacity)
            });
        let worker = match started {
            Ok(worker) => worker,
            Err(e) => {
                let _ = fs::remove_file(&temp_path);
                return Err(e.into());
            }
        };
        Ok(Self {
            worker: Some(worker),
            dir: dir.to_owned(),
            name,
            key,
            chunk_size: chunk_size as usize,
            buffer: Vec::with_capacity(capacity),
            hasher: Sha256::new(),
            size: 0,
            max_size: None,
            failed: None,
            renamed: false,
        })
    }

    /// Refuses (with [`MediaError::TooLarge`] inside the `io::Error`) any
    /// write that would take the plaintext past `max` bytes.
    pub fn with_max_size(mut self, max: u64) -> Self {
        self.max_size = Some(max);
        self
    }

    /// Plaintext bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn temp_path(&self) -> PathBuf {
        self.dir.join(format!("{}{TEMP_SUFFIX}", self.name))
    }

    /// The error an earlier call met, if any.
    fn check(&self) -> io::Result<()> {
        match &self.failed {
            None => Ok(()),
            Some((kind, message)) => Err(io::Error::new(*kind, message.clone())),
        }
    }

    /// Hands the full buffer over as the next chunk (not the last); keeps
    /// the error if that fails, so that every later call returns it too.
    fn put_chunk(&mut self) -> io::Result<()> {
        let put = match &mut self.worker {
            Some(worker) => worker.put(&mut self.buffer),
            None => Err(io::Error::other("the media file is already finished")),
        };
        if let Err(e) = &put {
            self.failed = Some((e.kind(), e.to_string()));
        }
        put
    }

    /// Seals the last chunk, waits for it and the chunks before it to be
    /// written and for the background syncs, fsyncs the file, renames it to
    /// its final name and fsyncs the folder. Only after this returns may
    /// the database row be committed. On an error the temporary file is
    /// removed.
    pub fn finish(mut self) -> Result<WrittenMedia, MediaError> {
        self.check()?;
        let worker = self
            .worker
            .take()
            .ok_or_else(|| io::Error::other("the media file is already finished"))?;
        let file = worker.finish(std::mem::take(&mut self.buffer))?;
        file.sync_all()?;
        drop(file);
        let final_path = self.dir.join(&self.name);
        fs::rename(self.temp_path(), &final_path)?;
        self.renamed = true;
        sync_dir(&self.dir)?;
        let sha256 = std::mem::take(&mut self.hasher).finalize().into();
        Ok(WrittenMedia {
            file_name: std::mem::take(&mut self.name),
            key: self.key.clone(),
            sha256,
            size: self.size,
        })
    }
}

impl Write for MediaWriter {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        self.check()?;
        let written = data.len();
        if let Some(max) = self.max_size
            && self.size + written as u64 > max
        {
            return Err(io::Error::other(MediaError::TooLarge));
        }
        while !data.is_empty() {
            if self.buffer.len() == self.chunk_size {
                // More data follows, so this full chunk is not the last.
                self.put_chunk()?;
            }
            let take = (self.chunk_size - self.buffer.len()).min(data.len());
            self.buffer.extend_from_slice(&data[..take]);
            self.hasher.update(&data[..take]);
            data = &data[take..];
        }
        self.size += written as u64;
        Ok(written)
    }

    /// Does nothing: a chunk is handed over once it is full, and the last
    /// one by [`MediaWriter::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for MediaWriter {
    fn drop(&mut self) {
        // Stops the threads, which hold handles to the file, first.
        self.worker = None;
        if !self.renamed {
            let _ = fs::remove_file(self.temp_path());
        }
    }
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Decrypts a media file as it is read; seeking decrypts only the chunk
/// needed. Opening checks the header and authenticates the last chunk, so
/// a truncated file, or one under another key, is refused before any byte
/// is returned. A chunk that fails authentication later gives an
/// `io::Error` of kind `InvalidData` wrapping [`MediaError::Damaged`]
/// ([`MediaError::from`] turns it back), never its bytes.
pub struct MediaReader {
    file: File,
    stream: Stream,
    header: [u8; HEADER_LEN],
    chunk_size: u64,
    chunks: u64,
    len: u64,
    pos: u64,
    /// The decrypted chunk held, and its index.
    current: Option<u64>,
    plain: Vec<u8>,
}

impl fmt::Debug for MediaReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaReader")
            .field("len", &self.len)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, MediaError::Damaged)
}

impl MediaReader {
    /// Opens the media file at `path` with its key.
    pub fn open(path: &Path, key: &MediaKey) -> Result<Self, MediaError> {
        let mut file = File::open(path)?;
        let file_len = file.metadata()?.len();
        let mut header = [0u8; HEADER_LEN];
        file.read_exact(&mut header).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => MediaError::Damaged,
            _ => MediaError::Io(e),
        })?;
        if header[..8] != MAGIC {
            return Err(MediaError::Damaged);
        }
        if header[8] != VERSION {
            return Err(MediaError::UnknownVersion(header[8]));
        }
        let chunk_size = u32::from_le_bytes(header[9..13].try_into().expect("4 bytes"));
        if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk_size) {
            return Err(MediaError::Damaged);
        }
        let prefix: [u8; PREFIX_LEN] = header[13..].try_into().expect("19 bytes");
        let chunk_size = u64::from(chunk_size);
        let sealed = chunk_size + TAG_LEN as u64;
        let body = file_len.saturating_sub(HEADER_LEN as u64);
        let chunks = body.div_ceil(sealed).max(1);
        let last_sealed = body - (chunks - 1) * sealed;
        if last_sealed < TAG_LEN as u64 || chunks > u64::from(u32::MAX) {
            return Err(MediaError::Damaged);
        }
        let len = (chunks - 1) * chunk_size + (last_sealed - TAG_LEN as u64);
        let mut reader = Self {
            file,
            stream: key.stream(&prefix),
            header,
            chunk_size,
            chunks,
            len,
            pos: 0,
            current: None,
            plain: Vec::with_capacity(sealed as usize),
        };
        // Authenticating the final chunk proves nothing was cut off.
        reader.load(chunks - 1).map_err(MediaError::from)?;
        Ok(reader)
    }

    /// The plaintext length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the plaintext is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The sealed length (plaintext and tag) of chunk `index`.
    fn sealed_len(&self, index: u64) -> usize {
        let plain = if index == self.chunks - 1 {
            self.len - index * self.chunk_size
        } else {
            self.chunk_size
        };
        plain as usize + TAG_LEN
    }

    /// Reads chunk `index` into `buffer`, which is its sealed length, and
    /// decrypts it there. On failure `buffer` holds no plaintext.
    fn open_chunk(&mut self, index: u64, buffer: &mut dyn Buffer) -> io::Result<()> {
        let offset = HEADER_LEN as u64 + index * (self.chunk_size + TAG_LEN as u64);
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read_exact(buffer.as_mut()).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                damaged()
            } else {
                e
            }
        })?;
        let position = u32::try_from(index).map_err(|_| damaged())?;
        let last = index == self.chunks - 1;
        self.stream
            .decrypt_in_place(position, last, &self.header, buffer)
            .map_err(|_| damaged())
    }

    /// Makes chunk `index` the one held in `plain`.
    fn load(&mut self, index: u64) -> io::Result<()> {
        if self.current == Some(index) {
            return Ok(());
        }
        self.current = None;
        let mut plain = std::mem::take(&mut self.plain);
        plain.resize(self.sealed_len(index), 0);
        let opened = self.open_chunk(index, &mut plain);
        if opened.is_err() {
            plain.clear();
        }
        self.plain = plain;
        opened?;
        self.current = Some(index);
        Ok(())
    }
}

impl Read for MediaReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || out.is_empty() {
            return Ok(0);
        }
        let index = self.pos / self.chunk_size;
        let start = (self.pos - index * self.chunk_size) as usize;
        let sealed = self.sealed_len(index);
        if start == 0 && self.current != Some(index) && out.len() >= sealed {
            // The whole sealed chunk fits in the caller's buffer: decrypt it
            // there rather than into `plain` and then copy it.
            self.open_chunk(index, &mut InPlace::new(&mut out[..sealed]))?;
            let n = sealed - TAG_LEN;
            self.pos += n as u64;
            return Ok(n);
        }
        self.load(index)?;
        let n = (self.plain.len() - start).min(out.len());
        out[..n].copy_from_slice(&self.plain[start..start + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

/// A reader's caller's buffer holding one sealed chunk, decrypted in place:
/// the tag is cut off once it is checked, and it cannot grow.
struct InPlace<'a> {
    bytes: &'a mut [u8],
    len: usize,
}

impl<'a> InPlace<'a> {
    fn new(bytes: &'a mut [u8]) -> Self {
        let len = bytes.len();
        Self { bytes, len }
    }
}

impl AsRef<[u8]> for InPlace<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl AsMut<[u8]> for InPlace<'_> {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len]
    }
}

impl Buffer for InPlace<'_> {
    fn extend_from_slice(&mut self, _other: &[u8]) -> chacha20poly1305::aead::Result<()> {
        Err(chacha20poly1305::aead::Error)
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

impl Seek for MediaReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target = target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a position before the start",
            )
        })?;
        self.pos = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests;
