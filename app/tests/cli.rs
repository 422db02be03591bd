//! The `tsunagi` command line end to end, on a real SQLCipher file and a file
//! keystore in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PW: &str = "correct horse battery";

struct Env {
    root: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            root: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }

    fn keys(&self) -> PathBuf {
        self.root.path().join("keys")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tsunagi"));
        cmd.arg("--data-dir")
            .arg(self.data())
            .args(args)
            .env("TSUNAGI_KEYSTORE", "file")
            .env("TSUNAGI_KEYSTORE_DIR", self.keys())
            .env_remove("TSUNAGI_DATA_DIR");
        cmd
    }

    fn tsunagi(&self, args: &[&str], password: &str) -> Output {
        self.command(args)
            .env("TSUNAGI_USER", "admin")
            .env("TSUNAGI_PASSWORD", password)
            .output()
            .expect("runs tsunagi")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.tsunagi(args, PW);
        assert!(
            out.status.success(),
            "tsunagi {args:?} failed: {}",
            stderr(&out)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    fn init_with_demo(&self) -> String {
        let out = self.ok(&["init", "--user", "admin"]);
        self.ok(&["demo"]);
        out
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn one_error_line(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().filter(|l| !l.contains("warning:")).collect();
    assert_eq!(lines.len(), 1, "expected one error line, got: {err}");
    lines[0].to_owned()
}

fn case_ids(list: &str) -> Vec<String> {
    list.lines()
        .map(|l| l.split('\t').next().expect("id column").to_owned())
        .collect()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path))
        } else {
            out.push(path)
        }
    }
    out
}

#[test]
fn init_prints_a_recovery_code_and_demo_cases_are_listed() {
    let env = Env::new();
    let out = env.init_with_demo();
    assert!(out.contains("復旧コード"), "{out}");
    let list = env.ok(&["case", "list"]);
    assert!(list.lines().count() >= 3, "{list}");
    for line in list.lines() {
        let (id, name) = line.split_once('\t').expect("id<TAB>name");
        assert_eq!(id.len(), 36, "{line}");
        assert!(!name.is_empty(), "{line}");
    }
}

#[test]
fn shown_case_imports_as_a_new_case_with_the_same_content() {
    let env = Env::new();
    env.init_with_demo();
    let id = case_ids(&env.ok(&["case", "list"]))[0].clone();
    let shown = env.ok(&["case", "show", &id]);
    let file = env.root.path().join("case.json");
    std::fs::write(&file, &shown).expect("writes");
    let new_id = env
        .ok(&["case", "import", file.to_str().expect("utf-8 path")])
        .trim()
        .to_owned();
    assert_ne!(new_id, id);
    let mut original: serde_json::Value = serde_json::from_str(&shown).expect("json");
    let mut copy: serde_json::Value =
        serde_json::from_str(&env.ok(&["case", "show", &new_id])).expect("json");
    original["id"] = serde_json::Value::Null;
    copy["id"] = serde_json::Value::Null;
    assert_eq!(original, copy);
}

#[test]
fn wrong_password_is_one_clear_line_and_opens_nothing() {
    let env = Env::new();
    env.init_with_demo();
    let out = env.tsunagi(&["case", "list"], "not the password");
    assert!(
        one_error_line(&out).contains("password is wrong"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_store_says_how_to_set_one_up() {
    let env = Env::new();
    let out = env.tsunagi(&["case", "list"], PW);
    assert!(one_error_line(&out).contains("init"), "{}", stderr(&out));
}

#[test]
fn malformed_or_schema_violating_json_is_refused_and_nothing_changes() {
    let env = Env::new();
    env.init_with_demo();
    let before = env.ok(&["case", "list"]);
    for (name, text) in [
        ("truncated.json", "{\"basic\": {\"name\": \"x\""),
        ("unknown-field.json", "{\"basic\": {\"nickname\": \"x\"}}"),
        ("wrong-type.json", "{\"stage\": 7}"),
        ("not-json.json", "\u{0}\u{1}binary"),
    ] {
        let file = env.root.path().join(name);
        std::fs::write(&file, text).expect("writes");
        let out = env.tsunagi(&["case", "import", file.to_str().expect("utf-8 path")], PW);
        assert!(
            one_error_line(&out).contains("does not fit the case format"),
            "{name}: {}",
            stderr(&out)
        );
    }
    assert_eq!(env.ok(&["case", "list"]), before);
}

#[test]
fn deleted_keychain_entry_is_recovered_with_the_recovery_code() {
    let env = Env::new();
    let init = env.init_with_demo();
    let code = init
        .split(": ")
        .nth(1)
        .expect("code after colon")
        .trim()
        .to_owned();
    for file in files_under(&env.keys()) {
        std::fs::remove_file(file).expect("removes key file");
    }
    let out = env.tsunagi(&["case", "list"], PW);
    assert!(
        one_error_line(&out).contains("recovery code"),
        "{}",
        stderr(&out)
    );

    let recover = |code: &str| {
        env.command(&["recover", "--user", "admin"])
            .env("TSUNAGI_RECOVERY_CODE", code)
            .env("TSUNAGI_NEW_PASSWORD", "a brand new password")
            .output()
            .expect("runs")
    };
    let wrong = recover("00000-00000-00000-00000-00000");
    assert!(
        one_error_line(&wrong).contains("recovery code is wrong"),
        "{}",
        stderr(&wrong)
    );
    let out = recover(&code.to_lowercase());
    assert!(out.status.success(), "{}", stderr(&out));
    let list = env.tsunagi(&["case", "list"], "a brand new password");
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(String::from_utf8_lossy(&list.stdout).lines().count() >= 3);
}

#[test]
fn no_identifying_value_appears_in_any_file_under_the_data_dir() {
    let env = Env::new();
    env.init_with_demo();
    let mut secrets: Vec<String> = Vec::new();
    for id in case_ids(&env.ok(&["case", "list"])) {
        let case: serde_json::Value =
            serde_json::from_str(&env.ok(&["case", "show", &id])).expect("json");
        let basic = &case["basic"];
        for field in ["name", "kana", "address", "phone", "email"] {
            if let Some(s) = basic[field].as_str().filter(|s| s.chars().count() >= 2) {
                secrets.push(s.to_owned());
            }
        }
        for record in case["consultations"].as_array().into_iter().flatten() {
            if let Some(s) = record["content"]
                .as_str()
                .filter(|s| s.chars().count() >= 4)
            {
                secrets.push(s.to_owned());
            }
        }
    }
    assert!(
        secrets.len() >= 6,
        "too few identifying values to check: {}",
        secrets.len()
    );
    let files = files_under(&env.data());
    assert!(files.iter().any(|f| f.ends_with("store.db")));
    for file in files {
        let bytes = std::fs::read(&file).expect("reads");
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "{} is a plain SQLite file",
            file.display()
        );
        for secret in &secrets {
            let needle = secret.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds an identifying value in plain text",
                file.display()
            );
        }
    }
}

#[test]
fn plain_sqlite_cannot_read_the_database() {
    let env = Env::new();
    env.init_with_demo();
    let db = env.data().join("store.db");
    let out = Command::new("python3")
        .args(["-c", "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('select * from sqlite_master').fetchall()"])
        .arg(&db)
        .output()
        .expect("python3 runs");
    assert!(!out.status.success(), "plain SQLite read the store");
    assert!(stderr(&out).contains("not a database"), "{}", stderr(&out));
}

#[test]
fn only_a_release_signed_by_the_publisher_is_installed_and_only_by_an_administrator() {
    let env = Env::new();
    env.ok(&["init", "--user", "admin"]);
    let bundled = env.ok(&["reference", "info"]);
    let version = bundled
        .lines()
        .next()
        .expect("version line")
        .split('\t')
        .nth(1)
        .expect("value")
        .to_owned();
    let release = env.root.path().join("release");
    std::fs::create_dir_all(&release).expect("mkdir");
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/reference");
    let mut texts = Vec::new();
    for file in ["diseases.json", "occupations.json"] {
        let text = std::fs::read_to_string(assets.join(file)).expect("reads asset");
        let text = text.replacen(
            &format!("\"version\": \"{version}\""),
            "\"version\": \"2026.12.9\"",
            1,
        );
        std::fs::write(release.join(file), &text).expect("writes");
        texts.push(text);
    }
    let install = |pw: &str| {
        env.tsunagi(
            &["reference", "install", release.to_str().expect("utf-8")],
            pw,
        )
    };
    // Unsigned: refused in words, nothing installed.
    let out = install(PW);
    assert!(
        one_error_line(&out).contains("署名がありません"),
        "{}",
        stderr(&out)
    );
    // Signed, but by a key this build does not trust.
    let stranger = tsunagi_core::reference::release::PublisherKey::generate();
    let signature = tsunagi_core::reference::release::sign(&stranger, &texts[0], &texts[1])
        .expect("a valid release signs");
    std::fs::write(release.join("release.sig"), signature).expect("writes");
    let out = install(PW);
    assert!(
        one_error_line(&out).contains("信頼できる発行元"),
        "{}",
        stderr(&out)
    );
    // Files put into the update folder by hand are not used either.
    let update_dir = env.data().join("reference");
    std::fs::create_dir_all(&update_dir).expect("mkdir");
    for file in ["diseases.json", "occupations.json", "release.sig"] {
        std::fs::copy(release.join(file), update_dir.join(file)).expect("copies");
    }
    let info = env
        .command(&["reference", "info"])
        .output()
        .expect("runs tsunagi");
    assert!(
        String::from_utf8_lossy(&info.stdout).starts_with(&format!("version\t{version}\n")),
        "the bundled release stays in use"
    );
    assert!(
        stderr(&info).contains("信頼できる発行元"),
        "{}",
        stderr(&info)
    );
    // Only an administrator installs a release.
    {
        let mut store = tsunagi_core::store::Store::unlock(
            &env.data(),
            std::sync::Arc::new(tsunagi_core::store::FileKeychain::new(env.keys())),
            "admin",
            PW,
        )
        .expect("unlocks");
        store
            .add_account(
                "worker",
                tsunagi_core::store::Role::SupportWorker,
                "a worker's long password",
            )
            .expect("adds a worker");
    }
    let out = env
        .command(&["reference", "install", release.to_str().expect("utf-8")])
        .env("TSUNAGI_USER", "worker")
        .env("TSUNAGI_PASSWORD", "a worker's long password")
        .output()
        .expect("runs tsunagi");
    assert!(
        one_error_line(&out).contains("管理者だけ"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reference_search_finds_a_disease_by_its_japanese_name() {
    let env = Env::new();
    let out = env.ok(&["reference", "search", "潰瘍性大腸炎"]);
    assert!(
        out.lines()
            .any(|l| l.starts_with("disease\tulcerative-colitis\t")),
        "{out}"
    );
}

#[test]
fn an_administrator_manages_accounts_from_the_command_line_and_old_passwords_stop_opening() {
    let env = Env::new();
    env.ok(&["init", "--user", "admin"]);
    let as_user = |user: &str, password: &str, args: &[&str], new: Option<&str>| {
        let mut cmd = env.command(args);
        cmd.env("TSUNAGI_USER", user)
            .env("TSUNAGI_PASSWORD", password)
            .env_remove("TSUNAGI_NEW_PASSWORD");
        if let Some(new) = new {
            cmd.env("TSUNAGI_NEW_PASSWORD", new);
        }
        cmd.output().expect("runs tsunagi")
    };
    let ok = |out: Output| -> String {
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let worker_pw = "a worker's long password";
    ok(as_user(
        "admin",
        PW,
        &["account", "add", "worker", "--role", "支援員"],
        Some(worker_pw),
    ));
    ok(as_user("worker", worker_pw, &["case", "list"], None));
    // A worker manages no accounts.
    let out = as_user("worker", worker_pw, &["account", "list"], None);
    assert!(one_error_line(&out).contains("may not"), "{}", stderr(&out));

    // A copy of the keyslots as they are now, taken by someone who knows
    // the worker's password.
    let copy = env.root.path().join("copy");
    std::fs::create_dir_all(&copy).expect("mkdir");
    for entry in std::fs::read_dir(env.data()).expect("lists") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, copy.join(path.file_name().expect("name"))).expect("copies");
        }
    }

    let unlocks = |dir: &Path, user: &str, password: &str| {
        tsunagi_core::store::Store::unlock(
            dir,
            std::sync::Arc::new(tsunagi_core::store::FileKeychain::new(env.keys())),
            user,
            password,
        )
        .is_ok()
    };
    assert!(
        unlocks(&copy, "worker", worker_pw),
        "the copy opens as it was"
    );

    // Disabled: refused in words; listed as disabled.
    ok(as_user(
        "admin",
        PW,
        &["account", "disable", "worker"],
        None,
    ));
    let out = as_user("worker", worker_pw, &["case", "list"], None);
    assert!(one_error_line(&out).contains("無効"), "{}", stderr(&out));
    let list = ok(as_user("admin", PW, &["account", "list"], None));
    assert!(
        list.lines()
            .any(|l| l.starts_with("worker\tsupport_worker") && l.ends_with("disabled")),
        "{list}"
    );
    // The old copy of the keyslots, with the worker's password, no longer
    // opens the database as it is now: the key was replaced.
    let current_db = env.data().join(tsunagi_core::store::DB_FILE);
    let old_slots_opens_current = {
        let mixed = env.root.path().join("mixed");
        std::fs::create_dir_all(&mixed).expect("mkdir");
        for entry in std::fs::read_dir(&copy).expect("lists") {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, mixed.join(path.file_name().expect("name"))).expect("copies");
        }
        std::fs::copy(&current_db, mixed.join(tsunagi_core::store::DB_FILE))
            .expect("copies the database");
        unlocks(&mixed, "worker", worker_pw)
    };
    assert!(
        !old_slots_opens_current,
        "an old keyslot opened the rotated store"
    );

    // Enabled again with the password it had.
    ok(as_user("admin", PW, &["account", "enable", "worker"], None));
    ok(as_user("worker", worker_pw, &["case", "list"], None));
    // Its own password, changed by itself.
    ok(as_user(
        "worker",
        worker_pw,
        &["account", "password"],
        Some("the worker's new password"),
    ));
    let out = as_user("worker", worker_pw, &["case", "list"], None);
    assert!(!out.status.success(), "the old password still opens");
    ok(as_user(
        "worker",
        "the worker's new password",
        &["case", "list"],
        None,
    ));
    // One's own account and the last administrator stay.
    let out = as_user("admin", PW, &["account", "disable", "admin"], None);
    assert!(
        one_error_line(&out).contains("自分のアカウント"),
        "{}",
        stderr(&out)
    );
    // Removing asks to be sure; without a terminal it needs --yes.
    let out = as_user("admin", PW, &["account", "remove", "worker"], None);
    assert!(one_error_line(&out).contains("--yes"), "{}", stderr(&out));
    ok(as_user(
        "worker",
        "the worker's new password",
        &["case", "list"],
        None,
    ));
    ok(as_user(
        "admin",
        PW,
        &["account", "remove", "worker", "--yes"],
        None,
    ));
    let out = as_user(
        "worker",
        "the worker's new password",
        &["case", "list"],
        None,
    );
    assert!(!out.status.success(), "a removed account still opens");
    let list = ok(as_user("admin", PW, &["account", "list"], None));
    assert!(!list.contains("worker"), "{list}");
}

#[test]
fn due_lists_what_the_demo_cases_bring_by_date_with_the_overdue_marked() {
    let env = Env::new();
    env.init_with_demo();
    let names: Vec<String> = env
        .ok(&["case", "list"])
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, n)| n.to_owned()))
        .collect();
    let today = time::OffsetDateTime::now_local()
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .date()
        .to_string();
    // Far enough ahead to hold every date of the demo cases.
    let out = env.ok(&["due", "--within", "36500"]);
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert!(
        rows.iter().any(|r| r[3].contains("医療受給者証の有効期限")),
        "{out}"
    );
    let mut dates: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    let listed = dates.clone();
    dates.sort();
    assert_eq!(listed, dates, "by date, the oldest first");
    for row in &rows {
        assert!(names.iter().any(|n| n == row[2]), "{row:?}");
        let overdue = row[0] < today.as_str();
        assert_eq!(row.get(4) == Some(&"期限切れ"), overdue, "{row:?}");
    }
    // Looking no days ahead keeps only what is due by today.
    let now = env.ok(&["due", "--within", "0"]);
    assert!(
        now.lines()
            .all(|l| l.split('\t').next().is_some_and(|d| d <= today.as_str()))
    );
}
