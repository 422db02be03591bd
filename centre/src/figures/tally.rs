//! The counts behind the figures, kept as a sum over records ([`Tally`]).
//!
//! Every count of the three tables, and the case count, is a sum of what
//! each record adds on its own: a record adds one to the month of each
//! stage it reached, one to each of its disease groups (and to the hired
//! and retained columns there), one to each programme row it falls in. So
//! the counts need not be made again from every record when one record
//! changes: the storage keeps a [`Tally`] beside the records, and in the
//! transaction that stores, replaces or deletes a record it takes the old
//! record's part away ([`Tally::remove`]) and adds the new one's
//! ([`Tally::add`]). The tables are drawn from the tally
//! ([`Tally::tables`]); suppression is applied when they are shown, as
//! before, never to the stored counts.
//!
//! [`FIGURE_RULES`] names the rules the counts are made by: when the rules
//! change, a stored tally made by the old ones is counted again from every
//! record when the database is opened.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tsunagi_core::model::{ProgrammeKind, ProgrammeOutcome, SupportStage};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{Month, ProgressRecord, UNLISTED_GROUP};

use super::Table;

/// The version of the counting rules in this file. Raise it whenever what
/// a record adds changes: a stored tally of another version is made again
/// from every record.
pub const FIGURE_RULES: i64 = 1;

/// The counts of every table, as sums over the records counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records counted.
    cases: i64,
    /// Month → cases reaching each stage ([`SupportStage::ALL`] order).
    stages: BTreeMap<Month, [i64; 6]>,
    /// Disease group id → cases, hired, retained 3, 6, 12 months.
    outcomes: BTreeMap<String, [i64; 5]>,
    /// (Kind, fiscal year) → targets, participants, achievers, employed,
    /// goals met, continue, stop.
    programmes: BTreeMap<(ProgrammeKind, i32), [i64; 7]>,
}

/// The stored form of a [`Tally`]: rows as lists, since its keys are not
/// all strings.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    cases: i64,
    stages: Vec<(Month, [i64; 6])>,
    outcomes: Vec<(String, [i64; 5])>,
    programmes: Vec<(ProgrammeKind, i32, [i64; 7])>,
}

/// Adds `sign` to `row[i]`.
fn bump<const N: usize>(row: &mut [i64; N], i: usize, sign: i64) {
    row[i] += sign;
}

/// Drops the rows whose counts are all zero: a row that no record adds to
/// any more is not shown, as when counted from the records.
fn prune<K: Ord, const N: usize>(rows: &mut BTreeMap<K, [i64; N]>) {
    rows.retain(|_, counts| counts.iter().any(|n| *n != 0));
}

/// A stored count as shown: never below zero.
fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl Tally {
    /// The counts of `records`.
    pub fn of(records: &[ProgressRecord]) -> Self {
        let mut tally = Self::default();
        for r in records {
            tally.add(r);
        }
        tally
    }

    /// Counts `record` in.
    pub fn add(&mut self, record: &ProgressRecord) {
        self.apply(record, 1);
    }

    /// Takes out what [`Tally::add`] put in for `record`.
    pub fn remove(&mut self, record: &ProgressRecord) {
        self.apply(record, -1);
        prune(&mut self.stages);
        prune(&mut self.outcomes);
        prune(&mut self.programmes);
    }

    /// How many records are counted.
    pub fn cases(&self) -> usize {
        count(self.cases)
    }

    fn apply(&mut self, r: &ProgressRecord, sign: i64) {
        self.cases += sign;
        for s in &r.stages {
            if let Some(m) = s.month {
                let i = SupportStage::ALL
                    .iter()
                    .position(|x| *x == s.stage)
                    .expect("every stage is in ALL");
                bump(self.stages.entry(m).or_default(), i, sign);
            }
        }
        let groups: Vec<&str> = if r.disease_groups.is_empty() {
            vec![UNLISTED_GROUP]
        } else {
            r.disease_groups.iter().map(String::as_str).collect()
        };
        for g in groups {
            let row = self.outcomes.entry(g.to_owned()).or_default();
            bump(row, 0, sign);
            if let Some(e) = &r.employment {
                let columns = [
                    e.hired.is_some(),
                    e.retained_3_months == Some(true),
                    e.retained_6_months == Some(true),
                    e.retained_12_months == Some(true),
                ];
                for (i, counted) in columns.into_iter().enumerate() {
                    if counted {
                        bump(row, i + 1, sign);
                    }
                }
            }
        }
        self.apply_programmes(r, sign);
    }

    /// A record's programme rows: see [`super::programmes`].
    fn apply_programmes(&mut self, r: &ProgressRecord, sign: i64) {
        for p in &r.programmes {
            let Some(selected) = p.selected else { continue };
            // Counted up to the year of its last dated step: a review, or
            // the plan's goals all met (an achievement with no review
            // after it).
            let last = p
                .reviews
                .iter()
                .filter_map(|r| r.month)
                .chain(p.goals_met)
                .chain(std::iter::once(selected))
                .max()
                .unwrap_or(selected);
            for fy in selected.fiscal_year()..=last.fiscal_year() {
                let start = Month::new(fy, 4).expect("April is a month");
                let end = start.plus(11);
                let ended_before = p.reviews.iter().any(|r| {
                    r.outcome != ProgrammeOutcome::Continue && r.month.is_some_and(|m| m < start)
                });
                if ended_before {
                    continue;
                }
                let in_year = |m: Option<Month>| m.is_some_and(|m| start <= m && m <= end);
                let row = self.programmes.entry((p.kind, fy)).or_default();
                bump(row, 0, sign);
                if p.consented.is_some_and(|m| m <= end) {
                    bump(row, 1, sign);
                }
                if p.achieved_in(fy) {
                    bump(row, 2, sign);
                }
                if let Some(latest) = p.reviews.iter().rev().find(|r| in_year(r.month)) {
                    let i = match latest.outcome {
                        ProgrammeOutcome::Employed => 3,
                        ProgrammeOutcome::GoalsMet => 4,
                        ProgrammeOutcome::Continue => 5,
                        ProgrammeOutcome::Stop => 6,
                    };
                    bump(row, i, sign);
                }
            }
        }
    }

    /// Every table, in page order.
    pub fn tables(&self, reference: &ReferenceDb) -> Vec<Table> {
        vec![self.stages(), self.outcomes(reference), self.programmes()]
    }

    /// 支援段階の到達: see [`super::stages`].
    pub fn stages(&self) -> Table {
        Table {
            slug: "stages",
            title: "支援段階の到達（月別） Cases reaching each stage, by month",
            note: "各段階に初めて到達した月で数えています。 Counted in the month a stage was first reached.",
            label_headings: vec!["年月 Month".into()],
            count_headings: SupportStage::ALL
                .iter()
                .map(|s| s.label_ja().to_owned())
                .collect(),
            rows: self
                .stages
                .iter()
                .map(|(m, counts)| (vec![m.to_string()], counts.map(count).to_vec()))
                .collect(),
        }
    }

    /// 疾患群別の就労結果: see [`super::outcomes`].
    pub fn outcomes(&self, reference: &ReferenceDb) -> Table {
        let name = |id: &str| -> String {
            reference
                .group_name_ja(id)
                .unwrap_or("参考データにない疾患")
                .to_owned()
        };
        Table {
            slug: "outcomes",
            title: "疾患群別の就労結果 Employment outcomes by disease group",
            note: "複数の疾患群にあたる人はそれぞれに数えています。 A person in several groups is counted in each.",
            label_headings: vec!["疾患群 Disease group".into(), "ID".into()],
            count_headings: vec![
                "件数 Cases".into(),
                "就職 Hired".into(),
                "3か月定着 3 months".into(),
                "6か月定着 6 months".into(),
                "12か月定着 12 months".into(),
            ],
            rows: self
                .outcomes
                .iter()
                .map(|(g, counts)| (vec![name(g), g.clone()], counts.map(count).to_vec()))
                .collect(),
        }
    }

    /// プログラム別・年度別: see [`super::programmes`].
    pub fn programmes(&self) -> Table {
        Table {
            slug: "programmes",
            title: "自立支援プログラム（年度別） Programmes by fiscal year",
            note: "年度は4月から翌年3月。評価結果は年度内の最新の評価です。達成者数は、就労支援では「就労」、その他の種類では「目標達成」か「就労」の評価、または計画の目標がすべて達成された人を、その年度に数えます。 Fiscal year April to March; outcome = latest review in the year. Achievers: employment programmes by a job; the other kinds by goals met (or a job), or every goal of the plan achieved, in that year.",
            label_headings: vec!["プログラム Programme".into(), "年度 Fiscal year".into()],
            count_headings: vec![
                "支援対象者数 Targets".into(),
                "参加者数 Participants".into(),
                "達成者数 Achievers".into(),
                "就労 Employed".into(),
                "目標達成 Goals met".into(),
                "継続 Continue".into(),
                "打ち切り Stopped".into(),
            ],
            rows: self
                .programmes
                .iter()
                .map(|((kind, fy), counts)| {
                    (
                        vec![
                            format!("{} {}", kind.label_ja(), kind.label_en()),
                            format!("{fy}年度"),
                        ],
                        counts.map(count).to_vec(),
                    )
                })
                .collect(),
        }
    }

    /// The tally as stored beside the records (JSON).
    pub fn to_stored(&self) -> String {
        let stored = Stored {
            cases: self.cases,
            stages: self.stages.iter().map(|(k, v)| (*k, *v)).collect(),
            outcomes: self.outcomes.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            programmes: self
                .programmes
                .iter()
                .map(|((kind, fy), v)| (*kind, *fy, *v))
                .collect(),
        };
        serde_json::to_string(&stored).expect("a tally serialises")
    }

    /// A tally stored by [`Tally::to_stored`]; `None` if it does not read.
    pub fn from_stored(text: &str) -> Option<Self> {
        let stored: Stored = serde_json::from_str(text).ok()?;
        Some(Self {
            cases: stored.cases,
            stages: stored.stages.into_iter().collect(),
            outcomes: stored.outcomes.into_iter().collect(),
            programmes: stored
                .programmes
                .into_iter()
                .map(|(kind, fy, v)| ((kind, fy), v))
                .collect(),
        })
    }
}
