//! 写真・動画: the controller of the case's photos and clips
//! (ui/app/media_screen.slint).
//!
//! The camera runs in GStreamer (`crate::av`): its frames arrive on a
//! streaming thread, are kept as the latest frame (a photo is that frame,
//! so taking one never opens the camera a second time) and are handed to
//! the window through the event loop. A recording writes straight into the
//! store's encrypting [`MediaWriter`]; stopping it (or the lock, or its
//! limit) commits the clip with a poster taken from its own frames. Store
//! work and opening the camera run as session jobs, off the UI thread.
//!
//! What is identifying here: every caption, every picture. None of it is
//! logged; errors name what failed, never the item.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::str::FromStr as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Image, ModelRc, SharedString, Timer, VecModel};
use time::UtcOffset;
use tsunagi_core::consent::Refusal;
use tsunagi_core::media::{self as core_media, MediaKind, MediaWriter, VideoInfo, photo};
use tsunagi_core::model::CaseId;
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::{MediaDetails, MediaId, MediaItem, Store, StoreError};

use super::case_query::format_day;
use super::i18n::{refusal_words, size_text, tr, tr_fill};
use super::latest_frame::latest_to;
use super::router::{MediaRequest, Router};
use super::session::Session;
use super::ui::{AppWindow, CameraState, MediaAdapter, MediaRow, Screen};
use crate::av::{self, AvError, Frame, Limits, Preview, RecordingHandle};

mod camera;
use camera::{
    finish_recording, start_preview, start_recording, stop_camera, stop_recording, take_photo,
};

/// The frame of a recording kept as its poster: one second in, past the
/// camera's first dark frames.
const POSTER_FRAME: u64 = 30;

/// How often the recording time on screen is brought up to date.
const RECORDING_TICK: Duration = Duration::from_millis(500);

/// What went wrong on this screen, in words for the worker.
#[derive(Debug, thiserror::Error)]
pub enum MediaScreenError {
    /// The store refused or failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The camera or GStreamer failed.
    #[error("{0}")]
    Av(#[from] AvError),
    /// The camera has not given a picture yet.
    #[error(
        "カメラの映像がまだ届いていません。少し待ってからもう一度押してください (the camera has not sent a picture yet)"
    )]
    NoFrame,
    /// The app was locked meanwhile.
    #[error("ロックされました (the app was locked)")]
    Locked,
}

/// The camera: the live picture, the recording, the frames they give.
#[derive(Default)]
struct Camera {
    preview: Option<Preview>,
    recording: Option<Recording>,
}

struct Recording {
    handle: RecordingHandle<MediaWriter>,
    started: Instant,
    limit: Duration,
}

/// Frames from GStreamer's threads.
#[derive(Default)]
struct Frames {
    /// The newest camera frame (a photo is taken from it).
    latest: Option<Frame>,
    /// Frames of the recording so far, and its poster frame once reached.
    recorded: u64,
    poster: Option<Frame>,
}

/// What the screen shares with its jobs and GStreamer's threads.
#[derive(Default)]
struct Shared {
    camera: Mutex<Camera>,
    frames: Arc<Mutex<Frames>>,
}

impl Shared {
    fn camera(&self) -> std::sync::MutexGuard<'_, Camera> {
        self.camera.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn frames(frames: &Mutex<Frames>) -> std::sync::MutexGuard<'_, Frames> {
    frames.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The case open on this screen.
struct Open {
    case: CaseId,
    /// Each item's details as last shown or edited.
    details: HashMap<MediaId, MediaDetails>,
    /// Items whose edited details wait for the typing pause.
    pending: Vec<MediaId>,
}

/// The media screen's state on the UI thread.
#[derive(Default)]
pub(super) struct MediaScreen {
    /// The open case; `None` when the screen shows none.
    open: RefCell<Option<Open>>,
    /// What the screen shares with its jobs and GStreamer's threads.
    shared: Arc<Shared>,
    /// The pause after the last keystroke before edited details are saved.
    pause: Timer,
    /// Brings the recording time on screen up to date.
    tick: Timer,
}

impl MediaScreen {
    /// The case on the screen.
    fn case(&self) -> Option<CaseId> {
        self.open.borrow().as_ref().map(|o| o.case)
    }

    /// What the screen shares with its jobs.
    fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }
}

/// One item as the screen shows it; the poster decoded off the UI thread.
struct ItemView {
    item: MediaItem,
    poster: Option<Frame>,
}

/// Everything the screen shows, read in one job.
struct Listing {
    items: Vec<ItemView>,
    space: Option<u64>,
    /// Why none of the items reaches the presentation or the printed
    /// profile today, if none does.
    withheld: Option<Refusal>,
}

fn read_listing(store: &mut Store, case: CaseId) -> Result<Listing, StoreError> {
    let mut items = Vec::new();
    for item in store.list_media(case)? {
        // A damaged poster costs only its thumbnail, not the list.
        let poster = store
            .media_poster(case, item.id)
            .ok()
            .and_then(|jpeg| decode(&jpeg));
        items.push(ItemView { item, poster });
    }
    let space = store.media_space().ok().map(|s| s.available_bytes);
    let today = time::OffsetDateTime::now_utc().date();
    let withheld = store.media_for_employers(case, today)?.withheld;
    Ok(Listing {
        items,
        space,
        withheld,
    })
}

/// Decodes a stored JPEG (a poster, a photo) for a Slint `Image`.
pub(super) fn decode(jpeg: &[u8]) -> Option<Frame> {
    let rgba = photo::decode_upright(jpeg).ok()?.to_rgba8();
    Some(Frame::clone_from_slice(
        rgba.as_raw(),
        rgba.width(),
        rgba.height(),
    ))
}

/// A camera frame as a JPEG, for the store to sanitize like any photo.
fn jpeg_of(frame: &Frame) -> Option<Vec<u8>> {
    let rgba =
        image::RgbaImage::from_raw(frame.width(), frame.height(), frame.as_bytes().to_vec())?;
    photo::encode_clean(
        &image::DynamicImage::ImageRgba8(rgba),
        u32::MAX,
        image::imageops::FilterType::Triangle,
    )
    .ok()
    .map(|p| p.jpeg)
}

/// "動画・0:42・12.0 MB・2026/10/01": the kind and what matters of it, the
/// day at `offset`.
pub fn item_details(item: &MediaItem, offset: UtcOffset) -> String {
    let mut parts = vec![match item.kind {
        MediaKind::Photo => tr("写真").to_owned(),
        MediaKind::Video => tr("動画").to_owned(),
    }];
    if let Some(ms) = item.duration_ms {
        parts.push(clock(Duration::from_millis(ms)));
    }
    if let (Some(w), Some(h)) = (item.width, item.height) {
        parts.push(format!("{w}×{h}"));
    }
    parts.push(size_text(item.size));
    parts.push(format_day(item.taken_at.unwrap_or(item.created_at), offset));
    parts.join("・")
}

/// "1:05": minutes and seconds.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

fn ui_row(view: &ItemView, offset: UtcOffset) -> MediaRow {
    let item = &view.item;
    MediaRow {
        id: item.id.to_string().into(),
        video: item.kind == MediaKind::Video,
        poster: view
            .poster
            .clone()
            .map(Image::from_rgba8)
            .unwrap_or_default(),
        caption: item.caption.expose().as_str().into(),
        illustrates: item.illustrates.expose().as_str().into(),
        details: item_details(item, offset).into(),
        approved: item.approval.is_some(),
        approval: item
            .approval
            .as_ref()
            .map(|a| {
                tr_fill(
                    "本人の承認あり（{}、記録：{}）",
                    &[&format_day(a.at, offset), &a.recorded_by],
                )
            })
            .unwrap_or_default()
            .into(),
    }
}

/// Opens the screen for `case` (whose name heads it).
fn open(
    screen: &Rc<MediaScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    request: MediaRequest,
) {
    reset(window);
    *screen.open.borrow_mut() = Some(Open {
        case: request.case,
        details: HashMap::new(),
        pending: Vec::new(),
    });
    let adapter = window.global::<MediaAdapter<'_>>();
    adapter.set_client_name(request.name.into());
    adapter.set_can_edit(request.can_edit);
    window.set_screen(Screen::Media);
    refresh(screen, session, window);
}

fn reset(window: &AppWindow) {
    let adapter = window.global::<MediaAdapter<'_>>();
    adapter.set_client_name(SharedString::new());
    adapter.set_items(ModelRc::default());
    adapter.set_space(SharedString::new());
    adapter.set_consent_note(SharedString::new());
    adapter.set_camera(CameraState::Off);
    adapter.set_frame(Image::default());
    adapter.set_recording_text(SharedString::new());
    adapter.set_result(SharedString::new());
    adapter.set_error(SharedString::new());
    adapter.set_busy(false);
    adapter.set_import_path(SharedString::new());
    adapter.set_confirm_delete(SharedString::new());
}

/// Leaves the screen, on lock or when going back: edited details are saved,
/// the camera closes, a recording is stopped and kept (as a job, before any
/// later job closes the store), and nothing of the case stays on screen.
fn leave(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    flush_details(screen, session, window);
    screen.tick.stop();
    let case = screen.case();
    let shared = screen.shared();
    session.run(
        window,
        move |session| {
            let recording = {
                let mut camera = shared.camera();
                camera.preview = None;
                camera.recording.take()
            };
            if let (Some(recording), Some(case)) = (recording, case) {
                // Nothing to show it to: the clip is kept all the same.
                let _ = finish_recording(session, &shared, case, recording);
            }
            frames(&shared.frames).latest = None;
        },
        |_, _, ()| {},
    );
    *screen.open.borrow_mut() = None;
    reset(window);
}

fn refresh(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    let Some(case) = screen.case() else { return };
    let epoch = session.epoch();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| session.with_store(|store| read_listing(store, case)),
        move |session, window, read| {
            if session.epoch() != epoch || screen.case() != Some(case) {
                return;
            }
            let adapter = window.global::<MediaAdapter<'_>>();
            match read {
                Some(Ok(listing)) => show(&screen, &adapter, &listing, session.utc_offset()),
                Some(Err(e)) => adapter.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

fn show(screen: &MediaScreen, adapter: &MediaAdapter<'_>, listing: &Listing, offset: UtcOffset) {
    {
        if let Some(open) = screen.open.borrow_mut().as_mut() {
            for view in &listing.items {
                let item = &view.item;
                if !open.pending.contains(&item.id) {
                    open.details.insert(
                        item.id,
                        MediaDetails {
                            caption: item.caption.clone(),
                            illustrates: item.illustrates.clone(),
                            taken_at: item.taken_at,
                        },
                    );
                }
            }
        }
    }
    let rows: Vec<MediaRow> = listing.items.iter().map(|v| ui_row(v, offset)).collect();
    adapter.set_items(ModelRc::new(VecModel::from(rows)));
    adapter.set_space(match listing.space {
        Some(bytes) => tr_fill("残り {}", &[&size_text(bytes)]).into(),
        None => SharedString::new(),
    });
    adapter.set_consent_note(match listing.withheld {
        Some(why) => tr_fill(
            "{}。承認した写真・動画も、提示と印刷には使われません。",
            &[&refusal_words(why)],
        )
        .into(),
        None => SharedString::new(),
    });
}

/// Runs `job` on the store for the open case, then shows `done`'s words
/// (or the error) and the list again.
fn act(
    screen: &Rc<MediaScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    done: &'static str,
    job: impl FnOnce(&Session, &Shared, CaseId) -> Result<(), MediaScreenError> + Send + 'static,
) {
    act_then(screen, session, window, done, job, |_| {});
}

/// As [`act`], then `after` on the UI thread once the job is done, before
/// its result is shown.
fn act_then(
    screen: &Rc<MediaScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    done: &'static str,
    job: impl FnOnce(&Session, &Shared, CaseId) -> Result<(), MediaScreenError> + Send + 'static,
    after: impl FnOnce(&AppWindow) + 'static,
) {
    let Some(case) = screen.case() else { return };
    let adapter = window.global::<MediaAdapter<'_>>();
    adapter.set_busy(true);
    adapter.set_error(SharedString::new());
    adapter.set_result(SharedString::new());
    let epoch = session.epoch();
    let shared = screen.shared();
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| job(session, &shared, case),
        move |session, window, result| {
            if session.epoch() != epoch || screen.case() != Some(case) {
                return;
            }
            let adapter = window.global::<MediaAdapter<'_>>();
            adapter.set_busy(false);
            after(window);
            match result {
                Ok(()) => adapter.set_result(tr(done).into()),
                Err(e) => adapter.set_error(e.to_string().into()),
            }
            refresh(&screen, session, window);
        },
    );
}

fn on_store<R>(
    session: &Session,
    f: impl FnOnce(&mut Store) -> Result<R, StoreError>,
) -> Result<R, MediaScreenError> {
    Ok(session.with_store(f).ok_or(MediaScreenError::Locked)??)
}

fn fresh_details() -> MediaDetails {
    MediaDetails {
        taken_at: Some(Timestamp::now()),
        ..MediaDetails::default()
    }
}

/// Imports a photo (any format the `image` crate reads) or a video (any
/// GStreamer can decode: transcoded to H.264 Main 4:2:0 + AAC in MP4).
pub fn import_file(
    store: &mut Store,
    case: CaseId,
    path: &std::path::Path,
) -> Result<MediaId, MediaScreenError> {
    let videos = av::TranscodingImport {
        limits: Limits::of(store)?,
    };
    Ok(av::store_file(
        store,
        case,
        path,
        &fresh_details(),
        &videos,
        None,
    )?)
}

/// Saves the details edited since the last pause.
fn flush_details(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    screen.pause.stop();
    let Some((case, edits)) = screen.open.borrow_mut().as_mut().map(|open| {
        let ids = std::mem::take(&mut open.pending);
        let edits: Vec<(MediaId, MediaDetails)> = ids
            .into_iter()
            .filter_map(|id| open.details.get(&id).map(|d| (id, d.clone())))
            .collect();
        (open.case, edits)
    }) else {
        return;
    };
    if edits.is_empty() {
        return;
    }
    let epoch = session.epoch();
    session.run(
        window,
        move |session| {
            session.with_store(|store| {
                for (id, details) in &edits {
                    store.set_media_details(case, *id, details)?;
                }
                Ok(())
            })
        },
        move |session, window, saved| {
            if session.epoch() != epoch {
                return;
            }
            if let Some(Err(e)) = saved {
                window
                    .global::<MediaAdapter<'_>>()
                    .set_error(e.to_string().into());
            }
        },
    );
}

/// Keeps an edit of `id`'s details and saves it after the typing pause.
fn edit(
    screen: &Rc<MediaScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
    id: &str,
    change: impl FnOnce(&mut MediaDetails),
) {
    let Ok(id) = MediaId::from_str(id) else {
        return;
    };
    let kept = screen.open.borrow_mut().as_mut().and_then(|open| {
        change(open.details.get_mut(&id)?);
        if !open.pending.contains(&id) {
            open.pending.push(id);
        }
        Some(())
    });
    if kept.is_none() {
        return;
    }
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::downgrade(screen));
    screen.pause.start(
        slint::TimerMode::SingleShot,
        super::session::SAVE_PAUSE,
        move || {
            if let (Some(window), Some(m)) = (weak.upgrade(), m.upgrade()) {
                flush_details(&m, &s, &window);
            }
        },
    );
}

/// Connects the screen to `session` (which knows the camera).
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) {
    let screen = Rc::new(MediaScreen::default());
    let m = Rc::clone(&screen);
    router.offer(|r| {
        r.open_media = Some(Rc::new(move |s, window, request| {
            open(&m, s, window, request);
        }));
    });
    // A recording is stopped and kept, before the store closes.
    let m = Rc::clone(&screen);
    router.on_leaving(move |s, window| leave(&m, s, window));
    let adapter = window.global::<MediaAdapter<'_>>();
    reset(window);

    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_start_camera(move || {
        if let Some(window) = weak.upgrade() {
            start_preview(&m, &s, &window);
        }
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_stop_camera(move || {
        if let Some(window) = weak.upgrade() {
            stop_camera(&m, &s, &window);
        }
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_take_photo(move || {
        if let Some(window) = weak.upgrade() {
            take_photo(&m, &s, &window);
        }
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_start_recording(move || {
        if let Some(window) = weak.upgrade() {
            start_recording(&m, &s, &window);
        }
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_stop_recording(move || {
        if let Some(window) = weak.upgrade() {
            stop_recording(&m, &s, &window);
        }
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_import_file(move |path| {
        let Some(window) = weak.upgrade() else { return };
        let path = PathBuf::from(path.trim());
        act(
            &m,
            &s,
            &window,
            "取り込みました。",
            move |session, _, case| {
                let imported = session
                    .with_store(|store| Ok(import_file(store, case, &path)))
                    .ok_or(MediaScreenError::Locked)??;
                imported.map(drop)
            },
        );
        window
            .global::<MediaAdapter<'_>>()
            .set_import_path(SharedString::new());
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_set_approved(move |id, approved| {
        let Some(window) = weak.upgrade() else { return };
        let Ok(id) = MediaId::from_str(&id) else {
            return;
        };
        let done = if approved {
            "本人の承認を記録しました。"
        } else {
            "承認を取り消しました。プレゼンテーションと印刷には出ません。"
        };
        act(&m, &s, &window, done, move |session, _, case| {
            on_store(session, |store| {
                store.set_media_approval(case, id, approved)
            })
        });
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_edit_caption(move |id, text| {
        if let Some(window) = weak.upgrade() {
            edit(&m, &s, &window, &id, |d| {
                d.caption = text.to_string().into()
            });
        }
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_edit_illustrates(move |id, text| {
        if let Some(window) = weak.upgrade() {
            edit(&m, &s, &window, &id, |d| {
                d.illustrates = text.to_string().into()
            });
        }
    });
    let (weak, s, m) = (window.as_weak(), Arc::clone(session), Rc::clone(&screen));
    adapter.on_delete(move |id| {
        let Some(window) = weak.upgrade() else { return };
        let Ok(id) = MediaId::from_str(&id) else {
            return;
        };
        flush_details(&m, &s, &window);
        act(
            &m,
            &s,
            &window,
            "削除しました。",
            move |session, _, case| on_store(session, |store| store.delete_media(case, id)),
        );
    });
    let (weak, s, m, router) = (
        window.as_weak(),
        Arc::clone(session),
        Rc::clone(&screen),
        Rc::clone(router),
    );
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let case = m.case();
        leave(&m, &s, &window);
        match case {
            Some(id) => {
                if let Some(open) = router.routes().open_case {
                    open(&s, &window, id);
                }
            }
            None => window.set_screen(Screen::CaseList),
        }
    });
}

#[cfg(test)]
mod tests;
