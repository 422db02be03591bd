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

use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{NewStream, StreamBE32, StreamPrimitive};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::MediaError;

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
pub struct MediaWriter {
    file: Option<File>,
    dir: PathBuf,
    name: String,
    key: MediaKey,
    stream: Stream,
    header: [u8; HEADER_LEN],
    chunk_size: usize,
    buffer: Vec<u8>,
    position: u32,
    hasher: Sha256,
    size: u64,
    max_size: Option<u64>,
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
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(format!("{name}{TEMP_SUFFIX}")))?;
        file.write_all(&header)?;
        let key = MediaKey::generate();
        let stream = key.stream(&prefix);
        Ok(Self {
            file: Some(file),
            dir: dir.to_owned(),
            name,
            key,
            stream,
            header,
            chunk_size: chunk_size as usize,
            buffer: Vec::with_capacity(chunk_size as usize + TAG_LEN),
            position: 0,
            hasher: Sha256::new(),
            size: 0,
            max_size: None,
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

    fn seal_buffer(&mut self, last: bool) -> io::Result<()> {
        self.stream
            .encrypt_in_place(self.position, last, &self.header, &mut self.buffer)
            .map_err(|_| io::Error::other("the media chunk could not be encrypted"))?;
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("the media file is already finished"))?;
        file.write_all(&self.buffer)?;
        self.buffer.clear();
        self.position = self
            .position
            .checked_add(1)
            .ok_or_else(|| io::Error::other("the media file has too many chunks"))?;
        Ok(())
    }

    /// Seals the last chunk, fsyncs the file, renames it to its final name
    /// and fsyncs the folder. Only after this returns may the database row
    /// be committed.
    pub fn finish(mut self) -> Result<WrittenMedia, MediaError> {
        self.seal_buffer(true)?;
        let file = self.file.take().expect("the file is open until finish");
        file.sync_all()?;
        drop(file);
        let final_path = self.dir.join(&self.name);
        fs::rename(self.temp_path(), &final_path)?;
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
        let written = data.len();
        if let Some(max) = self.max_size
            && self.size + written as u64 > max
        {
            return Err(io::Error::other(MediaError::TooLarge));
        }
        while !data.is_empty() {
            if self.buffer.len() == self.chunk_size {
                // More data follows, so this full chunk is not the last.
                self.seal_buffer(false)?;
            }
            let take = (self.chunk_size - self.buffer.len()).min(data.len());
            self.buffer.extend_from_slice(&data[..take]);
            self.hasher.update(&data[..take]);
            data = &data[take..];
        }
        self.size += written as u64;
        Ok(written)
    }

    /// Does nothing: a chunk is written once it is full, and the last one by
    /// [`MediaWriter::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for MediaWriter {
    fn drop(&mut self) {
        if self.file.take().is_some() {
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

    fn load(&mut self, index: u64) -> io::Result<()> {
        if self.current == Some(index) {
            return Ok(());
        }
        self.current = None;
        let sealed = self.chunk_size + TAG_LEN as u64;
        let offset = HEADER_LEN as u64 + index * sealed;
        let last = index == self.chunks - 1;
        let want = if last {
            self.len - index * self.chunk_size + TAG_LEN as u64
        } else {
            sealed
        };
        self.plain.resize(want as usize, 0);
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read_exact(&mut self.plain).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                damaged()
            } else {
                e
            }
        })?;
        let position = u32::try_from(index).map_err(|_| damaged())?;
        if self
            .stream
            .decrypt_in_place(position, last, &self.header, &mut self.plain)
            .is_err()
        {
            self.plain.clear();
            return Err(damaged());
        }
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
        self.load(index)?;
        let start = (self.pos - index * self.chunk_size) as usize;
        let n = (self.plain.len() - start).min(out.len());
        out[..n].copy_from_slice(&self.plain[start..start + n]);
        self.pos += n as u64;
        Ok(n)
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
mod tests {
    use super::*;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    fn write(dir: &Path, data: &[u8], chunk: u32) -> WrittenMedia {
        let mut w = MediaWriter::with_chunk_size(dir, chunk).expect("creates");
        // Odd-sized writes cross chunk boundaries.
        for part in data.chunks(1000) {
            w.write_all(part).expect("writes");
        }
        w.finish().expect("finishes")
    }

    fn read_all(path: &Path, key: &MediaKey) -> Result<Vec<u8>, MediaError> {
        let mut r = MediaReader::open(path, key)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    fn assert_damaged(result: Result<Vec<u8>, MediaError>) {
        match result {
            Err(MediaError::Damaged) => {}
            Err(other) => panic!("expected Damaged, got {other:?}"),
            Ok(bytes) => panic!("expected Damaged, got {} bytes", bytes.len()),
        }
    }

    #[test]
    fn what_is_written_reads_back_with_its_hash_and_size() {
        let dir = tempfile::tempdir().expect("temp dir");
        for len in [0, 1, 4096, 4096 * 3, 4096 * 3 + 17] {
            let data = pattern(len);
            let w = write(dir.path(), &data, 4096);
            assert_eq!(w.size, len as u64);
            assert_eq!(w.sha256, <[u8; 32]>::from(Sha256::digest(&data)));
            let path = dir.path().join(&w.file_name);
            assert_eq!(read_all(&path, &w.key).expect("reads"), data, "len {len}");
        }
    }

    #[test]
    fn the_file_holds_no_plaintext_and_a_random_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = b"plaintext marker ".repeat(2000);
        let w = write(dir.path(), &data, 4096);
        assert!(is_media_file_name(&w.file_name));
        let stored = fs::read(dir.path().join(&w.file_name)).expect("reads");
        assert!(
            !stored
                .windows(b"plaintext marker".len())
                .any(|win| win == b"plaintext marker")
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("lists")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[test]
    fn seeking_reads_the_right_bytes_anywhere() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = pattern(4096 * 5 + 100);
        let w = write(dir.path(), &data, 4096);
        let mut r = MediaReader::open(&dir.path().join(&w.file_name), &w.key).expect("opens");
        assert_eq!(r.len(), data.len() as u64);
        for start in [0usize, 4095, 4096, 12_000, 4096 * 5, data.len() - 1] {
            r.seek(SeekFrom::Start(start as u64)).expect("seeks");
            let mut buf = vec![0u8; 5000];
            let mut got = Vec::new();
            while got.len() < 5000 {
                let n = r.read(&mut buf[..5000 - got.len()]).expect("reads");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            let end = (start + 5000).min(data.len());
            assert_eq!(got, &data[start..end], "from {start}");
        }
        r.seek(SeekFrom::End(-10)).expect("seeks");
        let mut tail = Vec::new();
        r.read_to_end(&mut tail).expect("reads");
        assert_eq!(tail, &data[data.len() - 10..]);
    }

    #[test]
    fn a_changed_byte_anywhere_is_damage_not_bytes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = pattern(4096 * 3 + 5);
        let w = write(dir.path(), &data, 4096);
        let path = dir.path().join(&w.file_name);
        let clean = fs::read(&path).expect("reads");
        for at in [
            0,
            8,
            10,
            20,
            HEADER_LEN + 1,
            HEADER_LEN + 4096 + 16 + 7,
            clean.len() - 1,
        ] {
            let mut bad = clean.clone();
            bad[at] ^= 0x01;
            fs::write(&path, &bad).expect("writes");
            let result = read_all(&path, &w.key);
            assert!(result.is_err(), "a change at byte {at} went unnoticed");
            if at != 8 {
                assert_damaged(result);
            }
        }
    }

    #[test]
    fn a_damaged_middle_chunk_fails_when_read_after_good_chunks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = pattern(4096 * 3 + 5);
        let w = write(dir.path(), &data, 4096);
        let path = dir.path().join(&w.file_name);
        let mut bad = fs::read(&path).expect("reads");
        bad[HEADER_LEN + 4096 + 16 + 100] ^= 0x80;
        fs::write(&path, &bad).expect("writes");
        let mut r = MediaReader::open(&path, &w.key).expect("the last chunk is intact");
        let mut first = vec![0u8; 4096];
        r.read_exact(&mut first).expect("the first chunk is intact");
        assert_eq!(first, &data[..4096]);
        let err = r.read(&mut first).expect_err("the second chunk is damaged");
        assert!(matches!(MediaError::from(err), MediaError::Damaged));
    }

    #[test]
    fn truncation_at_a_chunk_boundary_or_inside_a_chunk_is_damage() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = pattern(4096 * 3 + 5);
        let w = write(dir.path(), &data, 4096);
        let path = dir.path().join(&w.file_name);
        let clean = fs::read(&path).expect("reads");
        let sealed = 4096 + TAG_LEN;
        for cut in [
            HEADER_LEN + 3 * sealed, // the final chunk dropped whole
            HEADER_LEN + 2 * sealed, // two chunks dropped
            clean.len() - 1,
            HEADER_LEN + 10,
            HEADER_LEN,
            5,
        ] {
            fs::write(&path, &clean[..cut]).expect("writes");
            assert_damaged(read_all(&path, &w.key));
        }
    }

    #[test]
    fn swapped_chunks_are_damage() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = pattern(4096 * 3 + 5);
        let w = write(dir.path(), &data, 4096);
        let path = dir.path().join(&w.file_name);
        let clean = fs::read(&path).expect("reads");
        let sealed = 4096 + TAG_LEN;
        let mut swapped = clean[..HEADER_LEN].to_vec();
        swapped.extend_from_slice(&clean[HEADER_LEN + sealed..HEADER_LEN + 2 * sealed]);
        swapped.extend_from_slice(&clean[HEADER_LEN..HEADER_LEN + sealed]);
        swapped.extend_from_slice(&clean[HEADER_LEN + 2 * sealed..]);
        fs::write(&path, &swapped).expect("writes");
        assert_damaged(read_all(&path, &w.key));
    }

    #[test]
    fn a_chunk_from_another_file_is_damage() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = pattern(4096 * 2 + 5);
        let a = write(dir.path(), &data, 4096);
        let b = write(dir.path(), &data, 4096);
        let path_a = dir.path().join(&a.file_name);
        let mut mixed = fs::read(&path_a).expect("reads");
        let other = fs::read(dir.path().join(&b.file_name)).expect("reads");
        mixed[HEADER_LEN..HEADER_LEN + 4096 + TAG_LEN]
            .copy_from_slice(&other[HEADER_LEN..HEADER_LEN + 4096 + TAG_LEN]);
        fs::write(&path_a, &mixed).expect("writes");
        assert_damaged(read_all(&path_a, &a.key));
    }

    #[test]
    fn a_wrong_key_is_damage() {
        let dir = tempfile::tempdir().expect("temp dir");
        let w = write(dir.path(), &pattern(10_000), 4096);
        let path = dir.path().join(&w.file_name);
        assert_damaged(read_all(&path, &MediaKey::generate()));
    }

    #[test]
    fn a_dropped_writer_leaves_no_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut w = MediaWriter::create(dir.path()).expect("creates");
        w.write_all(&pattern(300_000)).expect("writes");
        drop(w);
        assert_eq!(fs::read_dir(dir.path()).expect("lists").count(), 0);
    }

    #[test]
    fn a_writer_refuses_to_pass_its_size_limit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut w = MediaWriter::create(dir.path())
            .expect("creates")
            .with_max_size(1000);
        w.write_all(&[0u8; 600]).expect("fits");
        let err = w.write_all(&[0u8; 600]).expect_err("too large");
        assert!(matches!(MediaError::from(err), MediaError::TooLarge));
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let key = MediaKey::from_slice(&[0xab; 32]).expect("32 bytes");
        let shown = format!("{key:?}");
        assert!(!shown.contains("ab") && !shown.contains("171"), "{shown}");
    }
}
