//! Backups without personal data end to end: `tsunagi backup` and
//! `tsunagi restore` as processes on real SQLCipher stores, the sealed file
//! opened with the `age` command-line tool (Debian's `age`, which `cargo
//! xtask test` installs), the companion's own backup and its resealing of
//! a tablet's backup sealed to it.

use std::path::Path;
use std::process::Command;

use tsunagi_core::model::{Case, CaseId, demo_cases, identifying_texts};
use tsunagi_tests::age_tool::age_decrypt_with_passphrase;
use tsunagi_tests::devices::{Devices as Env, text};

const TABLET: &str = env!("CARGO_BIN_EXE_tablet");
const COMPANION: &str = env!("CARGO_BIN_EXE_companion");
const PASSPHRASE: &str = "a long backup passphrase";
const CAPTION: &str = "職場実習での見本花子さんの笑顔";

fn new_env() -> Env {
    Env::with_demo(TABLET, COMPANION)
}

/// A tablet command on another data folder (`data`).
fn tablet_on(env: &Env, data: &str, args: &[&str]) -> std::process::Output {
    env.command(Path::new(TABLET), data, args)
        .output()
        .expect("runs the tablet")
}

fn tablet_on_ok(env: &Env, data: &str, args: &[&str]) -> String {
    let out = tablet_on(env, data, args);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "tsunagi {args:?} failed: {stderr}");
    stdout
}

/// A tablet command with the backup passphrase in its environment.
fn with_passphrase(env: &Env, data: &str, passphrase: &str, args: &[&str]) -> std::process::Output {
    env.command(Path::new(TABLET), data, args)
        .env("TSUNAGI_BACKUP_PASSPHRASE", passphrase)
        .output()
        .expect("runs the tablet")
}

/// `age-keygen -o FILE`: the identity file and its public key.
fn age_keygen(env: &Env, name: &str) -> (std::path::PathBuf, String) {
    let path = env.dir(name);
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&path)
        .output()
        .expect("age-keygen runs (the Debian package age)");
    assert!(out.status.success(), "{}", text(&out).1);
    let out = Command::new("age-keygen")
        .arg("-y")
        .arg(&path)
        .output()
        .expect("age-keygen runs");
    let public = String::from_utf8(out.stdout)
        .expect("text")
        .trim()
        .to_owned();
    assert!(public.starts_with("age1"), "{public}");
    (path, public)
}

/// `age -d -i IDENTITY FILE`: the plaintext.
fn age_decrypt_with_identity(identity: &Path, file: &Path) -> String {
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .output()
        .expect("age runs");
    assert!(out.status.success(), "age -d failed: {}", text(&out).1);
    String::from_utf8(out.stdout).expect("the plaintext is UTF-8 JSON")
}

/// The case ids of `case list` on `data`.
fn case_ids(env: &Env, data: &str) -> Vec<String> {
    let mut ids: Vec<String> = tablet_on_ok(env, data, &["case", "list"])
        .lines()
        .map(|l| l.split('\t').next().expect("an id").to_owned())
        .collect();
    ids.sort();
    ids
}

/// Checks that `plaintext` holds nothing identifying of the demo cases and
/// the support content it should.
fn holds_no_identifying_value(plaintext: &str, env: &Env, data: &str) {
    let mut searched = 0;
    for case in demo_cases() {
        for value in identifying_texts(&case)
            .iter()
            .filter(|t| t.chars().count() >= 4)
        {
            assert!(
                !plaintext.contains(value.as_str()),
                "identifying text in the backup: {value}"
            );
            searched += 1;
        }
        let birth = case.basic.birth_date.expose().expect("dated").to_string();
        assert!(!plaintext.contains(&birth), "a birth date is in the backup");
        assert!(
            plaintext.contains(case.basic.diseases[0].name.as_str()),
            "a disease is missing"
        );
    }
    assert!(searched > 150, "the collector found too little: {searched}");
    for id in case_ids(env, data) {
        assert!(plaintext.contains(&id), "case {id} is missing");
    }
}

/// Imports a photo into the first case and returns its bytes as stored.
fn add_photo(env: &Env) -> Vec<u8> {
    let case = case_ids(env, "tablet").remove(0);
    let photo = env.dir("photo.png");
    image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    })
    .save(&photo)
    .expect("writes a photo");
    let id = env.tablet_ok(&[
        "media",
        "import",
        &case,
        photo.to_str().expect("a path"),
        "--caption",
        CAPTION,
    ]);
    let stored = env.dir("stored.jpg");
    env.tablet_ok(&[
        "media",
        "export",
        &case,
        id.trim(),
        "--out",
        stored.to_str().expect("a path"),
    ]);
    std::fs::read(&stored).expect("reads the photo")
}

#[test]
fn a_tablet_backup_opened_with_the_age_tool_holds_no_identifying_value_or_photo() {
    let env = new_env();
    let photo = add_photo(&env);
    let (identity, public) = age_keygen(&env, "office-key.txt");
    let out = env.dir("backup.age");
    let printed = env.tablet_ok(&[
        "backup",
        "--without-personal-data",
        "--to",
        &public,
        "--out",
        out.to_str().expect("a path"),
    ]);
    assert!(printed.contains("4件のケース"), "{printed}");

    let plaintext = age_decrypt_with_identity(&identity, &out);
    holds_no_identifying_value(&plaintext, &env, "tablet");
    assert!(
        !plaintext.contains(CAPTION),
        "a photo's caption is in the backup"
    );
    assert!(
        !plaintext.contains("\"poster\""),
        "a poster is in the backup"
    );
    // No JPEG at all (a photo or a poster) in base64, which starts so.
    assert!(!plaintext.contains("/9j/"), "a JPEG is in the backup");
    let bytes = plaintext.as_bytes();
    for window in photo.chunks(32).skip(4).take(50) {
        assert!(
            !bytes.windows(window.len()).any(|w| w == window),
            "the photo's bytes are in the backup"
        );
    }
    let first = plaintext.lines().next().expect("a first line");
    let header: serde_json::Value = serde_json::from_str(first).expect("JSON");
    assert_eq!(header["kind"], "without-personal-data");
    assert_eq!(header["format"], 1);
    assert_eq!(header["made_by"], "tsunagi");

    // With a passphrase, `age -d` opens it as well.
    let sealed = env.dir("passphrase.age");
    let made = with_passphrase(
        &env,
        "tablet",
        PASSPHRASE,
        &[
            "backup",
            "--without-personal-data",
            "--passphrase",
            "--out",
            sealed.to_str().expect("a path"),
        ],
    );
    assert!(made.status.success(), "{}", text(&made).1);
    assert!(
        !age_decrypt_with_passphrase(&sealed, &env.dir("wrong.json"), "not the passphrase"),
        "age opened it with a wrong passphrase"
    );
    let opened = env.dir("passphrase.json");
    assert!(age_decrypt_with_passphrase(&sealed, &opened, PASSPHRASE));
    let plaintext = std::fs::read_to_string(&opened).expect("reads");
    holds_no_identifying_value(&plaintext, &env, "tablet");
}

#[test]
fn a_backup_restores_onto_an_empty_tablet_with_the_same_cases_and_history() {
    let env = new_env();
    add_photo(&env);
    let (identity, public) = age_keygen(&env, "office-key.txt");
    let out = env.dir("backup.age");
    env.tablet_ok(&[
        "backup",
        "--without-personal-data",
        "--to",
        &public,
        "--out",
        out.to_str().expect("a path"),
    ]);
    tablet_on_ok(&env, "tablet2", &["init", "--user", "admin"]);
    let printed = tablet_on_ok(
        &env,
        "tablet2",
        &[
            "restore",
            out.to_str().expect("a path"),
            "--identity",
            identity.to_str().expect("a path"),
        ],
    );
    assert!(printed.contains("4件のケースを復元しました"), "{printed}");
    assert_eq!(case_ids(&env, "tablet2"), case_ids(&env, "tablet"));

    let mut before = env.store("tablet");
    let mut after = env.store("tablet2");
    for id in case_ids(&env, "tablet") {
        let id: CaseId = id.parse().expect("a case id");
        let original = before.load_case(id).expect("loads");
        let restored = after.load_case(id).expect("loads");
        let expected: Case =
            serde_json::from_value(tsunagi_core::pii::deidentified(&original)).expect("reads");
        assert_eq!(restored, expected);
        assert!(restored.basic.name.expose().is_empty());
        assert!(restored.basic.address.expose().is_empty());
        assert_eq!(restored.basic.diseases.len(), original.basic.diseases.len());
        assert_eq!(restored.consultations.len(), original.consultations.len());
        let marks = after.needs_reentry(id).expect("marks");
        assert!(marks.contains(&"basic.name".to_owned()), "{marks:?}");
        let history_before = before.history(id, None).expect("history");
        let history_after = after.history(id, None).expect("history");
        assert_eq!(history_after.len(), history_before.len());
        for (a, b) in history_after.iter().zip(&history_before) {
            assert_eq!((a.revision, &a.author, a.at), (b.revision, &b.author, b.at));
        }
        assert!(
            after.list_media(id).expect("lists").is_empty(),
            "a photo came back"
        );
    }
    // The restored tablet shows the cases without names.
    let list = tablet_on_ok(&env, "tablet2", &["case", "list"]);
    assert!(list.lines().all(|l| l.ends_with('\t')), "{list}");
}

#[test]
fn a_wrong_passphrase_a_damaged_file_another_key_or_a_store_with_cases_are_refused() {
    let env = new_env();
    let out = env.dir("backup.age");
    let made = with_passphrase(
        &env,
        "tablet",
        PASSPHRASE,
        &[
            "backup",
            "--without-personal-data",
            "--passphrase",
            "--out",
            out.to_str().expect("a path"),
        ],
    );
    assert!(made.status.success(), "{}", text(&made).1);
    tablet_on_ok(&env, "tablet2", &["init", "--user", "admin"]);
    let path = out.to_str().expect("a path");
    let unchanged = |env: &Env| {
        assert!(case_ids(env, "tablet2").is_empty(), "the store changed");
    };

    let line = Env::fails(with_passphrase(
        &env,
        "tablet2",
        "not the passphrase at all",
        &["restore", path],
    ));
    assert!(line.contains("パスフレーズが違います。"), "{line}");
    assert!(line.contains("The passphrase is wrong"), "{line}");
    unchanged(&env);

    let mut bytes = std::fs::read(&out).expect("reads");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let damaged = env.dir("damaged.age");
    std::fs::write(&damaged, &bytes).expect("writes");
    let line = Env::fails(with_passphrase(
        &env,
        "tablet2",
        PASSPHRASE,
        &["restore", damaged.to_str().expect("a path")],
    ));
    assert!(line.contains("バックアップが壊れているか"), "{line}");
    unchanged(&env);
    let cut = env.dir("cut.age");
    std::fs::write(&cut, &std::fs::read(&out).expect("reads")[..middle]).expect("writes");
    let line = Env::fails(with_passphrase(
        &env,
        "tablet2",
        PASSPHRASE,
        &["restore", cut.to_str().expect("a path")],
    ));
    assert!(line.contains("バックアップが壊れているか"), "{line}");
    unchanged(&env);

    let (_, public) = age_keygen(&env, "right-key.txt");
    let (wrong, _) = age_keygen(&env, "wrong-key.txt");
    let keyed = env.dir("keyed.age");
    env.tablet_ok(&[
        "backup",
        "--without-personal-data",
        "--to",
        &public,
        "--out",
        keyed.to_str().expect("a path"),
    ]);
    let line = Env::fails(tablet_on(
        &env,
        "tablet2",
        &[
            "restore",
            keyed.to_str().expect("a path"),
            "--identity",
            wrong.to_str().expect("a path"),
        ],
    ));
    assert!(
        line.contains("指定された鍵あてに封をされたものではありません"),
        "{line}"
    );
    unchanged(&env);
    let line = Env::fails(tablet_on(
        &env,
        "tablet2",
        &["restore", keyed.to_str().expect("a path")],
    ));
    assert!(line.contains("--identity"), "{line}");
    unchanged(&env);

    // A file that is not a backup at all.
    let line = Env::fails(tablet_on(
        &env,
        "tablet2",
        &["restore", wrong.to_str().expect("a path")],
    ));
    assert!(
        line.contains("つなぎのバックアップではありません"),
        "{line}"
    );
    unchanged(&env);

    // The tablet that made it holds cases: refused before anything.
    let ids = case_ids(&env, "tablet");
    let line = Env::fails(with_passphrase(
        &env,
        "tablet",
        PASSPHRASE,
        &["restore", path],
    ));
    assert!(
        line.contains("この保管庫にはすでにケースがあります"),
        "{line}"
    );
    assert_eq!(case_ids(&env, "tablet"), ids);

    // A failed backup leaves the file it would have replaced.
    std::fs::write(&out, "an older backup").expect("writes");
    let line = Env::fails(with_passphrase(
        &env,
        "tablet",
        "short",
        &[
            "backup",
            "--without-personal-data",
            "--passphrase",
            "--out",
            path,
        ],
    ));
    assert!(line.contains("12文字以上"), "{line}");
    assert_eq!(
        std::fs::read_to_string(&out).expect("reads"),
        "an older backup"
    );
}

#[test]
fn the_companion_backs_up_its_own_cases_and_reseals_a_tablet_backup_sealed_to_it() {
    let env = new_env();
    let server = env.serve();
    env.pair(&server);
    env.tablet_ok(&["sync"]);
    drop(server);

    // The tablet seals a backup to the office's key, learnt when pairing.
    let to_office = env.dir("to-office.age");
    env.tablet_ok(&[
        "backup",
        "--without-personal-data",
        "--to",
        "companion",
        "--out",
        to_office.to_str().expect("a path"),
    ]);
    // The office opens it and gives the replaced tablet a copy with a passphrase.
    let copy = env.dir("for-new-tablet.age");
    let out = env
        .companion_command(&[
            "reseal-backup",
            to_office.to_str().expect("a path"),
            "--passphrase",
            "--out",
            copy.to_str().expect("a path"),
        ])
        .env("TSUNAGI_BACKUP_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("runs the companion");
    assert!(out.status.success(), "{}", text(&out).1);
    tablet_on_ok(&env, "tablet2", &["init", "--user", "admin"]);
    let restored = with_passphrase(
        &env,
        "tablet2",
        PASSPHRASE,
        &["restore", copy.to_str().expect("a path")],
    );
    assert!(restored.status.success(), "{}", text(&restored).1);
    assert_eq!(case_ids(&env, "tablet2"), case_ids(&env, "tablet"));

    // The companion's own store holds the cases it received: it backs
    // them up the same way, and a fresh companion store restores them.
    let (identity, public) = age_keygen(&env, "office-key.txt");
    let office = env.dir("office.age");
    env.companion_ok(&[
        "backup",
        "--without-personal-data",
        "--to",
        &public,
        "--out",
        office.to_str().expect("a path"),
    ]);
    let plaintext = age_decrypt_with_identity(&identity, &office);
    holds_no_identifying_value(&plaintext, &env, "tablet");
    assert!(
        plaintext
            .lines()
            .next()
            .expect("a line")
            .contains("tsunagi-companion")
    );
    let companion2 = |args: &[&str]| {
        env.command(Path::new(COMPANION), "companion2", args)
            .output()
            .expect("runs the companion")
    };
    assert!(companion2(&["init", "--user", "admin"]).status.success());
    let out = companion2(&[
        "restore",
        office.to_str().expect("a path"),
        "--identity",
        identity.to_str().expect("a path"),
    ]);
    assert!(out.status.success(), "{}", text(&out).1);
    let out = companion2(&["case", "list"]);
    assert_eq!(text(&out).0.lines().count(), 4);
}
