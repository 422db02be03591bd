//! The tablet's 事務所PCへの送信 screen against a real companion (`serve` as
//! a process, real QUIC on loopback), driven through the accessibility
//! tree: a wrong code is refused in words; the right one pairs and both
//! sides show the same verification code; sending delivers every case and
//! the companion lists them; with the companion gone, sending says so and
//! the sealed data stays on the tablet.
//!
//! Store work runs inline (`Background::Inline`): the headless backend has
//! no event loop.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::ComponentHandle;
use tsunagi_app::window::ui::{AppWindow, CaseListAdapter, Screen, SyncAdapter};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::model::demo_cases;
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};
use tsunagi_tests::{PASSWORD, Serve};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};

fn settle() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(16));
}

fn find(w: &AppWindow, label: &str, role: AccessibleRole) -> Vec<ElementHandle> {
    settle();
    ElementHandle::find_by_accessible_label(w, label)
        .filter(|e| e.accessible_role() == Some(role))
        .collect()
}

fn press(w: &AppWindow, label: &str) {
    let found = find(w, label, AccessibleRole::Button);
    assert_eq!(found.len(), 1, "one button {label:?}");
    assert_ne!(
        found[0].accessible_enabled(),
        Some(false),
        "{label:?} is disabled"
    );
    found[0].invoke_accessible_default_action();
    settle();
}

fn type_into(w: &AppWindow, label: &str, text: &str) {
    let found = find(w, label, AccessibleRole::TextInput);
    assert_eq!(found.len(), 1, "one field {label:?}");
    found[0].set_accessible_value(text);
    settle();
}

fn companion(data: &Path, keys: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_companion"));
    cmd.arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TSUNAGI_KEYSTORE", "file")
        .env("TSUNAGI_KEYSTORE_DIR", keys)
        .env("TSUNAGI_USER", "admin")
        .env("TSUNAGI_PASSWORD", PASSWORD);
    cmd
}

fn companion_ok(data: &Path, keys: &Path, args: &[&str]) -> String {
    let out = companion(data, keys, args).output().expect("runs");
    assert!(
        out.status.success(),
        "tsunagi-companion {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_sync_screen_pairs_sends_every_case_and_says_when_the_companion_is_gone() {
    i_slint_backend_testing::init_no_event_loop();
    let temp = tempfile::tempdir().expect("temp dir");
    let (tablet_dir, companion_dir, keys) = (
        temp.path().join("tablet"),
        temp.path().join("companion"),
        temp.path().join("keys"),
    );
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let mut ids = {
        let (mut store, _) =
            Store::create(&tablet_dir, Arc::clone(&keychain), "admin", PASSWORD, FAST)
                .expect("a tablet store");
        demo_cases()
            .iter()
            .map(|c| store.create_case(c).expect("a case").to_string())
            .collect::<Vec<_>>()
    };
    ids.sort();
    companion_ok(&companion_dir, &keys, &["init", "--user", "admin"]);
    let serve = Serve::start(companion(
        &companion_dir,
        &keys,
        &["serve", "--listen", "127.0.0.1:0"],
    ));

    let app = window::build(
        tablet_dir,
        Options {
            keychain_warning: false,
            store_options: FAST,
            background: Background::Inline,
            ..Options::new(keychain)
        },
    )
    .expect("the window builds");
    let w = app.window();
    w.window().set_size(slint::LogicalSize::new(1280.0, 2000.0));
    w.show().expect("the window shows");
    type_into(w, "ユーザー名", "admin");
    type_into(w, "パスワード", PASSWORD);
    press(w, "ログイン");
    assert_eq!(w.get_screen(), Screen::CaseList);

    press(w, "事務所PCへ送信");
    assert_eq!(w.get_screen(), Screen::Sync);
    let sync = w.global::<SyncAdapter<'_>>();
    assert!(!sync.get_paired());

    // A mistyped code is refused in words, before anything is sent.
    type_into(w, "ペアリングコード", "TSUNAGI1-ABCDEF");
    press(w, "ペアリング");
    assert!(
        sync.get_error()
            .contains("ペアリングコードが正しくありません"),
        "{}",
        sync.get_error()
    );

    let code = companion_ok(&companion_dir, &keys, &["pair", "--address", &serve.addr]);
    type_into(w, "ペアリングコード", code.trim());
    press(w, "ペアリング");
    assert_eq!(sync.get_error(), "", "pairing failed");
    assert!(sync.get_paired());
    let shown = sync.get_verification_code().to_string();
    let said = serve.wait_for("paired tablet");
    assert!(
        !shown.is_empty() && said.ends_with(&shown),
        "the tablet shows {shown:?}, the companion said {said:?}"
    );
    assert_eq!(
        usize::try_from(sync.get_waiting_cases()).expect("a count"),
        ids.len()
    );

    press(w, "送信する");
    assert_eq!(sync.get_error(), "", "sending failed");
    assert!(
        sync.get_result().contains("1 件の送信データ"),
        "{}",
        sync.get_result()
    );
    assert!(
        (sync.get_progress() - 1.0).abs() < f32::EPSILON,
        "the bar is full"
    );
    assert_eq!(sync.get_waiting_cases(), 0);
    assert_eq!(sync.get_waiting_bundles(), 0);
    serve.wait_for("imported bundle");
    let mut listed: Vec<String> = companion_ok(&companion_dir, &keys, &["case", "list"])
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, ids, "the companion lists the tablet's cases");

    // The companion goes away; a new case waits and sending says why not.
    drop(serve);
    press(w, "ケース一覧に戻る");
    w.global::<CaseListAdapter<'_>>().invoke_new_case();
    settle();
    w.global::<CaseListAdapter<'_>>().invoke_open_sync();
    settle();
    assert_eq!(sync.get_waiting_cases(), 1, "the new case waits");
    press(w, "送信する");
    assert!(
        sync.get_error().contains("接続できません"),
        "{}",
        sync.get_error()
    );
    assert_eq!(
        sync.get_waiting_bundles(),
        1,
        "the sealed data stays on the tablet"
    );
}
