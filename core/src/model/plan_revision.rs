//! 支援計画の改定 — revising the support plan (第N版).
//!
//! The plan is renegotiated as the support goes on: at each revision (改定)
//! the plan as it stood — its number, its date and its items — is frozen and
//! kept as an earlier revision, and the new revision starts from a copy of
//! its items with the next number. What changed from one revision to the
//! next (items added, removed, or changed in content, who, agency, by when
//! or status) is computed here from the two lists of items, matched by the
//! items' ids, so it is never typed by hand.
//!
//! A draft (版 0) is not an agreed plan: revising it makes the first agreed
//! plan, 第1版, and keeps no earlier revision.

use serde::{Deserialize, Serialize};

use super::{Date, PlanItemStatus, SupportPlan, SupportPlanItem};
use crate::pii::Identifying;

/// 以前の版 — an earlier revision of the support plan, frozen when the plan
/// was revised: nothing edits it afterwards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanRevision {
    /// 版 — its number (1 for the first agreed plan).
    pub revision: u32,
    /// 作成・改訂日 — the date of that revision.
    pub revised_on: Option<Date>,
    /// 支援内容 — its items as they stood when the plan was revised.
    pub items: Vec<SupportPlanItem>,
}

/// One revision of the plan, the current one or an earlier one, borrowed
/// from the [`SupportPlan`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RevisionRef<'a> {
    /// 版 — its number.
    pub revision: u32,
    /// 作成・改訂日.
    pub revised_on: Option<Date>,
    /// 支援内容.
    pub items: &'a [SupportPlanItem],
    /// Whether this is the plan in force (the one being edited).
    pub current: bool,
}

impl<'a> From<&'a PlanRevision> for RevisionRef<'a> {
    fn from(r: &'a PlanRevision) -> Self {
        Self {
            revision: r.revision,
            revised_on: r.revised_on,
            items: &r.items,
            current: false,
        }
    }
}

impl SupportPlan {
    /// 計画を改定 — makes a new revision dated `day`: the plan as it stands
    /// is kept, unchanged, as an earlier revision (unless it is still a
    /// draft, 版 0), the number goes up by one, and the new revision's items
    /// start as the current ones, to be edited from there.
    pub fn revise(&mut self, day: Date) {
        if self.revision > 0 {
            self.earlier.push(PlanRevision {
                revision: self.revision,
                revised_on: self.revised_on,
                items: self.items.clone(),
            });
        }
        self.revision += 1;
        self.revised_on = Some(day);
    }

    /// The plan in force, as a revision.
    pub fn current(&self) -> RevisionRef<'_> {
        RevisionRef {
            revision: self.revision,
            revised_on: self.revised_on,
            items: &self.items,
            current: true,
        }
    }

    /// Every revision kept, earlier ones first (in number order), then the
    /// plan in force.
    pub fn revisions(&self) -> Vec<RevisionRef<'_>> {
        let mut all: Vec<RevisionRef<'_>> = self.earlier.iter().map(RevisionRef::from).collect();
        all.sort_by_key(|r| r.revision);
        all.push(self.current());
        all
    }

    /// Revision `number`: the plan in force when it has that number,
    /// otherwise the earlier revision with it.
    pub fn revision(&self, number: u32) -> Option<RevisionRef<'_>> {
        if number == self.revision {
            return Some(self.current());
        }
        self.earlier
            .iter()
            .find(|r| r.revision == number)
            .map(RevisionRef::from)
    }

    /// The revision before revision `number`: the kept revision with the
    /// highest number below it. `None` for the first agreed plan, and for a
    /// plan whose earlier revisions were not kept (made before revisions
    /// were kept, or carried without them).
    pub fn previous(&self, number: u32) -> Option<RevisionRef<'_>> {
        self.earlier
            .iter()
            .filter(|r| r.revision < number && r.revision > 0)
            .max_by_key(|r| r.revision)
            .map(RevisionRef::from)
    }

    /// 前回からの変更 — what changed in revision `number` since the
    /// revision before it; `None` when there is no such revision or no
    /// earlier one to compare with. An empty list: nothing changed.
    pub fn changes_in(&self, number: u32) -> Option<Vec<PlanChange>> {
        let this = self.revision(number)?;
        let before = self.previous(number)?;
        Some(plan_changes(before.items, this.items))
    }
}

/// A field of a support plan item, as a change names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlanItemField {
    /// 対応する課題.
    Issue,
    /// 支援内容.
    Action,
    /// 担当者.
    Who,
    /// 関係機関.
    Agency,
    /// 期限.
    Due,
    /// 実施状況.
    Status,
}

impl PlanItemField {
    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Issue => "対応する課題",
            Self::Action => "支援内容",
            Self::Who => "担当者",
            Self::Agency => "関係機関",
            Self::Due => "期限",
            Self::Status => "状況",
        }
    }
}

/// One field of an item changed between two revisions, with both values as
/// shown (dates as 2024年9月30日, statuses in Japanese; for
/// [`PlanItemField::Issue`], the issue's id). Identifying: the values may be
/// free text.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemFieldChange {
    /// Which field.
    pub field: PlanItemField,
    /// The value before ("" for none).
    pub before: Identifying<String>,
    /// The value after ("" for none).
    pub after: Identifying<String>,
}

/// How an item changed between two revisions.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeKind {
    /// 追加 — the item is new in this revision.
    Added,
    /// 削除 — the item was dropped from the plan.
    Removed,
    /// 変更 — the item is in both, with these fields changed.
    Changed(Vec<ItemFieldChange>),
}

/// One item's change between two revisions of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanChange {
    /// How it changed.
    pub kind: ChangeKind,
    /// The item as it stands after the change (as it stood before, when
    /// it was removed).
    pub item: SupportPlanItem,
}

/// The items' changes from `before` to `after`, matched by id: first the
/// items of `after` in their order (changed or added), then those removed,
/// in their old order. Items unchanged are not listed.
pub fn plan_changes(before: &[SupportPlanItem], after: &[SupportPlanItem]) -> Vec<PlanChange> {
    let mut out = Vec::new();
    for item in after {
        match before.iter().find(|b| b.id == item.id) {
            None => out.push(PlanChange {
                kind: ChangeKind::Added,
                item: item.clone(),
            }),
            Some(old) => {
                let fields = field_changes(old, item);
                if !fields.is_empty() {
                    out.push(PlanChange {
                        kind: ChangeKind::Changed(fields),
                        item: item.clone(),
                    });
                }
            }
        }
    }
    for old in before.iter().filter(|b| after.iter().all(|a| a.id != b.id)) {
        out.push(PlanChange {
            kind: ChangeKind::Removed,
            item: old.clone(),
        });
    }
    out
}

/// An item's fields as compared and shown, in the order they are listed.
fn shown_fields(item: &SupportPlanItem) -> [(PlanItemField, String); 6] {
    [
        (
            PlanItemField::Action,
            item.action.expose().trim().to_owned(),
        ),
        (PlanItemField::Who, item.who.expose().trim().to_owned()),
        (PlanItemField::Agency, item.agency.trim().to_owned()),
        (
            PlanItemField::Due,
            item.due.map(date_ja).unwrap_or_default(),
        ),
        (PlanItemField::Status, status_ja(item.status).to_owned()),
        (
            PlanItemField::Issue,
            item.issue_id.clone().unwrap_or_default(),
        ),
    ]
}

fn field_changes(old: &SupportPlanItem, new: &SupportPlanItem) -> Vec<ItemFieldChange> {
    shown_fields(old)
        .into_iter()
        .zip(shown_fields(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, before), (_, after))| ItemFieldChange {
            field,
            before: Identifying::new(before),
            after: Identifying::new(after),
        })
        .collect()
}

fn status_ja(status: PlanItemStatus) -> &'static str {
    status.label_ja()
}

/// A date as documents print it: 2024年9月30日.
pub fn date_ja(date: Date) -> String {
    format!(
        "{}年{}月{}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// 「第N版」, with the date when there is one: 「第2版（2024年9月1日）」;
/// a draft (版 0) is 「作成中」.
pub fn revision_title_ja(revision: u32, revised_on: Option<Date>) -> String {
    let head = if revision == 0 {
        "作成中".to_owned()
    } else {
        format!("第{revision}版")
    };
    match revised_on {
        Some(day) => format!("{head}（{}）", date_ja(day)),
        None => head,
    }
}

impl PlanChange {
    /// The change in words, e.g. 「変更：ハローワーク同行（期限：2024年9月30日 →
    /// 2024年10月31日、状況：予定 → 実施中）」. `issue_name` names a
    /// vocational issue from its id. Identifying: it quotes the item's
    /// free text.
    pub fn words_ja(&self, issue_name: &dyn Fn(&str) -> String) -> Identifying<String> {
        let action = self.item.action.expose().trim();
        let action = if action.is_empty() {
            "（支援内容なし）"
        } else {
            action
        };
        let shown = |field: PlanItemField, value: &str| -> String {
            match (field, value.is_empty()) {
                (_, true) => "（なし）".to_owned(),
                (PlanItemField::Issue, false) => issue_name(value),
                (_, false) => value.to_owned(),
            }
        };
        let words = match &self.kind {
            ChangeKind::Added => {
                let details: Vec<String> = shown_fields(&self.item)
                    .into_iter()
                    .filter(|(f, v)| *f != PlanItemField::Action && !v.is_empty())
                    .map(|(f, v)| format!("{}：{}", f.label_ja(), shown(f, &v)))
                    .collect();
                if details.is_empty() {
                    format!("追加：{action}")
                } else {
                    format!("追加：{action}（{}）", details.join("、"))
                }
            }
            ChangeKind::Removed => format!("削除：{action}"),
            ChangeKind::Changed(fields) => {
                let details: Vec<String> = fields
                    .iter()
                    .map(|c| {
                        format!(
                            "{}：{} → {}",
                            c.field.label_ja(),
                            shown(c.field, c.before.expose()),
                            shown(c.field, c.after.expose())
                        )
                    })
                    .collect();
                format!("変更：{action}（{}）", details.join("、"))
            }
        };
        Identifying::new(words)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn item(action: &str, who: &str, status: PlanItemStatus) -> SupportPlanItem {
        SupportPlanItem {
            who: Identifying::new(who.to_owned()),
            status,
            ..SupportPlanItem::new(action)
        }
    }

    fn no_issue(id: &str) -> String {
        format!("課題{id}")
    }

    #[test]
    fn the_first_agreed_plan_is_revision_one_and_keeps_no_draft() {
        let mut plan = SupportPlan {
            items: vec![item("ハローワーク同行", "佐藤", PlanItemStatus::Planned)],
            ..SupportPlan::default()
        };
        plan.revise(date!(2024 - 06 - 01));
        assert_eq!(plan.revision, 1);
        assert_eq!(plan.revised_on, Some(date!(2024 - 06 - 01)));
        assert!(plan.earlier.is_empty(), "a draft is not an agreed revision");
        assert_eq!(plan.items.len(), 1, "the draft's items become 第1版's");
        assert_eq!(plan.changes_in(1), None, "第1版 has nothing before it");
    }

    #[test]
    fn revising_numbers_the_new_revision_and_keeps_the_old_one_unchanged() {
        let mut plan = SupportPlan::default();
        plan.items
            .push(item("ハローワーク同行", "佐藤", PlanItemStatus::Planned));
        plan.revise(date!(2024 - 06 - 01));
        let first = plan.clone();
        plan.revise(date!(2024 - 09 - 01));
        assert_eq!(plan.revision, 2);
        assert_eq!(plan.revised_on, Some(date!(2024 - 09 - 01)));
        assert_eq!(plan.items, first.items, "the new revision starts as a copy");

        // Editing the new revision leaves the kept one as it was.
        plan.items[0].status = PlanItemStatus::Done;
        plan.items
            .push(item("職場実習", "鈴木", PlanItemStatus::Planned));
        let kept = plan.revision(1).expect("第1版 is kept");
        assert!(!kept.current);
        assert_eq!(kept.revised_on, Some(date!(2024 - 06 - 01)));
        assert_eq!(kept.items, first.items.as_slice());
        assert_eq!(
            plan.revisions()
                .iter()
                .map(|r| r.revision)
                .collect::<Vec<_>>(),
            [1, 2]
        );

        plan.revise(date!(2024 - 12 - 01));
        assert_eq!(plan.revision, 3);
        assert_eq!(
            plan.earlier.iter().map(|r| r.revision).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(plan.earlier[0].items, first.items, "still unchanged");
        assert_eq!(plan.previous(3).map(|r| r.revision), Some(2));
    }

    #[test]
    fn changes_list_items_added_removed_and_changed_in_words() {
        let kept = item("ハローワーク同行", "佐藤", PlanItemStatus::Planned);
        let dropped = item("履歴書の作成", "本人", PlanItemStatus::Planned);
        let mut plan = SupportPlan {
            items: vec![kept.clone(), dropped],
            ..SupportPlan::default()
        };
        plan.revise(date!(2024 - 06 - 01));
        plan.revise(date!(2024 - 09 - 01));
        plan.items.retain(|i| i.id != plan.earlier[0].items[1].id);
        plan.items[0].status = PlanItemStatus::InProgress;
        plan.items[0].due = Some(date!(2024 - 10 - 31));
        *plan.items[0].who.expose_mut() = "鈴木".into();
        plan.items.push(SupportPlanItem {
            agency: "地域障害者職業センター".into(),
            ..SupportPlanItem::new("職業評価")
        });

        let changes = plan.changes_in(2).expect("第2版 has a 第1版");
        let words: Vec<String> = changes
            .iter()
            .map(|c| c.words_ja(&no_issue).into_inner())
            .collect();
        assert_eq!(
            words,
            [
                "変更：ハローワーク同行（担当者：佐藤 → 鈴木、期限：（なし） → 2024年10月31日、状況：予定 → 実施中）",
                "追加：職業評価（関係機関：地域障害者職業センター、状況：予定）",
                "削除：履歴書の作成",
            ]
        );
        assert!(matches!(changes[0].kind, ChangeKind::Changed(ref f) if f.len() == 3));
        assert_eq!(changes[0].item.id, kept.id);
    }

    #[test]
    fn a_revision_with_nothing_changed_lists_no_change() {
        let mut plan = SupportPlan {
            items: vec![item("ハローワーク同行", "佐藤", PlanItemStatus::Planned)],
            ..SupportPlan::default()
        };
        plan.revise(date!(2024 - 06 - 01));
        plan.revise(date!(2024 - 09 - 01));
        assert_eq!(plan.changes_in(2), Some(Vec::new()));
        assert_eq!(plan.changes_in(7), None, "no such revision");
    }

    #[test]
    fn a_changed_issue_is_named_by_the_caller() {
        let before = item("通院日の調整", "", PlanItemStatus::Planned);
        let mut after = before.clone();
        after.issue_id = Some("i-1".into());
        let changes = plan_changes(&[before], &[after]);
        assert_eq!(
            changes[0].words_ja(&no_issue).expose(),
            "変更：通院日の調整（対応する課題：（なし） → 課題i-1）"
        );
    }

    #[test]
    fn changes_keep_free_text_out_of_debug_output() {
        let before = item("秘密の支援内容", "秘密の担当者", PlanItemStatus::Planned);
        let mut after = before.clone();
        *after.who.expose_mut() = "別の担当者".into();
        let changes = plan_changes(&[before], &[after]);
        let debug = format!("{changes:?}");
        assert!(
            !debug.contains("秘密") && !debug.contains("別の"),
            "{debug}"
        );
        assert!(!format!("{:?}", changes[0].words_ja(&no_issue)).contains("秘密"));
    }

    #[test]
    fn a_stored_plan_without_earlier_revisions_still_reads() {
        let json = r#"{"revision":2,"revised_on":"2024-07-15","items":[]}"#;
        let plan: SupportPlan = serde_json::from_str(json).expect("the old shape reads");
        assert_eq!(plan.revision, 2);
        assert!(plan.earlier.is_empty());
        assert_eq!(plan.changes_in(2), None, "no 第1版 kept to compare with");
    }

    #[test]
    fn titles_say_the_revision_and_its_date() {
        assert_eq!(
            revision_title_ja(2, Some(date!(2024 - 09 - 01))),
            "第2版（2024年9月1日）"
        );
        assert_eq!(revision_title_ja(0, None), "作成中");
    }
}
