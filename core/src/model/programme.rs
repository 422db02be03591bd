//! Welfare-office self-reliance programmes (自立支援プログラム, seed 002): the
//! enrolment with its period (実施期間) and extensions (延長), plan goals,
//! periodic reviews and barriers to work, and what counts as reaching the
//! programme's aim (達成) for the yearly figures (達成者数).
//!
//! What counts as achieved depends on the kind of programme
//! ([`ProgrammeGoalType`], set per kind in [`GOAL_TYPES`]): an employment
//! programme is achieved by a job, the others by their plan's goals. The
//! table lives here, in the code, and not in the reference database
//! (`assets/reference/`): the kinds are a closed list of this code, so a
//! reference release could not add one; a release is signed over exactly
//! its two files, so a third file would need a new release format; and the
//! office's figures and the research centre's must count alike, which a
//! table that may differ between an office's release and the centre's
//! would not guarantee. Changing it is a change of the counting rule, made
//! with a new build of every app.

use serde::{Deserialize, Serialize};

use super::{Date, new_item_id};
use crate::pii::Identifying;

/// The outcome of a periodic programme review (評価).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeOutcome {
    /// 継続 — keep supporting (typically for another review period).
    #[default]
    Continue,
    /// 就労 — led to employment (就労に結びついた).
    Employed,
    /// 打ち切り — support stopped for now; the client may be enrolled again.
    Stop,
    /// 目標達成 — the plan's goals were met and the programme ends: the
    /// outcome of programmes whose aim is not a job (退院, 日常生活, 社会参加…).
    GoalsMet,
}

impl ProgrammeOutcome {
    /// Every outcome, in display order; 目標達成 last, so that the earlier
    /// choices keep their places on the form.
    pub const ALL: [Self; 4] = [Self::Employed, Self::Continue, Self::Stop, Self::GoalsMet];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Employed => "就労",
            Self::Continue => "継続",
            Self::Stop => "打ち切り",
            Self::GoalsMet => "目標達成",
        }
    }
}

/// The kind of a self-reliance programme (seed 002), as a code: what the
/// research centre counts by, so that no worker-typed name ever leaves the
/// office. The names municipalities give their programmes vary
/// (「竹原市精神障害者就労支援プログラム」); the kinds do not.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ProgrammeKind {
    /// Not chosen: the kind is read from the programme's name
    /// ([`ProgrammeKind::from_name`]) where it is needed.
    #[default]
    Unspecified,
    /// 就労支援プログラム — job search and placement support.
    Employment,
    /// 就労準備支援プログラム — getting ready for work (rhythm of daily life,
    /// seminars, volunteering) before a job search.
    EmploymentReadiness,
    /// 精神障害者退院支援プログラム — discharge of long-term psychiatric
    /// inpatients whom the doctor judges dischargeable.
    Discharge,
    /// 在宅生活支援プログラム — living at home after discharge.
    HomeLiving,
    /// 日常生活自立支援プログラム — self-reliance in daily life.
    DailyLiving,
    /// 社会参加促進プログラム — taking part in the community.
    SocialParticipation,
    /// 健康管理支援プログラム — health maintenance (with a public health
    /// nurse or nutritionist).
    Health,
    /// その他のプログラム.
    Other,
}

impl ProgrammeKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 9] = [
        Self::Unspecified,
        Self::Employment,
        Self::EmploymentReadiness,
        Self::Discharge,
        Self::HomeLiving,
        Self::DailyLiving,
        Self::SocialParticipation,
        Self::Health,
        Self::Other,
    ];

    /// The Japanese term shown on screens, documents and the centre's tables.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Unspecified => "未選択（名前から判断）",
            Self::Employment => "就労支援",
            Self::EmploymentReadiness => "就労準備支援",
            Self::Discharge => "退院支援",
            Self::HomeLiving => "在宅生活支援",
            Self::DailyLiving => "日常生活自立支援",
            Self::SocialParticipation => "社会参加促進",
            Self::Health => "健康管理支援",
            Self::Other => "その他",
        }
    }

    /// The English translation of [`label_ja`](Self::label_ja).
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Unspecified => "not chosen",
            Self::Employment => "Employment support",
            Self::EmploymentReadiness => "Work readiness",
            Self::Discharge => "Discharge support",
            Self::HomeLiving => "Living at home",
            Self::DailyLiving => "Daily living",
            Self::SocialParticipation => "Social participation",
            Self::Health => "Health management",
            Self::Other => "Other",
        }
    }

    /// The kind a programme's name reads as, by the words municipalities use
    /// (seed 002); [`Other`](Self::Other) when none is there. Never
    /// [`Unspecified`](Self::Unspecified).
    pub fn from_name(name: &str) -> Self {
        // More specific words first: 就労準備 before 就労, 在宅 and 退院
        // before 精神障害者 (which names several kinds).
        const WORDS: [(&str, ProgrammeKind); 8] = [
            ("就労準備", ProgrammeKind::EmploymentReadiness),
            ("退院", ProgrammeKind::Discharge),
            ("在宅", ProgrammeKind::HomeLiving),
            ("就労", ProgrammeKind::Employment),
            ("日常生活", ProgrammeKind::DailyLiving),
            ("社会参加", ProgrammeKind::SocialParticipation),
            ("健康", ProgrammeKind::Health),
            ("ボランティア", ProgrammeKind::SocialParticipation),
        ];
        WORDS
            .iter()
            .find(|(word, _)| name.contains(word))
            .map_or(Self::Other, |&(_, kind)| kind)
    }

    /// This kind, or the one `name` reads as when none was chosen.
    pub fn or_from_name(self, name: &str) -> Self {
        match self {
            Self::Unspecified => Self::from_name(name),
            chosen => chosen,
        }
    }
}

/// A goal in the programme plan (自立計画書 / 支援計画の目標).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProgrammeGoal {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 目標 — the goal. Identifying (free text).
    pub goal: Identifying<String>,
    /// 目標期日 — by when.
    pub target_date: Option<Date>,
    /// 達成日 — when it was reached, if it was.
    pub achieved_on: Option<Date>,
}

impl ProgrammeGoal {
    /// A new goal with a fresh id.
    pub fn new(goal: impl Into<String>, target_date: Option<Date>) -> Self {
        Self {
            id: new_item_id(),
            goal: Identifying::new(goal.into()),
            target_date,
            achieved_on: None,
        }
    }
}

/// One periodic review of a programme enrolment (評価・見直し).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProgrammeReview {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 評価日 — the review date.
    pub date: Option<Date>,
    /// 評価結果 — employed, continue or stop.
    pub outcome: ProgrammeOutcome,
    /// 理由 — why; kept for later analysis. Identifying (free text).
    pub reason: Identifying<String>,
}

impl ProgrammeReview {
    /// A new review with a fresh id.
    pub fn new(date: Date, outcome: ProgrammeOutcome, reason: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            date: Some(date),
            outcome,
            reason: Identifying::new(reason.into()),
        }
    }
}

/// The kind of a barrier to work (就労阻害要因), as seed 002 groups them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BarrierKind {
    /// 傷病 — illness or injury.
    #[default]
    Illness,
    /// 障害 — disability.
    Disability,
    /// 育児・介護等 — childcare, care of a family member and the like.
    Care,
    /// その他 — anything else.
    Other,
}

impl BarrierKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 4] = [Self::Illness, Self::Disability, Self::Care, Self::Other];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Illness => "傷病",
            Self::Disability => "障害",
            Self::Care => "育児・介護等",
            Self::Other => "その他",
        }
    }
}

/// A barrier to work (就労阻害要因) and how it was resolved (解消).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkBarrier {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 種別 — illness, disability, care, other.
    pub kind: BarrierKind,
    /// 内容 — the barrier as observed. Identifying (free text).
    pub description: Identifying<String>,
    /// 解消の方法 — what was done about it. Identifying (free text).
    pub resolution: Identifying<String>,
    /// 解消日 — when it stopped being a barrier, if it did.
    pub resolved_on: Option<Date>,
}

impl WorkBarrier {
    /// A new barrier with a fresh id.
    pub fn new(kind: BarrierKind, description: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            kind,
            description: Identifying::new(description.into()),
            ..Self::default()
        }
    }
}

/// An enrolment in a welfare-office self-reliance programme (自立支援プログラム,
/// seed 002): selection, consent, plan goals, periodic reviews and barriers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProgrammeEnrolment {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// プログラム名 — e.g. 就労支援プログラム. Not identifying, but kept in
    /// the office: research counts by [`kind`](Self::kind).
    pub programme: String,
    /// プログラムの種類 — the coded kind.
    pub kind: ProgrammeKind,
    /// 実施機関 — the agency running it, e.g. a welfare office. Not identifying.
    pub agency: String,
    /// 選定日 — when the client was selected (the date in 支援対象者台帳).
    pub selected_on: Option<Date>,
    /// 選定基準 — the selection criterion met, as a short category
    /// (e.g. 「稼働能力・就労意欲あり」). Not identifying.
    pub selection_criterion: String,
    /// 選定理由 — why this client was selected. Identifying (free text).
    pub selection_reason: Identifying<String>,
    /// 本人の同意 — when the client consented; support starts after it.
    pub consent_on: Option<Date>,
    /// ケース検討会 — when the plan was agreed with the related agencies.
    pub plan_agreed_on: Option<Date>,
    /// 目標 — the plan's goals with target dates.
    pub goals: Vec<ProgrammeGoal>,
    /// 実施期間 — start, planned end and extensions.
    pub period: ProgrammePeriod,
    /// 見直し間隔 — months between reviews (typically 1 or 3).
    pub review_interval_months: Option<u8>,
    /// 評価 — the periodic reviews, oldest first.
    pub reviews: Vec<ProgrammeReview>,
    /// 就労阻害要因 — barriers to work and their resolution.
    pub barriers: Vec<WorkBarrier>,
    /// 備考 — notes. Identifying.
    pub note: Identifying<String>,
}

impl ProgrammeEnrolment {
    /// A new, empty enrolment with a fresh id.
    pub fn new() -> Self {
        Self {
            id: new_item_id(),
            ..Self::default()
        }
    }

    /// The latest review's outcome (by date, then by position), if any.
    pub fn current_outcome(&self) -> Option<ProgrammeOutcome> {
        self.reviews
            .iter()
            .enumerate()
            .max_by_key(|(i, r)| (r.date, *i))
            .map(|(_, r)| r.outcome)
    }

    /// Whether the programme still runs: no review yet, or the latest one
    /// says 継続.
    pub fn is_running(&self) -> bool {
        matches!(
            self.current_outcome(),
            None | Some(ProgrammeOutcome::Continue)
        )
    }

    /// What counts as achieved for this programme: by its kind, or the kind
    /// its name reads as when none was chosen.
    pub fn goal_type(&self) -> ProgrammeGoalType {
        self.kind.or_from_name(&self.programme).goal_type()
    }

    /// 目標達成: the day the last of the plan's goals was marked achieved,
    /// when every goal is; `None` with no goals or any goal still open.
    pub fn goals_met_on(&self) -> Option<Date> {
        goals_met(self.goals.iter().map(|g| g.achieved_on))
    }

    /// Whether the programme reached its aim (達成) between `from` and `to`
    /// (both included), by [`achievements`].
    pub fn achieved_between(&self, from: Date, to: Date) -> bool {
        achievements(
            self.goal_type(),
            self.reviews.iter().map(|r| (r.date, r.outcome)),
            self.goals_met_on(),
        )
        .into_iter()
        .any(|d| from <= d && d <= to)
    }

    /// When the next review is due: the latest review (or, failing that, the
    /// consent date) plus the review interval. `None` when either is unknown.
    pub fn next_review_due(&self) -> Option<Date> {
        let months = self.review_interval_months?;
        let from = self
            .reviews
            .iter()
            .filter_map(|r| r.date)
            .max()
            .or(self.consent_on)?;
        add_months(from, months)
    }
}

/// `date` plus `months`, clamped to the end of the target month.
pub(crate) fn add_months(date: Date, months: u8) -> Option<Date> {
    let total = i32::from(u8::from(date.month()) - 1) + i32::from(months);
    let year = date.year() + total / 12;
    let month = time::Month::try_from(u8::try_from(total % 12 + 1).ok()?).ok()?;
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

// ---------------------------------------------------------------------------
// 実施期間
// ---------------------------------------------------------------------------

/// The longest a programme runs, extensions included, in months from its
/// start: one year is the usual rule (a six-month plan, extended once or
/// twice). [`Case::validate`](super::Case::validate) refuses a longer one.
pub const MAX_PROGRAMME_MONTHS: u8 = 12;

/// An extension of a programme's period (期間の延長).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProgrammeExtension {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 延長後の終了日 — the new end.
    pub new_end: Option<Date>,
    /// 延長の理由 — why. Identifying (free text).
    pub reason: Identifying<String>,
}

impl ProgrammeExtension {
    /// A new extension with a fresh id.
    pub fn new(new_end: Date, reason: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            new_end: Some(new_end),
            reason: Identifying::new(reason.into()),
        }
    }
}

/// A programme's period (実施期間): when it started, when it was planned to
/// end, and its extensions, oldest first. All empty for a programme
/// recorded before periods were.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProgrammePeriod {
    /// 開始日.
    pub start: Option<Date>,
    /// 終了予定日 — the end first planned (e.g. six months on).
    pub planned_end: Option<Date>,
    /// 延長 — each with its new end and reason.
    pub extensions: Vec<ProgrammeExtension>,
}

impl ProgrammePeriod {
    /// A period starting on `start` and planned for `months` months: it ends
    /// the day before the same date `months` later (1 April, six months: 30
    /// September).
    pub fn of_months(start: Date, months: u8) -> Self {
        Self {
            start: Some(start),
            planned_end: last_day_of(start, months),
            extensions: Vec::new(),
        }
    }

    /// The end as it stands (期間終了): the latest extension's new end, or the
    /// planned end when there is no dated extension.
    pub fn end(&self) -> Option<Date> {
        self.extensions
            .iter()
            .rev()
            .find_map(|e| e.new_end)
            .or(self.planned_end)
    }

    /// The latest end [`MAX_PROGRAMME_MONTHS`] allow: the day before the
    /// start's date a year later. `None` without a start.
    pub fn latest_end(&self) -> Option<Date> {
        last_day_of(self.start?, MAX_PROGRAMME_MONTHS)
    }
}

/// The last day of a period of `months` months from `start`: the day before
/// the same date `months` later (29 February, twelve months: 28 February).
fn last_day_of(start: Date, months: u8) -> Option<Date> {
    add_months(start.previous_day()?, months)
}

// ---------------------------------------------------------------------------
// 達成
// ---------------------------------------------------------------------------

/// What counts as reaching a programme's aim (達成), for 達成者数.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeGoalType {
    /// 就労 — a review with the outcome 就労.
    Employment,
    /// 目標達成 — a review with the outcome 目標達成 (or 就労, which goes
    /// beyond a readiness or daily-life goal), or every goal of the plan
    /// marked achieved.
    GoalsMet,
}

impl ProgrammeGoalType {
    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Employment => "就労",
            Self::GoalsMet => "目標達成",
        }
    }

    /// The English translation of [`label_ja`](Self::label_ja).
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Employment => "employment",
            Self::GoalsMet => "goals met",
        }
    }
}

/// What counts as achieved, per programme kind: only the employment
/// programme aims at a job; readiness, discharge, home and daily living,
/// social participation and health programmes aim at their plan's goals.
/// [`ProgrammeKind::Unspecified`] is read from the programme's name before
/// it is looked up, and is listed only so that the table covers every kind.
pub const GOAL_TYPES: [(ProgrammeKind, ProgrammeGoalType); 9] = [
    (ProgrammeKind::Unspecified, ProgrammeGoalType::GoalsMet),
    (ProgrammeKind::Employment, ProgrammeGoalType::Employment),
    (
        ProgrammeKind::EmploymentReadiness,
        ProgrammeGoalType::GoalsMet,
    ),
    (ProgrammeKind::Discharge, ProgrammeGoalType::GoalsMet),
    (ProgrammeKind::HomeLiving, ProgrammeGoalType::GoalsMet),
    (ProgrammeKind::DailyLiving, ProgrammeGoalType::GoalsMet),
    (
        ProgrammeKind::SocialParticipation,
        ProgrammeGoalType::GoalsMet,
    ),
    (ProgrammeKind::Health, ProgrammeGoalType::GoalsMet),
    (ProgrammeKind::Other, ProgrammeGoalType::GoalsMet),
];

impl ProgrammeKind {
    /// What counts as achieved for a programme of this kind ([`GOAL_TYPES`]).
    pub fn goal_type(self) -> ProgrammeGoalType {
        GOAL_TYPES
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or(ProgrammeGoalType::GoalsMet, |&(_, goal)| goal)
    }
}

/// When every goal is achieved: the latest of `achieved` (one per goal),
/// or `None` when there is no goal or one is open. `T` is a day in the
/// office and a month in a research record.
pub fn goals_met<T: Ord + Copy>(achieved: impl IntoIterator<Item = Option<T>>) -> Option<T> {
    let mut last: Option<T> = None;
    for a in achieved {
        let a = a?;
        last = Some(last.map_or(a, |l| l.max(a)));
    }
    last
}

/// The moments an enrolment reached its aim under `goal`: the dated
/// `reviews` whose outcome counts (就労 for [`ProgrammeGoalType::Employment`];
/// 目標達成 or 就労 for [`ProgrammeGoalType::GoalsMet`]) and, for goals met,
/// `goals_met` (when every goal was marked achieved). One rule for the
/// office's figures (days) and the research centre's (months): a year
/// counts an achiever when one of these falls in it.
pub fn achievements<T: Copy>(
    goal: ProgrammeGoalType,
    reviews: impl IntoIterator<Item = (Option<T>, ProgrammeOutcome)>,
    goals_met: Option<T>,
) -> Vec<T> {
    let counts = |outcome: ProgrammeOutcome| match goal {
        ProgrammeGoalType::Employment => outcome == ProgrammeOutcome::Employed,
        ProgrammeGoalType::GoalsMet => matches!(
            outcome,
            ProgrammeOutcome::Employed | ProgrammeOutcome::GoalsMet
        ),
    };
    let mut out: Vec<T> = reviews
        .into_iter()
        .filter(|(_, outcome)| counts(*outcome))
        .filter_map(|(at, _)| at)
        .collect();
    if goal == ProgrammeGoalType::GoalsMet {
        out.extend(goals_met);
    }
    out
}

#[cfg(test)]
#[path = "programme_tests.rs"]
mod tests;
