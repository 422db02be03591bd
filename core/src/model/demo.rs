//! Demo cases (デモデータ): four clearly fictional clients at different stages,
//! for screens, documents, tests and training. Every person, employer, place,
//! phone number and address here is invented: the names use words such as
//! 見本 (sample), 例 (example), 仮 (provisional) and 架空 (fictional), the phone
//! numbers start with 000 and the e-mail domains are `example.com`.
//!
//! Content and dates are fixed; item ids are fresh on every call.
use super::*;
use crate::pii::Identifying;

/// Four fictional cases, one per typical situation:
///
/// 1. 見本 花子 — 潰瘍性大腸炎, negotiating with an employer, disease disclosed;
/// 2. 例田 さくら — 全身性エリテマトーデス, just starting discovery, not disclosed;
/// 3. 仮野 一郎 — パーキンソン病, hired and in follow-up, disclosed to the manager only;
/// 4. 架空 次郎 — 後縦靱帯骨化症, on a welfare-office programme (seed 002).
pub fn demo_cases() -> Vec<Case> {
    vec![
        negotiating_uc(),
        discovering_sle(),
        following_up_parkinsons(),
        welfare_programme(),
    ]
}

/// The support worker who writes most demo records.
const WORKER: &str = "試作 真理";
const CENTRE: &str = "架空県難病相談・支援センター";

fn idf(text: &str) -> Identifying<String> {
    Identifying::new(text.to_owned())
}

fn items(texts: &[&str]) -> Vec<TextItem> {
    texts.iter().map(|t| TextItem::new(*t)).collect()
}

fn consultation(
    date: Date,
    kind: ConsultationKind,
    content: &str,
    next_step: &str,
    employer_id: Option<&str>,
) -> ConsultationRecord {
    ConsultationRecord {
        date: Some(date),
        kind,
        duration_minutes: Some(60),
        employer_id: employer_id.map(str::to_owned),
        content: idf(content),
        next_step: idf(next_step),
        author: idf(WORKER),
        ..ConsultationRecord::new()
    }
}

fn consent(scope: ConsentScope, content: &str, recipient: &str, given_on: Date) -> ConsentRecord {
    ConsentRecord {
        scope,
        content: idf(content),
        recipient: idf(recipient),
        given_on: Some(given_on),
        ..ConsentRecord::new()
    }
}

fn plan_item(
    action: &str,
    who: &str,
    agency: &str,
    due: Date,
    status: PlanItemStatus,
) -> SupportPlanItem {
    SupportPlanItem {
        who: idf(who),
        agency: agency.to_owned(),
        due: Some(due),
        status,
        ..SupportPlanItem::new(action)
    }
}

fn issue(code: &str, text: &str, accommodations: Vec<Accommodation>) -> VocationalIssue {
    VocationalIssue {
        text: idf(text),
        accommodations,
        ..VocationalIssue::from_reference(code, true)
    }
}

fn family(relation: &str, name: &str, lives_with_client: bool, note: &str) -> FamilyMember {
    FamilyMember {
        name: idf(name),
        lives_with_client,
        note: idf(note),
        ..FamilyMember::new(relation)
    }
}

fn supporter(relation: &str, name: &str, role: &str, contact: &str) -> Supporter {
    Supporter {
        name: idf(name),
        role: idf(role),
        contact: idf(contact),
        ..Supporter::new(relation)
    }
}

fn specified_disease_certificate(disease: &Disease, valid_until: Date) -> MedicalCertificate {
    MedicalCertificate {
        kind: MedicalCertificateKind::SpecifiedDisease,
        disease_id: Some(disease.id.clone()),
        valid_until: Some(valid_until),
    }
}

/// Every identifying text of a case, collected field by field from the
/// struct (not from the JSON, so a check does not trust the serialiser):
/// what a de-identified export (a backup, a research record) must not
/// hold. Tests search exports for these.
///
/// This is a hand-kept list, and so only a check: de-identifying is done
/// from the model's marks ([`crate::pii::deidentified`]), never from it.
/// Identifying: returns the client's names, contacts and notes.
pub fn identifying_texts(case: &Case) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &Identifying<String>| out.push(s.expose().clone());
    let b = &case.basic;
    for s in [&b.name, &b.kana, &b.address, &b.phone, &b.email, &b.note] {
        add(s);
    }
    for d in &b.diseases {
        add(&d.note);
        d.status_history.iter().for_each(|c| add(&c.note));
    }
    for f in &b.family {
        add(&f.name);
        add(&f.note);
    }
    for s in &b.supporters {
        add(&s.name);
        add(&s.role);
        add(&s.contact);
    }
    b.education.iter().for_each(|e| add(&e.school));
    for w in &b.work_history {
        add(&w.employer);
        add(&w.reason_for_leaving);
    }
    let d = &case.career_plan.discovery;
    for i in d
        .strengths
        .iter()
        .chain(&d.interests)
        .chain(&d.preferred_work)
        .chain(&d.achievements)
    {
        add(&i.text);
    }
    add(&d.conditions.environment);
    add(&d.conditions.other);
    d.activities.iter().for_each(|a| add(&a.content));
    add(&d.narrative);
    for m in &case.career_plan.meetings {
        add(&m.minutes);
        m.attendees.iter().for_each(|a| add(&a.name));
    }
    add(&case.career_plan.direction.summary);
    for e in &case.job_match.employers {
        for s in [&e.name, &e.address, &e.contact_person, &e.contact, &e.note] {
            add(s);
        }
        e.business_needs.iter().for_each(|n| add(&n.text));
        e.tasks.iter().for_each(|t| add(&t.note));
        for c in [&e.proposed, &e.negotiated] {
            add(&c.note);
            c.accommodations.iter().for_each(|a| add(&a.text));
        }
        for a in &e.adjustments {
            add(&a.problem);
            add(&a.adjustment);
        }
    }
    for i in &case.case_management.vocational_issues {
        add(&i.text);
        add(&i.note);
        i.accommodations.iter().for_each(|a| add(&a.text));
    }
    let plan = &case.case_management.support_plan;
    for p in plan
        .items
        .iter()
        .chain(plan.earlier.iter().flat_map(|r| &r.items))
    {
        add(&p.action);
        add(&p.who);
    }
    let m = &case.monitoring;
    if let Some(h) = &m.hire {
        add(&h.note);
        add(&h.leaving_reason);
    }
    for f in &m.follow_ups {
        for s in [&f.health_changes, &f.work_changes, &f.notes] {
            add(s);
        }
    }
    for r in &m.reviews {
        add(&r.evaluation);
        add(&r.changes);
    }
    add(&m.summary.text);
    m.summary
        .confirmations
        .iter()
        .for_each(|c| add(&c.supporter));
    for c in &case.consultations {
        for s in [&c.content, &c.next_step, &c.author] {
            add(s);
        }
    }
    for p in &case.programmes {
        add(&p.selection_reason);
        add(&p.note);
        p.goals.iter().for_each(|g| add(&g.goal));
        p.reviews.iter().for_each(|r| add(&r.reason));
        for w in &p.barriers {
            add(&w.description);
            add(&w.resolution);
        }
    }
    for c in &case.consents {
        add(&c.content);
        add(&c.recipient);
    }
    out
}

mod parkinsons;
mod programme;
mod sle;
mod uc;

use parkinsons::following_up_parkinsons;
use programme::welfare_programme;
use sle::discovering_sle;
use uc::negotiating_uc;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii;

    #[test]
    fn there_are_four_demo_cases_at_different_stages_with_differing_disclosure() {
        let cases = demo_cases();
        assert_eq!(cases.len(), 4);
        let stages: std::collections::HashSet<_> = cases.iter().map(|c| c.stage).collect();
        assert_eq!(stages.len(), 4);
        let disclosures: std::collections::HashSet<_> =
            cases.iter().map(|c| c.disclosure).collect();
        assert_eq!(disclosures.len(), 3);
        assert!(
            cases
                .iter()
                .all(|c| !c.consultations.is_empty() && !c.consents.is_empty())
        );
        assert!(cases.iter().any(|c| !c.programmes.is_empty()));
        assert!(cases.iter().any(|c| c.monitoring.hire.is_some()));
    }

    #[test]
    fn every_demo_case_round_trips_through_json_unchanged() {
        for case in demo_cases() {
            let json = serde_json::to_string_pretty(&case).expect("serialises");
            let back: Case = serde_json::from_str(&json).expect("parses its own output");
            assert_eq!(back, case, "case {} changed in the round trip", case.id);
            assert_eq!(
                serde_json::to_string_pretty(&back).expect("serialises"),
                json
            );
        }
    }

    #[test]
    fn every_demo_case_round_trips_section_by_section() {
        for case in demo_cases() {
            let mut rebuilt = Case {
                id: case.id,
                ..Case::default()
            };
            for section in case.sections() {
                let name = section.name();
                let again = Section::from_json(name, section.to_json()).expect("section parses");
                rebuilt.apply(again);
            }
            assert_eq!(rebuilt, case);
        }
    }

    #[test]
    fn deidentified_demo_cases_contain_no_names_contacts_or_notes() {
        for case in demo_cases() {
            let texts = identifying_texts(&case);
            assert!(
                texts.len() > 40,
                "the collector found too little: {}",
                texts.len()
            );
            let plain = serde_json::to_string(&case).expect("serialises");
            let json = pii::deidentified(&case).to_string();
            let birth = case
                .basic
                .birth_date
                .expose()
                .expect("demo cases have a birth date")
                .to_string();
            assert!(
                plain.contains(&birth) && !json.contains(&birth),
                "birth date leaked"
            );
            // Very short texts such as 本人 also occur in non-identifying fields
            // (an attendee's role), so only texts of 4+ characters are searched.
            for text in texts.iter().filter(|t| t.chars().count() >= 4) {
                assert!(
                    plain.contains(text.as_str()),
                    "collector found a text the JSON lacks"
                );
                assert!(
                    !json.contains(text.as_str()),
                    "identifying text leaked: {text}"
                );
            }
            // What is not identifying survives, so research can still use it.
            let disease = &case.basic.diseases[0].name;
            assert!(json.contains(disease.as_str()), "disease name was dropped");
        }
    }

    #[test]
    fn debug_output_of_a_demo_case_shows_no_name_or_note() {
        for case in demo_cases() {
            let debug = format!("{case:?}");
            assert!(!debug.contains(case.basic.name.expose().as_str()));
            assert!(!debug.contains(case.basic.address.expose().as_str()));
            assert!(!debug.contains(case.consultations[0].content.expose().as_str()));
        }
    }

    #[test]
    fn the_uc_demo_keeps_both_relapses_and_is_currently_improving() {
        let case = negotiating_uc();
        let uc = &case.basic.diseases[0];
        assert_eq!(uc.relapses().count(), 2);
        assert_eq!(uc.current_status(), Some(DiseaseStatus::Improvement));
    }

    #[test]
    fn demo_references_point_at_existing_items() {
        for case in demo_cases() {
            if let Some(hire) = &case.monitoring.hire {
                assert!(case.job_match.employer(&hire.employer_id).is_some());
            }
            for e in &case.job_match.employers {
                for duty in e.proposed.duties.iter().chain(&e.negotiated.duties) {
                    assert!(
                        e.task(duty).is_some(),
                        "duty {duty} is not in the task list"
                    );
                }
            }
            if case.career_plan.direction.agreed_at_meeting.is_some() {
                assert!(case.career_plan.agreeing_meeting().is_some());
            }
        }
    }

    #[test]
    fn an_unknown_field_in_a_case_is_refused() {
        let mut value = serde_json::to_value(&demo_cases()[0]).expect("serialises");
        value["basic"]["diseases"][0]["stauts_history"] = serde_json::json!([]);
        let err = serde_json::from_value::<Case>(value).expect_err("must refuse");
        assert!(err.to_string().contains("stauts_history"), "{err}");
    }

    #[test]
    fn a_wrong_type_in_a_case_is_refused() {
        let mut value = serde_json::to_value(&demo_cases()[0]).expect("serialises");
        value["job_match"]["employers"][0]["proposed"]["days_per_week"] = serde_json::json!("四日");
        assert!(serde_json::from_value::<Case>(value).is_err());
        let mut value = serde_json::to_value(&demo_cases()[0]).expect("serialises");
        value["consultations"][0]["date"] = serde_json::json!("2024年4月10日");
        assert!(serde_json::from_value::<Case>(value).is_err());
        let mut value = serde_json::to_value(&demo_cases()[0]).expect("serialises");
        value["disclosure"] = serde_json::json!(true);
        assert!(serde_json::from_value::<Case>(value).is_err());
    }

    #[test]
    fn sections_default_to_empty() {
        let case: Case = serde_json::from_str("{}").expect("an empty case parses");
        assert_eq!(case.basic, BasicInfo::default());
        assert!(case.basic.name.expose().is_empty() && case.basic.diseases.is_empty());
        assert!(case.career_plan.discovery.strengths.is_empty());
        assert!(case.job_match.employers.is_empty());
        assert!(case.case_management.vocational_issues.is_empty());
        assert_eq!(case.case_management.support_plan.revision, 0);
        assert!(case.monitoring.hire.is_none() && case.monitoring.follow_ups.is_empty());
        assert!(
            case.consultations.is_empty() && case.programmes.is_empty() && case.consents.is_empty()
        );
        assert_eq!(case.disclosure, Disclosure::NotDisclosed);
        for name in SectionName::ALL {
            let empty = match name {
                SectionName::Stage => serde_json::json!("discovery"),
                SectionName::Disclosure => serde_json::json!("not_disclosed"),
                SectionName::Consultations | SectionName::Programmes | SectionName::Consents => {
                    serde_json::json!([])
                }
                _ => serde_json::json!({}),
            };
            let section = Section::from_json(name, empty).expect("an empty section parses");
            let mut case = Case::default();
            let before = case.clone();
            case.apply(section);
            assert_eq!(case, before, "section {name:?} is not empty by default");
        }
    }

    /// The documentation's ```json blocks, in order.
    fn documented_examples() -> Vec<&'static str> {
        let doc = include_str!("../../../docs/case-json.md");
        doc.split("```json")
            .skip(1)
            .map(|block| {
                block
                    .split("```")
                    .next()
                    .expect("split yields at least one piece")
            })
            .collect()
    }

    #[test]
    fn the_examples_in_the_json_documentation_parse_and_are_valid() {
        let examples = documented_examples();
        assert_eq!(examples.len(), 2);
        let case: Case = serde_json::from_str(examples[0]).expect("the case example parses");
        assert_eq!(case.validate(), Ok(()));
        assert_eq!(case.stage, SupportStage::Negotiation);
        assert_eq!(
            case.basic.diseases[0].current_status(),
            Some(DiseaseStatus::Improvement)
        );
        assert_eq!(case.basic.diseases[0].relapses().count(), 1);
        assert_eq!(case.job_match.employers[0].proposed.accommodations.len(), 2);
        let programme: ProgrammeEnrolment =
            serde_json::from_str(examples[1]).expect("the programme example parses");
        assert_eq!(
            programme.current_outcome(),
            Some(ProgrammeOutcome::Continue)
        );
    }

    fn collect_keys(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    out.insert(key.clone());
                    collect_keys(v, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect_keys(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_field_of_the_demo_cases_is_documented() {
        let doc = include_str!("../../../docs/case-json.md");
        let mut keys = std::collections::BTreeSet::new();
        for case in demo_cases() {
            collect_keys(&serde_json::to_value(&case).expect("serialises"), &mut keys);
        }
        assert!(keys.len() > 100, "only {} distinct fields", keys.len());
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !doc.contains(&format!("`{k}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "fields missing from docs/case-json.md: {missing:?}"
        );
    }

    #[test]
    fn a_partly_filled_section_keeps_what_was_given_and_defaults_the_rest() {
        let json = r#"{"diseases":[{"reference_id":"ulcerative-colitis","name":"潰瘍性大腸炎",
            "status_history":[{"date":"2023-10-15","status":"relapse"}]}]}"#;
        let basic: BasicInfo = serde_json::from_str(json).expect("parses");
        assert_eq!(
            basic.diseases[0].current_status(),
            Some(DiseaseStatus::Relapse)
        );
        assert!(basic.name.expose().is_empty());
        assert_eq!(basic.sex, Sex::Unstated);
    }
}

#[cfg(test)]
mod reference_tests {
    use super::*;
    use crate::reference::{AccommodationId, DiseaseId, IssueCode, ReferenceDb};

    #[test]
    fn demo_cases_use_only_codes_and_ids_of_the_bundled_reference() {
        let db = ReferenceDb::bundled().expect("bundled reference loads");
        for case in demo_cases() {
            for disease in &case.basic.diseases {
                if let Some(id) = &disease.reference_id {
                    let id = DiseaseId::new(id.clone()).expect("valid id");
                    assert!(db.disease(&id).is_some(), "unknown disease {id:?}");
                }
            }
            for issue in &case.case_management.vocational_issues {
                if let Some(code) = &issue.code {
                    let code = IssueCode::new(code.clone()).expect("valid code");
                    assert!(db.issue(&code).is_some(), "unknown issue {code:?}");
                }
                for acc in &issue.accommodations {
                    if let Some(id) = &acc.reference_id {
                        let id = AccommodationId::new(id.clone()).expect("valid id");
                        assert!(
                            db.accommodation(&id).is_some(),
                            "unknown accommodation {id:?}"
                        );
                    }
                }
            }
        }
    }
}
