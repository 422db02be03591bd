//! The settings screen's controller (設定), the settings file, and the
//! auto-lock after inactivity.
//!
//! Settings belong to the device, not to an account: the screen language,
//! the minutes before the app locks itself, and the text size. They are kept
//! in `settings.json` in the data folder, which is not encrypted and holds
//! nothing identifying (no account name, no case). A missing or unreadable
//! file means the defaults.
//!
//! Auto-lock: every touch or key in the window is reported
//! (`SettingsAdapter.user-active`, raised by `AppWindow` without consuming
//! the event); a timer on the UI thread checks every few seconds and, once
//! the idle time passes the setting, does what the lock button does.

use std::cell::RefCell;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use slint::{ComponentHandle, Timer, TimerMode};

use super::i18n::Language;
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, CaseListAdapter, LoginAdapter, Screen, SettingsAdapter, Theme};

/// The settings file in the data folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// The text size (文字の大きさ).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    /// 標準.
    #[default]
    Standard,
    /// 大.
    Large,
    /// 特大.
    ExtraLarge,
}

impl TextSize {
    /// The order of the screen's choices.
    pub const ALL: [TextSize; 3] = [TextSize::Standard, TextSize::Large, TextSize::ExtraLarge];

    /// The factor every type size of the theme is multiplied by.
    pub fn scale(self) -> f32 {
        match self {
            Self::Standard => 1.0,
            Self::Large => 1.2,
            Self::ExtraLarge => 1.4,
        }
    }
}

/// The device's settings, as kept in [`SETTINGS_FILE`]. Nothing here
/// identifies anyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The screen language.
    pub language: Language,
    /// Minutes without input before the app locks itself, 1 to 60.
    pub auto_lock_minutes: u32,
    /// The text size.
    pub text_size: TextSize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::Japanese,
            auto_lock_minutes: Self::DEFAULT_AUTO_LOCK_MINUTES,
            text_size: TextSize::Standard,
        }
    }
}

impl Settings {
    /// The auto-lock time on a new device.
    pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 5;
    /// The shortest and longest auto-lock times offered.
    pub const AUTO_LOCK_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

    /// The settings in `dir`, or the defaults when the file is missing or
    /// unreadable (a damaged settings file must never keep anyone out).
    /// Out-of-range values are brought into range.
    pub fn load(dir: &Path) -> Self {
        let read = fs::read(dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Settings>(&bytes).ok())
            .unwrap_or_default();
        read.clamped()
    }

    /// Writes the settings to `dir` (created if needed). The file is
    /// replaced whole: a crash leaves the old or the new file, never half.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        fs::create_dir_all(dir)?;
        let json =
            serde_json::to_vec_pretty(&self.clamped()).expect("settings always serialise to JSON");
        let temp = dir.join(format!("{SETTINGS_FILE}.tmp"));
        {
            let mut file = fs::File::create(&temp)?;
            file.write_all(&json)?;
            file.sync_all()?;
        }
        fs::rename(&temp, dir.join(SETTINGS_FILE))
    }

    /// These settings with the auto-lock time brought into range.
    pub fn clamped(self) -> Self {
        Self {
            auto_lock_minutes: self
                .auto_lock_minutes
                .clamp(*Self::AUTO_LOCK_RANGE.start(), *Self::AUTO_LOCK_RANGE.end()),
            ..self
        }
    }

    /// The idle time after which the app locks itself.
    pub fn auto_lock_after(&self) -> Duration {
        Duration::from_secs(u64::from(self.clamped().auto_lock_minutes) * 60)
    }
}

/// When to lock for inactivity (自動ロック). Time is passed in, so the
/// decision is tested without a clock or a window.
#[derive(Clone, Copy, Debug)]
pub struct AutoLock {
    last_activity: Instant,
}

impl AutoLock {
    /// Counting from `now`.
    pub fn new(now: Instant) -> Self {
        Self { last_activity: now }
    }

    /// The user touched the screen or pressed a key at `now`. An instant
    /// earlier than the last one recorded changes nothing.
    pub fn activity(&mut self, now: Instant) {
        self.last_activity = self.last_activity.max(now);
    }

    /// How long the user has been inactive at `now`.
    pub fn idle(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.last_activity)
    }

    /// Whether the app must lock at `now` when it locks after `limit`.
    pub fn is_due(&self, now: Instant, limit: Duration) -> bool {
        self.idle(now) >= limit
    }
}

/// How often the auto-lock looks at the clock: the lock comes at most this
/// much later than the setting says.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// The settings and the auto-lock as the UI thread holds them.
pub(super) struct Watch {
    settings: RefCell<Settings>,
    auto_lock: RefCell<AutoLock>,
    timer: Timer,
}

impl Watch {
    /// Whether the app must lock now: a store is open and the user has been
    /// inactive longer than the setting.
    fn due(&self, window: &AppWindow, now: Instant) -> bool {
        let open = !matches!(window.get_screen(), Screen::Login | Screen::Setup);
        let limit = self.settings.borrow().auto_lock_after();
        open && self.auto_lock.borrow().is_due(now, limit)
    }
}

/// Loads the settings from the session's data folder, applies them to
/// `window`, wires the settings screen and starts the auto-lock timer.
/// The returned handle keeps the timer running; drop it with the window.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Rc<Router>) -> Rc<Watch> {
    let settings = Settings::load(session.dir());
    let watch = Rc::new(Watch {
        settings: RefCell::new(settings),
        auto_lock: RefCell::new(AutoLock::new(Instant::now())),
        timer: Timer::default(),
    });
    apply(window, &settings);

    let adapter = window.global::<SettingsAdapter<'_>>();
    let w = Rc::downgrade(&watch);
    adapter.on_user_active(move || {
        if let Some(watch) = w.upgrade() {
            watch.auto_lock.borrow_mut().activity(Instant::now());
        }
    });

    let change = {
        let (weak, w, s) = (window.as_weak(), Rc::downgrade(&watch), Arc::clone(session));
        move |edit: &dyn Fn(&mut Settings)| {
            let (Some(window), Some(watch)) = (weak.upgrade(), w.upgrade()) else {
                return;
            };
            let mut settings = *watch.settings.borrow();
            edit(&mut settings);
            let settings = settings.clamped();
            *watch.settings.borrow_mut() = settings;
            apply(&window, &settings);
            // A settings file that cannot be written costs the choice at the
            // next start, nothing more; the choice holds for this session.
            let _ = settings.save(s.dir());
        }
    };
    let on_language = change.clone();
    adapter.on_language_chosen(move |index| {
        let language = pick(&Language::ALL, index);
        on_language(&|s| s.language = language);
    });
    let on_text = change.clone();
    adapter.on_text_size_chosen(move |index| {
        let size = pick(&TextSize::ALL, index);
        on_text(&|s| s.text_size = size);
    });
    adapter.on_auto_lock_changed(move |minutes| {
        let minutes = u32::try_from(minutes).unwrap_or(0);
        change(&|s| s.auto_lock_minutes = minutes);
    });

    let weak = window.as_weak();
    adapter.on_back(move || {
        let Some(window) = weak.upgrade() else { return };
        let unlocked = window.global::<SettingsAdapter<'_>>().get_unlocked();
        window.set_screen(if unlocked {
            Screen::CaseList
        } else {
            Screen::Login
        });
    });

    let weak = window.as_weak();
    window
        .global::<CaseListAdapter<'_>>()
        .on_open_settings(move || {
            if let Some(window) = weak.upgrade() {
                open(&window, true);
            }
        });
    let weak = window.as_weak();
    window
        .global::<LoginAdapter<'_>>()
        .on_open_settings(move || {
            if let Some(window) = weak.upgrade() {
                open(&window, false);
            }
        });

    let (weak, w, s, r) = (
        window.as_weak(),
        Rc::downgrade(&watch),
        Arc::clone(session),
        Rc::clone(router),
    );
    watch
        .timer
        .start(TimerMode::Repeated, CHECK_EVERY, move || {
            let (Some(window), Some(watch)) = (weak.upgrade(), w.upgrade()) else {
                return;
            };
            lock_if_idle(&watch, &s, &r, &window, Instant::now());
        });
    watch
}

/// Shows the settings screen; `unlocked` says where its back button leads.
pub(super) fn open(window: &AppWindow, unlocked: bool) {
    window
        .global::<SettingsAdapter<'_>>()
        .set_unlocked(unlocked);
    window.set_screen(Screen::Settings);
}

/// Locks the app if the user has been inactive too long at `now`; returns
/// whether it locked.
pub(super) fn lock_if_idle(
    watch: &Watch,
    session: &Arc<Session>,
    router: &Router,
    window: &AppWindow,
    now: Instant,
) -> bool {
    if !watch.due(window, now) {
        return false;
    }
    router.lock(session, window);
    // The next session starts counting from the next login.
    watch.auto_lock.borrow_mut().activity(now);
    true
}

/// Shows `settings` on the screen and applies them: language, text size.
fn apply(window: &AppWindow, settings: &Settings) {
    let adapter = window.global::<SettingsAdapter<'_>>();
    adapter.set_language(index_of(&Language::ALL, settings.language));
    adapter.set_text_size(index_of(&TextSize::ALL, settings.text_size));
    adapter.set_auto_lock_minutes(i32::try_from(settings.auto_lock_minutes).unwrap_or(60));
    window
        .global::<Theme<'_>>()
        .set_text_scale(settings.text_size.scale());
    // Fails only when the UI was built without translations, which
    // app/build.rs always bundles: the screen then stays in Japanese.
    let _ = slint::select_bundled_translation(settings.language.bundle());
    super::i18n::set_language(settings.language);
}

fn pick<T: Copy + Default>(all: &[T], index: i32) -> T {
    usize::try_from(index)
        .ok()
        .and_then(|i| all.get(i).copied())
        .unwrap_or_default()
}

fn index_of<T: PartialEq>(all: &[T], value: T) -> i32 {
    all.iter()
        .position(|v| *v == value)
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn the_app_locks_once_the_idle_time_reaches_the_setting() {
        let start = Instant::now();
        let lock = AutoLock::new(start);
        let limit = Settings::default().auto_lock_after();
        assert_eq!(limit, 5 * MINUTE, "five minutes unless changed");
        assert!(!lock.is_due(start, limit));
        assert!(!lock.is_due(start + 5 * MINUTE - Duration::from_millis(1), limit));
        assert!(lock.is_due(start + 5 * MINUTE, limit));
    }

    #[test]
    fn activity_starts_the_count_again() {
        let start = Instant::now();
        let mut lock = AutoLock::new(start);
        lock.activity(start + 4 * MINUTE);
        assert!(!lock.is_due(start + 8 * MINUTE, 5 * MINUTE));
        assert!(lock.is_due(start + 9 * MINUTE, 5 * MINUTE));
    }

    #[test]
    fn an_earlier_instant_reported_late_does_not_shorten_the_idle_time() {
        let start = Instant::now();
        let mut lock = AutoLock::new(start + MINUTE);
        lock.activity(start);
        assert_eq!(lock.idle(start + 2 * MINUTE), MINUTE);
        assert_eq!(lock.idle(start), Duration::ZERO, "never negative");
    }

    #[test]
    fn a_shorter_setting_locks_sooner() {
        let start = Instant::now();
        let lock = AutoLock::new(start);
        let one = Settings {
            auto_lock_minutes: 1,
            ..Settings::default()
        };
        assert!(lock.is_due(start + MINUTE, one.auto_lock_after()));
        assert!(!lock.is_due(start + MINUTE, Settings::default().auto_lock_after()));
    }

    #[test]
    fn settings_survive_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let chosen = Settings {
            language: Language::English,
            auto_lock_minutes: 12,
            text_size: TextSize::ExtraLarge,
        };
        chosen.save(dir.path()).expect("saved");
        assert_eq!(Settings::load(dir.path()), chosen);
        let text = fs::read_to_string(dir.path().join(SETTINGS_FILE)).expect("file");
        assert!(text.contains("\"english\"") && text.contains("\"extra_large\""));
    }

    #[test]
    fn a_missing_or_damaged_file_means_the_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(Settings::load(dir.path()), Settings::default());
        fs::write(dir.path().join(SETTINGS_FILE), b"{not json").expect("write");
        assert_eq!(Settings::load(dir.path()), Settings::default());
    }

    #[test]
    fn an_out_of_range_auto_lock_time_is_brought_into_range() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(
            dir.path().join(SETTINGS_FILE),
            br#"{"auto_lock_minutes": 0, "language": "english"}"#,
        )
        .expect("write");
        let loaded = Settings::load(dir.path());
        assert_eq!(loaded.auto_lock_minutes, 1);
        assert_eq!(loaded.language, Language::English, "the rest is kept");
        assert_eq!(
            loaded.text_size,
            TextSize::Standard,
            "missing fields default"
        );
        let long = Settings {
            auto_lock_minutes: 600,
            ..Settings::default()
        };
        assert_eq!(long.auto_lock_after(), 60 * MINUTE);
    }

    #[test]
    fn choices_out_of_range_fall_back_to_the_first() {
        assert_eq!(pick(&Language::ALL, 1), Language::English);
        assert_eq!(pick(&Language::ALL, 7), Language::Japanese);
        assert_eq!(pick(&TextSize::ALL, -1), TextSize::Standard);
        assert_eq!(index_of(&TextSize::ALL, TextSize::Large), 1);
    }
}
