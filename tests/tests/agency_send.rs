//! Send-data between offices through the real programs: a case goes from
//! one office's companion to another's only with the client's consent to
//! sharing with a related agency, and arrives once, as a new case that says
//! where it came from. The office also lists what is due across its cases.

use tsunagi_core::model::{ConsentScope, demo_cases};
use tsunagi_tests::devices::{Devices, text};

#[test]
fn a_case_goes_to_another_office_with_consent_and_arrives_once_as_a_new_case() {
    let env = Devices::empty(
        env!("CARGO_BIN_EXE_tablet"),
        env!("CARGO_BIN_EXE_companion"),
    );
    env.companion_ok(&["init", "--user", "admin"]);
    let (with, without) = {
        let mut office = env.store("companion");
        let mut no_consent = demo_cases()[0].clone();
        no_consent
            .consents
            .retain(|c| c.scope != ConsentScope::AgencySharing);
        (
            office.create_case(&demo_cases()[0]).expect("a case"),
            office.create_case(&no_consent).expect("a case"),
        )
    };
    let other = |args: &[&str]| {
        let out = env.companion_in("office-b", args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{args:?}: {stderr}");
        stdout
    };
    other(&["init", "--user", "admin"]);
    let key = other(&["key"]);
    let recipient = key.lines().next().expect("the key").trim().to_owned();
    assert!(recipient.starts_with("age1"), "{key}");

    // Without the consent: refused in words, no file.
    let refused_file = env.dir("refused.age");
    let refused = Devices::fails(env.companion(&[
        "case",
        "export",
        &without.to_string(),
        "--to",
        &recipient,
        "--out",
        refused_file.to_str().expect("utf-8"),
    ]));
    assert!(refused.contains("関係機関への情報提供"), "{refused}");
    assert!(!refused_file.exists());

    let file = env.dir("send-data.age");
    env.companion_ok(&[
        "case",
        "export",
        &with.to_string(),
        "--to",
        &recipient,
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    let taken = other(&[
        "case",
        "import-from-agency",
        file.to_str().expect("utf-8"),
        "--from",
        "架空市難病相談支援センター",
    ]);
    let new_id = taken.split('\t').next().expect("an id").trim().to_owned();
    assert_ne!(new_id, with.to_string(), "a new case at the other office");
    assert!(taken.contains("架空市難病相談支援センター"), "{taken}");
    let listed = other(&["case", "list"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains(&new_id));
    let name = demo_cases()[0].basic.name.expose().clone();
    assert!(listed.contains(&name), "{listed}");

    // Once: the same file again changes nothing.
    let again = other(&[
        "case",
        "import-from-agency",
        file.to_str().expect("utf-8"),
        "--from",
        "架空市難病相談支援センター",
    ]);
    assert!(again.contains("taken in before"), "{again}");
    assert_eq!(other(&["case", "list"]).lines().count(), 1);
}

#[test]
fn the_office_lists_what_is_due_across_its_cases() {
    let env = Devices::empty(
        env!("CARGO_BIN_EXE_tablet"),
        env!("CARGO_BIN_EXE_companion"),
    );
    env.companion_ok(&["init", "--user", "admin"]);
    let id = env
        .store("companion")
        .create_case(&demo_cases()[0])
        .expect("a case");
    let out = env.companion_ok(&["due", "--within", "36500"]);
    assert!(
        out.lines()
            .any(|l| l.contains(&id.to_string()) && l.contains("医療受給者証の有効期限")),
        "{out}"
    );
}
