//! 写真・動画 through the accessibility tree, with GStreamer's test pattern
//! and tone as the camera and microphone: a photo from the live picture, a
//! recorded clip that decodes with frames and sound, the client's approval
//! deciding what the presentation shows, deletion with confirmation, and a
//! lock in the middle of a recording that keeps the clip.
//!
//! Store work runs inline (`Background::Inline`): the headless backend has
//! no event loop, so camera frames reach the controller but not the screen.

mod common;
use common::*;

use std::sync::Arc;
use std::time::{Duration, Instant};

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_app::av::{self, Source};
use tsunagi_app::window::ui::{
    AppWindow, CameraState, CaseListAdapter, MediaAdapter, PresentationAdapter, Screen,
};
use tsunagi_app::window::{self, AppHandle, Background, Options};
use tsunagi_core::media::MediaKind;
use tsunagi_core::model::{CaseId, ConsentRecord, ConsentScope, demo_cases};
use tsunagi_core::store::{KdfParams, Keychain, MemoryKeychain, Store, StoreOptions};

const PASSWORD: &str = "ながい合言葉 2026";
const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};

struct Env {
    _temp: tempfile::TempDir,
    data: std::path::PathBuf,
    keychain: Arc<dyn Keychain>,
    case: CaseId,
}

impl Env {
    /// The first demo case, with the client's consent to the use of photos
    /// and video (写真・動画の利用) in force.
    fn new() -> Self {
        Self::with_media_consent(true)
    }

    /// The first demo case, with or without the media consent.
    fn with_media_consent(consent: bool) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let data = temp.path().join("data");
        let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
        let (mut store, _code) =
            Store::create(&data, Arc::clone(&keychain), "admin", PASSWORD, FAST).expect("a store");
        let mut case = demo_cases().remove(0);
        case.consents.retain(|c| c.scope != ConsentScope::Media);
        if consent {
            case.consents.push(ConsentRecord {
                scope: ConsentScope::Media,
                given_on: Some(time::macros::date!(2025 - 01 - 01)),
                ..ConsentRecord::new()
            });
        }
        let case = store.create_case(&case).expect("a case");
        Self {
            _temp: temp,
            data,
            keychain,
            case,
        }
    }

    fn app(&self) -> AppHandle {
        let app = window::build(
            self.data.clone(),
            Options {
                store_options: FAST,
                background: Background::Inline,
                camera: Source::Test,
                ..Options::new(Arc::clone(&self.keychain))
            },
        )
        .expect("the window builds");
        let w = app.window();
        w.window().set_size(slint::LogicalSize::new(1280.0, 4000.0));
        w.show().expect("the window shows");
        app
    }

    fn store(&self) -> Store {
        Store::unlock(&self.data, Arc::clone(&self.keychain), "admin", PASSWORD).expect("unlocks")
    }

    fn log_in_to_media(&self, w: &AppWindow) {
        type_into(w, "ユーザー名", "admin");
        type_into(w, "パスワード", PASSWORD);
        press(w, "ログイン");
        w.global::<CaseListAdapter<'_>>()
            .invoke_open_case(self.case.to_string().into());
        settle();
        assert_eq!(w.get_screen(), Screen::Case);
        press(w, "写真・動画");
        assert_eq!(w.get_screen(), Screen::Media);
    }
}

fn items(w: &AppWindow) -> usize {
    w.global::<MediaAdapter<'_>>().get_items().row_count()
}

/// Presses 「写真を撮る」 until the camera's first frame has come (frames
/// come on GStreamer's thread) and a photo is listed.
fn take_photo(w: &AppWindow) {
    let before = items(w);
    let deadline = Instant::now() + Duration::from_secs(20);
    while items(w) == before {
        assert!(Instant::now() < deadline, "no photo was taken");
        std::thread::sleep(Duration::from_millis(100));
        press(w, "写真を撮る");
    }
}

fn camera(w: &AppWindow) -> CameraState {
    w.global::<MediaAdapter<'_>>().get_camera()
}

#[test]
fn a_photo_and_a_clip_from_the_camera_are_kept_and_only_approved_ones_are_presented() {
    init_backend();
    let env = Env::new();
    let app = env.app();
    let w = app.window();
    env.log_in_to_media(w);
    let count = || {
        one(w, "写真・動画の件数", AccessibleRole::Text)
            .accessible_value()
            .map(|v| v.to_string())
    };
    assert_eq!(count().as_deref(), Some("写真・動画はまだありません。"));

    press(w, "カメラを起動");
    assert_eq!(camera(w), CameraState::On);
    take_photo(w);
    assert!(shows(w, "写真を保存しました。", AccessibleRole::Text));

    press(w, "録画を開始");
    assert_eq!(camera(w), CameraState::Recording);
    std::thread::sleep(Duration::from_secs(2));
    press(w, "録画を停止");
    assert_eq!(items(w), 2);
    assert!(shows(w, "動画を保存しました。", AccessibleRole::Text));
    assert_eq!(camera(w), CameraState::On, "the live picture is back");

    // The clip in the store is a real recording: it decodes, with frames,
    // picture and sound.
    {
        let mut store = env.store();
        let list = store.list_media(env.case).expect("lists");
        let clip = list
            .iter()
            .find(|i| i.kind == MediaKind::Video)
            .expect("a clip");
        let stream = store.open_media(env.case, clip.id).expect("opens");
        let info = av::probe(stream).expect("the clip decodes");
        assert!(info.frames > 10, "{info:?}");
        assert!(info.has_audio, "{info:?}");
        assert_eq!(info.h264_profile.as_deref(), Some("main"));
        let stored = Duration::from_millis(clip.duration_ms.expect("a length"));
        assert!(
            stored.abs_diff(info.duration) < Duration::from_millis(300),
            "{stored:?} vs {info:?}"
        );
    }

    // Captions, then the client approves the photo only.
    let captions = all(w, "説明（キャプション）", AccessibleRole::TextInput);
    assert_eq!(captions.len(), 2);
    captions[0].set_accessible_value("棚の組み立て");
    captions[1].set_accessible_value("受付の練習");
    press(w, "カメラを閉じる");
    assert_eq!(camera(w), CameraState::Off);
    press(w, "ケースに戻る");
    assert_eq!(w.get_screen(), Screen::Case);
    press(w, "写真・動画");
    assert!(
        shows(w, "本人が承認：棚の組み立て", AccessibleRole::Button),
        "the captions were saved"
    );
    press(w, "本人が承認：棚の組み立て");
    assert!(shows(
        w,
        "承認を取り消す：棚の組み立て",
        AccessibleRole::Button
    ));
    assert!(shows(w, "本人が承認：受付の練習", AccessibleRole::Button));

    press(w, "ケースに戻る");
    press(w, "プレゼンテーション");
    assert_eq!(w.get_screen(), Screen::Presentation);
    let pages = w.global::<PresentationAdapter<'_>>().get_pages();
    let pictured: Vec<String> = pages
        .iter()
        .filter(|p| p.has_photo)
        .map(|p| p.caption.to_string())
        .collect();
    assert_eq!(pictured, ["棚の組み立て"], "only the approved photo");

    // Withdrawn, it leaves the presentation.
    press(w, "終了");
    type_into(w, "パスワード", PASSWORD);
    press(w, "終了する");
    press(w, "写真・動画");
    press(w, "承認を取り消す：棚の組み立て");
    press(w, "ケースに戻る");
    press(w, "プレゼンテーション");
    let pages = w.global::<PresentationAdapter<'_>>().get_pages();
    assert!(
        pages.iter().all(|p| !p.has_photo),
        "no picture once withdrawn"
    );
    press(w, "終了");
    type_into(w, "パスワード", PASSWORD);
    press(w, "終了する");

    // An approved clip whose file has gone cannot play, and its page says
    // so instead of showing anything of it.
    press(w, "写真・動画");
    press(w, "本人が承認：受付の練習");
    press(w, "ケースに戻る");
    press(w, "プレゼンテーション");
    let presentation = w.global::<PresentationAdapter<'_>>();
    let clip_page = presentation
        .get_pages()
        .iter()
        .position(|p| p.video)
        .expect("the approved clip has a page");
    let media = env.data.join("media");
    let aside = env.data.join("media-aside");
    std::fs::rename(&media, &aside).expect("moves the files away");
    presentation.set_page(i32::try_from(clip_page).expect("a page number"));
    settle();
    press(w, "再生");
    assert!(!presentation.get_playing());
    assert!(shows(
        w,
        "この動画は破損しているか見つからないため、再生できません。",
        AccessibleRole::Text
    ));
    std::fs::rename(&aside, &media).expect("puts the files back");
    press(w, "終了");
    type_into(w, "パスワード", PASSWORD);
    press(w, "終了する");

    // Deleting asks first; then the file and its key are gone.
    press(w, "写真・動画");
    let files = || {
        std::fs::read_dir(env.data.join("media"))
            .expect("media dir")
            .count()
    };
    assert_eq!(files(), 2);
    press(w, "削除：受付の練習");
    press(w, "やめる");
    assert_eq!(items(w), 2);
    press(w, "削除：受付の練習");
    press(w, "削除する：受付の練習");
    assert_eq!(items(w), 1);
    assert_eq!(files(), 1);
    assert!(shows(w, "削除しました。", AccessibleRole::Text));
}

#[test]
fn locking_during_a_recording_keeps_the_clip_and_shows_nothing_of_it() {
    init_backend();
    let env = Env::new();
    let app = env.app();
    let w = app.window();
    env.log_in_to_media(w);
    press(w, "カメラを起動");
    press(w, "録画を開始");
    assert_eq!(camera(w), CameraState::Recording);
    std::thread::sleep(Duration::from_secs(2));
    assert!(app.lock_if_idle(Instant::now() + Duration::from_secs(24 * 3600)));
    settle();
    assert_eq!(w.get_screen(), Screen::Login);
    let adapter = w.global::<MediaAdapter<'_>>();
    assert_eq!(adapter.get_items().row_count(), 0);
    assert_eq!(adapter.get_camera(), CameraState::Off);
    assert_eq!(adapter.get_client_name(), "");

    let mut store = env.store();
    let list = store.list_media(env.case).expect("lists");
    assert_eq!(list.len(), 1, "the clip was kept");
    assert_eq!(list[0].kind, MediaKind::Video);
    let info = av::probe(store.open_media(env.case, list[0].id).expect("opens")).expect("decodes");
    assert!(info.frames > 10, "{info:?}");
}

#[test]
fn a_read_only_account_sees_the_items_but_no_camera() {
    init_backend();
    let env = Env::new();
    {
        let mut store = env.store();
        store
            .import_photo(
                env.case,
                &tsunagi_core::media::fixtures::gps_tagged_jpeg(),
                &Default::default(),
            )
            .expect("imports");
        store
            .add_account("reader", tsunagi_core::store::Role::ReadOnly, PASSWORD)
            .expect("adds a reader");
        store.assign(env.case, "reader").expect("assigns");
    }
    let app = env.app();
    let w = app.window();
    type_into(w, "ユーザー名", "reader");
    type_into(w, "パスワード", PASSWORD);
    press(w, "ログイン");
    w.global::<CaseListAdapter<'_>>()
        .invoke_open_case(env.case.to_string().into());
    settle();
    press(w, "写真・動画");
    assert_eq!(items(w), 1);
    assert!(!shows(w, "カメラを起動", AccessibleRole::Button));
    let approve = all(w, "本人が承認：", AccessibleRole::Button);
    assert_eq!(approve.len(), 1);
    assert_eq!(approve[0].accessible_enabled(), Some(false));
}

#[test]
fn without_the_media_consent_approved_photos_stay_out_of_the_presentation_and_the_screen_says_why()
{
    init_backend();
    let env = Env::with_media_consent(false);
    {
        let mut store = env.store();
        let photo = store
            .import_photo(
                env.case,
                &tsunagi_core::media::fixtures::gps_tagged_jpeg(),
                &tsunagi_core::store::MediaDetails {
                    caption: tsunagi_core::pii::Identifying::new("棚の組み立て".to_owned()),
                    ..Default::default()
                },
            )
            .expect("a photo");
        store
            .set_media_approval(env.case, photo, true)
            .expect("approved");
    }
    let app = env.app();
    let w = app.window();
    env.log_in_to_media(w);
    let note = one(w, "写真・動画の利用への同意", AccessibleRole::Text)
        .accessible_value()
        .map(|v| v.to_string())
        .unwrap_or_default();
    assert!(note.contains("への同意がありません"), "{note}");
    assert!(note.contains("提示と印刷には使われません"), "{note}");

    press(w, "ケースに戻る");
    press(w, "プレゼンテーション");
    assert_eq!(w.get_screen(), Screen::Presentation);
    let pages = w.global::<PresentationAdapter<'_>>().get_pages();
    assert!(pages.row_count() > 0, "the profile itself is shown");
    assert!(
        pages.iter().all(|p| !p.has_photo),
        "an approved photo was shown without the media consent"
    );
}
