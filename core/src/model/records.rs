//! The records kept beside the five sections: consultation records (相談経過),
//! consent records (同意) and the disclosure choice (開示/非開示). Also the
//! small pieces the sections share: item ids and free-text list items.
//! Programme enrolments (自立支援プログラム) are in [`super::programme`].

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
    /// 履歴書作成支援 — helping the client write a résumé (履歴書) or a
    /// work-history sheet (職務経歴書).
    CvWriting,
    /// 面接練習 — practising a job interview with the client.
    InterviewPractice,
    /// 事業所訪問 — a visit to an employer.
    EmployerVisit,
    /// 本人の求職活動 — the client's own job-search activity (path "c").
    OwnJobSearch,
    /// その他 — anything else.
    Other,
}

impl ConsultationKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 9] = [
        Self::Interview,
        Self::Phone,
        Self::HomeVisit,
        Self::HelloWorkAccompaniment,
        Self::CvWriting,
        Self::InterviewPractice,
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
            Self::CvWriting => "履歴書作成支援",
            Self::InterviewPractice => "面接練習",
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
    /// 事例検討への活用 — shown, without anything that identifies the client,
    /// as a similar case (似た事例) to the agency's other workers, so that
    /// what was tried and how it went helps other clients' support.
    CaseStudy,
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
    pub const ALL: [Self; 9] = [
        Self::Registration,
        Self::AgencySharing,
        Self::EmployerSharing,
        Self::Research,
        Self::CaseStudy,
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
            Self::CaseStudy => "事例検討への活用",
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
    fn a_consultation_record_refuses_an_unknown_kind() {
        let err = serde_json::from_str::<ConsultationRecord>(r#"{"kind":"chat"}"#);
        assert!(err.is_err());
        let ok: ConsultationRecord =
            serde_json::from_str(r#"{"kind":"hello_work_accompaniment"}"#).expect("parses");
        assert_eq!(ok.kind.label_ja(), "ハローワーク同行");
    }

    #[test]
    fn cv_writing_and_interview_practice_are_kinds_of_their_own() {
        let cv: ConsultationRecord =
            serde_json::from_str(r#"{"kind":"cv_writing"}"#).expect("parses");
        assert_eq!(cv.kind, ConsultationKind::CvWriting);
        assert_eq!(cv.kind.label_ja(), "履歴書作成支援");
        let practice: ConsultationRecord =
            serde_json::from_str(r#"{"kind":"interview_practice"}"#).expect("parses");
        assert_eq!(practice.kind.label_ja(), "面接練習");
        // 面接 (a meeting with the client) stays apart from 面接練習.
        assert_ne!(practice.kind, ConsultationKind::Interview);
        let labels: Vec<&str> = ConsultationKind::ALL.iter().map(|k| k.label_ja()).collect();
        assert_eq!(
            labels,
            [
                "面接",
                "電話",
                "家庭訪問",
                "ハローワーク同行",
                "履歴書作成支援",
                "面接練習",
                "事業所訪問",
                "本人の求職活動",
                "その他",
            ]
        );
    }
}
