//! Presentation mode through the accessibility tree: the cover shows the
//! photo the client chose (and one can be chosen on the screen), each
//! strength stands beside the photo or clip that shows it, the keys turn
//! the pages, a photo the client has not approved and a disease that is not
//! disclosed never appear, and leaving needs the worker's password.
//!
//! Store work runs inline (`Background::Inline`): the headless backend has
//! no event loop.

mod common;
use common::*;

use std::sync::Arc;

use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use slint::platform::{Key, WindowEvent};
use slint::{ComponentHandle, Model, SharedString};
use tsunagi_app::window::ui::{AppWindow, CaseListAdapter, PresentationAdapter, Screen};
use tsunagi_app::window::{self, AppHandle, Background, Options};
use tsunagi_core::media::VideoInfo;
use tsunagi_core::media::fixtures::{gps_tagged_jpeg, minimal_mp4};
use tsunagi_core::model::{Case, CaseId, Disclosure, Section, demo_cases};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{
    KdfParams, Keychain, MediaDetails, MediaId, MemoryKeychain, Store, StoreOptions,
};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};

/// The captions of the seeded items.
const COVER: &str = "笑顔で受付に立つところ";
const CHECKING: &str = "請求書を照合しているところ";
const CLIP: &str = "電話応対の練習の動画";
const UNAPPROVED: &str = "本人がまだ承認していない写真";

struct Env {
    _temp: tempfile::TempDir,
    data: std::path::PathBuf,
    keychain: Arc<dyn Keychain>,
    case: Case,
    id: CaseId,
    cover: MediaId,
    checking: MediaId,
}

impl Env {
    /// 見本 花子 (the first demo case, with the media consent) with
    /// `disclosure`, and four items: a photo for the cover, a photo of her
    /// first strength, a clip of her second — all approved — and a photo
    /// of her third that she has not approved.
    fn new(disclosure: Disclosure) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let data = temp.path().join("data");
        let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
        let (mut store, _code) =
            Store::create(&data, Arc::clone(&keychain), "admin", PASSWORD, FAST).expect("a store");
        let mut case = demo_cases().remove(0);
        case.disclosure = disclosure;
        let id = store.create_case(&case).expect("a case");
        let strengths: Vec<String> = case
            .career_plan
            .discovery
            .strengths
            .iter()
            .map(|s| s.text.expose().clone())
            .collect();
        let details = |illustrates: &str, caption: &str| MediaDetails {
            caption: caption.into(),
            illustrates: illustrates.into(),
            taken_at: None,
        };
        let jpeg = gps_tagged_jpeg();
        let mut photo = |illustrates: &str, caption: &str, approved: bool| {
            let item = store
                .import_photo(id, &jpeg, &details(illustrates, caption))
                .expect("a photo");
            store
                .set_media_approval(id, item, approved)
                .expect("the approval is recorded");
            item
        };
        let cover = photo("", COVER, true);
        let checking = photo(&strengths[0], CHECKING, true);
        photo(&strengths[2], UNAPPROVED, false);
        let clip = store
            .add_video(
                id,
                &mut std::io::Cursor::new(minimal_mp4(2000, 4096)),
                &gps_tagged_jpeg(),
                &VideoInfo {
                    mime: "video/mp4".into(),
                    duration_ms: 2000,
                },
                &details(&strengths[1], CLIP),
            )
            .expect("a clip");
        store.set_media_approval(id, clip, true).expect("approved");
        Self {
            _temp: temp,
            data,
            keychain,
            case,
            id,
            cover,
            checking,
        }
    }

    fn store(&self) -> Store {
        Store::unlock(&self.data, Arc::clone(&self.keychain), "admin", PASSWORD).expect("unlocks")
    }

    /// Records the client's choice of `media` as the cover.
    fn choose_cover(&self, media: MediaId) {
        let mut store = self.store();
        let mut plan = store.load_case(self.id).expect("loads").career_plan;
        plan.discovery.cover_media = Some(media.to_string());
        store
            .save_section(self.id, &Section::CareerPlan(plan))
            .expect("saved");
    }

    /// The window at `width`×`height`, logged in, at the presentation.
    fn present(&self, width: f32, height: f32) -> AppHandle {
        init_backend();
        let app = window::build(
            self.data.clone(),
            Options {
                keychain_warning: false,
                store_options: FAST,
                background: Background::Inline,
                ..Options::new(Arc::clone(&self.keychain))
            },
        )
        .expect("the window builds");
        let w = app.window();
        w.window().set_size(slint::LogicalSize::new(width, height));
        w.show().expect("the window shows");
        log_in(w, "admin", PASSWORD);
        w.global::<CaseListAdapter<'_>>()
            .invoke_open_case(self.id.to_string().into());
        settle();
        assert_eq!(w.get_screen(), Screen::Case);
        press(w, "プレゼンテーション");
        assert_eq!(w.get_screen(), Screen::Presentation);
        app
    }

    fn strength(&self, i: usize) -> String {
        self.case.career_plan.discovery.strengths[i]
            .text
            .expose()
            .clone()
    }
}

fn key(w: &AppWindow, text: impl Into<SharedString>) {
    let text = text.into();
    w.window()
        .dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    w.window().dispatch_event(WindowEvent::KeyReleased { text });
    settle();
}

fn page(w: &AppWindow) -> i32 {
    w.global::<PresentationAdapter<'_>>().get_page()
}

fn heading(w: &AppWindow) -> String {
    one(w, "ページの見出し", AccessibleRole::Text)
        .accessible_value()
        .expect("a heading")
        .to_string()
}

/// The labels of the pictures on the screen (what a screen reader says of
/// each: its caption).
fn pictures(w: &AppWindow) -> Vec<String> {
    settle();
    ElementQuery::from_root(w)
        .match_accessible_role(AccessibleRole::Image)
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label())
        .map(|l| l.to_string())
        .collect()
}

/// The size of the picture the page shown hands the screen (decoded when
/// the page is shown).
fn photo_size(w: &AppWindow) -> (u32, u32) {
    let adapter = w.global::<PresentationAdapter<'_>>();
    let page = usize::try_from(adapter.get_page()).expect("a page");
    let size = adapter
        .get_pages()
        .row_data(page)
        .expect("the page shown")
        .photo
        .size();
    (size.width, size.height)
}

/// Every text and picture label on the screen, as a screen reader reads it.
fn everything(w: &AppWindow) -> Vec<String> {
    settle();
    let mut seen = Vec::new();
    for e in ElementQuery::from_root(w).find_all() {
        if matches!(
            e.accessible_role(),
            Some(AccessibleRole::Text | AccessibleRole::Image)
        ) {
            seen.extend(e.accessible_label().map(|l| l.to_string()));
            seen.extend(e.accessible_value().map(|v| v.to_string()));
        }
    }
    seen
}

/// Goes through every page with the next-page arrow, from the first,
/// gathering what each shows.
fn read_every_page(w: &AppWindow) -> Vec<String> {
    key(w, Key::Home);
    assert_eq!(page(w), 0);
    let mut seen = Vec::new();
    loop {
        seen.extend(everything(w));
        let next = one(w, "次のページ", AccessibleRole::Button);
        if next.accessible_enabled() == Some(false) {
            return seen;
        }
        next.invoke_accessible_default_action();
        settle();
    }
}

/// Turns pages with the right arrow until one shows `text`.
fn find_page_showing(w: &AppWindow, text: &str) {
    key(w, Key::Home);
    let count = w
        .global::<PresentationAdapter<'_>>()
        .get_pages()
        .row_count();
    for _ in 0..count {
        if everything(w).iter().any(|s| s == text) {
            return;
        }
        key(w, Key::RightArrow);
    }
    panic!("no page shows {text:?}");
}

#[test]
fn the_cover_shows_the_chosen_photo_and_a_strength_its_clip_and_keys_turn_the_pages() {
    let env = Env::new(Disclosure::Disclosed);
    env.choose_cover(env.cover);
    let app = env.present(1280.0, 800.0);
    let w = app.window();

    assert_eq!(heading(w), "見本 花子", "the cover names the client");
    assert_eq!(pictures(w), [COVER], "the cover shows the chosen photo");
    let (width, height) = photo_size(w);
    assert!(width > 0 && height > 0, "the cover's photo is decoded");

    // The first strength, beside its photo and the task proposed that uses it.
    key(w, Key::RightArrow);
    assert_eq!(page(w), 1);
    assert_eq!(heading(w), "強み");
    assert!(shows(w, &env.strength(0), AccessibleRole::Text));
    assert_eq!(pictures(w), [CHECKING]);
    assert!(shows(w, "請求書データの入力と照合", AccessibleRole::Text));

    // The second strength, beside its clip, ready to play.
    key(w, Key::PageDown);
    assert_eq!(page(w), 2);
    assert!(shows(w, &env.strength(1), AccessibleRole::Text));
    assert_eq!(pictures(w), [CLIP]);
    assert_ne!(photo_size(w), (0, 0), "the clip's poster is decoded");
    assert!(shows(w, "再生", AccessibleRole::Button));

    key(w, Key::PageUp);
    assert_eq!(page(w), 1);
    key(w, " ");
    assert_eq!(page(w), 2);
    key(w, Key::LeftArrow);
    key(w, Key::LeftArrow);
    assert_eq!(page(w), 0);
    key(w, Key::LeftArrow);
    assert_eq!(page(w), 0, "the cover is the first page");
    assert_eq!(
        one(w, "ページ", AccessibleRole::Text)
            .accessible_value()
            .as_deref(),
        Some(
            format!(
                "1 / {}",
                w.global::<PresentationAdapter<'_>>()
                    .get_pages()
                    .row_count()
            )
            .as_str()
        )
    );

    // The third strength has only an unapproved photo: it is listed, with
    // no picture.
    find_page_showing(w, &env.strength(2));
    assert!(pictures(w).is_empty(), "{:?}", pictures(w));

    // The proposal: the tasks and the conditions.
    find_page_showing(w, "提案する仕事");
    assert!(shows(w, "郵便物の仕分け", AccessibleRole::Text));
    find_page_showing(w, "提案する働き方");
    assert!(shows(w, "時給 1,100円", AccessibleRole::Text));

    // A swipe to the left turns to the next page, to the right back.
    let swipe = |dx: f32| {
        let heading = one(w, "ページの見出し", AccessibleRole::Text);
        let (at, size) = (heading.absolute_position(), heading.size());
        heading.mock_drag(
            slint::LogicalPosition::new(at.x + size.width / 2.0 + dx, at.y + size.height / 2.0),
            slint::platform::PointerEventButton::Left,
        );
        settle();
    };
    let before = page(w);
    swipe(-300.0);
    assert_eq!(page(w), before + 1, "swiped to the next page");
    swipe(300.0);
    assert_eq!(page(w), before, "swiped back");

    // Escape asks for the password; Escape again returns to the pages,
    // where the keys turn them again.
    key(w, Key::Escape);
    assert!(shows(w, "パスワード", AccessibleRole::TextInput));
    key(w, Key::Escape);
    assert!(!shows(w, "パスワード", AccessibleRole::TextInput));
    assert_eq!(w.get_screen(), Screen::Presentation);
    let before = page(w);
    key(w, Key::LeftArrow);
    assert_eq!(page(w), before - 1);
}

#[test]
fn the_cover_photo_is_chosen_on_the_screen_among_the_photos_shown() {
    let env = Env::new(Disclosure::Disclosed);
    let app = env.present(800.0, 1280.0);
    let w = app.window();
    assert!(pictures(w).is_empty(), "no cover photo chosen yet");
    assert!(!shows(w, "表紙の写真にする", AccessibleRole::Button));

    find_page_showing(w, &env.strength(1));
    assert!(
        !shows(w, "表紙の写真にする", AccessibleRole::Button),
        "a clip is no cover photo"
    );
    find_page_showing(w, &env.strength(0));
    assert_eq!(pictures(w), [CHECKING]);
    press(w, "表紙の写真にする");
    assert!(shows(w, "✓ 表紙の写真です", AccessibleRole::Text));
    key(w, Key::Home);
    assert_eq!(pictures(w), [CHECKING], "the cover shows it");

    let saved = env.store().load_case(env.id).expect("loads");
    assert_eq!(
        saved.career_plan.discovery.cover_media,
        Some(env.checking.to_string()),
        "the choice is kept in the case"
    );
}

#[test]
fn an_unapproved_photo_never_appears_even_chosen_as_the_cover() {
    let env = Env::new(Disclosure::Disclosed);
    let unapproved = env
        .store()
        .list_media(env.id)
        .expect("lists")
        .into_iter()
        .find(|m| m.caption.expose() == UNAPPROVED)
        .expect("the unapproved photo")
        .id;
    env.choose_cover(unapproved);
    let app = env.present(1280.0, 800.0);
    let w = app.window();
    assert!(pictures(w).is_empty(), "an unapproved cover is not shown");
    let seen = read_every_page(w);
    assert!(
        !seen.iter().any(|s| s.contains(UNAPPROVED)),
        "the unapproved photo appeared: {seen:?}"
    );
    let pages = w.global::<PresentationAdapter<'_>>().get_pages();
    let captions: Vec<String> = pages
        .iter()
        .filter(|p| p.has_photo)
        .map(|p| p.caption.to_string())
        .collect();
    assert_eq!(captions, [CHECKING, CLIP, COVER], "only the approved items");
}

#[test]
fn the_presentation_hides_the_disease_when_not_disclosed_and_needs_the_password_to_leave() {
    let env = Env::new(Disclosure::NotDisclosed);
    {
        // A narrative that names the disease stays out too.
        let mut store = env.store();
        let mut plan = store.load_case(env.id).expect("loads").career_plan;
        plan.discovery.narrative = tsunagi_core::pii::Identifying::new(
            "潰瘍性大腸炎と付き合いながら、几帳面に働く人。".to_owned(),
        );
        store
            .save_section(env.id, &Section::CareerPlan(plan))
            .expect("saved");
    }
    let app = env.present(1280.0, 800.0);
    let w = app.window();
    assert!(
        w.window().is_fullscreen(),
        "the presentation fills the screen"
    );
    let seen = read_every_page(w);
    assert!(seen.contains(&"見本 花子".to_owned()), "{seen:?}");
    for i in 0..3 {
        assert!(seen.contains(&env.strength(i)), "{seen:?}");
    }
    let db = ReferenceDb::bundled().expect("the bundled reference");
    let all = seen.join("\n");
    for d in db.diseases() {
        assert!(!all.contains(&d.name.ja), "{} is shown", d.name.ja);
    }
    assert!(!all.contains("病名") && !all.contains("配慮"), "{all}");
    assert!(!all.contains("几帳面に働く"), "the narrative names it");

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
