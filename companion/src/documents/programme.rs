//! Programme figures (seed 002): for a self-reliance programme and a fiscal
//! year (年度, April to March), the number of support targets (支援対象者数),
//! participants (参加者数) and achievers (達成者数), and the review outcomes
//! with their reasons, computed from the cases' programme enrolments.
//! Achievers are counted by the goal type of each programme's kind
//! (`tsunagi_core::model::GOAL_TYPES`): a job for an employment programme,
//! the goals met for the others; the research centre counts by the same rule.

use std::collections::BTreeMap;

use time::{Date, Month};
use tsunagi_core::model::{Case, ProgrammeEnrolment, ProgrammeGoalType, ProgrammeOutcome};

use super::layout::{Doc, col};
use super::{DocumentError, DocumentMeta, format_date};

/// The figures of one programme in one fiscal year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeFigures {
    /// プログラム名.
    pub programme: String,
    /// 実施機関 (every agency seen, joined).
    pub agencies: Vec<String>,
    /// 達成の基準: what counts as achieved for the programme's targets, by
    /// their kinds (one, unless enrolments of one name were given
    /// different kinds).
    pub achieved_by: Vec<ProgrammeGoalType>,
    /// 支援対象者数 — enrolments selected by the year's end whose support
    /// had not ended (employed or stopped) before the year began.
    pub targets: usize,
    /// 参加者数 — of those, the ones who had consented by the year's end.
    pub participants: usize,
    /// 達成者数 — targets that reached their programme's aim within the
    /// year ([`ProgrammeEnrolment::achieved_between`]): a review with 就労
    /// for an employment programme; for the others a review with 目標達成
    /// or 就労, or the last of the plan's goals marked achieved.
    pub achievers: usize,
    /// Each enrolment's latest outcome within the year: 就労・目標達成・継続・打ち切り.
    pub outcomes: BTreeMap<OutcomeKey, usize>,
    /// Reviews within the year by outcome and reason (理由), with counts.
    /// Identifying: the reasons are free text.
    pub reasons: Vec<(ProgrammeOutcome, String, usize)>,
}

/// An outcome in display order (就労, 目標達成, 継続, 打ち切り).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutcomeKey(pub u8);

impl OutcomeKey {
    /// The key of an outcome.
    pub fn of(outcome: ProgrammeOutcome) -> Self {
        Self(match outcome {
            ProgrammeOutcome::Employed => 0,
            ProgrammeOutcome::GoalsMet => 1,
            ProgrammeOutcome::Continue => 2,
            ProgrammeOutcome::Stop => 3,
        })
    }

    /// The outcome of a key.
    pub fn outcome(self) -> ProgrammeOutcome {
        match self.0 {
            0 => ProgrammeOutcome::Employed,
            1 => ProgrammeOutcome::GoalsMet,
            2 => ProgrammeOutcome::Continue,
            _ => ProgrammeOutcome::Stop,
        }
    }
}

/// The first and last day of fiscal year `year` (年度: 1 April to 31 March).
pub fn fiscal_year(year: i32) -> Option<(Date, Date)> {
    let start = Date::from_calendar_date(year, Month::April, 1).ok()?;
    let end = Date::from_calendar_date(year + 1, Month::March, 31).ok()?;
    Some((start, end))
}

/// The figures of every programme (or only `programme`) in fiscal `year`,
/// sorted by programme name; programmes with no target that year are left out.
pub fn figures(cases: &[Case], year: i32, programme: Option<&str>) -> Vec<ProgrammeFigures> {
    let Some((start, end)) = fiscal_year(year) else {
        return Vec::new();
    };
    let mut by_name: BTreeMap<String, Vec<&ProgrammeEnrolment>> = BTreeMap::new();
    for e in cases.iter().flat_map(|c| &c.programmes) {
        if programme.is_none_or(|p| p == e.programme) {
            by_name.entry(e.programme.clone()).or_default().push(e);
        }
    }
    let in_year = |d: Option<Date>| d.is_some_and(|d| start <= d && d <= end);
    let mut out = Vec::new();
    for (name, enrolments) in by_name {
        let targets: Vec<&&ProgrammeEnrolment> = enrolments
            .iter()
            .filter(|e| {
                let selected = e.selected_on.is_some_and(|d| d <= end);
                let ended_before = e.reviews.iter().any(|r| {
                    r.outcome != ProgrammeOutcome::Continue && r.date.is_some_and(|d| d < start)
                });
                selected && !ended_before
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        let mut agencies: Vec<String> = targets.iter().map(|e| e.agency.clone()).collect();
        agencies.sort();
        agencies.dedup();
        let participants = targets
            .iter()
            .filter(|e| e.consent_on.is_some_and(|d| d <= end))
            .count();
        let achievers = targets
            .iter()
            .filter(|e| e.achieved_between(start, end))
            .count();
        let mut achieved_by: Vec<ProgrammeGoalType> =
            targets.iter().map(|e| e.goal_type()).collect();
        achieved_by.sort();
        achieved_by.dedup();
        let mut outcomes = BTreeMap::new();
        let mut reasons: BTreeMap<(OutcomeKey, String), usize> = BTreeMap::new();
        for e in &targets {
            let latest = e
                .reviews
                .iter()
                .enumerate()
                .filter(|(_, r)| in_year(r.date))
                .max_by_key(|(i, r)| (r.date, *i))
                .map(|(_, r)| r.outcome);
            if let Some(o) = latest {
                *outcomes.entry(OutcomeKey::of(o)).or_insert(0) += 1;
            }
            for r in e.reviews.iter().filter(|r| in_year(r.date)) {
                let reason = r.reason.expose().trim().to_owned();
                *reasons
                    .entry((OutcomeKey::of(r.outcome), reason))
                    .or_insert(0) += 1;
            }
        }
        out.push(ProgrammeFigures {
            programme: name,
            agencies,
            achieved_by,
            targets: targets.len(),
            participants,
            achievers,
            outcomes,
            reasons: reasons
                .into_iter()
                .map(|((k, reason), n)| (k.outcome(), reason, n))
                .collect(),
        });
    }
    out
}

/// 達成の基準 as shown: the goal types' labels, joined.
pub fn achieved_by(f: &ProgrammeFigures) -> String {
    f.achieved_by
        .iter()
        .map(|g| g.label_ja())
        .collect::<Vec<_>>()
        .join("・")
}

/// The figures as plain text, one table after another.
pub fn to_text(year: i32, figures: &[ProgrammeFigures]) -> String {
    let mut out = format!("{year}年度 自立支援プログラムの実施状況\n");
    if figures.is_empty() {
        out.push_str("該当するプログラムはありません (no programme had targets that year)\n");
        return out;
    }
    out.push_str("プログラム名\t実施機関\t達成の基準\t支援対象者数\t参加者数\t達成者数\n");
    for f in figures {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            f.programme,
            f.agencies.join("、"),
            achieved_by(f),
            f.targets,
            f.participants,
            f.achievers
        ));
    }
    for f in figures {
        out.push_str(&format!("\n{} — 評価結果\n", f.programme));
        for key in ProgrammeOutcome::ALL.map(OutcomeKey::of) {
            let n = f.outcomes.get(&key).copied().unwrap_or(0);
            out.push_str(&format!("{}\t{n}\n", key.outcome().label_ja()));
        }
        if !f.reasons.is_empty() {
            out.push_str("評価結果\t理由\t件数\n");
            for (o, reason, n) in &f.reasons {
                out.push_str(&format!("{}\t{}\t{n}\n", o.label_ja(), reason));
            }
        }
    }
    out
}

/// The figures as a one- or more-page PDF. `meta.case_number` is unused;
/// the title block shows the year instead.
pub fn to_pdf(
    year: i32,
    figures: &[ProgrammeFigures],
    generated_at: time::OffsetDateTime,
) -> Result<Vec<u8>, DocumentError> {
    let today = generated_at.date();
    let meta = DocumentMeta {
        case_number: format!("{year}年度"),
        created_on: today,
        revision: 1,
        revised_on: today,
        generated_at,
    };
    let mut doc = Doc::new("自立支援プログラムの実施状況", &meta);
    if let Some((start, end)) = fiscal_year(year) {
        doc.note(&format!(
            "対象期間：{}〜{}（{year}年度）",
            format_date(start),
            format_date(end)
        ));
    }
    doc.heading("プログラム別の人数（単位：人）");
    doc.note("達成者数：就労支援は「就労」の評価、その他のプログラムは「目標達成」か「就労」の評価、または計画の目標がすべて達成された人を、その年度に数えています。");
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            vec![
                f.programme.clone(),
                f.agencies.join("\n"),
                achieved_by(f),
                f.targets.to_string(),
                f.participants.to_string(),
                f.achievers.to_string(),
            ]
        })
        .collect();
    doc.table(
        &[
            col("プログラム名", 2.2),
            col("実施機関", 1.9),
            col("達成の基準", 1.0),
            col("支援対象者数", 1.1),
            col("参加者数", 1.0),
            col("達成者数", 1.0),
        ],
        &rows,
    );
    for f in figures {
        doc.heading(&format!("{} — 評価結果と理由", f.programme));
        let counts: Vec<Vec<String>> = ProgrammeOutcome::ALL
            .iter()
            .map(|o| {
                vec![
                    o.label_ja().to_owned(),
                    f.outcomes
                        .get(&OutcomeKey::of(*o))
                        .copied()
                        .unwrap_or(0)
                        .to_string(),
                ]
            })
            .collect();
        doc.table(
            &[col("評価結果（年度内の最新）", 3.0), col("人数", 1.0)],
            &counts,
        );
        let rows: Vec<Vec<String>> = f
            .reasons
            .iter()
            .map(|(o, reason, n)| vec![o.label_ja().to_owned(), reason.clone(), n.to_string()])
            .collect();
        if !rows.is_empty() {
            doc.table(
                &[col("評価結果", 1.0), col("理由", 5.0), col("件数", 0.8)],
                &rows,
            );
        }
    }
    doc.finish()
}

#[cfg(test)]
mod tests {
    use time::macros::date;
    use tsunagi_core::model::{ProgrammeGoal, ProgrammeKind, ProgrammeReview, demo_cases};

    use super::*;

    fn enrolment(
        selected: Date,
        consent: Option<Date>,
        reviews: &[(Date, ProgrammeOutcome, &str)],
    ) -> Case {
        let mut e = ProgrammeEnrolment::new();
        e.programme = "就労支援プログラム".into();
        e.agency = "架空市福祉事務所".into();
        e.selected_on = Some(selected);
        e.consent_on = consent;
        e.reviews = reviews
            .iter()
            .map(|(d, o, r)| ProgrammeReview::new(*d, *o, *r))
            .collect();
        Case {
            programmes: vec![e],
            ..Case::new()
        }
    }

    #[test]
    fn targets_participants_and_achievers_follow_the_fiscal_year() {
        let cases = vec![
            // Selected in 2024年度, consented, employed in February 2025 (still 2024年度).
            enrolment(
                date!(2024 - 05 - 01),
                Some(date!(2024 - 05 - 10)),
                &[(
                    date!(2025 - 02 - 20),
                    ProgrammeOutcome::Employed,
                    "事務補助に就職",
                )],
            ),
            // Selected, never consented.
            enrolment(date!(2024 - 09 - 01), None, &[]),
            // Stopped in 2023年度: not a target in 2024年度.
            enrolment(
                date!(2023 - 06 - 01),
                Some(date!(2023 - 06 - 05)),
                &[(date!(2024 - 01 - 31), ProgrammeOutcome::Stop, "転居")],
            ),
            // Continuing from 2023年度, reviewed twice in 2024年度.
            enrolment(
                date!(2023 - 10 - 01),
                Some(date!(2023 - 10 - 02)),
                &[
                    (date!(2024 - 04 - 30), ProgrammeOutcome::Continue, "求職中"),
                    (date!(2024 - 07 - 31), ProgrammeOutcome::Stop, "体調の悪化"),
                ],
            ),
            // Selected after the year.
            enrolment(date!(2025 - 04 - 01), None, &[]),
        ];
        let f = figures(&cases, 2024, None);
        assert_eq!(f.len(), 1);
        let f = &f[0];
        assert_eq!((f.targets, f.participants, f.achievers), (3, 2, 1));
        assert_eq!(
            f.outcomes.get(&OutcomeKey::of(ProgrammeOutcome::Employed)),
            Some(&1)
        );
        assert_eq!(
            f.outcomes.get(&OutcomeKey::of(ProgrammeOutcome::Stop)),
            Some(&1)
        );
        assert_eq!(
            f.outcomes.get(&OutcomeKey::of(ProgrammeOutcome::Continue)),
            None
        );
        assert_eq!(f.reasons.len(), 3);
        assert!(
            f.reasons
                .contains(&(ProgrammeOutcome::Stop, "体調の悪化".into(), 1))
        );
        assert!(figures(&cases, 2024, Some("ほかのプログラム")).is_empty());
        let text = to_text(2024, &figures(&cases, 2024, None));
        assert!(
            text.contains("就労支援プログラム\t架空市福祉事務所\t就労\t3\t2\t1"),
            "{text}"
        );
    }

    #[test]
    fn a_programme_whose_goal_is_not_a_job_counts_its_goals_met_as_achievers() {
        let goals = |achieved: &[Option<Date>]| -> Vec<ProgrammeGoal> {
            achieved
                .iter()
                .map(|a| ProgrammeGoal {
                    achieved_on: *a,
                    ..ProgrammeGoal::new("目標", None)
                })
                .collect()
        };
        let discharge = |reviews: &[(Date, ProgrammeOutcome, &str)], achieved: &[Option<Date>]| {
            let mut case = enrolment(date!(2024 - 04 - 10), Some(date!(2024 - 04 - 12)), reviews);
            case.programmes[0].programme = "退院支援プログラム".into();
            case.programmes[0].kind = ProgrammeKind::Discharge;
            case.programmes[0].goals = goals(achieved);
            case
        };
        let cases = vec![
            // Ended with 目標達成 in 2024年度: an achiever.
            discharge(
                &[(
                    date!(2024 - 10 - 31),
                    ProgrammeOutcome::GoalsMet,
                    "退院した",
                )],
                &[None],
            ),
            // Both goals reached, the last on 31 March 2025: an achiever.
            discharge(
                &[(
                    date!(2024 - 09 - 30),
                    ProgrammeOutcome::Continue,
                    "外泊練習",
                )],
                &[Some(date!(2024 - 06 - 01)), Some(date!(2025 - 03 - 31))],
            ),
            // One goal still open: not yet.
            discharge(&[], &[Some(date!(2024 - 06 - 01)), None]),
        ];
        let f = figures(&cases, 2024, None);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].targets, f[0].participants, f[0].achievers), (3, 3, 2));
        assert_eq!(f[0].achieved_by, [ProgrammeGoalType::GoalsMet]);
        assert_eq!(
            f[0].outcomes
                .get(&OutcomeKey::of(ProgrammeOutcome::GoalsMet)),
            Some(&1)
        );
        // The second's goals were met in 2024年度, so 2025年度 counts none.
        assert_eq!(figures(&cases, 2025, None)[0].achievers, 0);

        // An employment programme is achieved only by a job, not by 目標達成.
        let employment = enrolment(
            date!(2024 - 05 - 01),
            Some(date!(2024 - 05 - 10)),
            &[(
                date!(2024 - 12 - 20),
                ProgrammeOutcome::GoalsMet,
                "準備が整った",
            )],
        );
        let f = figures(&[employment], 2024, None);
        assert_eq!((f[0].targets, f[0].achievers), (1, 0));
        assert_eq!(f[0].achieved_by, [ProgrammeGoalType::Employment]);
    }

    #[test]
    fn the_demo_programme_counts_one_target_in_2024() {
        let f = figures(&demo_cases(), 2024, Some("就労支援プログラム"));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].targets, f[0].participants, f[0].achievers), (1, 1, 0));
    }
}
