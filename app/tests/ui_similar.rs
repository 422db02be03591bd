//! Similar cases (似た事例) through the accessibility tree. A support worker
//! opens their own case, goes to ケースマネジメント and presses 「似た事例」:
//! the agency's other cases that share the disease group, issues or stage
//! are shown with reasons, reference accommodations, reference job areas
//! and coded results — and not one of the distinctive names, addresses,
//! employers, notes, dates or ids seeded into those cases appears in any
//! text of the screen. A case whose client has not consented is not shown
//! (the screen says so); the viewing is in the audit log; a read-only
//! account is not offered the button.

mod common;
use common::*;

use std::path::Path;
use std::sync::Arc;

use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use slint::ComponentHandle;
use time::macros::date;
use tsunagi_app::window::ui::{AppWindow, Screen};
use tsunagi_app::window::{self, AppHandle, Background, Options};
use tsunagi_core::model::{
    Accommodation, Case, CaseId, CaseOutcome, ConsentRecord, ConsentScope, ConsultationRecord,
    Disease, Employer, EmployerStatus, EmploymentType, HireConfirmation, JobCategory, SupportStage,
    VocationalIssue,
};
use tsunagi_core::reference::{AccommodationId, ReferenceDb};
use tsunagi_core::store::{
    AuditAction, KdfParams, Keychain, MemoryKeychain, Role, Store, StoreOptions,
};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};
/// The support worker's own case, the one similar cases are asked for.
const SOURCE: &str = "起点 花子";

/// Values no screen may show, one set per seeded case: names, kana,
/// addresses, phones, e-mails, employers and their people, every kind of
/// free text, a disease's written name, a programme's name and dates in
/// the forms a screen might write them.
const SEEDED: [[&str; 16]; 3] = [
    [
        "鬼瓦権左衛門",
        "おにがわらごんざえもん",
        "架空県奇妙町ぬらりひょん横丁9-9-9",
        "000-9191-7373",
        "gonzaemon@example.com",
        "株式会社ぬえ製作所",
        "鵺ヶ淵工業団地",
        "猫又部長",
        "秘密のメモ七色インコ",
        "金曜は母が軽トラで送迎",
        "本人いわく三時に眠くなる",
        "鬼瓦商店の店番",
        "百々目鬼症候群",
        "職場の天狗課長と合わず",
        "1971-02-13",
        "2024-09-02",
    ],
    [
        "蛇穴珊瑚",
        "じゃあなさんご",
        "架空県海坊主市ろくろ首通り3-14-15",
        "000-2718-2818",
        "sango@example.com",
        "有限会社からかさ商会",
        "一反木綿ビル",
        "河童主任",
        "備考に書いた座敷わらしの話",
        "雪女のように寒さに強い",
        "面談で話した小豆洗いの趣味",
        "狐火の見張り番",
        "ぬりかべ病",
        "総括に書いたのっぺらぼうの件",
        "1985年7月7日",
        "2023年11月",
    ],
    [
        "百目鬼朔太郎",
        "どうめきさくたろう",
        "架空県化野村がしゃどくろ坂1-1",
        "000-1234-0987",
        "sakutaro@example.com",
        "合同会社あまびえ",
        "輪入道センター",
        "山彦係長",
        "相談記録の垢嘗めの件",
        "次の方針は火車に相談",
        "見越し入道と面接",
        "貉の飼育係",
        "海坊主熱",
        "プログラムの選定理由は件の予言",
        "1990/12/24",
        "2022-04",
    ],
];

/// Only in the case whose client has not consented: an accommodation
/// option chosen nowhere else, and its client's name.
const NO_CONSENT_NAME: &str = "同意無 太郎";
const NO_CONSENT_OPTION: &str = "uv-limit-sun";

fn new_store(data: &Path, keychain: &Arc<dyn Keychain>) -> Store {
    Store::create(data, Arc::clone(keychain), "admin", PASSWORD, FAST)
        .expect("a store")
        .0
}

/// The window on the store in `data`, `user` logged in, at the case list.
fn app_on(data: &Path, keychain: &Arc<dyn Keychain>, user: &str) -> AppHandle {
    init_backend();
    let app = window::build(
        data.to_owned(),
        Options {
            store_options: FAST,
            background: Background::Inline,
            camera: tsunagi_app::av::Source::Test,
            ..Options::new(Arc::clone(keychain))
        },
    )
    .expect("the window builds");
    let w = app.window();
    w.show().expect("the window shows");
    w.window().set_size(slint::LogicalSize::new(1280.0, 6000.0));
    log_in(w, user, PASSWORD);
    app
}

fn consent(case: &mut Case) {
    case.consents.push(ConsentRecord {
        scope: ConsentScope::CaseStudy,
        given_on: Some(date!(2025 - 01 - 10)),
        ..ConsentRecord::new()
    });
}

/// A Parkinson's case with fatigue and clinic visits checked, in
/// follow-up: what the similar cases are compared with.
fn source_case() -> Case {
    let mut case = Case::new();
    case.basic.name = SOURCE.into();
    case.basic
        .diseases
        .push(Disease::new(Some("parkinsons-disease"), "パーキンソン病"));
    for code in ["FAT", "CLIN"] {
        case.case_management
            .vocational_issues
            .push(VocationalIssue::from_reference(code, true));
    }
    case.stage = SupportStage::FollowUp;
    case
}

/// A similar case carrying the values of `seeded` everywhere a worker
/// could have written them, with reference choices and coded results.
fn seeded_case(seeded: &[&str; 16], consented: bool) -> Case {
    let mut case = Case::new();
    let [
        name,
        kana,
        address,
        phone,
        email,
        employer_name,
        employer_address,
        contact,
        note,
        own_accommodation,
        issue_text,
        job_area,
        disease_name,
        free_text,
        birth,
        hired,
    ] = *seeded;
    case.basic.name = name.into();
    case.basic.kana = kana.into();
    case.basic.address = address.into();
    case.basic.phone = phone.into();
    case.basic.email = email.into();
    case.basic.note = note.into();
    case.basic.birth_year = Some(1971);
    case.basic.birth_date = Some(date!(1971 - 02 - 13)).into();
    case.basic.diseases.push(Disease::new(
        Some("amyotrophic-lateral-sclerosis"),
        disease_name,
    ));
    let mut issue = VocationalIssue::from_reference("FAT", true);
    issue.text = issue_text.into();
    issue.note = free_text.into();
    issue
        .accommodations
        .push(Accommodation::from_reference("fat-breaks"));
    issue
        .accommodations
        .push(Accommodation::own(own_accommodation));
    case.case_management.vocational_issues.push(issue);
    case.career_plan.direction.job_areas = vec!["データ入力".into(), job_area.into()];
    case.career_plan.direction.summary = free_text.into();
    let mut employer = Employer::new();
    employer.name = employer_name.into();
    employer.address = employer_address.into();
    employer.contact_person = contact.into();
    employer.industry = employer_address.into();
    employer.status = EmployerStatus::Agreed;
    employer.note = free_text.into();
    case.monitoring.hire = Some(HireConfirmation {
        employer_id: employer.id.clone(),
        hired_on: Some(date!(2024 - 09 - 02)),
        job_title: contact.to_owned(),
        job_category: Some(JobCategory::Clerical),
        employment_type: Some(EmploymentType::PartTime),
        left_on: Some(date!(2025 - 03 - 31)),
        leaving_reason: free_text.into(),
        note: hired.into(),
        ..HireConfirmation::default()
    });
    case.job_match.employers.push(employer);
    let mut record = ConsultationRecord::new();
    record.date = Some(date!(2024 - 06 - 18));
    record.content = free_text.into();
    record.next_step = birth.into();
    record.author = contact.into();
    case.consultations.push(record);
    case.monitoring.summary.text = free_text.into();
    case.monitoring.summary.outcome = CaseOutcome::Employed;
    case.stage = SupportStage::Closed;
    if consented {
        consent(&mut case);
    }
    case
}

/// The client without the consent: alike in every way, with an option
/// chosen nowhere else.
fn unconsented_case() -> Case {
    let mut case = seeded_case(&SEEDED[0], false);
    case.basic.name = NO_CONSENT_NAME.into();
    case.case_management.vocational_issues[0]
        .accommodations
        .push(Accommodation::from_reference(NO_CONSENT_OPTION));
    case.stage = SupportStage::FollowUp;
    case
}

/// Sets up admin, the support worker `sato` (assigned the source case),
/// the read-only `kato` (assigned it too), and the other cases.
fn prepare(data: &Path, keychain: &Arc<dyn Keychain>, others: &[Case]) -> (CaseId, Vec<CaseId>) {
    let mut admin = new_store(data, keychain);
    admin
        .add_account("sato", Role::SupportWorker, PASSWORD)
        .expect("sato");
    admin
        .add_account("kato", Role::ReadOnly, PASSWORD)
        .expect("kato");
    let source = admin.create_case(&source_case()).expect("source");
    admin.assign(source, "sato").expect("assigned");
    admin.assign(source, "kato").expect("assigned");
    let ids = others
        .iter()
        .map(|c| admin.create_case(c).expect("a case"))
        .collect();
    (source, ids)
}

/// From the case list, the source case's ケースマネジメント tab.
fn open_case_management(w: &AppWindow) {
    press_as(w, SOURCE, AccessibleRole::ListItem);
    assert_eq!(w.get_screen(), Screen::Case);
    press_as(w, "ケースマネジメント", AccessibleRole::Tab);
}

/// Every text the screen offers: each element's label, value,
/// description and placeholder.
fn every_text(w: &AppWindow) -> Vec<String> {
    settle();
    let mut out = Vec::new();
    for e in ElementQuery::from_root(w).match_descendants().find_all() {
        for text in [
            e.accessible_label(),
            e.accessible_value(),
            e.accessible_description(),
            e.accessible_placeholder_text(),
        ]
        .into_iter()
        .flatten()
        {
            if !text.is_empty() {
                out.push(text.to_string());
            }
        }
    }
    out
}

fn wording(db: &ReferenceDb, id: &str) -> String {
    db.accommodation(&AccommodationId::new(id).expect("an id"))
        .expect("in the reference")
        .text
        .ja
        .clone()
}

#[test]
fn no_identifying_value_of_a_similar_case_reaches_the_screen_and_the_viewing_is_audited() {
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let mut others: Vec<Case> = SEEDED.iter().map(|s| seeded_case(s, true)).collect();
    others.push(unconsented_case());
    let (source, ids) = prepare(&data, &keychain, &others);

    let app = app_on(&data, &keychain, "sato");
    let w = app.window();
    open_case_management(w);
    press(w, "似た事例");
    assert_eq!(w.get_screen(), Screen::Similar);

    let texts = every_text(w);
    let all = texts.join("\n");
    // The screen shows what it is for: the cases, why, and what was chosen.
    let db = ReferenceDb::bundled().expect("the reference");
    for expected in [
        "似た事例 1",
        "似た事例 3",
        "同じ疾患群（神経・筋）",
        "共通の職業的課題：易疲労・体調変動",
        "データ入力",
        "事務的職業",
        "離職",
        "就職・定着",
    ] {
        assert!(all.contains(expected), "{expected:?} not shown in:\n{all}");
    }
    assert!(all.contains(&wording(&db, "fat-breaks")), "{all}");
    assert!(!all.contains("似た事例 4"), "only the consented three");
    // Not one seeded value, in any text.
    for seeded in SEEDED.iter().flatten() {
        for text in &texts {
            assert!(
                !text.contains(seeded),
                "{seeded:?} shown on the similar-cases screen in {text:?}"
            );
        }
    }
    for date_part in ["2024", "2025", "1971", "06-18", "9月2日"] {
        assert!(
            !all.contains(date_part),
            "a date ({date_part}) shown:\n{all}"
        );
    }
    for id in ids.iter().chain([&source]) {
        let id = id.to_string();
        assert!(
            !all.contains(&id) && !all.contains(&id[..8]),
            "a case id shown"
        );
    }
    // The client without the consent: not shown, and the screen says so.
    assert!(!all.contains(NO_CONSENT_NAME));
    assert!(!all.contains(&wording(&db, NO_CONSENT_OPTION)), "{all}");
    assert!(
        all.contains(
            "似た事例のうち1件は、本人の「事例検討への活用」への同意がないため表示していません。"
        ),
        "{all}"
    );

    // The viewing is in the audit log: who, from which case, how many.
    let admin = Store::unlock(&data, Arc::clone(&keychain), "admin", PASSWORD).expect("admin");
    let viewings: Vec<_> = admin
        .audit_log(200)
        .expect("the log")
        .into_iter()
        .filter(|e| e.action == AuditAction::SimilarCases)
        .collect();
    assert_eq!(viewings.len(), 1, "{viewings:?}");
    assert_eq!(viewings[0].account, "sato");
    assert_eq!(viewings[0].case_id, Some(source.to_string()));
    assert_eq!(viewings[0].detail, "3 rows");
    drop(admin);

    press(w, "ケースへ戻る");
    assert_eq!(w.get_screen(), Screen::Case);
}

#[test]
fn a_case_without_the_clients_consent_is_not_shown() {
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let mut withdrawn = seeded_case(&SEEDED[1], true);
    withdrawn.consents[0].withdrawn_on = Some(date!(2025 - 02 - 01));
    let mut research_only = seeded_case(&SEEDED[2], false);
    research_only.consents.push(ConsentRecord {
        scope: ConsentScope::Research,
        given_on: Some(date!(2025 - 01 - 10)),
        ..ConsentRecord::new()
    });
    prepare(&data, &keychain, &[withdrawn, research_only]);

    let app = app_on(&data, &keychain, "sato");
    let w = app.window();
    open_case_management(w);
    press(w, "似た事例");
    let all = every_text(w).join("\n");
    assert!(!all.contains("似た事例 1"), "{all}");
    assert!(all.contains("似た事例は見つかりませんでした。"), "{all}");
    assert!(
        all.contains(
            "似た事例のうち2件は、本人の「事例検討への活用」への同意がないため表示していません。"
        ),
        "{all}"
    );
}

#[test]
fn a_read_only_account_is_not_offered_similar_cases_and_a_worker_is() {
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    prepare(&data, &keychain, &[seeded_case(&SEEDED[0], true)]);

    let app = app_on(&data, &keychain, "kato");
    let w = app.window();
    open_case_management(w);
    assert!(shows(w, "疾患と職業的課題", AccessibleRole::Button));
    assert!(!shows(w, "似た事例", AccessibleRole::Button));
    drop(app);

    let app = app_on(&data, &keychain, "sato");
    let w = app.window();
    open_case_management(w);
    assert!(shows(w, "似た事例", AccessibleRole::Button));
}
