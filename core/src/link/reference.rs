//! Reference releases travel with docking (共有データベースの更新).
//!
//! A signed reference release installed on the companion is offered to each
//! tablet when it docks: the companion's `Welcome` names the version it
//! uses; a tablet holding an older one asks for it (`ReferenceWanted`) and
//! receives the release's three files in pieces. The tablet trusts nothing
//! the companion says about the files: it installs them exactly as an
//! administrator's `reference install` does — the publisher's signature,
//! the version newer than the one in use, written atomically — so a
//! companion (or anyone posing as one) can offer only what the publisher
//! signed.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::LinkError;
use super::wire::Message;
use crate::reference::release::SIGNATURE_FILE;
use crate::reference::{
    DISEASES_FILE, MAX_FILE_BYTES, OCCUPATIONS_FILE, ReferenceDb, ReferenceError, ReferenceOrigin,
    ReferenceVersion, Trust, UPDATE_FOLDER,
};

/// The files of a release, in the order they are sent.
const FILES: [&str; 3] = [DISEASES_FILE, OCCUPATIONS_FILE, SIGNATURE_FILE];
/// The bytes of one piece (base64 makes a third more; well under a frame).
pub const PIECE: usize = 192 * 1024;

/// A signed release a companion can give: the one it uses, read from its
/// update folder.
#[derive(Clone, Debug)]
pub struct Release {
    /// Its version.
    pub version: ReferenceVersion,
    files: Vec<(&'static str, Vec<u8>)>,
}

impl Release {
    /// The release installed in the data folder `data_dir` when it is the
    /// one in use there (signed by a publisher `trust` accepts and newer
    /// than the built-in one); `None` when the built-in release is in use.
    pub fn installed(data_dir: &Path, trust: &Trust) -> Option<Release> {
        let update_dir = data_dir.join(UPDATE_FOLDER);
        let db = ReferenceDb::load_with(Some(&update_dir), trust).ok()?;
        if !matches!(db.origin(), ReferenceOrigin::Folder(_)) {
            return None;
        }
        let files = FILES
            .iter()
            .map(|&name| fs::read(update_dir.join(name)).map(|bytes| (name, bytes)))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        Some(Release {
            version: db.version().clone(),
            files,
        })
    }

    /// The messages that carry the release, file by file.
    pub fn pieces(&self) -> Vec<Message> {
        let mut out = Vec::new();
        for (name, bytes) in &self.files {
            let total = bytes.len() as u64;
            let mut offset = 0;
            // An empty file still goes, as one empty piece.
            loop {
                let end = (offset + PIECE).min(bytes.len());
                out.push(Message::ReferencePiece {
                    file: (*name).to_owned(),
                    offset: offset as u64,
                    total,
                    data: STANDARD.encode(&bytes[offset..end]),
                });
                offset = end;
                if offset >= bytes.len() {
                    break;
                }
            }
        }
        out
    }
}

/// Whether the tablet should ask for the release the companion offers: a
/// version that reads, newer than the one in use.
pub fn wanted(offered: Option<&str>, in_use: &ReferenceVersion) -> bool {
    offered
        .and_then(|v| ReferenceVersion::parse(v).ok())
        .is_some_and(|v| v > *in_use)
}

/// A release's files collected as their pieces arrive, each piece where the
/// last one ended, no file longer than a reference file may be.
#[derive(Debug, Default)]
pub struct Assembler {
    files: BTreeMap<&'static str, (u64, Vec<u8>)>,
}

impl Assembler {
    /// Nothing received yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one piece; a piece of another file, out of order, too long, or
    /// not base64 is refused.
    pub fn add(
        &mut self,
        file: &str,
        offset: u64,
        total: u64,
        data: &str,
    ) -> Result<(), LinkError> {
        let name = FILES
            .into_iter()
            .find(|n| *n == file)
            .ok_or(LinkError::Protocol("a reference piece of an unknown file"))?;
        if total > MAX_FILE_BYTES {
            return Err(LinkError::Protocol("a reference file larger than allowed"));
        }
        let bytes = STANDARD
            .decode(data)
            .map_err(|_| LinkError::Protocol("a reference piece that is not base64"))?;
        let (expected_total, held) = self
            .files
            .get(name)
            .map_or((total, 0), |(t, held)| (*t, held.len() as u64));
        if expected_total != total || held != offset {
            return Err(LinkError::Protocol("a reference piece out of order"));
        }
        if offset + bytes.len() as u64 > total {
            return Err(LinkError::Protocol("a reference piece past its file's end"));
        }
        let (_, held) = self.files.entry(name).or_insert((total, Vec::new()));
        held.extend_from_slice(&bytes);
        Ok(())
    }

    /// Installs the received release into the data folder `data_dir` as
    /// `reference install` does (signature by a publisher `trust` accepts,
    /// newer than the release in use, written atomically), through a
    /// temporary folder beside the update folder that is removed after.
    /// Files missing or cut short are refused before anything is written.
    pub fn install(self, data_dir: &Path, trust: &Trust) -> Result<ReferenceDb, ReferenceError> {
        let incomplete = FILES.into_iter().find(|name| {
            self.files
                .get(name)
                .is_none_or(|(total, held)| held.len() as u64 != *total)
        });
        if let Some(missing) = incomplete {
            return Err(ReferenceError::IncompleteUpdate {
                dir: data_dir.join(UPDATE_FOLDER),
                missing,
            });
        }
        let staging = data_dir.join(format!("{UPDATE_FOLDER}-received-{}", uuid::Uuid::new_v4()));
        let staged = (|| {
            fs::create_dir_all(&staging)?;
            for (name, (_, bytes)) in &self.files {
                fs::write(staging.join(name), bytes)?;
            }
            Ok(())
        })();
        let result = staged
            .map_err(|source| ReferenceError::Install {
                dir: staging.clone(),
                source,
            })
            .and_then(|()| {
                ReferenceDb::install_update_with(&staging, &data_dir.join(UPDATE_FOLDER), trust)
            });
        let _ = fs::remove_dir_all(&staging);
        result
    }
}

#[cfg(test)]
mod tests;
