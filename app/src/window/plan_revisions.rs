//! 支援計画の版 on the case screen's ケースマネジメント tab: the plan's
//! revision (第N版) and date, 「計画を改定」 and the revisions kept, each
//! with its items and what changed since the one before
//! (ui/app/plan_revisions.slint).
//!
//! The revision is made by the case screen's controller (`case.rs`, which
//! owns the open case and saves it): this module turns a plan into the
//! panel's rows ([`revision_rows`], no window needed), puts them on the
//! screen ([`show`]), and answers 「計画を改定」 with the confirmation, which
//! names the revision to be made and today's date ([`wire`]).
//!
//! Threads: UI thread only.

use std::sync::Arc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::OffsetDateTime;
use tsunagi_core::model::{
    CaseManagement, RevisionRef, SupportPlan, SupportPlanItem, date_ja, revision_title_ja,
};

use super::i18n::tr;
use super::session::Session;
use super::ui::{AppWindow, PlanItemRow, PlanRevisionRow, PlanRevisionsAdapter};

/// An item's who, agency, due date and status in one line.
fn details(item: &SupportPlanItem) -> String {
    let mut parts = Vec::new();
    let mut push = |label: &str, value: &str| {
        if !value.trim().is_empty() {
            parts.push(format!("{}：{}", tr(label), value.trim()));
        }
    };
    push("担当者", item.who.expose());
    push("関係機関", &item.agency);
    push("期限", &item.due.map(date_ja).unwrap_or_default());
    push("状況", tr(item.status.label_ja()));
    parts.join("　")
}

/// The name of the vocational issue `id` of `cm`: its own wording, else
/// its reference code.
fn issue_name(cm: &CaseManagement, id: &str) -> String {
    cm.vocational_issues
        .iter()
        .find(|i| i.id == id)
        .map(|i| {
            let text = i.text.expose().trim();
            if text.is_empty() {
                i.code.clone().unwrap_or_default()
            } else {
                text.to_owned()
            }
        })
        .unwrap_or_else(|| tr("（削除された課題）").to_owned())
}

fn revision_row(cm: &CaseManagement, revision: RevisionRef<'_>) -> PlanRevisionRow {
    let plan: &SupportPlan = &cm.support_plan;
    let name = |id: &str| issue_name(cm, id);
    let changes: Vec<SharedString> = plan
        .changes_in(revision.revision)
        .unwrap_or_default()
        .iter()
        .map(|c| c.words_ja(&name).into_inner().into())
        .collect();
    let note = match plan.changes_in(revision.revision) {
        Some(list) if list.is_empty() => tr("前の版から変わった項目はありません。"),
        Some(_) => "",
        None if revision.revision <= 1 => tr("最初の版です。"),
        None => tr("前の版の記録がないため、変更は示せません。"),
    };
    let items: Vec<PlanItemRow> = revision
        .items
        .iter()
        .map(|i| PlanItemRow {
            action: i.action.expose().trim().into(),
            details: details(i).into(),
        })
        .collect();
    let previous = plan
        .previous(revision.revision)
        .map(|p| revision_title_ja(p.revision, None))
        .unwrap_or_default();
    PlanRevisionRow {
        title: revision_title_ja(revision.revision, revision.revised_on).into(),
        previous: previous.into(),
        current: revision.current,
        items: ModelRc::new(VecModel::from(items)),
        changes: ModelRc::new(VecModel::from(changes)),
        changes_note: note.into(),
    }
}

/// Every revision of `cm`'s plan as the panel's rows, oldest first, the
/// plan in force last. A draft (版 0) is not listed: it is no revision yet.
pub(super) fn revision_rows(cm: &CaseManagement) -> Vec<PlanRevisionRow> {
    cm.support_plan
        .revisions()
        .into_iter()
        .filter(|r| r.revision > 0)
        .map(|r| revision_row(cm, r))
        .collect()
}

/// Puts the open case's plan revisions on the screen (closing the list
/// and the confirmation, which may belong to another case or revision).
pub(super) fn show(window: &AppWindow, cm: &CaseManagement) {
    let adapter = window.global::<PlanRevisionsAdapter<'_>>();
    let plan = &cm.support_plan;
    adapter.set_current(revision_title_ja(plan.revision, plan.revised_on).into());
    adapter.set_draft(plan.revision == 0);
    adapter.set_revision(i32::try_from(plan.revision).unwrap_or(i32::MAX));
    adapter.set_revisions(ModelRc::new(VecModel::from(revision_rows(cm))));
    adapter.set_confirming(false);
}

/// Opens the list of revisions of `cm`'s plan, as it stands now.
pub(super) fn open_list(window: &AppWindow, cm: &CaseManagement) {
    show(window, cm);
    let adapter = window.global::<PlanRevisionsAdapter<'_>>();
    adapter.set_opened(-1);
    adapter.set_list_open(true);
}

/// Empties the panel (the case was closed, or the app locked).
pub(super) fn clear(window: &AppWindow) {
    let adapter = window.global::<PlanRevisionsAdapter<'_>>();
    adapter.set_current(SharedString::new());
    adapter.set_next(SharedString::new());
    adapter.set_revisions(ModelRc::default());
    adapter.set_confirming(false);
    adapter.set_list_open(false);
    adapter.set_opened(-1);
}

/// Answers 「計画を改定」: the confirmation names the revision it makes,
/// dated today where the tablet is. The revision itself is made by the case
/// screen, which owns the open case (`PlanRevisionsAdapter.revise`).
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>) {
    let adapter = window.global::<PlanRevisionsAdapter<'_>>();
    clear(window);
    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_ask_revise(move || {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<PlanRevisionsAdapter<'_>>();
        let today = OffsetDateTime::now_utc().to_offset(s.utc_offset()).date();
        let next = u32::try_from(adapter.get_revision())
            .unwrap_or(0)
            .saturating_add(1);
        adapter.set_next(revision_title_ja(next, Some(today)).into());
        adapter.set_confirming(true);
    });
}

#[cfg(test)]
mod tests {
    use slint::Model;
    use time::macros::date;
    use tsunagi_core::model::{PlanItemStatus, SupportPlanItem};

    use super::*;

    fn plan_with_two_revisions() -> CaseManagement {
        let mut cm = CaseManagement::default();
        let plan = &mut cm.support_plan;
        plan.items.push(SupportPlanItem {
            who: "佐藤".into(),
            ..SupportPlanItem::new("ハローワーク同行")
        });
        plan.revise(date!(2024 - 06 - 01));
        plan.revise(date!(2024 - 09 - 01));
        plan.items[0].status = PlanItemStatus::Done;
        cm
    }

    #[test]
    fn each_revision_shows_its_items_and_what_changed() {
        let rows = revision_rows(&plan_with_two_revisions());
        let titles: Vec<String> = rows.iter().map(|r| r.title.to_string()).collect();
        assert_eq!(titles, ["第1版（2024年6月1日）", "第2版（2024年9月1日）"]);
        assert!(!rows[0].current && rows[1].current);
        assert_eq!(rows[0].changes_note.as_str(), "最初の版です。");
        let first = rows[0].items.row_data(0).expect("an item");
        assert_eq!(first.action.as_str(), "ハローワーク同行");
        assert_eq!(first.details.as_str(), "担当者：佐藤　状況：予定");
        let changes: Vec<String> = rows[1].changes.iter().map(|c| c.to_string()).collect();
        assert_eq!(changes, ["変更：ハローワーク同行（状況：予定 → 完了）"]);
        assert_eq!(rows[1].changes_note.as_str(), "");
        assert_eq!(
            (rows[0].previous.as_str(), rows[1].previous.as_str()),
            ("", "第1版")
        );
    }

    #[test]
    fn a_draft_is_not_listed_as_a_revision() {
        let mut cm = CaseManagement::default();
        cm.support_plan.items.push(SupportPlanItem::new("見学"));
        assert!(revision_rows(&cm).is_empty());
    }

    #[test]
    fn a_plan_stored_without_its_earlier_revisions_says_why_no_change_shows() {
        let mut cm = CaseManagement::default();
        cm.support_plan.revision = 3;
        let rows = revision_rows(&cm);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].changes_note.as_str(),
            "前の版の記録がないため、変更は示せません。"
        );
    }
}
