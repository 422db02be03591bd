//! The vocational-issue catalogue (職業的課題) and its accommodation options
//! (配慮事項).

use serde::{Deserialize, Serialize};

use super::{AccommodationId, Basis, IssueCode, LocalizedText, SourceRef};

/// A vocational issue (職業的課題) that a disease can bring and a job can
/// touch, such as fatigue (易疲労) or toilet access (トイレ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VocationalIssue {
    /// Its code (`FAT`, `TOIL` …).
    pub code: IssueCode,
    /// Its name (`易疲労・体調変動`).
    pub name: LocalizedText,
    /// A one- or two-sentence explanation.
    pub description: LocalizedText,
    /// Where the description comes from.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// The accommodation options that answer this issue, in the order to
    /// offer them.
    pub accommodations: Vec<Accommodation>,
}

/// One workplace accommodation option (配慮事項 / 合理的配慮の例) that a worker
/// can choose for a support plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accommodation {
    /// Its stable id, stored in plans that choose it.
    pub id: AccommodationId,
    /// What the employer or the team does.
    pub text: LocalizedText,
    /// Where it is recommended.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// How well it is supported; show anything but `Sourced` as unverified.
    #[serde(default)]
    pub basis: Basis,
    /// A caveat (why it is unverified, what it was inferred from).
    #[serde(default)]
    pub note: Option<LocalizedText>,
}
