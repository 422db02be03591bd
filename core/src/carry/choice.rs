//! What the client chose to take (本人が選んだ内容), and the case as the
//! file carries it: the chosen parts, everything else empty.

use std::collections::BTreeSet;
use std::str::FromStr;

use super::CarryError;
use crate::model::{Case, CaseManagement, Disease, SectionName};
use crate::store::{MediaId, MediaItem};

/// The sections a client's own record may carry, in display order. The
/// stage, the consents, the programme enrolments and the disclosure
/// choice are this agency's own records and never travel.
pub const CARRIED_SECTIONS: [SectionName; 6] = [
    SectionName::Basic,
    SectionName::CareerPlan,
    SectionName::JobMatch,
    SectionName::CaseManagement,
    SectionName::Monitoring,
    SectionName::Consultations,
];

/// A section's name as the client and the worker read it: (Japanese,
/// English).
pub fn section_label(section: SectionName) -> (&'static str, &'static str) {
    match section {
        SectionName::Stage => ("支援段階", "support stage"),
        SectionName::Basic => ("基本情報", "basic information"),
        SectionName::CareerPlan => (
            "キャリア計画（ディスカバリー・プロフィール）",
            "career plan (discovery, profile)",
        ),
        SectionName::JobMatch => ("ジョブマッチ", "job match"),
        SectionName::CaseManagement => (
            "ケースマネジメント（職業的課題・支援計画）",
            "case management (vocational issues, support plan)",
        ),
        SectionName::Monitoring => ("モニタリング", "monitoring"),
        SectionName::Consultations => ("相談経過", "consultation records"),
        SectionName::Programmes => ("自立支援プログラム", "programmes"),
        SectionName::Consents => ("同意", "consents"),
        SectionName::Disclosure => ("開示/非開示", "disclosure"),
    }
}

/// A section from a word of the command line: its key (`basic`,
/// `career_plan`, `job_match`, `case_management`, `monitoring`,
/// `consultations`) or `profile`/`discovery` (the career plan) and
/// `support_plan` (case management).
pub fn parse_section(word: &str) -> Result<SectionName, CarryError> {
    let word = word.trim().replace('-', "_");
    let section = match word.as_str() {
        "profile" | "discovery" => SectionName::CareerPlan,
        "support_plan" => SectionName::CaseManagement,
        other => SectionName::from_key(other).ok_or(CarryError::SectionNotCarried("?"))?,
    };
    if CARRIED_SECTIONS.contains(&section) {
        Ok(section)
    } else {
        Err(CarryError::SectionNotCarried(section_label(section).0))
    }
}

/// One disease chosen: by its number as listed in the case (from 1), or
/// by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiseasePick {
    /// The n-th disease of the basic information, from 1, counting only
    /// the diseases not removed (as screens list them).
    Number(usize),
    /// The disease's id.
    Id(String),
}

impl FromStr for DiseasePick {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Ok(match s.parse::<usize>() {
            Ok(n) => Self::Number(n),
            Err(_) => Self::Id(s.to_owned()),
        })
    }
}

impl std::fmt::Display for DiseasePick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Id(id) => f.write_str(id),
        }
    }
}

/// What the client chose to take (本人が選んだ内容), chosen with the
/// worker at the table.
///
/// - `sections`: whole sections, from [`CARRIED_SECTIONS`]. The basic
///   information carries no disease by itself;
/// - `diseases`: each with its course (経過) and its medical certificates
///   (医療受給者証), and, with any disease, the vocational issues that
///   apply with their accommodations (職業的課題と配慮事項): the model
///   keeps those for the client, not per disease;
/// - `media`: photos and video the client has approved for showing
///   (本人の同意), with their bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CarryChoice {
    /// The sections chosen.
    pub sections: BTreeSet<SectionName>,
    /// The diseases chosen.
    pub diseases: Vec<DiseasePick>,
    /// The photos and videos chosen.
    pub media: Vec<MediaId>,
}

/// A choice checked against its case: the diseases' ids and the items.
pub(super) struct Resolved {
    pub(super) sections: Vec<SectionName>,
    pub(super) disease_ids: Vec<String>,
    pub(super) media: Vec<MediaItem>,
}

impl CarryChoice {
    /// Whether nothing at all was chosen.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty() && self.diseases.is_empty() && self.media.is_empty()
    }

    /// Checks the choice against `case` and its `items`: every section
    /// one a record carries, every disease the case's, every item the
    /// case's and approved.
    pub(super) fn resolve(&self, case: &Case, items: &[MediaItem]) -> Result<Resolved, CarryError> {
        if self.is_empty() {
            return Err(CarryError::NothingChosen);
        }
        for section in &self.sections {
            if !CARRIED_SECTIONS.contains(section) {
                return Err(CarryError::SectionNotCarried(section_label(*section).0));
            }
        }
        // A disease removed as entered by mistake is not the client's to
        // carry: it cannot be picked, and numbers count the others.
        let diseases: Vec<&Disease> = case.basic.current_diseases().collect();
        let mut disease_ids: Vec<String> = Vec::new();
        for pick in &self.diseases {
            let found = match pick {
                DiseasePick::Number(n) => n.checked_sub(1).and_then(|i| diseases.get(i).copied()),
                DiseasePick::Id(id) => diseases.iter().copied().find(|d| &d.id == id),
            };
            let id = &found
                .ok_or_else(|| CarryError::NoSuchDisease(pick.to_string()))?
                .id;
            if !disease_ids.contains(id) {
                disease_ids.push(id.clone());
            }
        }
        let mut media: Vec<MediaItem> = Vec::new();
        for id in &self.media {
            let item = items
                .iter()
                .find(|i| i.id == *id)
                .ok_or(CarryError::NoSuchMedia(*id))?;
            if item.approval.is_none() {
                return Err(CarryError::MediaNotApproved(*id));
            }
            if !media.iter().any(|m| m.id == *id) {
                media.push(item.clone());
            }
        }
        Ok(Resolved {
            sections: CARRIED_SECTIONS
                .into_iter()
                .filter(|s| self.sections.contains(s))
                .collect(),
            disease_ids,
            media,
        })
    }
}

impl Resolved {
    /// `case` as the file carries it: the chosen sections whole, the chosen
    /// diseases, and nothing else; references to parts left behind are
    /// emptied, so the carried case is valid on its own. A fresh id.
    pub(super) fn carried(&self, case: &Case) -> Case {
        let chose = |s: SectionName| self.sections.contains(&s);
        let mut out = Case::new();
        if chose(SectionName::Basic) {
            out.basic = case.basic.clone();
        }
        out.basic.diseases = case
            .basic
            .diseases
            .iter()
            .filter(|d| self.disease_ids.contains(&d.id))
            .cloned()
            .collect();
        out.basic.medical_certificates = case
            .basic
            .medical_certificates
            .iter()
            .filter(|c| match &c.disease_id {
                Some(id) => self.disease_ids.contains(id),
                None => chose(SectionName::Basic),
            })
            .cloned()
            .collect();
        if chose(SectionName::CareerPlan) {
            out.career_plan = case.career_plan.clone();
        }
        if chose(SectionName::JobMatch) {
            out.job_match = case.job_match.clone();
        }
        if chose(SectionName::CaseManagement) {
            out.case_management = case.case_management.clone();
        } else if !self.disease_ids.is_empty() {
            out.case_management = CaseManagement {
                vocational_issues: case.case_management.applicable_issues().cloned().collect(),
                ..CaseManagement::default()
            };
        }
        if chose(SectionName::Monitoring) {
            out.monitoring = case.monitoring.clone();
        }
        if chose(SectionName::Consultations) {
            out.consultations = case.consultations.clone();
        }
        drop_references_left_behind(&mut out);
        out
    }

    /// What the consent's note says was chosen (identifying: the disease
    /// names and the captions are the client's).
    pub(super) fn note(&self, case: &Case) -> String {
        let mut parts = Vec::new();
        if !self.sections.is_empty() {
            let names: Vec<&str> = self.sections.iter().map(|s| section_label(*s).0).collect();
            parts.push(format!("項目: {}", names.join("、")));
        }
        if !self.disease_ids.is_empty() {
            let names: Vec<&str> = case
                .basic
                .diseases
                .iter()
                .filter(|d| self.disease_ids.contains(&d.id))
                .map(|d| d.name.as_str())
                .collect();
            parts.push(format!(
                "疾患: {}（職業的課題・配慮事項を含む）",
                names.join("、")
            ));
        }
        if !self.media.is_empty() {
            let ids: Vec<String> = self
                .media
                .iter()
                .map(|m| format!("{} {}", m.kind.label_ja(), m.id))
                .collect();
            parts.push(format!("写真・動画: {}", ids.join("、")));
        }
        format!("本人携帯記録として本人に渡した内容 — {}", parts.join(" / "))
    }

    /// The audit log's words for the read: counts only.
    pub(super) fn audit_detail(&self) -> String {
        let keys: Vec<&str> = self.sections.iter().map(|s| s.key()).collect();
        format!(
            "client record: sections [{}], {} disease(s), {} media",
            keys.join(","),
            self.disease_ids.len(),
            self.media.len()
        )
    }
}

/// Empties the references of `case` to parts it does not hold: tasks'
/// strengths, a hire's or a consultation's employer.
fn drop_references_left_behind(case: &mut Case) {
    let strengths: Vec<String> = case
        .career_plan
        .discovery
        .strengths
        .iter()
        .map(|s| s.id.clone())
        .collect();
    for employer in &mut case.job_match.employers {
        for task in &mut employer.tasks {
            task.strength_ids.retain(|id| strengths.contains(id));
        }
    }
    let employers: Vec<String> = case
        .job_match
        .employers
        .iter()
        .map(|e| e.id.clone())
        .collect();
    if let Some(hire) = &mut case.monitoring.hire
        && !employers.contains(&hire.employer_id)
    {
        hire.employer_id.clear();
    }
    for record in &mut case.consultations {
        if record
            .employer_id
            .as_ref()
            .is_some_and(|id| !employers.contains(id))
        {
            record.employer_id = None;
        }
    }
}

#[cfg(test)]
mod removed_disease_tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_disease_removed_as_a_mistake_is_not_carried_and_numbers_skip_it() {
        let mut case = Case::new();
        case.basic
            .diseases
            .push(Disease::new(None, "誤って登録した疾患"));
        case.basic.diseases.push(Disease::new(None, "本人の疾患"));
        case.basic.diseases[0]
            .remove(date!(2026 - 11 - 25), "worker", "誤登録")
            .expect("removed");

        let first = CarryChoice {
            diseases: vec![DiseasePick::Number(1)],
            ..CarryChoice::default()
        };
        let resolved = first.resolve(&case, &[]).expect("resolves");
        let carried = resolved.carried(&case);
        let names: Vec<&str> = carried
            .basic
            .diseases
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(names, ["本人の疾患"], "numbers count the current diseases");

        let removed = CarryChoice {
            diseases: vec![DiseasePick::Id(case.basic.diseases[0].id.clone())],
            ..CarryChoice::default()
        };
        assert!(matches!(
            removed.resolve(&case, &[]),
            Err(CarryError::NoSuchDisease(_))
        ));
    }
}
