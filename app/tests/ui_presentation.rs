//! Presentation mode through the accessibility tree: from a case, the
//! positive profile shows page by page; with the disclosure 非開示 no page
//! names the disease; leaving with a wrong password stays in the
//! presentation, the worker's password returns to the case.
//!
//! Store work runs inline (`Background::Inline`): the headless backend has
//! no event loop.

mod common;
use common::*;

use std::sync::Arc;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{AppWindow, CaseListAdapter, PresentationAdapter, Screen};
use tsunagi_app::window::{self, Background, Options};
use tsunagi_core::model::{Disclosure, demo_cases};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";

/// Every text the presentation shows, page by page, read from the screen.
fn read_every_page(w: &AppWindow) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let heading = one(w, "ページの見出し", AccessibleRole::Text)
            .accessible_value()
            .expect("a heading")
            .to_string();
        let adapter = w.global::<PresentationAdapter<'_>>();
        let page = adapter
            .get_pages()
            .row_data(usize::try_from(adapter.get_page()).expect("a page index"))
            .expect("the shown page");
        seen.push(heading);
        for line in page.lines.iter() {
            assert!(
                shows(w, line.as_str(), AccessibleRole::Text),
                "{line:?} is on the screen"
            );
            seen.push(line.to_string());
        }
        let next = one(w, "次のページ", AccessibleRole::Button);
        if next.accessible_enabled() == Some(false) {
            return seen;
        }
        next.invoke_accessible_default_action();
        settle();
    }
}

#[test]
fn the_presentation_hides_the_disease_when_not_disclosed_and_needs_the_password_to_leave() {
    init_backend();
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let mut case = demo_cases().remove(0);
    case.disclosure = Disclosure::NotDisclosed;
    let id = {
        let (mut store, _code) = Store::create(
            &data,
            Arc::clone(&keychain),
            "admin",
            PASSWORD,
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )
        .expect("a store");
        store.create_case(&case).expect("a case")
    };
    let app = window::build(
        data,
        Options {
            keychain_warning: false,
            store_options: StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
            background: Background::Inline,
            ..Options::new(Arc::clone(&keychain))
        },
    )
    .expect("the window builds");
    let w = app.window();
    w.window().set_size(slint::LogicalSize::new(1280.0, 4000.0));
    w.show().expect("the window shows");
    type_into(w, "ユーザー名", "admin");
    type_into(w, "パスワード", PASSWORD);
    press(w, "ログイン");
    w.global::<CaseListAdapter<'_>>()
        .invoke_open_case(id.to_string().into());
    settle();
    assert_eq!(w.get_screen(), Screen::Case);

    press(w, "プレゼンテーション");
    assert_eq!(w.get_screen(), Screen::Presentation);
    assert!(
        w.window().is_fullscreen(),
        "the presentation fills the screen"
    );
    let seen = read_every_page(w);
    assert_eq!(seen[0], "見本 花子", "the cover names the client");
    let strengths = &case.career_plan.discovery.strengths[0];
    assert!(seen.contains(strengths.text.expose()), "{seen:?}");
    let db = ReferenceDb::bundled().expect("the bundled reference");
    let all = seen.join("\n");
    for d in db.diseases() {
        assert!(!all.contains(&d.name.ja), "{} is shown", d.name.ja);
    }
    assert!(!all.contains("病名") && !all.contains("配慮"), "{all}");

    // Leaving: a wrong password keeps the presentation.
    press(w, "終了");
    type_into(w, "パスワード", "まちがい");
    press(w, "終了する");
    assert_eq!(w.get_screen(), Screen::Presentation);
    assert!(shows(w, "パスワードが違います。", AccessibleRole::Text));
    type_into(w, "パスワード", PASSWORD);
    press(w, "終了する");
    assert_eq!(w.get_screen(), Screen::Case, "back at the case");
    assert!(!w.window().is_fullscreen());
    assert_eq!(
        w.global::<PresentationAdapter<'_>>()
            .get_pages()
            .row_count(),
        0,
        "nothing of the presentation stays behind"
    );
}
