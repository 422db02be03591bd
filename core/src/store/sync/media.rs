//! Photos and videos in bundles.
//!
//! A case record lists every photo and video of the case with its details
//! and approval ([`MediaRecord`]); an item's bytes travel once per peer, as
//! the part `media/ID`, decrypted from the sender's media file into the
//! bundle's `age` stream and encrypted again under a new key on arrival.
//! `outgoing_media` remembers, per peer, which items were sealed and a
//! digest of their details, so a changed caption or approval sends the case
//! again without its bytes.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::super::media::MediaId;
use super::super::{Store, StoreError};
use super::SyncError;
use crate::media::{MediaError, MediaKind, MediaWriter, WrittenMedia};
use crate::model::CaseId;
use crate::rfc3339::Timestamp;
use crate::seal::{BundleId, MediaRecord, PartInfo, PartKind, PartSource, SealError};

/// The part name of an item's bytes.
pub(super) fn part_name(id: &str) -> String {
    format!("media/{id}")
}

/// What changes when an item's details or approval change.
fn digest(r: &MediaRecord) -> String {
    let mut h = Sha256::new();
    let time = |t: Option<Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
    for field in [
        r.caption.as_str(),
        r.illustrates.as_str(),
        &time(r.taken_at),
        &time(r.approved_at),
        r.approved_by.as_deref().unwrap_or(""),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

impl Store {
    /// Every photo and video of `case` as a bundle lists them: the media
    /// table's items ([`Store::query_items`]) with their posters.
    pub(super) fn media_records(&self, case: CaseId) -> Result<Vec<MediaRecord>, StoreError> {
        let mut poster = self
            .conn
            .prepare_cached("SELECT poster FROM media WHERE id = ?1")?;
        self.query_items(case, false)?
            .into_iter()
            .map(|item| {
                let jpeg: Vec<u8> = poster.query_row([item.id.to_string()], |r| r.get(0))?;
                let (approved_at, approved_by) = match item.approval {
                    Some(a) => (Some(a.at), Some(a.recorded_by)),
                    None => (None, None),
                };
                Ok(MediaRecord {
                    id: item.id.to_string(),
                    kind: item.kind.as_str().to_owned(),
                    mime: item.mime,
                    size: item.size,
                    sha256: item.sha256,
                    width: item.width,
                    height: item.height,
                    duration_ms: item.duration_ms,
                    created_at: item.created_at,
                    created_by: item.created_by,
                    taken_at: item.taken_at,
                    caption: item.caption.into_inner(),
                    illustrates: item.illustrates.into_inner(),
                    approved_at,
                    approved_by,
                    poster: STANDARD.encode(jpeg),
                })
            })
            .collect()
    }

    /// The cases (by id) whose photos and videos changed since they were
    /// last sealed for `peer`: an item added, changed or deleted.
    pub(super) fn media_changed_cases(&self, peer: &str) -> Result<HashSet<String>, StoreError> {
        let mut sent: HashMap<String, (String, String)> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT media_id, case_id, digest FROM outgoing_media WHERE peer = ?1",
            )?;
            for row in stmt.query_map([peer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
                let (id, case, digest): (String, String, String) = row?;
                sent.insert(id, (case, digest));
            }
        }
        let mut changed = HashSet::new();
        let cases: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT DISTINCT case_id FROM media")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for case in cases {
            let id: CaseId = case.parse().map_err(|_| StoreError::Damaged)?;
            for record in self.media_records(id)? {
                match sent.remove(&record.id) {
                    Some((_, d)) if d == digest(&record) => {}
                    _ => {
                        changed.insert(case.clone());
                    }
                }
            }
        }
        // What is left was sent and has been deleted since.
        changed.extend(sent.into_values().map(|(case, _)| case));
        Ok(changed)
    }

    /// The bytes to seal for `records`' items that `peer` has not been sent
    /// (all of them for `peer` = `None`, a send-data file), each streamed
    /// from its media file.
    pub(super) fn media_parts(
        &mut self,
        peer: Option<&str>,
        case: CaseId,
        records: &[MediaRecord],
    ) -> Result<Vec<PartSource<'static>>, StoreError> {
        let mut parts = Vec::new();
        for record in records {
            if let Some(peer) = peer {
                let sent: Option<i64> = self
                    .conn
                    .query_row(
                        "SELECT 1 FROM outgoing_media WHERE peer = ?1 AND media_id = ?2",
                        params![peer, record.id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if sent.is_some() {
                    continue;
                }
            }
            let id: MediaId = record.id.parse().map_err(|_| StoreError::Damaged)?;
            let stream = self.open_media(case, id)?;
            parts.push(PartSource {
                info: PartInfo {
                    name: part_name(&record.id),
                    kind: PartKind::Media,
                    length: record.size,
                    sha256: record.sha256.clone(),
                },
                reader: Box::new(stream),
            });
        }
        Ok(parts)
    }

    /// Remembers that `records` of `case` went to `peer` in `bundle`, and
    /// forgets the items of the case that are gone.
    pub(super) fn remember_media_sent(
        tx: &rusqlite::Connection,
        peer: &str,
        bundle: BundleId,
        case: &str,
        records: &[MediaRecord],
    ) -> Result<(), StoreError> {
        let listed: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let known: Vec<String> = {
            let mut stmt = tx.prepare_cached(
                "SELECT media_id FROM outgoing_media WHERE peer = ?1 AND case_id = ?2",
            )?;
            stmt.query_map(params![peer, case], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for gone in known.iter().filter(|id| !listed.contains(id.as_str())) {
            tx.execute(
                "DELETE FROM outgoing_media WHERE peer = ?1 AND media_id = ?2",
                params![peer, gone],
            )?;
        }
        for r in records {
            tx.execute(
                "INSERT INTO outgoing_media (peer, media_id, case_id, digest, bundle_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (peer, media_id) DO UPDATE SET digest = excluded.digest",
                params![peer, r.id, case, digest(r), bundle.to_string()],
            )?;
        }
        Ok(())
    }
}

/// Media files written while a bundle is read, before its import commits.
/// Dropped without [`ReceivedMedia::keep`], it removes them: a refused
/// bundle leaves nothing behind.
pub(super) struct ReceivedMedia {
    dir: PathBuf,
    written: HashMap<String, WrittenMedia>,
    claimed: HashSet<String>,
    /// Files of items the import replaced or removed, deleted after commit.
    pub(super) obsolete: Vec<String>,
}

impl ReceivedMedia {
    pub(super) fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            written: HashMap::new(),
            claimed: HashSet::new(),
            obsolete: Vec::new(),
        }
    }

    /// Streams the part `info` from `copy` into a new media file.
    pub(super) fn receive(
        &mut self,
        info: &PartInfo,
        copy: impl FnOnce(&mut MediaWriter) -> Result<(), SealError>,
    ) -> Result<(), SealError> {
        let id = info
            .name
            .strip_prefix("media/")
            .filter(|id| id.parse::<MediaId>().is_ok())
            .ok_or(SealError::Damaged("a media part has no valid name"))?
            .to_owned();
        let mut writer = MediaWriter::create(&self.dir)
            .map_err(media_io)?
            .with_max_size(info.length);
        copy(&mut writer)?;
        let written = writer.finish().map_err(media_io)?;
        if let Some(old) = self.written.insert(id, written) {
            let _ = fs::remove_file(self.dir.join(old.file_name));
        }
        Ok(())
    }

    /// The file received for item `id`, now owned by the import: it stays
    /// if the import commits.
    pub(super) fn claim(&mut self, id: &str) -> Option<&WrittenMedia> {
        let written = self.written.get(id)?;
        self.claimed.insert(id.to_owned());
        Some(written)
    }

    /// The import committed: claimed files stay; unclaimed and obsolete
    /// ones go.
    pub(super) fn keep(mut self) {
        let claimed = std::mem::take(&mut self.claimed);
        self.written.retain(|id, _| !claimed.contains(id));
        for file in std::mem::take(&mut self.obsolete) {
            let _ = fs::remove_file(self.dir.join(file));
        }
        // Drop removes what is left in `written`.
    }
}

impl Drop for ReceivedMedia {
    fn drop(&mut self) {
        for (_, w) in self.written.drain() {
            let _ = fs::remove_file(self.dir.join(&w.file_name));
        }
    }
}

fn media_io(e: MediaError) -> SealError {
    match e {
        MediaError::Io(e) => SealError::Io(e),
        _ => SealError::Damaged("a media part could not be stored"),
    }
}

/// Makes the received case's photos and videos those `records` list: new
/// items from their received bytes, details and approvals updated, items no
/// longer listed removed (their files once the import commits).
pub(super) fn apply_media(
    tx: &rusqlite::Connection,
    case: &str,
    records: &[MediaRecord],
    received: &mut ReceivedMedia,
) -> Result<(), SyncError> {
    let listed: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let local: Vec<(String, String)> = {
        let mut stmt = tx.prepare_cached("SELECT id, file FROM media WHERE case_id = ?1")?;
        stmt.query_map([case], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    for (id, file) in &local {
        if !listed.contains(id.as_str()) {
            tx.execute("DELETE FROM media WHERE id = ?1", [id])?;
            received.obsolete.push(file.clone());
        }
    }
    for r in records {
        let kind = MediaKind::parse(&r.kind)
            .ok_or(SealError::Damaged("a media item of an unknown kind"))?;
        let approved = r.approved_at.is_some();
        let exists = local.iter().any(|(id, _)| *id == r.id);
        if exists {
            tx.execute(
                "UPDATE media SET caption = ?2, illustrates = ?3, taken_at = ?4, approved = ?5,
                   approved_at = ?6, approved_by = ?7 WHERE id = ?1",
                params![
                    r.id,
                    r.caption,
                    r.illustrates,
                    r.taken_at,
                    approved,
                    r.approved_at,
                    r.approved_by
                ],
            )?;
            continue;
        }
        let written = received.claim(&r.id).ok_or(SealError::Damaged(
            "a new photo or video came without its bytes",
        ))?;
        if hex::encode(written.sha256) != r.sha256 || written.size != r.size {
            return Err(SealError::Damaged("a photo or video does not match its record").into());
        }
        let poster = STANDARD
            .decode(&r.poster)
            .map_err(|_| SealError::Damaged("a poster is not valid"))?;
        tx.execute(
            "INSERT INTO media (id, case_id, kind, file, key, sha256, size, mime, width, height,
                duration_ms, created_at, created_by, taken_at, caption, illustrates, approved,
                approved_at, approved_by, poster)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20)",
            params![
                r.id,
                case,
                kind.as_str(),
                written.file_name,
                written.key.as_bytes().as_slice(),
                written.sha256.as_slice(),
                i64::try_from(r.size)
                    .map_err(|_| SealError::Damaged("a media item is too large"))?,
                r.mime,
                r.width,
                r.height,
                r.duration_ms.and_then(|d| i64::try_from(d).ok()),
                r.created_at,
                r.created_by,
                r.taken_at,
                r.caption,
                r.illustrates,
                approved,
                r.approved_at,
                r.approved_by,
                poster,
            ],
        )?;
    }
    Ok(())
}
