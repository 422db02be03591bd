//! ケースマネジメント — vocational issues (職業的課題) checked against the
//! disease reference, the accommodations chosen (配慮事項), and the support
//! plan (支援計画): who does what, with which agency, by when. The
//! consultation records (相談経過) that go with it are kept on the case itself
//! ([`Case::consultations`](super::Case::consultations)).

use serde::{Deserialize, Serialize};

use super::{Date, TargetOccupation, new_item_id};
use crate::pii::Identifying;

#[path = "plan_revision.rs"]
mod plan_revision;

pub use plan_revision::{
    ChangeKind, ItemFieldChange, PlanChange, PlanItemField, PlanRevision, RevisionRef, date_ja,
    plan_changes, revision_title_ja,
};

/// ケースマネジメント — the fourth of the five sections (表6-1). Feeds the
/// individual employment support plan (個別就労支援計画書).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaseManagement {
    /// 職業的課題 — the vocational issues checked.
    pub vocational_issues: Vec<VocationalIssue>,
    /// 支援計画 — the support plan.
    pub support_plan: SupportPlan,
    /// 目標とする職業 — the job the checklist is looked at for, if chosen.
    pub target_occupation: Option<TargetOccupation>,
}

impl CaseManagement {
    /// The issues marked as applying to this client (該当).
    pub fn applicable_issues(&self) -> impl Iterator<Item = &VocationalIssue> {
        self.vocational_issues.iter().filter(|i| i.applicable)
    }
}

/// 配慮事項 — a workplace accommodation: either an option from the reference
/// database (`reference_id`, and `text` may stay empty: the reference gives
/// the wording) or the worker's own wording (`text`, no `reference_id`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Accommodation {
    /// The accommodation's id in the reference database, e.g. `"TOIL-01"`.
    pub reference_id: Option<String>,
    /// 配慮の内容 — own wording, or a note on the reference option.
    /// Identifying (free text).
    pub text: Identifying<String>,
}

impl Accommodation {
    /// An accommodation chosen from the reference database.
    pub fn from_reference(id: impl Into<String>) -> Self {
        Self {
            reference_id: Some(id.into()),
            text: Identifying::default(),
        }
    }

    /// An accommodation in the worker's own words.
    pub fn own(text: impl Into<String>) -> Self {
        Self {
            reference_id: None,
            text: Identifying::new(text.into()),
        }
    }
}

/// 職業的課題 — one vocational issue on the checklist.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VocationalIssue {
    /// Stable id (UUID v4 string); plan items refer to it.
    pub id: String,
    /// 課題コード — the issue's code in the reference database (e.g. `"TOIL"`,
    /// `"FAT"`, `"UV"`, `"CLIN"`); `None` for an issue in the worker's own words.
    pub code: Option<String>,
    /// 課題の内容 — own wording, or how the reference issue shows in this
    /// client. Identifying (free text).
    pub text: Identifying<String>,
    /// 該当 — checked as applying to this client.
    pub applicable: bool,
    /// 配慮事項 — the accommodations chosen for it.
    pub accommodations: Vec<Accommodation>,
    /// 備考 — notes. Identifying.
    pub note: Identifying<String>,
}

impl VocationalIssue {
    /// A new issue from the reference database, checked or not.
    pub fn from_reference(code: impl Into<String>, applicable: bool) -> Self {
        Self {
            id: new_item_id(),
            code: Some(code.into()),
            applicable,
            ..Self::default()
        }
    }

    /// A new issue in the worker's own words, checked.
    pub fn own(text: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            text: Identifying::new(text.into()),
            applicable: true,
            ..Self::default()
        }
    }
}

/// 支援計画 — the support plan, revised during negotiation: the plan in
/// force is `revision`, `revised_on` and `items`; each revision (改定,
/// [`SupportPlan::revise`]) keeps the one before it in `earlier`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SupportPlan {
    /// 版 — revision number: 0 while drafting, 1 for the first agreed plan,
    /// then one more at each revision (見直し).
    pub revision: u32,
    /// 作成・改訂日 — when this revision was made.
    pub revised_on: Option<Date>,
    /// 支援内容 — the plan's items.
    pub items: Vec<SupportPlanItem>,
    /// 以前の版 — the earlier revisions, oldest first, each frozen when the
    /// plan was revised. Empty in plans stored before revisions were kept.
    pub earlier: Vec<PlanRevision>,
}

/// Where a support plan item stands (実施状況).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanItemStatus {
    /// 予定 — planned.
    #[default]
    Planned,
    /// 実施中 — in progress.
    InProgress,
    /// 完了 — done.
    Done,
    /// 中止 — dropped.
    Dropped,
}

impl PlanItemStatus {
    /// Every status, in display order.
    pub const ALL: [Self; 4] = [Self::Planned, Self::InProgress, Self::Done, Self::Dropped];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Planned => "予定",
            Self::InProgress => "実施中",
            Self::Done => "完了",
            Self::Dropped => "中止",
        }
    }
}

/// 支援計画の項目 — one action: what, who, with which agency, by when.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SupportPlanItem {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 対応する課題 — the id of the vocational issue it addresses, if any.
    pub issue_id: Option<String>,
    /// 支援内容 — what is to be done. Identifying (free text).
    pub action: Identifying<String>,
    /// 担当者 — who does it (a person or a role). Identifying.
    pub who: Identifying<String>,
    /// 関係機関 — the agency involved (ハローワーク, 地域障害者職業センター,
    /// 主治医の医療機関…), as a kind or an office name. Not identifying.
    pub agency: String,
    /// 期限 — by when.
    pub due: Option<Date>,
    /// 実施状況.
    pub status: PlanItemStatus,
}

impl SupportPlanItem {
    /// A new item with a fresh id.
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            action: Identifying::new(action.into()),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn revising_the_plan_raises_its_number_and_dates_it() {
        let mut plan = SupportPlan::default();
        plan.revise(date!(2024 - 06 - 01));
        plan.revise(date!(2024 - 09 - 01));
        assert_eq!(plan.revision, 2);
        assert_eq!(plan.revised_on, Some(date!(2024 - 09 - 01)));
        assert_eq!(plan.earlier.len(), 1, "第1版 is kept");
    }

    #[test]
    fn only_checked_issues_are_applicable() {
        let cm = CaseManagement {
            vocational_issues: vec![
                VocationalIssue::from_reference("TOIL", true),
                VocationalIssue::from_reference("UV", false),
            ],
            ..CaseManagement::default()
        };
        let codes: Vec<_> = cm
            .applicable_issues()
            .filter_map(|i| i.code.as_deref())
            .collect();
        assert_eq!(codes, ["TOIL"]);
    }

    #[test]
    fn an_unknown_plan_status_is_refused() {
        let json = r#"{"support_plan":{"items":[{"status":"finished"}]}}"#;
        assert!(serde_json::from_str::<CaseManagement>(json).is_err());
    }
}
