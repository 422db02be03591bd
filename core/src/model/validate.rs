//! Consistency of a whole case (整合性): every listed item has its own id,
//! references between sections point at items that exist, and date ranges
//! run forwards. JSON shape and types are already enforced by serde; this
//! checks what serde cannot. The change history (`crate::revision`) matches
//! list items by id, so ids must be present and unique within their list.

use std::collections::HashSet;

use super::{Case, MAX_PROGRAMME_MONTHS, ProgrammePeriod, new_item_id};

/// Why a case is inconsistent. Messages name fields and ids only, never a
/// value, so they are safe to show and to log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// An item of a list has an empty `id`; [`Case::ensure_ids`] fills them.
    #[error("an item in {list} has no id")]
    MissingId {
        /// The list, as a JSON path (e.g. `job_match.employers`).
        list: &'static str,
    },
    /// Two items of one list share an id.
    #[error("two items in {list} have the same id {id}")]
    DuplicateId {
        /// The list, as a JSON path.
        list: &'static str,
        /// The shared id.
        id: String,
    },
    /// A field refers to an item that is not in the case.
    #[error("{field} refers to {id}, which is not in this case")]
    DanglingReference {
        /// The referring field, as a JSON path.
        field: &'static str,
        /// The id referred to.
        id: String,
    },
    /// A period ends before it starts (e.g. a consent withdrawn before it was given).
    #[error("{field} ends before it starts")]
    DatesReversed {
        /// The period, as a JSON path.
        field: &'static str,
    },
    /// A text is longer than [`MAX_TEXT_CHARS`].
    #[error("{field} is longer than {MAX_TEXT_CHARS} characters")]
    TextTooLong {
        /// The field, as a JSON path (`[]` for any item of a list).
        field: String,
    },
    /// A list has more than [`MAX_LIST_ITEMS`] items.
    #[error("{list} has more than {MAX_LIST_ITEMS} items")]
    ListTooLong {
        /// The list, as a JSON path.
        list: String,
    },
    /// A programme's period runs past [`MAX_PROGRAMME_MONTHS`] from its
    /// start, extensions included.
    #[error(
        "programmes[].period ends more than {MAX_PROGRAMME_MONTHS} months after it starts, extensions included"
    )]
    ProgrammeTooLong,
    /// An extension of a programme does not end later than the end it
    /// extends (the planned end, or the extension before it).
    #[error("{field} does not end later than the end it extends")]
    ExtensionNotLater {
        /// The extension's end, as a JSON path.
        field: &'static str,
    },
    /// The whole case is larger than [`MAX_CASE_BYTES`] as JSON.
    #[error("the case is larger than {} MiB", MAX_CASE_BYTES / (1024 * 1024))]
    CaseTooLarge,
}

/// The longest text a case field holds, in characters: a long consultation
/// note fits many times over. The same limit holds on the tablet's form,
/// at import, and on the companion, so nothing accepted on the tablet is
/// refused later.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// The most items a list of a case holds.
pub const MAX_LIST_ITEMS: usize = 2_000;
/// The largest case, as JSON.
pub const MAX_CASE_BYTES: usize = 4 * 1024 * 1024;

/// Checks every text and list of `value` (a case as JSON) against the
/// limits; `path` is where `value` sits.
fn check_sizes(value: &serde_json::Value, path: &mut String) -> Result<(), ValidationError> {
    match value {
        serde_json::Value::String(text) if text.chars().count() > MAX_TEXT_CHARS => {
            Err(ValidationError::TextTooLong {
                field: path.clone(),
            })
        }
        serde_json::Value::Array(items) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(ValidationError::ListTooLong { list: path.clone() });
            }
            let len = path.len();
            path.push_str("[]");
            for item in items {
                check_sizes(item, path)?;
            }
            path.truncate(len);
            Ok(())
        }
        serde_json::Value::Object(fields) => {
            for (name, field) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                check_sizes(field, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Every list whose items carry an id, as (JSON path, the ids' fields).
/// Nested lists (an employer's tasks) form one group per parent item, since
/// ids need only be unique within their own list.
fn id_groups(case: &mut Case) -> Vec<(&'static str, Vec<&mut String>)> {
    let mut groups: Vec<(&'static str, Vec<&mut String>)> = Vec::new();
    let b = &mut case.basic;
    let mut diseases = Vec::new();
    for d in &mut b.diseases {
        diseases.push(&mut d.id);
        groups.push((
            "basic.diseases[].status_history",
            d.status_history.iter_mut().map(|c| &mut c.id).collect(),
        ));
    }
    groups.push(("basic.diseases", diseases));
    groups.push((
        "basic.family",
        b.family.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "basic.supporters",
        b.supporters.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "basic.education",
        b.education.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "basic.qualifications",
        b.qualifications.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "basic.work_history",
        b.work_history.iter_mut().map(|x| &mut x.id).collect(),
    ));

    let cp = &mut case.career_plan;
    let d = &mut cp.discovery;
    groups.push((
        "career_plan.discovery.strengths",
        d.strengths.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "career_plan.discovery.interests",
        d.interests.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "career_plan.discovery.preferred_work",
        d.preferred_work.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "career_plan.discovery.achievements",
        d.achievements.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "career_plan.discovery.activities",
        d.activities.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "career_plan.meetings",
        cp.meetings.iter_mut().map(|x| &mut x.id).collect(),
    ));

    let mut employers = Vec::new();
    for e in &mut case.job_match.employers {
        employers.push(&mut e.id);
        groups.push((
            "job_match.employers[].business_needs",
            e.business_needs.iter_mut().map(|x| &mut x.id).collect(),
        ));
        groups.push((
            "job_match.employers[].tasks",
            e.tasks.iter_mut().map(|x| &mut x.id).collect(),
        ));
        groups.push((
            "job_match.employers[].adjustments",
            e.adjustments.iter_mut().map(|x| &mut x.id).collect(),
        ));
    }
    groups.push(("job_match.employers", employers));

    let cm = &mut case.case_management;
    groups.push((
        "case_management.vocational_issues",
        cm.vocational_issues.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "case_management.support_plan.items",
        cm.support_plan
            .items
            .iter_mut()
            .map(|x| &mut x.id)
            .collect(),
    ));
    // An earlier revision's items keep the ids they had, so that what
    // changed between revisions is found by id. Their references to
    // vocational issues are not checked: a revision is frozen history, and
    // an issue may be removed after it.
    for r in &mut cm.support_plan.earlier {
        groups.push((
            "case_management.support_plan.earlier[].items",
            r.items.iter_mut().map(|x| &mut x.id).collect(),
        ));
    }

    let m = &mut case.monitoring;
    groups.push((
        "monitoring.follow_ups",
        m.follow_ups.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "monitoring.reviews",
        m.reviews.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups.push((
        "monitoring.summary.confirmations",
        m.summary
            .confirmations
            .iter_mut()
            .map(|x| &mut x.id)
            .collect(),
    ));

    groups.push((
        "consultations",
        case.consultations.iter_mut().map(|x| &mut x.id).collect(),
    ));
    let mut programmes = Vec::new();
    for p in &mut case.programmes {
        programmes.push(&mut p.id);
        groups.push((
            "programmes[].goals",
            p.goals.iter_mut().map(|x| &mut x.id).collect(),
        ));
        groups.push((
            "programmes[].reviews",
            p.reviews.iter_mut().map(|x| &mut x.id).collect(),
        ));
        groups.push((
            "programmes[].barriers",
            p.barriers.iter_mut().map(|x| &mut x.id).collect(),
        ));
        groups.push((
            "programmes[].period.extensions",
            p.period.extensions.iter_mut().map(|x| &mut x.id).collect(),
        ));
    }
    groups.push(("programmes", programmes));
    groups.push((
        "consents",
        case.consents.iter_mut().map(|x| &mut x.id).collect(),
    ));
    groups
}

/// A programme's extensions each end later than the end they extend, and
/// the whole period, extensions included, ends within
/// [`MAX_PROGRAMME_MONTHS`] of the start (the usual rule: up to a year).
/// Dates not entered yet are skipped: a form is filled in any order.
fn check_programme_period(period: &ProgrammePeriod) -> Result<(), ValidationError> {
    let mut end = period.planned_end.or(period.start);
    for e in &period.extensions {
        let Some(new_end) = e.new_end else { continue };
        if end.is_some_and(|before| new_end <= before) {
            return Err(ValidationError::ExtensionNotLater {
                field: "programmes[].period.extensions[].new_end",
            });
        }
        end = Some(new_end);
    }
    match (period.end(), period.latest_end()) {
        (Some(end), Some(latest)) if end > latest => Err(ValidationError::ProgrammeTooLong),
        _ => Ok(()),
    }
}

impl Case {
    /// Gives a fresh id to every listed item whose `id` is empty, e.g. after
    /// importing hand-written JSON. Existing ids are kept.
    pub fn ensure_ids(&mut self) {
        for (_, ids) in id_groups(self) {
            for id in ids.into_iter().filter(|id| id.is_empty()) {
                *id = new_item_id();
            }
        }
    }

    /// Checks what the JSON shape cannot: ids present and unique within each
    /// list, references pointing at existing items, periods running forwards.
    /// Returns the first problem found. An empty case is valid.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut copy = self.clone();
        for (list, ids) in id_groups(&mut copy) {
            let mut seen = HashSet::new();
            for id in ids {
                if id.is_empty() {
                    return Err(ValidationError::MissingId { list });
                }
                if !seen.insert(id.as_str()) {
                    return Err(ValidationError::DuplicateId {
                        list,
                        id: id.clone(),
                    });
                }
            }
        }
        self.check_references()?;
        self.check_periods()?;
        let json = serde_json::to_vec(self).expect("a case serialises");
        if json.len() > MAX_CASE_BYTES {
            return Err(ValidationError::CaseTooLarge);
        }
        let value: serde_json::Value =
            serde_json::from_slice(&json).expect("a case's JSON reads back");
        check_sizes(&value, &mut String::new())
    }

    fn check_references(&self) -> Result<(), ValidationError> {
        // An empty id is a reference not chosen yet (a form filled in any order).
        fn must(field: &'static str, id: &str, found: bool) -> Result<(), ValidationError> {
            if found || id.is_empty() {
                Ok(())
            } else {
                Err(ValidationError::DanglingReference {
                    field,
                    id: id.to_owned(),
                })
            }
        }
        let b = &self.basic;
        for c in &b.medical_certificates {
            if let Some(id) = &c.disease_id {
                must(
                    "basic.medical_certificates[].disease_id",
                    id,
                    b.diseases.iter().any(|d| &d.id == id),
                )?;
            }
        }
        let cp = &self.career_plan;
        if let Some(id) = &cp.direction.agreed_at_meeting {
            must(
                "career_plan.direction.agreed_at_meeting",
                id,
                cp.agreeing_meeting().is_some(),
            )?;
        }
        let strengths = &cp.discovery.strengths;
        for e in &self.job_match.employers {
            for id in e.tasks.iter().flat_map(|t| &t.strength_ids) {
                must(
                    "job_match.employers[].tasks[].strength_ids",
                    id,
                    strengths.iter().any(|s| &s.id == id),
                )?;
            }
            for id in e.proposed.duties.iter().chain(&e.negotiated.duties) {
                must(
                    "job_match.employers[].proposed/negotiated.duties",
                    id,
                    e.task(id).is_some(),
                )?;
            }
        }
        let issues = &self.case_management.vocational_issues;
        for id in self
            .case_management
            .support_plan
            .items
            .iter()
            .filter_map(|i| i.issue_id.as_ref())
        {
            must(
                "case_management.support_plan.items[].issue_id",
                id,
                issues.iter().any(|i| &i.id == id),
            )?;
        }
        if let Some(hire) = &self.monitoring.hire {
            let id = &hire.employer_id;
            must(
                "monitoring.hire.employer_id",
                id,
                self.job_match.employer(id).is_some(),
            )?;
        }
        for id in self
            .consultations
            .iter()
            .filter_map(|c| c.employer_id.as_ref())
        {
            must(
                "consultations[].employer_id",
                id,
                self.job_match.employer(id).is_some(),
            )?;
        }
        Ok(())
    }

    fn check_periods(&self) -> Result<(), ValidationError> {
        fn forwards(
            field: &'static str,
            from: Option<super::Date>,
            to: Option<super::Date>,
        ) -> Result<(), ValidationError> {
            match (from, to) {
                (Some(from), Some(to)) if to < from => {
                    Err(ValidationError::DatesReversed { field })
                }
                _ => Ok(()),
            }
        }
        for e in &self.basic.education {
            forwards("basic.education[].from/to", e.from, e.to)?;
        }
        for w in &self.basic.work_history {
            forwards("basic.work_history[].from/to", w.from, w.to)?;
        }
        if let Some(h) = &self.monitoring.hire {
            forwards("monitoring.hire.hired_on/left_on", h.hired_on, h.left_on)?;
        }
        for c in &self.consents {
            forwards(
                "consents[].given_on/withdrawn_on",
                c.given_on,
                c.withdrawn_on,
            )?;
        }
        for p in &self.programmes {
            forwards(
                "programmes[].period.start/planned_end",
                p.period.start,
                p.period.planned_end,
            )?;
            check_programme_period(&p.period)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::super::{ConsultationRecord, demo_cases};
    use super::*;

    #[test]
    fn every_demo_case_and_an_empty_case_are_valid() {
        assert_eq!(Case::default().validate(), Ok(()));
        for case in demo_cases() {
            assert_eq!(case.validate(), Ok(()), "demo case {}", case.id);
        }
    }

    #[test]
    fn imported_items_without_ids_are_refused_until_ids_are_given() {
        let json = r#"{"consultations":[{"kind":"phone"},{"kind":"interview"}],
            "job_match":{"employers":[{"tasks":[{"name":"検品"}]}]}}"#;
        let mut case: Case = serde_json::from_str(json).expect("parses");
        assert!(matches!(
            case.validate(),
            Err(ValidationError::MissingId { .. })
        ));
        case.ensure_ids();
        assert_eq!(case.validate(), Ok(()));
        assert_ne!(case.consultations[0].id, case.consultations[1].id);
    }

    #[test]
    fn ensuring_ids_keeps_the_ids_already_there() {
        let mut case = demo_cases().remove(0);
        let before = case.clone();
        case.ensure_ids();
        assert_eq!(case, before);
    }

    #[test]
    fn an_earlier_plan_revision_may_name_an_issue_removed_since() {
        let mut case = demo_cases()
            .into_iter()
            .find(|c| {
                c.case_management
                    .support_plan
                    .items
                    .iter()
                    .any(|i| i.issue_id.is_some())
            })
            .expect("a demo plan item addresses an issue");
        let plan = &mut case.case_management.support_plan;
        plan.revise(date!(2025 - 03 - 01));
        for item in &mut plan.items {
            item.issue_id = None;
        }
        case.case_management.vocational_issues.clear();
        assert_eq!(case.validate(), Ok(()), "the kept revision is history");

        let plan = &mut case.case_management.support_plan;
        let earlier = plan.earlier.last_mut().expect("kept");
        earlier.items.push(earlier.items[0].clone());
        assert!(matches!(
            case.validate(),
            Err(ValidationError::DuplicateId {
                list: "case_management.support_plan.earlier[].items",
                ..
            })
        ));
    }

    #[test]
    fn two_records_with_one_id_are_refused() {
        let mut case = demo_cases().remove(0);
        let twin = ConsultationRecord {
            id: case.consultations[0].id.clone(),
            ..ConsultationRecord::new()
        };
        case.consultations.push(twin);
        assert!(matches!(
            case.validate(),
            Err(ValidationError::DuplicateId {
                list: "consultations",
                ..
            })
        ));
    }

    #[test]
    fn a_hire_at_an_unknown_employer_is_refused() {
        let mut case = demo_cases().remove(2);
        case.monitoring
            .hire
            .as_mut()
            .expect("demo case 3 is hired")
            .employer_id = "no-such-employer".into();
        let err = case.validate().expect_err("must refuse");
        assert_eq!(
            err.to_string(),
            "monitoring.hire.employer_id refers to no-such-employer, which is not in this case"
        );
    }

    #[test]
    fn a_consent_withdrawn_before_it_was_given_is_refused() {
        let mut case = demo_cases().remove(1);
        case.consents[0].withdrawn_on = Some(date!(2000 - 01 - 01));
        assert_eq!(
            case.validate(),
            Err(ValidationError::DatesReversed {
                field: "consents[].given_on/withdrawn_on"
            })
        );
    }

    #[test]
    fn a_text_list_or_case_past_the_limits_is_refused_by_its_field() {
        let mut case = demo_cases()[0].clone();
        assert_eq!(case.validate(), Ok(()));
        case.basic.name = crate::pii::Identifying::new("名".repeat(MAX_TEXT_CHARS + 1));
        assert_eq!(
            case.validate(),
            Err(ValidationError::TextTooLong {
                field: "basic.name".into()
            })
        );
        case.basic.name = crate::pii::Identifying::new("名".repeat(MAX_TEXT_CHARS));
        assert_eq!(case.validate(), Ok(()), "the limit itself is allowed");

        let mut long = demo_cases()[0].clone();
        let note = ConsultationRecord::default();
        long.consultations = (0..=MAX_LIST_ITEMS)
            .map(|_| ConsultationRecord {
                id: new_item_id(),
                ..note.clone()
            })
            .collect();
        assert_eq!(
            long.validate(),
            Err(ValidationError::ListTooLong {
                list: "consultations".into()
            })
        );

        let mut huge = demo_cases()[0].clone();
        huge.consultations = (0..MAX_LIST_ITEMS)
            .map(|_| ConsultationRecord {
                id: new_item_id(),
                content: crate::pii::Identifying::new("あ".repeat(MAX_TEXT_CHARS / 10)),
                ..note.clone()
            })
            .collect();
        assert_eq!(huge.validate(), Err(ValidationError::CaseTooLarge));
    }
}
