//! The case records a bundle carries.

use crate::rfc3339::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::Case;
use crate::revision::FieldChange;

/// One case as sent (ケース記録): the whole case and the revisions saved since
/// the last acknowledged bundle. The receiver upserts the case by its id.
///
/// Identifying: holds the whole case. It exists only inside a sealed bundle
/// or in memory while sealing or importing.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// The whole case, with the tablet's case id.
    pub case: Case,
    /// The case's revision number on the sending device.
    pub revision: i64,
    /// The revisions after the last acknowledged one, oldest first.
    pub revisions: Vec<RevisionRecord>,
    /// Every photo and video of the case as it stands: the receiver keeps
    /// these and removes the ones no longer listed. The bytes of an item
    /// travel once, as the part `media/ID`.
    #[serde(default)]
    pub media: Vec<MediaRecord>,
    /// The sending device's audit log as it stood when the bundle was
    /// sealed, so the receiver notices a log cut short later.
    #[serde(default)]
    pub audit_head: Option<AuditHead>,
    /// The fields the sending tablet holds empty because a backup without
    /// personal data left them out (要再入力), by path: the receiver keeps
    /// what it holds there rather than emptying it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_reentry: Vec<String>,
}

/// The newest entry of a device's audit log (監査ログ): its sequence number
/// and chain hash. Not identifying.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// How many entries the log holds (the newest one's sequence number).
    pub entries: i64,
    /// The newest entry's chain hash (hex).
    pub hash: String,
}

/// A photo or video as sent (写真・動画): what the media table holds of it,
/// without the file key (the receiver encrypts under its own).
///
/// Identifying: the caption and what it illustrates are the client's own
/// words; the poster is a picture of the client.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaRecord {
    /// The item's id (the same on every device).
    pub id: String,
    /// `photo` or `video`.
    pub kind: String,
    /// Its MIME type.
    pub mime: String,
    /// The plaintext length in bytes.
    pub size: u64,
    /// The SHA-256 of the plaintext, 64 hex digits.
    pub sha256: String,
    /// Pixels (photos).
    pub width: Option<u32>,
    /// Pixels (photos).
    pub height: Option<u32>,
    /// Milliseconds (videos).
    pub duration_ms: Option<u64>,
    /// When it was added, and by whom (an account on the sending device).
    pub created_at: Timestamp,
    /// Who added it.
    pub created_by: String,
    /// When it was taken, if known.
    pub taken_at: Option<Timestamp>,
    /// キャプション.
    pub caption: String,
    /// What it illustrates (e.g. a strength).
    pub illustrates: String,
    /// The client's approval: when, and who recorded it.
    pub approved_at: Option<Timestamp>,
    /// Who recorded the approval.
    pub approved_by: Option<String>,
    /// The poster, a small JPEG with no metadata, base64.
    pub poster: String,
}

impl std::fmt::Debug for MediaRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaRecord")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CaseRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseRecord")
            .field("case", &self.case.id)
            .field("revision", &self.revision)
            .field("revisions", &self.revisions.len())
            .field("media", &self.media.len())
            .finish()
    }
}

/// One saved change as sent: who, when, which section, which fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionRecord {
    /// The case's revision number after this change.
    pub revision: i64,
    /// Who saved it (an account name on the sending device).
    pub author: String,
    /// When (RFC 3339, UTC).
    pub at: Timestamp,
    /// The section's key.
    pub section: String,
    /// The fields that changed.
    pub changes: Vec<FieldChange>,
}
