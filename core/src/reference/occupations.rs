//! Occupations (職業) and the demands they make, in the issue codes.

use serde::{Deserialize, Serialize};

use super::{Basis, CategoryCode, IssueCode, LocalizedText, OccupationId, SourceRef, SourcedNote};

/// An occupation a worker and client might discuss (職業), with what it
/// typically demands of the body and of the schedule.
///
/// Demands are typical, not a given employer's: the point of customized
/// employment is that a job can be reshaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occupation {
    /// Stable id (`data-entry`).
    pub id: OccupationId,
    /// Its name (`データ入力`).
    pub name: LocalizedText,
    /// Reading of the Japanese name in hiragana.
    pub kana: String,
    /// Other names and readings for search (`タイピング`, `にゅうりょく`).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The major group of the MHLW occupational classification (大分類).
    pub category: CategoryCode,
    /// One line on the work.
    pub description: LocalizedText,
    /// How well the demands and schedule are supported (mostly general
    /// knowledge: show as unverified).
    #[serde(default)]
    pub basis: Basis,
    /// What the job typically demands, in issue codes: a demand on `TOIL`
    /// means toilet access is limited, on `CLIN` that clinic visits are hard
    /// to fit in, on `LOAD` heavy or standing work, and so on.
    #[serde(default)]
    pub demands: Vec<OccupationDemand>,
    /// How the working time is usually organised.
    pub schedule: Schedule,
    /// Sourced remarks about people with intractable diseases in this job.
    #[serde(default)]
    pub notes: Vec<SourcedNote>,
    /// Sources for the entry as a whole.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
}

impl Occupation {
    /// The job's demand on an issue, if it makes one.
    pub fn demand(&self, code: &IssueCode) -> Option<&OccupationDemand> {
        self.demands.iter().find(|d| &d.code == code)
    }
}

/// What a job demands in terms of one vocational issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupationDemand {
    /// The issue the demand touches.
    pub code: IssueCode,
    /// How strongly.
    pub level: DemandLevel,
    /// What exactly (`長時間の通話が続く`).
    #[serde(default)]
    pub note: Option<LocalizedText>,
}

/// How strongly a job touches an issue. Ordered: `High` > `Moderate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandLevel {
    /// Part of the job in many workplaces (ある程度).
    Moderate,
    /// Central to the job (強い).
    High,
}

/// How a job's working time is usually organised (勤務形態).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Schedule {
    /// Rotating shifts (交替勤務・シフト制).
    pub shift_work: Frequency,
    /// Night work (夜勤・深夜勤務).
    pub night_work: Frequency,
    /// A fixed start time (始業時刻が決まっている).
    pub fixed_start: Frequency,
    /// Overtime (残業).
    pub overtime: Frequency,
    /// Working from home (在宅勤務).
    pub remote: Frequency,
    /// Part-time or short-hour posts (短時間勤務・パート).
    pub part_time: Frequency,
}

/// How often something is found in a kind of job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Rare (少ない).
    Rare,
    /// In some workplaces (職場による).
    Sometimes,
    /// Usual (多い).
    Common,
}

/// A major group of the MHLW occupational classification
/// (厚生労働省編職業分類 大分類, 令和4年版).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupationCategory {
    /// Its code (`06`).
    pub code: CategoryCode,
    /// Its name (`事務的職業`).
    pub name: LocalizedText,
    /// How well the name is supported (only 01–07 were seen in a source).
    #[serde(default)]
    pub basis: Basis,
    /// Where the name comes from.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// Typical demands of the group, in words (general knowledge).
    #[serde(default)]
    pub typical_demands: Option<LocalizedText>,
    /// Sourced remarks about people with intractable diseases in this group.
    #[serde(default)]
    pub notes: Vec<SourcedNote>,
}
