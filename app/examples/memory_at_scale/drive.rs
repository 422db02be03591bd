//! The user's part, played in the real window: a list of steps run by a
//! timer in the event loop, so that the window renders between them as it
//! does for a person. Elements are found and pressed through the
//! accessibility tree (`i_slint_backend_testing::ElementHandle`, which
//! reads the compiled UI's debug info and needs no testing backend); the
//! search field gets its text as an input method gives it; scrolling is a
//! wheel event sent to the window. At the end of each phase the resident
//! memory is read (`VmRSS`) with its peak since the last phase (`VmHWM`,
//! reset by writing 5 to `/proc/self/clear_refs`).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::platform::WindowEvent;
use slint::{ComponentHandle, Model};
use tsunagi_app::window::ui::{
    AppWindow, CaseListAdapter, MediaAdapter, PresentationAdapter, Screen,
};

use super::fill::{ADMIN, MEDIA_SEARCH, PASSWORD, PRESENTED};

/// How long a step may wait for the app before the run fails.
const STEP_LIMIT: Duration = Duration::from_secs(120);
/// How long a clip plays.
const PLAYING: Duration = Duration::from_secs(5);

/// Resident memory now and its peak since the last reading, in KiB.
pub fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Starts the next phase's peak from the current resident size.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// What the steps share.
#[derive(Default)]
pub struct State {
    /// When the current step first ran.
    step_started: Option<Instant>,
    /// Turns of the current step so far.
    turns: u32,
    /// The first page with a clip, once the pages have been walked.
    clip_page: Option<i32>,
    /// The clip played (or why not).
    pub playback: String,
}

impl State {
    fn elapsed(&self) -> Duration {
        self.step_started.map_or(Duration::ZERO, |s| s.elapsed())
    }
}

/// One step: returns `true` when done, `false` to be called again.
type Step = Box<dyn FnMut(&AppWindow, &mut State) -> bool>;

/// The steps and where each phase ends.
pub struct Script {
    steps: Vec<(Option<&'static str>, Step)>,
}

fn find(w: &AppWindow, label: &str, role: AccessibleRole) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(w, label).find(|e| e.accessible_role() == Some(role))
}

fn press(w: &AppWindow, label: &str) -> bool {
    match find(w, label, AccessibleRole::Button) {
        Some(b) if b.accessible_enabled() != Some(false) => {
            b.invoke_accessible_default_action();
            true
        }
        _ => false,
    }
}

fn type_into(w: &AppWindow, label: &str, text: &str) -> bool {
    match find(w, label, AccessibleRole::TextInput) {
        Some(field) => {
            field.set_accessible_value(text);
            true
        }
        None => false,
    }
}

fn rows(w: &AppWindow) -> Vec<(String, String)> {
    w.global::<CaseListAdapter<'_>>()
        .get_cases()
        .iter()
        .map(|r| (r.id.to_string(), r.name.to_string()))
        .collect()
}

impl Script {
    fn new() -> Self {
        Self { steps: Vec::new() }
    }

    fn step(&mut self, f: impl FnMut(&AppWindow, &mut State) -> bool + 'static) -> &mut Self {
        self.steps.push((None, Box::new(f)));
        self
    }

    /// Waits `ms` (the window renders meanwhile).
    fn dwell(&mut self, ms: u64) -> &mut Self {
        self.step(move |_, s| s.elapsed() >= Duration::from_millis(ms))
    }

    fn press(&mut self, label: &'static str) -> &mut Self {
        self.step(move |w, _| press(w, label))
    }

    fn until(&mut self, f: impl Fn(&AppWindow) -> bool + 'static) -> &mut Self {
        self.step(move |w, _| f(w))
    }

    /// Ends the phase `name`: its memory is read once this step is done.
    fn phase(&mut self, name: &'static str) -> &mut Self {
        self.dwell(300);
        if let Some(last) = self.steps.last_mut() {
            last.0 = Some(name);
        }
        self
    }

    /// The steps for a store with `cases`: on an empty store only those
    /// that apply (log in, the list, scrolling, searching).
    pub fn for_store(with_media: bool) -> Self {
        let mut s = Self::new();
        s.dwell(500).phase("login screen shown");

        s.step(|w, _| type_into(w, "ユーザー名", ADMIN))
            .step(|w, _| type_into(w, "パスワード", PASSWORD))
            .press("ログイン")
            .until(move |w| {
                w.get_screen() == Screen::CaseList
                    && (!with_media
                        || w.global::<CaseListAdapter<'_>>().get_cases().row_count() > 0)
            })
            .dwell(500)
            .phase("unlocked: case list");

        // Browsing: the list flung down in 60 wheel turns, then back up.
        for delta in [-4000.0_f32, 4000.0] {
            s.step(move |w, state| {
                let Some(list) = ElementHandle::find_by_accessible_label(w, "ケース一覧").next()
                else {
                    return false;
                };
                let (at, size) = (list.absolute_position(), list.size());
                let position =
                    slint::LogicalPosition::new(at.x + size.width / 2.0, at.y + size.height / 2.0);
                w.window().dispatch_event(WindowEvent::PointerScrolled {
                    position,
                    delta_x: 0.0,
                    delta_y: delta,
                });
                state.turns += 1;
                state.turns >= 60
            });
        }
        s.dwell(300).phase("browsed the list");

        let keystrokes = [
            "さ",
            "さと",
            "さとう",
            "佐藤",
            "佐藤 は",
            "は",
            "はな",
            "はなこ",
            "",
        ];
        for text in keystrokes.into_iter().chain(MEDIA_SEARCH) {
            s.step(move |w, _| type_into(w, "ケースを検索", text))
                .until(|w| !w.global::<CaseListAdapter<'_>>().get_busy())
                .dwell(250);
        }
        if !with_media {
            return s;
        }
        s.until(|w| rows(w).iter().any(|(_, name)| name == PRESENTED))
            .phase("searched as you type");

        // Another client with photos and a clip: the case, its media.
        s.step(|w, _| {
            let other = rows(w).into_iter().find(|(_, name)| name != PRESENTED);
            if let Some((id, _)) = other {
                w.global::<CaseListAdapter<'_>>()
                    .invoke_open_case(id.into());
            }
            true
        })
        .until(|w| w.get_screen() == Screen::Case)
        .dwell(500)
        .press("写真・動画")
        .until(|w| {
            w.get_screen() == Screen::Media
                && w.global::<MediaAdapter<'_>>().get_items().row_count() > 0
        })
        .dwell(1000)
        .press("ケースに戻る")
        .until(|w| w.get_screen() == Screen::Case)
        .press("一覧へ戻る")
        .until(|w| w.get_screen() == Screen::CaseList)
        .step(|w, _| {
            let presented = rows(w).into_iter().find(|(_, name)| name == PRESENTED);
            if let Some((id, _)) = presented {
                w.global::<CaseListAdapter<'_>>()
                    .invoke_open_case(id.into());
            }
            true
        })
        .until(|w| w.get_screen() == Screen::Case)
        .dwell(500)
        .phase("opened two cases (one with its media)");

        s.press("写真・動画")
            .until(|w| {
                w.get_screen() == Screen::Media
                    && w.global::<MediaAdapter<'_>>().get_items().row_count() > 0
            })
            .dwell(1500)
            .press("ケースに戻る")
            .until(|w| w.get_screen() == Screen::Case)
            .dwell(300)
            .phase("media screen of the presented case");

        // Every page, turned with the next-page arrow.
        s.press("プレゼンテーション")
            .until(|w| {
                w.get_screen() == Screen::Presentation
                    && w.global::<PresentationAdapter<'_>>()
                        .get_pages()
                        .row_count()
                        > 0
            })
            .dwell(500)
            .step(|w, state| {
                let adapter = w.global::<PresentationAdapter<'_>>();
                let page = adapter.get_page();
                if state.clip_page.is_none()
                    && adapter
                        .get_pages()
                        .row_data(usize::try_from(page).unwrap_or(0))
                        .is_some_and(|p| p.video)
                {
                    state.clip_page = Some(page);
                }
                // One page every 200 ms: each is drawn before the next.
                if state.elapsed() < Duration::from_millis(200) * (state.turns + 1) {
                    return false;
                }
                state.turns += 1;
                !press(w, "次のページ")
            })
            .dwell(300)
            .phase("presentation: every page turned");

        // A clip plays for a few seconds, if GStreamer can here.
        s.step(|w, state| {
            let adapter = w.global::<PresentationAdapter<'_>>();
            match state.clip_page {
                Some(page) => {
                    adapter.set_page(page);
                    let id = adapter
                        .get_pages()
                        .row_data(usize::try_from(page).unwrap_or(0))
                        .map(|p| p.media_id)
                        .unwrap_or_default();
                    adapter.invoke_play(id);
                }
                None => state.playback = "no clip page".into(),
            }
            true
        })
        .step(|w, state| {
            let adapter = w.global::<PresentationAdapter<'_>>();
            if !state.playback.is_empty() {
                return true;
            }
            if !adapter.get_video_error().is_empty() {
                state.playback = "the clip could not be played".into();
                return true;
            }
            if adapter.get_playing() && state.elapsed() >= PLAYING {
                state.playback = format!("played {} s", PLAYING.as_secs());
                return true;
            }
            if !adapter.get_playing() && state.elapsed() >= Duration::from_secs(30) {
                state.playback = "the clip did not start within 30 s".into();
                return true;
            }
            false
        })
        .step(|w, _| {
            w.global::<PresentationAdapter<'_>>().invoke_stop_video();
            true
        })
        .phase("presentation: a clip played");

        s.press("終了")
            .step(|w, _| type_into(w, "パスワード", PASSWORD))
            .press("終了する")
            .until(|w| w.get_screen() == Screen::Case)
            .press("一覧へ戻る")
            .until(|w| w.get_screen() == Screen::CaseList)
            .dwell(500)
            .phase("left the presentation: case list");
        s
    }

    /// Runs the steps from the event loop; `report` gets each phase's name
    /// with the memory then, and `done` the state at the end (or the step
    /// that timed out).
    pub fn run(
        self,
        window: &AppWindow,
        report: impl Fn(&str, (u64, u64)) + 'static,
        done: impl FnOnce(Result<State, String>) + 'static,
    ) -> slint::Timer {
        let weak = window.as_weak();
        let steps = Rc::new(RefCell::new((
            self.steps.into_iter(),
            None,
            State::default(),
        )));
        let done = RefCell::new(Some(done));
        let timer = slint::Timer::default();
        timer.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(20),
            move || {
                let Some(w) = weak.upgrade() else { return };
                let mut guard = steps.borrow_mut();
                let (iter, current, state) = &mut *guard;
                if current.is_none() {
                    *current = iter.next();
                    state.step_started = Some(Instant::now());
                    state.turns = 0;
                }
                let Some((phase, step)) = current.as_mut() else {
                    if let Some(done) = done.borrow_mut().take() {
                        done(Ok(std::mem::take(state)));
                    }
                    return;
                };
                if step(&w, state) {
                    if let Some(name) = phase {
                        report(name, memory());
                        reset_peak();
                    }
                    *current = None;
                } else if state.elapsed() > STEP_LIMIT
                    && let Some(done) = done.borrow_mut().take()
                {
                    done(Err(format!(
                        "a step timed out (screen {:?})",
                        w.get_screen()
                    )));
                }
            },
        );
        timer
    }
}
