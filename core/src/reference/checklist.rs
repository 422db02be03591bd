//! The issue checklist (課題チェックリスト): a disease's vocational issues with
//! their accommodation options, flagged where a job's demands touch them.

use super::{
    Accommodation, DemandLevel, DiseaseId, DiseaseIssue, IssueCode, LocalizedText,
    OccupationDemand, OccupationId, ReferenceDb, ReferenceError, VocationalIssue,
};

/// One line of the issue checklist: a vocational issue (職業的課題) that the
/// disease typically brings, what it looks like in this disease, the
/// accommodation options (配慮事項) to choose from, and — when a job was
/// given — whether and how the job touches it.
#[derive(Debug, Clone, Copy)]
pub struct ChecklistItem<'a> {
    /// The issue from the catalogue.
    pub issue: &'a VocationalIssue,
    /// The disease's entry for the issue (its disease-specific note).
    pub disease_issue: &'a DiseaseIssue,
    /// The job's demand on this issue, if the job makes one. `Some` means the
    /// issue matters for this job (この職業で特に確認が必要).
    pub job_demand: Option<&'a OccupationDemand>,
}

impl<'a> ChecklistItem<'a> {
    /// The issue code.
    pub fn code(&self) -> &'a IssueCode {
        &self.issue.code
    }

    /// The options to choose from for this issue.
    pub fn accommodations(&self) -> &'a [Accommodation] {
        &self.issue.accommodations
    }

    /// What the issue looks like in this disease, if the sources say.
    pub fn disease_note(&self) -> Option<&'a LocalizedText> {
        self.disease_issue.note.as_ref()
    }

    /// Whether the job's demands touch this issue.
    pub fn touches_job(&self) -> bool {
        self.job_demand.is_some()
    }
}

impl ReferenceDb {
    /// The checklist for a disease, optionally against a job.
    ///
    /// Items the job touches come first (strong demands before moderate
    /// ones); within each band the disease's own order (most characteristic
    /// first) is kept. Without a job nothing is flagged.
    ///
    /// An id this database does not know yields an empty list (unknown
    /// disease) or no flags (unknown occupation) — this can happen when a case
    /// was recorded under another release. Use [`ReferenceDb::try_checklist`]
    /// to be told instead.
    pub fn checklist(
        &self,
        disease: &DiseaseId,
        occupation: Option<&OccupationId>,
    ) -> Vec<ChecklistItem<'_>> {
        let Some(disease) = self.disease(disease) else {
            return Vec::new();
        };
        let occupation = occupation.and_then(|id| self.occupation(id));
        let mut items: Vec<ChecklistItem<'_>> = disease
            .issues
            .iter()
            .filter_map(|di| {
                // Validation guarantees the code exists; skip rather than panic.
                let issue = self.issue(&di.code)?;
                Some(ChecklistItem {
                    issue,
                    disease_issue: di,
                    job_demand: occupation.and_then(|o| o.demand(&di.code)),
                })
            })
            .collect();
        items.sort_by_key(|item| match item.job_demand.map(|d| d.level) {
            Some(DemandLevel::High) => 0,
            Some(DemandLevel::Moderate) => 1,
            None => 2,
        });
        items
    }

    /// Like [`ReferenceDb::checklist`], but an unknown disease or occupation
    /// is an error.
    pub fn try_checklist(
        &self,
        disease: &DiseaseId,
        occupation: Option<&OccupationId>,
    ) -> Result<Vec<ChecklistItem<'_>>, ReferenceError> {
        if self.disease(disease).is_none() {
            return Err(ReferenceError::UnknownDisease {
                id: disease.to_string(),
            });
        }
        if let Some(id) = occupation
            && self.occupation(id).is_none()
        {
            return Err(ReferenceError::UnknownOccupation { id: id.to_string() });
        }
        Ok(self.checklist(disease, occupation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::test_support::{bundled, disease_id, occupation_id};

    fn codes(items: &[ChecklistItem<'_>]) -> Vec<String> {
        items.iter().map(|i| i.code().to_string()).collect()
    }

    #[test]
    fn checklist_flags_issues_the_job_demands() {
        let db = bundled();
        let uc = disease_id("ulcerative-colitis");
        let items = db.checklist(&uc, Some(&occupation_id("truck-driver")));
        let disease = db.disease(&uc).expect("bundled disease");
        assert_eq!(
            items.len(),
            disease.issues.len(),
            "every issue of the disease is listed"
        );

        let toilet = items
            .iter()
            .find(|i| i.code().as_str() == "TOIL")
            .expect("UC brings TOIL");
        assert!(toilet.touches_job(), "driving limits toilet access");
        assert_eq!(toilet.job_demand.map(|d| d.level), Some(DemandLevel::High));
        let diet = items
            .iter()
            .find(|i| i.code().as_str() == "DIET")
            .expect("UC brings DIET");
        assert!(!diet.touches_job(), "driving makes no demand on diet");

        // Flagged items come first.
        let first_unflagged = items
            .iter()
            .position(|i| !i.touches_job())
            .expect("some issues are untouched");
        assert!(items[..first_unflagged].iter().all(|i| i.touches_job()));
        assert!(items[first_unflagged..].iter().all(|i| !i.touches_job()));
        assert_eq!(
            items[0].code().as_str(),
            "TOIL",
            "a strong demand is listed first"
        );
    }

    #[test]
    fn checklist_puts_strong_demands_before_moderate_ones() {
        let db = bundled();
        // SLE lists FAT, UV, COLD, CLIN, MED, STRESS, INVIS, LOAD. Field farm work
        // demands UV and LOAD strongly and COLD moderately, so LOAD must move up
        // past COLD, and the untouched issues keep their order behind them.
        let items = db.checklist(
            &disease_id("systemic-lupus-erythematosus"),
            Some(&occupation_id("field-farm-worker")),
        );
        assert_eq!(
            codes(&items),
            [
                "UV", "LOAD", "COLD", "FAT", "CLIN", "MED", "STRESS", "INVIS"
            ]
        );
    }

    #[test]
    fn checklist_without_a_job_keeps_the_disease_order_and_flags_nothing() {
        let db = bundled();
        let id = disease_id("crohns-disease");
        let items = db.checklist(&id, None);
        let disease = db.disease(&id).expect("bundled disease");
        let expected: Vec<String> = disease.issues.iter().map(|i| i.code.to_string()).collect();
        assert_eq!(codes(&items), expected);
        assert!(items.iter().all(|i| !i.touches_job()));
        assert!(
            items.iter().all(|i| !i.accommodations().is_empty()),
            "every issue offers options"
        );
    }

    #[test]
    fn checklist_carries_the_disease_specific_note() {
        let db = bundled();
        let items = db.checklist(&disease_id("myasthenia-gravis"), None);
        let fat = items
            .iter()
            .find(|i| i.code().as_str() == "FAT")
            .expect("MG brings FAT");
        let note = fat.disease_note().expect("MG has a fatigue note");
        assert!(note.ja.contains("横になる"), "{}", note.ja);
    }

    #[test]
    fn checklist_for_an_unknown_disease_is_empty_and_try_checklist_says_why() {
        let db = bundled();
        let unknown = disease_id("no-such-disease");
        assert!(db.checklist(&unknown, None).is_empty());
        let err = db
            .try_checklist(&unknown, None)
            .expect_err("unknown disease");
        assert!(err.to_string().contains("no-such-disease"), "{err}");
        let err = db
            .try_checklist(
                &disease_id("sarcoidosis"),
                Some(&occupation_id("astronaut")),
            )
            .expect_err("unknown occupation");
        assert!(err.to_string().contains("astronaut"), "{err}");
    }
}
