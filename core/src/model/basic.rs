//! 基本情報 — basic information: identity and contact, disease/disability with
//! its dated status history, medical and welfare status, the people around
//! the client, education, qualifications and work history.

use serde::{Deserialize, Serialize};

use super::{Correction, Date, EmploymentType, Removal, new_item_id};
use crate::pii::Identifying;

/// 基本情報 — the first of the five sections (表6-1).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BasicInfo {
    /// 氏名 — full name. Identifying.
    pub name: Identifying<String>,
    /// ふりがな — the name's reading in kana. Identifying.
    pub kana: Identifying<String>,
    /// 生年月日 — full birth date. Identifying (finer than the year).
    pub birth_date: Identifying<Option<Date>>,
    /// 生まれ年 — birth year alone, kept for age bands. Not identifying.
    pub birth_year: Option<i32>,
    /// 性別 — sex. Not identifying.
    pub sex: Sex,
    /// 住所 — address. Identifying.
    pub address: Identifying<String>,
    /// 電話番号 — phone. Identifying.
    pub phone: Identifying<String>,
    /// メールアドレス — e-mail. Identifying.
    pub email: Identifying<String>,
    /// 疾患・障害情報 — diseases and disabilities, each with its status history.
    pub diseases: Vec<Disease>,
    /// 障害者手帳 — disability certificates held (one person may hold several).
    pub disability_certificates: Vec<DisabilityCertificate>,
    /// 障害年金 — the disability pension, if received.
    pub disability_pension: Option<DisabilityPension>,
    /// 医療受給者証 — medical-expense certificates, e.g. 特定医療費(指定難病)受給者証.
    pub medical_certificates: Vec<MedicalCertificate>,
    /// 家族構成 — family composition.
    pub family: Vec<FamilyMember>,
    /// 協力体制 — the people who help (family, doctor, nurse, friends…).
    pub supporters: Vec<Supporter>,
    /// 学歴 — education.
    pub education: Vec<Education>,
    /// 資格 — qualifications and licences.
    pub qualifications: Vec<Qualification>,
    /// 職歴 — work history, oldest first.
    pub work_history: Vec<WorkHistoryEntry>,
    /// 備考 — notes. Identifying.
    pub note: Identifying<String>,
}

/// 性別 — sex, as the client states it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 未回答 — not stated.
    #[default]
    Unstated,
    /// 女性.
    Female,
    /// 男性.
    Male,
    /// その他.
    Other,
}

impl Sex {
    /// Every value, in display order.
    pub const ALL: [Self; 4] = [Self::Female, Self::Male, Self::Other, Self::Unstated];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Unstated => "未回答",
            Self::Female => "女性",
            Self::Male => "男性",
            Self::Other => "その他",
        }
    }
}

// ---------------------------------------------------------------------------
// 疾患・障害情報
// ---------------------------------------------------------------------------

/// A change in the state of a disease (病状の変化).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiseaseStatus {
    /// 発症 — onset (or diagnosis).
    #[default]
    Onset,
    /// 再燃 — relapse.
    Relapse,
    /// 進行 — progression.
    Progression,
    /// 寛解 — remission.
    Remission,
    /// 改善 — improvement short of remission.
    Improvement,
    /// その他 — any other change (see the note).
    Other,
}

impl DiseaseStatus {
    /// Every status, in display order.
    pub const ALL: [Self; 6] = [
        Self::Onset,
        Self::Relapse,
        Self::Progression,
        Self::Remission,
        Self::Improvement,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Onset => "発症",
            Self::Relapse => "再燃",
            Self::Progression => "進行",
            Self::Remission => "寛解",
            Self::Improvement => "改善",
            Self::Other => "その他",
        }
    }
}

/// One dated entry in a disease's status history (経過).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusChange {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 年月日 — when the change happened (use the 1st of the month when only
    /// the month is known). `None` when unknown: such entries sort first.
    pub date: Option<Date>,
    /// 状態 — what changed.
    pub status: DiseaseStatus,
    /// 備考 — e.g. what the doctor said. Identifying.
    pub note: Identifying<String>,
    /// 訂正 — set when this entry corrects an earlier, wrong one, which is
    /// kept as it was (see [`Disease::correct_status`]).
    pub corrects: Option<Correction>,
}

impl StatusChange {
    /// A new entry with a fresh id.
    pub fn new(date: Date, status: DiseaseStatus, note: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            date: Some(date),
            status,
            note: Identifying::new(note.into()),
            corrects: None,
        }
    }
}

/// 疾患・障害 — one disease or disability of the client, with its history.
///
/// The state is never overwritten: relapses (再燃) and progression (進行) are
/// new entries in [`status_history`](Self::status_history), and
/// [`current_status`](Self::current_status) reads the latest one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Disease {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// The disease's id in the reference database (共有データベース), e.g.
    /// `"ulcerative-colitis"`; `None` for a disease not in it.
    pub reference_id: Option<String>,
    /// 疾患名・障害名 — the name shown, e.g. 潰瘍性大腸炎. Not identifying.
    pub name: String,
    /// 病型 — the type, if the reference distinguishes types (e.g. 全大腸炎型).
    pub subtype: String,
    /// 経過 — dated status changes, oldest first.
    pub status_history: Vec<StatusChange>,
    /// 主治医の意見・備考 — notes. Identifying.
    pub note: Identifying<String>,
    /// 削除 — set when the disease was removed as entered by mistake. The
    /// entry stays in the case for its history but leaves every current
    /// view (see [`Disease::remove`]).
    pub removed: Option<Removal>,
}

impl Disease {
    /// A new disease entry with a fresh id and no history.
    pub fn new(reference_id: Option<&str>, name: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            reference_id: reference_id.map(str::to_owned),
            name: name.into(),
            ..Self::default()
        }
    }

    /// The status now: the entry with the latest date; among entries with
    /// the same (or no) date, the one entered last. `None` with no history.
    pub fn current_status(&self) -> Option<DiseaseStatus> {
        self.latest_change().map(|c| c.status)
    }

    /// The latest entry of the history, as [`current_status`](Self::current_status) picks it.
    /// An entry that was corrected is never picked: its correction stands
    /// in its place.
    pub fn latest_change(&self) -> Option<&StatusChange> {
        self.current_history()
            .enumerate()
            .max_by_key(|(i, c)| (c.date, *i))
            .map(|(_, c)| c)
    }

    /// Adds a change to the history, keeping it in date order (after any
    /// entry with the same date). Nothing earlier is removed or altered.
    pub fn record_status(&mut self, change: StatusChange) {
        let at = self
            .status_history
            .partition_point(|c| c.date <= change.date);
        self.status_history.insert(at, change);
    }

    /// Every relapse (再燃) recorded, oldest first, as corrected.
    pub fn relapses(&self) -> impl Iterator<Item = &StatusChange> {
        self.current_history()
            .filter(|c| c.status == DiseaseStatus::Relapse)
    }
}

// ---------------------------------------------------------------------------
// 医療・福祉の状況
// ---------------------------------------------------------------------------

/// The kind of disability certificate (障害者手帳の種類).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 身体障害者手帳 — physical disability (grades 1–6級).
    #[default]
    Physical,
    /// 療育手帳 — intellectual disability (grades A/B, by prefecture).
    Intellectual,
    /// 精神障害者保健福祉手帳 — mental disability (grades 1–3級).
    Mental,
}

impl CertificateKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 3] = [Self::Physical, Self::Intellectual, Self::Mental];

    /// The short Japanese term (身体/療育/精神).
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Physical => "身体",
            Self::Intellectual => "療育",
            Self::Mental => "精神",
        }
    }

    /// The certificate's full name.
    pub fn full_name_ja(self) -> &'static str {
        match self {
            Self::Physical => "身体障害者手帳",
            Self::Intellectual => "療育手帳",
            Self::Mental => "精神障害者保健福祉手帳",
        }
    }
}

/// 障害者手帳 — a disability certificate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisabilityCertificate {
    /// 種類 — 身体/療育/精神.
    pub kind: CertificateKind,
    /// 等級 — the grade as written on the certificate: "2級", "A", "B1"…
    pub grade: String,
    /// 交付日 — when issued.
    pub issued_on: Option<Date>,
    /// 有効期限・再認定 — next renewal or re-assessment, if any.
    pub renewal_on: Option<Date>,
}

/// The kind of disability pension (障害年金の種類).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PensionKind {
    /// 障害基礎年金 — basic disability pension (grades 1–2).
    #[default]
    Basic,
    /// 障害厚生年金 — employees' disability pension (grades 1–3).
    Employees,
}

impl PensionKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 2] = [Self::Basic, Self::Employees];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Basic => "障害基礎年金",
            Self::Employees => "障害厚生年金",
        }
    }
}

/// 障害年金 — the disability pension received.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisabilityPension {
    /// 種類 — basic or employees'.
    pub kind: PensionKind,
    /// 等級 — grade 1, 2 or 3.
    pub grade: Option<u8>,
    /// 受給開始 — since when.
    pub since: Option<Date>,
    /// 次回更新 — next renewal (診断書提出), if fixed.
    pub renewal_on: Option<Date>,
}

/// The kind of medical-expense certificate (医療受給者証の種類).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MedicalCertificateKind {
    /// 特定医療費(指定難病)受給者証 — for a designated intractable disease.
    #[default]
    SpecifiedDisease,
    /// 自立支援医療受給者証 — continuing medical care (e.g. psychiatric outpatient).
    IndependenceSupport,
    /// 医療受給者証（その他） — any other (e.g. a municipal scheme).
    Other,
}

impl MedicalCertificateKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 3] = [
        Self::SpecifiedDisease,
        Self::IndependenceSupport,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::SpecifiedDisease => "特定医療費(指定難病)受給者証",
            Self::IndependenceSupport => "自立支援医療受給者証",
            Self::Other => "医療受給者証",
        }
    }
}

/// 医療受給者証 — a medical-expense certificate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MedicalCertificate {
    /// 種類.
    pub kind: MedicalCertificateKind,
    /// 対象疾患 — the id of the [`Disease`] it covers, if recorded.
    pub disease_id: Option<String>,
    /// 有効期間（終了日） — valid until.
    pub valid_until: Option<Date>,
}

// ---------------------------------------------------------------------------
// 家族構成・協力体制
// ---------------------------------------------------------------------------

/// 家族構成 — one member of the client's family.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FamilyMember {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 続柄 — relation to the client (母, 夫, 長男…). Not identifying.
    pub relation: String,
    /// 氏名 — name. Identifying.
    pub name: Identifying<String>,
    /// 同居 — lives with the client.
    pub lives_with_client: bool,
    /// 備考 — e.g. health, work, care needs. Identifying.
    pub note: Identifying<String>,
}

impl FamilyMember {
    /// A new family member with a fresh id.
    pub fn new(relation: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            relation: relation.into(),
            ..Self::default()
        }
    }
}

/// 協力体制 — one person who helps the client.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Supporter {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 氏名 — name. Identifying.
    pub name: Identifying<String>,
    /// 関係 — relation to the client (母, 主治医, 保健師, 友人…). Not identifying.
    pub relation: String,
    /// 役割 — what they help with. Identifying (free text).
    pub role: Identifying<String>,
    /// 連絡先 — phone, e-mail or address. Identifying.
    pub contact: Identifying<String>,
}

impl Supporter {
    /// A new supporter with a fresh id.
    pub fn new(relation: impl Into<String>) -> Self {
        Self {
            id: new_item_id(),
            relation: relation.into(),
            ..Self::default()
        }
    }
}

// ---------------------------------------------------------------------------
// 学歴・資格・職歴
// ---------------------------------------------------------------------------

/// The level of a school (学校の種類).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolLevel {
    /// 中学校.
    JuniorHigh,
    /// 高等学校.
    #[default]
    HighSchool,
    /// 特別支援学校.
    SpecialNeeds,
    /// 専門学校.
    Vocational,
    /// 短期大学・高等専門学校.
    JuniorCollege,
    /// 大学.
    University,
    /// 大学院.
    Graduate,
    /// その他 (職業訓練校など).
    Other,
}

impl SchoolLevel {
    /// Every level, in display order.
    pub const ALL: [Self; 8] = [
        Self::JuniorHigh,
        Self::HighSchool,
        Self::SpecialNeeds,
        Self::Vocational,
        Self::JuniorCollege,
        Self::University,
        Self::Graduate,
        Self::Other,
    ];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::JuniorHigh => "中学校",
            Self::HighSchool => "高等学校",
            Self::SpecialNeeds => "特別支援学校",
            Self::Vocational => "専門学校",
            Self::JuniorCollege => "短期大学・高等専門学校",
            Self::University => "大学",
            Self::Graduate => "大学院",
            Self::Other => "その他",
        }
    }
}

/// How a course of education ended (卒業・中退).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// 卒業・修了.
    #[default]
    Graduated,
    /// 中退.
    Withdrew,
    /// 在学中.
    Enrolled,
}

impl Completion {
    /// Every value, in display order.
    pub const ALL: [Self; 3] = [Self::Graduated, Self::Withdrew, Self::Enrolled];

    /// The Japanese term shown on screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Graduated => "卒業",
            Self::Withdrew => "中退",
            Self::Enrolled => "在学中",
        }
    }
}

/// 学歴 — one school attended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Education {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 学校の種類.
    pub level: SchoolLevel,
    /// 学校名 — Identifying (with the dates it narrows down a person).
    pub school: Identifying<String>,
    /// 学部・学科 — field of study (経済学部, 情報処理科…). Not identifying.
    pub field: String,
    /// 入学 — from.
    pub from: Option<Date>,
    /// 卒業・退学 — to.
    pub to: Option<Date>,
    /// 卒業・中退・在学中.
    pub completion: Completion,
}

impl Education {
    /// A new entry with a fresh id.
    pub fn new(level: SchoolLevel) -> Self {
        Self {
            id: new_item_id(),
            level,
            ..Self::default()
        }
    }
}

/// 資格 — a qualification or licence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Qualification {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 資格名 — e.g. 日商簿記検定2級, 普通自動車第一種運転免許. Not identifying.
    pub name: String,
    /// 取得日.
    pub acquired_on: Option<Date>,
}

impl Qualification {
    /// A new qualification with a fresh id.
    pub fn new(name: impl Into<String>, acquired_on: Option<Date>) -> Self {
        Self {
            id: new_item_id(),
            name: name.into(),
            acquired_on,
        }
    }
}

/// 職歴 — one past job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkHistoryEntry {
    /// Stable id (UUID v4 string).
    pub id: String,
    /// 勤務先 — employer's name. Identifying (a small business may carry a
    /// person's name, and with the dates it narrows down the client).
    pub employer: Identifying<String>,
    /// 業種 — the employer's industry (製造業, 小売業…). Not identifying.
    pub industry: String,
    /// 職種・仕事内容 — the job, as a short title (一般事務, 調理補助…). Not identifying.
    pub job: String,
    /// 雇用形態 — employment type.
    pub employment_type: Option<EmploymentType>,
    /// 入職 — from.
    pub from: Option<Date>,
    /// 離職 — to (`None` while still employed).
    pub to: Option<Date>,
    /// 離職理由 — reason for leaving. Identifying (free text).
    pub reason_for_leaving: Identifying<String>,
}

impl WorkHistoryEntry {
    /// A new entry with a fresh id.
    pub fn new() -> Self {
        Self {
            id: new_item_id(),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn status_history_keeps_a_relapse_after_later_changes() {
        let mut disease = Disease::new(Some("ulcerative-colitis"), "潰瘍性大腸炎");
        disease.record_status(StatusChange::new(
            date!(2015 - 06 - 01),
            DiseaseStatus::Onset,
            "",
        ));
        disease.record_status(StatusChange::new(
            date!(2017 - 03 - 01),
            DiseaseStatus::Remission,
            "",
        ));
        disease.record_status(StatusChange::new(
            date!(2023 - 11 - 10),
            DiseaseStatus::Relapse,
            "入院2週間",
        ));
        assert_eq!(disease.current_status(), Some(DiseaseStatus::Relapse));

        disease.record_status(StatusChange::new(
            date!(2024 - 02 - 01),
            DiseaseStatus::Improvement,
            "",
        ));
        disease.record_status(StatusChange::new(
            date!(2024 - 08 - 01),
            DiseaseStatus::Remission,
            "",
        ));

        assert_eq!(disease.current_status(), Some(DiseaseStatus::Remission));
        let relapses: Vec<_> = disease.relapses().collect();
        assert_eq!(relapses.len(), 1);
        assert_eq!(relapses[0].date, Some(date!(2023 - 11 - 10)));
        assert_eq!(relapses[0].note.expose(), "入院2週間");
        assert_eq!(disease.status_history.len(), 5);
    }

    #[test]
    fn a_late_entered_older_change_does_not_become_current() {
        let mut disease = Disease::new(None, "全身性エリテマトーデス");
        disease.record_status(StatusChange::new(
            date!(2024 - 05 - 01),
            DiseaseStatus::Remission,
            "",
        ));
        disease.record_status(StatusChange::new(
            date!(2020 - 01 - 01),
            DiseaseStatus::Onset,
            "",
        ));
        assert_eq!(disease.current_status(), Some(DiseaseStatus::Remission));
        assert_eq!(disease.status_history[0].status, DiseaseStatus::Onset);
    }

    #[test]
    fn a_disease_without_history_has_no_current_status() {
        assert_eq!(Disease::new(None, "x").current_status(), None);
    }

    #[test]
    fn a_misspelt_basic_field_is_refused() {
        let err = serde_json::from_str::<BasicInfo>(r#"{"nmae":"見本 花子"}"#)
            .expect_err("an unknown field must be refused");
        assert!(err.to_string().contains("nmae"), "{err}");
    }

    #[test]
    fn a_birth_year_given_as_text_is_refused() {
        assert!(serde_json::from_str::<BasicInfo>(r#"{"birth_year":"1985"}"#).is_err());
        assert!(serde_json::from_str::<BasicInfo>(r#"{"birth_date":"1985/04/01"}"#).is_err());
        let ok: BasicInfo =
            serde_json::from_str(r#"{"birth_year":1985,"birth_date":"1985-04-01"}"#)
                .expect("parses");
        assert_eq!(ok.birth_year, Some(1985));
        assert_eq!(*ok.birth_date.expose(), Some(date!(1985 - 04 - 01)));
    }
}
