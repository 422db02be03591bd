//! The client's own record (本人携帯記録) through the accessibility tree.
//! At the first agency, from the case's 同意・開示 tab: nothing ticked
//! writes nothing and says why, a photo the client has not approved is not
//! offered, two sections, one disease and one approved photo are written,
//! the passphrase is shown, the file holds exactly those, and the case's
//! consents record it. At a second agency, from the case list: a wrong
//! passphrase is refused in words and creates nothing; the right one shows
//! what the file holds before anything is created, then makes one new case.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use i_slint_backend_testing::AccessibleRole;
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{AppWindow, CarryAdapter, CaseListAdapter, Screen};
use tsunagi_app::window::{self, AppHandle, Background, Options};
use tsunagi_core::carry::open_carry_file;
use tsunagi_core::model::{CaseId, ConsentScope, Disease, SectionName, demo_cases};
use tsunagi_core::store::{
    CaseQuery, KdfParams, Keychain, MediaDetails, MemoryKeychain, Store, StoreOptions,
};

const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};
const APPROVED: &str = "職場体験で部品の検品をしているところ";
const NOT_APPROVED: &str = "まだ本人の承認を得ていない写真";
/// A second disease the client does not take.
const LEFT_DISEASE: &str = "持ち出さない疾患";
const CAREER_PLAN: &str = "キャリア計画（ディスカバリー・プロフィール）";
const JOB_MATCH: &str = "ジョブマッチ";

/// A small JPEG, as a camera would give.
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(160, 120, |x, y| {
        image::Rgb([(x * 3) as u8, (y * 2) as u8, 128])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("encodes");
    out
}

fn new_store(data: &Path, keychain: &Arc<dyn Keychain>) -> Store {
    Store::create(data, Arc::clone(keychain), "admin", PASSWORD, FAST)
        .expect("a store")
        .0
}

/// The window on the store in `data`, admin logged in, at the case list.
fn app_on(data: &Path, keychain: &Arc<dyn Keychain>) -> AppHandle {
    let app = window::build(
        data.to_owned(),
        Options {
            store_options: FAST,
            background: Background::Inline,
            camera: tsunagi_app::av::Source::Test,
            ..Options::new(Arc::clone(keychain))
        },
    )
    .expect("the window builds");
    let w = app.window();
    w.show().expect("the window shows");
    w.window().set_size(slint::LogicalSize::new(1280.0, 4000.0));
    log_in(w, "admin", PASSWORD);
    app
}

fn text(w: &AppWindow, label: &str) -> String {
    one(w, label, AccessibleRole::Text)
        .accessible_value()
        .unwrap_or_default()
        .to_string()
}

fn tick(w: &AppWindow, label: &str) {
    press_as(w, label, AccessibleRole::Checkbox);
}

fn cases_listed(w: &AppWindow) -> usize {
    w.global::<CaseListAdapter<'_>>().get_cases().row_count()
}

/// The first demo case with a second disease, an approved photo and one
/// the client has not approved: (the case, its first disease's name,
/// the row that offers it: the name and its type).
fn source_case(store: &mut Store) -> (CaseId, String, String) {
    let mut case = demo_cases().remove(0);
    case.basic.diseases.push(Disease::new(None, LEFT_DISEASE));
    let first = &case.basic.diseases[0];
    let (disease, row) = (
        first.name.clone(),
        format!("{}（{}）", first.name, first.subtype),
    );
    let id = store.create_case(&case).expect("a case");
    let details = |caption: &str| MediaDetails {
        caption: caption.into(),
        illustrates: "丁寧な作業".into(),
        taken_at: None,
    };
    let photo = jpeg();
    let shown = store
        .import_photo(id, &photo, &details(APPROVED))
        .expect("a photo");
    store.set_media_approval(id, shown, true).expect("approved");
    store
        .import_photo(id, &photo, &details(NOT_APPROVED))
        .expect("a photo");
    (id, disease, row)
}

/// Writes the record of `case` on the screen with two sections, the
/// disease and the approved photo; the passphrase shown.
fn write_record(w: &AppWindow, disease_row: &str, out: &Path) -> String {
    press_as(w, "見本 花子", AccessibleRole::ListItem);
    assert_eq!(w.get_screen(), Screen::Case);
    one(w, "同意・開示", AccessibleRole::Tab).invoke_accessible_default_action();
    settle();
    press(w, "本人携帯記録をつくる");
    assert_eq!(w.get_screen(), Screen::Carry);

    // Nothing ticked: the button is disabled and the screen says why.
    let write = one(w, "書き出す", AccessibleRole::Button);
    assert_eq!(write.accessible_enabled(), Some(false));
    assert!(
        text(w, "選んだ内容").contains("一つ以上選ぶと"),
        "{}",
        text(w, "選んだ内容")
    );
    // The photo the client has not approved is not offered, and the
    // screen says why.
    assert!(shows(w, APPROVED, AccessibleRole::Checkbox));
    assert!(!shows(w, NOT_APPROVED, AccessibleRole::Checkbox));
    assert!(text(w, "選べない写真・動画").contains("承認がない写真・動画が 1 件"));
    assert!(shows(w, LEFT_DISEASE, AccessibleRole::Checkbox));

    tick(w, CAREER_PLAN);
    tick(w, JOB_MATCH);
    tick(w, disease_row);
    tick(w, APPROVED);
    assert_eq!(
        text(w, "選んだ内容"),
        "選んだ内容：項目 2・疾患 1・写真と動画 1"
    );
    type_into(w, "保存先のファイル", &out.display().to_string());
    press(w, "書き出す");
    assert_eq!(w.global::<CarryAdapter<'_>>().get_error(), "");
    text(w, "パスフレーズ")
}

#[test]
fn a_record_the_client_chose_is_written_and_another_agency_takes_it_in_after_seeing_it() {
    init_backend();
    let temp = tempfile::tempdir().expect("a folder");
    let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
    let source = temp.path().join("source");
    let (case, disease, disease_row) = source_case(&mut new_store(&source, &keychain));
    let out: PathBuf = temp.path().join("usb").join("本人携帯記録.age");
    std::fs::create_dir_all(out.parent().expect("a folder")).expect("the stick");

    // ── the first agency, with the client ───────────────────────────────
    let app = app_on(&source, &keychain);
    let w = app.window();
    let passphrase = write_record(w, &disease_row, &out);
    let groups: Vec<&str> = passphrase.split('-').collect();
    assert_eq!(groups.len(), 5, "{passphrase:?}");
    assert!(groups.iter().all(|g| g.len() == 4), "{passphrase:?}");
    let consent = text(w, "同意として記録した内容");
    assert!(consent.contains("本人携帯記録"), "{consent}");
    assert!(consent.contains(CAREER_PLAN) && consent.contains(&disease));

    // The file opens with that passphrase and holds exactly the choice.
    let file = open_carry_file(&out, &passphrase).expect("the passphrase opens it");
    let preview = file.preview();
    assert_eq!(
        preview.sections,
        [SectionName::CareerPlan, SectionName::JobMatch]
    );
    assert_eq!(preview.diseases, std::slice::from_ref(&disease));
    assert_eq!((preview.photos, preview.videos), (1, 0));
    assert_eq!(file.media()[0].info.caption.expose(), APPROVED);
    assert!(
        file.case().basic.name.expose().is_empty(),
        "the basic information was not chosen"
    );

    // Leaving asks first that the passphrase was copied.
    let done = one(w, "終わる（ケースに戻る）", AccessibleRole::Button);
    assert_eq!(done.accessible_enabled(), Some(false));
    tick(w, "パスフレーズを紙に書いて本人に渡しました");
    press(w, "終わる（ケースに戻る）");
    assert_eq!(w.get_screen(), Screen::Case);
    assert!(
        !shows(w, "パスフレーズ", AccessibleRole::Text),
        "the passphrase is not shown again"
    );
    drop(app);
    let mut store =
        Store::unlock(&source, Arc::clone(&keychain), "admin", PASSWORD).expect("the store opens");
    let consents = store.load_case(case).expect("the case").consents;
    let recorded = consents
        .iter()
        .find(|c| c.scope == ConsentScope::ClientRecord)
        .expect("the choice is recorded as the client's consent");
    assert_eq!(recorded.recipient.expose(), "本人");
    assert!(recorded.given_on.is_some());
    let note = recorded.content.expose();
    assert!(
        note.contains(JOB_MATCH) && note.contains(&disease) && note.contains("写真・動画"),
        "{note}"
    );
    drop(store);

    // ── another agency ──────────────────────────────────────────────────
    let other = temp.path().join("other");
    new_store(&other, &keychain)
        .create_case(&demo_cases().remove(1))
        .expect("a case of its own");
    let app = app_on(&other, &keychain);
    let w = app.window();
    assert_eq!(cases_listed(w), 1);
    press(w, "本人携帯記録を取り込む");
    assert_eq!(w.get_screen(), Screen::Carry);
    type_into(w, "本人携帯記録のファイル", &out.display().to_string());

    // A wrong passphrase: told in words, nothing shown, nothing created.
    type_into(
        w,
        "パスフレーズ（本人の紙に書かれたもの）",
        "ABCD-EFGH-JKLM-NPQR-STUV",
    );
    press(w, "中身を確かめる");
    let error = w.global::<CarryAdapter<'_>>().get_error().to_string();
    assert!(error.starts_with("パスフレーズが違います"), "{error}");
    assert!(
        shows(w, &error, AccessibleRole::Text),
        "the error is on screen"
    );
    assert!(!shows(w, "項目", AccessibleRole::Text));
    assert!(!shows(
        w,
        "新しいケースとして取り込む",
        AccessibleRole::Button
    ));

    // The right one, as typed from paper (lower case, spaces): what the
    // file holds shows before anything is created.
    let typed = passphrase.to_lowercase().replace('-', " ");
    type_into(w, "パスフレーズ（本人の紙に書かれたもの）", &typed);
    press(w, "中身を確かめる");
    assert_eq!(w.global::<CarryAdapter<'_>>().get_error(), "");
    let sections = text(w, "項目");
    assert!(
        sections.contains(CAREER_PLAN) && sections.contains(JOB_MATCH),
        "{sections}"
    );
    assert_eq!(text(w, "疾患"), disease);
    assert!(
        text(w, "写真・動画").contains("写真 1件"),
        "{}",
        text(w, "写真・動画")
    );
    assert_eq!(
        cases_listed(w),
        1,
        "nothing is created before the worker says so"
    );

    press(w, "新しいケースとして取り込む");
    assert_eq!(w.get_screen(), Screen::Case, "the new case opens");
    assert_eq!(cases_listed(w), 2, "one more case");
    drop(app);
    let mut store =
        Store::unlock(&other, Arc::clone(&keychain), "admin", PASSWORD).expect("the store opens");
    let cases = store.list_cases(&CaseQuery::default()).expect("a list");
    assert_eq!(cases.len(), 2, "the wrong passphrase created nothing");
}
