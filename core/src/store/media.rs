//! Photos and video of a case (写真・動画) in the store.
//!
//! Each item is its own encrypted file under `DATA_DIR/media/`
//! ([`crate::media::file`]); its row in the `media` table holds the file
//! name, the item's key, the plaintext SHA-256, the details and a small
//! poster JPEG. The database is encrypted, so the key and the poster are
//! too.
//!
//! Order of a write: temporary file → fsync → rename → database commit. A
//! crash before the commit leaves a file with no row; [`Store::sweep_media`]
//! removes such files (and stale temporary files) when the store opens.
//!
//! Deleting an item is a crypto-erase: the row, and with it the only copy
//! of the key, is deleted with `secure_delete` on (so the key's bytes are
//! overwritten in the database file, not left in a free page), the WAL is
//! checkpointed, and then the file is removed.
//!
//! Permissions are those of cases: any account that may see the case may
//! list and open its media; read-only accounts change nothing; support
//! workers only touch the cases assigned to them. Every read of a photo, a
//! video, a poster or a caption is written to the audit log, with the item
//! id only.

use crate::rfc3339::Timestamp;
use std::fmt;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{AuditAction, Store, StoreError, now};
use crate::consent::{Refusal, may_use};
use crate::media::file::{TEMP_SUFFIX, hex};
use crate::media::{
    MediaError, MediaKey, MediaKind, MediaLimits, MediaReader, MediaWriter, POSTER_EDGE, VideoInfo,
    WrittenMedia, photo,
};
use crate::model::{CaseId, ConsentRecord, ConsentScope, SectionName};
use crate::pii::Identifying;

/// The folder of media files inside the data folder.
pub const MEDIA_DIR: &str = "media";

/// Files younger than this are left alone by the sweep on open: they may
/// belong to a capture still running in another process, or to a write
/// between its rename and its commit.
pub const SWEEP_GRACE: Duration = Duration::from_secs(15 * 60);

const LIMITS_KEY: &str = "media_limits";

/// A media item's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MediaId(pub Uuid);

impl MediaId {
    /// A new random id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for MediaId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for MediaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for MediaId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Self)
    }
}

/// What the support worker writes about an item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MediaDetails {
    /// キャプション: free text shown under the item. Identifying.
    pub caption: Identifying<String>,
    /// 表している強み: which strength, interest or achievement of the positive
    /// profile (ポジティブプロフィール) the item illustrates, in the worker's
    /// words, e.g. 「丁寧な作業 (careful work)」. Free text, so identifying;
    /// the presentation groups items by it.
    pub illustrates: Identifying<String>,
    /// 撮影日時, RFC 3339, when known. Not read from the photo's EXIF, which
    /// is discarded.
    pub taken_at: Option<Timestamp>,
}

/// The client's approval (本人の同意) of showing an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// When it was recorded (RFC 3339, UTC).
    pub at: Timestamp,
    /// The account that recorded it.
    pub recorded_by: String,
}

/// The section key of a revision that records a change to a case's photos
/// and videos (an item added, approved or withdrawn, described, deleted).
pub const MEDIA_REVISION_SECTION: &str = "media";

/// Makes a change to `case`'s media a revision of the case (who, when,
/// which item, what), so that the case's revision, which only grows,
/// orders media changes too: a companion takes an approval withdrawn on
/// the tablet as newer than the file made before it. The values are not
/// kept (a caption is the client's own words; the row holds it).
pub(super) fn record_media_change(
    tx: &rusqlite::Transaction<'_>,
    case: CaseId,
    author: &str,
    path: String,
) -> Result<(), StoreError> {
    let id = case.to_string();
    let at = now();
    let revision: i64 = tx.query_row("SELECT revision FROM cases WHERE id = ?1", [&id], |r| {
        r.get(0)
    })?;
    let change = crate::revision::FieldChange {
        path,
        old: serde_json::Value::Null,
        new: serde_json::Value::Null,
    };
    tx.execute(
        "INSERT INTO revisions (case_id, revision, author, at, section, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            revision + 1,
            author,
            at,
            MEDIA_REVISION_SECTION,
            serde_json::to_string(&[change]).expect("a change serialises")
        ],
    )?;
    tx.execute(
        "UPDATE cases SET revision = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, revision + 1, at],
    )?;
    Ok(())
}

/// What may be shown of a case's media to an employer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownMedia {
    /// The approved items, when the media consent is in force.
    pub items: Vec<MediaItem>,
    /// Why nothing is shown, when the media consent is not in force.
    pub withheld: Option<Refusal>,
}

/// One photo or video of a case, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MediaItem {
    /// The item's id.
    pub id: MediaId,
    /// The case it belongs to.
    pub case_id: CaseId,
    /// Photo or video.
    pub kind: MediaKind,
    /// `image/jpeg` for photos; the video's type.
    pub mime: String,
    /// Plaintext size in bytes.
    pub size: u64,
    /// SHA-256 of the plaintext, hex.
    pub sha256: String,
    /// Width in pixels (photos).
    pub width: Option<u32>,
    /// Height in pixels (photos).
    pub height: Option<u32>,
    /// Length in milliseconds (videos).
    pub duration_ms: Option<u64>,
    /// When it was stored (RFC 3339, UTC).
    pub created_at: Timestamp,
    /// The account that stored it.
    pub created_by: String,
    /// 撮影日時, if known.
    pub taken_at: Option<Timestamp>,
    /// キャプション. Identifying.
    pub caption: Identifying<String>,
    /// The strength or section it illustrates. Identifying.
    pub illustrates: Identifying<String>,
    /// The client's approval, if given and not withdrawn.
    pub approval: Option<Approval>,
}

/// The space the media take and the space left (残り容量).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MediaSpace {
    /// Bytes free for this user on the data folder's file system.
    pub available_bytes: u64,
    /// Bytes taken by media files.
    pub used_bytes: u64,
}

const ITEM_COLUMNS: &str = "id, case_id, kind, mime, size, sha256, width, height, duration_ms,
     created_at, created_by, taken_at, caption, illustrates, approved, approved_at, approved_by";

fn read_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<MediaItem, StoreError>> {
    let id: String = r.get(0)?;
    let case_id: String = r.get(1)?;
    let kind: String = r.get(2)?;
    let sha: Vec<u8> = r.get(5)?;
    let approved: bool = r.get(14)?;
    let approval = match (
        approved,
        r.get::<_, Option<Timestamp>>(15)?,
        r.get::<_, Option<String>>(16)?,
    ) {
        (true, Some(at), Some(recorded_by)) => Some(Approval { at, recorded_by }),
        _ => None,
    };
    let build = || -> Result<MediaItem, StoreError> {
        Ok(MediaItem {
            id: id.parse().map_err(|_| StoreError::Damaged)?,
            case_id: case_id.parse().map_err(|_| StoreError::Damaged)?,
            kind: MediaKind::parse(&kind).ok_or(StoreError::Damaged)?,
            mime: r.get(3)?,
            size: u64::try_from(r.get::<_, i64>(4)?).map_err(|_| StoreError::Damaged)?,
            sha256: hex(&sha),
            width: r.get(6)?,
            height: r.get(7)?,
            duration_ms: r
                .get::<_, Option<i64>>(8)?
                .and_then(|d| u64::try_from(d).ok()),
            created_at: r.get(9)?,
            created_by: r.get(10)?,
            taken_at: r.get(11)?,
            caption: Identifying::new(r.get(12)?),
            illustrates: Identifying::new(r.get(13)?),
            approval,
        })
    };
    Ok(build())
}

/// The columns a new row needs beyond the details.
pub(super) struct NewRow<'a> {
    pub(super) kind: MediaKind,
    pub(super) mime: &'a str,
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) duration_ms: Option<u64>,
    pub(super) poster: &'a [u8],
}

/// A sanitized photo written to a new media file, not yet recorded.
pub(super) struct PhotoFile {
    pub(super) written: WrittenMedia,
    width: u32,
    height: u32,
    poster: Vec<u8>,
}

impl PhotoFile {
    /// The row's columns beyond the details.
    pub(super) fn row(&self) -> NewRow<'_> {
        NewRow {
            kind: MediaKind::Photo,
            mime: "image/jpeg",
            width: Some(self.width),
            height: Some(self.height),
            duration_ms: None,
            poster: &self.poster,
        }
    }
}

/// Refuses a video over the limits or of a type other than MP4 and
/// QuickTime.
pub(super) fn check_video(
    limits: &MediaLimits,
    size: u64,
    info: &VideoInfo,
) -> Result<(), StoreError> {
    if size > limits.max_video_bytes || info.duration_ms > limits.max_video_ms {
        return Err(MediaError::TooLarge.into());
    }
    if !matches!(info.mime.as_str(), "video/mp4" | "video/quicktime") {
        return Err(MediaError::UnknownKind.into());
    }
    Ok(())
}

/// A video's poster as it is kept: a JPEG or PNG frame shrunk and
/// re-encoded with no metadata.
pub(super) fn clean_poster(poster: &[u8]) -> Result<Vec<u8>, StoreError> {
    Ok(photo::encode_clean(
        &photo::decode_upright(poster)?,
        POSTER_EDGE,
        image::imageops::FilterType::CatmullRom,
    )?
    .jpeg)
}

impl Store {
    /// The folder holding the media files.
    pub fn media_dir(&self) -> PathBuf {
        self.dir.join(MEDIA_DIR)
    }

    /// The limits in force (the defaults until an administrator sets them).
    pub fn media_limits(&self) -> Result<MediaLimits, StoreError> {
        let stored: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [LIMITS_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        match stored {
            None => Ok(MediaLimits::default()),
            Some(text) => serde_json::from_str(&text).map_err(|_| StoreError::Damaged),
        }
    }

    /// Sets the limits (administrators only). They apply to items stored
    /// from now on.
    pub fn set_media_limits(&mut self, limits: MediaLimits) -> Result<(), StoreError> {
        self.require_admin("change the media limits")?;
        let text = serde_json::to_string(&limits).expect("limits serialise");
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![LIMITS_KEY, text],
        )?;
        Ok(())
    }

    /// The space left on the data folder's file system, and the space the
    /// media files take.
    pub fn media_space(&self) -> Result<MediaSpace, StoreError> {
        let available_bytes = fs4::available_space(&self.dir)?;
        let mut used_bytes = 0;
        if let Ok(entries) = fs::read_dir(self.media_dir()) {
            for entry in entries.flatten() {
                if let Ok(meta) = entry.metadata() {
                    used_bytes += meta.len();
                }
            }
        }
        Ok(MediaSpace {
            available_bytes,
            used_bytes,
        })
    }

    fn require_media_editor(&self, case: CaseId) -> Result<(), StoreError> {
        self.require_editor()?;
        self.require_access(&self.conn, case)
    }

    /// Stores a photo (写真の取り込み): the bytes (JPEG, PNG, WebP, GIF or
    /// TIFF) are decoded, turned upright, shrunk to the long-edge limit and
    /// re-encoded as a JPEG with no metadata before anything is written.
    /// The original bytes are never written anywhere.
    pub fn import_photo(
        &mut self,
        case: CaseId,
        bytes: &[u8],
        details: &MediaDetails,
    ) -> Result<MediaId, StoreError> {
        self.require_media_editor(case)?;
        let photo = self.write_photo(bytes)?;
        self.commit_media(case, &photo.written, &photo.row(), details)
    }

    /// Sanitizes a photo (see [`import_photo`](Self::import_photo)) into a
    /// new media file, not yet recorded.
    pub(super) fn write_photo(&self, bytes: &[u8]) -> Result<PhotoFile, StoreError> {
        let limits = self.media_limits()?;
        let (clean, poster) = photo::sanitize_with_poster(bytes, limits.max_photo_edge)?;
        let mut writer = MediaWriter::create(&self.media_dir())?;
        writer.write_all(&clean.jpeg).map_err(MediaError::from)?;
        Ok(PhotoFile {
            written: writer.finish()?,
            width: clean.width,
            height: clean.height,
            poster: poster.jpeg,
        })
    }

    /// Starts a video for `case` (動画の保存): capture or a transcoder writes
    /// the plaintext into the returned writer, which encrypts as it goes and
    /// refuses to pass the size limit. Hand the result of
    /// [`MediaWriter::finish`] to [`commit_video`](Self::commit_video).
    /// Dropping the writer instead leaves nothing behind.
    pub fn begin_video(&mut self, case: CaseId) -> Result<MediaWriter, StoreError> {
        self.require_media_editor(case)?;
        let limits = self.media_limits()?;
        Ok(MediaWriter::create(&self.media_dir())?.with_max_size(limits.max_video_bytes))
    }

    /// Records a finished video with its poster (a JPEG or PNG frame, which
    /// is shrunk and re-encoded with no metadata). On any error the file is
    /// removed and nothing is recorded.
    pub fn commit_video(
        &mut self,
        case: CaseId,
        written: WrittenMedia,
        poster: &[u8],
        info: &VideoInfo,
        details: &MediaDetails,
    ) -> Result<MediaId, StoreError> {
        let path = self.media_dir().join(&written.file_name);
        let result = (|| -> Result<MediaId, StoreError> {
            self.require_media_editor(case)?;
            check_video(&self.media_limits()?, written.size, info)?;
            let poster = clean_poster(poster)?;
            let row = NewRow {
                kind: MediaKind::Video,
                mime: &info.mime,
                width: None,
                height: None,
                duration_ms: Some(info.duration_ms),
                poster: &poster,
            };
            self.commit_media(case, &written, &row, details)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&path);
        }
        result
    }

    /// Stores a video read from `source` (an MP4/MOV file as it is, or a
    /// transcoder's output), with its poster.
    pub fn add_video(
        &mut self,
        case: CaseId,
        source: &mut dyn Read,
        poster: &[u8],
        info: &VideoInfo,
        details: &MediaDetails,
    ) -> Result<MediaId, StoreError> {
        let mut writer = self.begin_video(case)?;
        io::copy(source, &mut writer).map_err(MediaError::from)?;
        let written = writer.finish()?;
        self.commit_video(case, written, poster, info, details)
    }

    fn commit_media(
        &mut self,
        case: CaseId,
        written: &WrittenMedia,
        row: &NewRow<'_>,
        details: &MediaDetails,
    ) -> Result<MediaId, StoreError> {
        let result = (|| -> Result<MediaId, StoreError> {
            let tx = self.conn.unchecked_transaction()?;
            self.require_access(&tx, case)?;
            let id = self.insert_media(&tx, case, written, row, details)?;
            tx.commit()?;
            Ok(id)
        })();
        if result.is_err() {
            let _ = fs::remove_file(self.media_dir().join(&written.file_name));
        }
        result
    }

    /// Records `written` as a new item of `case` inside `tx`, as a revision
    /// of the case and in the audit log. The caller removes the file if
    /// the transaction does not commit.
    pub(super) fn insert_media(
        &self,
        tx: &rusqlite::Transaction<'_>,
        case: CaseId,
        written: &WrittenMedia,
        row: &NewRow<'_>,
        details: &MediaDetails,
    ) -> Result<MediaId, StoreError> {
        let id = MediaId::new();
        tx.execute(
                "INSERT INTO media (id, case_id, kind, file, key, sha256, size, mime, width, height,
                    duration_ms, created_at, created_by, taken_at, caption, illustrates, poster)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    id.to_string(),
                    case.to_string(),
                    row.kind.as_str(),
                    written.file_name,
                    written.key.as_bytes().as_slice(),
                    written.sha256.as_slice(),
                    i64::try_from(written.size).map_err(|_| MediaError::TooLarge)?,
                    row.mime,
                    row.width,
                    row.height,
                    row.duration_ms.and_then(|d| i64::try_from(d).ok()),
                    now(),
                    self.account.name,
                    details.taken_at,
                    details.caption.expose(),
                    details.illustrates.expose(),
                    row.poster,
                ],
            )?;
        record_media_change(tx, case, &self.account.name, format!("media.{id}.add"))?;
        self.audit(
            tx,
            AuditAction::WriteCase,
            Some(case),
            &format!("media add {} {id}", row.kind.as_str()),
        )?;
        Ok(id)
    }

    pub(super) fn query_items(
        &self,
        case: CaseId,
        approved_only: bool,
    ) -> Result<Vec<MediaItem>, StoreError> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM media WHERE case_id = ?1 AND (?2 = 0 OR approved = 1)
             ORDER BY coalesce(taken_at, created_at), created_at, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![case.to_string(), approved_only], read_item)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    fn update_media(
        &mut self,
        case: CaseId,
        id: MediaId,
        detail: &str,
        update: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<usize>,
    ) -> Result<(), StoreError> {
        self.require_editor()?;
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        if update(&tx)? == 0 {
            return Err(StoreError::NoSuchMedia(id));
        }
        record_media_change(
            &tx,
            case,
            &self.account.name,
            format!("media.{id}.{detail}"),
        )?;
        self.audit(
            &tx,
            AuditAction::WriteCase,
            Some(case),
            &format!("media {detail} {id}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records the client's approval of showing the item (`true`), or its
    /// withdrawal (`false`). The account recording it and the time are kept.
    pub fn set_media_approval(
        &mut self,
        case: CaseId,
        id: MediaId,
        approved: bool,
    ) -> Result<(), StoreError> {
        let at = now();
        let by = self.account.name.clone();
        let detail = if approved { "approve" } else { "withdraw" };
        self.update_media(case, id, detail, |tx| {
            tx.execute(
                "UPDATE media SET approved = ?3, approved_at = ?4, approved_by = ?5
                 WHERE id = ?1 AND case_id = ?2",
                params![id.to_string(), case.to_string(), approved, at, by],
            )
        })
    }

    /// Changes the caption, what the item illustrates, and when it was taken.
    pub fn set_media_details(
        &mut self,
        case: CaseId,
        id: MediaId,
        details: &MediaDetails,
    ) -> Result<(), StoreError> {
        self.update_media(case, id, "details", |tx| {
            tx.execute(
                "UPDATE media SET caption = ?3, illustrates = ?4, taken_at = ?5
                 WHERE id = ?1 AND case_id = ?2",
                params![
                    id.to_string(),
                    case.to_string(),
                    details.caption.expose(),
                    details.illustrates.expose(),
                    details.taken_at,
                ],
            )
        })
    }

    /// Deletes an item for good (crypto-erase, 完全削除): the row with its
    /// key goes first, overwritten in place (`secure_delete`), then the file.
    /// If removing the file fails, the file is unreadable without its key
    /// and the next sweep removes it.
    pub fn delete_media(&mut self, case: CaseId, id: MediaId) -> Result<(), StoreError> {
        self.require_editor()?;
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let file: String = tx
            .query_row(
                "SELECT file FROM media WHERE id = ?1 AND case_id = ?2",
                params![id.to_string(), case.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::NoSuchMedia(id))?;
        tx.execute("DELETE FROM media WHERE id = ?1", [id.to_string()])?;
        record_media_change(&tx, case, &self.account.name, format!("media.{id}.delete"))?;
        self.audit(
            &tx,
            AuditAction::WriteCase,
            Some(case),
            &format!("media delete {id}"),
        )?;
        tx.commit()?;
        // Move the deleted pages out of the WAL into the (overwritten) main
        // file. Readers elsewhere can make this partial; it is repeated at
        // every delete and SQLite checkpoints on its own as well.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let dir = self.media_dir();
        fs::remove_file(dir.join(&file))?;
        #[cfg(unix)]
        fs::File::open(&dir)?.sync_all()?;
        Ok(())
    }

    /// Removes files in the media folder that no row names, and temporary
    /// files, when they are older than `grace`. Returns how many were
    /// removed. Any account may run it; it changes no case.
    pub fn sweep_media(&mut self, grace: Duration) -> Result<usize, StoreError> {
        let dir = self.media_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        let mut known = std::collections::HashSet::new();
        {
            let mut stmt = self.conn.prepare("SELECT file FROM media")?;
            for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
                known.insert(name?);
            }
        }
        let cutoff = SystemTime::now()
            .checked_sub(grace)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let mut removed = 0;
        for entry in entries {
            let entry = entry?;
            let meta = entry.metadata()?;
            if !meta.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let orphan = name.ends_with(TEMP_SUFFIX) || !known.contains(&name);
            let old = meta.modified().map(|m| m <= cutoff).unwrap_or(true);
            if orphan && old {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

mod reading;

pub use reading::MediaStream;

#[cfg(test)]
mod tests;
