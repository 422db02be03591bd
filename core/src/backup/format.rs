//! What is inside the `age` encryption of a backup: lines of JSON.
//!
//! ```text
//! {"magic":"tsunagi-backup","format":1,"kind":"without-personal-data","created_at":…,"store_id":…,"made_by":…,"account":…}
//! {"case":{"id":…,"revision":…,"created_at":…,"created_by":…,"updated_at":…,"assigned_to":[…],"content":{…},"history":[…],"reentry":[…]}}
//! …one line per case…
//! {"end":{"cases":N}}
//! ```
//!
//! The first line says what the file is; a reader that finds another
//! magic refuses it as not a backup, a higher format number as made by a
//! newer version, another kind as one it cannot restore. Each line is
//! read with a bound on its length, so a hostile file cannot make a
//! reader hold more than [`MAX_LINE`] bytes of it at once. The last line
//! counts the cases, and nothing may follow it.

use std::fmt;
use std::io::{self, BufRead, Read, Write};

use serde::{Deserialize, Serialize};

use super::BackupError;
use crate::model::CaseId;
use crate::rfc3339::Timestamp;
use crate::seal::RevisionRecord;

/// What the first line of every backup says it is.
pub const MAGIC: &str = "tsunagi-backup";
/// The format this version writes and the newest it reads. Any change to
/// what a backup holds or how it reads raises it.
pub const FORMAT: u64 = 1;
/// The kind of backup without personal data (個人情報を除いたバックアップ).
pub const KIND_WITHOUT_PERSONAL_DATA: &str = "without-personal-data";
/// The longest line (one case with its history) written or read.
pub const MAX_LINE: usize = 64 * 1024 * 1024;
/// The longest first line read before a file is judged not a backup.
const MAX_HEADER: usize = 64 * 1024;

/// The first line of a backup: what it is, when it was made, and where
/// from. Not identifying (the account is a worker's login name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`MAGIC`].
    pub magic: String,
    /// The format number ([`FORMAT`] for this version).
    pub format: u64,
    /// What kind of backup ([`KIND_WITHOUT_PERSONAL_DATA`]).
    pub kind: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// The id of the store it was made from (`store.id`).
    pub store_id: String,
    /// The program that made it (`tsunagi` on a tablet,
    /// `tsunagi-companion` at the office).
    pub made_by: String,
    /// The account that made it.
    pub account: String,
}

impl Header {
    /// The header of a backup without personal data made now.
    pub fn without_personal_data(store_id: &str, made_by: &str, account: &str) -> Self {
        Self {
            magic: MAGIC.to_owned(),
            format: FORMAT,
            kind: KIND_WITHOUT_PERSONAL_DATA.to_owned(),
            created_at: Timestamp::now(),
            store_id: store_id.to_owned(),
            made_by: made_by.to_owned(),
            account: account.to_owned(),
        }
    }
}

/// One case in a backup: its id, what the store keeps beside it, its
/// content and history with every identifying field left out, and the
/// fields that held something before they were left out (要再入力).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEntry {
    /// The case id, kept so that the restored case is the same case.
    pub id: CaseId,
    /// The case's revision number.
    pub revision: i64,
    /// When the case was made.
    pub created_at: Timestamp,
    /// The account that made it.
    pub created_by: String,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The accounts it was assigned to.
    pub assigned_to: Vec<String>,
    /// The case as JSON (docs/case-json.md), every identifying field `null`.
    pub content: serde_json::Value,
    /// Every saved change, oldest first, identifying values `null`.
    pub history: Vec<RevisionRecord>,
    /// The paths of the fields left out that held something.
    pub reentry: Vec<String>,
}

impl fmt::Debug for CaseEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseEntry")
            .field("id", &self.id)
            .field("revision", &self.revision)
            .field("history", &self.history.len())
            .field("reentry", &self.reentry.len())
            .finish_non_exhaustive()
    }
}

/// A line after the first.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Case(Box<CaseEntry>),
    End { cases: u64 },
}

/// A line after the first, as written (borrowing the case).
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum LineOut<'a> {
    Case(&'a CaseEntry),
    End { cases: u64 },
}

/// Writes the lines of a backup to `inner` (the `age` stream).
pub struct PlainWriter<W: Write> {
    inner: W,
    cases: u64,
}

impl<W: Write> PlainWriter<W> {
    /// Writes the first line.
    pub fn new(mut inner: W, header: &Header) -> Result<Self, BackupError> {
        let mut line = serde_json::to_vec(header).expect("a header serialises");
        line.push(b'\n');
        inner.write_all(&line)?;
        Ok(Self { inner, cases: 0 })
    }

    /// Writes one case's line.
    pub fn case(&mut self, entry: &CaseEntry) -> Result<(), BackupError> {
        let mut line = serde_json::to_vec(&LineOut::Case(entry)).expect("a case entry serialises");
        if line.len() >= MAX_LINE {
            return Err(BackupError::CaseTooLarge(entry.id.to_string()));
        }
        line.push(b'\n');
        self.inner.write_all(&line)?;
        self.cases += 1;
        Ok(())
    }

    /// Writes the last line and gives back the stream.
    pub fn finish(mut self) -> Result<W, BackupError> {
        let mut line = serde_json::to_vec(&LineOut::End { cases: self.cases })
            .expect("the last line serialises");
        line.push(b'\n');
        self.inner.write_all(&line)?;
        Ok(self.inner)
    }
}

/// Reads the lines of a backup from `inner` (the decrypted `age` stream),
/// checking the first line, each line's length, the count at the end and
/// that nothing follows it.
pub struct PlainReader<R: BufRead> {
    inner: R,
    header: Header,
    cases: u64,
    ended: bool,
}

impl<R: BufRead> fmt::Debug for PlainReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlainReader")
            .field("header", &self.header)
            .field("cases", &self.cases)
            .finish_non_exhaustive()
    }
}

/// Words from a file (a program's, an account's or an agency's name),
/// shown short and without control characters.
pub(crate) fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// An error while reading the decrypted stream: `age` reports data that
/// does not authenticate, and a file cut short, as these kinds.
pub(crate) fn read_failed(e: io::Error) -> BackupError {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            BackupError::Damaged("the encrypted data does not authenticate")
        }
        _ => BackupError::Io(e),
    }
}

/// One line of at most `max` bytes without its `\n`; `None` at the end
/// of the stream; `Err(None)` for a line too long or not ended.
pub(crate) fn read_line<R: BufRead>(
    inner: &mut R,
    max: usize,
) -> Result<Option<Vec<u8>>, Option<BackupError>> {
    let mut line = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    inner
        .by_ref()
        .take(limit)
        .read_until(b'\n', &mut line)
        .map_err(|e| Some(read_failed(e)))?;
    if line.is_empty() {
        return Ok(None);
    }
    if line.pop() != Some(b'\n') {
        return Err(None);
    }
    Ok(Some(line))
}

impl<R: BufRead> PlainReader<R> {
    /// Reads and checks the first line.
    pub fn open(mut inner: R) -> Result<Self, BackupError> {
        let line = match read_line(&mut inner, MAX_HEADER) {
            Ok(Some(line)) => line,
            Ok(None) | Err(None) => return Err(BackupError::NotABackup),
            Err(Some(e)) => return Err(e),
        };
        let value: serde_json::Value =
            serde_json::from_slice(&line).map_err(|_| BackupError::NotABackup)?;
        if value.get("magic").and_then(serde_json::Value::as_str) != Some(MAGIC) {
            return Err(BackupError::NotABackup);
        }
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(format) if format > FORMAT => return Err(BackupError::NewerFormat(format)),
            Some(format) if format >= 1 => {}
            _ => return Err(BackupError::Damaged("the first line has no format number")),
        }
        if value.get("kind").and_then(serde_json::Value::as_str) != Some(KIND_WITHOUT_PERSONAL_DATA)
        {
            return Err(BackupError::OtherKind);
        }
        let header: Header = serde_json::from_value(value)
            .map_err(|_| BackupError::Damaged("the first line does not read"))?;
        Ok(Self {
            inner,
            header,
            cases: 0,
            ended: false,
        })
    }

    /// What the first line says.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next case; `None` after the last, once the count at the end
    /// matches and the stream ends there (which also authenticates the
    /// end of the `age` stream, so a file cut short is caught).
    pub fn next_case(&mut self) -> Result<Option<CaseEntry>, BackupError> {
        if self.ended {
            return Ok(None);
        }
        let line = match read_line(&mut self.inner, MAX_LINE) {
            Ok(Some(line)) => line,
            Ok(None) => return Err(BackupError::Damaged("the backup ends before its last line")),
            Err(None) => return Err(BackupError::Damaged("a line is too long or not ended")),
            Err(Some(e)) => return Err(e),
        };
        match serde_json::from_slice::<Line>(&line) {
            Ok(Line::Case(entry)) => {
                self.cases += 1;
                Ok(Some(*entry))
            }
            Ok(Line::End { cases }) => {
                if cases != self.cases {
                    return Err(BackupError::Damaged("the count of cases does not match"));
                }
                let mut byte = [0u8; 1];
                if self.inner.read(&mut byte).map_err(read_failed)? != 0 {
                    return Err(BackupError::Damaged("there is more after the last line"));
                }
                self.ended = true;
                Ok(None)
            }
            Err(_) => Err(BackupError::Damaged("a line does not read")),
        }
    }
}
