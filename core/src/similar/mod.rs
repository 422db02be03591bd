//! Similar cases (似た事例): from one case, the agency's other cases that
//! share its disease group (疾患群), its vocational issues (職業的課題) or its
//! support stage (支援段階), ranked, each with the reasons in words and what
//! was tried and how it went — so that a worker learns from the agency's
//! own experience (the source's wish: 支援機関内で類似事例を分析することにより、
//! 支援の質の向上と効率化).
//!
//! What a [`SimilarCase`] holds is coded, never written: reference ids
//! (disease groups, issue codes, accommodation options, occupations) and
//! the model's enums (stage, employer status, employment type, job
//! category, programme kind and outcome, case outcome). It never holds a
//! name, a birth date, an address, an employer's name, a disease's written
//! name, any free text (the worker's own wording of an accommodation or a
//! job area included), a date, or the case's id: nothing that would let a
//! worker who does not support that client tell who it is. The employment
//! figures are the research record's own coarsening ([`ProgressRecord`]).
//!
//! Only cases whose client consented to it (事例検討への活用,
//! [`ConsentScope::CaseStudy`]) on the day asked about are shown; the others
//! are counted, so a screen can say that some were left out and why.
//!
//! Pure: no store, no clock. The store reads the cases and checks who may
//! ask ([`crate::store::Store::similar_cases`]).

use crate::model::{
    Case, CaseOutcome, ConsentScope, Date, EmployerStatus, EmploymentType, JobCategory,
    ProgrammeKind, ProgrammeOutcome, SupportStage,
};
use crate::reference::{AccommodationId, DiseaseId, GroupId, IssueCode, OccupationId, ReferenceDb};
use crate::research::{AgencySecret, ProgressRecord};

#[cfg(test)]
mod tests;

/// How many similar cases a screen shows at most.
pub const DEFAULT_LIMIT: usize = 20;

/// What a shared disease group adds to the score: the disease group says
/// most about the vocational issues to expect.
pub const GROUP_WEIGHT: u32 = 6;
/// What each shared vocational issue adds: three shared issues weigh as
/// much as the disease group, since accommodations follow the issues.
pub const ISSUE_WEIGHT: u32 = 2;
/// What the same support stage adds: the weakest likeness on its own.
pub const STAGE_WEIGHT: u32 = 1;

/// What a case is compared by (事例の特徴), all coded: the reference groups
/// of its diseases, the reference issues checked as applying, and its stage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Traits {
    /// 疾患群: the groups of the diseases that are in the reference, in
    /// the order of the case's diseases, without repeats. A disease not in
    /// the reference is left out (its name is free text).
    pub groups: Vec<GroupId>,
    /// 職業的課題: the reference issues checked as applying, in the order
    /// of the checklist, without repeats. Issues in the worker's own words
    /// are left out.
    pub issues: Vec<IssueCode>,
    /// 支援段階.
    pub stage: SupportStage,
}

impl Traits {
    /// The traits of `case`, read through `reference`. Reads no
    /// identifying field.
    pub fn of(case: &Case, reference: &ReferenceDb) -> Self {
        let mut groups = Vec::new();
        for disease in &case.basic.diseases {
            let group = disease
                .reference_id
                .as_deref()
                .and_then(|id| DiseaseId::new(id).ok())
                .and_then(|id| reference.disease(&id))
                .map(|d| d.group.clone());
            if let Some(group) = group
                && !groups.contains(&group)
            {
                groups.push(group);
            }
        }
        let mut issues = Vec::new();
        for issue in case.case_management.applicable_issues() {
            let code = issue
                .code
                .as_deref()
                .and_then(|c| IssueCode::new(c).ok())
                .filter(|c| reference.issue(c).is_some());
            if let Some(code) = code
                && !issues.contains(&code)
            {
                issues.push(code);
            }
        }
        Self {
            groups,
            issues,
            stage: case.stage,
        }
    }
}

/// Why a case is similar (似ている理由). A screen says each in words:
/// 「同じ疾患群（神経・筋）」「共通の職業的課題：易疲労・体調変動、通院」
/// 「同じ段階：定着支援」.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// 同じ疾患群 — the disease groups both cases have.
    DiseaseGroup(Vec<GroupId>),
    /// 共通の職業的課題 — the issues checked in both cases, in the order of
    /// the case asked about.
    Issues(Vec<IssueCode>),
    /// 同じ段階 — both cases are at this stage.
    Stage(SupportStage),
}

/// How the search for work went with employers (事業所との状況), as counts:
/// how many candidate employers reached each status. No employer is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmployerCount {
    /// The status.
    pub status: EmployerStatus,
    /// How many employers are at it.
    pub count: u32,
}

/// Whether the person is still in the job (就職後の状況).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tenure {
    /// 在職中 — no leaving date recorded.
    Kept,
    /// 離職 — a leaving date is recorded (the date itself is not shown).
    Ended,
}

/// The hire, coded (就職): what kind of job, and whether it lasted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HireOutcome {
    /// 職業分類 (大分類).
    pub job_category: Option<JobCategory>,
    /// 雇用形態.
    pub employment_type: Option<EmploymentType>,
    /// 障害者雇用枠.
    pub disability_employment: bool,
    /// 在職中 / 離職.
    pub tenure: Tenure,
    /// The longest stay confirmed by a follow-up: 3, 6 or 12 months
    /// (定着 3か月・6か月・12か月); `None` when the records do not tell.
    pub retained_months: Option<u8>,
}

/// A programme enrolment's latest coded result (自立支援プログラム).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgrammeResult {
    /// プログラムの種類.
    pub kind: ProgrammeKind,
    /// The latest review's outcome (就労 / 継続 / 打ち切り); `None` before
    /// the first review.
    pub outcome: Option<ProgrammeOutcome>,
}

/// One similar case, as a worker who does not support that client may see
/// it. See the module docs for what it never holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimilarCase {
    /// How alike it is: the higher, the more alike.
    pub score: u32,
    /// Why it is similar, strongest first.
    pub reasons: Vec<Reason>,
    /// 支援段階.
    pub stage: SupportStage,
    /// 疾患群: its disease groups (the reference's; never a disease's name).
    pub groups: Vec<GroupId>,
    /// 配慮事項: the reference accommodation options chosen, for its
    /// vocational issues and in the conditions proposed or agreed with
    /// employers, without repeats. An accommodation in the worker's own
    /// words, and any note on an option, is left out.
    pub accommodations: Vec<AccommodationId>,
    /// 職域: the kinds of work explored that are reference occupations.
    /// Job areas written in other words are left out.
    pub job_areas: Vec<OccupationId>,
    /// 事業所との状況: employers approached, counted by status.
    pub employers: Vec<EmployerCount>,
    /// 就職: the hire, if there was one.
    pub hire: Option<HireOutcome>,
    /// 自立支援プログラム: each enrolment's kind and latest outcome.
    pub programmes: Vec<ProgrammeResult>,
    /// 支援の結果 (総括).
    pub outcome: CaseOutcome,
}

/// The similar cases found for one case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ranking {
    /// What the case asked about is compared by.
    pub traits: Traits,
    /// The similar cases, most alike first, at most the limit asked for.
    pub shown: Vec<SimilarCase>,
    /// How many other similar cases were left out because their client has
    /// not consented (事例検討への活用) on the day asked about.
    pub without_consent: usize,
}

/// Ranks `others` by how alike they are to `case` and describes the most
/// alike, at most `limit`. A case that shares nothing is not listed; `case`
/// itself (same id) is skipped; a case whose client has not consented to
/// [`ConsentScope::CaseStudy`] on `today` is only counted. Ties keep the
/// order of `others`.
pub fn rank(
    case: &Case,
    others: &[Case],
    reference: &ReferenceDb,
    today: Date,
    limit: usize,
) -> Ranking {
    let traits = Traits::of(case, reference);
    let mut without_consent = 0;
    let mut found: Vec<(u32, usize, &Case, Vec<Reason>, Traits)> = Vec::new();
    for (index, other) in others.iter().enumerate() {
        if other.id == case.id {
            continue;
        }
        let theirs = Traits::of(other, reference);
        let (score, reasons) = compare(&traits, &theirs);
        if score == 0 {
            continue;
        }
        if other.may_use(ConsentScope::CaseStudy, today).is_err() {
            without_consent += 1;
            continue;
        }
        found.push((score, index, other, reasons, theirs));
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // Pseudonyms are not shown: the research record is used only for its
    // coarsened outcomes, under a secret made and dropped here.
    let secret = AgencySecret::generate();
    let shown = found
        .into_iter()
        .take(limit)
        .map(|(score, _, other, reasons, theirs)| {
            describe(other, score, reasons, theirs, reference, &secret, today)
        })
        .collect();
    Ranking {
        traits,
        shown,
        without_consent,
    }
}

/// The score and the reasons, strongest first.
fn compare(mine: &Traits, theirs: &Traits) -> (u32, Vec<Reason>) {
    let groups: Vec<GroupId> = mine
        .groups
        .iter()
        .filter(|g| theirs.groups.contains(g))
        .cloned()
        .collect();
    let issues: Vec<IssueCode> = mine
        .issues
        .iter()
        .filter(|c| theirs.issues.contains(c))
        .cloned()
        .collect();
    let same_stage = mine.stage == theirs.stage;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let score = GROUP_WEIGHT
        .saturating_mul(count(groups.len()))
        .saturating_add(ISSUE_WEIGHT.saturating_mul(count(issues.len())))
        .saturating_add(if same_stage { STAGE_WEIGHT } else { 0 });
    let mut reasons = Vec::new();
    if !groups.is_empty() {
        reasons.push(Reason::DiseaseGroup(groups));
    }
    if !issues.is_empty() {
        reasons.push(Reason::Issues(issues));
    }
    if same_stage {
        reasons.push(Reason::Stage(mine.stage));
    }
    (score, reasons)
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// What a worker may see of `case`: coded values only.
fn describe(
    case: &Case,
    score: u32,
    reasons: Vec<Reason>,
    traits: Traits,
    reference: &ReferenceDb,
    secret: &AgencySecret,
    today: Date,
) -> SimilarCase {
    let mut accommodations = Vec::new();
    let chosen = case
        .case_management
        .applicable_issues()
        .flat_map(|i| i.accommodations.iter())
        .chain(
            case.job_match
                .employers
                .iter()
                .flat_map(|e| [&e.proposed, &e.negotiated])
                .flat_map(|c| c.accommodations.iter()),
        );
    for accommodation in chosen {
        let id = accommodation
            .reference_id
            .as_deref()
            .and_then(|id| AccommodationId::new(id).ok())
            .filter(|id| reference.accommodation(id).is_some());
        if let Some(id) = id {
            push_new(&mut accommodations, id);
        }
    }
    let mut job_areas = Vec::new();
    for area in &case.career_plan.direction.job_areas {
        if let Some(id) = occupation_named(reference, area) {
            push_new(&mut job_areas, id);
        }
    }
    let employers = EmployerStatus::ALL
        .into_iter()
        .filter_map(|status| {
            let n = case
                .job_match
                .employers
                .iter()
                .filter(|e| e.status == status)
                .count();
            (n > 0).then(|| EmployerCount {
                status,
                count: u32::try_from(n).unwrap_or(u32::MAX),
            })
        })
        .collect();
    let record = ProgressRecord::from_case(case, secret, today, reference, 10);
    let hire = record.employment.map(|e| HireOutcome {
        job_category: e.job_category,
        employment_type: e.employment_type,
        disability_employment: e.disability_employment,
        tenure: if e.left.is_some() {
            Tenure::Ended
        } else {
            Tenure::Kept
        },
        retained_months: [
            (12, e.retained_12_months),
            (6, e.retained_6_months),
            (3, e.retained_3_months),
        ]
        .into_iter()
        .find(|(_, kept)| *kept == Some(true))
        .map(|(months, _)| months),
    });
    let programmes = record
        .programmes
        .iter()
        .map(|p| ProgrammeResult {
            kind: p.kind,
            outcome: p.reviews.last().map(|r| r.outcome),
        })
        .collect();
    SimilarCase {
        score,
        reasons,
        stage: traits.stage,
        groups: traits.groups,
        accommodations,
        job_areas,
        employers,
        hire,
        programmes,
        outcome: record.outcome,
    }
}

/// The reference occupation a job area names: by its Japanese or English
/// name, or by one of its search words, exactly (spaces around ignored).
fn occupation_named(reference: &ReferenceDb, area: &str) -> Option<OccupationId> {
    let area = area.trim();
    if area.is_empty() {
        return None;
    }
    let by = |matches: &dyn Fn(&crate::reference::Occupation) -> bool| {
        reference
            .occupations()
            .iter()
            .find(|o| matches(o))
            .map(|o| o.id.clone())
    };
    by(&|o| o.name.ja == area || o.name.en.eq_ignore_ascii_case(area))
        .or_else(|| by(&|o| o.keywords.iter().any(|k| k == area)))
}
