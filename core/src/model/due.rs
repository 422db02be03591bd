//! What is due (期限・予定), computed from a case, never typed in: the next
//! review and the end of the period (期間終了) of a programme still running,
//! a medical certificate's end, the
//! follow-ups after a hire (定着支援: one, three, six and twelve months),
//! and support-plan items not done by their date. Labels only: nothing
//! here holds a value the model marks identifying.

use time::{Date, Duration};

use super::programme::add_months;
use super::{Case, PlanItemStatus};

/// The months after a hire at which the office follows up (定着支援).
pub const FOLLOW_UP_MONTHS: [u8; 4] = [1, 3, 6, 12];
/// How early a follow-up may be and still count for its month.
const FOLLOW_UP_EARLY: Duration = Duration::days(14);

/// What falls due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DueKind {
    /// The next review of a programme (自立支援プログラム), by its name.
    ProgrammeReview(String),
    /// The end of a running programme's period, extensions included
    /// (期間終了), by its name.
    ProgrammeEnds(String),
    /// A medical certificate (医療受給者証) runs out.
    CertificateEnds,
    /// The follow-up this many months after the hire (定着支援).
    FollowUp(u8),
    /// A support-plan item not done by its date (支援計画).
    PlanItem,
}

/// One thing due, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueItem {
    /// What.
    pub kind: DueKind,
    /// By when.
    pub on: Date,
}

impl DueItem {
    /// What is due, in Japanese.
    pub fn label_ja(&self) -> String {
        match &self.kind {
            DueKind::ProgrammeReview(name) if name.is_empty() => "プログラムの評価".to_owned(),
            DueKind::ProgrammeReview(name) => format!("プログラムの評価（{name}）"),
            DueKind::ProgrammeEnds(name) if name.is_empty() => "プログラムの期間終了".to_owned(),
            DueKind::ProgrammeEnds(name) => format!("プログラムの期間終了（{name}）"),
            DueKind::CertificateEnds => "医療受給者証の有効期限".to_owned(),
            DueKind::FollowUp(m) => format!("就職後{m}か月の定着支援"),
            DueKind::PlanItem => "支援計画の期限".to_owned(),
        }
    }
}

/// Everything due for `case`, by date.
pub fn due_items(case: &Case) -> Vec<DueItem> {
    let mut items = Vec::new();
    for p in case.programmes.iter().filter(|p| p.is_running()) {
        if let Some(on) = p.next_review_due() {
            items.push(DueItem {
                kind: DueKind::ProgrammeReview(p.programme.clone()),
                on,
            });
        }
        if let Some(on) = p.period.end() {
            items.push(DueItem {
                kind: DueKind::ProgrammeEnds(p.programme.clone()),
                on,
            });
        }
    }
    for c in &case.basic.medical_certificates {
        if let Some(on) = c.valid_until {
            items.push(DueItem {
                kind: DueKind::CertificateEnds,
                on,
            });
        }
    }
    if let Some(hired) = case.monitoring.hire.as_ref().and_then(|h| h.hired_on) {
        let contacts: Vec<Date> = case
            .monitoring
            .follow_ups
            .iter()
            .filter_map(|f| f.date)
            .collect();
        for months in FOLLOW_UP_MONTHS {
            let Some(on) = add_months(hired, months) else {
                continue;
            };
            let done = contacts.iter().any(|d| *d >= on - FOLLOW_UP_EARLY);
            if !done {
                items.push(DueItem {
                    kind: DueKind::FollowUp(months),
                    on,
                });
            }
        }
    }
    for item in &case.case_management.support_plan.items {
        let open = matches!(
            item.status,
            PlanItemStatus::Planned | PlanItemStatus::InProgress
        );
        if let (true, Some(on)) = (open, item.due) {
            items.push(DueItem {
                kind: DueKind::PlanItem,
                on,
            });
        }
    }
    items.sort_by_key(|i| i.on);
    items
}

/// Of `items`, those due by `today` plus `within` days, overdue first: all
/// in date order, so the oldest overdue leads.
pub fn due_by(items: Vec<DueItem>, today: Date, within: Duration) -> Vec<DueItem> {
    let mut kept: Vec<DueItem> = items
        .into_iter()
        .filter(|i| i.on <= today + within)
        .collect();
    kept.sort_by_key(|i| i.on);
    kept
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::model::{
        FollowUp, HireConfirmation, MedicalCertificate, ProgrammeEnrolment, ProgrammeExtension,
        ProgrammeOutcome, ProgrammePeriod, ProgrammeReview, SupportPlanItem,
    };

    fn case() -> Case {
        let mut case = Case::default();
        case.basic.medical_certificates.push(MedicalCertificate {
            valid_until: Some(date!(2026 - 09 - 30)),
            ..MedicalCertificate::default()
        });
        let mut programme = ProgrammeEnrolment::new();
        programme.programme = "就労支援".into();
        programme.review_interval_months = Some(3);
        programme.consent_on = Some(date!(2026 - 01 - 10));
        programme.reviews.push(ProgrammeReview {
            date: Some(date!(2026 - 04 - 10)),
            ..ProgrammeReview::default()
        });
        case.programmes.push(programme);
        case.monitoring.hire = Some(HireConfirmation {
            hired_on: Some(date!(2026 - 01 - 31)),
            ..HireConfirmation::default()
        });
        // The one-month follow-up was done (a little early counts).
        case.monitoring.follow_ups.push(FollowUp {
            date: Some(date!(2026 - 02 - 20)),
            ..FollowUp::default()
        });
        let mut open = SupportPlanItem::new("通院日の調整");
        open.due = Some(date!(2026 - 05 - 01));
        let mut done = SupportPlanItem::new("面接の練習");
        done.due = Some(date!(2026 - 03 - 01));
        done.status = PlanItemStatus::Done;
        case.case_management.support_plan.items.extend([open, done]);
        case
    }

    #[test]
    fn due_items_come_from_the_model_by_date() {
        let items = due_items(&case());
        let listed: Vec<(String, Date)> = items.iter().map(|i| (i.label_ja(), i.on)).collect();
        let expected = [
            // Three months after the hire, clamped to April's end; the
            // one-month follow-up was done.
            ("就職後3か月の定着支援", date!(2026 - 04 - 30)),
            // The open item; the done one is not due.
            ("支援計画の期限", date!(2026 - 05 - 01)),
            // The last review plus three months.
            ("プログラムの評価（就労支援）", date!(2026 - 07 - 10)),
            ("就職後6か月の定着支援", date!(2026 - 07 - 31)),
            ("医療受給者証の有効期限", date!(2026 - 09 - 30)),
            ("就職後12か月の定着支援", date!(2027 - 01 - 31)),
        ];
        let expected: Vec<(String, Date)> = expected
            .iter()
            .map(|(l, d)| ((*l).to_owned(), *d))
            .collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn a_programme_that_ended_has_no_review_due_and_the_list_keeps_what_falls_due_soon() {
        let mut ended = case();
        ended.programmes[0].reviews.push(ProgrammeReview {
            date: Some(date!(2026 - 05 - 01)),
            outcome: ProgrammeOutcome::Employed,
            ..ProgrammeReview::default()
        });
        assert!(
            !due_items(&ended)
                .iter()
                .any(|i| matches!(i.kind, DueKind::ProgrammeReview(_)))
        );
        let soon = due_by(
            due_items(&case()),
            date!(2026 - 05 - 10),
            Duration::days(30),
        );
        let dates: Vec<Date> = soon.iter().map(|i| i.on).collect();
        assert_eq!(dates, vec![date!(2026 - 04 - 30), date!(2026 - 05 - 01)]);
    }

    #[test]
    fn a_running_programme_is_due_to_end_at_its_planned_end_or_its_last_extension() {
        let mut case = Case::default();
        let mut programme = ProgrammeEnrolment::new();
        programme.programme = "就労準備支援".into();
        // 1 November 2025, six months: the period ends on 30 April 2026.
        programme.period = ProgrammePeriod::of_months(date!(2025 - 11 - 01), 6);
        case.programmes.push(programme);
        let ends = |case: &Case| -> Vec<(String, Date)> {
            due_items(case)
                .into_iter()
                .filter(|i| matches!(i.kind, DueKind::ProgrammeEnds(_)))
                .map(|i| (i.label_ja(), i.on))
                .collect()
        };
        assert_eq!(
            ends(&case),
            [(
                "プログラムの期間終了（就労準備支援）".to_owned(),
                date!(2026 - 04 - 30)
            )]
        );
        // Extended by three months: the new end is due instead.
        case.programmes[0]
            .period
            .extensions
            .push(ProgrammeExtension::new(
                date!(2026 - 07 - 31),
                "面接練習を続ける",
            ));
        assert_eq!(ends(&case)[0].1, date!(2026 - 07 - 31));
        // Ended with the goals met: nothing is due any more.
        case.programmes[0].reviews.push(ProgrammeReview::new(
            date!(2026 - 06 - 30),
            ProgrammeOutcome::GoalsMet,
            "",
        ));
        assert!(ends(&case).is_empty());
        assert!(due_items(&case).is_empty());
    }
}
