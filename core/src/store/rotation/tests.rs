//! A rotation stopped after each of its steps (standing in for a killed
//! process) locks no one out and is finished by a later unlock; stores
//! whose keyslot file is of format 1 still open and are brought up to date.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::super::accounts::tests::Office;
use super::super::keys::{KEYSLOTS_FILE, KeyslotFile};
use super::super::*;
use super::{STOP_AFTER, Step};
use crate::model::CaseId;

const PW: &str = "correct horse battery";
const SATO_PW: &str = "sato's own password";
const YAMADA_PW: &str = "yamada's own password";

fn stop_after(step: Option<Step>) {
    STOP_AFTER.set(step);
}

fn rotation_pending(dir: &Path) -> bool {
    KeyslotFile::read(dir)
        .expect("reads")
        .expect("exists")
        .rotation_pending()
}

#[test]
fn a_removal_stopped_after_any_step_locks_no_one_out_and_the_next_unlock_finishes_it() {
    let steps = [
        Step::PendingInBackup,
        Step::PendingWritten,
        Step::ChangeCommitted,
        Step::Rekeyed,
        Step::CurrentInBackup,
    ];
    for step in steps {
        let (office, mut admin) = Office::new();
        let old = office.copy_key_files();
        stop_after(Some(step));
        let stopped = admin.remove_account("sato");
        stop_after(None);
        assert!(stopped.is_err(), "{step:?}: the test stops it");
        // The process is gone: its connection and its lock with it.
        drop(admin);

        // Before the pending key reached keyslots.json nothing happened:
        // sato is still there and the administrator removes them again.
        if step == Step::PendingInBackup {
            office.unlock("sato", SATO_PW).expect("untouched");
            let mut admin = office.unlock("admin", PW).expect("unlocks");
            admin.remove_account("sato").expect("removes");
        }

        // The next unlock opens the store and finishes the rotation.
        let admin = office
            .unlock("admin", PW)
            .unwrap_or_else(|e| panic!("{step:?}: the administrator is locked out: {e}"));
        assert!(
            !rotation_pending(office.path()),
            "{step:?}: the rotation is finished"
        );
        assert_eq!(
            office.copy_key_files()[0],
            office.copy_key_files()[1],
            "{step:?}: both copies agree"
        );
        // Stopped before the change was committed, the account is still in
        // the database, without a slot: removing it again completes it.
        if step == Step::PendingWritten {
            assert!(matches!(
                office.unlock("sato", SATO_PW),
                Err(StoreError::WrongPassword)
            ));
            let mut admin = admin;
            admin.remove_account("sato").expect("removes the row too");
            drop(admin);
        } else {
            drop(admin);
        }
        office.old_copy_opens_nothing(&old, "sato", SATO_PW);
        office.everyone_left_opens(&[("admin", PW), ("yamada", YAMADA_PW)]);
    }
}

#[test]
fn a_password_reset_stopped_after_the_rekey_opens_with_the_pending_key() {
    let (office, mut admin) = Office::new();
    let old = office.copy_key_files();
    stop_after(Some(Step::Rekeyed));
    assert!(
        admin
            .set_password("sato", "a password from the office")
            .is_err()
    );
    stop_after(None);
    drop(admin);
    assert!(rotation_pending(office.path()));
    // sato, with the new password, is the first to unlock: the current key
    // no longer opens the database, the pending one does and becomes current.
    let mut sato = office
        .unlock("sato", "a password from the office")
        .expect("the pending key opens");
    assert!(!rotation_pending(office.path()));
    sato.load_case(office.case).expect("the case is there");
    drop(sato);
    office.old_copy_opens_nothing(&old, "sato", SATO_PW);
    office.everyone_left_opens(&[
        ("admin", PW),
        ("sato", "a password from the office"),
        ("yamada", YAMADA_PW),
    ]);
}

#[test]
fn a_rotation_left_by_a_stopped_process_waits_while_the_store_is_open_elsewhere() {
    let (office, mut admin) = Office::new();
    let old = office.copy_key_files();
    stop_after(Some(Step::ChangeCommitted));
    assert!(admin.disable_account("sato").is_err());
    stop_after(None);
    drop(admin);

    // Another process (the companion's link, say) has the store open.
    let elsewhere = fs::File::open(office.path().join(LOCK_FILE)).expect("opens");
    elsewhere.lock_shared().expect("locks");
    let mut admin = office.unlock("admin", PW).expect("unlocks");
    assert!(rotation_pending(office.path()), "left for later");
    let id = admin
        .create_case(&crate::model::Case::new())
        .expect("writes meanwhile");
    drop(admin);
    drop(elsewhere);

    let mut admin = office.unlock("admin", PW).expect("unlocks alone");
    assert!(!rotation_pending(office.path()), "finished now");
    admin
        .load_case(id)
        .expect("what was written meanwhile is there");
    drop(admin);
    office.old_copy_opens_nothing(&old, "sato", SATO_PW);
    office.everyone_left_opens(&[("admin", PW), ("yamada", YAMADA_PW)]);
}

#[test]
fn a_pending_key_written_by_someone_without_the_key_is_never_used_to_re_encrypt() {
    let (office, admin) = Office::new();
    drop(admin);
    // Someone who can write the data folder seals a key they know to every
    // recipient as a "pending" key, with its binding: only a key made by
    // the store itself may become the database's key.
    let mut slots = KeyslotFile::read(office.path())
        .expect("reads")
        .expect("exists");
    let theirs = keys::DbKey::generate();
    slots.seal_pending(&theirs).expect("seals");
    slots.write(office.path()).expect("writes");

    office.unlock("admin", PW).expect("unlocks");
    let result = open_db(&office.path().join(DB_FILE), Some(&theirs), false);
    assert!(matches!(result, Err(StoreError::Damaged)), "{result:?}");
    office.everyone_left_opens(&[("admin", PW), ("sato", SATO_PW), ("yamada", YAMADA_PW)]);
}

#[test]
fn a_recipient_added_to_the_key_file_by_someone_without_the_key_is_refused() {
    let (office, admin) = Office::new();
    drop(admin);
    let whole = office.copy_key_files();
    let mut slots = KeyslotFile::read(office.path())
        .expect("reads")
        .expect("exists");
    let device = office
        .keychain
        .load(&slots.store_id)
        .expect("loads")
        .expect("present");
    let theirs = slots
        .new_account_slot(
            "mallory",
            "mallory's password",
            &device,
            KdfParams::INSECURE_FOR_TESTS,
        )
        .expect("a slot");
    slots.slots.push(theirs);
    slots
        .write_copy(office.path(), KEYSLOTS_FILE)
        .expect("writes");
    let refused = office.unlock("admin", PW).expect_err("refused");
    assert!(
        matches!(refused, StoreError::Keys(KeyError::Tampered)),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("changed outside Tsunagi"));
    // The backup is whole: put back, it opens as before.
    fs::write(office.path().join(KEYSLOTS_FILE), &whole[1]).expect("puts back");
    office.unlock("admin", PW).expect("unlocks");
}

// ─────────────────────── keyslot files of format 1 ───────────────────────

const FIXTURE: &str = "tests/fixtures/store-keyslots-format-1";
const OLD_ADMIN_PW: &str = "old format admin";
const OLD_SATO_PW: &str = "old format worker";
const OLD_YAMADA_PW: &str = "old format viewer";

/// A copy of the store written with keyslots of format 1.
struct OldStore {
    _temp: tempfile::TempDir,
    data: PathBuf,
    keychain: Arc<FileKeychain>,
    code: RecoveryCode,
    case: CaseId,
}

impl OldStore {
    fn copy() -> Self {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
        let temp = tempfile::tempdir().expect("temp dir");
        for sub in ["data", "keystore"] {
            fs::create_dir(temp.path().join(sub)).expect("mkdir");
            for entry in fs::read_dir(fixture.join(sub)).expect("lists") {
                let entry = entry.expect("entry");
                fs::copy(entry.path(), temp.path().join(sub).join(entry.file_name()))
                    .expect("copies");
            }
        }
        let read = |name: &str| fs::read_to_string(fixture.join(name)).expect("reads");
        Self {
            data: temp.path().join("data"),
            keychain: Arc::new(FileKeychain::new(temp.path().join("keystore"))),
            code: RecoveryCode::parse(read("recovery-code.txt").trim()).expect("a code"),
            case: read("case-id.txt").trim().parse().expect("a case id"),
            _temp: temp,
        }
    }

    fn unlock(&self, user: &str, pw: &str) -> Result<Store, StoreError> {
        Store::unlock(&self.data, self.keychain.clone(), user, pw)
    }

    fn slots(&self) -> KeyslotFile {
        KeyslotFile::read(&self.data)
            .expect("reads")
            .expect("exists")
    }

    fn is_legacy(&self, user: &str) -> bool {
        self.slots()
            .account_slot(user)
            .expect("has a slot")
            .is_legacy()
    }
}

#[test]
fn a_store_of_format_1_opens_and_each_slot_is_brought_up_to_date_at_its_unlock() {
    let old = OldStore::copy();
    assert_eq!(old.slots().format, 1);
    let mut admin = old.unlock("admin", OLD_ADMIN_PW).expect("opens");
    assert_eq!(
        admin.load_case(old.case).expect("loads").display_name(),
        "旧形式 花子"
    );
    drop(admin);
    let slots = old.slots();
    assert_eq!(slots.format, 2);
    assert!(!old.is_legacy("admin"), "the slot used is rewritten");
    assert!(old.is_legacy("sato"), "the others wait for their owner");
    assert!(slots.recovery_slot().expect("recovery").is_legacy());
    assert_eq!(
        fs::read(old.data.join(KEYSLOTS_FILE)).expect("reads"),
        fs::read(old.data.join(keys::KEYSLOTS_BACKUP_FILE)).expect("reads")
    );

    let mut sato = old.unlock("sato", OLD_SATO_PW).expect("opens");
    sato.load_case(old.case).expect("loads");
    drop(sato);
    assert!(!old.is_legacy("sato"));
    old.unlock("admin", OLD_ADMIN_PW).expect("still opens");
    old.unlock("yamada", OLD_YAMADA_PW).expect("still opens");

    // The recovery slot is of format 1 until the code is used: the key
    // cannot be replaced without it going on opening the store.
    let mut admin = old.unlock("admin", OLD_ADMIN_PW).expect("opens");
    let refused = admin.remove_account("sato").expect_err("refused");
    assert!(
        matches!(refused, StoreError::OldRecoverySlot),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("tsunagi recover"));
    drop(admin);
    old.unlock("sato", OLD_SATO_PW)
        .expect("nothing was changed");
}

#[test]
fn a_store_of_format_1_opened_with_the_recovery_code_can_then_rotate() {
    let old = OldStore::copy();
    let before = [KEYSLOTS_FILE, keys::KEYSLOTS_BACKUP_FILE]
        .map(|name| fs::read(old.data.join(name)).expect("reads"));
    let mut admin = Store::recover(
        &old.data,
        old.keychain.clone(),
        &old.code,
        "admin",
        "the admin's new password",
    )
    .expect("the recovery code opens");
    let slots = old.slots();
    assert_eq!(slots.format, 2);
    assert!(!slots.recovery_slot().expect("recovery").is_legacy());
    assert!(old.is_legacy("yamada"));

    // yamada has not logged in since: the rotation drops the slot, which
    // cannot hold the new key, and names the account.
    admin.remove_account("sato").expect("removes");
    assert_eq!(admin.accounts_without_keyslot().expect("lists"), ["yamada"]);
    assert!(matches!(
        old.unlock("yamada", OLD_YAMADA_PW),
        Err(StoreError::WrongPassword)
    ));
    admin
        .set_password("yamada", "yamada's new password")
        .expect("resets");
    assert!(admin.accounts_without_keyslot().expect("lists").is_empty());
    drop(admin);
    let mut yamada = old
        .unlock("yamada", "yamada's new password")
        .expect("opens");
    yamada.load_case(old.case).expect("loads");
    drop(yamada);

    // The keyslot files of format 1 from before open nothing any more.
    for (name, bytes) in [KEYSLOTS_FILE, keys::KEYSLOTS_BACKUP_FILE]
        .iter()
        .zip(&before)
    {
        fs::write(old.data.join(name), bytes).expect("puts back");
    }
    for (user, pw) in [("sato", OLD_SATO_PW), ("admin", OLD_ADMIN_PW)] {
        let result = old.unlock(user, pw);
        assert!(
            matches!(result, Err(StoreError::Damaged)),
            "{user}: {result:?}"
        );
    }
    let result = Store::recover(
        &old.data,
        old.keychain.clone(),
        &old.code,
        "admin",
        "the admin's new password",
    );
    assert!(matches!(result, Err(StoreError::Damaged)), "{result:?}");
}
