//! The backup without personal data on the settings screen: an
//! administrator makes one sealed with a passphrase (a mismatched or short
//! passphrase writes nothing), and restores it onto a new store (a wrong
//! passphrase changes nothing); the restored cases carry 要再入力 marks. A
//! support worker is refused by the store, in words.

mod common;
use common::*;

use std::sync::Arc;

use slint::ComponentHandle;
use tsunagi_app::window::ui::{AppWindow, BackupAdapter, CaseListAdapter, Screen};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::backup::{BackupFile, Unseal};
use tsunagi_core::model::demo_cases;
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Role, Store, StoreOptions};

const PASSPHRASE: &str = "事務所の金庫の合言葉 2026";

fn store_options() -> StoreOptions {
    StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    }
}

/// The app on the store in `data`, `user` logged in, at the settings.
fn at_settings(
    data: &std::path::Path,
    keychain: &Arc<dyn Keychain>,
    user: &str,
    password: &str,
) -> window::AppHandle {
    let app = window::build(
        data.to_owned(),
        Options {
            keychain: Arc::clone(keychain),
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
    w.window().set_size(slint::LogicalSize::new(1280.0, 4000.0));
    type_into(w, "ユーザー名", user);
    type_into(w, "パスワード", password);
    press(w, "ログイン");
    assert_eq!(w.get_screen(), Screen::CaseList);
    w.global::<CaseListAdapter<'_>>().invoke_open_settings();
    settle();
    assert_eq!(w.get_screen(), Screen::Settings);
    app
}

fn status(w: &AppWindow) -> (String, bool) {
    let adapter = w.global::<BackupAdapter<'_>>();
    (adapter.get_status().to_string(), adapter.get_failed())
}

#[test]
fn an_administrator_backs_up_with_a_passphrase_and_restores_onto_a_new_store() {
    init_backend();
    let temp = tempfile::tempdir().expect("a folder");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let source = temp.path().join("source");
    {
        let (mut store, _) = Store::create(
            &source,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            store_options(),
        )
        .expect("a store");
        for case in demo_cases() {
            store.create_case(&case).expect("a demo case");
        }
        store
            .add_account("sato", Role::SupportWorker, "さとうの合言葉 2026")
            .expect("a worker");
    }
    let out = temp.path().join("backup.age");

    let app = at_settings(&source, &keychain, "admin", PASSWORD);
    let w = app.window();
    let adapter = w.global::<BackupAdapter<'_>>();
    assert!(
        adapter.get_out_path().ends_with(".age"),
        "a file name is offered"
    );
    adapter.set_out_path(out.display().to_string().into());
    adapter.set_seal(1);
    adapter.set_passphrase(PASSPHRASE.into());
    adapter.set_passphrase_again("違う合言葉です 2026".into());
    adapter.invoke_make_backup();
    settle();
    assert_eq!(
        status(w),
        ("確認のパスフレーズが一致しません。".to_owned(), true)
    );
    adapter.set_passphrase("短い".into());
    adapter.set_passphrase_again("短い".into());
    adapter.invoke_make_backup();
    settle();
    assert!(status(w).0.contains("12文字以上"), "{:?}", status(w));
    assert!(
        !out.exists(),
        "nothing is written before the passphrase is right"
    );

    adapter.set_passphrase(PASSPHRASE.into());
    adapter.set_passphrase_again(PASSPHRASE.into());
    adapter.invoke_make_backup();
    settle();
    let (said, failed) = status(w);
    assert!(!failed, "{said}");
    assert!(
        said.starts_with(&format!("{}件のケースを", demo_cases().len())),
        "{said}"
    );
    assert_eq!(
        adapter.get_passphrase(),
        "",
        "the passphrase leaves the field"
    );
    let mut reader = BackupFile::open(std::fs::File::open(&out).expect("written"))
        .expect("an age file")
        .unseal(&Unseal::passphrase(PASSPHRASE.to_owned()))
        .expect("the passphrase opens it");
    let mut cases = 0;
    while reader.next_case().expect("a case line").is_some() {
        cases += 1;
    }
    assert_eq!(cases, demo_cases().len());
    drop(app);

    // A support worker may not back up every case: the store says so.
    let app = at_settings(&source, &keychain, "sato", "さとうの合言葉 2026");
    let w = app.window();
    let adapter = w.global::<BackupAdapter<'_>>();
    let refused = temp.path().join("refused.age");
    adapter.set_out_path(refused.display().to_string().into());
    adapter.set_seal(1);
    adapter.set_passphrase(PASSPHRASE.into());
    adapter.set_passphrase_again(PASSPHRASE.into());
    adapter.invoke_make_backup();
    settle();
    assert!(status(w).1, "{:?}", status(w));
    assert!(!refused.exists());
    drop(app);

    // Onto a new store: a wrong passphrase changes nothing, the right one
    // brings every case back, marked.
    let target = temp.path().join("target");
    drop(
        Store::create(
            &target,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            store_options(),
        )
        .expect("a store"),
    );
    let app = at_settings(&target, &keychain, "admin", PASSWORD);
    let w = app.window();
    let adapter = w.global::<BackupAdapter<'_>>();
    adapter.set_restore_path(out.display().to_string().into());
    adapter.set_restore_passphrase("まちがった合言葉 2026".into());
    adapter.invoke_restore();
    settle();
    let (said, failed) = status(w);
    assert!(
        failed && said.starts_with("パスフレーズが違います"),
        "{said}"
    );
    assert_eq!(adapter.get_restore_passphrase(), "");
    adapter.set_restore_passphrase(PASSPHRASE.into());
    adapter.invoke_restore();
    settle();
    let (said, failed) = status(w);
    assert!(!failed, "{said}");
    assert!(
        said.starts_with(&format!("{}件のケースを戻しました", demo_cases().len())),
        "{said}"
    );
    drop(app);
    let store = Store::unlock(&target, Arc::clone(&keychain), "admin", PASSWORD).expect("unlocks");
    assert_eq!(
        store.cases_needing_reentry().expect("marked").len(),
        demo_cases().len()
    );
}
