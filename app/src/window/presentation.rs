//! Presentation mode (個人プロフィール): the positive profile of the open
//! case as full-screen pages for an employer. The pages come from
//! [`EmployerProfile`], which applies the client's disclosure choice; the
//! screen gives no way into the case: leaving asks for the worker's
//! password (checked through Argon2 on the store's worker thread).
//! Photos and clips the client approved follow as pages of their own; a
//! clip plays inline, decrypted as GStreamer reads it.

use std::cell::{Cell, RefCell};
use std::io::Read as _;
use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use tsunagi_core::media::MediaKind;
use tsunagi_core::model::{Case, CaseId, EmployerProfile};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{MediaId, Store, StoreError};

use crate::av::{Frame, Player, PlayerEvent};

use super::i18n::tr;
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, PresentationAdapter, PresentationPage, Screen};

/// One page: its heading, a line under it, its points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// 見出し.
    pub title: String,
    /// The line under the cover's name.
    pub subtitle: String,
    /// The page's points.
    pub lines: Vec<String>,
}

/// The pages of `case`'s presentation, empty topics left out.
pub fn pages(case: &Case, reference: &ReferenceDb) -> Vec<Page> {
    let p = EmployerProfile::of(case, reference);
    let mut pages = vec![Page {
        title: if p.name.is_empty() {
            tr("（氏名未入力）").to_owned()
        } else {
            p.name.clone()
        },
        subtitle: tr("個人プロフィール").to_owned(),
        lines: Vec::new(),
    }];
    let conditions: Vec<String> = p
        .conditions
        .iter()
        .map(|(label, value)| format!("{}: {value}", tr(label)))
        .collect();
    let topics = [
        ("強み", p.strengths),
        ("興味・関心", p.interests),
        ("これまでの実績", p.achievements),
        ("資格", p.qualifications),
        ("希望する仕事", p.preferred_work),
        ("希望条件", conditions),
        ("病名", p.diseases),
        ("配慮してほしいこと", p.accommodations),
    ];
    for (title, lines) in topics {
        if !lines.is_empty() {
            pages.push(Page {
                title: tr(title).to_owned(),
                subtitle: String::new(),
                lines,
            });
        }
    }
    pages
}

/// An approved photo or clip, as a page of its own after the profile's
/// topics: headed by what it illustrates, its caption under the picture.
pub struct MediaPage {
    /// The item.
    pub id: MediaId,
    /// What it illustrates (the page's heading), or empty.
    pub illustrates: String,
    /// キャプション.
    pub caption: String,
    /// A clip (the picture is its poster) rather than a photo.
    pub video: bool,
    /// The photo, or the clip's poster, decoded.
    pub picture: Option<Frame>,
}

/// The long edge a photo is shown at: sharp on a tablet, light to decode.
const SHOWN_EDGE: u32 = 1600;

/// Reads the items the client approved, pictures decoded, while the
/// client's consent to the use of photos and video is in force today
/// (without it, none: the media screen says why). Items that fail to read
/// (damaged) are left out: a presentation never shows a broken or
/// unapproved picture.
pub fn media_pages(store: &mut Store, case: CaseId) -> Result<Vec<MediaPage>, StoreError> {
    let today = time::OffsetDateTime::now_utc().date();
    let mut pages = Vec::new();
    for item in store.media_for_employers(case, today)?.items {
        let video = item.kind == MediaKind::Video;
        let picture = if video {
            store.media_poster(case, item.id).ok()
        } else {
            let mut bytes = Vec::new();
            let read = store
                .open_media(case, item.id)
                .ok()
                .and_then(|mut s| s.read_to_end(&mut bytes).ok());
            read.map(|_| bytes)
        };
        let Some(picture) = picture.and_then(|p| shown(&p)) else {
            continue;
        };
        pages.push(MediaPage {
            id: item.id,
            illustrates: item.illustrates.expose().clone(),
            caption: item.caption.expose().clone(),
            video,
            picture: Some(picture),
        });
    }
    Ok(pages)
}

fn shown(jpeg: &[u8]) -> Option<Frame> {
    let img = tsunagi_core::media::photo::decode_upright(jpeg).ok()?;
    let img = if img.width() > SHOWN_EDGE || img.height() > SHOWN_EDGE {
        img.resize(
            SHOWN_EDGE,
            SHOWN_EDGE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        img
    };
    let rgba = img.to_rgba8();
    Some(Frame::clone_from_slice(
        rgba.as_raw(),
        rgba.width(),
        rgba.height(),
    ))
}

fn ui_media_page(page: &MediaPage) -> PresentationPage {
    let title = if !page.illustrates.is_empty() {
        page.illustrates.as_str()
    } else if page.video {
        tr("動画")
    } else {
        tr("写真")
    };
    PresentationPage {
        title: title.into(),
        photo: page
            .picture
            .clone()
            .map(Image::from_rgba8)
            .unwrap_or_default(),
        has_photo: page.picture.is_some(),
        caption: page.caption.as_str().into(),
        video: page.video,
        media_id: page.id.to_string().into(),
        ..PresentationPage::default()
    }
}

fn ui_page(page: &Page) -> PresentationPage {
    let lines: Vec<SharedString> = page.lines.iter().map(|l| l.as_str().into()).collect();
    PresentationPage {
        title: page.title.as_str().into(),
        subtitle: page.subtitle.as_str().into(),
        lines: ModelRc::new(VecModel::from(lines)),
        ..PresentationPage::default()
    }
}

/// Starts the presentation of `case` as the case screen holds it (its
/// edits already saved); leaving returns to that case.
fn open(screen: &Rc<PresentationScreen>, session: &Arc<Session>, window: &AppWindow, case: Case) {
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    let id = case.id;
    session.run(
        window,
        move |session| {
            let db = session.library().get_or_load(session.dir());
            // Without its media the profile still shows: the pictures are
            // a part of it, never a reason to refuse it.
            let media = session
                .with_store(|store| media_pages(store, id))
                .and_then(Result::ok)
                .unwrap_or_default();
            (db, media)
        },
        move |session, window, (db, media)| {
            if session.epoch() != epoch {
                return;
            }
            // An unreadable update falls back to the bundled copy, which
            // is checked by the tests: failing here cannot happen.
            let Ok(db) = db.or_else(|_| ReferenceDb::bundled().map(Arc::new)) else {
                return;
            };
            let pages = pages(&case, &db);
            show(&screen, window, &pages, &media, case.id);
        },
    );
}

fn show(
    screen: &PresentationScreen,
    window: &AppWindow,
    pages: &[Page],
    media: &[MediaPage],
    return_to: CaseId,
) {
    let pages: Vec<PresentationPage> = pages
        .iter()
        .map(ui_page)
        .chain(media.iter().map(ui_media_page))
        .collect();
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_pages(ModelRc::new(VecModel::from(pages)));
    adapter.set_page(0);
    adapter.set_asking(false);
    adapter.set_wrong_password(false);
    adapter.set_checking(false);
    screen.return_to.set(Some(return_to));
    window.set_screen(Screen::Presentation);
    // The whole screen: nothing of the system or the app around it while
    // the tablet is in an employer's hands.
    window.window().set_fullscreen(true);
}

/// The presentation's state on the UI thread.
#[derive(Default)]
pub(super) struct PresentationScreen {
    /// The clip playing, if any (dropping it stops it).
    player: RefCell<Option<Player>>,
    /// The case to go back to when the presentation is left.
    return_to: Cell<Option<CaseId>>,
}

/// Empties the screen (on lock and on leaving).
fn clear(screen: &PresentationScreen, window: &AppWindow) {
    stop_video(screen, window);
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_pages(ModelRc::default());
    adapter.set_asking(false);
    screen.return_to.set(None);
    window.window().set_fullscreen(false);
}

/// What the screen says when a clip cannot be played.
const CANNOT_PLAY: &str = "この動画は破損しているか見つからないため、再生できません。";

/// Says on the page of clip `id` that it cannot be played.
fn cannot_play(window: &AppWindow, id: MediaId) {
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_video_error(tr(CANNOT_PLAY).into());
    adapter.set_video_error_for(id.to_string().into());
}

fn stop_video(screen: &PresentationScreen, window: &AppWindow) {
    screen.player.borrow_mut().take();
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_playing(false);
    adapter.set_video_error(SharedString::new());
    adapter.set_video_frame(Image::default());
}

/// Plays clip `id` of the case shown: the store's decrypting stream feeds
/// GStreamer, frames come back through the event loop.
fn play(screen: &Rc<PresentationScreen>, session: &Arc<Session>, window: &AppWindow, id: MediaId) {
    let Some(case) = screen.return_to.get() else {
        return;
    };
    stop_video(screen, window);
    let screen = Rc::clone(screen);
    let weak = window.as_weak();
    let epoch = session.epoch();
    session.run(
        window,
        move |session| {
            let stream = session
                .with_store(|store| store.open_media(case, id))?
                .ok()?;
            let frames = weak.clone();
            let on_frame = move |frame: Frame| {
                let _ = frames.upgrade_in_event_loop(move |window| {
                    let adapter = window.global::<PresentationAdapter<'_>>();
                    if adapter.get_playing() {
                        adapter.set_video_frame(Image::from_rgba8(frame));
                    }
                });
            };
            // At the end, and on an error, the poster comes back (the
            // screen's own stop, which drops the player); an error (a
            // damaged file fails its check as it is read) is said.
            let on_event = move |event: PlayerEvent| {
                let _ = weak.upgrade_in_event_loop(move |window| {
                    window
                        .global::<PresentationAdapter<'_>>()
                        .invoke_stop_video();
                    if matches!(event, PlayerEvent::Error(_)) {
                        cannot_play(&window, id);
                    }
                });
            };
            let player = Player::new(stream, on_frame, on_event).ok()?;
            player.play().ok()?;
            Some(player)
        },
        move |session, window, player| {
            if session.epoch() != epoch || window.get_screen() != Screen::Presentation {
                return;
            }
            let adapter = window.global::<PresentationAdapter<'_>>();
            match player {
                Some(player) => {
                    adapter.set_playing(true);
                    *screen.player.borrow_mut() = Some(player);
                }
                None => cannot_play(window, id),
            }
        },
    );
}

/// Connects the screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    let screen = Rc::new(PresentationScreen::default());
    let p = Rc::clone(&screen);
    router.offer(|r| {
        r.open_presentation = Some(Rc::new(move |s, window, case| open(&p, s, window, case)));
    });
    let p = Rc::clone(&screen);
    router.on_lock(move |_, window| clear(&p, window));
    let adapter = window.global::<PresentationAdapter<'_>>();
    let (weak, s, p) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_play(move |id| {
        let Some(window) = weak.upgrade() else { return };
        if let Ok(id) = id.parse::<MediaId>() {
            play(&p, &s, &window, id);
        }
    });
    let (weak, p) = (window.as_weak(), Rc::clone(&screen));
    adapter.on_stop_video(move || {
        if let Some(window) = weak.upgrade() {
            stop_video(&p, &window);
        }
    });
    let (weak, s, p, router) = (
        window.as_weak(),
        Arc::clone(session),
        screen,
        Rc::clone(router),
    );
    adapter.on_leave(move |password| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<PresentationAdapter<'_>>();
        if adapter.get_checking() {
            return;
        }
        adapter.set_checking(true);
        adapter.set_wrong_password(false);
        let epoch = s.epoch();
        let (p, router) = (Rc::clone(&p), Rc::clone(&router));
        s.run(
            &window,
            move |session| session.with_store(|store| store.confirm_password(&password)),
            move |session, window, checked| {
                if session.epoch() != epoch {
                    return;
                }
                let adapter = window.global::<PresentationAdapter<'_>>();
                adapter.set_checking(false);
                match checked {
                    Some(Ok(())) => {
                        let back = p.return_to.get();
                        clear(&p, window);
                        match back {
                            Some(id) => {
                                if let Some(open) = router.routes().open_case {
                                    open(session, window, id);
                                }
                            }
                            None => window.set_screen(Screen::CaseList),
                        }
                    }
                    Some(Err(StoreError::WrongPassword)) => adapter.set_wrong_password(true),
                    // The store is gone (locked meanwhile) or the keychain
                    // failed: the lock screen is the safe way out.
                    Some(Err(_)) | None => adapter.set_wrong_password(true),
                }
            },
        );
    });
}

#[cfg(test)]
mod tests {
    use tsunagi_core::model::{Disclosure, demo_cases};

    use super::*;

    #[test]
    fn the_pages_are_the_positive_profile_and_follow_the_disclosure() {
        let db = ReferenceDb::bundled().expect("bundled reference");
        let mut case = demo_cases().remove(0);
        case.disclosure = Disclosure::NotDisclosed;
        let shown = pages(&case, &db);
        assert_eq!(shown[0].title, "見本 花子");
        let titles: Vec<&str> = shown.iter().map(|p| p.title.as_str()).collect();
        assert!(titles.contains(&"強み"), "{titles:?}");
        assert!(!titles.contains(&"病名") && !titles.contains(&"配慮してほしいこと"));
        let all: String = shown
            .iter()
            .flat_map(|p| std::iter::once(&p.title).chain(&p.lines))
            .cloned()
            .collect();
        for d in db.diseases() {
            assert!(!all.contains(&d.name.ja), "{} appears", d.name.ja);
        }
        case.disclosure = Disclosure::Disclosed;
        let shown = pages(&case, &db);
        let disease = shown
            .iter()
            .find(|p| p.title == "病名")
            .expect("a disease page");
        assert_eq!(disease.lines, ["潰瘍性大腸炎"]);
    }
}
