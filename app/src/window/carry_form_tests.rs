//! Unit tests of the client's own record's form: ticked rows to a choice,
//! what is offered and why not, the preview in words.

use tsunagi_core::model::{Disease, demo_cases};
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::Approval;

use super::*;

const JST: UtcOffset = time::macros::offset!(+9);

fn item(caption: &str, kind: MediaKind, approved: bool) -> MediaItem {
    let at = Timestamp::parse("2026-11-20T10:00:00+09:00").expect("a time");
    MediaItem {
        id: MediaId::new(),
        case_id: tsunagi_core::model::CaseId::new(),
        kind,
        mime: "image/jpeg".into(),
        size: 1,
        sha256: String::new(),
        width: None,
        height: None,
        duration_ms: None,
        created_at: at,
        created_by: "admin".into(),
        taken_at: Some(at),
        caption: caption.into(),
        illustrates: "丁寧な作業".into(),
        approval: approved.then(|| Approval {
            at,
            recorded_by: "admin".into(),
        }),
    }
}

fn case_with_two_diseases() -> Case {
    let mut case = demo_cases().remove(0);
    case.basic.diseases.push(Disease::new(None, "二つ目の疾患"));
    case
}

#[test]
fn ticked_rows_choose_those_sections_diseases_and_photos_and_nothing_else() {
    let case = case_with_two_diseases();
    let items = [
        item("棚を組み立てる", MediaKind::Photo, true),
        item("受付の動画", MediaKind::Video, true),
    ];
    let mut form = CarryForm::new(&case, &items, None, JST);
    assert!(form.choice().is_empty(), "nothing is ticked at first");
    assert!(form.toggle(Group::Section, 1, true));
    assert!(form.toggle(Group::Section, 2, true));
    assert!(form.toggle(Group::Disease, 1, true));
    assert!(form.toggle(Group::Media, 0, true));
    assert!(!form.toggle(Group::Media, 9, true), "no such row");
    let choice = form.choice();
    assert_eq!(
        choice.sections.into_iter().collect::<Vec<_>>(),
        [SectionName::CareerPlan, SectionName::JobMatch]
    );
    assert_eq!(
        choice.diseases,
        [DiseasePick::Id(case.basic.diseases[1].id.clone())]
    );
    assert_eq!(choice.media, [items[0].id]);
    assert_eq!(form.chosen(), 4);
    assert_eq!(form.summary(), "選んだ内容：項目 2・疾患 1・写真と動画 1");

    form.toggle(Group::Section, 1, false);
    assert_eq!(form.chosen(), 3, "unticking takes it out again");
}

#[test]
fn the_rows_name_the_sections_as_the_core_does_and_the_diseases_by_name() {
    let case = case_with_two_diseases();
    let form = CarryForm::new(&case, &[], None, JST);
    let sections: Vec<String> = form
        .rows(Group::Section)
        .into_iter()
        .map(|r| r.label)
        .collect();
    let expected: Vec<&str> = CARRIED_SECTIONS
        .iter()
        .map(|s| tsunagi_core::carry::section_label(*s).0)
        .collect();
    assert_eq!(sections, expected);
    let diseases: Vec<String> = form
        .rows(Group::Disease)
        .into_iter()
        .map(|r| r.label)
        .collect();
    assert_eq!(diseases.len(), 2);
    assert!(diseases[0].starts_with(&case.basic.diseases[0].name));
    assert_eq!(diseases[1], "二つ目の疾患");
}

#[test]
fn an_empty_section_says_so_and_a_full_one_does_not() {
    let mut case = Case::new();
    case.basic.name = "見本 花子".into();
    let form = CarryForm::new(&case, &[], None, JST);
    let rows = form.rows(Group::Section);
    assert!(!rows[0].detail.contains("まだ何も"), "{}", rows[0].detail);
    assert!(rows[1].detail.contains("まだ何も入力されていません"));
}

#[test]
fn photos_not_approved_are_not_offered_and_the_screen_says_why() {
    let case = demo_cases().remove(0);
    let items = [
        item("承認された写真", MediaKind::Photo, true),
        item("承認されていない写真", MediaKind::Photo, false),
        item("承認されていない動画", MediaKind::Video, false),
    ];
    let form = CarryForm::new(&case, &items, None, JST);
    let offered = form.rows(Group::Media);
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].label, "承認された写真");
    assert_eq!(offered[0].detail, "写真・2026/11/20・丁寧な作業");
    assert_eq!(form.media_ids(), [items[0].id]);
    assert!(
        form.withheld_note().contains("2 件"),
        "{}",
        form.withheld_note()
    );

    let all_approved = CarryForm::new(&case, &items[..1], None, JST);
    assert_eq!(all_approved.withheld_note(), "");
}

#[test]
fn nothing_chosen_says_what_to_do() {
    let form = CarryForm::new(&demo_cases().remove(0), &[], None, JST);
    assert_eq!(form.chosen(), 0);
    assert!(
        form.summary().contains("一つ以上選ぶと"),
        "{}",
        form.summary()
    );
}

#[test]
fn the_accommodations_that_go_with_a_disease_are_named() {
    let case = demo_cases().remove(0);
    let own: Vec<String> = case
        .case_management
        .applicable_issues()
        .flat_map(|i| &i.accommodations)
        .map(|a| a.text.expose().trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    assert!(!own.is_empty(), "the demo case words its accommodations");
    let note = CarryForm::new(&case, &[], None, JST).accommodations_note();
    for text in &own {
        assert!(note.contains(text.as_str()), "{note} lacks {text}");
    }
    assert_eq!(
        CarryForm::new(&Case::new(), &[], None, JST).accommodations_note(),
        "",
        "no disease, nothing goes with one"
    );
}

#[test]
fn the_passphrase_is_shown_in_its_groups_of_four() {
    assert_eq!(
        passphrase_groups("K7QM-3XPD-ABCD-EFGH-JKLM"),
        ["K7QM", "3XPD", "ABCD", "EFGH", "JKLM"]
    );
}

#[test]
fn the_default_file_is_in_the_export_folder_and_never_replaces_an_earlier_one() {
    let dir = Path::new("/data/tsunagi");
    let day = time::macros::date!(2026 - 11 - 25);
    assert_eq!(
        default_out(dir, day, |_| false),
        Path::new("/data/tsunagi/export/本人携帯記録-2026-11-25.age")
    );
    let taken = Path::new("/data/tsunagi/export/本人携帯記録-2026-11-25.age");
    assert_eq!(
        default_out(dir, day, |p| p == taken),
        Path::new("/data/tsunagi/export/本人携帯記録-2026-11-25-2.age")
    );
}

#[test]
fn the_preview_names_the_sections_the_diseases_and_counts_the_photos() {
    let preview = Preview {
        created_at: Timestamp::parse("2026-11-25T01:30:00Z").expect("a time"),
        made_by: "tsunagi".into(),
        agency: Some("架空県難病相談・支援センター".into()),
        sections: vec![SectionName::CareerPlan, SectionName::JobMatch],
        diseases: vec!["潰瘍性大腸炎".into()],
        photos: 1,
        videos: 0,
        name: String::new().into(),
    };
    let lines = preview_lines(&preview, JST);
    let value = |what: &str| {
        lines
            .iter()
            .find(|(w, _)| w == what)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no line {what}"))
    };
    assert_eq!(value("氏名"), "（ファイルに入っていません）");
    assert_eq!(value("作成日時"), "2026/11/25 10:30");
    assert_eq!(value("作成した機関"), "架空県難病相談・支援センター");
    assert_eq!(
        value("項目"),
        "キャリア計画（ディスカバリー・プロフィール）、ジョブマッチ"
    );
    assert_eq!(value("疾患"), "潰瘍性大腸炎");
    assert_eq!(value("写真・動画"), "写真 1件・動画 0件");
}

#[test]
fn a_wrong_passphrase_and_a_damaged_file_are_told_in_words() {
    assert!(error_words(&CarryError::WrongPassphrase).starts_with("パスフレーズが違います"));
    assert!(error_words(&CarryError::Damaged("cut")).contains("壊れている"));
    let missing = CarryError::Io(std::io::Error::from(std::io::ErrorKind::NotFound));
    assert!(error_words(&missing).contains("見つかりません"));
}
