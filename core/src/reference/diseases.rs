//! Diseases (指定難病) and their groups.

use serde::{Deserialize, Serialize};

use super::{Basis, DiseaseId, GroupId, IssueCode, LocalizedText, SourceRef, SourcedNote};

/// A designated intractable disease (指定難病) as the reference describes it
/// for work: what it is, how it usually runs, and which vocational issues
/// (職業的課題) it typically brings.
///
/// This is general reference text, never a statement about one client:
/// a client's own course is recorded in the case, not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disease {
    /// Stable id (`ulcerative-colitis`).
    pub id: DiseaseId,
    /// The designated-disease number (告示番号), or `None` when it could not
    /// be confirmed. See [`Disease::number_check`].
    pub notification_number: Option<u16>,
    /// How the number was checked.
    pub number_check: NumberCheck,
    /// Its current name (`潰瘍性大腸炎`).
    pub name: LocalizedText,
    /// Reading of the Japanese name in hiragana, for search and sorting.
    pub kana: String,
    /// Former names (旧名称), e.g. `大動脈炎症候群` for 高安動脈炎.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Extra search words: abbreviations (`SLE`), readings, wider terms.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The disease group (疾患群).
    pub group: GroupId,
    /// A finer note on the group (`肝`, `血管炎`).
    #[serde(default)]
    pub group_detail: Option<LocalizedText>,
    /// True when the sources do not name the group and it was assigned by
    /// analogy (unverified).
    #[serde(default)]
    pub group_by_analogy: bool,
    /// One line on what the disease is.
    pub summary: LocalizedText,
    /// The typical course, classified.
    pub course: DiseaseCourse,
    /// The typical course in words (経過).
    pub course_text: LocalizedText,
    /// The vocational issues that typically apply, most characteristic first.
    pub issues: Vec<DiseaseIssue>,
    /// Other work-relevant facts.
    #[serde(default)]
    pub notes: Vec<SourcedNote>,
    /// The sources for this entry as a whole.
    pub sources: Vec<SourceRef>,
    /// What in this entry is unverified, and why.
    #[serde(default)]
    pub unverified: Vec<Unverified>,
}

impl Disease {
    /// The disease's entry for an issue, if the issue applies.
    pub fn issue(&self, code: &IssueCode) -> Option<&DiseaseIssue> {
        self.issues.iter().find(|i| &i.code == code)
    }
}

/// An issue as it applies to one disease, with the disease-specific note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiseaseIssue {
    /// The issue.
    pub code: IssueCode,
    /// What this issue looks like in this disease, if the sources say.
    #[serde(default)]
    pub note: Option<LocalizedText>,
    /// Sources for the note; when empty the disease's own sources apply.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// How well the link between disease and issue is supported.
    #[serde(default)]
    pub basis: Basis,
}

/// The typical course of a disease (経過の型), for filtering and for a
/// first picture; the disease's `course_text` says it in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiseaseCourse {
    /// Remissions and relapses (寛解と再燃).
    RelapsingRemitting,
    /// Advances over time, usually slowly (進行性).
    Progressive,
    /// Varies within a day or from day to day (日内・日差変動).
    Fluctuating,
    /// Long-lasting and mostly stable (慢性・おおむね安定).
    ChronicStable,
    /// Long-lasting; the course differs from person to person (慢性).
    Chronic,
    /// Often improves on its own within years (自然軽快が多い).
    OftenResolves,
}

impl DiseaseCourse {
    /// The Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            DiseaseCourse::RelapsingRemitting => "寛解と再燃",
            DiseaseCourse::Progressive => "進行性",
            DiseaseCourse::Fluctuating => "変動(日内・日差)",
            DiseaseCourse::ChronicStable => "慢性・おおむね安定",
            DiseaseCourse::Chronic => "慢性",
            DiseaseCourse::OftenResolves => "自然軽快が多い",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            DiseaseCourse::RelapsingRemitting => "relapsing and remitting",
            DiseaseCourse::Progressive => "progressive",
            DiseaseCourse::Fluctuating => "fluctuating",
            DiseaseCourse::ChronicStable => "chronic, mostly stable",
            DiseaseCourse::Chronic => "chronic",
            DiseaseCourse::OftenResolves => "often resolves",
        }
    }
}

/// How a designated-disease number (告示番号) was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberCheck {
    /// Read from the index mapping and confirmed on another page.
    CrossChecked,
    /// Read only from the machine-generated index mapping.
    IndexOnly,
    /// Confirmed only on secondary sites.
    SecondaryOnly,
    /// Not confirmed; the number is left out.
    Unconfirmed,
}

/// Something in an entry that the sources do not confirm (未確認事項).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unverified {
    /// Which part of the entry: `notification_number`, `group`, `course`,
    /// `issues` …
    pub about: String,
    /// What is uncertain and why.
    pub note: LocalizedText,
}

/// A disease group (疾患群), as used in the JEED training text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiseaseGroup {
    /// Its id (`digestive`).
    pub id: GroupId,
    /// Its name (`消化器系`).
    pub name: LocalizedText,
    /// Where the grouping comes from.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
}
