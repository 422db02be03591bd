//! The history's values, de-identified from the model's marks.

use super::*;

#[test]
fn an_identifying_field_loses_its_values_and_keeps_its_path() {
    assert_eq!(
        deidentified_value("basic", "basic.name", &json!("山田花子")),
        Value::Null
    );
    assert_eq!(
        deidentified_value("basic", "basic.birth_date", &json!("1990-04-01")),
        Value::Null
    );
    assert_eq!(
        deidentified_value(
            "consultations",
            "consultations[id=c1].content",
            &json!("相談の記録")
        ),
        Value::Null
    );
}

#[test]
fn a_field_that_does_not_identify_keeps_its_values() {
    assert_eq!(
        deidentified_value("stage", "stage", &json!("hired")),
        json!("hired")
    );
    assert_eq!(
        deidentified_value(
            "basic",
            "basic.diseases[id=d1].status_history[id=s1].status",
            &json!("relapse")
        ),
        json!("relapse")
    );
    assert_eq!(
        deidentified_value("basic", "basic.birth_year", &json!(1990)),
        json!(1990)
    );
}

#[test]
fn a_whole_item_or_section_keeps_only_what_does_not_identify() {
    let disease = json!({"id": "d1", "name": "潰瘍性大腸炎", "note": "主治医のメモ"});
    let kept = deidentified_value("basic", "basic.diseases[id=d1]", &disease);
    assert_eq!(kept["name"], "潰瘍性大腸炎");
    assert_eq!(kept["id"], "d1");
    assert!(kept["note"].is_null());
    let case = demo_cases().remove(0);
    let section = Section::Basic(case.basic.clone()).to_json();
    let kept = deidentified_value("basic", "basic", &section);
    assert_eq!(kept, pii::deidentified(&case)["basic"]);
    let list = serde_json::to_value(&case.consultations).expect("serialises");
    let kept = deidentified_value("consultations", "consultations", &list);
    assert_eq!(kept, pii::deidentified(&case)["consultations"]);
}

#[test]
fn what_cannot_be_placed_in_a_case_is_left_out_whole() {
    let name = json!("山田花子");
    for (section, path) in [
        ("media", "media[id=m1].caption"),
        ("basic", "basic.nickname"),
        ("basic", "career_plan.direction"),
        ("basic", "basic..name"),
        ("nothing", "nothing"),
        ("basic", "basic.name[0]"),
    ] {
        assert_eq!(
            deidentified_value(section, path, &name),
            Value::Null,
            "{path}"
        );
    }
    // A value that no longer fits the model.
    assert_eq!(
        deidentified_value("stage", "stage", &json!({"old": "shape"})),
        Value::Null
    );
}
