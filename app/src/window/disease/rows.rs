//! The rows the disease screen shows, built from the case and the
//! reference: the checklist of the selected disease and its history, with
//! the fields a restore left empty marked 要再入力.

use slint::{ModelRc, SharedString, VecModel};
use time::Date;
use tsunagi_core::model::VocationalIssue;
use tsunagi_core::reference::{DemandLevel, DiseaseId, ReferenceDb};

use super::corrections::remark;
use super::reentry::{Step, is_marked};
use super::{DiseaseController, format_date};
use crate::window::i18n::{self, tr};
use crate::window::ui::{DiseaseIssueRow, DiseaseOption, DiseaseStatusRow};

impl DiseaseController {
    /// The checklist of the selected disease against the target occupation:
    /// issues the job demands first (strong before moderate), each with its
    /// options and what this case chose.
    pub fn checklist(&self, db: &ReferenceDb) -> Vec<DiseaseIssueRow> {
        let Some(id) = self
            .disease()
            .and_then(|d| d.reference_id.as_deref())
            .and_then(|id| DiseaseId::new(id).ok())
        else {
            return Vec::new();
        };
        db.checklist(&id, self.occupation.as_ref())
            .into_iter()
            .map(|item| {
                let chosen = self.issue(item.code().as_str());
                let picked = |id: &str| {
                    chosen.is_some_and(|i| {
                        i.accommodations
                            .iter()
                            .any(|a| a.reference_id.as_deref() == Some(id))
                    })
                };
                let options: Vec<DiseaseOption> = item
                    .accommodations()
                    .iter()
                    .map(|a| DiseaseOption {
                        id: a.id.as_str().into(),
                        text: i18n::text(&a.text).into(),
                        chosen: picked(a.id.as_str()),
                        unverified: !a.basis.is_verified(),
                    })
                    .collect();
                let own: Vec<(SharedString, bool)> = chosen
                    .map(|i| {
                        let at = self.issue_position(i);
                        i.accommodations
                            .iter()
                            .enumerate()
                            .filter(|(_, a)| a.reference_id.is_none())
                            .map(|(k, a)| {
                                let marked = is_marked(
                                    &self.reentry,
                                    &[
                                        Step::Field("case_management"),
                                        Step::Field("vocational_issues"),
                                        Step::Item(&i.id, at),
                                        Step::Field("accommodations"),
                                        Step::Item("", k),
                                        Step::Field("text"),
                                    ],
                                );
                                (a.text.expose().as_str().into(), marked)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let (own, own_reentry): (Vec<SharedString>, Vec<bool>) = own.into_iter().unzip();
                DiseaseIssueRow {
                    code: item.code().as_str().into(),
                    name: i18n::text(&item.issue.name).into(),
                    description: i18n::text(&item.issue.description).into(),
                    note: item
                        .disease_note()
                        .map(i18n::text)
                        .unwrap_or_default()
                        .into(),
                    applicable: chosen.is_some_and(|i| i.applicable),
                    demand: match item.job_demand.map(|d| d.level) {
                        Some(DemandLevel::High) => 2,
                        Some(DemandLevel::Moderate) => 1,
                        None => 0,
                    },
                    demand_note: item
                        .job_demand
                        .and_then(|d| d.note.as_ref())
                        .map(i18n::text)
                        .unwrap_or_default()
                        .into(),
                    options: ModelRc::new(VecModel::from(options)),
                    own: ModelRc::new(VecModel::from(own)),
                    own_reentry: ModelRc::new(VecModel::from(own_reentry)),
                }
            })
            .collect()
    }

    /// The selected disease's history, newest first: every entry, those
    /// that were corrected marked so and kept beside their corrections.
    pub fn history(&self) -> Vec<DiseaseStatusRow> {
        let Some(disease) = self.disease() else {
            return Vec::new();
        };
        let at = self.selected;
        let mut rows: Vec<(Option<Date>, usize, DiseaseStatusRow)> = disease
            .status_history
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let corrected = disease.is_corrected(&c.id);
                let row = DiseaseStatusRow {
                    id: c.id.as_str().into(),
                    corrected,
                    remark: remark(disease, &c.id).into(),
                    can_correct: !corrected && !self.read_only && !c.id.is_empty(),
                    date: c.date.map(format_date).unwrap_or_default().into(),
                    status: tr(c.status.label_ja()).into(),
                    note: c.note.expose().as_str().into(),
                    reentry: is_marked(
                        &self.reentry,
                        &[
                            Step::Field("basic"),
                            Step::Field("diseases"),
                            Step::Item(&disease.id, at),
                            Step::Field("status_history"),
                            Step::Item(&c.id, i),
                            Step::Field("note"),
                        ],
                    ),
                };
                (c.date, i, row)
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse((r.0, r.1)));
        rows.into_iter().map(|(_, _, row)| row).collect()
    }

    /// Where `issue` stands in the case's list of vocational issues.
    fn issue_position(&self, issue: &VocationalIssue) -> usize {
        self.management
            .vocational_issues
            .iter()
            .position(|i| std::ptr::eq(i, issue))
            .unwrap_or(usize::MAX)
    }
}
