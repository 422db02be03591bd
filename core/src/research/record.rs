//! The progress record of one case and how it is derived from the case.

use serde::{Deserialize, Serialize};

use super::values::{AgeBand, AgencySecret, CertificateGrade, Month, Pseudonym};
use crate::model::{
    BarrierKind, Case, CaseOutcome, CertificateKind, ConsultationKind, Date, EmploymentType,
    FollowUpKind, JobCategory, ProgrammeEnrolment, ProgrammeKind, ProgrammeOutcome, Sex,
    SupportStage, achievements, goals_met,
};
use crate::reference::{DiseaseId, ReferenceDb};

/// The disease group sent for a disease that is not in the reference
/// database (its name is free text and is not sent).
pub const UNLISTED_GROUP: &str = "unlisted";

/// One case's progress, de-identified (進捗データ). See the module docs for
/// what it never holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressRecord {
    /// The pseudonymous id, stable across sends from one agency.
    pub pseudonym: Pseudonym,
    /// The month the record was derived in; ages and "still employed" are
    /// as of then.
    pub as_of: Month,
    /// 年齢階級, from the birth year; `None` when the year is not recorded.
    pub age_band: Option<AgeBand>,
    /// 性別.
    pub sex: Sex,
    /// 疾患群: the reference groups of the recorded diseases, in order,
    /// without repeats; [`UNLISTED_GROUP`] for a disease not in the reference.
    pub disease_groups: Vec<String>,
    /// 障害者手帳: kinds and grade codes.
    pub certificates: Vec<CertificateHeld>,
    /// 支援段階: every stage the case has reached, with the month when the
    /// case records show it (`None` when no dated entry does).
    pub stages: Vec<StageReached>,
    /// 相談経過: consultations by kind (kinds with none left out).
    pub consultations: Vec<KindCount<ConsultationKind>>,
    /// 定着支援: follow-up activities by kind.
    pub follow_ups: Vec<KindCount<FollowUpKind>>,
    /// 自立支援プログラム: the enrolments.
    pub programmes: Vec<ProgrammeRecord>,
    /// 就職: the hire, if there was one.
    pub employment: Option<EmploymentRecord>,
    /// まとめ: the case's outcome.
    pub outcome: CaseOutcome,
}

/// A certificate held (障害者手帳).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateHeld {
    /// 身体/療育/精神.
    pub kind: CertificateKind,
    /// The grade, when it reads as a known code.
    pub grade: Option<CertificateGrade>,
}

/// A stage reached, with its month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageReached {
    /// The stage.
    pub stage: SupportStage,
    /// The month of the first dated entry showing it.
    pub month: Option<Month>,
}

/// How many of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindCount<K> {
    /// The kind.
    pub kind: K,
    /// How many.
    pub count: u32,
}

/// One programme enrolment (seed 002), by month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeRecord {
    /// プログラムの種類, as a code: the programme's own name stays in the
    /// office. Records from before kinds existed carried the name under
    /// `programme`; it is read as the kind it names.
    #[serde(alias = "programme", deserialize_with = "kind_or_name")]
    pub kind: ProgrammeKind,
    /// 選定: when selected as a support target.
    pub selected: Option<Month>,
    /// 同意: when the client consented.
    pub consented: Option<Month>,
    /// 計画: when the plan was agreed.
    pub plan_agreed: Option<Month>,
    /// 評価: the reviews, in date order.
    pub reviews: Vec<ReviewRecord>,
    /// 就労阻害要因: the kinds of barrier recorded.
    pub barriers: Vec<BarrierKind>,
    /// 開始: the month the programme's period started. This and the fields
    /// after it are left out when empty, so that a centre that predates
    /// them still reads a record without them, and a record without them
    /// reads as empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<Month>,
    /// 期間終了: the month the period ends, extensions included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<Month>,
    /// 延長: how many times the period was extended (the reasons are free
    /// text and are not sent).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub extensions: u8,
    /// 目標達成: the month the last of the plan's goals was marked achieved,
    /// when every goal is (the goals themselves are free text and are not
    /// sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals_met: Option<Month>,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl ProgrammeRecord {
    /// Whether the enrolment reached its aim (達成) in fiscal year `year`
    /// (April to March), by the rule of its kind
    /// ([`ProgrammeKind::goal_type`], [`achievements`]): the same rule the
    /// office's own figures count by, on months instead of days.
    pub fn achieved_in(&self, year: i32) -> bool {
        achievements(
            self.kind.goal_type(),
            self.reviews.iter().map(|r| (r.month, r.outcome)),
            self.goals_met,
        )
        .into_iter()
        .any(|m| m.fiscal_year() == year)
    }
}

/// A programme review: its month, outcome and coded reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRecord {
    /// The month of the review.
    pub month: Option<Month>,
    /// 就労 / 継続 / 打ち切り.
    pub outcome: ProgrammeOutcome,
    /// The reason codes: the kinds of barrier still unresolved at the
    /// review. The written reason is free text and is not sent.
    pub reasons: Vec<BarrierKind>,
}

/// The employment outcome (就職).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmploymentRecord {
    /// 就職月.
    pub hired: Option<Month>,
    /// 職業分類 (大分類).
    pub job_category: Option<JobCategory>,
    /// 雇用形態.
    pub employment_type: Option<EmploymentType>,
    /// 週所定労働時間, rounded to whole hours.
    pub hours_per_week: Option<u8>,
    /// 障害者雇用枠.
    pub disability_employment: bool,
    /// 離職月.
    pub left: Option<Month>,
    /// Still employed 3 months after the hire: `Some(false)` if left before,
    /// `Some(true)` if a follow-up at or after that time shows them still
    /// there, `None` when the records do not tell yet.
    pub retained_3_months: Option<bool>,
    /// The same at 6 months.
    pub retained_6_months: Option<bool>,
    /// The same at 12 months.
    pub retained_12_months: Option<bool>,
}

impl ProgressRecord {
    /// Derives the record of `case` as of `today`, with pseudonyms keyed by
    /// `secret`, disease groups from `reference`, and age bands `band_width`
    /// (5 or 10) years wide. Reads no identifying field of the case.
    pub fn from_case(
        case: &Case,
        secret: &AgencySecret,
        today: Date,
        reference: &ReferenceDb,
        band_width: u8,
    ) -> Self {
        let basic = &case.basic;
        let mut disease_groups: Vec<String> = Vec::new();
        // A disease removed as entered by mistake was never the client's.
        for d in basic.current_diseases() {
            let group = d
                .reference_id
                .as_deref()
                .and_then(|id| DiseaseId::new(id).ok())
                .and_then(|id| reference.disease(&id))
                .map_or_else(|| UNLISTED_GROUP.to_owned(), |d| d.group.to_string());
            if !disease_groups.contains(&group) {
                disease_groups.push(group);
            }
        }
        Self {
            pseudonym: Pseudonym::of(secret, case.id),
            as_of: Month::of(today),
            age_band: basic
                .birth_year
                .and_then(|y| AgeBand::of(today.year() - y, band_width)),
            sex: basic.sex,
            disease_groups,
            certificates: basic
                .disability_certificates
                .iter()
                .map(|c| CertificateHeld {
                    kind: c.kind,
                    grade: CertificateGrade::parse_written(&c.grade),
                })
                .collect(),
            stages: stages_reached(case),
            consultations: count(
                ConsultationKind::ALL,
                case.consultations.iter().map(|c| c.kind),
            ),
            follow_ups: count(
                FollowUpKind::ALL,
                case.monitoring.follow_ups.iter().map(|f| f.kind),
            ),
            programmes: case.programmes.iter().map(programme).collect(),
            employment: employment(case, today),
            outcome: case.monitoring.summary.outcome,
        }
    }
}

fn count<K: Copy + PartialEq>(
    all: impl IntoIterator<Item = K>,
    items: impl Iterator<Item = K> + Clone,
) -> Vec<KindCount<K>> {
    all.into_iter()
        .filter_map(|kind| {
            let n = items.clone().filter(|k| *k == kind).count();
            (n > 0).then(|| KindCount {
                kind,
                count: u32::try_from(n).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

fn earliest(dates: impl Iterator<Item = Option<Date>>) -> Option<Month> {
    dates.flatten().min().map(Month::of)
}

/// The stages up to the current one (a case closed without a hire did not
/// reach 就職 or 定着支援), each with the month of the first dated entry that
/// shows it.
fn stages_reached(case: &Case) -> Vec<StageReached> {
    let hire = case.monitoring.hire.as_ref();
    SupportStage::ALL
        .into_iter()
        .filter(|s| *s <= case.stage)
        .filter(|s| {
            !matches!(s, SupportStage::Hired | SupportStage::FollowUp)
                || case.stage != SupportStage::Closed
                || hire.is_some()
        })
        .map(|stage| {
            let month = match stage {
                SupportStage::Discovery => earliest(
                    case.consultations
                        .iter()
                        .map(|c| c.date)
                        .chain(case.programmes.iter().map(|p| p.selected_on)),
                ),
                SupportStage::Employer => earliest(
                    case.consultations
                        .iter()
                        .filter(|c| c.kind == ConsultationKind::EmployerVisit)
                        .map(|c| c.date),
                ),
                SupportStage::Negotiation => earliest(
                    case.job_match
                        .employers
                        .iter()
                        .flat_map(|e| [e.proposed.date, e.negotiated.date]),
                ),
                SupportStage::Hired => earliest(hire.map(|h| h.hired_on).into_iter()),
                SupportStage::FollowUp => {
                    earliest(case.monitoring.follow_ups.iter().map(|f| f.date))
                }
                SupportStage::Closed => {
                    earliest(std::iter::once(case.monitoring.summary.written_on.filter(
                        |_| case.monitoring.summary.outcome != CaseOutcome::Ongoing,
                    )))
                }
            };
            StageReached { stage, month }
        })
        .collect()
}

/// A kind's code, or (from a record made before kinds) a programme name
/// read as the kind it names; never [`ProgrammeKind::Unspecified`].
fn kind_or_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ProgrammeKind, D::Error> {
    use serde::de::IntoDeserializer as _;
    let text = String::deserialize(d)?;
    let code: Result<ProgrammeKind, serde::de::value::Error> =
        ProgrammeKind::deserialize(text.as_str().into_deserializer());
    Ok(match code {
        Ok(ProgrammeKind::Unspecified) => ProgrammeKind::Other,
        Ok(kind) => kind,
        Err(_) => ProgrammeKind::from_name(&text),
    })
}

fn programme(e: &ProgrammeEnrolment) -> ProgrammeRecord {
    let mut reviews: Vec<_> = e.reviews.iter().collect();
    reviews.sort_by_key(|r| r.date);
    let mut barriers: Vec<BarrierKind> = Vec::new();
    for b in &e.barriers {
        if !barriers.contains(&b.kind) {
            barriers.push(b.kind);
        }
    }
    ProgrammeRecord {
        kind: e.kind.or_from_name(&e.programme),
        selected: e.selected_on.map(Month::of),
        consented: e.consent_on.map(Month::of),
        plan_agreed: e.plan_agreed_on.map(Month::of),
        started: e.period.start.map(Month::of),
        ends: e.period.end().map(Month::of),
        extensions: u8::try_from(e.period.extensions.len()).unwrap_or(u8::MAX),
        goals_met: goals_met(e.goals.iter().map(|g| g.achieved_on.map(Month::of))),
        reviews: reviews
            .into_iter()
            .map(|r| {
                let mut reasons: Vec<BarrierKind> = Vec::new();
                for b in &e.barriers {
                    let open = match (b.resolved_on, r.date) {
                        (None, _) => true,
                        (Some(resolved), Some(at)) => resolved > at,
                        (Some(_), None) => false,
                    };
                    if open && !reasons.contains(&b.kind) {
                        reasons.push(b.kind);
                    }
                }
                ReviewRecord {
                    month: r.date.map(Month::of),
                    outcome: r.outcome,
                    reasons,
                }
            })
            .collect(),
        barriers,
    }
}

/// `date` plus `months`, clamped to the end of the target month.
fn add_months(date: Date, months: u8) -> Option<Date> {
    let total = i32::from(u8::from(date.month()) - 1) + i32::from(months);
    let year = date.year() + total / 12;
    let month = time::Month::try_from(u8::try_from(total % 12 + 1).ok()?).ok()?;
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

fn employment(case: &Case, today: Date) -> Option<EmploymentRecord> {
    let hire = case.monitoring.hire.as_ref()?;
    let retained = |months: u8| -> Option<bool> {
        let due = add_months(hire.hired_on?, months)?;
        if hire.left_on.is_some_and(|left| left < due) {
            return Some(false);
        }
        let seen_after = case
            .monitoring
            .follow_ups
            .iter()
            .filter_map(|f| f.date)
            .any(|d| d >= due && d <= today);
        seen_after.then_some(true)
    };
    Some(EmploymentRecord {
        hired: hire.hired_on.map(Month::of),
        job_category: hire.job_category,
        employment_type: hire.employment_type,
        hours_per_week: hire
            .hours_per_week
            .filter(|h| h.is_finite() && *h >= 0.0)
            .map(|h| h.round().min(168.0) as u8),
        disability_employment: hire.disability_employment,
        left: hire.left_on.map(Month::of),
        retained_3_months: retained(3),
        retained_6_months: retained(6),
        retained_12_months: retained(12),
    })
}
