//! The research panel's 「掲示板を開く」 through the accessibility tree, with
//! a browser that records what it is asked to open: with no centre
//! configured the button is disabled and the panel says how to configure
//! one; with a centre it opens the centre's address with the path /board
//! and says so; a computer with no browser and a centre address that is not
//! https:// are told in words; locking disables the button again.
//!
//! Slow work runs inline (`Background::Inline`): the headless backend has
//! no event loop.

mod common;

use std::sync::Arc;

use common::ui::{button, find, press, type_into};
use common::{PW, RecordingLauncher, demo_store};
use i_slint_backend_testing::AccessibleRole;
use slint::ComponentHandle;
use tsunagi_companion::print::CupsServer;
use tsunagi_companion::window::ui::{DeskScreen, DeskWindow, ResearchAdapter};
use tsunagi_companion::window::{self, Background, Options};
use tsunagi_core::link::TlsIdentity;
use tsunagi_core::seal::DeviceKeys;
use tsunagi_core::store::FileKeychain;
use tsunagi_core::store::research::CentreConfig;

const OPEN: &str = "掲示板を開く";
const HINT: &str = "先に研究センターを設定してください（tsunagi-companion research configure）。送付と掲示板に必要です。";

/// The window logged in on a fresh store with the demo cases and the
/// centre at `centre` (none if `None`), at 研究データ, opening with the
/// returned launcher.
fn research_panel(centre: Option<&str>) -> (tempfile::TempDir, DeskWindow, Arc<RecordingLauncher>) {
    let (dir, mut store, _ids) = demo_store();
    if let Some(url) = centre {
        store
            .set_research_centre(&CentreConfig {
                agency: "架空市難病相談支援センター".to_owned(),
                url: url.to_owned(),
                recipient: DeviceKeys::generate().recipient(),
                fingerprint: TlsIdentity::generate("centre").fingerprint(),
            })
            .expect("sets the centre");
    }
    drop(store);
    let launcher = Arc::new(RecordingLauncher::default());
    let w = window::build(Options {
        dir: dir.path().join("data"),
        keychain: Arc::new(FileKeychain::new(dir.path().join("keys"))),
        background: Background::Inline,
        listen: None,
        cups: CupsServer::default(),
        utc_offset: time::UtcOffset::UTC,
        launcher: Arc::clone(&launcher) as Arc<dyn tsunagi_companion::board::Launcher>,
    })
    .expect("the window builds");
    w.window().set_size(slint::LogicalSize::new(1280.0, 1600.0));
    w.show().expect("the window shows");
    type_into(&w, "ユーザー名", "admin");
    type_into(&w, "パスワード", PW);
    press(&w, "ログイン");
    assert_eq!(w.get_screen(), DeskScreen::Cases);
    let tabs = find(&w, "研究データ", AccessibleRole::Tab);
    assert_eq!(tabs.len(), 1, "one tab 研究データ");
    tabs[0].invoke_accessible_default_action();
    common::ui::settle();
    assert_eq!(w.get_screen(), DeskScreen::Research);
    (dir, w, launcher)
}

fn hint_shown(w: &DeskWindow) -> bool {
    !find(w, HINT, AccessibleRole::Text).is_empty()
}

#[test]
fn with_no_centre_configured_the_board_button_is_disabled_and_the_panel_says_how_to_configure_one()
{
    i_slint_backend_testing::init_no_event_loop();
    let (_dir, w, launcher) = research_panel(None);
    let open = button(&w, OPEN);
    assert_eq!(open.accessible_enabled(), Some(false), "{OPEN} is enabled");
    assert!(hint_shown(&w), "no hint to configure the centre");

    // A press on the disabled button (a screen reader's action) opens
    // nothing.
    open.invoke_accessible_default_action();
    common::ui::settle();
    assert_eq!(launcher.opened(), Vec::<String>::new());
}

#[test]
fn the_board_button_opens_the_centre_address_at_board_in_the_browser() {
    i_slint_backend_testing::init_no_event_loop();
    let (_dir, w, launcher) = research_panel(Some("https://centre.example:8443/"));
    let research = w.global::<ResearchAdapter<'_>>();
    assert!(!hint_shown(&w), "the hint shows with a centre configured");

    press(&w, OPEN);
    assert_eq!(
        launcher.opened(),
        ["https://centre.example:8443/board"],
        "the browser was not asked for the board"
    );
    let status = research.get_status();
    assert!(
        status.contains("掲示板をブラウザで開きました")
            && status.contains("https://centre.example:8443/board"),
        "{status} / {}",
        research.get_error()
    );
    assert_eq!(research.get_error(), "");

    // No browser on this computer: said in Japanese and English, with the
    // address to open by hand.
    launcher.set_no_browser(true);
    press(&w, OPEN);
    let error = research.get_error();
    assert!(
        error.contains("ブラウザを開けませんでした")
            && error.contains("no browser could be opened")
            && error.contains("https://centre.example:8443/board"),
        "{error}"
    );
    assert_eq!(research.get_status(), "", "a stale success stayed shown");

    // Locking forgets the centre with the rest of the panel.
    press(&w, "ロック");
    assert_eq!(w.get_screen(), DeskScreen::Login);
    assert!(!research.get_board_available());
}

#[test]
fn a_centre_address_that_is_not_https_is_refused_in_words_and_not_opened() {
    i_slint_backend_testing::init_no_event_loop();
    let (_dir, w, launcher) = research_panel(Some("http://centre.example:8080"));
    press(&w, OPEN);
    assert_eq!(
        launcher.opened(),
        Vec::<String>::new(),
        "an http address was opened"
    );
    let error = w.global::<ResearchAdapter<'_>>().get_error();
    assert!(
        error.contains("https://") && error.contains("掲示板を開きません"),
        "{error}"
    );
}
