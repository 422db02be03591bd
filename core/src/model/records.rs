//! The records kept beside the five sections: consultation records (相談経過),
//! programme enrolments (自立支援プログラム, seed 002), consent records (同意)
//! and the disclosure choice (開示/非開示). Also the small pieces the sections
//! share: item ids and free-text list items.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Date;
use crate::pii::Identifying;

/// A fresh id for an item in a list (an employer, a plan item, a record…):
/// a random UUID v4 as a string, so that items made on different tablets
/// never clash and history can refer to an item after it is edited or moved.
pub fn new_item_id() -> String {
    Uuid::new_v4().to_string()
}

/// One free-text entry in a list that is edited item by item: a strength
/// (強み), an interest (興味), a business need (事業所のニーズ), a goal…
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextItem {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// The text. Identifying: free text may name people, places or events.
    pub text: Identifying<String>,
}

impl TextItem {
    /// A new item with a fresh id.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            text: Identifying::new(text.into()),
        }
    }
}

// ---------------------------------------------------------------------------
// 相談経過
// ---------------------------------------------------------------------------

/// The kind of a consultation record (相談の種別).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationKind {
    /// 面接 — a face-to-face interview.
    #[default]
    Interview,
    /// 電話 — a phone call.
    Phone,
    /// 家庭訪問 — a home visit.
    HomeVisit,
    /// ハローワーク同行 — accompanying the client to Hello Work.
    HelloWorkAccompaniment,
    /// 事業所訪問 — a visit to an employer.
    EmployerVisit,
    /// 本人の求職活動 — the client's own job-search activity (path "c").
    OwnJobSearch,
    /// その他 — anything else.
    Other,
}

impl ConsultationKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 7] = [
        Self::Interview,
        Self::Phone,
        Self::HomeVisit,
        Self::HelloWorkAccompaniment,
        Self::EmployerVisit,
        Self::OwnJobSearch,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Interview => "面接",
            Self::Phone => "電話",
            Self::HomeVisit => "家庭訪問",
            Self::HelloWorkAccompaniment => "ハローワーク同行",
            Self::EmployerVisit => "事業所訪問",
            Self::OwnJobSearch => "本人の求職活動",
            Self::Other => "その他",
        }
    }
}

/// One consultation record (相談経過 / 経過記録): a meeting, a call, a visit,
/// or the client's own job-search step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsultationRecord {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 実施日 — when it happened.
    pub date: Option<Date>,
    /// 種別 — what kind of contact it was.
    pub kind: ConsultationKind,
    /// 所要時間 — length in minutes, if noted.
    pub duration_minutes: Option<u16>,
    /// 事業所 — the id of the employer in the job match, for employer visits
    /// and applications.
    pub employer_id: Option<String>,
    /// 相談内容 — what was discussed or done. Identifying.
    pub content: Identifying<String>,
    /// 今後の方針 — the next step. Identifying.
    pub next_step: Identifying<String>,
    /// 記録者 — who wrote the record. Identifying (a person's name).
    pub author: Identifying<String>,
}

impl ConsultationRecord {
    /// A new, empty record with a fresh id.
    pub fn new() -> Self {
        Self {
            id: new_item_id(),
            ..Self::default()
        }
    }
}

// ---------------------------------------------------------------------------
// 自立支援プログラム (seed 002)
// ---------------------------------------------------------------------------

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
}

impl ProgrammeOutcome {
    /// Every outcome, in display order.
    pub const ALL: [Self; 3] = [Self::Employed, Self::Continue, Self::Stop];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Employed => "就労",
            Self::Continue => "継続",
            Self::Stop => "打ち切り",
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
// 同意
// ---------------------------------------------------------------------------

/// What a consent covers (同意の範囲), as a category for lists and statistics;
/// the wording itself is in [`ConsentRecord::content`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// 支援情報の登録 — registering the client's information in the tool.
    #[default]
    Registration,
    /// 関係機関への情報提供 — sharing with a related agency.
    AgencySharing,
    /// 事業所への情報提供 — sharing with an employer.
    EmployerSharing,
    /// 研究部門への提供 — de-identified progress data for the research centre.
    Research,
    /// 写真・動画の利用 — photos and video in the profile.
    Media,
    /// プログラムへの参加 — taking part in a self-reliance programme.
    Programme,
    /// 本人携帯記録 — the client's own record: a sealed file with what the
    /// client chose, kept by the client to hand to other agencies.
    ClientRecord,
    /// その他 — anything else.
    Other,
}

impl ConsentScope {
    /// Every scope, in display order.
    pub const ALL: [Self; 8] = [
        Self::Registration,
        Self::AgencySharing,
        Self::EmployerSharing,
        Self::Research,
        Self::Media,
        Self::Programme,
        Self::ClientRecord,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Registration => "支援情報の登録",
            Self::AgencySharing => "関係機関への情報提供",
            Self::EmployerSharing => "事業所への情報提供",
            Self::Research => "研究部門への提供",
            Self::Media => "写真・動画の利用",
            Self::Programme => "プログラムへの参加",
            Self::ClientRecord => "本人携帯記録",
            Self::Other => "その他",
        }
    }
}

/// A consent given by the client (同意), and its withdrawal if any.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsentRecord {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 同意の範囲 — the category of what was consented to.
    pub scope: ConsentScope,
    /// 同意の内容 — what exactly was consented to. Identifying (free text).
    pub content: Identifying<String>,
    /// 提供先 — to whom information goes (an agency, an employer, a person).
    /// Identifying: it may be a person's or a small business's name.
    pub recipient: Identifying<String>,
    /// 同意日 — when consent was given.
    pub given_on: Option<Date>,
    /// 撤回日 — when it was withdrawn, if it was.
    pub withdrawn_on: Option<Date>,
}

impl ConsentRecord {
    /// A new, empty consent record with a fresh id.
    pub fn new() -> Self {
        Self {
            id: new_item_id(),
            ..Self::default()
        }
    }

    /// Whether the consent holds on `day`: given on or before it and not
    /// withdrawn on or before it.
    pub fn in_force_on(&self, day: Date) -> bool {
        self.given_on.is_some_and(|given| given <= day)
            && self.withdrawn_on.is_none_or(|withdrawn| withdrawn > day)
    }
}

// ---------------------------------------------------------------------------
// 開示/非開示
// ---------------------------------------------------------------------------

/// Whether the client's disease is disclosed to employers (開示/非開示).
/// The default is not disclosed: nothing is told to an employer until the
/// client chooses so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// 非開示 — not disclosed (the safe default).
    #[default]
    NotDisclosed,
    /// 一部開示 — disclosed to some people only (e.g. the direct manager).
    Partial,
    /// 開示 — disclosed.
    Disclosed,
}

impl Disclosure {
    /// Every choice, in display order.
    pub const ALL: [Self; 3] = [Self::Disclosed, Self::Partial, Self::NotDisclosed];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::NotDisclosed => "非開示",
            Self::Partial => "一部開示",
            Self::Disclosed => "開示",
        }
    }

    /// Whether what goes to an employer (the profile, the proposal, the
    /// presentation) may name the disease: only with 開示.
    pub fn shows_disease(self) -> bool {
        self == Self::Disclosed
    }

    /// Whether what goes to an employer may state the workplace needs (the
    /// accommodations and adjustments asked for, in words that name no
    /// disease): with 開示 and 一部開示.
    pub fn shows_workplace_needs(self) -> bool {
        self != Self::NotDisclosed
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn disclosure_defaults_to_not_disclosed() {
        assert_eq!(Disclosure::default(), Disclosure::NotDisclosed);
        assert_eq!(Disclosure::default().label_ja(), "非開示");
        let parsed: Disclosure = serde_json::from_str("\"not_disclosed\"").expect("parses");
        assert_eq!(parsed, Disclosure::NotDisclosed);
    }

    #[test]
    fn withdrawn_consent_is_no_longer_in_force() {
        let consent = ConsentRecord {
            given_on: Some(date!(2024 - 04 - 01)),
            withdrawn_on: Some(date!(2024 - 09 - 30)),
            ..ConsentRecord::new()
        };
        assert!(!consent.in_force_on(date!(2024 - 03 - 31)));
        assert!(consent.in_force_on(date!(2024 - 09 - 29)));
        assert!(!consent.in_force_on(date!(2024 - 09 - 30)));
        assert!(!ConsentRecord::new().in_force_on(date!(2024 - 09 - 29)));
    }

    #[test]
    fn next_programme_review_follows_the_last_review_by_the_interval() {
        let mut enrolment = ProgrammeEnrolment {
            consent_on: Some(date!(2024 - 11 - 30)),
            review_interval_months: Some(3),
            ..ProgrammeEnrolment::new()
        };
        assert_eq!(enrolment.next_review_due(), Some(date!(2025 - 02 - 28)));
        enrolment.reviews.push(ProgrammeReview::new(
            date!(2025 - 02 - 27),
            ProgrammeOutcome::Continue,
            "",
        ));
        assert_eq!(enrolment.next_review_due(), Some(date!(2025 - 05 - 27)));
        assert_eq!(
            enrolment.current_outcome(),
            Some(ProgrammeOutcome::Continue)
        );
    }

    #[test]
    fn a_consultation_record_refuses_an_unknown_kind() {
        let err = serde_json::from_str::<ConsultationRecord>(r#"{"kind":"chat"}"#);
        assert!(err.is_err());
        let ok: ConsultationRecord =
            serde_json::from_str(r#"{"kind":"hello_work_accompaniment"}"#).expect("parses");
        assert_eq!(ok.kind.label_ja(), "ハローワーク同行");
    }
}
