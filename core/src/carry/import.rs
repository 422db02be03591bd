//! Taking a client's own record in as a new case.

use super::CarryError;
use super::open::CarryFile;
use crate::backup::shown;
use crate::model::CaseId;
use crate::store::{MediaDetails, NewMedia, Store};

/// Creates a new case (a new id) on `store` with exactly what `file`
/// carries: its sections, diseases, photos and videos, and nothing else;
/// where it came from (when it was made, by which program and agency) is
/// the audit log's entry for the new case. One transaction: on any error
/// nothing is created. Photos are sanitized like every photo taken in;
/// the items are not approved for showing until this agency records the
/// client's approval, and the case holds no consent until this agency
/// records the client's own. Support workers (assigned to the new case)
/// and administrators.
pub fn import_carry_file(store: &mut Store, file: &CarryFile) -> Result<CaseId, CarryError> {
    let preview = file.preview();
    let origin = format!(
        "from a client's own record made {} with {} at {}",
        preview.created_at,
        shown(&preview.made_by),
        preview
            .agency
            .as_deref()
            .map_or_else(|| "an agency not named".to_owned(), shown)
    );
    let media: Vec<NewMedia<'_>> = file
        .media()
        .iter()
        .map(|m| NewMedia {
            kind: m.info.kind,
            mime: &m.info.mime,
            bytes: &m.bytes,
            poster: &m.poster,
            duration_ms: m.info.duration_ms,
            details: MediaDetails {
                caption: m.info.caption.clone(),
                illustrates: m.info.illustrates.clone(),
                taken_at: m.info.taken_at,
            },
        })
        .collect();
    Ok(store.create_case_with_media(file.case(), &media, &origin)?)
}
