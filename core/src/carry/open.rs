//! Opening a client's own record: decrypting it, checking every entry,
//! and saying what it holds, without touching any store.

use std::io::BufReader;
use std::path::Path;

use super::CarryError;
use super::format::{Entry, Header, MediaInfo, read_entry, read_header};
use super::passphrase::typed;
use crate::backup::{BackupFile, SealedWith, Unseal};
use crate::media::MediaKind;
use crate::model::{Case, SectionName};
use crate::pii::Identifying;
use crate::rfc3339::Timestamp;

/// What a client's own record holds, to show before anything is taken in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// When it was made.
    pub created_at: Timestamp,
    /// The program that made it.
    pub made_by: String,
    /// The agency that made it, when it said.
    pub agency: Option<String>,
    /// The sections it carries whole.
    pub sections: Vec<SectionName>,
    /// The names of the diseases it carries (疾患名).
    pub diseases: Vec<String>,
    /// How many photos.
    pub photos: usize,
    /// How many videos.
    pub videos: usize,
    /// The client's name as the file carries it (empty without the basic
    /// information). Identifying.
    pub name: Identifying<String>,
}

impl Preview {
    pub(super) fn of(header: &Header, case: &Case, media: &[MediaInfo]) -> Self {
        let count = |kind: MediaKind| media.iter().filter(|m| m.kind == kind).count();
        Self {
            created_at: header.created_at,
            made_by: header.made_by.clone(),
            agency: header.agency.clone(),
            sections: header.sections.clone(),
            diseases: case
                .basic
                .current_diseases()
                .map(|d| d.name.clone())
                .collect(),
            photos: count(MediaKind::Photo),
            videos: count(MediaKind::Video),
            name: case.basic.name.clone(),
        }
    }
}

/// One photo or video of a client's own record, with its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct CarriedMedia {
    /// What it is, its caption.
    pub info: MediaInfo,
    /// The photo's or video's bytes, checked against the SHA-256 the file gives.
    pub bytes: Vec<u8>,
    /// Its poster (a small JPEG).
    pub poster: Vec<u8>,
}

impl std::fmt::Debug for CarriedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarriedMedia")
            .field("info", &self.info)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// An opened and checked client's own record.
#[derive(Clone)]
pub struct CarryFile {
    header: Header,
    case: Case,
    media: Vec<CarriedMedia>,
}

impl std::fmt::Debug for CarryFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarryFile")
            .field("header", &self.header)
            .field("media", &self.media.len())
            .finish_non_exhaustive()
    }
}

impl CarryFile {
    /// What it holds.
    pub fn preview(&self) -> Preview {
        let infos: Vec<MediaInfo> = self.media.iter().map(|m| m.info.clone()).collect();
        Preview::of(&self.header, &self.case, &infos)
    }

    /// The case as it carries it: the chosen parts, everything else empty.
    pub fn case(&self) -> &Case {
        &self.case
    }

    /// Its photos and videos.
    pub fn media(&self) -> &[CarriedMedia] {
        &self.media
    }
}

/// Opens the client's own record at `path` with the passphrase the client
/// holds on paper (case, spaces and hyphens do not matter), checks every
/// entry's SHA-256, the count at the end and the `age` stream's end, and
/// that the case holds nothing beyond the sections its first line lists.
/// Touches no store. About a second of scrypt.
pub fn open_carry_file(path: &Path, passphrase: &str) -> Result<CarryFile, CarryError> {
    let file = std::fs::File::open(path)?;
    let sealed = BackupFile::open(file)?;
    if sealed.sealed_with() != SealedWith::Passphrase {
        return Err(CarryError::NotACarryFile);
    }
    let key = Unseal::passphrase((*typed(passphrase)).clone());
    let mut plain = BufReader::new(sealed.decrypt(&key)?);
    let header = read_header(&mut plain)?;
    let mut case = None;
    let mut media = Vec::new();
    let mut read = 0;
    while let Some(entry) = read_entry(&mut plain, read)? {
        read += 1;
        match entry {
            Entry::Case(json) if case.is_none() => {
                let text = std::str::from_utf8(&json)
                    .map_err(|_| CarryError::Damaged("the case is not text"))?;
                case = Some(
                    Case::from_json(text)
                        .map_err(|_| CarryError::Damaged("the case does not read"))?,
                );
            }
            Entry::Media(info, bytes, poster) if case.is_some() => {
                let fits = match info.kind {
                    MediaKind::Photo => info.mime == "image/jpeg",
                    MediaKind::Video => {
                        matches!(info.mime.as_str(), "video/mp4" | "video/quicktime")
                    }
                };
                if !fits {
                    return Err(CarryError::Damaged("a photo or video of an unknown type"));
                }
                media.push(CarriedMedia {
                    info,
                    bytes,
                    poster,
                });
            }
            _ => return Err(CarryError::Damaged("the entries are out of order")),
        }
    }
    let case = case.ok_or(CarryError::Damaged("the file holds no case"))?;
    if read != header.entries {
        return Err(CarryError::Damaged("the count of entries does not match"));
    }
    if !holds_only(&case, &header.sections) {
        return Err(CarryError::Damaged(
            "the case holds more than its first line lists",
        ));
    }
    Ok(CarryFile {
        header,
        case,
        media,
    })
}

/// Whether `case` holds nothing beyond the `listed` sections, the
/// diseases with their certificates, and with diseases the vocational
/// issues.
fn holds_only(case: &Case, listed: &[SectionName]) -> bool {
    let mut rest = case.clone();
    if !listed.contains(&SectionName::CaseManagement) && !rest.basic.diseases.is_empty() {
        rest.case_management.vocational_issues.clear();
    }
    if !listed.contains(&SectionName::Basic) {
        rest.basic.diseases.clear();
        rest.basic.medical_certificates.clear();
    }
    rest.sections()
        .iter()
        .zip(Case::new().sections())
        .all(|(held, empty)| listed.contains(&held.name()) || *held == empty)
}
