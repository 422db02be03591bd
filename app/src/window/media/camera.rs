//! The camera of the media screen: the live picture, a photo taken from
//! its latest frame, and a recording written straight into the store.

use super::*;

/// Starts the live picture: frames to the window and to the latest frame.
pub(super) fn start_preview(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    let source = session.camera();
    let weak = window.as_weak();
    let shared = screen.shared();
    let epoch = session.epoch();
    window
        .global::<MediaAdapter<'_>>()
        .set_camera(CameraState::Starting);
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |_| -> Result<(), MediaScreenError> {
            let frames = Arc::clone(&shared.frames);
            let deliver = frame_to_window(weak, move |frame| {
                self::frames(&frames).latest = Some(frame.clone());
            });
            let preview = av::preview(&source, deliver)?;
            shared.camera().preview = Some(preview);
            Ok(())
        },
        move |session, window, started| {
            if session.epoch() != epoch || screen.case().is_none() {
                return;
            }
            camera_started(window, started);
        },
    );
}

pub(super) fn camera_started(window: &AppWindow, started: Result<(), MediaScreenError>) {
    let adapter = window.global::<MediaAdapter<'_>>();
    match started {
        Ok(()) => adapter.set_camera(CameraState::On),
        Err(e) => {
            adapter.set_camera(CameraState::Off);
            adapter.set_error(e.to_string().into());
        }
    }
}

/// A frame callback that first calls `keep`, then shows the frame in the
/// window (dropped when the window is gone or no longer on this screen).
pub(super) fn frame_to_window(
    weak: slint::Weak<AppWindow>,
    mut keep: impl FnMut(&Frame) + Send + 'static,
) -> av::FrameCallback {
    let mut show = latest_to(weak, |window, frame| {
        if window.get_screen() == Screen::Media {
            window
                .global::<MediaAdapter<'_>>()
                .set_frame(Image::from_rgba8(frame));
        }
    });
    Box::new(move |frame: Frame| {
        keep(&frame);
        show(frame);
    })
}

pub(super) fn take_photo(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    let latest = frames(&screen.shared().frames).latest.clone();
    act(
        screen,
        session,
        window,
        "写真を保存しました。",
        move |session, _, case| {
            let frame = latest.ok_or(MediaScreenError::NoFrame)?;
            let jpeg = jpeg_of(&frame).ok_or(MediaScreenError::NoFrame)?;
            on_store(session, |store| {
                store.import_photo(case, &jpeg, &fresh_details()).map(drop)
            })
        },
    );
}

pub(super) fn start_recording(
    screen: &Rc<MediaScreen>,
    session: &Arc<Session>,
    window: &AppWindow,
) {
    let Some(case) = screen.case() else { return };
    let source = session.camera();
    let weak = window.as_weak();
    let shared = screen.shared();
    let epoch = session.epoch();
    let adapter = window.global::<MediaAdapter<'_>>();
    adapter.set_error(SharedString::new());
    adapter.set_result(SharedString::new());
    adapter.set_camera(CameraState::Starting);
    let screen = Rc::clone(screen);
    session.run(
        window,
        move |session| -> Result<(), MediaScreenError> {
            // The recording opens the camera itself.
            shared.camera().preview = None;
            let (writer, limits) = on_store(session, |store| {
                Ok((store.begin_video(case)?, Limits::of(store)?))
            })?;
            {
                let mut f = frames(&shared.frames);
                f.recorded = 0;
                f.poster = None;
            }
            let frames = Arc::clone(&shared.frames);
            let deliver = frame_to_window(weak, move |frame| {
                let mut f = self::frames(&frames);
                f.recorded += 1;
                if f.poster.is_none() || f.recorded == POSTER_FRAME {
                    f.poster = Some(frame.clone());
                }
                f.latest = Some(frame.clone());
            });
            let handle = av::record_clip(&source, limits, writer, Some(deliver))?;
            shared.camera().recording = Some(Recording {
                handle,
                started: Instant::now(),
                limit: limits.max_duration,
            });
            Ok(())
        },
        move |session, window, started| {
            if session.epoch() != epoch || screen.case() != Some(case) {
                return;
            }
            let adapter = window.global::<MediaAdapter<'_>>();
            match started {
                Ok(()) => {
                    adapter.set_camera(CameraState::Recording);
                    adapter.set_recording_text(clock(Duration::ZERO).into());
                    start_tick(&screen, session, window);
                }
                Err(e) => {
                    adapter.set_camera(CameraState::Off);
                    adapter.set_error(e.to_string().into());
                }
            }
        },
    );
}

/// Keeps the recording time up to date and stops at the limit.
pub(super) fn start_tick(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    let (weak, session, m) = (window.as_weak(), Arc::clone(session), Rc::downgrade(screen));
    screen
        .tick
        .start(slint::TimerMode::Repeated, RECORDING_TICK, move || {
            let (Some(window), Some(screen)) = (weak.upgrade(), m.upgrade()) else {
                return;
            };
            let state = screen
                .shared()
                .camera()
                .recording
                .as_ref()
                .map(|r| (r.started.elapsed(), r.limit, r.handle.is_finished()));
            let Some((elapsed, limit, finished)) = state else {
                screen.tick.stop();
                return;
            };
            window.global::<MediaAdapter<'_>>().set_recording_text(
                format!("{} / {}", clock(elapsed.min(limit)), clock(limit)).into(),
            );
            if finished {
                stop_recording(&screen, &session, &window);
            }
        });
}

pub(super) fn stop_recording(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    screen.tick.stop();
    window
        .global::<MediaAdapter<'_>>()
        .set_camera(CameraState::Saving);
    let weak = window.as_weak();
    let source = session.camera();
    let shared = screen.shared();
    act_then(
        screen,
        session,
        window,
        "動画を保存しました。",
        move |session, shared, case| {
            let recording = shared.camera().recording.take();
            let saved = match recording {
                Some(recording) => finish_recording(session, shared, case, recording),
                None => Ok(()),
            };
            // The live picture comes back for the next photo or clip.
            let frames = Arc::clone(&shared.frames);
            let deliver = frame_to_window(weak, move |frame| {
                self::frames(&frames).latest = Some(frame.clone());
            });
            if let Ok(p) = av::preview(&source, deliver) {
                shared.camera().preview = Some(p);
            }
            saved
        },
        // The live picture is back, or the camera is off if it could not
        // restart.
        move |window| {
            let live = shared.camera().preview.is_some();
            let adapter = window.global::<MediaAdapter<'_>>();
            adapter.set_camera(if live {
                CameraState::On
            } else {
                CameraState::Off
            });
            adapter.set_recording_text(SharedString::new());
        },
    );
}

/// Ends `recording` and commits the clip with a poster from its frames.
pub(super) fn finish_recording(
    session: &Session,
    shared: &Shared,
    case: CaseId,
    recording: Recording,
) -> Result<(), MediaScreenError> {
    let encoded = recording.handle.stop()?;
    let written = encoded.writer.finish().map_err(StoreError::from)?;
    let poster = frames(&shared.frames)
        .poster
        .take()
        .and_then(|f| jpeg_of(&f))
        .unwrap_or_else(core_media::video::placeholder_poster);
    let info = VideoInfo {
        mime: "video/mp4".into(),
        duration_ms: u64::try_from(encoded.duration.as_millis()).unwrap_or(u64::MAX),
    };
    on_store(session, |store| {
        store
            .commit_video(case, written, &poster, &info, &fresh_details())
            .map(drop)
    })
}

pub(super) fn stop_camera(screen: &Rc<MediaScreen>, session: &Arc<Session>, window: &AppWindow) {
    let shared = screen.shared();
    session.run(
        window,
        move |_| {
            shared.camera().preview = None;
            frames(&shared.frames).latest = None;
        },
        |_, window, ()| {
            let adapter = window.global::<MediaAdapter<'_>>();
            adapter.set_camera(CameraState::Off);
            adapter.set_frame(Image::default());
        },
    );
}
