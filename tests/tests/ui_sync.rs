//! The tablet's 事務所PCへの送信 screen against a real companion (`serve` as
//! a process, real QUIC on loopback), driven through the accessibility
//! tree: a wrong code is refused in words; the right one pairs and both
//! sides show the same verification code; sending delivers every case and
//! the companion lists them; with the companion gone, sending says so and
//! the sealed data stays on the tablet.
//!
//! Store work runs inline (`Background::Inline`): the headless backend has
//! no event loop.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::ComponentHandle;
use tsunagi_app::av::Source;
use tsunagi_app::window::ui::{AppWindow, CaseListAdapter, Screen, SyncAdapter, SyncState};
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

/// A tablet store with the demo cases, a companion store serving on
/// loopback, and the tablet's window, its camera `camera`, logged in and on
/// the 事務所PCへの送信 screen.
struct Setup {
    _temp: tempfile::TempDir,
    companion_dir: PathBuf,
    keys: PathBuf,
    ids: Vec<String>,
    serve: Serve,
    app: window::AppHandle,
}

impl Setup {
    fn new(camera: Source) -> Self {
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
                camera,
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
        Self {
            _temp: temp,
            companion_dir,
            keys,
            ids,
            serve,
            app,
        }
    }

    /// A fresh pairing code from the companion.
    fn pairing_code(&self) -> String {
        companion_ok(
            &self.companion_dir,
            &self.keys,
            &["pair", "--address", &self.serve.addr],
        )
        .trim()
        .to_owned()
    }

    /// Checks that pairing succeeded and both sides show the same code,
    /// and confirms it as the office would; the tablet's fingerprint.
    fn assert_paired(&self) -> String {
        let sync = self.app.window().global::<SyncAdapter<'_>>();
        assert_eq!(sync.get_error(), "", "pairing failed");
        assert!(sync.get_paired());
        let shown = sync.get_verification_code().to_string();
        let said = self.serve.wait_for("paired tablet");
        assert!(
            !shown.is_empty() && said.ends_with(&shown),
            "the tablet shows {shown:?}, the companion said {said:?}"
        );
        // The office sees the same code on the tablet and confirms it.
        let confirmed = companion_ok(&self.companion_dir, &self.keys, &["confirm", &shown]);
        confirmed
            .trim()
            .strip_prefix("confirmed tablet ")
            .expect("the confirmed tablet")
            .to_owned()
    }
}

#[test]
fn the_sync_screen_pairs_sends_every_case_and_says_when_the_companion_is_gone() {
    let setup = Setup::new(Source::Test);
    let (w, ids, companion_dir, keys) = (
        setup.app.window(),
        &setup.ids,
        &setup.companion_dir,
        &setup.keys,
    );
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

    type_into(w, "ペアリングコード", &setup.pairing_code());
    press(w, "ペアリング");
    setup.assert_paired();
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
    setup.serve.wait_for("imported bundle");
    let mut listed: Vec<String> = companion_ok(companion_dir, keys, &["case", "list"])
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect();
    listed.sort();
    assert_eq!(&listed, ids, "the companion lists the tablet's cases");

    // The companion goes away; a new case waits and sending says why not.
    drop(setup.serve);
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

/// A tablet run as a process (`tsunagi`) on the folder `data`.
fn old_tablet(data: &Path, keys: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tablet"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TSUNAGI_KEYSTORE", "file")
        .env("TSUNAGI_KEYSTORE_DIR", keys)
        .env("TSUNAGI_USER", "admin")
        .env("TSUNAGI_PASSWORD", PASSWORD)
        .output()
        .expect("runs the tablet")
}

#[test]
fn the_sync_screen_receives_the_cases_the_office_handed_over_from_a_revoked_tablet() {
    let setup = Setup::new(Source::Test);
    let (w, companion_dir, keys) = (setup.app.window(), &setup.companion_dir, &setup.keys);
    let sync = w.global::<SyncAdapter<'_>>();
    type_into(w, "ペアリングコード", &setup.pairing_code());
    press(w, "ペアリング");
    let this_tablet = setup.assert_paired();

    // The old tablet's cases are docked, then it is revoked and its cases
    // are handed to this one.
    let old = companion_dir.with_file_name("old-tablet");
    let ok = |out: std::process::Output| {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    ok(old_tablet(&old, keys, &["init", "--user", "admin"]));
    ok(old_tablet(&old, keys, &["demo"]));
    let paired = ok(old_tablet(&old, keys, &["pair", &setup.pairing_code()]));
    let verification = paired.trim().rsplit(": ").next().expect("a code");
    let confirmed = companion_ok(companion_dir, keys, &["confirm", verification]);
    let old_tablet_fp = confirmed
        .trim()
        .strip_prefix("confirmed tablet ")
        .expect("confirmed");
    ok(old_tablet(&old, keys, &["sync"]));
    companion_ok(
        companion_dir,
        keys,
        &["revoke", old_tablet_fp, "--hand-over-to", &this_tablet],
    );

    press(w, "事務所PCから受け取る");
    assert_eq!(sync.get_error(), "", "receiving failed");
    let expected = format!(
        "{} 件のケースを事務所PCから受け取りました",
        demo_cases().len()
    );
    assert!(
        sync.get_result().contains(&expected),
        "{}",
        sync.get_result()
    );
    // Nothing more the second time, said in words.
    press(w, "事務所PCから受け取る");
    assert!(
        sync.get_result()
            .contains("受け取るケースはありませんでした"),
        "{}",
        sync.get_result()
    );

    // The revoked tablet is refused in words.
    let refused = old_tablet(&old, keys, &["sync"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("使用停止"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn the_companions_qr_code_read_through_the_camera_pairs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let picture = dir.path().join("screen.png");
    // The tablet's camera sees the companion's screen: the picture is made
    // after the code exists, and the path is given before. The scan reads
    // the file only when it starts.
    let setup = Setup::new(Source::Picture(picture.clone()));
    let w = setup.app.window();
    let code = setup.pairing_code();
    screen_with_qr(&code, &picture);

    press(w, "QRコードを読み取る");
    let sync = w.global::<SyncAdapter<'_>>();
    setup.assert_paired();
    assert_eq!(sync.get_state(), SyncState::Idle);

    // A second scan is not offered once paired.
    assert!(find(w, "QRコードを読み取る", AccessibleRole::Button).is_empty());
}

/// A 800×600 picture of a screen showing `code` as the companion's window
/// draws it (its own QR modules), a little off-centre.
fn screen_with_qr(code: &str, path: &Path) {
    let (dark, side) = tsunagi_companion::window::qr::modules(code).expect("fits");
    let (scale, quiet, left, top) = (4i64, 4i64, 220i64, 60i64);
    let image = image::GrayImage::from_fn(800, 600, |x, y| {
        let mx = (i64::from(x) - left) / scale - quiet;
        let my = (i64::from(y) - top) / scale - quiet;
        let inside = |m: i64| (0..side as i64).contains(&m);
        let span = (side as i64 + 2 * quiet) * scale;
        if !(left..left + span).contains(&i64::from(x))
            || !(top..top + span).contains(&i64::from(y))
        {
            return image::Luma([90]);
        }
        let on = inside(mx) && inside(my) && dark[my as usize * side + mx as usize];
        image::Luma([if on { 25 } else { 230 }])
    });
    image.save(path).expect("writes the picture");
}
