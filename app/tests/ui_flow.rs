//! The app window's first screens, driven through the accessibility tree the
//! way a user (or a screen reader) does: set-up with demo data, the recovery
//! code shown once, the case list with search and filters, locking, a wrong
//! password, the wait after repeated failures, and logging in again; and a
//! case opened from the keyboard alone.
//!
//! The flow is one test: its steps build on each other. Store work runs inline (`Background::Inline`): the
//! headless backend has no event loop to deliver results from a thread.

mod common;
use common::*;

use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{
    AppWindow, CaseListAdapter, LoginAdapter, Screen, SetupAdapter, Stages,
};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::model::SupportStage;
use tsunagi_core::store::{
    self, KdfParams, Keychain, MemoryKeychain, RecoveryCode, Store, StoreOptions,
};

fn tick(window: &AppWindow, label: &str) {
    let check = one(window, label, AccessibleRole::Checkbox);
    assert_eq!(
        check.accessible_checked(),
        Some(false),
        "{label:?} is already ticked"
    );
    check.invoke_accessible_default_action();
    settle();
    assert_eq!(
        one(window, label, AccessibleRole::Checkbox).accessible_checked(),
        Some(true)
    );
}

fn choose(window: &AppWindow, filter: &str, option: &str) {
    one(window, filter, AccessibleRole::Combobox).invoke_accessible_default_action();
    settle();
    one(window, option, AccessibleRole::ListItem).invoke_accessible_default_action();
    settle();
    assert_eq!(
        one(window, filter, AccessibleRole::Combobox)
            .accessible_value()
            .as_deref(),
        Some(option)
    );
}

/// The names the case list shows, top to bottom, read from the list's rows.
fn listed(window: &AppWindow) -> Vec<String> {
    let cases = window.global::<CaseListAdapter<'_>>().get_cases();
    let names: Vec<String> = cases.iter().map(|row| row.name.to_string()).collect();
    for name in names.iter().filter(|n| !n.is_empty()) {
        assert!(
            shows(window, name, AccessibleRole::ListItem),
            "row {name:?} is in the model but not on screen"
        );
    }
    names
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn set_up_log_in_search_and_lock_through_the_screens() {
    init_backend();
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let options = Options {
        keychain: Arc::clone(&keychain),
        keychain_warning: true,
        store_options: StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
        background: Background::Inline,
        utc_offset: time::macros::offset!(+9),
        camera: tsunagi_app::av::Source::Test,
    };
    let app = window::build(data.clone(), options).expect("the window builds");
    let w = app.window();
    w.show().expect("the window shows");

    // ── first run: set-up ───────────────────────────────────────────────
    assert_eq!(
        w.get_screen(),
        Screen::Setup,
        "no store yet: set-up comes first"
    );
    assert!(shows(
        w,
        "この端末ではシステムのキーチェーンが使えないため、端末鍵をファイルに保存します。このコンピューターのアカウントを他の人に使わせないでください。",
        AccessibleRole::Text
    ));
    type_into(w, "管理者のユーザー名", "admin");
    type_into(w, "パスワード", PASSWORD);
    type_into(w, "パスワード（確認のためもう一度）", "ちがう合言葉 2026");
    press(w, "設定する");
    assert!(shows(
        w,
        "2つのパスワードが一致しません。もう一度入力してください。",
        AccessibleRole::Text
    ));
    assert!(!store::exists(&data), "a mistyped form creates nothing");

    type_into(w, "パスワード（確認のためもう一度）", PASSWORD);
    tick(w, "デモデータを追加する");
    press(w, "設定する");
    assert!(store::exists(&data));

    // ── the recovery code, once ─────────────────────────────────────────
    assert!(shows(
        w,
        "この復旧コードは一度だけ表示されます。紙に書いて安全な場所に保管してください。",
        AccessibleRole::Text
    ));
    let code = one(w, "復旧コード", AccessibleRole::Text)
        .accessible_value()
        .expect("the code is readable")
        .to_string();
    assert_eq!(code.len(), 29, "five groups of five: {}", code.len());
    assert_eq!(code.matches('-').count(), 4);
    let leave = one(w, "ケース一覧へ進む", AccessibleRole::Button);
    assert_eq!(
        leave.accessible_enabled(),
        Some(false),
        "not before the code is written down"
    );
    tick(w, "復旧コードを紙に書き写しました");
    press(w, "ケース一覧へ進む");
    assert_eq!(w.get_screen(), Screen::CaseList);
    assert!(
        w.global::<SetupAdapter<'_>>()
            .get_recovery_code()
            .is_empty(),
        "the code is gone once confirmed"
    );
    assert!(w.global::<SetupAdapter<'_>>().get_password().is_empty());

    // ── the case list with the demo cases ───────────────────────────────
    let everyone = sorted(vec![
        "仮野 一郎".into(),
        "例田 さくら".into(),
        "架空 次郎".into(),
        "見本 花子".into(),
    ]);
    assert_eq!(sorted(listed(w)), everyone);
    let row = one(w, "見本 花子", AccessibleRole::ListItem);
    let described = row
        .accessible_description()
        .expect("rows describe themselves")
        .to_string();
    assert!(
        described.contains("みほん はなこ") && described.contains("交渉"),
        "{described}"
    );

    // Search as you type, over name and kana.
    type_into(w, "ケースを検索", "さくら");
    assert_eq!(listed(w), ["例田 さくら"]);
    assert!(!shows(w, "見本 花子", AccessibleRole::ListItem));
    type_into(w, "ケースを検索", "かりの");
    assert_eq!(listed(w), ["仮野 一郎"], "kana finds the kanji name");
    type_into(w, "ケースを検索", "見本");
    assert_eq!(listed(w), ["見本 花子"]);
    type_into(w, "ケースを検索", "該当なし");
    assert!(listed(w).is_empty());
    assert!(shows(
        w,
        "条件に合うケースはありません。",
        AccessibleRole::Text
    ));
    type_into(w, "ケースを検索", "");
    assert_eq!(sorted(listed(w)), everyone);

    // Filter by stage.
    choose(w, "支援段階", "交渉");
    assert_eq!(listed(w), ["見本 花子"]);
    choose(w, "支援段階", "定着支援");
    assert_eq!(listed(w), ["仮野 一郎"]);
    choose(w, "支援段階", "すべての段階");
    assert_eq!(listed(w).len(), 4);

    // A new case comes first, waiting for its name.
    press(w, "新規ケース");
    // The new case opens on the case screen (app/tests/ui_case.rs); back to the list.
    assert_eq!(w.get_screen(), Screen::Case);
    press(w, "一覧へ戻る");
    let names = listed(w);
    assert_eq!(names.len(), 5);
    assert_eq!(names[0], "", "the newest activity is listed first");
    assert!(shows(w, "（氏名未入力）", AccessibleRole::ListItem));

    // ── lock ────────────────────────────────────────────────────────────
    type_into(w, "ケースを検索", "見本");
    press(w, "ロック");
    assert_eq!(w.get_screen(), Screen::Login);
    let list = w.global::<CaseListAdapter<'_>>();
    assert_eq!(
        list.get_cases().row_count(),
        0,
        "no case value stays in the models"
    );
    assert!(list.get_search_text().is_empty() && list.get_account_name().is_empty());
    assert!(!shows(w, "見本 花子", AccessibleRole::ListItem));

    // ── a wrong password opens nothing ──────────────────────────────────
    type_into(w, "ユーザー名", "admin");
    type_into(w, "パスワード", "まちがった合言葉");
    press(w, "ログイン");
    assert_eq!(w.get_screen(), Screen::Login);
    assert!(shows(
        w,
        "ユーザー名またはパスワードが違います。",
        AccessibleRole::Text
    ));
    assert_eq!(list.get_cases().row_count(), 0);
    assert!(
        w.global::<LoginAdapter<'_>>().get_password().is_empty(),
        "a refused password is not kept on screen"
    );
    // The first mistake costs nothing; the second makes the user wait.
    assert_eq!(
        one(w, "ログイン", AccessibleRole::Button).accessible_enabled(),
        Some(true)
    );
    type_into(w, "パスワード", "またまちがい");
    press(w, "ログイン");
    assert_eq!(w.global::<LoginAdapter<'_>>().get_wait_seconds(), 1);
    assert!(shows(
        w,
        "あと1秒お待ちください。失敗が続くと待ち時間が長くなります。",
        AccessibleRole::Text
    ));
    assert_eq!(
        one(w, "ログイン", AccessibleRole::Button).accessible_enabled(),
        Some(false)
    );
    type_into(w, "パスワード", PASSWORD);
    one(w, "ログイン", AccessibleRole::Button).invoke_accessible_default_action();
    settle();
    assert_eq!(
        w.get_screen(),
        Screen::Login,
        "no attempt while waiting, even with the right password"
    );
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(1000));
    assert_eq!(w.global::<LoginAdapter<'_>>().get_wait_seconds(), 0);

    // ── the right password opens the list again ─────────────────────────
    type_into(w, "パスワード", PASSWORD);
    press(w, "ログイン");
    assert_eq!(w.get_screen(), Screen::CaseList);
    assert_eq!(listed(w).len(), 5);
    assert!(shows(
        w,
        "admin（管理者）でログイン中",
        AccessibleRole::Text
    ));

    // ── the code shown at set-up really opens the store ─────────────────
    press(w, "ロック");
    let code = RecoveryCode::parse(&code).expect("the shown code parses");
    let store = Store::recover(&data, keychain, &code, "admin", "あたらしい合言葉 2026")
        .expect("the shown code opens the store");
    drop(store);
    drop(app);
}

/// The stage labels on screen are core's labels, in core's order (the
/// screen's `Stages` is indexed by `SupportStage::ALL`).
#[test]
fn stage_labels_on_screen_match_core() {
    init_backend();
    let w = AppWindow::new().expect("window");
    let labels: Vec<String> = w
        .global::<Stages<'_>>()
        .get_labels()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let core: Vec<String> = SupportStage::ALL
        .iter()
        .map(|s| s.label_ja().to_owned())
        .collect();
    assert_eq!(labels, core);
    for stage in SupportStage::ALL {
        assert_eq!(
            w.global::<Stages<'_>>()
                .invoke_label(window::stage_index(stage))
                .as_str(),
            stage.label_ja()
        );
    }
}

/// A key pressed and released in the window.
fn key(window: &AppWindow, text: impl Into<slint::SharedString>) {
    let text = text.into();
    let w = window.window();
    w.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: text.clone() });
    w.dispatch_event(slint::platform::WindowEvent::KeyReleased { text });
    settle();
}

#[test]
fn a_case_opens_from_the_keyboard() {
    let (_temp, app) = logged_in_window(|store| {
        for case in tsunagi_core::model::demo_cases() {
            store.create_case(&case).expect("demo case");
        }
    });
    let w = app.window();
    let names = listed(w);
    let last = names.last().expect("the demo cases are listed").clone();

    // What is due sits after the list in the focus chain; this is about
    // the list's rows, so it is emptied first.
    let due = w.global::<tsunagi_app::window::ui::DueAdapter<'_>>();
    due.set_items(slint::ModelRc::default());
    due.set_first_items(slint::ModelRc::default());
    settle();
    // Backwards from the start, the focus comes to the list's last row;
    // Space opens it, as a tap does.
    key(w, slint::platform::Key::Backtab);
    key(w, " ");
    assert_eq!(w.get_screen(), Screen::Case, "the row did not open");
    assert_eq!(
        w.global::<tsunagi_app::window::ui::CaseAdapter<'_>>()
            .get_name()
            .as_str(),
        last
    );
}
