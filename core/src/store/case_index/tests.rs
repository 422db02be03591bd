use std::sync::Arc;

use crate::model::{Case, CaseId, Section, SupportStage, demo_cases};
use crate::store::{CaseQuery, KdfParams, MemoryKeychain, Role, Store, StoreError, StoreOptions};

const PW: &str = "correct horse battery";

struct Office {
    dir: tempfile::TempDir,
    keychain: Arc<MemoryKeychain>,
}

impl Office {
    fn new() -> (Self, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = Arc::new(MemoryKeychain::default());
        let options = StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        };
        let (store, _) =
            Store::create(dir.path(), keychain.clone(), "admin", PW, options).expect("creates");
        (Self { dir, keychain }, store)
    }

    fn unlock(&self, user: &str) -> Store {
        Store::unlock(self.dir.path(), self.keychain.clone(), user, PW).expect("unlocks")
    }
}

fn case_named(name: &str, kana: &str) -> Case {
    let mut case = demo_cases().remove(0);
    case.basic.name = name.into();
    case.basic.kana = kana.into();
    case
}

fn search(store: &mut Store, text: &str) -> Result<Vec<CaseId>, StoreError> {
    let query = CaseQuery {
        text: text.into(),
        ..CaseQuery::default()
    };
    Ok(store.find_cases(&query)?.iter().map(|c| c.id).collect())
}

fn all(store: &mut Store) -> Vec<CaseId> {
    search(store, "").expect("lists")
}

#[test]
fn saves_renames_and_deletions_through_this_handle_show_at_the_next_search() {
    let (_office, mut admin) = Office::new();
    let first = admin
        .create_case(&case_named("山田 一子", "やまだ いちこ"))
        .expect("creates");
    assert_eq!(all(&mut admin), [first], "the index is built here");

    let second = admin
        .create_case(&case_named("川上 二子", "かわかみ ふたこ"))
        .expect("creates");
    assert_eq!(all(&mut admin), [second, first], "newest change first");

    let mut basic = admin.load_case(first).expect("loads").basic;
    basic.name = "海野 一子".into();
    admin
        .save_section(first, &Section::Basic(basic))
        .expect("saves");
    assert_eq!(
        all(&mut admin),
        [first, second],
        "a saved case moves to the top"
    );
    assert_eq!(search(&mut admin, "海野").expect("searches"), [first]);
    assert!(
        search(&mut admin, "山田").expect("searches").is_empty(),
        "the old name is gone"
    );

    admin
        .save_section(second, &Section::Stage(SupportStage::Hired))
        .expect("saves");
    let hired = CaseQuery {
        stage: Some(SupportStage::Hired),
        ..CaseQuery::default()
    };
    let found: Vec<CaseId> = admin
        .find_cases(&hired)
        .expect("lists")
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(found, [second]);

    admin.delete_case(first).expect("deletes");
    assert_eq!(all(&mut admin), [second]);
}

#[test]
fn search_ignores_the_case_of_latin_letters_and_takes_wildcards_literally() {
    let (_office, mut admin) = Office::new();
    let maria = admin
        .create_case(&case_named("Maria Santos", "まりあ さんとす"))
        .expect("creates");
    let percent = admin
        .create_case(&case_named("記号 100%", "きごう"))
        .expect("creates");
    assert_eq!(search(&mut admin, "maria").expect("searches"), [maria]);
    assert_eq!(search(&mut admin, "SANTOS").expect("searches"), [maria]);
    assert_eq!(
        search(&mut admin, "  まりあ ").expect("searches"),
        [maria],
        "trimmed"
    );
    assert_eq!(search(&mut admin, "%").expect("searches"), [percent]);
    assert!(search(&mut admin, "_").expect("searches").is_empty());
}

#[test]
fn a_change_committed_through_another_handle_is_seen() {
    let (office, mut admin) = Office::new();
    admin
        .add_account("sato", Role::SupportWorker, PW)
        .expect("adds");
    assert!(all(&mut admin).is_empty());

    let mut other = office.unlock("admin");
    let case = other
        .create_case(&case_named("別所 三子", "べっしょ みつこ"))
        .expect("creates");
    assert_eq!(all(&mut admin), [case], "a case made elsewhere appears");

    let mut sato = office.unlock("sato");
    assert!(
        all(&mut sato).is_empty(),
        "a worker sees only assigned cases"
    );
    other.assign(case, "sato").expect("assigns");
    assert_eq!(all(&mut sato), [case], "assigned elsewhere: now listed");
    let mine = CaseQuery {
        worker: Some("sato".into()),
        ..CaseQuery::default()
    };
    assert_eq!(admin.find_cases(&mine).expect("lists").len(), 1);

    other.unassign(case, "sato").expect("unassigns");
    assert!(all(&mut sato).is_empty(), "unassigned elsewhere: gone");
    assert!(admin.find_cases(&mine).expect("lists").is_empty());
}

#[test]
fn assignments_through_this_handle_change_the_worker_filter() {
    let (_office, mut admin) = Office::new();
    admin
        .add_account("sato", Role::SupportWorker, PW)
        .expect("adds");
    let case = admin
        .create_case(&case_named("担当 四子", "たんとう よつこ"))
        .expect("creates");
    let sato = CaseQuery {
        worker: Some("sato".into()),
        ..CaseQuery::default()
    };
    assert!(admin.find_cases(&sato).expect("lists").is_empty());
    admin.assign(case, "sato").expect("assigns");
    let listed = admin.find_cases(&sato).expect("lists");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].assigned_to, ["sato"]);
    admin.unassign(case, "sato").expect("unassigns");
    assert!(admin.find_cases(&sato).expect("lists").is_empty());
}

#[test]
fn many_cases_changed_at_once_are_all_seen() {
    let (_office, mut admin) = Office::new();
    let first = admin
        .create_case(&case_named("最初 五子", "さいしょ いつこ"))
        .expect("creates");
    assert_eq!(all(&mut admin).len(), 1);
    // More changes than the index reads one by one: it reads all again.
    let made: Vec<CaseId> = (0..30)
        .map(|i| {
            admin
                .create_case(&case_named(&format!("多数 {i}"), "たすう"))
                .expect("creates")
        })
        .collect();
    let listed = all(&mut admin);
    assert_eq!(listed.len(), 31);
    assert_eq!(listed.last(), Some(&first));
    assert_eq!(
        search(&mut admin, "多数").expect("searches").len(),
        made.len()
    );
}

#[test]
fn what_is_due_follows_saves_assignments_and_deletions() {
    use crate::model::{DueKind, MedicalCertificate, MedicalCertificateKind};
    let (office, mut admin) = Office::new();
    admin
        .add_account("sato", Role::SupportWorker, PW)
        .expect("adds");
    let today = time::macros::date!(2026 - 12 - 07);
    let within = time::Duration::days(30);
    let mut case = Case::new();
    case.basic.name = "期限 六子".into();
    let case = admin.create_case(&case).expect("creates");
    assert!(admin.due(today, within).expect("due").is_empty());

    let mut basic = admin.load_case(case).expect("loads").basic;
    basic.medical_certificates.push(MedicalCertificate {
        kind: MedicalCertificateKind::SpecifiedDisease,
        disease_id: None,
        valid_until: Some(time::macros::date!(2026 - 12 - 20)),
    });
    admin
        .save_section(case, &Section::Basic(basic))
        .expect("saves");
    let due = admin.due(today, within).expect("due");
    assert_eq!(due.len(), 1, "a certificate running out appears once saved");
    assert_eq!(due[0].case, case);
    assert_eq!(due[0].item.kind, DueKind::CertificateEnds);

    let mut sato = office.unlock("sato");
    assert!(
        sato.due(today, within).expect("due").is_empty(),
        "not assigned"
    );
    admin.assign(case, "sato").expect("assigns");
    assert_eq!(sato.due(today, within).expect("due").len(), 1, "assigned");

    admin.delete_case(case).expect("deletes");
    assert!(admin.due(today, within).expect("due").is_empty());
    assert!(sato.due(today, within).expect("due").is_empty());
}
