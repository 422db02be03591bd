use time::macros::date;

use super::*;
use crate::model::{
    Accommodation, ConsentRecord, Disease, Employer, FollowUp, FollowUpKind, HireConfirmation,
    JobConditions, ProgrammeEnrolment, ProgrammeReview, VocationalIssue,
};
use crate::reference::test_support::bundled;

const TODAY: Date = date!(2025 - 06 - 01);

fn consented(mut case: Case) -> Case {
    case.consents.push(ConsentRecord {
        scope: ConsentScope::CaseStudy,
        given_on: Some(date!(2025 - 01 - 10)),
        ..ConsentRecord::new()
    });
    case
}

/// A case with these reference diseases, checked issues and stage.
fn case(diseases: &[&str], issues: &[&str], stage: SupportStage) -> Case {
    let mut case = Case::new();
    for id in diseases {
        case.basic.diseases.push(Disease::new(Some(id), "表示名"));
    }
    for code in issues {
        case.case_management
            .vocational_issues
            .push(VocationalIssue::from_reference(*code, true));
    }
    case.stage = stage;
    case
}

fn group(id: &str) -> GroupId {
    GroupId::new(id).expect("a group id")
}

fn code(c: &str) -> IssueCode {
    IssueCode::new(c).expect("an issue code")
}

#[test]
fn cases_are_ranked_by_shared_group_then_shared_issues_then_stage() {
    let db = bundled();
    let mine = case(
        &["parkinsons-disease"],
        &["FAT", "CLIN", "HAND"],
        SupportStage::FollowUp,
    );
    let stage_only = consented(case(&["ulcerative-colitis"], &[], SupportStage::FollowUp));
    let issues_only = consented(case(
        &["ulcerative-colitis"],
        &["CLIN", "FAT"],
        SupportStage::Discovery,
    ));
    let all_three = consented(case(
        &["amyotrophic-lateral-sclerosis"],
        &["FAT", "CLIN", "TOIL"],
        SupportStage::FollowUp,
    ));
    let nothing = consented(case(
        &["crohns-disease"],
        &["TOIL"],
        SupportStage::Discovery,
    ));
    let others = [stage_only, nothing, issues_only, all_three, mine.clone()];
    let ranking = rank(&mine, &others, &db, TODAY, DEFAULT_LIMIT);

    assert_eq!(ranking.traits.groups, [group("neuromuscular")]);
    assert_eq!(
        ranking.traits.issues,
        [code("FAT"), code("CLIN"), code("HAND")]
    );
    let scores: Vec<u32> = ranking.shown.iter().map(|s| s.score).collect();
    assert_eq!(
        scores,
        [
            GROUP_WEIGHT + 2 * ISSUE_WEIGHT + STAGE_WEIGHT,
            2 * ISSUE_WEIGHT,
            STAGE_WEIGHT
        ],
        "the case itself and the one sharing nothing are not listed"
    );
    assert_eq!(
        ranking.shown[0].reasons,
        [
            Reason::DiseaseGroup(vec![group("neuromuscular")]),
            Reason::Issues(vec![code("FAT"), code("CLIN")]),
            Reason::Stage(SupportStage::FollowUp),
        ]
    );
    assert_eq!(
        ranking.shown[1].reasons,
        [Reason::Issues(vec![code("FAT"), code("CLIN")])],
        "shared issues are named in the order of the case asked about"
    );
    assert_eq!(
        ranking.shown[2].reasons,
        [Reason::Stage(SupportStage::FollowUp)]
    );
    assert_eq!(ranking.shown[2].groups, [group("digestive")]);
    assert_eq!(ranking.without_consent, 0);
}

#[test]
fn issues_in_own_words_unlisted_diseases_and_unchecked_issues_do_not_count() {
    let db = bundled();
    let mine = case(&["parkinsons-disease"], &["FAT"], SupportStage::Discovery);
    let mut other = case(&[], &[], SupportStage::Employer);
    other.basic.diseases.push(Disease::new(None, "神経の病気"));
    other
        .case_management
        .vocational_issues
        .push(VocationalIssue::from_reference("FAT", false));
    other
        .case_management
        .vocational_issues
        .push(VocationalIssue::own("疲れやすい"));
    let ranking = rank(&mine, &[consented(other)], &db, TODAY, DEFAULT_LIMIT);
    assert!(ranking.shown.is_empty(), "{:?}", ranking.shown);
}

#[test]
fn only_cases_consented_to_case_study_on_the_day_are_shown_the_rest_counted() {
    let db = bundled();
    let mine = case(
        &["ulcerative-colitis"],
        &["TOIL"],
        SupportStage::Negotiation,
    );
    let like = || case(&["crohns-disease"], &["TOIL"], SupportStage::Negotiation);
    let mut research_only = like();
    research_only.consents.push(ConsentRecord {
        scope: ConsentScope::Research,
        given_on: Some(date!(2025 - 01 - 10)),
        ..ConsentRecord::new()
    });
    let mut withdrawn = consented(like());
    withdrawn.consents[0].withdrawn_on = Some(date!(2025 - 05 - 01));
    let mut later = like();
    later.consents.push(ConsentRecord {
        scope: ConsentScope::CaseStudy,
        given_on: Some(date!(2025 - 07 - 01)),
        ..ConsentRecord::new()
    });
    let unrelated = case(&["parkinsons-disease"], &["HAND"], SupportStage::Closed);
    let yes = consented(like());
    let others = [research_only, withdrawn, later, unrelated, yes];
    let ranking = rank(&mine, &others, &db, TODAY, DEFAULT_LIMIT);
    assert_eq!(ranking.shown.len(), 1);
    assert_eq!(
        ranking.without_consent, 3,
        "a case that shares nothing is not counted as left out"
    );
}

#[test]
fn the_limit_keeps_the_most_alike_and_ties_keep_their_order() {
    let db = bundled();
    let mine = case(&["ulcerative-colitis"], &["TOIL"], SupportStage::Employer);
    // Stage-only cases told apart by the one job area each explored.
    let areas = ["data-entry", "cashier", "cook", "translator", "teacher"];
    let mut others: Vec<Case> = areas
        .iter()
        .map(|area| {
            let mut c = consented(case(&[], &[], SupportStage::Employer));
            let name = db
                .occupation(&OccupationId::new(*area).expect("id"))
                .expect("in the reference")
                .name
                .ja
                .clone();
            c.career_plan.direction.job_areas.push(name);
            c
        })
        .collect();
    others.push(consented(case(
        &["crohns-disease"],
        &[],
        SupportStage::Closed,
    )));
    let ranking = rank(&mine, &others, &db, TODAY, 3);
    assert_eq!(ranking.shown.len(), 3);
    assert_eq!(ranking.shown[0].score, GROUP_WEIGHT);
    let kept: Vec<&str> = ranking.shown[1..]
        .iter()
        .flat_map(|s| s.job_areas.iter().map(|a| a.as_str()))
        .collect();
    assert_eq!(kept, ["data-entry", "cashier"]);
}

/// A case with every kind of identifying value, and the choices behind
/// what a similar case shows.
fn rich_case() -> Case {
    let mut case = consented(case(
        &["parkinsons-disease"],
        &["FAT", "HAND"],
        SupportStage::FollowUp,
    ));
    case.basic.name = "鬼瓦権左衛門".into();
    case.basic.address = "架空県奇妙町ぬらりひょん横丁9-9-9".into();
    case.basic.birth_date = Some(date!(1971 - 02 - 13)).into();
    case.basic.note = "秘密のメモ七色インコ".into();
    let issue = &mut case.case_management.vocational_issues[0];
    issue
        .accommodations
        .push(Accommodation::from_reference("fat-breaks"));
    issue
        .accommodations
        .push(Accommodation::own("金曜は鬼瓦さんの母が送迎"));
    issue
        .accommodations
        .push(Accommodation::from_reference("no-such-option"));
    issue.text = "本人いわく三時に眠くなる".into();
    case.career_plan.direction.job_areas = vec![
        "データ入力".into(),
        "鬼瓦商店の店番".into(),
        "検品・検査".into(),
    ];
    let mut employer = Employer::new();
    employer.name = "株式会社ぬえ製作所".into();
    employer.status = EmployerStatus::Agreed;
    employer.negotiated = JobConditions {
        accommodations: vec![
            Accommodation::from_reference("hand-assistive-it"),
            Accommodation::from_reference("fat-breaks"),
        ],
        ..JobConditions::default()
    };
    let mut declined = Employer::new();
    declined.name = "有限会社からかさ".into();
    declined.status = EmployerStatus::Declined;
    case.monitoring.hire = Some(HireConfirmation {
        employer_id: employer.id.clone(),
        hired_on: Some(date!(2024 - 09 - 02)),
        job_category: Some(JobCategory::Clerical),
        employment_type: Some(EmploymentType::PartTime),
        disability_employment: true,
        left_on: Some(date!(2025 - 04 - 30)),
        leaving_reason: "職場の鬼瓦課長と合わず".into(),
        ..HireConfirmation::default()
    });
    case.job_match.employers = vec![employer, declined];
    case.monitoring.follow_ups.push(FollowUp::new(
        date!(2025 - 03 - 10),
        FollowUpKind::WorkplaceVisit,
    ));
    let mut programme = ProgrammeEnrolment::new();
    programme.programme = "奇妙町就労支援プログラム".into();
    programme.kind = ProgrammeKind::Employment;
    programme.reviews.push(ProgrammeReview::new(
        date!(2024 - 06 - 01),
        ProgrammeOutcome::Continue,
        "",
    ));
    programme.reviews.push(ProgrammeReview::new(
        date!(2024 - 09 - 01),
        ProgrammeOutcome::Employed,
        "鬼瓦さんが就職した",
    ));
    case.programmes.push(programme);
    case.monitoring.summary.outcome = CaseOutcome::Employed;
    case
}

#[test]
fn a_similar_case_shows_reference_choices_and_coded_outcomes_only() {
    let db = bundled();
    let mine = case(&["parkinsons-disease"], &["HAND"], SupportStage::Hired);
    let ranking = rank(&mine, &[rich_case()], &db, TODAY, DEFAULT_LIMIT);
    let shown = &ranking.shown[0];
    let ids: Vec<&str> = shown.accommodations.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        ids,
        ["fat-breaks", "hand-assistive-it"],
        "own wording and unknown ids are left out, repeats once"
    );
    let areas: Vec<&str> = shown.job_areas.iter().map(|a| a.as_str()).collect();
    assert_eq!(areas, ["data-entry", "product-inspector"]);
    assert_eq!(
        shown.employers,
        [
            EmployerCount {
                status: EmployerStatus::Agreed,
                count: 1
            },
            EmployerCount {
                status: EmployerStatus::Declined,
                count: 1
            },
        ]
    );
    assert_eq!(
        shown.hire,
        Some(HireOutcome {
            job_category: Some(JobCategory::Clerical),
            employment_type: Some(EmploymentType::PartTime),
            disability_employment: true,
            tenure: Tenure::Ended,
            retained_months: Some(6),
        })
    );
    assert_eq!(
        shown.programmes,
        [ProgrammeResult {
            kind: ProgrammeKind::Employment,
            outcome: Some(ProgrammeOutcome::Employed),
        }]
    );
    assert_eq!(shown.outcome, CaseOutcome::Employed);
}

#[test]
fn nothing_identifying_reaches_a_similar_case() {
    let db = bundled();
    let mine = case(&["parkinsons-disease"], &["HAND"], SupportStage::Hired);
    let other = rich_case();
    let ranking = rank(
        &mine,
        std::slice::from_ref(&other),
        &db,
        TODAY,
        DEFAULT_LIMIT,
    );
    assert_eq!(ranking.shown.len(), 1);
    let everything = format!("{ranking:?}");
    for seeded in [
        "鬼瓦",
        "奇妙町",
        "1971",
        "七色インコ",
        "ぬえ製作所",
        "からかさ",
        "三時",
        "2024",
        "2025",
        "表示名",
        "店番",
    ] {
        assert!(!everything.contains(seeded), "{seeded} in {everything}");
    }
    assert!(!everything.contains(&other.id.to_string()));
}
