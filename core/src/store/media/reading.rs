//! Reading photos and video back: the lists a screen shows, the items
//! a presentation may show, and a decrypting stream over one item.

use super::*;

/// A media item being read: decrypts as it reads, seeks to any chunk, and
/// after a read that has passed over every byte in order, checks the
/// SHA-256 recorded when it was stored. A failed check, like a failed
/// chunk, is an `io::Error` of kind `InvalidData` wrapping
/// [`MediaError::Damaged`].
///
/// Holds no store handle: playback may read it on its own thread.
#[derive(Debug)]
pub struct MediaStream {
    reader: MediaReader,
    expected: [u8; 32],
    hasher: Sha256,
    hashed: u64,
    checked: bool,
    pos: u64,
}

impl MediaStream {
    /// The plaintext length in bytes.
    pub fn len(&self) -> u64 {
        self.reader.len()
    }

    /// Whether the item is empty.
    pub fn is_empty(&self) -> bool {
        self.reader.is_empty()
    }
}

impl Read for MediaStream {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(out)?;
        if self.pos == self.hashed {
            self.hasher.update(&out[..n]);
            self.hashed += n as u64;
        }
        self.pos += n as u64;
        if n == 0 && !out.is_empty() && !self.checked && self.hashed == self.reader.len() {
            self.checked = true;
            let got: [u8; 32] = std::mem::take(&mut self.hasher).finalize().into();
            if got != self.expected {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    MediaError::Damaged,
                ));
            }
        }
        Ok(n)
    }
}

impl Seek for MediaStream {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.reader.seek(to)?;
        Ok(self.pos)
    }
}

impl Store {
    /// The photos and videos of a case, oldest first. Captions are
    /// identifying, so the listing is audited.
    pub fn list_media(&mut self, case: CaseId) -> Result<Vec<MediaItem>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let items = self.query_items(case, false)?;
        self.audit(
            &tx,
            AuditAction::ReadCase,
            Some(case),
            &format!("media list {} rows", items.len()),
        )?;
        tx.commit()?;
        Ok(items)
    }

    /// The items the client has approved for showing (本人が同意した写真・
    /// 動画): what the presentation and the printed profile may use.
    pub fn approved_media(&mut self, case: CaseId) -> Result<Vec<MediaItem>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let items = self.query_items(case, true)?;
        self.audit(
            &tx,
            AuditAction::ReadCase,
            Some(case),
            &format!("media approved {} rows", items.len()),
        )?;
        tx.commit()?;
        Ok(items)
    }

    /// The photos and clips that may be shown to an employer on `day` (the
    /// presentation, the printed profile): the approved items, and only
    /// while the client's consent to their use (写真・動画の利用) is in force
    /// ([`crate::consent::may_use`]). When it is not, no item is returned
    /// and [`ShownMedia::withheld`] says why.
    pub fn media_for_employers(
        &mut self,
        case: CaseId,
        day: time::Date,
    ) -> Result<ShownMedia, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let consents: Vec<ConsentRecord> = tx
            .query_row(
                "SELECT body FROM case_sections WHERE case_id = ?1 AND section = ?2",
                params![case.to_string(), SectionName::Consents.key()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|body| serde_json::from_str(&body).map_err(|_| StoreError::Damaged))
            .transpose()?
            .unwrap_or_default();
        let shown = match may_use(&consents, ConsentScope::Media, day) {
            Ok(()) => ShownMedia {
                items: self.query_items(case, true)?,
                withheld: None,
            },
            Err(refusal) => ShownMedia {
                items: Vec::new(),
                withheld: Some(refusal),
            },
        };
        self.audit(
            &tx,
            AuditAction::ReadCase,
            Some(case),
            &format!("media approved {} rows", shown.items.len()),
        )?;
        tx.commit()?;
        Ok(shown)
    }

    fn media_row(
        &self,
        case: CaseId,
        id: MediaId,
    ) -> Result<(String, MediaKey, [u8; 32], u64), StoreError> {
        let row: Option<(String, Vec<u8>, Vec<u8>, i64)> = self
            .conn
            .query_row(
                "SELECT file, key, sha256, size FROM media WHERE id = ?1 AND case_id = ?2",
                params![id.to_string(), case.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (file, key, sha, size) = row.ok_or(StoreError::NoSuchMedia(id))?;
        let key = MediaKey::from_slice(&key).ok_or(StoreError::Damaged)?;
        let sha: [u8; 32] = sha.try_into().map_err(|_| StoreError::Damaged)?;
        let size = u64::try_from(size).map_err(|_| StoreError::Damaged)?;
        Ok((file, key, sha, size))
    }

    /// Opens an item for reading (playback, display, export). Audited as a
    /// read of identifying data.
    pub fn open_media(&mut self, case: CaseId, id: MediaId) -> Result<MediaStream, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let (file, key, expected, size) = self.media_row(case, id)?;
        let path = self.media_dir().join(&file);
        let reader = match MediaReader::open(&path, &key) {
            Err(MediaError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
                return Err(MediaError::Damaged.into());
            }
            other => other?,
        };
        if reader.len() != size {
            return Err(MediaError::Damaged.into());
        }
        self.audit(
            &tx,
            AuditAction::ReadCase,
            Some(case),
            &format!("media read {id}"),
        )?;
        tx.commit()?;
        Ok(MediaStream {
            reader,
            expected,
            hasher: Sha256::new(),
            hashed: 0,
            checked: false,
            pos: 0,
        })
    }

    /// The item's poster: a JPEG of at most 320 pixels on its longer side,
    /// with no metadata. Audited.
    pub fn media_poster(&mut self, case: CaseId, id: MediaId) -> Result<Vec<u8>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let poster: Option<Vec<u8>> = tx
            .query_row(
                "SELECT poster FROM media WHERE id = ?1 AND case_id = ?2",
                params![id.to_string(), case.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let poster = poster.ok_or(StoreError::NoSuchMedia(id))?;
        self.audit(
            &tx,
            AuditAction::ReadCase,
            Some(case),
            &format!("media poster {id}"),
        )?;
        tx.commit()?;
        Ok(poster)
    }
}
