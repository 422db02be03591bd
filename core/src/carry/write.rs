//! Making a client's own record: the consent first, then the sealed file.

use std::path::Path;

use age::secrecy::SecretString;

use super::CarryError;
use super::choice::CarryChoice;
use super::format::{FORMAT, Header, MAGIC, MediaInfo, PlainWriter};
use super::open::Preview;
use super::passphrase::CarryPassphrase;
use crate::backup::{SealTo, replace_file, seal};
use crate::model::{CaseId, ConsentRecord, ConsentScope};
use crate::pii::Identifying;
use crate::rfc3339::Timestamp;
use crate::store::{Store, StoreError};

/// Who the consent's information goes to: the client.
pub const RECIPIENT: &str = "本人";

/// Writes the client's own record of `case` to `out`: exactly what
/// `choice` holds (see [`CarryChoice`]), sealed with `passphrase`
/// ([`CarryPassphrase::generate`]); `made_by` names the program.
///
/// The choice is checked first (every disease the case's, every photo or
/// video the case's and approved by the client); then it is recorded on
/// the case as a consent of scope 本人携帯記録 whose note lists what was
/// chosen, with an audit entry of the read, in one transaction; then the
/// file is written through a temporary file and appears under `out` only
/// whole. If writing fails after the consent was recorded, the consent
/// stays (the client gave it) and `out` is as it was. Runs on the calling
/// thread and takes about a second of scrypt.
pub fn write_carry_file(
    store: &mut Store,
    case: CaseId,
    choice: &CarryChoice,
    passphrase: &CarryPassphrase,
    made_by: &str,
    out: &Path,
) -> Result<Preview, CarryError> {
    let loaded = store.load_case(case).map_err(|e| match e {
        StoreError::NoSuchCase(id) => CarryError::NoSuchCase(id.to_string()),
        other => other.into(),
    })?;
    let items = store.list_media(case)?;
    let resolved = choice.resolve(&loaded, &items)?;
    let carried = resolved.carried(&loaded);
    carried.validate().map_err(StoreError::from)?;
    let json = serde_json::to_vec(&carried).expect("a case serialises to JSON");
    let header = Header {
        magic: MAGIC.to_owned(),
        format: FORMAT,
        created_at: Timestamp::now(),
        made_by: made_by.to_owned(),
        agency: store.research_centre()?.map(|c| c.agency),
        sections: resolved.sections.clone(),
        entries: 1 + resolved.media.len() as u64,
    };
    let consent = ConsentRecord {
        scope: ConsentScope::ClientRecord,
        content: Identifying::new(resolved.note(&loaded)),
        recipient: Identifying::new(RECIPIENT.to_owned()),
        given_on: Some(time::OffsetDateTime::now_utc().date()),
        ..ConsentRecord::new()
    };
    store.record_carry_consent(case, consent, &resolved.audit_detail())?;
    let to = SealTo::Passphrase(SecretString::from(passphrase.expose().to_owned()));
    let mut infos = Vec::new();
    replace_file(out, |file| -> Result<(), CarryError> {
        let mut plain = PlainWriter::new(seal(file, &to)?, &header)?;
        plain.case(&json)?;
        for item in &resolved.media {
            let info = MediaInfo {
                kind: item.kind,
                mime: item.mime.clone(),
                width: item.width,
                height: item.height,
                duration_ms: item.duration_ms,
                taken_at: item.taken_at,
                caption: item.caption.clone(),
                illustrates: item.illustrates.clone(),
            };
            let poster = store.media_poster(case, item.id)?;
            let mut bytes = store.open_media(case, item.id)?;
            plain.media(
                info.clone(),
                item.size,
                item.sha256.clone(),
                &mut bytes,
                &poster,
            )?;
            infos.push(info);
        }
        plain.finish()?.finish()?;
        Ok(())
    })?;
    Ok(Preview::of(&header, &carried, &infos))
}
