//! The client's own record (本人携帯記録) end to end: `tsunagi carry export`
//! and `tsunagi carry import` as processes on real SQLCipher stores, the
//! sealed file opened with the `age` command-line tool and the passphrase
//! printed for the client's paper, and a second agency taking it in.

use std::path::Path;

use tsunagi_tests::age_tool::age_decrypt_with_passphrase;
use tsunagi_tests::devices::{Devices as Env, text};

const TABLET: &str = env!("CARGO_BIN_EXE_tablet");
const COMPANION: &str = env!("CARGO_BIN_EXE_companion");
const CHOSEN: &str = "データ入力の実習で表を仕上げたところ";
const LEFT: &str = "家族旅行の写真（持っていかない）";
/// Only in the basic information of the demo case, which is not chosen.
const ADDRESS: &str = "架空県見本市さくら町1-2-3";
/// In the career plan's discovery, which is chosen.
const STRENGTH: &str = "数字の入力が正確で、必ず見直しをする";

fn run_ok(env: &Env, data: &str, args: &[&str]) -> String {
    let out = env
        .command(Path::new(TABLET), data, args)
        .output()
        .expect("runs the tablet");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "tsunagi {args:?} failed: {stderr}");
    stdout
}

/// `carry import FILE …` on `data` with `passphrase` in the environment.
fn import(env: &Env, data: &str, passphrase: &str, args: &[&str]) -> std::process::Output {
    env.command(Path::new(TABLET), data, args)
        .env("TSUNAGI_CARRY_PASSPHRASE", passphrase)
        .output()
        .expect("runs the tablet")
}

/// A tablet with the demo cases; the first case with two approved photos:
/// (the environment, the case id, the photo to carry, the photo left).
fn tablet_with_photos() -> (Env, String, String, String) {
    let env = Env::empty(TABLET, COMPANION);
    env.tablet_ok(&["init", "--user", "admin"]);
    env.tablet_ok(&["demo"]);
    let case = env
        .tablet_ok(&["case", "list"])
        .lines()
        .find(|l| l.contains("見本 花子"))
        .and_then(|l| l.split('\t').next())
        .expect("the demo case of 見本 花子")
        .to_owned();
    let photo = env.dir("photo.jpg");
    std::fs::write(&photo, tsunagi_core::media::fixtures::gps_tagged_jpeg()).expect("writes");
    let photo = photo.to_str().expect("a UTF-8 path");
    let mut ids = Vec::new();
    for caption in [CHOSEN, LEFT] {
        let id = env
            .tablet_ok(&["media", "import", &case, photo, "--caption", caption])
            .trim()
            .to_owned();
        env.tablet_ok(&["media", "approve", &case, &id]);
        ids.push(id);
    }
    let left = ids.pop().expect("two photos");
    let chosen = ids.pop().expect("two photos");
    (env, case, chosen, left)
}

#[test]
fn a_client_takes_what_they_chose_to_another_agency() {
    let (env, case, chosen, left) = tablet_with_photos();
    let file = env.dir("record.age");
    let file_arg = file.to_str().expect("a UTF-8 path");

    // Nothing chosen: refused, nothing written.
    let refused = env.tablet(&["carry", "export", &case, "--out", file_arg]);
    assert!(!refused.status.success());
    assert!(text(&refused).1.contains("一つ以上選んでください"));
    assert!(!file.exists());

    let out = env.tablet_ok(&[
        "carry",
        "export",
        &case,
        "--sections",
        "career_plan,job_match",
        "--disease",
        "1",
        "--media",
        &chosen,
        "--out",
        file_arg,
    ]);
    let passphrase = out
        .lines()
        .find_map(|l| l.strip_prefix("パスフレーズ (passphrase): "))
        .expect("the passphrase is printed")
        .trim()
        .to_owned();
    assert_eq!(passphrase.len(), 24, "five groups of four: {passphrase}");
    assert!(out.contains("紙に書いて本人に渡し"), "{out}");

    // Any age tool opens it with the passphrase; it holds the chosen
    // parts only.
    let plain = env.dir("record.txt");
    assert!(!age_decrypt_with_passphrase(
        &file,
        &env.dir("wrong.txt"),
        "WRONG-PASS-WORD-2345-6789"
    ));
    assert!(age_decrypt_with_passphrase(&file, &plain, &passphrase));
    let inside = String::from_utf8_lossy(&std::fs::read(&plain).expect("reads")).into_owned();
    assert!(inside.starts_with("{\"magic\":\"tsunagi-client-record\""));
    assert!(inside.contains(STRENGTH) && inside.contains(CHOSEN));
    assert!(!inside.contains(ADDRESS) && !inside.contains(LEFT) && !inside.contains(&left));

    // The choice is a consent on the original case.
    let shown = run_ok(&env, "tablet", &["case", "show", &case]);
    assert!(shown.contains("\"client_record\""), "no consent recorded");

    // Another agency: a wrong passphrase and a missing --yes create nothing.
    run_ok(&env, "agency", &["init", "--user", "admin"]);
    let wrong = import(
        &env,
        "agency",
        "ABCD-EFGH-JKLM-NPQR-STUV",
        &["carry", "import", file_arg],
    );
    assert!(!wrong.status.success());
    assert!(text(&wrong).1.contains("パスフレーズが違います"));
    let unconfirmed = import(&env, "agency", &passphrase, &["carry", "import", file_arg]);
    assert!(!unconfirmed.status.success());
    assert!(
        text(&unconfirmed).0.contains("潰瘍性大腸炎"),
        "the preview comes first"
    );
    assert_eq!(run_ok(&env, "agency", &["case", "list"]).trim(), "");

    // Typed in lower case with spaces, with --yes: one new case.
    let typed = passphrase.replace('-', " ").to_lowercase();
    let taken = import(
        &env,
        "agency",
        &typed,
        &["carry", "import", file_arg, "--yes"],
    );
    let (stdout, stderr) = text(&taken);
    assert!(taken.status.success(), "{stderr}");
    for line in [
        "キャリア計画",
        "ジョブマッチ",
        "潰瘍性大腸炎",
        "写真 1件・動画 0件",
    ] {
        assert!(
            stdout.contains(line),
            "the preview does not show {line}: {stdout}"
        );
    }
    let new_id = stdout.lines().last().expect("the new id").trim().to_owned();
    assert_ne!(new_id, case);
    let listed = run_ok(&env, "agency", &["case", "list"]);
    assert_eq!(listed.lines().count(), 1);
    assert!(listed.starts_with(&new_id));

    let new_case = run_ok(&env, "agency", &["case", "show", &new_id]);
    assert!(new_case.contains(STRENGTH) && new_case.contains("潰瘍性大腸炎"));
    assert!(
        !new_case.contains(ADDRESS),
        "the basic information was not chosen"
    );
    let json: serde_json::Value = serde_json::from_str(&new_case).expect("JSON");
    assert_eq!(json["basic"]["name"], "", "the name was not chosen");
    assert!(
        !new_case.contains("client_record"),
        "consents stay at the first agency"
    );
    let media = run_ok(&env, "agency", &["media", "list", &new_id]);
    assert_eq!(media.lines().count(), 1, "{media}");
    assert!(media.contains(CHOSEN) && !media.contains(LEFT));
    assert!(media.contains("\tphoto\t") && media.contains("\tno\t"));
}
