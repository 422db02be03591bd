//! Tests of the bundled data and of validation on load.

use serde_json::Value;

use super::test_support::{bundled, bundled_json, disease_id, occupation_id, write_dir};
use super::*;

const NAMED_ELEVEN: [&str; 11] = [
    "潰瘍性大腸炎",
    "クローン病",
    "全身性エリテマトーデス",
    "全身性強皮症",
    "皮膚筋炎/多発性筋炎",
    "パーキンソン病",
    "もやもや病",
    "多発性硬化症/視神経脊髄炎",
    "重症筋無力症",
    "サルコイドーシス",
    "ベーチェット病",
];

/// Loads edited JSON through the same path an update takes.
fn load_edited(d: &Value, o: &Value) -> Result<ReferenceDb, ReferenceError> {
    let tmp = tempfile::tempdir().expect("temp dir");
    write_dir(tmp.path(), d, o);
    ReferenceDb::load_dir(tmp.path())
}

#[test]
fn bundled_database_has_the_eleven_named_diseases() {
    let db = bundled();
    for name in NAMED_ELEVEN {
        let found = db.diseases().iter().find(|d| d.name.ja == name);
        let disease = found.unwrap_or_else(|| panic!("{name} is missing"));
        assert!(!disease.issues.is_empty(), "{name} has vocational issues");
        assert!(!disease.name.en.is_empty(), "{name} has an English name");
    }
}

#[test]
fn bundled_database_has_every_disease_of_the_fact_sheet() {
    let db = bundled();
    assert_eq!(db.diseases().len(), 35);
    assert!(
        db.occupations().len() >= 40,
        "{} occupations",
        db.occupations().len()
    );
    assert_eq!(
        db.issues().len(),
        23,
        "the 23 issue codes of the fact sheet"
    );
}

#[test]
fn every_issue_a_disease_can_bring_offers_accommodation_options() {
    let db = bundled();
    for issue in db.issues() {
        assert!(
            !issue.accommodations.is_empty(),
            "{} has no options",
            issue.code
        );
        assert!(!issue.description.ja.is_empty());
    }
}

#[test]
fn unconfirmed_designated_number_is_left_out_and_explained() {
    let db = bundled();
    let d = db
        .disease(&disease_id("extensive-spinal-canal-stenosis"))
        .expect("広範脊柱管狭窄症 is listed");
    assert_eq!(d.notification_number, None);
    assert_eq!(d.number_check, NumberCheck::Unconfirmed);
    assert!(
        d.unverified
            .iter()
            .any(|u| u.about == "notification_number")
    );
    let uc = db
        .disease(&disease_id("ulcerative-colitis"))
        .expect("UC is listed");
    assert_eq!(uc.notification_number, Some(97));
}

#[test]
fn former_names_are_kept_as_aliases() {
    let db = bundled();
    for (id, alias) in [
        ("takayasu-arteritis", "大動脈炎症候群"),
        ("moyamoya-disease", "ウィリス動脈輪閉塞症"),
        ("primary-biliary-cholangitis", "原発性胆汁性肝硬変"),
        ("pulmonary-arterial-hypertension", "原発性肺高血圧症"),
        ("immune-thrombocytopenia", "特発性血小板減少性紫斑病"),
    ] {
        let d = db.disease(&disease_id(id)).expect(id);
        assert!(d.aliases.iter().any(|a| a == alias), "{id} lacks {alias}");
    }
}

#[test]
fn lookups_find_what_the_lists_hold() {
    let db = bundled();
    let fat = IssueCode::new("FAT").expect("valid code");
    assert_eq!(
        db.issue(&fat).map(|i| i.name.ja.as_str()),
        Some("易疲労・体調変動")
    );
    let nurse = db
        .occupation(&occupation_id("nurse"))
        .expect("nurse is listed");
    assert_eq!(nurse.name.ja, "看護師");
    assert!(db.category(&nurse.category).is_some());
    let option = AccommodationId::new("clin-leave-and-hours").expect("valid id");
    assert!(
        db.accommodation(&option)
            .expect("listed")
            .text
            .ja
            .contains("通院")
    );
    let general = AccommodationId::new("gen-trial-employment").expect("valid id");
    assert!(
        db.accommodation(&general).is_some(),
        "general options are found too"
    );
    let s8 = SourceId::new("S8").expect("valid id");
    assert_eq!(
        db.source(&s8).and_then(|s| s.year),
        Some(1998),
        "the 1998 tables carry their date"
    );
    assert!(
        db.source(&SourceId::new("S23").expect("valid id"))
            .is_some(),
        "sources of occupations.json are merged"
    );
}

#[test]
fn unknown_issue_code_is_refused_with_its_id() {
    let (mut d, o) = bundled_json();
    d["diseases"][2]["issues"][0]["code"] = "SLEEPY".into();
    let err = load_edited(&d, &o).expect_err("unknown code");
    let id = d["diseases"][2]["id"].as_str().expect("id").to_owned();
    assert!(
        matches!(err, ReferenceError::UnknownIssueCode { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("SLEEPY") && message.contains(&id) && message.contains(DISEASES_FILE),
        "{message}"
    );
}

#[test]
fn occupation_demand_with_unknown_issue_code_names_the_occupation_file() {
    let (d, mut o) = bundled_json();
    o["occupations"][0]["demands"][0]["code"] = "ZZZ".into();
    let err = load_edited(&d, &o).expect_err("unknown code");
    let message = err.to_string();
    assert!(
        message.contains(OCCUPATIONS_FILE) && message.contains("ZZZ"),
        "{message}"
    );
    assert!(
        message.contains(o["occupations"][0]["id"].as_str().expect("id")),
        "{message}"
    );
}

#[test]
fn unknown_source_is_refused_with_its_id() {
    let (mut d, o) = bundled_json();
    d["issues"][0]["accommodations"][0]["sources"] = serde_json::json!(["S99 p.1"]);
    let err = load_edited(&d, &o).expect_err("unknown source");
    assert!(
        matches!(err, ReferenceError::UnknownSource { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    let id = d["issues"][0]["accommodations"][0]["id"]
        .as_str()
        .expect("id");
    assert!(message.contains("S99") && message.contains(id), "{message}");
}

#[test]
fn sourced_entry_without_sources_is_refused() {
    let (mut d, o) = bundled_json();
    d["issues"][0]["accommodations"][0]["sources"] = serde_json::json!([]);
    let err = load_edited(&d, &o).expect_err("missing source");
    assert!(
        matches!(err, ReferenceError::MissingSource { .. }),
        "{err:?}"
    );
}

#[test]
fn duplicate_disease_id_is_refused() {
    let (mut d, o) = bundled_json();
    let first_id = d["diseases"][0]["id"].clone();
    d["diseases"][1]["id"] = first_id.clone();
    let err = load_edited(&d, &o).expect_err("duplicate");
    assert!(matches!(err, ReferenceError::DuplicateId { .. }), "{err:?}");
    assert!(
        err.to_string().contains(first_id.as_str().expect("id")),
        "{err}"
    );
}

#[test]
fn duplicate_accommodation_id_across_issues_is_refused() {
    let (mut d, o) = bundled_json();
    let taken = d["issues"][0]["accommodations"][0]["id"].clone();
    d["issues"][5]["accommodations"][0]["id"] = taken;
    let err = load_edited(&d, &o).expect_err("duplicate");
    assert!(matches!(err, ReferenceError::DuplicateId { .. }), "{err:?}");
}

#[test]
fn unknown_group_and_category_are_refused() {
    let (mut d, o) = bundled_json();
    d["diseases"][0]["group"] = "martian".into();
    assert!(matches!(
        load_edited(&d, &o),
        Err(ReferenceError::UnknownGroup { .. })
    ));
    let (d, mut o) = bundled_json();
    o["occupations"][0]["category"] = "99".into();
    assert!(matches!(
        load_edited(&d, &o),
        Err(ReferenceError::UnknownCategory { .. })
    ));
}

#[test]
fn mismatched_versions_are_refused() {
    let (d, mut o) = bundled_json();
    o["version"] = "1999.1.1".into();
    assert!(matches!(
        load_edited(&d, &o),
        Err(ReferenceError::VersionMismatch { .. })
    ));
}

#[test]
fn newer_file_format_is_refused_with_a_clear_message() {
    let (mut d, o) = bundled_json();
    d["format"] = 2.into();
    d["diseases"] = "a shape this build does not know".into();
    let err = load_edited(&d, &o).expect_err("format 2");
    assert!(
        matches!(err, ReferenceError::UnsupportedFormat { found: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("update the app"), "{err}");
}

#[test]
fn invalid_id_spelling_in_a_file_is_refused() {
    let (mut d, o) = bundled_json();
    d["diseases"][0]["id"] = "Ulcerative Colitis".into();
    let err = load_edited(&d, &o).expect_err("bad id");
    assert!(matches!(err, ReferenceError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("Ulcerative Colitis"), "{err}");
}

#[test]
fn missing_number_must_be_marked_unconfirmed() {
    let (mut d, o) = bundled_json();
    d["diseases"][0]["notification_number"] = Value::Null;
    let err = load_edited(&d, &o).expect_err("silently missing number");
    assert!(matches!(err, ReferenceError::Invalid { .. }), "{err:?}");
}

#[test]
fn source_listed_differently_in_the_two_files_is_refused() {
    let (d, mut o) = bundled_json();
    let mut s1 = d["sources"][0].clone();
    s1["title"] = "another title".into();
    o["sources"].as_array_mut().expect("sources list").push(s1);
    assert!(matches!(
        load_edited(&d, &o),
        Err(ReferenceError::ConflictingSource { .. })
    ));
}

#[test]
fn the_unedited_bundled_files_load_from_a_folder() {
    let (d, o) = bundled_json();
    let db = load_edited(&d, &o).expect("bundled files are valid from disk too");
    assert_eq!(db.version(), bundled().version());
}
