//! キャリア計画 — the career plan: what discovery (ディスカバリー) found, and
//! the career direction (キャリアの方向性) agreed at a planning meeting
//! (計画ミーティング).

use serde::{Deserialize, Serialize};

use super::{Date, TextItem, new_item_id};
use crate::pii::Identifying;

/// キャリア計画 — the second of the five sections (表6-1). Feeds the personal
/// profile (個人プロフィール) and the career plan (キャリア計画書).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CareerPlan {
    /// ディスカバリー — what was learnt about the person.
    pub discovery: Discovery,
    /// 計画ミーティング — planning meetings held, oldest first.
    pub meetings: Vec<PlanningMeeting>,
    /// キャリアの方向性 — the direction agreed.
    pub direction: CareerDirection,
}

/// ディスカバリー — the positive profile: strengths, interests, conditions,
/// preferred work and achievements, and the activities that found them.
/// Not a list of deficits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Discovery {
    /// 強み — strengths.
    pub strengths: Vec<TextItem>,
    /// 興味・関心 — interests.
    pub interests: Vec<TextItem>,
    /// 希望する仕事 — preferred work.
    pub preferred_work: Vec<TextItem>,
    /// 実績 — achievements, for the positive profile.
    pub achievements: Vec<TextItem>,
    /// 条件 — the conditions the person needs or prefers.
    pub conditions: PreferredConditions,
    /// ディスカバリーの活動 — what was done to get to know the person.
    pub activities: Vec<DiscoveryActivity>,
    /// 人物像 — the profile's narrative. Identifying (free text).
    pub narrative: Identifying<String>,
    /// 表紙の写真 — the id of the photo (a media item of the case) the
    /// client chose for the cover of the presentation to employers. Shown
    /// only while that photo is approved and the media consent is in force;
    /// otherwise the cover has no photo. Left out of the JSON when unset, so
    /// a case without a cover reads the same in older versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover_media: Option<String>,
}

/// 条件 — the working conditions the person needs or prefers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PreferredConditions {
    /// 週あたりの労働時間 — hours per week.
    pub hours_per_week: Option<f32>,
    /// 1日あたりの労働時間 — hours per day.
    pub hours_per_day: Option<f32>,
    /// 週あたりの勤務日数 — days per week.
    pub days_per_week: Option<u8>,
    /// 勤務時間帯 — time of day, as a short phrase (午前のみ, 10時〜15時…). Not identifying.
    pub time_of_day: String,
    /// 通勤時間の上限 — longest acceptable commute, in minutes.
    pub max_commute_minutes: Option<u16>,
    /// 通勤手段 — means of commuting (徒歩, バス, 自家用車…). Not identifying.
    pub commute_means: String,
    /// 職場環境 — the environment needed (quiet, near a toilet, no direct
    /// sunlight…). Identifying (free text).
    pub environment: Identifying<String>,
    /// その他の条件 — anything else. Identifying (free text).
    pub other: Identifying<String>,
}

/// The kind of a discovery activity (ディスカバリーの活動).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscoveryActivityKind {
    /// 本人との面談 — talking with the person.
    #[default]
    Interview,
    /// 家庭訪問 — visiting the person at home.
    HomeVisit,
    /// 関係者からの聞き取り — talking with people who know the person.
    InformantInterview,
    /// 日常活動の観察 — watching the person in familiar activities.
    Observation,
    /// 職場体験 — trying tasks at a workplace.
    WorkExperience,
    /// その他.
    Other,
}

impl DiscoveryActivityKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 6] = [
        Self::Interview,
        Self::HomeVisit,
        Self::InformantInterview,
        Self::Observation,
        Self::WorkExperience,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Interview => "本人との面談",
            Self::HomeVisit => "家庭訪問",
            Self::InformantInterview => "関係者からの聞き取り",
            Self::Observation => "日常活動の観察",
            Self::WorkExperience => "職場体験",
            Self::Other => "その他",
        }
    }
}

/// One discovery activity, dated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryActivity {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 実施日.
    pub date: Option<Date>,
    /// 種別.
    pub kind: DiscoveryActivityKind,
    /// 内容・わかったこと — what was done and learnt. Identifying (free text).
    pub content: Identifying<String>,
}

impl DiscoveryActivity {
    /// A new activity with a fresh id.
    pub fn new(date: Date, kind: DiscoveryActivityKind, content: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            date: Some(date),
            kind,
            content: Identifying::new(content.into()),
        }
    }
}

/// 出席者 — one attendee of a planning meeting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Attendee {
    /// 氏名 — name. Identifying.
    pub name: Identifying<String>,
    /// 立場 — role or relation (本人, 母, 就業支援員, ハローワーク担当者…). Not identifying.
    pub role: String,
}

impl Attendee {
    /// An attendee.
    pub fn new(name: impl Into<String>, role: impl Into<String>) -> Self {
        Self {
            name: Identifying::new(name.into()),
            role: role.into(),
        }
    }
}

/// 計画ミーティング — a planning meeting with the person and supporters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanningMeeting {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 開催日.
    pub date: Option<Date>,
    /// 出席者.
    pub attendees: Vec<Attendee>,
    /// 記録 — minutes. Identifying (free text).
    pub minutes: Identifying<String>,
}

impl PlanningMeeting {
    /// A new meeting with a fresh id.
    pub fn new(date: Date) -> Self {
        Self {
            id: new_item_id(),
            date: Some(date),
            ..Self::default()
        }
    }
}

/// キャリアの方向性 — the direction agreed for the job search.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CareerDirection {
    /// 方向性 — the direction, in words. Identifying (free text).
    pub summary: Identifying<String>,
    /// 職務領域 — kinds of work to explore, as short keywords
    /// (データ入力, 軽作業…). Not identifying.
    pub job_areas: Vec<String>,
    /// 合意した計画ミーティング — the id of the meeting where it was agreed.
    pub agreed_at_meeting: Option<String>,
}

impl CareerPlan {
    /// The meeting at which the direction was agreed, if recorded.
    pub fn agreeing_meeting(&self) -> Option<&PlanningMeeting> {
        let id = self.direction.agreed_at_meeting.as_deref()?;
        self.meetings.iter().find(|m| m.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strength_given_as_a_bare_string_is_refused() {
        let json = r#"{"discovery":{"strengths":["几帳面"]}}"#;
        assert!(serde_json::from_str::<CareerPlan>(json).is_err());
        let json = r#"{"discovery":{"strengths":[{"id":"s1","text":"几帳面"}]}}"#;
        let plan: CareerPlan = serde_json::from_str(json).expect("parses");
        assert_eq!(plan.discovery.strengths[0].text.expose(), "几帳面");
    }

    #[test]
    fn a_misspelt_condition_is_refused() {
        let json = r#"{"discovery":{"conditions":{"hours_per_weak":20}}}"#;
        assert!(serde_json::from_str::<CareerPlan>(json).is_err());
    }
}
