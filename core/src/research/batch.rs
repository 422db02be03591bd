//! A batch of progress records (送付バッチ), sealed for the research centre.

use crate::rfc3339::Timestamp;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{ProgressRecord, Pseudonym, ResearchError};
use crate::seal::{
    self, BundleReader, DeviceKeys, PartKind, PartSource, Recipient, SealError, SignerKey,
};

/// The batch format this version writes and reads.
pub const BATCH_FORMAT: u16 = 1;

/// The largest batch accepted, in bytes of JSON (about 100 000 records).
const MAX_BATCH: u64 = 64 * 1024 * 1024;

/// The part name of the batch inside the sealed envelope.
const PART_NAME: &str = "research/batch";

/// A batch's id: a random UUID chosen when it is sealed. The centre stores a
/// batch once per id, so sending the same sealed bytes again changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BatchId(pub uuid::Uuid);

impl BatchId {
    /// A new random id.
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4())
    }
}

impl Default for BatchId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for BatchId {
    type Err = ResearchError;
    fn from_str(s: &str) -> Result<Self, ResearchError> {
        uuid::Uuid::parse_str(s.trim())
            .map(Self)
            .map_err(|_| ResearchError::BadValue("batch id"))
    }
}

/// A batch of progress records from one agency (the plaintext inside the
/// sealed envelope).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// [`BATCH_FORMAT`].
    pub format: u16,
    /// The batch's id.
    pub batch_id: BatchId,
    /// The agency's name as it calls itself; the centre goes by the name it
    /// registered with the agency's key.
    pub agency: String,
    /// When the batch was made (RFC 3339).
    pub created_at: Timestamp,
    /// One record per case.
    pub records: Vec<ProgressRecord>,
    /// Pseudonyms whose records the centre must delete: the client's
    /// research consent was withdrawn or the case deleted. Left out of the
    /// JSON when empty, so a centre that predates withdrawals still reads a
    /// batch without any, and a batch without the field reads as none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<Pseudonym>,
}

impl Batch {
    /// A new batch of `records` from `agency`, made now.
    pub fn new(agency: &str, records: Vec<ProgressRecord>) -> Self {
        Self {
            format: BATCH_FORMAT,
            batch_id: BatchId::new(),
            agency: agency.to_owned(),
            created_at: Timestamp::now(),
            records,
            withdrawn: Vec::new(),
        }
    }

    /// The same batch, also asking the centre to delete the records of
    /// `withdrawn` (pseudonyms of cases whose consent was withdrawn or that
    /// were deleted). None of them may also be among the batch's records:
    /// [`open_batch`] refuses such a batch.
    #[must_use]
    pub fn with_withdrawn(mut self, withdrawn: Vec<Pseudonym>) -> Self {
        self.withdrawn = withdrawn;
        self
    }
}

/// Seals `batch` to the centre's `age` key, signed with the agency's key.
/// Returns the sealed bytes (ciphertext, fine to keep on disk).
pub fn seal_batch(
    batch: &Batch,
    agency: &DeviceKeys,
    centre: &Recipient,
) -> Result<Vec<u8>, ResearchError> {
    let body = serde_json::to_vec(batch).expect("a batch serialises");
    let part = PartSource::from_bytes(PART_NAME, PartKind::Research, &body);
    let (_, out) = seal::seal(Vec::new(), agency, centre, vec![part])?;
    Ok(out)
}

/// A batch opened by the centre, with the key that signed it.
#[derive(Debug)]
pub struct OpenedBatch {
    /// The batch.
    pub batch: Batch,
    /// The agency key that signed it (already checked to be registered).
    pub signer: SignerKey,
}

/// Opens sealed `bytes` with the centre's keys, accepting only a signer for
/// which `is_registered` is true. Bytes from the network: every failure is
/// an error, never a panic. Nothing is stored here.
pub fn open_batch(
    bytes: &[u8],
    centre: &DeviceKeys,
    is_registered: &dyn Fn(&SignerKey) -> bool,
) -> Result<OpenedBatch, ResearchError> {
    let mut reader = BundleReader::open(bytes, centre, is_registered).map_err(|e| match e {
        SealError::UnknownSigner(key) => ResearchError::UnknownAgency(key),
        e => ResearchError::Seal(e),
    })?;
    let parts = reader.manifest().parts.clone();
    let [info] = parts.as_slice() else {
        return Err(ResearchError::Malformed(
            "a batch has exactly one part".into(),
        ));
    };
    if info.kind != PartKind::Research {
        return Err(ResearchError::Malformed(
            "the part is not a research batch".into(),
        ));
    }
    if info.length > MAX_BATCH {
        return Err(ResearchError::Malformed("the batch is too large".into()));
    }
    let mut body = Vec::with_capacity(usize::try_from(info.length).unwrap_or(0));
    reader.next_part(&mut body)?;
    let signer = reader.signer();
    reader.finish()?;
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|_| ResearchError::Malformed("not JSON".into()))?;
    let format = value.get("format").and_then(serde_json::Value::as_u64);
    match format {
        Some(f) if f == u64::from(BATCH_FORMAT) => {}
        Some(f) => {
            return Err(ResearchError::Unsupported(
                u16::try_from(f).unwrap_or(u16::MAX),
            ));
        }
        None => return Err(ResearchError::Malformed("no format number".into())),
    }
    let batch: Batch = serde_json::from_value(value).map_err(|e| {
        // serde's message names fields and expected types; values could be
        // anything, so keep only the part before a quoted value.
        let text = e.to_string();
        let head = text
            .split(['"', '`'])
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        ResearchError::Malformed(if head.is_empty() {
            "a record does not fit".into()
        } else {
            head
        })
    })?;
    let withdrawn: std::collections::HashSet<&Pseudonym> = batch.withdrawn.iter().collect();
    if batch
        .records
        .iter()
        .any(|r| withdrawn.contains(&r.pseudonym))
    {
        return Err(ResearchError::Malformed(
            "a case is both sent and withdrawn in the same batch".into(),
        ));
    }
    Ok(OpenedBatch { batch, signer })
}
