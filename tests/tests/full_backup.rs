//! The full backup of the office (全体バックアップ) end to end, driving the
//! real `tsunagi-companion` on real SQLCipher stores: a backup made while
//! `serve` runs, opened with the `age` command-line tool, checked with
//! `backup verify`, and restored with `restore-full` onto a "new machine"
//! (a data folder and a keystore that have never seen the store); and the
//! refusals, in words, with nothing written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use tsunagi_core::model::CaseId;
use tsunagi_core::store::{FileKeychain, Store};
use tsunagi_tests::PASSWORD;
use tsunagi_tests::devices::{Devices as Env, text};

const TABLET: &str = env!("CARGO_BIN_EXE_tablet");
const COMPANION: &str = env!("CARGO_BIN_EXE_companion");
const PASSPHRASE: &str = "a long office passphrase";

/// `age-keygen -o FILE`: the identity file and its public key.
fn age_keygen(env: &Env, name: &str) -> (PathBuf, String) {
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

/// A companion command on the data folder `data` whose device key is kept
/// in the keystore `keys` (another machine's when it is not `keys`).
fn companion_on(env: &Env, data: &str, keys: &str, args: &[&str]) -> Command {
    let mut command = env.command(Path::new(COMPANION), data, args);
    command.env("TSUNAGI_KEYSTORE_DIR", env.dir(keys));
    command
}

fn run(mut command: Command) -> Output {
    command.output().expect("runs the companion")
}

fn ok(command: Command) -> String {
    let out = run(command);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "the companion failed: {stderr}");
    stdout
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The files under `dir`, relative, with their bytes, sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).expect("lists") {
            let p = entry.expect("an entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under")
                    .to_string_lossy()
                    .into_owned();
                found.push((rel, std::fs::read(&p).expect("reads")));
            }
        }
    }
    found.sort();
    found
}

/// The names in `dir`, sorted (none when it does not exist).
fn names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Every photo and video of every case, decrypted, by case and item.
fn media_plaintexts(store: &mut Store) -> Vec<(CaseId, Vec<u8>)> {
    let ids: Vec<CaseId> = store
        .list_cases(&Default::default())
        .expect("lists")
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut found = Vec::new();
    for id in ids {
        for item in store.list_media(id).expect("lists media") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(
                &mut store.open_media(id, item.id).expect("opens"),
                &mut bytes,
            )
            .expect("decrypts");
            found.push((id, bytes));
        }
    }
    found.sort();
    found
}

/// A companion holding the tablet's four demo cases and a photo, received
/// over the link; `serve` still running.
fn office_with_a_photo(env: &Env) -> tsunagi_tests::Serve {
    let case = env.case_list(true)[0]
        .split('\t')
        .next()
        .expect("an id")
        .to_owned();
    let photo = env.dir("photo.png");
    image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    })
    .save(&photo)
    .expect("writes a photo");
    env.tablet_ok(&["media", "import", &case, path(&photo)]);
    let server = env.serve();
    env.pair(&server);
    env.tablet_ok(&["sync"]);
    assert_eq!(env.case_list(false).len(), 4);
    server
}

#[test]
fn a_full_backup_made_while_serving_restores_on_a_new_machine_with_the_same_cases_and_media() {
    let env = Env::with_demo(TABLET, COMPANION);
    let server = office_with_a_photo(&env);
    let (identity, public) = age_keygen(&env, "office-key.txt");
    let backup = env.dir("office.age");

    // Made while `serve` has the store open.
    let printed = env.companion_ok(&["backup", "--full", "--to", &public, "--out", path(&backup)]);
    assert!(
        printed.contains("全体バックアップを作りました"),
        "{printed}"
    );
    assert!(printed.contains("写真・動画1件"), "{printed}");
    drop(server);

    // Any age tool opens it: the first line, the manifest, and the
    // companion's media file inside exactly as its store keeps it.
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&identity)
        .arg(&backup)
        .output()
        .expect("age runs");
    assert!(out.status.success(), "age -d failed: {}", text(&out).1);
    let plaintext = out.stdout;
    let mut lines = plaintext.splitn(3, |b| *b == b'\n');
    let first: serde_json::Value =
        serde_json::from_slice(lines.next().expect("a line")).expect("JSON");
    assert_eq!(first["magic"], "tsunagi-backup");
    assert_eq!(first["kind"], "full");
    assert_eq!(first["made_by"], "tsunagi-companion");
    let manifest: serde_json::Value =
        serde_json::from_slice(lines.next().expect("a line")).expect("JSON");
    let files = manifest["manifest"]["files"].as_array().expect("files");
    let media_dir = env.dir("companion").join("media");
    let media_before = tree(&media_dir);
    assert_eq!(media_before.len(), 1, "the companion holds one photo");
    let (name, raw) = &media_before[0];
    assert!(
        files
            .iter()
            .any(|f| f["path"] == format!("media/{name}") && f["len"] == raw.len()),
        "the photo is not in the manifest: {files:?}"
    );
    assert!(
        plaintext.windows(raw.len()).any(|w| w == raw.as_slice()),
        "the photo's file is not in the backup as it is"
    );

    let verified = ok(companion_on(
        &env,
        "unused",
        "keys",
        &[
            "backup",
            "verify",
            path(&backup),
            "--identity",
            path(&identity),
        ],
    ));
    assert!(
        verified.contains("開けます: 全体バックアップ"),
        "{verified}"
    );
    assert!(verified.contains("写真・動画1件"), "{verified}");
    assert!(!env.dir("unused").exists(), "verify wrote a data folder");

    // A new machine: a data folder and a keystore that never saw the store.
    let restored = ok(companion_on(
        &env,
        "machine2/data",
        "machine2-keys",
        &["restore-full", path(&backup), "--identity", path(&identity)],
    ));
    assert!(
        restored.contains("全体バックアップを復元しました"),
        "{restored}"
    );
    assert_eq!(
        names(&env.dir("machine2")),
        ["data"],
        "something was left beside it"
    );

    let listed = ok(companion_on(
        &env,
        "machine2/data",
        "machine2-keys",
        &["case", "list"],
    ));
    let mut listed: Vec<String> = listed.lines().map(str::to_owned).collect();
    listed.sort();
    assert_eq!(listed, env.case_list(false));
    assert!(
        listed.iter().all(|l| !l.ends_with('\t')),
        "a name is missing: {listed:?}"
    );
    assert_eq!(tree(&env.dir("machine2/data/media")), media_before);

    let mut before = env.store("companion");
    let mut after = Store::unlock(
        &env.dir("machine2/data"),
        Arc::new(FileKeychain::new(env.dir("machine2-keys"))),
        "admin",
        PASSWORD,
    )
    .expect("the same password opens the restored store");
    let photos = media_plaintexts(&mut before);
    assert_eq!(photos.len(), 1);
    assert_eq!(media_plaintexts(&mut after), photos);
    after
        .verify_audit_log()
        .expect("the audit log holds together");
}

#[test]
fn verify_and_restore_refuse_a_flipped_byte_a_cut_short_file_or_a_wrong_passphrase_in_words() {
    let env = Env::with_demo(TABLET, COMPANION);
    let backup = env.dir("office.age");
    let made = env
        .companion_command(&["backup", "--full", "--passphrase", "--out", path(&backup)])
        .env("TSUNAGI_BACKUP_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("runs");
    assert!(made.status.success(), "{}", text(&made).1);
    let verify = |file: &Path, passphrase: &str| {
        let mut command = companion_on(&env, "unused", "keys", &["backup", "verify", path(file)]);
        command.env("TSUNAGI_BACKUP_PASSPHRASE", passphrase);
        run(command)
    };
    let out = verify(&backup, PASSPHRASE);
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).0.contains("開けます: 全体バックアップ"));

    let line = Env::fails(verify(&backup, "not the passphrase at all"));
    assert!(line.contains("パスフレーズが違います。"), "{line}");

    let whole = std::fs::read(&backup).expect("reads");
    let flipped = env.dir("flipped.age");
    let mut bytes = whole.clone();
    bytes[whole.len() / 2] ^= 0x01;
    std::fs::write(&flipped, &bytes).expect("writes");
    let cut = env.dir("cut.age");
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).expect("writes");
    for damaged in [&flipped, &cut] {
        let line = Env::fails(verify(damaged, PASSPHRASE));
        assert!(
            line.contains("バックアップが壊れているか、途中で切れています。"),
            "{line}"
        );
        assert!(
            line.contains("The backup is damaged or cut short"),
            "{line}"
        );

        let mut command = companion_on(
            &env,
            "machine2/data",
            "machine2-keys",
            &["restore-full", path(damaged)],
        );
        command.env("TSUNAGI_BACKUP_PASSPHRASE", PASSPHRASE);
        let line = Env::fails(run(command));
        assert!(line.contains("バックアップが壊れているか"), "{line}");
        assert!(
            !env.dir("machine2").exists(),
            "a refused restore left {:?}",
            names(&env.dir("machine2"))
        );
        assert!(!env.dir("machine2-keys").exists(), "a device key was saved");
    }
    assert!(!env.dir("unused").exists(), "verify wrote a data folder");
}

#[test]
fn restore_full_refuses_a_folder_that_is_not_empty_and_a_backup_of_the_other_kind() {
    let env = Env::with_demo(TABLET, COMPANION);
    let (identity, public) = age_keygen(&env, "office-key.txt");
    let full = env.dir("full.age");
    env.companion_ok(&["backup", "--full", "--to", &public, "--out", path(&full)]);

    // A folder with anything in it: refused before anything is read.
    let target = env.dir("machine2/data");
    std::fs::create_dir_all(&target).expect("makes");
    std::fs::write(target.join("notes.txt"), "kept").expect("writes");
    let line = Env::fails(run(companion_on(
        &env,
        "machine2/data",
        "machine2-keys",
        &["restore-full", path(&full), "--identity", path(&identity)],
    )));
    assert!(line.contains("は空のフォルダーではありません"), "{line}");
    assert!(line.contains("nothing was written"), "{line}");
    assert_eq!(names(&target), ["notes.txt"]);
    assert_eq!(names(&env.dir("machine2")), ["data"]);
    assert!(!env.dir("machine2-keys").exists());

    // The companion's own store is not empty either.
    let line =
        Env::fails(env.companion(&["restore-full", path(&full), "--identity", path(&identity)]));
    assert!(line.contains("は空のフォルダーではありません"), "{line}");

    // A backup without personal data is not a full backup, and the other
    // way round.
    let plain = env.dir("plain.age");
    env.companion_ok(&[
        "backup",
        "--without-personal-data",
        "--to",
        &public,
        "--out",
        path(&plain),
    ]);
    let line = Env::fails(run(companion_on(
        &env,
        "machine3/data",
        "machine3-keys",
        &["restore-full", path(&plain), "--identity", path(&identity)],
    )));
    assert!(
        line.contains("これは個人情報を除いたバックアップで"),
        "{line}"
    );
    assert!(!env.dir("machine3").exists());

    ok(companion_on(
        &env,
        "companion2",
        "keys",
        &["init", "--user", "admin"],
    ));
    let line = Env::fails(run(companion_on(
        &env,
        "companion2",
        "keys",
        &["restore", path(&full), "--identity", path(&identity)],
    )));
    assert!(line.contains("restore-full で復元します"), "{line}");
    let listed = ok(companion_on(&env, "companion2", "keys", &["case", "list"]));
    assert!(listed.is_empty(), "{listed}");
}
