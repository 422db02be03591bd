//! A case restored from a backup without personal data, on the case screen:
//! each identifying field on its tabs that held something says 要再入力
//! beside it (and no other field does), the screen says how many fields
//! are to be filled in, and filling a field in takes its mark away in the
//! store, from the count and from the field.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{CaseAdapter, CaseListAdapter, DiseaseAdapter, Screen};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::backup::{BackupFile, SealTo, Unseal, restore_backup, write_backup};
use tsunagi_core::model::demo_cases;
use tsunagi_core::seal::DeviceKeys;
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

fn store_options() -> StoreOptions {
    StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    }
}

/// Every demo case backed up without personal data from one store and
/// restored onto a new one in `dir`: the new store's folder.
fn restored_store(dir: &std::path::Path, keychain: &Arc<dyn Keychain>) -> std::path::PathBuf {
    let (mut source, _) = Store::create(
        &dir.join("source"),
        Arc::clone(keychain),
        "admin",
        PASSWORD,
        store_options(),
    )
    .expect("a store");
    for case in demo_cases() {
        source.create_case(&case).expect("a demo case");
    }
    let office = DeviceKeys::generate();
    let file = dir.join("backup.age");
    write_backup(
        &mut source,
        &SealTo::Key(office.recipient()),
        "tsunagi",
        &file,
    )
    .expect("backed up");
    let data = dir.join("data");
    let (mut target, _) = Store::create(
        &data,
        Arc::clone(keychain),
        "admin",
        PASSWORD,
        store_options(),
    )
    .expect("a store");
    let opened = BackupFile::open(std::fs::File::open(&file).expect("opens"))
        .expect("an age file")
        .unseal(&Unseal::device(&office))
        .expect("unsealed");
    restore_backup(&mut target, opened).expect("restored");
    data
}

#[test]
fn a_restored_cases_fields_say_reentry_and_filling_one_in_takes_its_mark_away() {
    init_backend();
    let temp = tempfile::tempdir().expect("a folder");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let data = restored_store(temp.path(), &keychain);
    let (first, marks) = {
        let store =
            Store::unlock(&data, Arc::clone(&keychain), "admin", PASSWORD).expect("unlocks");
        let cases = store.cases_needing_reentry().expect("the marked cases");
        assert_eq!(cases.len(), demo_cases().len(), "every demo case has marks");
        // The case with the most to fill in (the demo case with every
        // section filled).
        cases
            .into_iter()
            .map(|id| (id, store.needs_reentry(id).expect("its marks")))
            .max_by_key(|(_, marks)| marks.len())
            .expect("a case")
    };
    assert!(marks.iter().any(|p| p == "basic.name"), "{marks:?}");

    let app = window::build(
        data.clone(),
        Options {
            keychain: Arc::clone(&keychain),
            keychain_warning: false,
            store_options: store_options(),
            background: Background::Inline,
            utc_offset: time::macros::offset!(+9),
            camera: tsunagi_app::av::Source::Test,
        },
    )
    .expect("the window builds");
    let w = app.window();
    w.show().expect("the window shows");
    w.window()
        .set_size(slint::LogicalSize::new(1280.0, 40000.0));
    type_into(w, "ユーザー名", "admin");
    type_into(w, "パスワード", PASSWORD);
    press(w, "ログイン");
    assert_eq!(w.get_screen(), Screen::CaseList);
    w.global::<CaseListAdapter<'_>>()
        .invoke_open_case(first.to_string().into());
    settle();
    assert_eq!(w.get_screen(), Screen::Case);
    let adapter = w.global::<CaseAdapter<'_>>();
    assert_eq!(
        usize::try_from(adapter.get_reentry_count()).expect("a count"),
        marks.len()
    );

    // On every tab, a field says 要再入力 exactly when the store marks it.
    let marks: BTreeSet<String> = marks.into_iter().collect();
    let mut marked_on_screen = BTreeSet::new();
    for tab in 0..8 {
        adapter.invoke_select_tab(tab);
        settle();
        for block in adapter.get_blocks().iter() {
            for field in block.fields.iter() {
                let path = field.path.to_string();
                assert_eq!(field.reentry, marks.contains(&path), "{path}");
                if field.reentry {
                    marked_on_screen.insert(path);
                }
            }
        }
    }
    for path in [
        "basic.name",
        "basic.kana",
        "basic.address",
        "basic.phone",
        "basic.birth_date",
    ] {
        assert!(
            marked_on_screen.contains(path),
            "{path} is marked on screen"
        );
    }
    for prefix in ["consultations[", "consents["] {
        assert!(
            marked_on_screen.iter().any(|p| p.starts_with(prefix)),
            "a field of {prefix}…] is marked on screen"
        );
    }

    // The name's mark is on screen, read out with its field's name.
    adapter.invoke_select_tab(0);
    settle();
    assert!(shows(w, "氏名：要再入力", AccessibleRole::Text));
    type_into(w, "氏名", "見本 花子");
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(500));
    settle();
    assert_eq!(
        usize::try_from(adapter.get_reentry_count()).expect("a count"),
        marks.len() - 1,
        "the count goes down as soon as the save is answered"
    );
    assert!(
        !shows(w, "氏名：要再入力", AccessibleRole::Text),
        "the mark goes from the field as it is typed in"
    );

    // On the disease screen: each status note and own accommodation a
    // restore left empty says 要再入力, and no other.
    let notes = marks
        .iter()
        .filter(|p| p.contains(".status_history[") && p.ends_with(".note"))
        .count();
    let own = marks
        .iter()
        .filter(|p| {
            p.starts_with("case_management.vocational_issues[") && p.contains(".accommodations[")
        })
        .count();
    assert!(
        notes > 0 && own > 0,
        "the demo case has notes and own accommodations: {marks:?}"
    );
    let disease = w.global::<DiseaseAdapter<'_>>();
    disease.invoke_open_case(first.to_string().into());
    settle();
    assert_eq!(w.get_screen(), Screen::Disease);
    let (mut notes_shown, mut own_shown) = (0, 0);
    for index in 0..disease.get_diseases().row_count() {
        disease.invoke_select_disease(i32::try_from(index).expect("an index"));
        settle();
        for row in disease.get_history().iter() {
            assert!(!row.reentry || row.note.is_empty(), "{}", row.date);
            notes_shown += usize::from(row.reentry);
        }
        for issue in disease.get_issues().iter() {
            own_shown += issue.own_reentry.iter().filter(|m| *m).count();
        }
    }
    assert_eq!(
        notes_shown, notes,
        "every emptied status note is marked: {marks:?}"
    );
    assert!(
        own_shown > 0 && own_shown <= own,
        "{own_shown} own accommodations marked of {own}"
    );

    let store = Store::unlock(&data, Arc::clone(&keychain), "admin", PASSWORD).expect("unlocks");
    let left = store.needs_reentry(first).expect("its marks");
    assert!(!left.iter().any(|p| p == "basic.name"));
    assert_eq!(left.len(), marks.len() - 1);
}
