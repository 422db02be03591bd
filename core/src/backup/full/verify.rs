//! Proving that a backup opens, of either kind, without writing anything.

use std::io::{BufReader, Cursor, Read};

use super::archive::{ArchiveReader, FirstLine, read_first_line};
use super::{FullBackupInfo, FullSummary};
use crate::backup::BackupError;
use crate::backup::format::{Header, PlainReader};
use crate::backup::sealing::{BackupFile, Unseal};
use crate::store::MEDIA_DIR;

/// What a backup that opened holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    /// A full backup: every file read and checked against its manifest.
    Full(FullSummary),
    /// A backup without personal data: every case line read.
    WithoutPersonalData {
        /// Its first line.
        header: Header,
        /// How many cases.
        cases: usize,
    },
}

/// Opens `file` with `key` and reads it to its end, checking everything a
/// restore would check — for a full backup the manifest's paths and every
/// file's length and SHA-256, for a backup without personal data every
/// line and the count of cases — and that the `age` stream ends whole.
/// Writes nothing and needs no store. Errors are those of a restore
/// ([`BackupError::WrongPassphrase`], [`BackupError::Damaged`], …).
pub fn verify_backup<R: Read>(file: BackupFile<R>, key: &Unseal) -> Result<Verified, BackupError> {
    let mut inner = BufReader::new(file.decrypt(key)?);
    match read_first_line(&mut inner)? {
        FirstLine::Full(header) => {
            let mut archive = ArchiveReader::after_header(inner, header)?;
            let info = FullBackupInfo::of(archive.header());
            let (files, bytes) = (archive.manifest().entries.len(), archive.manifest().bytes);
            let media_prefix = format!("{MEDIA_DIR}/");
            let media = archive
                .manifest()
                .entries
                .iter()
                .filter(|e| e.path.as_str().starts_with(&media_prefix))
                .count();
            while archive.next_entry().is_some() {
                archive.copy_next(&mut std::io::sink())?;
            }
            archive.finish()?;
            Ok(Verified::Full(FullSummary {
                info,
                files,
                bytes,
                media,
            }))
        }
        FirstLine::WithoutPersonalData(mut line) => {
            line.push(b'\n');
            let mut plain = PlainReader::open(Cursor::new(line).chain(inner))?;
            let mut cases = 0;
            while plain.next_case()?.is_some() {
                cases += 1;
            }
            Ok(Verified::WithoutPersonalData {
                header: plain.header().clone(),
                cases,
            })
        }
    }
}
