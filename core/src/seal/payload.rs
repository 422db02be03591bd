//! The case records a bundle carries.

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
}

impl std::fmt::Debug for CaseRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseRecord")
            .field("case", &self.case.id)
            .field("revision", &self.revision)
            .field("revisions", &self.revisions.len())
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
    pub at: String,
    /// The section's key.
    pub section: String,
    /// The fields that changed.
    pub changes: Vec<FieldChange>,
}
