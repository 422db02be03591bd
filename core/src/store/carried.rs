//! The store's side of the client's own record (本人携帯): the consent
//! recorded when the client takes one, and a new case made from one with
//! its photos and video, each in one transaction.

use std::fs;
use std::io::Write as _;

use super::media::{NewRow, check_video, clean_poster};
use super::{AuditAction, MediaDetails, Store, StoreError};
use crate::media::{MediaError, MediaKind, MediaWriter, VideoInfo, WrittenMedia};
use crate::model::{Case, CaseId, ConsentRecord, Section, SectionName};

/// A photo or video to store with a new case, as a client's own record
/// carries it.
pub(crate) struct NewMedia<'a> {
    /// Photo or video.
    pub(crate) kind: MediaKind,
    /// The video's type (`video/mp4`, `video/quicktime`); ignored for photos.
    pub(crate) mime: &'a str,
    /// The photo's or video's bytes.
    pub(crate) bytes: &'a [u8],
    /// The video's poster (a JPEG); photos make their own.
    pub(crate) poster: &'a [u8],
    /// The video's length.
    pub(crate) duration_ms: Option<u64>,
    /// Caption, what it illustrates, when it was taken.
    pub(crate) details: MediaDetails,
}

/// Media files written for a new case before its transaction; dropped
/// without [`Written::keep`], they are removed.
struct Written {
    dir: std::path::PathBuf,
    files: Vec<WrittenMedia>,
}

impl Written {
    fn keep(mut self) {
        self.files.clear();
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        for file in &self.files {
            let _ = fs::remove_file(self.dir.join(&file.file_name));
        }
    }
}

impl Store {
    /// Adds `consent` to the consents of `case` and records in the audit
    /// log that the case was read for the client's own record (`detail`:
    /// what was chosen, without any value of the case), in one
    /// transaction. Support workers (on their assigned cases) and
    /// administrators.
    pub(crate) fn record_carry_consent(
        &mut self,
        case: CaseId,
        consent: ConsentRecord,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.require_editor()?;
        let at = super::now();
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let mut after = super::read_case(&tx, case)?;
        after.consents.push(consent);
        after.validate()?;
        let section = Section::Consents(after.consents);
        super::cases::write_section(&tx, case, &section, &self.account.name, &at)?;
        self.audit(
            &tx,
            AuditAction::WriteCase,
            Some(case),
            SectionName::Consents.key(),
        )?;
        self.audit(&tx, AuditAction::ReadCase, Some(case), detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Stores `case` as a new case under a fresh id with `media`, in one
    /// transaction; `origin` goes in the audit log's entry for the new
    /// case. Photos are sanitized like every photo taken in
    /// ([`Store::import_photo`]); videos and their posters are checked
    /// against the limits like [`Store::commit_video`]. The items are not
    /// approved for showing: this agency records the client's approval
    /// itself. On any error nothing is stored and no file is left.
    pub(crate) fn create_case_with_media(
        &mut self,
        case: &Case,
        media: &[NewMedia<'_>],
        origin: &str,
    ) -> Result<CaseId, StoreError> {
        self.require_editor()?;
        case.validate()?;
        let limits = self.media_limits()?;
        let mut written = Written {
            dir: self.media_dir(),
            files: Vec::new(),
        };
        let mut rows: Vec<(Option<u32>, Option<u32>, Vec<u8>)> = Vec::new();
        for item in media {
            match item.kind {
                MediaKind::Photo => {
                    let photo = self.write_photo(item.bytes)?;
                    let row = photo.row();
                    rows.push((row.width, row.height, row.poster.to_vec()));
                    written.files.push(photo.written);
                }
                MediaKind::Video => {
                    let info = VideoInfo {
                        mime: item.mime.to_owned(),
                        duration_ms: item.duration_ms.unwrap_or_default(),
                    };
                    check_video(&limits, item.bytes.len() as u64, &info)?;
                    let poster = clean_poster(item.poster)?;
                    let mut writer =
                        MediaWriter::create(&written.dir)?.with_max_size(limits.max_video_bytes);
                    writer.write_all(item.bytes).map_err(MediaError::from)?;
                    written.files.push(writer.finish()?);
                    rows.push((None, None, poster));
                }
            }
        }
        let tx = self.conn.unchecked_transaction()?;
        let id = self.insert_case(&tx, case)?;
        self.audit(&tx, AuditAction::CreateCase, Some(id), origin)?;
        for ((item, file), (width, height, poster)) in media.iter().zip(&written.files).zip(&rows) {
            let row = NewRow {
                kind: item.kind,
                mime: match item.kind {
                    MediaKind::Photo => "image/jpeg",
                    MediaKind::Video => item.mime,
                },
                width: *width,
                height: *height,
                duration_ms: item.duration_ms.filter(|_| item.kind == MediaKind::Video),
                poster,
            };
            self.insert_media(&tx, id, file, &row, &item.details)?;
        }
        tx.commit()?;
        written.keep();
        Ok(id)
    }
}
