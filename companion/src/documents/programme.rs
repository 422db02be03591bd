//! Programme figures (seed 002): for a self-reliance programme and a fiscal
//! year (年度, April to March), the number of support targets (支援対象者数),
//! participants (参加者数) and achievers (達成者数), and the review outcomes
//! with their reasons, computed from the cases' programme enrolments.

use std::collections::BTreeMap;

use time::{Date, Month};
use tsunagi_core::model::{Case, ProgrammeEnrolment, ProgrammeOutcome};

use super::layout::{Doc, col};
use super::{DocumentError, DocumentMeta, format_date};

/// The figures of one programme in one fiscal year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeFigures {
    /// プログラム名.
    pub programme: String,
    /// 実施機関 (every agency seen, joined).
    pub agencies: Vec<String>,
    /// 支援対象者数 — enrolments selected by the year's end whose support
    /// had not ended (employed or stopped) before the year began.
    pub targets: usize,
    /// 参加者数 — of those, the ones who had consented by the year's end.
    pub participants: usize,
    /// 達成者数 — enrolments with an "employed" review within the year.
    pub achievers: usize,
    /// Each enrolment's latest outcome within the year: 就労・継続・打ち切り.
    pub outcomes: BTreeMap<OutcomeKey, usize>,
    /// Reviews within the year by outcome and reason (理由), with counts.
    /// Identifying: the reasons are free text.
    pub reasons: Vec<(ProgrammeOutcome, String, usize)>,
}

/// An outcome in display order (就労, 継続, 打ち切り).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutcomeKey(pub u8);

impl OutcomeKey {
    /// The key of an outcome.
    pub fn of(outcome: ProgrammeOutcome) -> Self {
        Self(match outcome {
            ProgrammeOutcome::Employed => 0,
            ProgrammeOutcome::Continue => 1,
            ProgrammeOutcome::Stop => 2,
        })
    }

    /// The outcome of a key.
    pub fn outcome(self) -> ProgrammeOutcome {
        match self.0 {
            0 => ProgrammeOutcome::Employed,
            1 => ProgrammeOutcome::Continue,
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
            .filter(|e| {
                e.reviews
                    .iter()
                    .any(|r| r.outcome == ProgrammeOutcome::Employed && in_year(r.date))
            })
            .count();
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

/// The figures as plain text, one table after another.
pub fn to_text(year: i32, figures: &[ProgrammeFigures]) -> String {
    let mut out = format!("{year}年度 自立支援プログラムの実施状況\n");
    if figures.is_empty() {
        out.push_str("該当するプログラムはありません (no programme had targets that year)\n");
        return out;
    }
    out.push_str("プログラム名\t実施機関\t支援対象者数\t参加者数\t達成者数\n");
    for f in figures {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            f.programme,
            f.agencies.join("、"),
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
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            vec![
                f.programme.clone(),
                f.agencies.join("\n"),
                f.targets.to_string(),
                f.participants.to_string(),
                f.achievers.to_string(),
            ]
        })
        .collect();
    doc.table(
        &[
            col("プログラム名", 2.4),
            col("実施機関", 2.2),
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
    use tsunagi_core::model::{ProgrammeReview, demo_cases};

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
            text.contains("就労支援プログラム\t架空市福祉事務所\t3\t2\t1"),
            "{text}"
        );
    }

    #[test]
    fn the_demo_programme_counts_one_target_in_2024() {
        let f = figures(&demo_cases(), 2024, Some("就労支援プログラム"));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].targets, f[0].participants, f[0].achievers), (1, 1, 0));
    }
}
