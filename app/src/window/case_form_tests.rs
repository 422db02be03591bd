//! Unit tests of the case forms: the round trip from a case to fields and back.

use tsunagi_core::model::{Disclosure, PlanItemStatus, ProgrammeOutcome, TextItem, demo_cases};

use super::*;

fn find<'a>(blocks: &'a [BlockView], a11y: &str) -> &'a FieldView {
    blocks
        .iter()
        .flat_map(|b| &b.fields)
        .find(|f| f.a11y == a11y)
        .unwrap_or_else(|| panic!("no field {a11y}"))
}

#[test]
fn a_typed_name_comes_back_as_the_basic_section() {
    let mut form = CaseForm::new(&Case::new());
    let blocks = form.blocks(Tab::Basic);
    assert_eq!(find(&blocks, "氏名").path, "basic.name");
    assert_eq!(form.edit("basic.name", "見本 花子"), Ok(SectionName::Basic));
    form.edit("basic.birth_year", "1988").expect("a year");
    let saved = form.take_unsaved();
    let [Section::Basic(basic)] = saved.as_slice() else {
        panic!("one basic section");
    };
    assert_eq!(basic.name.expose(), "見本 花子");
    assert_eq!(basic.birth_year, Some(1988));
    assert!(!form.has_unsaved(), "handed out once");
}

#[test]
fn every_field_of_a_demo_case_shows_what_is_stored_and_saves_it_unchanged() {
    for case in demo_cases() {
        let mut form = CaseForm::new(&case);
        for tab in Tab::ALL {
            let blocks = form.blocks(tab);
            for f in blocks.iter().flat_map(|b| &b.fields) {
                let result = match f.kind {
                    Choice(..) | Employer => form.choose(&f.path, f.choice),
                    Check => form.toggle(&f.path, f.checked),
                    _ => form.edit(&f.path, &f.value),
                };
                assert!(result.is_ok(), "{} reads back", f.path);
            }
        }
        assert_eq!(
            form.case(),
            case,
            "showing and re-entering every field changes nothing"
        );
    }
}

#[test]
fn a_number_or_date_the_model_refuses_is_not_taken() {
    let mut form = CaseForm::new(&Case::new());
    form.blocks(Tab::Basic);
    form.add_row("basic.disability_pension")
        .expect("pension added");
    form.blocks(Tab::Basic);
    assert_eq!(
        form.edit("basic.disability_pension.grade", "300"),
        Err(EditError::Invalid)
    );
    assert_eq!(
        form.edit("basic.birth_year", "千九百"),
        Err(EditError::Invalid)
    );
    form.add_row("basic.qualifications").expect("row");
    let blocks = form.blocks(Tab::Basic);
    let path = find(&blocks, "資格 1：取得日").path.clone();
    assert_eq!(form.edit(&path, "2026/2/30"), Err(EditError::Invalid));
    assert_eq!(form.edit(&path, "2026/4/1"), Ok(SectionName::Basic));
    assert_eq!(
        form.case().basic.qualifications[0].acquired_on,
        parse_date("2026-04-01")
    );
    form.edit("basic.birth_year", "").expect("empty clears");
    assert_eq!(form.case().basic.birth_year, None);
}

#[test]
fn strengths_are_added_typed_and_removed() {
    let mut form = CaseForm::new(&Case::new());
    form.blocks(Tab::Career);
    form.add_row("career_plan.discovery.strengths")
        .expect("added");
    let blocks = form.blocks(Tab::Career);
    let strength = find(&blocks, "強み 1").clone();
    assert!(strength.path.ends_with(".text"));
    form.edit(&strength.path, "丁寧な作業").expect("typed");
    let case = form.case();
    assert_eq!(
        case.career_plan.discovery.strengths[0].text.expose(),
        "丁寧な作業"
    );
    form.remove_row(&strength.remove_path).expect("removed");
    assert!(form.case().career_plan.discovery.strengths.is_empty());
    form.edit("career_plan.discovery.conditions.hours_per_week", "20.5")
        .expect("on the tab");
    assert_eq!(
        form.edit("basic.name", "x"),
        Err(EditError::NoSuchField),
        "a field not on the current tab's form"
    );
}

#[test]
fn employers_tasks_and_plan_items_round_trip() {
    let mut form = CaseForm::new(&Case::new());
    form.blocks(Tab::JobMatch);
    form.add_row("job_match.employers").expect("employer");
    let blocks = form.blocks(Tab::JobMatch);
    let name = find(&blocks, "事業所 1：事業所名").path.clone();
    form.edit(&name, "さくら商事").expect("name");
    let tasks = blocks
        .iter()
        .find(|b| b.title == "業務")
        .expect("tasks")
        .add_path
        .clone();
    form.add_row(&tasks).expect("task");
    let blocks = form.blocks(Tab::JobMatch);
    form.toggle(&find(&blocks, "業務 1：提案に含める").path, true)
        .expect("tick");
    let case = form.case();
    assert_eq!(case.job_match.employers[0].name.expose(), "さくら商事");
    assert!(case.job_match.employers[0].tasks[0].selected);

    form.blocks(Tab::CaseManagement);
    form.add_row("case_management.support_plan.items")
        .expect("item");
    let blocks = form.blocks(Tab::CaseManagement);
    form.choose(&find(&blocks, "項目 1：状況").path, 2)
        .expect("status");
    assert_eq!(
        form.case().case_management.support_plan.items[0].status,
        PlanItemStatus::Done
    );
}

#[test]
fn consultations_show_newest_first_and_a_consent_can_be_withdrawn() {
    let mut form = CaseForm::new(&Case::new());
    form.add_consultation(
        parse_date("2026-01-10"),
        1,
        "電話で近況確認",
        "来週面接",
        "sato",
    );
    form.add_consultation(parse_date("2026-03-01"), 0, "面接", "", "sato");
    let blocks = form.blocks(Tab::Consultations);
    assert_eq!(find(&blocks, "記録 1：日付").value, "2026-03-01");
    assert_eq!(find(&blocks, "記録 2：種別").choice, 1);
    assert_eq!(form.case().consultations[1].author.expose(), "sato");

    form.blocks(Tab::Consents);
    assert_eq!(
        find(&form.blocks(Tab::Consents), "事業所への開示").choice,
        2,
        "非開示 by default"
    );
    form.choose("disclosure", 1).expect("partial");
    assert_eq!(form.case().disclosure, Disclosure::Partial);
    form.add_row("consents").expect("consent");
    let blocks = form.blocks(Tab::Consents);
    let row = blocks.iter().find(|b| b.title == "同意 1").expect("row");
    assert_eq!(row.action_label, "同意を撤回");
    let today = parse_date("2026-11-25").expect("date");
    form.set_today(&row.action_path.clone(), today)
        .expect("withdrawn");
    assert_eq!(form.case().consents[0].withdrawn_on, Some(today));
    let blocks = form.blocks(Tab::Consents);
    assert!(
        blocks.iter().all(|b| b.action_label.is_empty()),
        "withdrawn once"
    );
}

#[test]
fn programme_reviews_are_added_under_their_enrolment() {
    let mut form = CaseForm::new(&Case::new());
    form.blocks(Tab::Programmes);
    form.add_row("programmes").expect("enrolment");
    let blocks = form.blocks(Tab::Programmes);
    let reviews = blocks
        .iter()
        .find(|b| b.title == "評価")
        .expect("reviews")
        .add_path
        .clone();
    form.add_row(&reviews).expect("review");
    let blocks = form.blocks(Tab::Programmes);
    form.choose(&find(&blocks, "評価 1：結果").path, 2)
        .expect("stop");
    form.edit(&find(&blocks, "評価 1：理由").path, "体調不良")
        .expect("reason");
    form.edit(&find(&blocks, "プログラム 1：評価の間隔（か月）").path, "3")
        .expect("interval");
    let case = form.case();
    assert_eq!(case.programmes[0].review_interval_months, Some(3));
    assert_eq!(
        case.programmes[0].reviews[0].outcome,
        ProgrammeOutcome::Stop
    );
    assert_eq!(case.programmes[0].reviews[0].reason.expose(), "体調不良");
}

#[test]
fn the_stage_is_its_own_section() {
    let mut form = CaseForm::new(&Case::new());
    assert_eq!(form.set_stage(3), Some(SupportStage::Hired));
    assert_eq!(
        form.take_unsaved(),
        vec![Section::Stage(SupportStage::Hired)]
    );
    assert_eq!(form.set_stage(9), None);
}

#[test]
fn paths_follow_the_store_history_notation() {
    let mut case = Case::new();
    case.career_plan
        .discovery
        .strengths
        .push(TextItem::new("x"));
    let id = case.career_plan.discovery.strengths[0].id.clone();
    let mut form = CaseForm::new(&case);
    let blocks = form.blocks(Tab::Career);
    assert_eq!(
        find(&blocks, "強み 1").path,
        format!("career_plan.discovery.strengths[id={id}].text")
    );
    assert_eq!(parent("a.b[id=x]"), Some(("a.b", "[id=x]")));
    assert_eq!(parent("a.b"), Some(("a", "b")));
}

#[test]
fn in_english_every_label_title_button_and_choice_of_every_tab_is_translated() {
    let japanese = |s: &str| {
        s.chars()
            .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
    };
    let mut case = demo_cases().remove(0);
    case.disclosure = Disclosure::Partial;
    let mut form = CaseForm::new(&case);
    for tab in Tab::ALL {
        for block in form.blocks_in(tab, Language::English) {
            let texts = [&block.title, &block.add_label, &block.action_label];
            for text in texts {
                assert!(!japanese(text), "{tab:?}: untranslated {text:?}");
            }
            for f in &block.fields {
                assert!(!japanese(&f.label), "{tab:?}: untranslated {:?}", f.label);
                for option in &f.options {
                    assert!(!japanese(option), "{tab:?}: untranslated choice {option:?}");
                }
            }
        }
    }
    let japanese_blocks = form.blocks_in(Tab::Basic, Language::Japanese);
    assert_eq!(
        japanese_blocks[0].fields[0].label, "氏名",
        "Japanese is unchanged"
    );
}

#[test]
fn every_add_button_of_every_tab_adds_a_row_the_model_accepts() {
    for case in [Case::new(), demo_cases().remove(0)] {
        let mut form = CaseForm::new(&case);
        for tab in Tab::ALL {
            // Adding a row reveals new add buttons (a row's own lists), so
            // go round until every button on the tab has been pressed once.
            let mut pressed = std::collections::BTreeSet::new();
            loop {
                let next = form
                    .blocks(tab)
                    .into_iter()
                    .map(|b| b.add_path)
                    .find(|p| !p.is_empty() && !pressed.contains(p));
                let Some(path) = next else { break };
                assert!(
                    form.add_row(&path).is_ok(),
                    "{tab:?}: adding at {path} was refused"
                );
                pressed.insert(path);
            }
            assert!(!pressed.is_empty() || tab == Tab::Consultations, "{tab:?}");
        }
        let saved = form.case();
        let valid = saved.validate();
        assert!(valid.is_ok(), "the added rows make a valid case: {valid:?}");
        assert!(!saved.career_plan.meetings.is_empty());
        assert!(!saved.monitoring.summary.confirmations.is_empty());
        assert!(!saved.programmes[0].barriers.is_empty());
    }
}

#[test]
fn a_text_is_added_to_a_list_once_and_only_to_a_list() {
    let case = demo_cases().remove(0);
    let before = case.career_plan.direction.job_areas.len();
    let mut form = CaseForm::new(&case);
    let path = "career_plan.direction.job_areas";
    assert_eq!(
        form.add_text(path, " 一般事務 "),
        Ok(Some(SectionName::CareerPlan))
    );
    assert_eq!(form.add_text(path, "一般事務"), Ok(None), "not twice");
    let areas = form.case().career_plan.direction.job_areas;
    assert_eq!(areas.len(), before + 1);
    assert_eq!(areas.last().map(String::as_str), Some("一般事務"));
    assert_eq!(form.add_text(path, "  "), Err(EditError::Invalid));
    assert_eq!(
        form.add_text("basic.name", "x"),
        Err(EditError::NoSuchField),
        "not a list"
    );
    assert_eq!(
        form.take_unsaved().len(),
        1,
        "the career plan waits to be saved"
    );
}
