use std::fs;

use super::*;
use crate::model::{CareerPlan, Case, Section, SectionName, SupportStage, demo_cases};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};
const PW: &str = "correct horse battery";

struct Fixture {
    dir: tempfile::TempDir,
    keychain: Arc<MemoryKeychain>,
}

impl Fixture {
    fn new() -> (Self, Store, RecoveryCode) {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = Arc::new(MemoryKeychain::default());
        let (store, code) =
            Store::create(dir.path(), keychain.clone(), "admin", PW, FAST).expect("creates");
        (Self { dir, keychain }, store, code)
    }

    fn unlock(&self, user: &str, pw: &str) -> Result<Store, StoreError> {
        Store::unlock(self.dir.path(), self.keychain.clone(), user, pw)
    }

    fn store_id(&self) -> String {
        KeyslotFile::read(self.dir.path())
            .expect("reads")
            .expect("exists")
            .store_id
    }
}

fn named_case(name: &str) -> Case {
    let mut case = demo_cases().remove(0);
    case.basic.name = name.into();
    case
}

#[test]
fn a_created_store_unlocks_with_its_password_and_keeps_cases() {
    let (fx, mut store, _) = Fixture::new();
    let id = store
        .create_case(&named_case("試験 花子"))
        .expect("creates case");
    drop(store);
    let mut store = fx.unlock("admin", PW).expect("unlocks");
    assert_eq!(
        store.load_case(id).expect("loads").display_name(),
        "試験 花子"
    );
}

#[test]
fn wrong_password_does_not_open_the_store() {
    let (fx, _store, _) = Fixture::new();
    assert!(matches!(
        fx.unlock("admin", "wrong password"),
        Err(StoreError::WrongPassword)
    ));
    assert!(matches!(
        fx.unlock("nobody", PW),
        Err(StoreError::WrongPassword)
    ));
}

#[test]
fn set_up_twice_in_one_folder_is_refused() {
    let (fx, _store, _) = Fixture::new();
    let again = Store::create(fx.dir.path(), fx.keychain.clone(), "admin", PW, FAST);
    assert!(matches!(again, Err(StoreError::AlreadyExists(_))));
}

#[test]
fn lost_keychain_entry_is_reported_and_the_recovery_code_restores_access() {
    let (fx, mut store, code) = Fixture::new();
    store
        .add_account("worker", Role::SupportWorker, PW)
        .expect("adds");
    let id = store
        .create_case(&named_case("復旧 太郎"))
        .expect("creates");
    drop(store);
    fx.keychain.delete(&fx.store_id()).expect("deletes");
    assert!(matches!(
        fx.unlock("admin", PW),
        Err(StoreError::DeviceSecretMissing(_))
    ));

    let wrong = RecoveryCode::generate();
    assert!(matches!(
        Store::recover(
            fx.dir.path(),
            fx.keychain.clone(),
            &wrong,
            "admin",
            "new password 1"
        ),
        Err(StoreError::WrongRecoveryCode)
    ));
    let mut store = Store::recover(
        fx.dir.path(),
        fx.keychain.clone(),
        &code,
        "admin",
        "new password 1",
    )
    .expect("recovers");
    assert_eq!(
        store.load_case(id).expect("loads").display_name(),
        "復旧 太郎"
    );
    drop(store);
    fx.unlock("admin", "new password 1")
        .expect("new password opens");
    // The worker's slot was made with the lost device secret.
    assert!(matches!(
        fx.unlock("worker", PW),
        Err(StoreError::WrongPassword)
    ));
}

#[test]
fn read_only_account_cannot_change_a_case() {
    let (fx, mut admin, _) = Fixture::new();
    let id = admin
        .create_case(&named_case("閲覧 次郎"))
        .expect("creates");
    admin
        .add_account("viewer", Role::ReadOnly, PW)
        .expect("adds");
    admin.assign(id, "viewer").expect("assigns");
    let mut viewer = fx.unlock("viewer", PW).expect("unlocks");
    let before = viewer.load_case(id).expect("can read");
    let edit = Section::CareerPlan(CareerPlan::default());
    assert!(matches!(
        viewer.save_section(id, &edit),
        Err(StoreError::NotPermitted { .. })
    ));
    assert!(matches!(
        viewer.create_case(&Case::new()),
        Err(StoreError::NotPermitted { .. })
    ));
    assert_eq!(viewer.load_case(id).expect("reads"), before);
}

#[test]
fn a_worker_cannot_open_another_workers_case() {
    let (fx, mut admin, _) = Fixture::new();
    admin
        .add_account("alice", Role::SupportWorker, PW)
        .expect("adds");
    admin
        .add_account("bob", Role::SupportWorker, PW)
        .expect("adds");
    let mut alice = fx.unlock("alice", PW).expect("unlocks");
    let id = alice
        .create_case(&named_case("担当 三郎"))
        .expect("creates");
    let mut bob = fx.unlock("bob", PW).expect("unlocks");
    assert!(matches!(bob.load_case(id), Err(StoreError::NotAssigned)));
    assert!(matches!(
        bob.save_section(id, &Section::Stage(SupportStage::Closed)),
        Err(StoreError::NotAssigned)
    ));
    assert!(
        bob.list_cases(&CaseQuery::default())
            .expect("lists")
            .is_empty()
    );
    assert_eq!(
        alice
            .list_cases(&CaseQuery::default())
            .expect("lists")
            .len(),
        1
    );
    assert_eq!(
        alice.load_case(id).expect("loads").stage,
        named_case("").stage
    );
}

#[test]
fn only_administrators_manage_accounts_and_assignments() {
    let (fx, mut admin, _) = Fixture::new();
    admin
        .add_account("alice", Role::SupportWorker, PW)
        .expect("adds");
    let id = admin.create_case(&named_case("甲")).expect("creates");
    let mut alice = fx.unlock("alice", PW).expect("unlocks");
    assert!(matches!(
        alice.add_account("eve", Role::Administrator, PW),
        Err(StoreError::NotPermitted { .. })
    ));
    assert!(matches!(
        alice.assign(id, "alice"),
        Err(StoreError::NotPermitted { .. })
    ));
    assert!(matches!(
        alice.audit_log(10),
        Err(StoreError::NotPermitted { .. })
    ));
    assert!(matches!(
        alice.set_password("admin", "takeover!!"),
        Err(StoreError::NotPermitted { .. })
    ));
    alice
        .set_password("alice", "my new password")
        .expect("own password");
}

#[test]
fn every_save_is_kept_as_a_revision_with_author_and_fields() {
    let (fx, mut admin, _) = Fixture::new();
    admin
        .add_account("alice", Role::SupportWorker, PW)
        .expect("adds");
    let mut alice = fx.unlock("alice", PW).expect("unlocks");
    let id = alice.create_case(&Case::new()).expect("creates");
    let mut case = alice.load_case(id).expect("loads");
    case.basic.name = "履歴 四郎".into();
    let r1 = alice
        .save_section(id, &Section::Basic(case.basic.clone()))
        .expect("saves");
    case.basic.name = "履歴 史郎".into();
    let r2 = alice
        .save_section(id, &Section::Basic(case.basic.clone()))
        .expect("saves");
    assert_eq!(r2, r1 + 1);
    // Saving the same content again writes no revision.
    assert_eq!(
        alice
            .save_section(id, &Section::Basic(case.basic.clone()))
            .expect("saves"),
        r2
    );

    let history = alice.history(id, Some("basic.name")).expect("history");
    assert_eq!(history.len(), 2);
    assert!(
        history
            .iter()
            .all(|r| r.author == "alice" && r.section == SectionName::Basic)
    );
    assert_eq!(history[0].changes[0].new, serde_json::json!("履歴 四郎"));
    assert_eq!(history[1].changes[0].old, serde_json::json!("履歴 四郎"));
    assert_eq!(history[1].changes[0].new, serde_json::json!("履歴 史郎"));
}

#[test]
fn reads_and_writes_are_audited_without_identifying_values() {
    let (_fx, mut admin, _) = Fixture::new();
    let id = admin
        .create_case(&named_case("監査 五郎"))
        .expect("creates");
    admin.load_case(id).expect("loads");
    admin
        .save_section(id, &Section::Stage(SupportStage::Employer))
        .expect("saves");
    admin
        .list_cases(&CaseQuery {
            text: "監査".into(),
            ..CaseQuery::default()
        })
        .expect("lists");
    let log = admin.audit_log(100).expect("log");
    let actions: Vec<_> = log.iter().rev().map(|e| e.action).collect();
    for wanted in [
        AuditAction::CreateCase,
        AuditAction::ReadCase,
        AuditAction::WriteCase,
        AuditAction::ListCases,
    ] {
        assert!(actions.contains(&wanted), "{wanted:?} not audited");
    }
    let text = serde_json::to_string(&log).expect("serialises");
    assert!(
        !text.contains("監査"),
        "the audit log holds identifying text"
    );
    admin.verify_audit_log().expect("chain intact");
}

#[test]
fn an_audit_row_altered_outside_tsunagi_breaks_the_chain() {
    let (_fx, mut admin, _) = Fixture::new();
    admin.create_case(&Case::new()).expect("creates");
    admin
        .conn
        .execute_batch("DROP TRIGGER audit_append_only_update")
        .expect("drop trigger");
    admin
        .conn
        .execute("UPDATE audit SET account = 'someone' WHERE seq = 2", [])
        .expect("alters");
    assert!(matches!(
        admin.verify_audit_log(),
        Err(StoreError::AuditTampered(2))
    ));
}

#[test]
fn search_finds_by_name_or_kana_and_filters_by_stage_and_worker() {
    let (_fx, mut admin, _) = Fixture::new();
    admin
        .add_account("alice", Role::SupportWorker, PW)
        .expect("adds");
    let mut a = named_case("検索 一子");
    a.basic.kana = "けんさく いちこ".into();
    a.stage = SupportStage::Hired;
    let a = admin.create_case(&a).expect("creates");
    let b = admin
        .create_case(&named_case("別人 二子"))
        .expect("creates");
    admin.assign(b, "alice").expect("assigns");
    let q = |text: &str| CaseQuery {
        text: text.into(),
        ..CaseQuery::default()
    };
    let ids = |rows: Vec<CaseSummary>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(admin.list_cases(&q("検索")).expect("lists")), [a]);
    assert_eq!(ids(admin.list_cases(&q("いちこ")).expect("lists")), [a]);
    assert_eq!(
        ids(admin.list_cases(&q("%")).expect("lists")),
        Vec::<CaseId>::new()
    );
    let hired = CaseQuery {
        stage: Some(SupportStage::Hired),
        ..CaseQuery::default()
    };
    assert_eq!(ids(admin.list_cases(&hired).expect("lists")), [a]);
    let alices = CaseQuery {
        worker: Some("alice".into()),
        ..CaseQuery::default()
    };
    assert_eq!(ids(admin.list_cases(&alices).expect("lists")), [b]);
}

#[test]
fn a_truncated_database_is_reported_as_damaged() {
    let (fx, mut store, _) = Fixture::new();
    store
        .create_case(&named_case("壊れ 六子"))
        .expect("creates");
    drop(store);
    let db = fx.dir.path().join(DB_FILE);
    let _ = fs::remove_file(fx.dir.path().join(format!("{DB_FILE}-wal")));
    let len = fs::metadata(&db).expect("metadata").len();
    fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .expect("opens")
        .set_len(len / 3)
        .expect("truncates");
    let result = fx
        .unlock("admin", PW)
        .and_then(|mut s| s.list_cases(&CaseQuery::default()).map(|_| ()));
    assert!(matches!(result, Err(StoreError::Damaged)), "{result:?}");
}

#[test]
fn a_corrupted_database_page_is_reported_as_damaged() {
    let (fx, mut store, _) = Fixture::new();
    for i in 0..20 {
        store
            .create_case(&named_case(&format!("破損 {i}")))
            .expect("creates");
    }
    drop(store);
    let db = fx.dir.path().join(DB_FILE);
    let mut bytes = fs::read(&db).expect("reads");
    for b in &mut bytes[100..4096] {
        *b ^= 0x5a;
    }
    fs::write(&db, bytes).expect("writes");
    let result = fx
        .unlock("admin", PW)
        .and_then(|mut s| s.list_cases(&CaseQuery::default()).map(|_| ()));
    assert!(matches!(result, Err(StoreError::Damaged)), "{result:?}");
}

#[test]
fn short_passwords_and_blank_account_names_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kc = Arc::new(MemoryKeychain::default());
    assert!(matches!(
        Store::create(dir.path(), kc.clone(), "admin", "short", FAST),
        Err(StoreError::PasswordTooShort)
    ));
    assert!(matches!(
        Store::create(dir.path(), kc, " ", PW, FAST),
        Err(StoreError::BadAccountName)
    ));
    assert!(!exists(dir.path()));
}

#[test]
fn a_wrong_key_cannot_read_the_database() {
    let (fx, mut store, _) = Fixture::new();
    store
        .create_case(&named_case("鍵違い 七子"))
        .expect("creates");
    drop(store);
    let wrong = DbKey::generate();
    let result = open_db(&fx.dir.path().join(DB_FILE), Some(&wrong), false);
    assert!(matches!(result, Err(StoreError::Damaged)), "{result:?}");
}

#[test]
fn the_logged_in_password_is_confirmed_and_a_wrong_one_refused() {
    let (_fx, store, _) = Fixture::new();
    assert!(store.confirm_password(PW).is_ok());
    assert!(matches!(
        store.confirm_password("not the password"),
        Err(StoreError::WrongPassword)
    ));
}

#[test]
fn a_section_that_would_make_the_case_invalid_is_refused_and_nothing_is_written() {
    let (_fx, mut store, _) = Fixture::new();
    let case = demo_cases().remove(0);
    let id = store.create_case(&case).expect("creates");
    let before = store.load_case(id).expect("loads");
    let revisions = store.history(id, None).expect("history").len();
    // A consultation naming an employer the case does not have.
    let mut consultations = before.consultations.clone();
    consultations[0].employer_id = Some("no-such-employer".into());
    let refused = store.save_section(id, &Section::Consultations(consultations));
    assert!(
        matches!(refused, Err(StoreError::Inconsistent(_))),
        "{refused:?}"
    );
    assert_eq!(store.load_case(id).expect("loads"), before);
    assert_eq!(
        store.history(id, None).expect("history").len(),
        revisions,
        "no revision was written"
    );
}

#[test]
fn searching_as_one_types_is_audited_once_not_per_keystroke() {
    let (fixture, mut store, _) = Fixture::new();
    store
        .create_case(&named_case("監査 六郎"))
        .expect("creates");
    let lists = |store: &Store| {
        store
            .audit_log(100)
            .expect("log")
            .iter()
            .filter(|e| e.action == AuditAction::ListCases)
            .count()
    };
    for typed in ["監", "監査", "監査 六", "監査 六郎", ""] {
        let found = store
            .list_cases(&CaseQuery {
                text: typed.into(),
                ..CaseQuery::default()
            })
            .expect("lists");
        assert_eq!(found.len(), 1, "{typed:?}");
    }
    assert_eq!(lists(&store), 1, "one entry for the whole search");
    // A new unlock (a new session) audits its first list again.
    drop(store);
    let mut again = fixture.unlock("admin", PW).expect("unlocks");
    again.list_cases(&CaseQuery::default()).expect("lists");
    assert_eq!(lists(&again), 2);
}

// ─────────────────────── the key file and its backup ───────────────────────

fn truncate_to_half(path: &Path) {
    let len = fs::metadata(path).expect("metadata").len();
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("opens")
        .set_len(len / 2)
        .expect("truncates");
}

fn key_file(fx: &Fixture) -> PathBuf {
    fx.dir.path().join(keys::KEYSLOTS_FILE)
}

fn key_backup(fx: &Fixture) -> PathBuf {
    fx.dir.path().join(keys::KEYSLOTS_BACKUP_FILE)
}

fn recover(fx: &Fixture, code: &RecoveryCode, new_password: &str) -> Result<Store, StoreError> {
    Store::recover(
        fx.dir.path(),
        fx.keychain.clone(),
        code,
        "admin",
        new_password,
    )
}

#[test]
fn a_key_file_cut_in_half_still_opens_with_the_password_and_the_recovery_code() {
    let (fx, mut store, code) = Fixture::new();
    let id = store.create_case(&named_case("鍵 八子")).expect("creates");
    drop(store);

    truncate_to_half(&key_file(&fx));
    let mut store = fx
        .unlock("admin", PW)
        .expect("the password opens the store from the backup");
    assert_eq!(
        store.load_case(id).expect("loads").display_name(),
        "鍵 八子"
    );
    drop(store);

    truncate_to_half(&key_file(&fx));
    let mut store = recover(&fx, &code, "new password 1")
        .expect("the recovery code opens the store from the backup");
    assert_eq!(
        store.load_case(id).expect("loads").display_name(),
        "鍵 八子"
    );
    drop(store);
    fx.unlock("admin", "new password 1")
        .expect("the new password opens");
}

#[test]
fn a_damaged_key_file_or_backup_is_put_back_at_the_next_unlock() {
    let (fx, store, _) = Fixture::new();
    drop(store);
    let whole = fs::read(key_file(&fx)).expect("reads");
    assert_eq!(fs::read(key_backup(&fx)).expect("reads"), whole);

    truncate_to_half(&key_file(&fx));
    fx.unlock("admin", PW).expect("unlocks from the backup");
    assert_eq!(fs::read(key_file(&fx)).expect("reads"), whole);

    fs::write(key_backup(&fx), b"{\"format\": 1, \"sto").expect("damages");
    fx.unlock("admin", PW).expect("unlocks");
    assert_eq!(fs::read(key_backup(&fx)).expect("reads"), whole);
}

#[test]
fn a_deleted_key_file_is_not_a_lost_store() {
    let (fx, store, _) = Fixture::new();
    drop(store);
    fs::remove_file(key_file(&fx)).expect("deletes");
    assert!(
        exists(fx.dir.path()),
        "the login screen, not set-up, is shown"
    );
    fx.unlock("admin", PW).expect("unlocks from the backup");
    assert!(key_file(&fx).exists(), "the key file is written again");
}

#[test]
fn a_store_set_up_before_the_backup_gains_one_at_its_next_unlock() {
    let (fx, store, code) = Fixture::new();
    drop(store);
    fs::remove_file(key_backup(&fx)).expect("deletes");
    fs::remove_file(fx.dir.path().join(keys::STORE_ID_FILE)).expect("deletes");
    fx.unlock("admin", PW).expect("unlocks");
    assert!(key_backup(&fx).exists());
    assert_eq!(
        keys::read_store_id(fx.dir.path()).as_deref(),
        Some(fx.store_id().as_str())
    );
    truncate_to_half(&key_file(&fx));
    recover(&fx, &code, "new password 1").expect("the recovery code opens from the new backup");
}

#[test]
fn a_backup_from_another_store_is_not_used() {
    let (a, store, _) = Fixture::new();
    drop(store);
    let b_dir = tempfile::tempdir().expect("temp dir");
    let (b, _) = Store::create(b_dir.path(), a.keychain.clone(), "admin", PW, FAST)
        .expect("creates a second store");
    drop(b);
    truncate_to_half(&key_file(&a));
    fs::copy(
        b_dir.path().join(keys::KEYSLOTS_BACKUP_FILE),
        key_backup(&a),
    )
    .expect("copies");
    let result = a.unlock("admin", PW);
    assert!(
        matches!(result, Err(StoreError::Keys(KeyError::Malformed))),
        "{result:?}"
    );
    fs::remove_file(key_file(&a)).expect("deletes");
    let result = a.unlock("admin", PW);
    assert!(
        matches!(
            result,
            Err(StoreError::Keys(KeyError::BelongsToAnotherStore))
        ),
        "{result:?}"
    );
}

#[test]
fn a_password_changed_later_is_in_the_backup_too() {
    let (fx, mut store, _) = Fixture::new();
    store
        .add_account("worker", Role::SupportWorker, PW)
        .expect("adds");
    store
        .set_password("admin", "changed password")
        .expect("changes");
    drop(store);
    truncate_to_half(&key_file(&fx));
    fx.unlock("admin", "changed password")
        .expect("the new password opens from the backup");
    truncate_to_half(&key_file(&fx));
    fx.unlock("worker", PW)
        .expect("the added account opens from the backup");
    assert!(matches!(
        fx.unlock("admin", PW),
        Err(StoreError::WrongPassword)
    ));
}

#[test]
fn a_key_file_from_another_store_is_named_as_such_not_as_a_damaged_database() {
    let (a, store, a_code) = Fixture::new();
    drop(store);
    // Store B on the same device (one keychain), so that B's slot opens
    // with B's password and only the database tells the files apart.
    let b_dir = tempfile::tempdir().expect("temp dir");
    let (b, b_code) = Store::create(b_dir.path(), a.keychain.clone(), "admin", PW, FAST)
        .expect("creates a second store");
    drop(b);
    fs::copy(b_dir.path().join(keys::KEYSLOTS_FILE), key_file(&a)).expect("copies");

    let result = a.unlock("admin", PW);
    assert!(
        matches!(
            result,
            Err(StoreError::Keys(KeyError::BelongsToAnotherStore))
        ),
        "{result:?}"
    );
    let message = result.expect_err("refused").to_string();
    assert!(
        message.contains("keyslots.json") && message.contains("belongs to another store"),
        "{message}"
    );
    for code in [&a_code, &b_code] {
        let result = recover(&a, code, "new password 1");
        assert!(
            matches!(
                result,
                Err(StoreError::Keys(KeyError::BelongsToAnotherStore))
            ),
            "{result:?}"
        );
    }
    // On another device, where B's device secret is not in the keychain.
    let result = Store::unlock(
        a.dir.path(),
        Arc::new(MemoryKeychain::default()),
        "admin",
        PW,
    );
    assert!(
        matches!(
            result,
            Err(StoreError::Keys(KeyError::BelongsToAnotherStore))
        ),
        "{result:?}"
    );
}

/// Sets every slot's Argon2 memory in the keyslot file at `path`.
fn set_kdf_memory(path: &Path, memory_kib: u32) {
    let mut json: serde_json::Value =
        serde_json::from_slice(&fs::read(path).expect("reads")).expect("parses");
    for slot in json["slots"].as_array_mut().expect("slots") {
        slot["kdf"]["memory_kib"] = serde_json::json!(memory_kib);
    }
    fs::write(path, serde_json::to_vec(&json).expect("serialises")).expect("writes");
}

#[test]
fn a_key_file_asking_for_4_tib_of_memory_is_refused_rather_than_aborting() {
    let (fx, store, code) = Fixture::new();
    drop(store);
    let near_2_32 = u32::MAX - 1;
    set_kdf_memory(&key_file(&fx), near_2_32);
    set_kdf_memory(&key_backup(&fx), near_2_32);
    let result = fx.unlock("admin", PW);
    assert!(
        matches!(
            result,
            Err(StoreError::Keys(KeyError::KdfOutOfBounds { memory_kib, .. })) if memory_kib == near_2_32
        ),
        "{result:?}"
    );
    assert!(
        result
            .expect_err("refused")
            .to_string()
            .contains("4294967294 KiB")
    );
    let result = recover(&fx, &code, "new password 1");
    assert!(
        matches!(
            result,
            Err(StoreError::Keys(KeyError::KdfOutOfBounds { .. }))
        ),
        "{result:?}"
    );
}

#[test]
fn a_key_file_with_out_of_bounds_costs_falls_back_to_its_backup() {
    let (fx, store, _) = Fixture::new();
    drop(store);
    set_kdf_memory(&key_file(&fx), u32::MAX - 1);
    fx.unlock("admin", PW).expect("unlocks from the backup");
    let repaired = fs::read(key_file(&fx)).expect("reads");
    assert_eq!(repaired, fs::read(key_backup(&fx)).expect("reads"));
}

#[test]
fn putting_back_the_key_file_never_overwrites_a_newer_one() {
    let (fx, mut store, _) = Fixture::new();
    let read_before = KeyslotFile::read(fx.dir.path())
        .expect("reads")
        .expect("exists");
    store
        .add_account("worker", Role::SupportWorker, PW)
        .expect("adds");
    // An unlock that read the keyslots before the account was added
    // repairs with what it read.
    read_before.repair(fx.dir.path()).expect("repairs");
    fx.unlock("worker", PW)
        .expect("the account added meanwhile still opens");
}
