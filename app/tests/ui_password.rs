//! Changing one's own password on the settings screen, as a support
//! worker: a wrong current password or a mismatched new one changes
//! nothing, in words; the change takes, the old password no longer opens
//! the store and the new one does, and the fields are emptied.

mod common;
use common::*;

use std::sync::Arc;

use slint::ComponentHandle;
use tsunagi_app::window::ui::{CaseListAdapter, PasswordAdapter, Screen};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::store::{
    KdfParams, Keychain, MemoryKeychain, Role, Store, StoreError, StoreOptions,
};

const WORKER_PASSWORD: &str = "支援員の合言葉 2026";
const NEW_PASSWORD: &str = "新しい合言葉 2027";

fn store_options() -> StoreOptions {
    StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    }
}

#[test]
fn a_support_worker_changes_their_own_password_and_only_the_new_one_opens_the_store() {
    init_backend();
    let temp = tempfile::tempdir().expect("a folder");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let data = temp.path().join("data");
    {
        let (mut store, _) = Store::create(
            &data,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            store_options(),
        )
        .expect("a store");
        store
            .add_account("sato", Role::SupportWorker, WORKER_PASSWORD)
            .expect("a worker");
    }
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
    w.window().set_size(slint::LogicalSize::new(1280.0, 4000.0));
    type_into(w, "ユーザー名", "sato");
    type_into(w, "パスワード", WORKER_PASSWORD);
    press(w, "ログイン");
    assert_eq!(w.get_screen(), Screen::CaseList);
    w.global::<CaseListAdapter<'_>>().invoke_open_settings();
    settle();
    assert_eq!(w.get_screen(), Screen::Settings);
    let adapter = w.global::<PasswordAdapter<'_>>();

    // A wrong current password: refused in words.
    type_into(w, "今のパスワード", "まちがいの合言葉");
    type_into(w, "新しいパスワード", NEW_PASSWORD);
    type_into(w, "新しいパスワード（確認）", NEW_PASSWORD);
    press(w, "パスワードを変更");
    assert!(adapter.get_failed());
    assert!(
        adapter.get_status().contains("今のパスワードが違います"),
        "{}",
        adapter.get_status()
    );

    // The new one typed twice differently: refused before anything runs.
    type_into(w, "今のパスワード", WORKER_PASSWORD);
    type_into(w, "新しいパスワード（確認）", "別の合言葉 2027");
    press(w, "パスワードを変更");
    assert!(
        adapter.get_status().contains("一致しません"),
        "{}",
        adapter.get_status()
    );

    type_into(w, "新しいパスワード（確認）", NEW_PASSWORD);
    press(w, "パスワードを変更");
    assert!(!adapter.get_failed(), "{}", adapter.get_status());
    assert!(adapter.get_status().contains("変更しました"));
    assert_eq!(adapter.get_current(), "");
    assert_eq!(adapter.get_new(), "");
    assert_eq!(adapter.get_new_again(), "");
    drop(app);

    assert!(matches!(
        Store::unlock(&data, Arc::clone(&keychain), "sato", WORKER_PASSWORD),
        Err(StoreError::WrongPassword)
    ));
    let store = Store::unlock(&data, Arc::clone(&keychain), "sato", NEW_PASSWORD)
        .expect("the new password opens the store");
    assert_eq!(store.account().role, Role::SupportWorker);
}
