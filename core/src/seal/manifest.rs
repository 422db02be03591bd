//! The bundle manifest: what a sealed bundle holds, signed as a whole.

use crate::rfc3339::Timestamp;
use serde::{Deserialize, Serialize};

/// The bundle format this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// The signed list of a bundle's parts (目録).
///
/// Parts are read in this order. Media parts (large encrypted files) are
/// listed the same way as case parts, with their length and SHA-256 known
/// before sealing, so they can be streamed from the media store and back
/// without being held in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The bundle format ([`FORMAT_VERSION`]).
    pub format: u16,
    /// The sender's Ed25519 public key, 64 hex digits.
    pub sender: String,
    /// The `age1…` key the bundle is sealed to. Checked on opening, so a
    /// signed bundle cannot be re-encrypted to someone else unnoticed.
    pub recipient: String,
    /// When it was sealed (RFC 3339, UTC).
    pub created_at: Timestamp,
    /// 16 random bytes as hex, so that no two bundles share an id.
    pub nonce: String,
    /// The parts, in order.
    pub parts: Vec<PartInfo>,
}

/// One part of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    /// A name unique in the bundle, e.g. `case/UUID` or `media/UUID`.
    pub name: String,
    /// What the part holds.
    pub kind: PartKind,
    /// Its length in bytes.
    pub length: u64,
    /// The SHA-256 of its bytes, 64 hex digits.
    pub sha256: String,
}

/// What a part holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// A [`CaseRecord`](super::CaseRecord) as JSON.
    Case,
    /// A media item's bytes (photo, video), streamed.
    Media,
    /// A batch of de-identified progress records for the research centre
    /// ([`crate::research::Batch`]) as JSON.
    Research,
    /// A kind written by a newer version; refused on import.
    #[serde(other)]
    Unknown,
}
