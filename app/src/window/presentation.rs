//! Presentation mode (個人プロフィール): the positive profile of the open
//! case as full-screen pages for an employer, a visual résumé. What the
//! pages hold is decided in [`pages`] from [`EmployerProfile`], which
//! applies the client's disclosure choice, and from the photos and clips
//! the store gives for employers (approved by the client, while the media
//! consent is in force). The screen gives no way into the case: leaving
//! asks for the worker's password (checked through Argon2 on the store's
//! worker thread). The one change it makes is the cover photo, chosen
//! among the photos shown (「表紙の写真にする」) and saved in the case's
//! career plan. A clip plays inline, decrypted as GStreamer reads it.

mod pages;
mod pictures;

use std::cell::{Cell, RefCell};
use std::io::Read as _;
use std::rc::Rc;
use std::sync::Arc;

use slint::{ComponentHandle, Image, Model, ModelRc, ModelTracker, SharedString, VecModel};
use tsunagi_core::media::MediaKind;
use tsunagi_core::model::{Case, CaseId, EmployerProfile, Section};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::store::{MediaId, Role, Store, StoreError};

use crate::av::{Player, PlayerEvent};

use super::i18n::tr;
use super::latest_frame::latest_to;
use super::router::Router;
use super::session::Session;
use super::ui::{
    AppWindow, PresentationAdapter, PresentationLayout, PresentationLine, PresentationPage, Screen,
};
use pages::{Layout, Page, Shown};
use pictures::{Jpegs, Pictures};

/// The photos and clips that may be shown, with their pictures.
#[derive(Default)]
struct Media {
    /// The items, in the store's order.
    items: Vec<Shown>,
    /// Each item's photo, or its clip's poster.
    pictures: Pictures,
}

/// Reads the items that may be shown to an employer today — approved by
/// the client, while the consent to the use of photos and video is in
/// force (without it, none: the media screen says why) — with their
/// pictures. Items that fail to read (damaged, or not a picture) are left
/// out: a presentation never shows a broken or unapproved picture.
fn read_media(store: &mut Store, case: CaseId) -> Result<Media, StoreError> {
    let today = time::OffsetDateTime::now_utc().date();
    let mut items = Vec::new();
    let mut pictures = Pictures::default();
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
        let Some(picture) = picture.filter(|p| is_picture(p)) else {
            continue;
        };
        pictures.insert(item.id, picture);
        items.push(Shown {
            id: item.id,
            illustrates: item.illustrates.expose().trim().to_owned(),
            caption: item.caption.expose().trim().to_owned(),
            video,
        });
    }
    Ok(Media { items, pictures })
}

/// Whether `bytes` start as a picture with a size (read from its header;
/// the pixels are decoded when its page is shown).
fn is_picture(bytes: &[u8]) -> bool {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .is_some_and(|(w, h)| w > 0 && h > 0)
}

/// What is being presented, kept to redraw the pages when the cover
/// changes.
struct Presented {
    profile: EmployerProfile,
    /// The photos and clips shown, in the store's order.
    items: Vec<Shown>,
    /// Their pictures, shared with the pages' model.
    pictures: Rc<Pictures>,
    /// The account may change the case (not read-only).
    can_edit: bool,
}

fn ui_page(page: &Page, shown: &Presented) -> PresentationPage {
    let lines: Vec<PresentationLine> = page
        .lines
        .iter()
        .map(|l| PresentationLine {
            label: l.label.as_str().into(),
            text: l.text.as_str().into(),
            detail: l.detail.as_str().into(),
        })
        .collect();
    let related: Vec<SharedString> = page.related.iter().map(|r| r.as_str().into()).collect();
    let item = page
        .media
        .and_then(|id| shown.items.iter().find(|m| m.id == id));
    let has_photo = page.media.is_some_and(|id| shown.pictures.has(id));
    let cover = shown.profile.cover_media.as_deref();
    let is_cover = item.is_some_and(|m| cover == Some(m.id.to_string().as_str()));
    PresentationPage {
        layout: match page.layout {
            Layout::Cover => PresentationLayout::Cover,
            Layout::Feature => PresentationLayout::Feature,
            Layout::List => PresentationLayout::List,
        },
        title: page.title.as_str().into(),
        subtitle: page.subtitle.as_str().into(),
        statement: page.statement.as_str().into(),
        lines: ModelRc::new(VecModel::from(lines)),
        related: ModelRc::new(VecModel::from(related)),
        // Decoded when the page is shown: see `PageRows`.
        photo: Image::default(),
        has_photo,
        caption: item.map(|m| m.caption.as_str()).unwrap_or_default().into(),
        video: item.is_some_and(|m| m.video),
        media_id: item.map(|m| m.id.to_string()).unwrap_or_default().into(),
        can_cover: shown.can_edit && page.layout != Layout::Cover && item.is_some_and(|m| !m.video),
        is_cover,
    }
}

/// The pages as the screen's model. The screen asks only for the page it
/// shows; that page's picture is decoded then if it was not decoded ahead,
/// and the pictures of the pages on either side are decoded ahead on the
/// worker thread, so that a turn finds its picture ready.
struct PageRows {
    rows: Vec<PresentationPage>,
    /// The item each page shows.
    media: Vec<Option<MediaId>>,
    pictures: Rc<Pictures>,
    /// Decodes these pictures ahead.
    ahead: Box<dyn Fn(Jpegs)>,
}

impl Model for PageRows {
    type Data = PresentationPage;

    fn row_count(&self) -> usize {
        self.rows.len()
    }

    fn row_data(&self, row: usize) -> Option<PresentationPage> {
        let mut page = self.rows.get(row)?.clone();
        if let Some(id) = self.media[row] {
            page.photo = self
                .pictures
                .shown(id)
                .map(Image::from_rgb8)
                .unwrap_or_default();
        }
        let beside = [row.checked_sub(1), row.checked_add(1)];
        let ahead = self.pictures.to_decode(
            beside
                .into_iter()
                .flatten()
                .filter_map(|r| self.media.get(r).copied().flatten()),
        );
        if !ahead.is_empty() {
            (self.ahead)(ahead);
        }
        Some(page)
    }

    fn model_tracker(&self) -> &dyn ModelTracker {
        // A change of the pages (the cover) makes a new model.
        &()
    }
}

/// Draws the pages of what is presented, staying on the page shown.
fn draw(session: &Arc<Session>, window: &AppWindow, shown: &Presented) {
    let pages = pages::pages(&shown.profile, &shown.items);
    let rows: Vec<PresentationPage> = pages.iter().map(|p| ui_page(p, shown)).collect();
    let (weak, session, kept) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::downgrade(&shown.pictures),
    );
    // Asked for while the screen reads its model: the decoding starts once
    // the screen is drawn.
    let ahead = move |jpegs: Jpegs| {
        let (weak, session, kept) = (weak.clone(), Arc::clone(&session), kept.clone());
        slint::Timer::single_shot(std::time::Duration::ZERO, move || {
            let Some(window) = weak.upgrade() else { return };
            session.run(
                &window,
                move |_| {
                    jpegs
                        .into_iter()
                        .map(|(id, jpeg)| (id, pictures::decode(&jpeg)))
                        .collect::<Vec<_>>()
                },
                move |_, _, decoded| {
                    if let Some(kept) = kept.upgrade() {
                        kept.decoded(decoded);
                    }
                },
            );
        });
    };
    let model = PageRows {
        media: pages.iter().map(|p| p.media).collect(),
        rows,
        pictures: Rc::clone(&shown.pictures),
        ahead: Box::new(ahead),
    };
    let adapter = window.global::<PresentationAdapter<'_>>();
    let last = i32::try_from(model.rows.len()).unwrap_or(i32::MAX) - 1;
    adapter.set_page(adapter.get_page().clamp(0, last.max(0)));
    adapter.set_pages(ModelRc::new(model));
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
            let (media, can_edit) = session
                .with_store(|store| {
                    let can_edit = store.account().role != Role::ReadOnly;
                    Ok((read_media(store, id).unwrap_or_default(), can_edit))
                })
                .and_then(Result::ok)
                .unwrap_or_default();
            (db, media, can_edit)
        },
        move |session, window, (db, media, can_edit)| {
            if session.epoch() != epoch {
                return;
            }
            // An unreadable update falls back to the bundled copy, which
            // is checked by the tests: failing here cannot happen.
            let Ok(db) = db.or_else(|_| ReferenceDb::bundled().map(Arc::new)) else {
                return;
            };
            let shown = Presented {
                profile: EmployerProfile::of(&case, &db),
                items: media.items,
                pictures: Rc::new(media.pictures),
                can_edit,
            };
            show(&screen, session, window, shown, case.id);
        },
    );
}

fn show(
    screen: &PresentationScreen,
    session: &Arc<Session>,
    window: &AppWindow,
    shown: Presented,
    return_to: CaseId,
) {
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_page(0);
    draw(session, window, &shown);
    adapter.set_asking(false);
    adapter.set_wrong_password(false);
    adapter.set_checking(false);
    adapter.set_cover_error(SharedString::new());
    *screen.shown.borrow_mut() = Some(shown);
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
    /// What is presented (emptied on leaving and on lock).
    shown: RefCell<Option<Presented>>,
}

/// Empties the screen (on lock and on leaving).
fn clear(screen: &PresentationScreen, window: &AppWindow) {
    stop_video(screen, window);
    let adapter = window.global::<PresentationAdapter<'_>>();
    adapter.set_pages(ModelRc::default());
    adapter.set_asking(false);
    adapter.set_cover_error(SharedString::new());
    screen.shown.borrow_mut().take();
    screen.return_to.set(None);
    window.window().set_fullscreen(false);
}

/// What the screen says when the cover could not be saved.
const COVER_NOT_SAVED: &str = "表紙の写真を保存できませんでした。";

/// 「表紙の写真にする」: makes photo `id` the cover, saved in the case's
/// career plan (read fresh from the store, so that nothing else of the
/// plan changes), then redraws the pages. Only a photo the presentation
/// shows can become the cover.
fn choose_cover(
    screen: &Rc<PresentationScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    id: MediaId,
) {
    let Some(case) = screen.return_to.get() else {
        return;
    };
    let may = screen
        .shown
        .borrow()
        .as_ref()
        .is_some_and(|s| s.can_edit && s.items.iter().any(|m| m.id == id && !m.video));
    if !may {
        return;
    }
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| {
            session.with_store(|store| -> Result<(), StoreError> {
                let mut plan = store.load_case(case)?.career_plan;
                plan.discovery.cover_media = Some(id.to_string());
                store.save_section(case, &Section::CareerPlan(plan))?;
                Ok(())
            })
        },
        move |session, window, saved| {
            if session.epoch() != epoch || screen.return_to.get() != Some(case) {
                return;
            }
            let adapter = window.global::<PresentationAdapter<'_>>();
            if !matches!(saved, Some(Ok(()))) {
                adapter.set_cover_error(tr(COVER_NOT_SAVED).into());
                return;
            }
            if let Some(shown) = screen.shown.borrow_mut().as_mut() {
                shown.profile.cover_media = Some(id.to_string());
                draw(session, window, shown);
            }
        },
    );
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
            let on_frame = latest_to(weak.clone(), |window, frame| {
                let adapter = window.global::<PresentationAdapter<'_>>();
                if adapter.get_playing() {
                    adapter.set_video_frame(Image::from_rgba8(frame));
                }
            });
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
    let (weak, s, p) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_choose_cover(move |id| {
        let Some(window) = weak.upgrade() else { return };
        if let Ok(id) = id.parse::<MediaId>() {
            choose_cover(&p, &s, &window, id);
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
