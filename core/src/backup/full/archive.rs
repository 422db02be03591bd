//! What is inside the `age` encryption of a full backup: a header line, a
//! manifest line, the files' bytes back to back, and a last line.
//!
//! ```text
//! {"magic":"tsunagi-backup","format":1,"kind":"full","created_at":…,"store_id":…,"made_by":…,"account":…,"schema_version":N,"device_key":"…"}
//! {"manifest":{"files":[{"path":"store.db","len":N,"sha256":"…"},…],"bytes":TOTAL}}
//! <every file's bytes, in the manifest's order, with nothing between them>
//! {"end":{"files":N,"bytes":TOTAL,"manifest_sha256":"…"}}
//! ```
//!
//! The first line is that of every Tsunagi backup ([`MAGIC`], a format
//! number, a kind), so each kind's reader names the other kind rather than
//! calling it "not a backup". The manifest is written before any byte of
//! the files, so a restore checks every path before it writes anything and
//! knows how much space it needs; the last line repeats the counts and the
//! SHA-256 of the manifest line. The writer streams each file through a
//! small buffer (a gigabyte of video is never held in memory) and checks
//! that what it streams is what the manifest says; the reader checks each
//! file's length and SHA-256 as it streams it out.
//!
//! Paths are relative, `/`-separated, and are parsed into [`RelPath`] when
//! read: no empty, `.` or `..` component, no leading `/`, no `\`, `:` or
//! control character, bounded length and depth. There are no links,
//! folders or permissions in the format, only regular files.
//!
//! Integrity: `age` authenticates every 64 KiB of the plaintext and its
//! end, so a flipped or missing byte anywhere is an error when read; the
//! per-file SHA-256 then ties each file to the manifest. Authenticity is
//! that of the seal: a passphrase backup could only have been made by
//! someone who knows the passphrase; anyone who knows an office key's
//! public half (`age1…`) could make a file sealed to it, which is why a
//! restore trusts no path in it and the restored store still opens only
//! with its own keyslots.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize as _;

use crate::backup::BackupError;
use crate::backup::format::{KIND_WITHOUT_PERSONAL_DATA, MAGIC, read_failed, read_line};
use crate::rfc3339::Timestamp;
use crate::store::DeviceSecret;

/// The kind of a full backup (全体バックアップ) in its first line.
pub const KIND_FULL: &str = "full";
/// The format of full backups this version writes and the newest it reads.
pub const FULL_FORMAT: u64 = 1;
/// The longest first or last line read.
const MAX_HEADER: usize = 64 * 1024;
/// The longest manifest line read (about 300 000 files).
pub const MAX_MANIFEST: usize = 64 * 1024 * 1024;
/// The most files a full backup may hold.
pub const MAX_FILES: usize = 1_000_000;
/// The longest path, in bytes.
const MAX_PATH: usize = 1024;
/// The longest component of a path, in bytes.
const MAX_COMPONENT: usize = 255;
/// The most components a path may have.
const MAX_DEPTH: usize = 8;
/// How much of a file is copied at a time.
const CHUNK: usize = 64 * 1024;

/// The device secret as a full backup carries it (base64). Secret: zeroed
/// on drop, never shown by `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceKeyText(String);

impl DeviceKeyText {
    /// The text of `secret`.
    pub fn of(secret: &DeviceSecret) -> Self {
        Self(B64.encode(secret.as_bytes()))
    }

    /// The secret again; [`BackupError::Damaged`] when it is not 32 bytes
    /// of base64.
    pub fn secret(&self) -> Result<DeviceSecret, BackupError> {
        let mut bytes = B64
            .decode(self.0.as_bytes())
            .map_err(|_| BackupError::Damaged("the device key does not read"))?;
        let array: Result<[u8; 32], _> = bytes.as_slice().try_into();
        bytes.zeroize();
        array
            .map(DeviceSecret::from_bytes)
            .map_err(|_| BackupError::Damaged("the device key does not read"))
    }
}

impl Drop for DeviceKeyText {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for DeviceKeyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceKeyText(‹redacted›)")
    }
}

/// The first line of a full backup. Secret: holds the device key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullHeader {
    /// Always [`MAGIC`].
    pub magic: String,
    /// [`FULL_FORMAT`] for this version.
    pub format: u64,
    /// Always [`KIND_FULL`].
    pub kind: String,
    /// When the backup was made.
    pub created_at: Timestamp,
    /// The id of the store it holds (`store.id`), under which the restore
    /// keeps the device key in the keychain.
    pub store_id: String,
    /// The program that made it (`tsunagi-companion`).
    pub made_by: String,
    /// The account that made it.
    pub account: String,
    /// The schema version of the database in it.
    pub schema_version: u32,
    /// The device secret the accounts' keyslots are mixed with.
    pub device_key: DeviceKeyText,
}

impl FullHeader {
    /// The header of a full backup made now.
    pub fn new(
        store_id: &str,
        made_by: &str,
        account: &str,
        schema_version: u32,
        device: &DeviceSecret,
    ) -> Self {
        Self {
            magic: MAGIC.to_owned(),
            format: FULL_FORMAT,
            kind: KIND_FULL.to_owned(),
            created_at: Timestamp::now(),
            store_id: store_id.to_owned(),
            made_by: made_by.to_owned(),
            account: account.to_owned(),
            schema_version,
            device_key: DeviceKeyText::of(device),
        }
    }
}

/// One file as the manifest line writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryWire {
    /// The path inside the data folder, `/`-separated.
    pub path: String,
    /// Its length in bytes.
    pub len: u64,
    /// Its SHA-256, 64 lowercase hex digits.
    pub sha256: String,
}

/// The manifest as written: every file, and the sum of their lengths.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestWire {
    /// The files, in the order their bytes follow.
    pub files: Vec<EntryWire>,
    /// The sum of their lengths.
    pub bytes: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestLine {
    manifest: ManifestWire,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndLine {
    end: End,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct End {
    files: u64,
    bytes: u64,
    manifest_sha256: String,
}

/// A path inside the folder a backup is restored into: relative, made of
/// plain names only. Parsed from a manifest, never taken as it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RelPath(String);

impl RelPath {
    /// Parses `text`, refusing ([`BackupError::UnsafePath`]) an empty or
    /// over-long path, an absolute one, one with an empty, `.` or `..`
    /// component, a `\`, `:` or control character, or a component ending
    /// in a dot or a space (which Windows drops).
    pub fn parse(text: &str) -> Result<Self, BackupError> {
        let bad_char = |c: char| c.is_control() || c == '\\' || c == ':';
        let ok = !text.is_empty()
            && text.len() <= MAX_PATH
            && !text.chars().any(bad_char)
            && text.split('/').count() <= MAX_DEPTH
            && text.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part.len() <= MAX_COMPONENT
                    && !part.ends_with('.')
                    && !part.ends_with(' ')
            });
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(BackupError::UnsafePath)
        }
    }

    /// The path as the manifest writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path under `root`: `root` joined with each component.
    pub fn under(&self, root: &Path) -> PathBuf {
        let mut path = root.to_path_buf();
        path.extend(self.0.split('/'));
        path
    }

    /// Every folder above the file, shortest first (`a`, `a/b` for `a/b/c`).
    fn ancestors(&self) -> impl Iterator<Item = &str> {
        self.0.match_indices('/').map(|(i, _)| &self.0[..i])
    }
}

/// One file of a backup being read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Where it goes.
    pub path: RelPath,
    /// How many bytes.
    pub len: u64,
    /// Their SHA-256.
    pub sha256: [u8; 32],
}

/// The manifest, checked: safe paths, none twice, no file where another
/// needs a folder, lengths that add up, a database and keyslots present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The files, in the order their bytes follow.
    pub entries: Vec<Entry>,
    /// The sum of their lengths.
    pub bytes: u64,
}

fn parse_sha256(text: &str) -> Result<[u8; 32], BackupError> {
    let bytes =
        hex::decode(text).map_err(|_| BackupError::Damaged("a file's SHA-256 does not read"))?;
    bytes
        .try_into()
        .map_err(|_| BackupError::Damaged("a file's SHA-256 does not read"))
}

impl TryFrom<ManifestWire> for Manifest {
    type Error = BackupError;

    fn try_from(wire: ManifestWire) -> Result<Self, BackupError> {
        if wire.files.len() > MAX_FILES {
            return Err(BackupError::Damaged("the manifest names too many files"));
        }
        let mut entries = Vec::with_capacity(wire.files.len());
        let mut files = HashSet::new();
        let mut folders = HashSet::new();
        let mut total: u64 = 0;
        for file in wire.files {
            let path = RelPath::parse(&file.path)?;
            total = total
                .checked_add(file.len)
                .ok_or(BackupError::Damaged("the lengths do not add up"))?;
            for folder in path.ancestors() {
                folders.insert(folder.to_owned());
            }
            if !files.insert(path.as_str().to_owned()) {
                return Err(BackupError::Damaged("the manifest names a file twice"));
            }
            entries.push(Entry {
                path,
                len: file.len,
                sha256: parse_sha256(&file.sha256)?,
            });
        }
        if files.iter().any(|f| folders.contains(f)) {
            return Err(BackupError::Damaged(
                "the manifest names a file where a folder is needed",
            ));
        }
        if total != wire.bytes {
            return Err(BackupError::Damaged("the lengths do not add up"));
        }
        let has = |name: &str| files.contains(name);
        if !has(crate::store::DB_FILE)
            || !(has(crate::store::keys::KEYSLOTS_FILE)
                || has(crate::store::keys::KEYSLOTS_BACKUP_FILE))
        {
            return Err(BackupError::Damaged(
                "the backup holds no database or no keyslots",
            ));
        }
        Ok(Self {
            entries,
            bytes: total,
        })
    }
}

/// A JSON line of `value`, ended by `\n`.
fn json_line(value: &impl Serialize) -> Vec<u8> {
    let mut line = serde_json::to_vec(value).expect("backup lines serialise");
    line.push(b'\n');
    line
}

/// Writes a full backup's plaintext to `inner` (the `age` stream): the
/// first two lines at once, then each file's bytes by [`Self::entry`],
/// then the last line by [`Self::finish`].
pub struct ArchiveWriter<W: Write> {
    inner: W,
    expected: Vec<(u64, String)>,
    next: usize,
    bytes: u64,
    manifest_sha256: [u8; 32],
}

impl<W: Write> fmt::Debug for ArchiveWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArchiveWriter")
            .field("files", &self.expected.len())
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl<W: Write> ArchiveWriter<W> {
    /// Writes the header and the manifest. The manifest is written as it
    /// is given: the maker builds it from names it chose, and the reader
    /// checks every path.
    pub fn new(
        mut inner: W,
        header: &FullHeader,
        manifest: &ManifestWire,
    ) -> Result<Self, BackupError> {
        let mut first = json_line(header);
        let written = inner.write_all(&first);
        first.zeroize();
        written?;
        let line = json_line(&ManifestLine {
            manifest: manifest.clone(),
        });
        if line.len() > MAX_MANIFEST {
            return Err(io::Error::other("too many files for one backup").into());
        }
        inner.write_all(&line)?;
        Ok(Self {
            inner,
            expected: manifest
                .files
                .iter()
                .map(|f| (f.len, f.sha256.clone()))
                .collect(),
            next: 0,
            bytes: manifest.bytes,
            manifest_sha256: Sha256::digest(&line[..line.len() - 1]).into(),
        })
    }

    /// Streams the next file's bytes from `source`, which must give
    /// exactly the length and SHA-256 the manifest says:
    /// [`BackupError::StoreChanged`] otherwise (the file changed since the
    /// manifest was made).
    pub fn entry(&mut self, source: &mut dyn Read) -> Result<(), BackupError> {
        let (len, sha256) = self
            .expected
            .get(self.next)
            .cloned()
            .ok_or_else(|| io::Error::other("more files than the manifest names"))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut left = len;
        while left > 0 {
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(CHUNK);
            let n = source.read(&mut buf[..want])?;
            if n == 0 {
                return Err(BackupError::StoreChanged);
            }
            hasher.update(&buf[..n]);
            self.inner.write_all(&buf[..n])?;
            left -= n as u64;
        }
        if source.read(&mut buf[..1])? != 0 || hex::encode(hasher.finalize()) != sha256 {
            return Err(BackupError::StoreChanged);
        }
        self.next += 1;
        Ok(())
    }

    /// Writes the last line and gives back the stream (whose own `finish`
    /// ends the `age` file).
    pub fn finish(mut self) -> Result<W, BackupError> {
        if self.next != self.expected.len() {
            return Err(io::Error::other("fewer files than the manifest names").into());
        }
        self.inner.write_all(&json_line(&EndLine {
            end: End {
                files: self.expected.len() as u64,
                bytes: self.bytes,
                manifest_sha256: hex::encode(self.manifest_sha256),
            },
        }))?;
        Ok(self.inner)
    }
}

/// What the first line of a backup says it is.
pub enum FirstLine {
    /// A backup without personal data: its first line, as read (without
    /// `\n`), for its own reader.
    WithoutPersonalData(Vec<u8>),
    /// A full backup.
    Full(FullHeader),
}

/// Reads the first line of any backup's plaintext and says which kind it
/// is: [`BackupError::NotABackup`] for anything else,
/// [`BackupError::NewerFormat`] for a full backup (or an unknown kind) of a
/// newer format, [`BackupError::OtherKind`] for a kind this version does
/// not know.
pub fn read_first_line<R: BufRead>(inner: &mut R) -> Result<FirstLine, BackupError> {
    let mut line = match read_line(inner, MAX_HEADER) {
        Ok(Some(line)) => line,
        Ok(None) | Err(None) => return Err(BackupError::NotABackup),
        Err(Some(e)) => return Err(e),
    };
    let result = (|| {
        let value: serde_json::Value =
            serde_json::from_slice(&line).map_err(|_| BackupError::NotABackup)?;
        if value.get("magic").and_then(serde_json::Value::as_str) != Some(MAGIC) {
            return Err(BackupError::NotABackup);
        }
        let kind = value.get("kind").and_then(serde_json::Value::as_str);
        if kind == Some(KIND_WITHOUT_PERSONAL_DATA) {
            return Ok(None);
        }
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(format) if format > FULL_FORMAT => return Err(BackupError::NewerFormat(format)),
            Some(format) if format >= 1 => {}
            _ => return Err(BackupError::Damaged("the first line has no format number")),
        }
        if kind != Some(KIND_FULL) {
            return Err(BackupError::OtherKind);
        }
        serde_json::from_value::<FullHeader>(value)
            .map(Some)
            .map_err(|_| BackupError::Damaged("the first line does not read"))
    })();
    match result {
        Ok(None) => Ok(FirstLine::WithoutPersonalData(line)),
        Ok(Some(header)) => {
            line.zeroize();
            Ok(FirstLine::Full(header))
        }
        Err(e) => {
            line.zeroize();
            Err(e)
        }
    }
}

/// Reads a full backup's plaintext from `inner` (the decrypted `age`
/// stream): the manifest at once, then each file's bytes by
/// [`Self::copy_next`], checked against the manifest, then the last line
/// and the end of the stream by [`Self::finish`].
pub struct ArchiveReader<R: BufRead> {
    inner: R,
    header: FullHeader,
    manifest: Manifest,
    manifest_sha256: [u8; 32],
    next: usize,
}

impl<R: BufRead> fmt::Debug for ArchiveReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArchiveReader")
            .field("files", &self.manifest.entries.len())
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead> ArchiveReader<R> {
    /// Reads and checks the first line and the manifest:
    /// [`BackupError::NotFull`] for a backup without personal data.
    pub fn open(mut inner: R) -> Result<Self, BackupError> {
        match read_first_line(&mut inner)? {
            FirstLine::Full(header) => Self::after_header(inner, header),
            FirstLine::WithoutPersonalData(_) => Err(BackupError::NotFull),
        }
    }

    /// Reads and checks the manifest after `header`, the first line.
    pub fn after_header(mut inner: R, header: FullHeader) -> Result<Self, BackupError> {
        let line = match read_line(&mut inner, MAX_MANIFEST) {
            Ok(Some(line)) => line,
            Ok(None) => return Err(BackupError::Damaged("the backup ends before its manifest")),
            Err(None) => {
                return Err(BackupError::Damaged(
                    "the manifest is too long or not ended",
                ));
            }
            Err(Some(e)) => return Err(e),
        };
        let wire: ManifestLine = serde_json::from_slice(&line)
            .map_err(|_| BackupError::Damaged("the manifest does not read"))?;
        Ok(Self {
            inner,
            header,
            manifest: Manifest::try_from(wire.manifest)?,
            manifest_sha256: Sha256::digest(&line).into(),
            next: 0,
        })
    }

    /// The first line.
    pub fn header(&self) -> &FullHeader {
        &self.header
    }

    /// The manifest, checked.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The file whose bytes come next, `None` after the last.
    pub fn next_entry(&self) -> Option<&Entry> {
        self.manifest.entries.get(self.next)
    }

    /// Streams the next file's bytes into `sink`, then checks their
    /// SHA-256: [`BackupError::Damaged`] when the backup ends inside it or
    /// its bytes are not the manifest's. What reached `sink` before an
    /// error is not to be kept.
    pub fn copy_next(&mut self, sink: &mut dyn Write) -> Result<(), BackupError> {
        let entry = self
            .manifest
            .entries
            .get(self.next)
            .ok_or(BackupError::Damaged("more files than the manifest names"))?;
        let mut hasher = Sha256::new();
        let mut left = entry.len;
        while left > 0 {
            let buf = self.inner.fill_buf().map_err(read_failed)?;
            if buf.is_empty() {
                return Err(BackupError::Damaged("the backup ends inside a file"));
            }
            let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            hasher.update(&buf[..n]);
            sink.write_all(&buf[..n])?;
            self.inner.consume(n);
            left -= n as u64;
        }
        if <[u8; 32]>::from(hasher.finalize()) != entry.sha256 {
            return Err(BackupError::Damaged(
                "a file's SHA-256 is not the one in the manifest",
            ));
        }
        self.next += 1;
        Ok(())
    }

    /// Reads the last line after every file, checks it against the
    /// manifest, and that the stream ends there (which authenticates the
    /// end of the `age` file, so one cut short is caught).
    pub fn finish(mut self) -> Result<(), BackupError> {
        if self.next != self.manifest.entries.len() {
            return Err(BackupError::Damaged("the backup was not read to its end"));
        }
        let line = match read_line(&mut self.inner, MAX_HEADER) {
            Ok(Some(line)) => line,
            Ok(None) => return Err(BackupError::Damaged("the backup ends before its last line")),
            Err(None) => {
                return Err(BackupError::Damaged(
                    "the last line is too long or not ended",
                ));
            }
            Err(Some(e)) => return Err(e),
        };
        let end: EndLine = serde_json::from_slice(&line)
            .map_err(|_| BackupError::Damaged("the last line does not read"))?;
        if end.end.files != self.manifest.entries.len() as u64
            || end.end.bytes != self.manifest.bytes
            || end.end.manifest_sha256 != hex::encode(self.manifest_sha256)
        {
            return Err(BackupError::Damaged(
                "the last line does not match the manifest",
            ));
        }
        let mut byte = [0u8; 1];
        if self.inner.read(&mut byte).map_err(read_failed)? != 0 {
            return Err(BackupError::Damaged("there is more after the last line"));
        }
        Ok(())
    }
}
