//! Backups without personal data, against real (SQLCipher) stores in
//! temporary folders: what the sealed file holds, read with the `age`
//! crate directly (not through our reader); what a restore gives back;
//! and every refusal leaving the store as it was.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::model::{
    Case, CaseId, DiseaseStatus, Section, StatusChange, SupportStage, demo_cases, identifying_texts,
};
use crate::pii;
use crate::revision::{holds_something, value_at};
use crate::seal::Recipient;
use crate::store::{AuditAction, KdfParams, MemoryKeychain, Role, Store, StoreError, StoreOptions};

const PW: &str = "correct horse battery";
const PASSPHRASE: &str = "a long backup passphrase";
/// A name the first case had before it was renamed: only its history
/// holds it.
const OLD_NAME: &str = "改名前 見本花子";

struct Env {
    dir: tempfile::TempDir,
    keychain: Arc<MemoryKeychain>,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            keychain: Arc::new(MemoryKeychain::default()),
        }
    }

    fn unlock(&self, name: &str, user: &str) -> Store {
        Store::unlock(&self.path(name), self.keychain.clone(), user, PW).expect("unlocks")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn store(&self, name: &str) -> Store {
        let (store, _) = Store::create(
            &self.path(name),
            self.keychain.clone(),
            "admin",
            PW,
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )
        .expect("creates a store");
        store
    }
}

/// A store with the demo cases, the first renamed once (so that its old
/// name is only in its history), moved on a stage, and with a relapse
/// recorded: (the store, the cases as they stand, the first case's id).
fn demo_store(env: &Env) -> (Store, Vec<Case>, CaseId) {
    let mut store = env.store("source");
    let mut ids = Vec::new();
    for case in demo_cases() {
        ids.push(store.create_case(&case).expect("creates"));
    }
    let first = ids[0];
    let mut case = store.load_case(first).expect("loads");
    let name = case.basic.name.clone();
    case.basic.name = OLD_NAME.into();
    store
        .save_section(first, &Section::Basic(case.basic.clone()))
        .expect("saves");
    case.basic.name = name;
    case.basic.diseases[0]
        .status_history
        .push(StatusChange::new(
            time::macros::date!(2025 - 02 - 03),
            DiseaseStatus::Relapse,
            "再燃時の主治医のメモ（識別情報）",
        ));
    store
        .save_section(first, &Section::Basic(case.basic.clone()))
        .expect("saves");
    store
        .save_section(first, &Section::Stage(SupportStage::Hired))
        .expect("saves");
    let cases = ids
        .iter()
        .map(|id| store.load_case(*id).expect("loads"))
        .collect();
    (store, cases, first)
}

fn age_identity() -> (age::x25519::Identity, Recipient) {
    let identity = age::x25519::Identity::generate();
    let recipient = Recipient::from_str(&identity.to_public().to_string()).expect("an age1 key");
    (identity, recipient)
}

/// The plaintext of a sealed file, opened with the `age` crate itself.
fn plaintext(path: &Path, identity: &dyn age::Identity) -> String {
    let file = std::fs::File::open(path).expect("opens");
    let decryptor = age::Decryptor::new(file).expect("an age file");
    let mut text = String::new();
    decryptor
        .decrypt(std::iter::once(identity))
        .expect("decrypts")
        .read_to_string(&mut text)
        .expect("reads");
    text
}

fn open(path: &Path, key: &Unseal) -> Result<BackupReader<std::fs::File>, BackupError> {
    BackupFile::open(std::fs::File::open(path).expect("opens"))?.unseal(key)
}

fn restore(store: &mut Store, path: &Path, key: &Unseal) -> Result<RestoreSummary, BackupError> {
    restore_backup(store, open(path, key)?)
}

/// What a refused restore must leave as it was: the cases and the audit
/// log's length.
fn state(store: &mut Store) -> (Vec<CaseId>, usize) {
    let mut ids: Vec<CaseId> = store
        .list_cases(&Default::default())
        .expect("lists")
        .into_iter()
        .map(|c| c.id)
        .collect();
    ids.sort();
    // Listing is audited at most once a minute, so the count is stable.
    let audit = store.audit_log(100_000).expect("reads the log").len();
    (ids, audit)
}

#[test]
fn a_backup_of_the_demo_cases_holds_no_identifying_value_and_keeps_the_support_content() {
    let env = Env::new();
    let (mut store, cases, _) = demo_store(&env);
    let (identity, recipient) = age_identity();
    let out = env.path("backup.age");
    let summary =
        write_backup(&mut store, &SealTo::Key(recipient), "tsunagi", &out).expect("backs up");
    assert_eq!(summary.cases, 4);
    let text = plaintext(&out, &identity);

    let mut searched = 0;
    for case in &cases {
        for value in identifying_texts(case)
            .iter()
            .filter(|t| t.chars().count() >= 4)
        {
            assert!(
                !text.contains(value.as_str()),
                "identifying text in the backup: {value}"
            );
            searched += 1;
        }
        let birth = case
            .basic
            .birth_date
            .expose()
            .expect("a birth date")
            .to_string();
        assert!(!text.contains(&birth), "a birth date is in the backup");
        // What supports the work is there: ids, diseases, dates, stages.
        assert!(text.contains(&case.id.to_string()));
        assert!(text.contains(case.basic.diseases[0].name.as_str()));
        for consultation in &case.consultations {
            let date = consultation.date.expect("dated").to_string();
            assert!(text.contains(&date), "a consultation's date is missing");
        }
    }
    assert!(searched > 150, "the collector found too little: {searched}");
    for gone in [OLD_NAME, "再燃時の主治医のメモ"] {
        assert!(
            !text.contains(gone),
            "a value from the history is in the backup: {gone}"
        );
    }

    // The first line says what it is; the last counts the cases.
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a line of JSON"))
        .collect();
    assert_eq!(lines[0]["magic"], MAGIC);
    assert_eq!(lines[0]["format"], FORMAT);
    assert_eq!(lines[0]["kind"], KIND_WITHOUT_PERSONAL_DATA);
    assert_eq!(lines[0]["store_id"], store.store_id());
    assert_eq!(lines[0]["made_by"], "tsunagi");
    assert_eq!(lines.last().expect("lines")["end"]["cases"], 4);
    assert_eq!(lines.len(), 6);
}

#[test]
fn restore_gives_back_the_same_cases_and_history_with_identifying_fields_empty_and_marked() {
    let env = Env::new();
    let (mut source, cases, first) = demo_store(&env);
    let (identity, recipient) = age_identity();
    let out = env.path("backup.age");
    write_backup(&mut source, &SealTo::Key(recipient), "tsunagi", &out).expect("backs up");

    let mut target = env.store("target");
    let summary =
        restore(&mut target, &out, &Unseal::Identities(vec![identity])).expect("restores");
    assert_eq!(summary.cases, 4);
    let (ids, _) = state(&mut target);
    let mut expected: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    expected.sort();
    assert_eq!(ids, expected, "the same case ids");

    for case in &cases {
        let restored = target.load_case(case.id).expect("loads");
        let plain = serde_json::to_value(case).expect("serialises");
        let want: Case = serde_json::from_value(pii::deidentified(case)).expect("reads");
        assert_eq!(restored, want, "the case is its de-identified self");
        assert!(restored.basic.name.expose().is_empty());
        assert!(restored.basic.birth_date.expose().is_none());
        assert_eq!(restored.basic.diseases.len(), case.basic.diseases.len());
        assert_eq!(restored.basic.diseases[0].name, case.basic.diseases[0].name);
        assert_eq!(restored.stage, case.stage);
        assert_eq!(restored.consents.len(), case.consents.len());

        // Marked: exactly the fields that held something and are empty now.
        let marks = target.needs_reentry(case.id).expect("marks");
        for must in [
            "basic.name",
            "basic.kana",
            "basic.address",
            "basic.birth_date",
        ] {
            assert!(marks.iter().any(|m| m == must), "{must} is not marked");
        }
        for c in &case.consultations {
            let path = format!("consultations[id={}].content", c.id);
            assert!(marks.contains(&path), "{path} is not marked");
        }
        let now = serde_json::to_value(&restored).expect("serialises");
        for mark in &marks {
            let before = value_at(&plain, mark).expect("the mark names a field");
            assert!(holds_something(before), "{mark} held nothing");
            assert!(
                !value_at(&now, mark).is_some_and(holds_something),
                "{mark} is not empty"
            );
        }
        assert!(
            !marks
                .iter()
                .any(|m| m.contains(".diseases[") && m.ends_with(".name"))
        );

        // The same history: who, when, which section, which fields.
        let before = source.history(case.id, None).expect("history");
        let after = target.history(case.id, None).expect("history");
        assert_eq!(after.len(), before.len());
        for (a, b) in after.iter().zip(&before) {
            assert_eq!(
                (a.revision, &a.author, a.at, a.section),
                (b.revision, &b.author, b.at, b.section)
            );
            let paths = |r: &crate::store::Revision| {
                r.changes.iter().map(|c| c.path.clone()).collect::<Vec<_>>()
            };
            assert_eq!(paths(a), paths(b));
        }
        let restored_history = serde_json::to_string(&after).expect("serialises");
        for value in identifying_texts(case)
            .iter()
            .filter(|t| t.chars().count() >= 4)
        {
            assert!(
                !restored_history.contains(value.as_str()),
                "{value} in the history"
            );
        }
    }

    // Changes to what is not identifying keep both values.
    let history = target.history(first, None).expect("history");
    let stage = history
        .iter()
        .flat_map(|r| &r.changes)
        .find(|c| c.path == "stage" && c.new == json!("hired"))
        .expect("the stage change is kept");
    assert_eq!(stage.old, json!("negotiation"));
    let relapse = history
        .iter()
        .flat_map(|r| &r.changes)
        .find(|c| c.path.contains(".status_history[id=") && c.old.is_null() && !c.new.is_null())
        .expect("the relapse added is kept");
    assert_eq!(relapse.new["status"], "relapse");
    assert_eq!(relapse.new["date"], "2025-02-03");
    assert!(
        relapse.new["note"].is_null(),
        "the doctor's note is left out"
    );
    let renamed: Vec<_> = history
        .iter()
        .flat_map(|r| &r.changes)
        .filter(|c| c.path == "basic.name")
        .collect();
    assert_eq!(renamed.len(), 2, "both renames are in the history");
    assert!(renamed.iter().all(|c| c.old.is_null() && c.new.is_null()));
    let text = serde_json::to_string(&history).expect("serialises");
    assert!(!text.contains(OLD_NAME) && !text.contains("再燃時の主治医のメモ"));

    // Both stores' audit logs say what happened.
    let log = target.audit_log(1000).expect("log");
    assert_eq!(
        log.iter()
            .filter(|e| e.action == AuditAction::CreateCase && e.detail == RESTORE_PURPOSE)
            .count(),
        4
    );
    let log = source.audit_log(1000).expect("log");
    assert_eq!(
        log.iter()
            .filter(|e| e.action == AuditAction::ReadCase && e.detail == BACKUP_PURPOSE)
            .count(),
        4
    );
}

#[test]
fn filling_a_field_in_again_takes_its_mark_away_and_leaves_the_others() {
    let env = Env::new();
    let (mut source, _, first) = demo_store(&env);
    let out = env.path("backup.age");
    let sealed = SealTo::passphrase(PASSPHRASE.to_owned()).expect("long enough");
    write_backup(&mut source, &sealed, "tsunagi", &out).expect("backs up");
    let mut target = env.store("target");
    restore(
        &mut target,
        &out,
        &Unseal::passphrase(PASSPHRASE.to_owned()),
    )
    .expect("restores");
    assert!(
        target
            .cases_needing_reentry()
            .expect("lists")
            .contains(&first)
    );

    let mut case = target.load_case(first).expect("loads");
    case.basic.name = "再入力 花子".into();
    target
        .save_section(first, &Section::Basic(case.basic.clone()))
        .expect("saves");
    let marks = target.needs_reentry(first).expect("marks");
    assert!(
        !marks.iter().any(|m| m == "basic.name"),
        "the name was filled in"
    );
    assert!(marks.iter().any(|m| m == "basic.kana"), "the kana was not");
    // A consultation removed takes its marks with it.
    let gone = case.consultations.remove(0).id;
    target
        .save_section(first, &Section::Consultations(case.consultations.clone()))
        .expect("saves");
    let marks = target.needs_reentry(first).expect("marks");
    assert!(!marks.iter().any(|m| m.contains(&gone)));
    assert!(marks.iter().any(|m| m.starts_with("consultations[id=")));
}

#[test]
fn a_wrong_passphrase_is_refused_in_words_and_changes_nothing() {
    let env = Env::new();
    let (mut source, cases, _) = demo_store(&env);
    let out = env.path("backup.age");
    let sealed = SealTo::passphrase(PASSPHRASE.to_owned()).expect("long enough");
    write_backup(&mut source, &sealed, "tsunagi", &out).expect("backs up");
    let mut target = env.store("target");
    let before = state(&mut target);
    let err = restore(
        &mut target,
        &out,
        &Unseal::passphrase("not the passphrase".into()),
    )
    .expect_err("refused");
    assert!(matches!(err, BackupError::WrongPassphrase), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("パスフレーズが違います。"), "{message}");
    assert!(message.contains("The passphrase is wrong"), "{message}");
    assert!(!message.contains(cases[0].basic.name.expose().as_str()));
    assert_eq!(state(&mut target), before);
    // An identity file for a passphrase backup is refused in words too.
    let (identity, _) = age_identity();
    let err = restore(&mut target, &out, &Unseal::Identities(vec![identity])).expect_err("refused");
    assert!(matches!(err, BackupError::SealedWithPassphrase), "{err:?}");
    assert_eq!(state(&mut target), before);
}

#[test]
fn a_backup_sealed_to_another_key_is_refused_and_changes_nothing() {
    let env = Env::new();
    let (mut source, _, _) = demo_store(&env);
    let (_, recipient) = age_identity();
    let out = env.path("backup.age");
    write_backup(&mut source, &SealTo::Key(recipient), "tsunagi", &out).expect("backs up");
    let mut target = env.store("target");
    let before = state(&mut target);
    let (other, _) = age_identity();
    let err = restore(&mut target, &out, &Unseal::Identities(vec![other])).expect_err("refused");
    assert!(matches!(err, BackupError::WrongIdentity), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("このバックアップは、指定された鍵"),
        "{err}"
    );
    let err =
        restore(&mut target, &out, &Unseal::passphrase(PASSPHRASE.into())).expect_err("refused");
    assert!(matches!(err, BackupError::SealedToKey), "{err:?}");
    assert_eq!(state(&mut target), before);
}

#[test]
fn a_damaged_or_cut_short_backup_is_refused_and_changes_nothing() {
    let env = Env::new();
    let (mut source, _, _) = demo_store(&env);
    let (identity, recipient) = age_identity();
    let out = env.path("backup.age");
    write_backup(&mut source, &SealTo::Key(recipient), "tsunagi", &out).expect("backs up");
    let bytes = std::fs::read(&out).expect("reads");
    let key = Unseal::Identities(vec![identity]);
    let mut target = env.store("target");
    let before = state(&mut target);

    let mut damaged = Vec::new();
    for at in [bytes.len() / 2, bytes.len() - 20, 300] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x40;
        damaged.push(flipped);
    }
    for len in [
        0,
        10,
        100,
        250,
        bytes.len() / 2,
        bytes.len() - 17,
        bytes.len() - 1,
    ] {
        damaged.push(bytes[..len].to_vec());
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"more");
    damaged.push(longer);
    for (i, file) in damaged.iter().enumerate() {
        let path = env.path(&format!("damaged-{i}.age"));
        std::fs::write(&path, file).expect("writes");
        let err = restore(&mut target, &path, &key).expect_err("refused");
        assert!(
            matches!(err, BackupError::Damaged(_) | BackupError::WrongIdentity),
            "damaged file {i}: {err:?}"
        );
        if matches!(err, BackupError::Damaged(_)) {
            assert!(
                err.to_string().starts_with("バックアップが壊れているか"),
                "{err}"
            );
        }
        assert_eq!(
            state(&mut target),
            before,
            "damaged file {i} changed the store"
        );
    }
    // The intact file still restores.
    restore(&mut target, &out, &key).expect("restores");
}

/// Seals `plaintext` to `recipient` as a backup would be.
fn seal_plaintext(path: &Path, recipient: &Recipient, plaintext: &[u8]) {
    let file = std::fs::File::create(path).expect("creates");
    let mut w = sealing::seal(file, &SealTo::Key(recipient.clone())).expect("seals");
    std::io::Write::write_all(&mut w, plaintext).expect("writes");
    w.finish().expect("finishes");
}

#[test]
fn a_file_of_another_kind_or_a_newer_format_is_refused_and_changes_nothing() {
    let env = Env::new();
    let (mut source, _, first) = demo_store(&env);
    let (identity, recipient) = age_identity();
    let key = Unseal::Identities(vec![identity]);
    let mut target = env.store("target");
    let before = state(&mut target);

    // Not an age file at all.
    let path = env.path("notes.txt");
    std::fs::write(&path, "これはバックアップではありません\n").expect("writes");
    let err = BackupFile::open(std::fs::File::open(&path).expect("opens")).expect_err("refused");
    assert!(matches!(err, BackupError::NotABackup), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("つなぎのバックアップではありません"),
        "{err}"
    );

    // A send-data file (送付用データ) sealed to the same key.
    let path = env.path("send-data.age");
    let file = std::fs::File::create(&path).expect("creates");
    source
        .export_case(first, &recipient, file)
        .expect("exports");
    let err = restore(&mut target, &path, &key).expect_err("refused");
    assert!(matches!(err, BackupError::NotABackup), "{err:?}");

    // Any other age file.
    let path = env.path("other.age");
    seal_plaintext(&path, &recipient, b"{\"hello\":1}\n");
    let err = restore(&mut target, &path, &key).expect_err("refused");
    assert!(matches!(err, BackupError::NotABackup), "{err:?}");

    // A backup from a newer version, and another kind of backup.
    let mut header = serde_json::to_value(Header::without_personal_data("s", "tsunagi", "admin"))
        .expect("serialises");
    header["format"] = json!(FORMAT + 1);
    let path = env.path("newer.age");
    seal_plaintext(
        &path,
        &recipient,
        format!("{header}\n{{\"end\":{{\"cases\":0}}}}\n").as_bytes(),
    );
    let err = restore(&mut target, &path, &key).expect_err("refused");
    assert!(matches!(err, BackupError::NewerFormat(2)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("このバックアップは新しい版のつなぎで作られています（形式 2）"),
        "{err}"
    );
    header["format"] = json!(FORMAT);
    header["kind"] = json!("full");
    let path = env.path("full.age");
    seal_plaintext(
        &path,
        &recipient,
        format!("{header}\n{{\"end\":{{\"cases\":0}}}}\n").as_bytes(),
    );
    let err = restore(&mut target, &path, &key).expect_err("refused");
    assert!(matches!(err, BackupError::OtherKind), "{err:?}");

    // A backup whose count at the end is wrong.
    header["kind"] = json!(KIND_WITHOUT_PERSONAL_DATA);
    let path = env.path("count.age");
    seal_plaintext(
        &path,
        &recipient,
        format!("{header}\n{{\"end\":{{\"cases\":3}}}}\n").as_bytes(),
    );
    let err = restore(&mut target, &path, &key).expect_err("refused");
    assert!(matches!(err, BackupError::Damaged(_)), "{err:?}");
    assert_eq!(state(&mut target), before);
}

#[test]
fn a_case_that_does_not_hold_together_rolls_back_the_cases_before_it() {
    let env = Env::new();
    let (mut source, _, _) = demo_store(&env);
    let (identity, recipient) = age_identity();
    let out = env.path("backup.age");
    write_backup(
        &mut source,
        &SealTo::Key(recipient.clone()),
        "tsunagi",
        &out,
    )
    .expect("backs up");
    let text = plaintext(&out, &identity);
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    // The third case's history goes backwards: the first two were fine.
    lines[3]["case"]["history"][1]["revision"] = json!(0);
    let edited: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let path = env.path("edited.age");
    seal_plaintext(&path, &recipient, edited.as_bytes());
    let mut target = env.store("target");
    let before = state(&mut target);
    let err =
        restore(&mut target, &path, &Unseal::Identities(vec![identity])).expect_err("refused");
    assert!(
        matches!(err, BackupError::Store(StoreError::InvalidCase(_))),
        "{err:?}"
    );
    assert_eq!(state(&mut target), before);
}

#[test]
fn a_store_that_holds_cases_is_not_restored_onto() {
    let env = Env::new();
    let (mut source, _, _) = demo_store(&env);
    let (identity, recipient) = age_identity();
    let out = env.path("backup.age");
    write_backup(&mut source, &SealTo::Key(recipient), "tsunagi", &out).expect("backs up");
    let before = state(&mut source);
    let err = restore(&mut source, &out, &Unseal::Identities(vec![identity])).expect_err("refused");
    assert!(
        matches!(err, BackupError::Store(StoreError::NotEmpty)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("この保管庫にはすでにケースがあります"),
        "{err}"
    );
    assert_eq!(state(&mut source), before);
}

#[test]
fn only_an_administrator_makes_or_restores_a_backup() {
    let env = Env::new();
    let (mut source, _, _) = demo_store(&env);
    source
        .add_account("worker", Role::SupportWorker, PW)
        .expect("adds");
    let (identity, recipient) = age_identity();
    let out = env.path("backup.age");
    write_backup(
        &mut source,
        &SealTo::Key(recipient.clone()),
        "tsunagi",
        &out,
    )
    .expect("backs up");
    drop(source);
    let mut worker = env.unlock("source", "worker");
    let older = env.path("older.age");
    std::fs::write(&older, "an older backup").expect("writes");
    let err =
        write_backup(&mut worker, &SealTo::Key(recipient), "tsunagi", &older).expect_err("refused");
    assert!(
        matches!(err, BackupError::Store(StoreError::NotPermitted { .. })),
        "{err:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&older).expect("reads"),
        "an older backup"
    );

    let mut target = env.store("target");
    target
        .add_account("worker", Role::SupportWorker, PW)
        .expect("adds");
    drop(target);
    let mut worker = env.unlock("target", "worker");
    let err = restore(&mut worker, &out, &Unseal::Identities(vec![identity])).expect_err("refused");
    assert!(
        matches!(err, BackupError::Store(StoreError::NotPermitted { .. })),
        "{err:?}"
    );
    let admin = env.unlock("target", "admin");
    assert!(!admin.holds_cases().expect("reads"));
}

#[test]
fn a_failed_backup_leaves_the_file_it_would_replace_and_no_temporary_file() {
    let env = Env::new();
    let out = env.path("backup.age");
    std::fs::write(&out, "an older backup").expect("writes");
    let err = file::replace_atomically(&out, |f| {
        std::io::Write::write_all(f, b"half a backup")?;
        Err::<(), _>(BackupError::Damaged("stopped on purpose"))
    })
    .expect_err("fails");
    assert!(matches!(err, BackupError::Damaged(_)));
    assert_eq!(
        std::fs::read_to_string(&out).expect("reads"),
        "an older backup"
    );
    let names: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("lists")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("backup.age")]);

    file::replace_atomically(&out, |f| Ok(std::io::Write::write_all(f, b"new")?)).expect("writes");
    assert_eq!(std::fs::read_to_string(&out).expect("reads"), "new");
}

#[test]
fn a_short_passphrase_is_refused_for_a_new_backup() {
    let err = SealTo::passphrase("short".into()).expect_err("refused");
    assert!(matches!(err, BackupError::PassphraseTooShort));
    assert!(
        err.to_string().starts_with("パスフレーズは12文字以上"),
        "{err}"
    );
}

#[test]
fn an_identity_file_is_read_as_age_keygen_writes_it_and_its_text_never_shown() {
    let identity = age::x25519::Identity::generate();
    let secret = age::secrecy::ExposeSecret::expose_secret(&identity.to_string()).to_owned();
    let text = format!(
        "# created: 2026-01-01T00:00:00+09:00\n# public key: {}\n{secret}\n",
        identity.to_public()
    );
    assert!(matches!(Unseal::identity_file(&text), Ok(Unseal::Identities(ids)) if ids.len() == 1));
    for bad in [
        "",
        "# only a comment\n",
        "山田花子\n",
        "AGE-SECRET-KEY-1NOTAKEY\n",
    ] {
        let err = Unseal::identity_file(bad).expect_err("refused");
        assert!(matches!(err, BackupError::BadIdentityFile));
        assert!(!err.to_string().contains("山田花子"));
    }
}

mod history;
