//! What each tab of the case screen shows: its parts, fields, labels and
//! the choices of each field. [`super::case_form`] renders these.

use serde::Serialize;
use tsunagi_core::model::{
    BarrierKind, CaseOutcome, CertificateKind, Completion, ConsentScope, ConsultationKind,
    Disclosure, DiscoveryActivityKind, EmployerStatus, EmploymentType, FollowUpKind, JobCategory,
    MedicalCertificateKind, PensionKind, PlanItemStatus, ProgrammeKind, ProgrammeOutcome,
    SchoolLevel, Sex, WageUnit,
};

/// The tabs of the case screen, in the order of `CaseAdapter.tabs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// 基本情報.
    Basic,
    /// キャリア計画.
    Career,
    /// ジョブマッチ.
    JobMatch,
    /// ケースマネジメント.
    CaseManagement,
    /// モニタリング.
    Monitoring,
    /// 相談経過.
    Consultations,
    /// 自立支援プログラム.
    Programmes,
    /// 同意・開示.
    Consents,
}

impl Tab {
    /// Every tab, in screen order.
    pub const ALL: [Tab; 8] = [
        Self::Basic,
        Self::Career,
        Self::JobMatch,
        Self::CaseManagement,
        Self::Monitoring,
        Self::Consultations,
        Self::Programmes,
        Self::Consents,
    ];

    /// The tab at `index` (out of range: 基本情報).
    pub fn from_index(index: i32) -> Self {
        usize::try_from(index)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .unwrap_or(Self::Basic)
    }
}

/// How a field is edited and stored.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// One line of text.
    Text,
    /// Several lines.
    Multiline,
    /// A whole number; empty stores nothing.
    Int,
    /// A number with decimals; empty stores nothing.
    Float,
    /// A date (`2026-04-01` or `2026/4/1`); empty stores nothing.
    Date,
    /// One of fixed values (none chosen stores the model's default).
    Choice(fn() -> Vec<(String, &'static str)>),
    /// One of the case's employers (事業所), kept by id; none chosen stores "".
    Employer,
    /// Yes or no.
    Check,
}

pub(super) type Fields = Vec<(&'static str, &'static str, Kind)>;

/// One part of a tab's form.
pub(super) enum Part {
    /// Fields of the object at `path` (relative; "" for the object itself).
    Fields(&'static str, &'static str, Fields),
    /// An optional object: shown with an add button while empty.
    Optional(&'static str, &'static str, &'static str, Fields),
    /// A list of objects, each shown as `item` n with its parts.
    List {
        title: &'static str,
        path: &'static str,
        add: &'static str,
        item: &'static str,
        ids: bool,
        newest_first: bool,
        action: Option<(&'static str, &'static str)>,
        parts: Vec<Part>,
    },
    /// A list of one-line texts (`TextItem`s when `ids`, plain strings otherwise).
    TextList(&'static str, &'static str, &'static str, bool),
}

fn options<T: Serialize + Copy>(
    all: &[T],
    label: fn(T) -> &'static str,
) -> Vec<(String, &'static str)> {
    all.iter()
        .map(|v| {
            let key = serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .expect("a fieldless enum serialises as a string");
            (key, label(*v))
        })
        .collect()
}

fn sex() -> Vec<(String, &'static str)> {
    options(&Sex::ALL, Sex::label_ja)
}
fn certificate() -> Vec<(String, &'static str)> {
    options(&CertificateKind::ALL, CertificateKind::full_name_ja)
}
fn pension() -> Vec<(String, &'static str)> {
    options(&PensionKind::ALL, PensionKind::label_ja)
}
fn medical() -> Vec<(String, &'static str)> {
    options(
        &MedicalCertificateKind::ALL,
        MedicalCertificateKind::label_ja,
    )
}
fn school() -> Vec<(String, &'static str)> {
    options(&SchoolLevel::ALL, SchoolLevel::label_ja)
}
fn completion() -> Vec<(String, &'static str)> {
    options(&Completion::ALL, Completion::label_ja)
}
fn employment() -> Vec<(String, &'static str)> {
    options(&EmploymentType::ALL, EmploymentType::label_ja)
}
fn job_category() -> Vec<(String, &'static str)> {
    options(&JobCategory::ALL, JobCategory::label_ja)
}
fn employer_status() -> Vec<(String, &'static str)> {
    options(&EmployerStatus::ALL, EmployerStatus::label_ja)
}
fn plan_status() -> Vec<(String, &'static str)> {
    options(&PlanItemStatus::ALL, PlanItemStatus::label_ja)
}
fn follow_up() -> Vec<(String, &'static str)> {
    options(&FollowUpKind::ALL, FollowUpKind::label_ja)
}
fn outcome() -> Vec<(String, &'static str)> {
    options(&CaseOutcome::ALL, CaseOutcome::label_ja)
}
fn consultation() -> Vec<(String, &'static str)> {
    options(&ConsultationKind::ALL, ConsultationKind::label_ja)
}
fn programme_kind() -> Vec<(String, &'static str)> {
    options(&ProgrammeKind::ALL, ProgrammeKind::label_ja)
}
fn programme_outcome() -> Vec<(String, &'static str)> {
    options(&ProgrammeOutcome::ALL, ProgrammeOutcome::label_ja)
}
fn consent_scope() -> Vec<(String, &'static str)> {
    options(&ConsentScope::ALL, ConsentScope::label_ja)
}
fn disclosure() -> Vec<(String, &'static str)> {
    options(&Disclosure::ALL, Disclosure::label_ja)
}
fn activity() -> Vec<(String, &'static str)> {
    options(&DiscoveryActivityKind::ALL, DiscoveryActivityKind::label_ja)
}
fn wage_unit() -> Vec<(String, &'static str)> {
    options(&WageUnit::ALL, WageUnit::label_ja)
}
fn barrier() -> Vec<(String, &'static str)> {
    options(&BarrierKind::ALL, BarrierKind::label_ja)
}

use Kind::{Check, Choice, Date as DateKind, Employer, Float, Int, Multiline, Text};

/// A list of rows with the given fields: `(title, path, add, item)`.
fn rows(
    (title, path, add, item): (&'static str, &'static str, &'static str, &'static str),
    ids: bool,
    newest_first: bool,
    fields: Fields,
) -> Part {
    Part::List {
        title,
        path,
        add,
        item,
        ids,
        newest_first,
        action: None,
        parts: vec![Part::Fields("", "", fields)],
    }
}

/// Working conditions (`proposed` or `negotiated`, with their paths). The
/// duties are the tasks ticked 提案に含める.
fn conditions(
    title: &'static str,
    path: &'static str,
    [wage, accommodations]: [&'static str; 2],
) -> Vec<Part> {
    vec![
        Part::Fields(
            title,
            path,
            vec![
                ("date", "日付", DateKind),
                ("hours_per_week", "週の労働時間", Float),
                ("days_per_week", "週の日数", Int),
                ("schedule", "勤務時間帯", Text),
                ("note", "メモ", Multiline),
            ],
        ),
        Part::Optional(
            "賃金",
            wage,
            "賃金を追加",
            vec![
                ("amount_yen", "金額（円）", Int),
                ("unit", "単位", Choice(wage_unit)),
            ],
        ),
        rows(
            ("配慮事項", accommodations, "配慮を追加", "配慮"),
            false,
            false,
            vec![("text", "配慮の内容", Text)],
        ),
    ]
}

// The labels are Japanese strings in Rust rather than `@tr` in Slint: the
// form is data-driven (one generic renderer for every tab). The core's
// `label_ja` names are used for the choices.
pub(super) fn parts(tab: Tab) -> Vec<Part> {
    match tab {
        Tab::Basic => vec![
            Part::Fields(
                "基本情報",
                "basic",
                vec![
                    ("name", "氏名", Text),
                    ("kana", "ふりがな", Text),
                    ("birth_year", "生まれ年（西暦）", Int),
                    ("birth_date", "生年月日", DateKind),
                    ("sex", "性別", Choice(sex)),
                    ("address", "住所", Text),
                    ("phone", "電話番号", Text),
                    ("email", "メール", Text),
                    ("note", "メモ", Multiline),
                ],
            ),
            rows(
                (
                    "障害者手帳",
                    "basic.disability_certificates",
                    "手帳を追加",
                    "手帳",
                ),
                false,
                false,
                vec![
                    ("kind", "手帳の種類", Choice(certificate)),
                    ("grade", "等級", Text),
                    ("renewal_on", "更新日", DateKind),
                ],
            ),
            Part::Optional(
                "障害年金",
                "basic.disability_pension",
                "障害年金を追加",
                vec![
                    ("kind", "年金の種類", Choice(pension)),
                    ("grade", "等級", Int),
                    ("since", "受給開始日", DateKind),
                    ("renewal_on", "更新日", DateKind),
                ],
            ),
            rows(
                (
                    "医療受給者証（特定医療費など）",
                    "basic.medical_certificates",
                    "受給者証を追加",
                    "受給者証",
                ),
                false,
                false,
                vec![
                    ("kind", "受給者証の種類", Choice(medical)),
                    ("valid_until", "有効期限", DateKind),
                ],
            ),
            rows(
                ("家族", "basic.family", "家族を追加", "家族"),
                true,
                false,
                vec![
                    ("relation", "続柄", Text),
                    ("name", "氏名", Text),
                    ("lives_with_client", "同居", Check),
                    ("note", "メモ", Text),
                ],
            ),
            rows(
                ("支援者", "basic.supporters", "支援者を追加", "支援者"),
                true,
                false,
                vec![
                    ("name", "氏名", Text),
                    ("relation", "関係", Text),
                    ("role", "役割", Text),
                    ("contact", "連絡先", Text),
                ],
            ),
            rows(
                ("学歴", "basic.education", "学歴を追加", "学歴"),
                true,
                false,
                vec![
                    ("level", "学校の種類", Choice(school)),
                    ("school", "学校名", Text),
                    ("field", "学科・専攻", Text),
                    ("to", "修了（年月日）", DateKind),
                    ("completion", "修了状況", Choice(completion)),
                ],
            ),
            rows(
                ("資格", "basic.qualifications", "資格を追加", "資格"),
                true,
                false,
                vec![
                    ("name", "資格名", Text),
                    ("acquired_on", "取得日", DateKind),
                ],
            ),
            rows(
                ("職歴", "basic.work_history", "職歴を追加", "職歴"),
                true,
                false,
                vec![
                    ("employer", "勤務先", Text),
                    ("job", "仕事内容", Text),
                    ("employment_type", "雇用形態", Choice(employment)),
                    ("from", "開始日", DateKind),
                    ("to", "終了日", DateKind),
                    ("reason_for_leaving", "離職理由", Text),
                ],
            ),
        ],
        Tab::Career => vec![
            Part::TextList(
                "強み",
                "career_plan.discovery.strengths",
                "強みを追加",
                true,
            ),
            Part::TextList(
                "興味・関心",
                "career_plan.discovery.interests",
                "興味を追加",
                true,
            ),
            Part::TextList(
                "希望する仕事",
                "career_plan.discovery.preferred_work",
                "希望を追加",
                true,
            ),
            Part::TextList(
                "これまでの実績",
                "career_plan.discovery.achievements",
                "実績を追加",
                true,
            ),
            rows(
                (
                    "ディスカバリーの活動",
                    "career_plan.discovery.activities",
                    "活動を追加",
                    "活動",
                ),
                true,
                true,
                vec![
                    ("date", "日付", DateKind),
                    ("kind", "活動の種類", Choice(activity)),
                    ("content", "内容", Multiline),
                ],
            ),
            Part::Fields(
                "希望条件",
                "career_plan.discovery.conditions",
                vec![
                    ("hours_per_week", "週の労働時間（時間）", Float),
                    ("hours_per_day", "1日の労働時間（時間）", Float),
                    ("days_per_week", "週の日数", Int),
                    ("time_of_day", "希望の時間帯", Text),
                    ("max_commute_minutes", "通勤時間の上限（分）", Int),
                    ("commute_means", "通勤手段", Text),
                    ("environment", "職場環境の希望", Multiline),
                    ("other", "その他の条件", Multiline),
                ],
            ),
            Part::Fields(
                "ディスカバリーのまとめ",
                "career_plan.discovery",
                vec![("narrative", "まとめ", Multiline)],
            ),
            Part::Fields(
                "キャリアの方向性",
                "career_plan.direction",
                vec![("summary", "方向性", Multiline)],
            ),
            Part::TextList(
                "職域",
                "career_plan.direction.job_areas",
                "職域を追加",
                false,
            ),
            Part::List {
                title: "計画会議",
                path: "career_plan.meetings",
                add: "会議を追加",
                item: "会議",
                ids: true,
                newest_first: true,
                action: None,
                parts: vec![
                    Part::Fields(
                        "",
                        "",
                        vec![("date", "日付", DateKind), ("minutes", "議事録", Multiline)],
                    ),
                    rows(
                        ("出席者", "attendees", "出席者を追加", "出席者"),
                        false,
                        false,
                        vec![("name", "氏名", Text), ("role", "役割", Text)],
                    ),
                ],
            },
        ],
        Tab::JobMatch => vec![Part::List {
            title: "事業所",
            path: "job_match.employers",
            add: "事業所を追加",
            item: "事業所",
            ids: true,
            newest_first: false,
            action: None,
            parts: vec![
                Part::Fields(
                    "",
                    "",
                    vec![
                        ("name", "事業所名", Text),
                        ("industry", "業種", Text),
                        ("address", "所在地", Text),
                        ("contact_person", "担当者", Text),
                        ("contact", "連絡先", Text),
                        ("status", "状況", Choice(employer_status)),
                        ("note", "メモ", Multiline),
                    ],
                ),
                Part::TextList("事業所のニーズ", "business_needs", "ニーズを追加", true),
                rows(
                    ("業務", "tasks", "業務を追加", "業務"),
                    true,
                    false,
                    vec![
                        ("name", "業務名", Text),
                        ("frequency", "頻度", Text),
                        ("minutes", "所要時間（分）", Int),
                        ("selected", "提案に含める", Check),
                    ],
                ),
            ]
            .into_iter()
            .chain(conditions(
                "提案した条件",
                "proposed",
                ["proposed.wage", "proposed.accommodations"],
            ))
            .chain(conditions(
                "交渉で合意した条件",
                "negotiated",
                ["negotiated.wage", "negotiated.accommodations"],
            ))
            .chain([rows(
                ("調整・工夫", "adjustments", "調整を追加", "調整"),
                true,
                false,
                vec![
                    ("problem", "課題", Text),
                    ("adjustment", "調整・工夫の内容", Multiline),
                ],
            )])
            .collect(),
        }],
        // The plan's revision (第N版) and date are not typed: 「計画を改定」
        // makes them (plan_revisions.rs, plan_revisions.slint).
        Tab::CaseManagement => vec![rows(
            (
                "支援計画の項目",
                "case_management.support_plan.items",
                "項目を追加",
                "項目",
            ),
            true,
            false,
            vec![
                ("action", "支援内容", Text),
                ("who", "担当者", Text),
                ("agency", "機関", Text),
                ("due", "期限", DateKind),
                ("status", "状況", Choice(plan_status)),
            ],
        )],
        Tab::Monitoring => vec![
            Part::Optional(
                "就職の確認",
                "monitoring.hire",
                "就職を記録",
                vec![
                    ("employer_id", "就職先の事業所", Employer),
                    ("job_title", "職種", Text),
                    ("hired_on", "就職日", DateKind),
                    ("hours_per_week", "週の労働時間", Float),
                    ("employment_type", "雇用形態", Choice(employment)),
                    ("job_category", "職業分類", Choice(job_category)),
                    ("disability_employment", "障害者雇用", Check),
                    ("left_on", "離職日", DateKind),
                    ("leaving_reason", "離職理由", Text),
                    ("note", "メモ", Multiline),
                ],
            ),
            rows(
                (
                    "フォローアップ",
                    "monitoring.follow_ups",
                    "フォローアップを追加",
                    "フォローアップ",
                ),
                true,
                true,
                vec![
                    ("date", "日付", DateKind),
                    ("kind", "方法", Choice(follow_up)),
                    ("health_changes", "体調の変化", Text),
                    ("work_changes", "仕事の変化", Text),
                    ("notes", "メモ", Multiline),
                ],
            ),
            rows(
                (
                    "モニタリングの評価",
                    "monitoring.reviews",
                    "評価を追加",
                    "評価",
                ),
                true,
                true,
                vec![
                    ("date", "評価日", DateKind),
                    ("evaluation", "評価", Multiline),
                    ("changes", "変更点", Multiline),
                    ("plan_revised", "支援計画を改訂した", Check),
                ],
            ),
            Part::Fields(
                "まとめ",
                "monitoring.summary",
                vec![
                    ("written_on", "作成日", DateKind),
                    ("outcome", "結果", Choice(outcome)),
                    ("text", "まとめ", Multiline),
                ],
            ),
            rows(
                (
                    "支援者の確認",
                    "monitoring.summary.confirmations",
                    "確認を追加",
                    "確認",
                ),
                true,
                false,
                vec![
                    ("supporter", "支援者", Text),
                    ("agency", "機関", Text),
                    ("confirmed_on", "確認日", DateKind),
                ],
            ),
        ],
        Tab::Consultations => vec![rows(
            ("相談経過の記録", "consultations", "", "記録"),
            true,
            true,
            vec![
                ("date", "日付", DateKind),
                ("kind", "種別", Choice(consultation)),
                ("duration_minutes", "時間（分）", Int),
                ("content", "内容", Multiline),
                ("next_step", "次回の予定", Text),
            ],
        )],
        Tab::Programmes => vec![Part::List {
            title: "自立支援プログラム",
            path: "programmes",
            add: "プログラムを追加",
            item: "プログラム",
            ids: true,
            newest_first: false,
            action: None,
            parts: vec![
                Part::Fields(
                    "",
                    "",
                    vec![
                        ("programme", "プログラム名", Text),
                        ("kind", "プログラムの種類", Choice(programme_kind)),
                        ("agency", "実施機関", Text),
                        ("selected_on", "選定日", DateKind),
                        ("selection_criterion", "選定基準", Text),
                        ("selection_reason", "選定理由", Multiline),
                        ("consent_on", "同意日", DateKind),
                        ("plan_agreed_on", "計画の合意日", DateKind),
                        ("review_interval_months", "評価の間隔（か月）", Int),
                        ("note", "メモ", Multiline),
                    ],
                ),
                // 実施期間: up to a year with the extensions (the model refuses more).
                Part::Fields(
                    "実施期間",
                    "period",
                    vec![
                        ("start", "開始日", DateKind),
                        ("planned_end", "終了予定日", DateKind),
                    ],
                ),
                rows(
                    ("期間の延長", "period.extensions", "延長を追加", "延長"),
                    true,
                    false,
                    vec![
                        ("new_end", "延長後の終了日", DateKind),
                        ("reason", "延長の理由", Text),
                    ],
                ),
                rows(
                    ("目標", "goals", "目標を追加", "目標"),
                    true,
                    false,
                    vec![
                        ("goal", "目標", Text),
                        ("target_date", "目標日", DateKind),
                        ("achieved_on", "達成日", DateKind),
                    ],
                ),
                rows(
                    ("就労の阻害要因", "barriers", "阻害要因を追加", "阻害要因"),
                    true,
                    false,
                    vec![
                        ("kind", "種類", Choice(barrier)),
                        ("description", "内容", Text),
                        ("resolution", "解決策", Text),
                        ("resolved_on", "解決日", DateKind),
                    ],
                ),
                rows(
                    ("評価", "reviews", "評価を追加", "評価"),
                    true,
                    false,
                    vec![
                        ("date", "評価日", DateKind),
                        ("outcome", "結果", Choice(programme_outcome)),
                        ("reason", "理由", Text),
                    ],
                ),
            ],
        }],
        Tab::Consents => vec![
            Part::Fields(
                "障害・疾患の開示",
                "disclosure",
                vec![("", "事業所への開示", Choice(disclosure))],
            ),
            Part::List {
                title: "同意の記録",
                path: "consents",
                add: "同意を追加",
                item: "同意",
                ids: true,
                newest_first: false,
                action: Some(("同意を撤回", "withdrawn_on")),
                parts: vec![Part::Fields(
                    "",
                    "",
                    vec![
                        ("scope", "同意の範囲", Choice(consent_scope)),
                        ("content", "内容", Text),
                        ("recipient", "提供先", Text),
                        ("given_on", "同意日", DateKind),
                        ("withdrawn_on", "撤回日", DateKind),
                    ],
                )],
            },
        ],
    }
}
