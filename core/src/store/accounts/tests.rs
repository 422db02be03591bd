//! Disabling, removing and resetting accounts: the database key is
//! replaced, so an old copy of the keyslot files opens nothing any more,
//! while every remaining account and the recovery code still open it.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use super::super::keys::{KEYSLOTS_BACKUP_FILE, KEYSLOTS_FILE, KeyslotFile};
use super::super::*;
use crate::model::{Case, demo_cases};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};
const PW: &str = "correct horse battery";
const SATO_PW: &str = "sato's own password";
const YAMADA_PW: &str = "yamada's own password";

/// A store with an administrator, a support worker (sato) and a reader
/// (yamada), and one case assigned to both.
pub(in crate::store) struct Office {
    pub dir: tempfile::TempDir,
    pub keychain: Arc<MemoryKeychain>,
    pub code: RecoveryCode,
    pub case: CaseId,
}

impl Office {
    pub fn new() -> (Self, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = Arc::new(MemoryKeychain::default());
        let (mut admin, code) =
            Store::create(dir.path(), keychain.clone(), "admin", PW, FAST).expect("creates");
        admin
            .add_account("sato", Role::SupportWorker, SATO_PW)
            .expect("adds");
        admin
            .add_account("yamada", Role::ReadOnly, YAMADA_PW)
            .expect("adds");
        let mut case = demo_cases().remove(0);
        case.basic.name = "鍵替 花子".into();
        let case = admin.create_case(&case).expect("creates");
        admin.assign(case, "sato").expect("assigns");
        admin.assign(case, "yamada").expect("assigns");
        (
            Self {
                dir,
                keychain,
                code,
                case,
            },
            admin,
        )
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn unlock(&self, user: &str, pw: &str) -> Result<Store, StoreError> {
        Store::unlock(self.path(), self.keychain.clone(), user, pw)
    }

    /// Both keyslot files as they are now.
    pub fn copy_key_files(&self) -> [Vec<u8>; 2] {
        [KEYSLOTS_FILE, KEYSLOTS_BACKUP_FILE]
            .map(|name| fs::read(self.path().join(name)).expect("reads"))
    }

    pub fn put_key_files(&self, files: &[Vec<u8>; 2]) {
        for (name, bytes) in [KEYSLOTS_FILE, KEYSLOTS_BACKUP_FILE].iter().zip(files) {
            fs::write(self.path().join(name), bytes).expect("writes");
        }
    }

    /// Asserts that `user`'s slot in `old` (a copy of the keyslot files),
    /// opened with `pw` and this device's secret, gives no key that opens
    /// the database: neither through an unlock nor directly.
    pub fn old_copy_opens_nothing(&self, old: &[Vec<u8>; 2], user: &str, pw: &str) {
        let now = self.copy_key_files();
        self.put_key_files(old);
        let result = self.unlock(user, pw);
        assert!(
            matches!(result, Err(StoreError::Damaged)),
            "{user}'s old slot: {result:?}"
        );
        let slots = KeyslotFile::read(self.path())
            .expect("reads")
            .expect("exists");
        let device = self
            .keychain
            .load(&slots.store_id)
            .expect("loads")
            .expect("present");
        let opened = slots
            .open_account(user, pw, &device)
            .expect("the old slot opens");
        let keys = slots.keys(&opened).expect("it gives a key");
        assert!(!keys.is_empty());
        for (key, _) in keys {
            let result = open_db(&self.path().join(DB_FILE), Some(&key), false);
            assert!(matches!(result, Err(StoreError::Damaged)), "{result:?}");
        }
        self.put_key_files(&now);
    }

    /// Asserts that every account in `users` and the recovery code open the
    /// store, and that the case is whole.
    pub fn everyone_left_opens(&self, users: &[(&str, &str)]) {
        for (user, pw) in users {
            let mut store = self
                .unlock(user, pw)
                .unwrap_or_else(|e| panic!("{user} is locked out: {e}"));
            assert_eq!(
                store.load_case(self.case).expect("loads").display_name(),
                "鍵替 花子"
            );
        }
        let mut store = Store::recover(self.path(), self.keychain.clone(), &self.code, "admin", PW)
            .expect("the recovery code opens");
        assert_eq!(
            store.load_case(self.case).expect("loads").display_name(),
            "鍵替 花子"
        );
        store.verify_audit_log().expect("the audit log is whole");
    }
}

#[test]
fn an_old_copy_of_the_key_files_opens_nothing_after_an_account_is_removed() {
    let (office, mut admin) = Office::new();
    let old = office.copy_key_files();
    admin.remove_account("sato").expect("removes");
    assert!(matches!(
        office.unlock("sato", SATO_PW),
        Err(StoreError::WrongPassword)
    ));
    assert!(
        !admin
            .accounts()
            .expect("lists")
            .iter()
            .any(|a| a.name == "sato")
    );
    let mut case = admin.list_cases(&CaseQuery::default()).expect("lists");
    assert_eq!(case.remove(0).assigned_to, ["yamada"]);
    drop(admin);
    office.old_copy_opens_nothing(&old, "sato", SATO_PW);
    office.everyone_left_opens(&[("admin", PW), ("yamada", YAMADA_PW)]);
}

#[test]
fn an_old_copy_of_the_key_files_opens_nothing_after_an_account_is_disabled() {
    let (office, mut admin) = Office::new();
    let old = office.copy_key_files();
    admin.disable_account("sato").expect("disables");
    drop(admin);
    office.old_copy_opens_nothing(&old, "sato", SATO_PW);
    office.everyone_left_opens(&[("admin", PW), ("yamada", YAMADA_PW)]);
}

#[test]
fn an_old_copy_of_the_key_files_opens_nothing_after_an_administrator_resets_a_password() {
    let (office, mut admin) = Office::new();
    let old = office.copy_key_files();
    admin
        .set_password("sato", "a password from the office")
        .expect("resets");
    drop(admin);
    office.old_copy_opens_nothing(&old, "sato", SATO_PW);
    assert!(matches!(
        office.unlock("sato", SATO_PW),
        Err(StoreError::WrongPassword)
    ));
    office.everyone_left_opens(&[
        ("admin", PW),
        ("sato", "a password from the office"),
        ("yamada", YAMADA_PW),
    ]);
}

#[test]
fn a_disabled_account_is_told_so_at_unlock_and_can_be_enabled_again() {
    let (office, mut admin) = Office::new();
    admin.disable_account("sato").expect("disables");
    assert!(matches!(
        office.unlock("sato", "not sato's password"),
        Err(StoreError::WrongPassword)
    ));
    let refused = office
        .unlock("sato", SATO_PW)
        .expect_err("a disabled account does not unlock");
    assert!(
        matches!(refused, StoreError::AccountDisabled),
        "{refused:?}"
    );
    let words = refused.to_string();
    assert!(
        words.contains("このアカウントは無効になっています") && words.contains("disabled"),
        "{words}"
    );
    assert!(
        !admin
            .accounts()
            .expect("lists")
            .iter()
            .any(|a| a.name == "sato")
    );

    admin.enable_account("sato").expect("enables");
    let mut sato = office.unlock("sato", SATO_PW).expect("unlocks again");
    assert_eq!(
        sato.load_case(office.case)
            .expect("still assigned")
            .display_name(),
        "鍵替 花子"
    );
    let log = admin.audit_log(20).expect("log");
    for wanted in ["disable sato", "enable sato"] {
        assert!(
            log.iter().any(|e| e.detail == wanted),
            "{wanted} not audited"
        );
    }
}

#[test]
fn an_account_disabled_in_the_database_is_refused_even_with_its_slot() {
    let (office, admin) = Office::new();
    admin
        .conn
        .execute("UPDATE accounts SET disabled = 1 WHERE name = 'sato'", [])
        .expect("disables behind the store's back");
    drop(admin);
    assert!(matches!(
        office.unlock("sato", SATO_PW),
        Err(StoreError::AccountDisabled)
    ));
    // The next unlock notices the slot of an account the database has
    // disabled and replaces the key: the slot no longer opens it.
    let old = office.copy_key_files();
    office.unlock("admin", PW).expect("unlocks");
    office.old_copy_opens_nothing(&old, "sato", SATO_PW);
}

#[test]
fn an_administrator_cannot_disable_or_remove_their_own_account() {
    let (_office, mut admin) = Office::new();
    for refused in [
        admin.disable_account("admin"),
        admin.remove_account("admin"),
    ] {
        let refused = refused.expect_err("refused");
        assert!(matches!(refused, StoreError::OwnAccount), "{refused:?}");
        assert!(refused.to_string().contains("自分のアカウント"));
    }
    assert!(matches!(
        admin.remove_account("nobody"),
        Err(StoreError::NoSuchAccount(_))
    ));
}

#[test]
fn the_last_administrator_cannot_be_disabled_or_removed() {
    let (office, mut admin) = Office::new();
    admin
        .add_account("chief", Role::Administrator, PW)
        .expect("adds");
    // Meanwhile, in another window, chief takes admin's role away; admin's
    // window still shows the administration screen.
    let mut chief = office.unlock("chief", PW).expect("unlocks");
    chief
        .set_role("admin", Role::SupportWorker)
        .expect("changes the role");
    drop(chief);
    for refused in [
        admin.disable_account("chief"),
        admin.remove_account("chief"),
    ] {
        let refused = refused.expect_err("refused");
        assert!(
            matches!(refused, StoreError::LastAdministrator),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("最後の管理者"));
    }
    office
        .unlock("chief", PW)
        .expect("the last administrator still unlocks");
}

#[test]
fn only_administrators_disable_remove_or_enable_accounts() {
    let (office, admin) = Office::new();
    drop(admin);
    let mut sato = office.unlock("sato", SATO_PW).expect("unlocks");
    for refused in [
        sato.disable_account("yamada"),
        sato.remove_account("yamada"),
        sato.enable_account("yamada"),
    ] {
        assert!(matches!(refused, Err(StoreError::NotPermitted { .. })));
    }
    drop(sato);
    office.unlock("yamada", YAMADA_PW).expect("untouched");
}

#[test]
fn the_key_is_not_replaced_while_the_store_is_open_elsewhere_and_nothing_is_lost() {
    let (office, mut admin) = Office::new();
    let old = office.copy_key_files();
    let mut sato = office.unlock("sato", SATO_PW).expect("unlocks");
    let mut link = admin.open_another().expect("a second handle");

    for refused in [
        admin.remove_account("yamada"),
        admin.disable_account("yamada"),
        admin.set_password("yamada", "a password from the office"),
    ] {
        let refused = refused.expect_err("refused while open elsewhere");
        assert!(
            matches!(refused, StoreError::OtherHandlesOpen),
            "{refused:?}"
        );
        let words = refused.to_string();
        assert!(
            words.contains("ほかの画面やコマンド") && words.contains("open elsewhere"),
            "{words}"
        );
    }
    // Nothing was changed: yamada is there, with the same slot, unaudited.
    assert!(
        admin
            .accounts()
            .expect("lists")
            .iter()
            .any(|a| a.name == "yamada")
    );
    assert_eq!(office.copy_key_files(), old);
    let log = admin.audit_log(50).expect("log");
    for not_done in ["remove yamada", "disable yamada", "password yamada"] {
        assert!(!log.iter().any(|e| e.detail == not_done), "{not_done}");
    }

    // The other handles go on working, and what they write stays.
    let by_sato = sato.create_case(&Case::new()).expect("sato writes");
    let by_link = link.create_case(&Case::new()).expect("the link writes");
    drop(sato);
    drop(link);

    admin.remove_account("yamada").expect("alone now: removes");
    for id in [by_sato, by_link, office.case] {
        admin.load_case(id).expect("every case is there");
    }
    drop(admin);
    office.old_copy_opens_nothing(&old, "yamada", YAMADA_PW);
    office.everyone_left_opens(&[("admin", PW), ("sato", SATO_PW)]);
}

#[test]
fn a_users_own_password_change_needs_the_old_one_and_replaces_the_slot() {
    let (office, admin) = Office::new();
    drop(admin);
    let mut sato = office.unlock("sato", SATO_PW).expect("unlocks");
    let other = office.unlock("yamada", YAMADA_PW).expect("open elsewhere");
    assert!(matches!(
        sato.change_own_password("not the old one", "sato's new password"),
        Err(StoreError::WrongPassword)
    ));
    sato.change_own_password(SATO_PW, "sato's new password")
        .expect("changes, with the store open elsewhere too");
    drop((sato, other));
    office
        .unlock("sato", "sato's new password")
        .expect("the new password opens");
    assert!(matches!(
        office.unlock("sato", SATO_PW),
        Err(StoreError::WrongPassword)
    ));
}
