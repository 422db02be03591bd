//! ジョブマッチ — candidate employers (事業所), their business needs, the task
//! list (課業リスト), proposed and negotiated conditions, and the foreseen
//! problems with how conditions were adjusted.

use serde::{Deserialize, Serialize};

use super::{Accommodation, Date, TextItem, new_item_id};
use crate::pii::Identifying;

/// ジョブマッチ — the third of the five sections (表6-1). Feeds the customized
/// employment proposal (カスタマイズ就業提案書).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobMatch {
    /// 事業所 — candidate employers.
    pub employers: Vec<Employer>,
}

impl JobMatch {
    /// The employer with this id.
    pub fn employer(&self, id: &str) -> Option<&Employer> {
        self.employers.iter().find(|e| e.id == id)
    }
}

/// Where the work with an employer stands (事業所との状況).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployerStatus {
    /// 候補 — a candidate, not yet approached.
    #[default]
    Candidate,
    /// 情報収集中 — visiting, learning the business and its tasks.
    Exploring,
    /// 提案済み — a proposal was made.
    Proposed,
    /// 交渉中 — negotiating.
    Negotiating,
    /// 合意 — conditions agreed.
    Agreed,
    /// 不成立 — did not work out.
    Declined,
}

impl EmployerStatus {
    /// Every status, in display order.
    pub const ALL: [Self; 6] = [
        Self::Candidate,
        Self::Exploring,
        Self::Proposed,
        Self::Negotiating,
        Self::Agreed,
        Self::Declined,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Candidate => "候補",
            Self::Exploring => "情報収集中",
            Self::Proposed => "提案済み",
            Self::Negotiating => "交渉中",
            Self::Agreed => "合意",
            Self::Declined => "不成立",
        }
    }
}

/// 事業所 — one candidate employer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Employer {
    /// Stable id (UUID v4 string); the hire confirmation refers to it.
    pub id: String,
    /// 事業所名 — Identifying: a small business may carry its owner's name,
    /// and the employer of a named disease narrows down the client.
    pub name: Identifying<String>,
    /// 業種 — industry (製造業, 小売業, 医療・福祉…). Not identifying.
    pub industry: String,
    /// 所在地 — address. Identifying.
    pub address: Identifying<String>,
    /// 担当者 — the contact person's name. Identifying.
    pub contact_person: Identifying<String>,
    /// 連絡先 — the contact's phone or e-mail. Identifying.
    pub contact: Identifying<String>,
    /// 状況 — where the work with this employer stands.
    pub status: EmployerStatus,
    /// 事業所のニーズ — the business's needs.
    pub business_needs: Vec<TextItem>,
    /// 課業リスト — tasks the person could take on.
    pub tasks: Vec<Task>,
    /// 提案条件 — the conditions proposed to the employer.
    pub proposed: JobConditions,
    /// 交渉結果 — the conditions negotiated (empty until agreed).
    pub negotiated: JobConditions,
    /// 想定される課題と条件の調整 — foreseen problems and adjustments.
    pub adjustments: Vec<Adjustment>,
    /// 備考 — notes. Identifying.
    pub note: Identifying<String>,
}

impl Employer {
    /// A new employer with a fresh id.
    pub fn new() -> Self {
        Self {
            id: new_item_id(),
            ..Self::default()
        }
    }

    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// 課業 — one task in the employer's task list (課業リスト).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Task {
    /// Stable id (UUID v4 string); conditions' `duties` refer to it.
    pub id: String,
    /// 課業名 — the task, as a short title (郵便物の仕分け…). Not identifying.
    pub name: String,
    /// 頻度 — how often (毎日, 週2回, 月末…). Not identifying.
    pub frequency: String,
    /// 所要時間 — minutes per occurrence, if known.
    pub minutes: Option<u16>,
    /// 活かせる強み — ids of the strengths (in the career plan) it uses.
    pub strength_ids: Vec<String>,
    /// 提案に含める — whether it is part of the proposal.
    pub selected: bool,
    /// 備考 — notes. Identifying.
    pub note: Identifying<String>,
}

impl Task {
    /// A new task with a fresh id.
    pub fn new(name: impl Into<String>, frequency: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            name: name.into(),
            frequency: frequency.into(),
            ..Self::default()
        }
    }
}

/// The period a wage is paid by (賃金の単位).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WageUnit {
    /// 時給.
    #[default]
    Hourly,
    /// 日給.
    Daily,
    /// 月給.
    Monthly,
}

impl WageUnit {
    /// Every unit, in display order.
    pub const ALL: [Self; 3] = [Self::Hourly, Self::Daily, Self::Monthly];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Hourly => "時給",
            Self::Daily => "日給",
            Self::Monthly => "月給",
        }
    }
}

/// 賃金 — a wage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Wage {
    /// 金額（円）.
    pub amount_yen: u32,
    /// 時給・日給・月給.
    pub unit: WageUnit,
}

/// 条件 — working conditions, as proposed (提案条件) or negotiated (交渉結果).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobConditions {
    /// 提案日・合意日 — when proposed or agreed.
    pub date: Option<Date>,
    /// 週あたりの労働時間.
    pub hours_per_week: Option<f32>,
    /// 週あたりの勤務日数.
    pub days_per_week: Option<u8>,
    /// 勤務日・時間帯 — e.g. 「月・水・金 10時〜15時」. Not identifying.
    pub schedule: String,
    /// 賃金.
    pub wage: Option<Wage>,
    /// 職務 — ids of tasks from the employer's task list.
    pub duties: Vec<String>,
    /// 配慮事項 — accommodations.
    pub accommodations: Vec<Accommodation>,
    /// 備考 — notes. Identifying.
    pub note: Identifying<String>,
}

impl JobConditions {
    /// Whether nothing has been filled in.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// 想定される課題と調整 — a problem foreseen and how conditions were adjusted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adjustment {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 職業的課題コード — the reference issue code it relates to, e.g. `"TOIL"`.
    pub issue_code: Option<String>,
    /// 想定される課題 — the problem. Identifying (free text).
    pub problem: Identifying<String>,
    /// 調整 — how the conditions were adjusted. Identifying (free text).
    pub adjustment: Identifying<String>,
}

impl Adjustment {
    /// A new adjustment with a fresh id.
    pub fn new(
        issue_code: Option<&str>,
        problem: impl Into<String>,
        adjustment: impl Into<String>,
    ) -> Self {
        Self {
            id: new_item_id(),
            issue_code: issue_code.map(str::to_owned),
            problem: Identifying::new(problem.into()),
            adjustment: Identifying::new(adjustment.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wage_given_as_text_is_refused() {
        let json = r#"{"employers":[{"proposed":{"wage":{"amount_yen":"1000円"}}}]}"#;
        assert!(serde_json::from_str::<JobMatch>(json).is_err());
    }

    #[test]
    fn an_unknown_employer_field_is_refused() {
        let json = r#"{"employers":[{"id":"e1","company":"x"}]}"#;
        let err = serde_json::from_str::<JobMatch>(json).expect_err("must refuse");
        assert!(err.to_string().contains("company"), "{err}");
    }

    #[test]
    fn fresh_conditions_are_empty_and_filled_ones_are_not() {
        assert!(JobConditions::default().is_empty());
        let filled = JobConditions {
            days_per_week: Some(3),
            ..JobConditions::default()
        };
        assert!(!filled.is_empty());
    }
}
