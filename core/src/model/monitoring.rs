//! モニタリング — hire confirmation (就職の確認), follow-ups for job retention
//! (定着支援), evaluations and reviews (評価・見直し), and the closing summary
//! (総括) confirmed by each supporter.

use serde::{Deserialize, Serialize};

use super::{Date, new_item_id};
use crate::pii::Identifying;

/// モニタリング — the fifth of the five sections (表6-1). Feeds the summary (総括).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Monitoring {
    /// 就職の確認 — the hire, once confirmed.
    pub hire: Option<HireConfirmation>,
    /// 定着支援 — follow-ups, oldest first.
    pub follow_ups: Vec<FollowUp>,
    /// 評価・見直し — evaluations and reviews, oldest first.
    pub reviews: Vec<Review>,
    /// 総括 — the closing summary.
    pub summary: Summary,
}

/// 雇用形態 — employment type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    /// 正社員.
    Regular,
    /// 契約社員.
    Contract,
    /// パート・アルバイト.
    #[default]
    PartTime,
    /// 派遣.
    Dispatched,
    /// 就労継続支援A型 — supported employment under contract.
    SupportedTypeA,
    /// 自営・在宅就業.
    SelfEmployed,
    /// その他.
    Other,
}

impl EmploymentType {
    /// Every type, in display order.
    pub const ALL: [Self; 7] = [
        Self::Regular,
        Self::Contract,
        Self::PartTime,
        Self::Dispatched,
        Self::SupportedTypeA,
        Self::SelfEmployed,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Regular => "正社員",
            Self::Contract => "契約社員",
            Self::PartTime => "パート・アルバイト",
            Self::Dispatched => "派遣",
            Self::SupportedTypeA => "就労継続支援A型",
            Self::SelfEmployed => "自営・在宅就業",
            Self::Other => "その他",
        }
    }
}

/// 職業分類 — the job category, by the major groups (大分類) of the MHLW
/// occupational classification (厚生労働省編職業分類, 2011).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobCategory {
    /// 管理的職業.
    Managerial,
    /// 専門的・技術的職業.
    Professional,
    /// 事務的職業.
    #[default]
    Clerical,
    /// 販売の職業.
    Sales,
    /// サービスの職業.
    Service,
    /// 保安の職業.
    Security,
    /// 農林漁業の職業.
    Agriculture,
    /// 生産工程の職業.
    Production,
    /// 輸送・機械運転の職業.
    Transport,
    /// 建設・採掘の職業.
    Construction,
    /// 運搬・清掃・包装等の職業.
    CarryingCleaningPacking,
}

impl JobCategory {
    /// Every category, in the classification's order.
    pub const ALL: [Self; 11] = [
        Self::Managerial,
        Self::Professional,
        Self::Clerical,
        Self::Sales,
        Self::Service,
        Self::Security,
        Self::Agriculture,
        Self::Production,
        Self::Transport,
        Self::Construction,
        Self::CarryingCleaningPacking,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Managerial => "管理的職業",
            Self::Professional => "専門的・技術的職業",
            Self::Clerical => "事務的職業",
            Self::Sales => "販売の職業",
            Self::Service => "サービスの職業",
            Self::Security => "保安の職業",
            Self::Agriculture => "農林漁業の職業",
            Self::Production => "生産工程の職業",
            Self::Transport => "輸送・機械運転の職業",
            Self::Construction => "建設・採掘の職業",
            Self::CarryingCleaningPacking => "運搬・清掃・包装等の職業",
        }
    }
}

/// 就職の確認 — the confirmed hire.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HireConfirmation {
    /// 事業所 — the id of the employer in the job match.
    pub employer_id: String,
    /// 就職日 — the first day of work.
    pub hired_on: Option<Date>,
    /// 職名 — job title (一般事務補助…). Not identifying.
    pub job_title: String,
    /// 週あたりの労働時間.
    pub hours_per_week: Option<f32>,
    /// 雇用形態.
    pub employment_type: Option<EmploymentType>,
    /// 職業分類.
    pub job_category: Option<JobCategory>,
    /// 障害者雇用 — counted in the employer's disability employment quota.
    pub disability_employment: bool,
    /// 離職日 — the last day, if the person has left.
    pub left_on: Option<Date>,
    /// 離職理由 — why, if the person has left. Identifying (free text).
    pub leaving_reason: Identifying<String>,
    /// 備考 — notes. Identifying.
    pub note: Identifying<String>,
}

/// The kind of a follow-up (定着支援の方法).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// 職場訪問 — a visit to the workplace.
    #[default]
    WorkplaceVisit,
    /// 本人面談 — a meeting with the person outside work.
    Interview,
    /// 電話・メール — a call or message.
    Phone,
    /// 事業所との連絡 — contact with the employer only.
    EmployerContact,
    /// ケース会議 — a case meeting with supporters.
    CaseMeeting,
    /// その他.
    Other,
}

impl FollowUpKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 6] = [
        Self::WorkplaceVisit,
        Self::Interview,
        Self::Phone,
        Self::EmployerContact,
        Self::CaseMeeting,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::WorkplaceVisit => "職場訪問",
            Self::Interview => "本人面談",
            Self::Phone => "電話・メール",
            Self::EmployerContact => "事業所との連絡",
            Self::CaseMeeting => "ケース会議",
            Self::Other => "その他",
        }
    }
}

/// 定着支援 — one follow-up after the hire.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUp {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 実施日.
    pub date: Option<Date>,
    /// 方法.
    pub kind: FollowUpKind,
    /// 健康状態の変化 — changes in health. Identifying (free text).
    pub health_changes: Identifying<String>,
    /// 仕事の変化 — changes at work (tasks, hours, people). Identifying (free text).
    pub work_changes: Identifying<String>,
    /// 記録 — notes. Identifying.
    pub notes: Identifying<String>,
}

impl FollowUp {
    /// A new follow-up with a fresh id.
    pub fn new(date: Date, kind: FollowUpKind) -> Self {
        Self {
            id: new_item_id(),
            date: Some(date),
            kind,
            ..Self::default()
        }
    }
}

/// 評価・見直し — one evaluation of how things are going, and what changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Review {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 実施日.
    pub date: Option<Date>,
    /// 評価 — the evaluation. Identifying (free text).
    pub evaluation: Identifying<String>,
    /// 見直し内容 — what changes as a result. Identifying (free text).
    pub changes: Identifying<String>,
    /// 支援計画の改訂 — whether the support plan was revised.
    pub plan_revised: bool,
}

impl Review {
    /// A new review with a fresh id.
    pub fn new(date: Date) -> Self {
        Self {
            id: new_item_id(),
            date: Some(date),
            ..Self::default()
        }
    }
}

/// The outcome of the whole support (支援の結果), as stated in the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    /// 支援継続中 — support still going on.
    #[default]
    Ongoing,
    /// 就職・定着 — hired and staying.
    Employed,
    /// 就職に至らず — support ended without a job.
    NotEmployed,
    /// 中断 — stopped (the person's wish, health, moving away…).
    Discontinued,
}

impl CaseOutcome {
    /// Every outcome, in display order.
    pub const ALL: [Self; 4] = [
        Self::Ongoing,
        Self::Employed,
        Self::NotEmployed,
        Self::Discontinued,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Ongoing => "支援継続中",
            Self::Employed => "就職・定着",
            Self::NotEmployed => "就職に至らず",
            Self::Discontinued => "中断",
        }
    }
}

/// 支援者の確認 — one supporter's confirmation of the summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SupporterConfirmation {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 支援者名 — the supporter's name. Identifying.
    pub supporter: Identifying<String>,
    /// 所属機関 — the supporter's agency. Not identifying.
    pub agency: String,
    /// 確認日 — when confirmed; `None` while awaiting confirmation.
    pub confirmed_on: Option<Date>,
}

impl SupporterConfirmation {
    /// A new, unconfirmed entry with a fresh id.
    pub fn new(supporter: impl Into<String>, agency: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            supporter: Identifying::new(supporter.into()),
            agency: agency.into(),
            confirmed_on: None,
        }
    }
}

/// 総括 — the whole course from discovery to outcome, confirmed by each supporter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Summary {
    /// 作成日.
    pub written_on: Option<Date>,
    /// 支援の結果.
    pub outcome: CaseOutcome,
    /// 総括 — the text. Identifying (free text).
    pub text: Identifying<String>,
    /// 支援者の確認 — each supporter's confirmation.
    pub confirmations: Vec<SupporterConfirmation>,
}

impl Summary {
    /// Whether every listed supporter has confirmed (false with none listed).
    pub fn fully_confirmed(&self) -> bool {
        !self.confirmations.is_empty()
            && self.confirmations.iter().all(|c| c.confirmed_on.is_some())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_summary_is_confirmed_only_when_every_supporter_has_confirmed() {
        let mut summary = Summary::default();
        assert!(!summary.fully_confirmed());
        summary
            .confirmations
            .push(SupporterConfirmation::new("A", "ハローワーク"));
        summary
            .confirmations
            .push(SupporterConfirmation::new("B", "難病相談・支援センター"));
        summary.confirmations[0].confirmed_on = Some(date!(2025 - 03 - 01));
        assert!(!summary.fully_confirmed());
        summary.confirmations[1].confirmed_on = Some(date!(2025 - 03 - 03));
        assert!(summary.fully_confirmed());
    }

    #[test]
    fn hours_given_as_text_are_refused() {
        assert!(serde_json::from_str::<Monitoring>(r#"{"hire":{"hours_per_week":"20"}}"#).is_err());
        let ok: Monitoring =
            serde_json::from_str(r#"{"hire":{"hours_per_week":20}}"#).expect("parses");
        assert_eq!(ok.hire.and_then(|h| h.hours_per_week), Some(20.0));
    }
}
