//! The case model (支援ケース): one client's case with the five sections of the
//! registration tool (表6-1) and the records that go with them.
//!
//! Sections can be filled in any order: every section has a `Default`, and a
//! case is valid with any of them empty. Fields that identify the client are
//! typed [`Identifying`](crate::pii::Identifying).

mod basic;
mod career;
mod case_management;
mod corrections;
mod demo;
mod due;
#[doc(hidden)]
pub mod fictional;
mod job_match;
mod monitoring;
mod profile;
mod programme;
mod records;
mod target_occupation;
mod validate;

pub use basic::*;
pub use career::*;
pub use case_management::*;
pub use corrections::{AmendError, Correction, Removal};
pub use demo::{demo_cases, identifying_texts};
pub use due::{DueItem, DueKind, FOLLOW_UP_MONTHS, due_by, due_items};
pub use job_match::*;
pub use monitoring::*;
pub use profile::{EmployerProfile, Proposal, ProposedTask};
pub use programme::*;
pub use records::*;
pub use target_occupation::TargetOccupation;
pub use validate::{MAX_CASE_BYTES, MAX_LIST_ITEMS, MAX_TEXT_CHARS, ValidationError};

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A calendar date (年月日), serialised as `YYYY-MM-DD`.
pub type Date = time::Date;

/// A moment in time, serialised as RFC 3339.
pub type Timestamp = time::OffsetDateTime;

/// The id of a case. Random, so that cases made on different tablets never clash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub Uuid);

impl CaseId {
    /// A new random case id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for CaseId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for CaseId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Self)
    }
}

/// The support stage (支援段階), in the order of customized employment.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SupportStage {
    /// ディスカバリー — getting to know the person.
    #[default]
    Discovery,
    /// 事業所開拓 — getting to know employers.
    Employer,
    /// 交渉 — negotiating a job.
    Negotiation,
    /// 就職 — hired.
    Hired,
    /// 定着支援 — follow-up for job retention.
    FollowUp,
    /// 終結 — closed.
    Closed,
}

impl SupportStage {
    /// Every stage, in order.
    pub const ALL: [SupportStage; 6] = [
        Self::Discovery,
        Self::Employer,
        Self::Negotiation,
        Self::Hired,
        Self::FollowUp,
        Self::Closed,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Discovery => "ディスカバリー",
            Self::Employer => "事業所開拓",
            Self::Negotiation => "交渉",
            Self::Hired => "就職",
            Self::FollowUp => "定着支援",
            Self::Closed => "終結",
        }
    }
}

/// A whole case (支援ケース).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Case {
    /// The case id.
    pub id: CaseId,
    /// Where the case stands (支援段階).
    pub stage: SupportStage,
    /// 基本情報.
    pub basic: BasicInfo,
    /// キャリア計画.
    pub career_plan: CareerPlan,
    /// ジョブマッチ.
    pub job_match: JobMatch,
    /// ケースマネジメント.
    pub case_management: CaseManagement,
    /// モニタリング.
    pub monitoring: Monitoring,
    /// 相談経過: consultation records, newest last.
    pub consultations: Vec<ConsultationRecord>,
    /// 自立支援プログラム: programme enrolments (seed 002).
    pub programmes: Vec<ProgrammeEnrolment>,
    /// 同意: consent records.
    pub consents: Vec<ConsentRecord>,
    /// 開示/非開示: whether the disease is disclosed to employers.
    pub disclosure: Disclosure,
}

/// The name of one independently saved part of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionName {
    /// 支援段階.
    Stage,
    /// 基本情報.
    Basic,
    /// キャリア計画.
    CareerPlan,
    /// ジョブマッチ.
    JobMatch,
    /// ケースマネジメント.
    CaseManagement,
    /// モニタリング.
    Monitoring,
    /// 相談経過.
    Consultations,
    /// 自立支援プログラム.
    Programmes,
    /// 同意.
    Consents,
    /// 開示/非開示.
    Disclosure,
}

impl SectionName {
    /// Every section, in display order.
    pub const ALL: [SectionName; 10] = [
        Self::Stage,
        Self::Basic,
        Self::CareerPlan,
        Self::JobMatch,
        Self::CaseManagement,
        Self::Monitoring,
        Self::Consultations,
        Self::Programmes,
        Self::Consents,
        Self::Disclosure,
    ];

    /// The key used in storage and in the JSON of a case.
    pub fn key(self) -> &'static str {
        match self {
            Self::Stage => "stage",
            Self::Basic => "basic",
            Self::CareerPlan => "career_plan",
            Self::JobMatch => "job_match",
            Self::CaseManagement => "case_management",
            Self::Monitoring => "monitoring",
            Self::Consultations => "consultations",
            Self::Programmes => "programmes",
            Self::Consents => "consents",
            Self::Disclosure => "disclosure",
        }
    }

    /// The section with this storage key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// One section's new content, saved on its own.
#[derive(Clone, Debug, PartialEq)]
pub enum Section {
    /// 支援段階.
    Stage(SupportStage),
    /// 基本情報.
    Basic(BasicInfo),
    /// キャリア計画.
    CareerPlan(CareerPlan),
    /// ジョブマッチ.
    JobMatch(JobMatch),
    /// ケースマネジメント.
    CaseManagement(CaseManagement),
    /// モニタリング.
    Monitoring(Monitoring),
    /// 相談経過.
    Consultations(Vec<ConsultationRecord>),
    /// 自立支援プログラム.
    Programmes(Vec<ProgrammeEnrolment>),
    /// 同意.
    Consents(Vec<ConsentRecord>),
    /// 開示/非開示.
    Disclosure(Disclosure),
}

impl Section {
    /// Which section this is.
    pub fn name(&self) -> SectionName {
        match self {
            Self::Stage(_) => SectionName::Stage,
            Self::Basic(_) => SectionName::Basic,
            Self::CareerPlan(_) => SectionName::CareerPlan,
            Self::JobMatch(_) => SectionName::JobMatch,
            Self::CaseManagement(_) => SectionName::CaseManagement,
            Self::Monitoring(_) => SectionName::Monitoring,
            Self::Consultations(_) => SectionName::Consultations,
            Self::Programmes(_) => SectionName::Programmes,
            Self::Consents(_) => SectionName::Consents,
            Self::Disclosure(_) => SectionName::Disclosure,
        }
    }

    /// The section as JSON (identifying values included).
    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Self::Stage(v) => serde_json::to_value(v),
            Self::Basic(v) => serde_json::to_value(v),
            Self::CareerPlan(v) => serde_json::to_value(v),
            Self::JobMatch(v) => serde_json::to_value(v),
            Self::CaseManagement(v) => serde_json::to_value(v),
            Self::Monitoring(v) => serde_json::to_value(v),
            Self::Consultations(v) => serde_json::to_value(v),
            Self::Programmes(v) => serde_json::to_value(v),
            Self::Consents(v) => serde_json::to_value(v),
            Self::Disclosure(v) => serde_json::to_value(v),
        };
        value.expect("model values serialise to JSON without failing")
    }

    /// Parses a section from its JSON; unknown fields are refused.
    pub fn from_json(name: SectionName, value: serde_json::Value) -> serde_json::Result<Self> {
        Ok(match name {
            SectionName::Stage => Self::Stage(serde_json::from_value(value)?),
            SectionName::Basic => Self::Basic(serde_json::from_value(value)?),
            SectionName::CareerPlan => Self::CareerPlan(serde_json::from_value(value)?),
            SectionName::JobMatch => Self::JobMatch(serde_json::from_value(value)?),
            SectionName::CaseManagement => Self::CaseManagement(serde_json::from_value(value)?),
            SectionName::Monitoring => Self::Monitoring(serde_json::from_value(value)?),
            SectionName::Consultations => Self::Consultations(serde_json::from_value(value)?),
            SectionName::Programmes => Self::Programmes(serde_json::from_value(value)?),
            SectionName::Consents => Self::Consents(serde_json::from_value(value)?),
            SectionName::Disclosure => Self::Disclosure(serde_json::from_value(value)?),
        })
    }
}

impl Case {
    /// A new, empty case in the discovery stage.
    pub fn new() -> Self {
        Self::default()
    }

    /// Splits the case into its independently saved sections.
    pub fn sections(&self) -> Vec<Section> {
        vec![
            Section::Stage(self.stage),
            Section::Basic(self.basic.clone()),
            Section::CareerPlan(self.career_plan.clone()),
            Section::JobMatch(self.job_match.clone()),
            Section::CaseManagement(self.case_management.clone()),
            Section::Monitoring(self.monitoring.clone()),
            Section::Consultations(self.consultations.clone()),
            Section::Programmes(self.programmes.clone()),
            Section::Consents(self.consents.clone()),
            Section::Disclosure(self.disclosure),
        ]
    }

    /// Replaces one section.
    pub fn apply(&mut self, section: Section) {
        match section {
            Section::Stage(v) => self.stage = v,
            Section::Basic(v) => self.basic = v,
            Section::CareerPlan(v) => self.career_plan = v,
            Section::JobMatch(v) => self.job_match = v,
            Section::CaseManagement(v) => self.case_management = v,
            Section::Monitoring(v) => self.monitoring = v,
            Section::Consultations(v) => self.consultations = v,
            Section::Programmes(v) => self.programmes = v,
            Section::Consents(v) => self.consents = v,
            Section::Disclosure(v) => self.disclosure = v,
        }
    }

    /// The name to show in lists (氏名), or an empty string.
    /// Identifying: callers must not log it.
    pub fn display_name(&self) -> &str {
        self.basic.name.expose()
    }
}

/// Why a case file could not be read. The message names the place in the
/// file, never a value from it, since values may identify the client.
#[derive(Debug, thiserror::Error)]
pub enum CaseFormatError {
    /// The JSON does not parse into a case.
    #[error("{what} at line {line}, column {column}")]
    Json {
        /// What is wrong, without the offending value.
        what: String,
        /// Line in the file, from 1.
        line: usize,
        /// Column in the line, from 1.
        column: usize,
    },
    /// The case parses but does not hold together.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Case {
    /// Reads a case from its JSON (docs/case-json.md), giving missing item
    /// ids fresh values and checking it with [`Case::validate`].
    pub fn from_json(text: &str) -> Result<Case, CaseFormatError> {
        let mut case: Case = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let what = match e.classify() {
                serde_json::error::Category::Syntax => "not valid JSON".to_owned(),
                serde_json::error::Category::Eof => "the file ends too early".to_owned(),
                serde_json::error::Category::Io => "the file could not be read".to_owned(),
                // "unknown field `x`, expected …": `x` is shown only when it
                // looks like a misspelt field name, not like data.
                serde_json::error::Category::Data if message.starts_with("unknown field") => {
                    let head = message.split(',').next().unwrap_or_default();
                    let name = head
                        .trim_start_matches("unknown field `")
                        .trim_end_matches('`');
                    let schema_like = name.len() <= 40
                        && name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if schema_like {
                        head.to_owned()
                    } else {
                        "a field this version does not know".to_owned()
                    }
                }
                serde_json::error::Category::Data => {
                    "a value of the wrong type or out of range".to_owned()
                }
            };
            CaseFormatError::Json {
                what,
                line: e.line(),
                column: e.column(),
            }
        })?;
        case.ensure_ids();
        case.validate()?;
        Ok(case)
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn a_case_format_error_never_repeats_a_value_from_the_file() {
        for text in [
            r#"{"stage": "山田花子"}"#,
            r#"{"basic": {"name": ["山田花子"]}}"#,
            r#"{"basic": {"山田花子": 1}}"#,
        ] {
            let err = Case::from_json(text).expect_err("refused").to_string();
            assert!(!err.contains("山田花子"), "{err}");
            assert!(err.contains("line 1"), "{err}");
        }
    }

    #[test]
    fn a_misspelt_field_is_named_in_the_error() {
        let err = Case::from_json(r#"{"basic": {"nickname": "x"}}"#)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("unknown field `nickname`"), "{err}");
    }
}
