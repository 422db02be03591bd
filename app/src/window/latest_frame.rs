//! Frames from a GStreamer thread to the window, the latest only. A camera
//! or a clip makes frames at its own pace; when the window draws slower
//! (a busy tablet, a large window), frames that were sent one by one would
//! wait in the event loop's queue, 8 MB each at 1080p, and the app's memory
//! would grow as long as the video ran. Here a new frame replaces the one
//! not yet shown, so at most one waits.

use std::sync::{Arc, Mutex, PoisonError};

use crate::av::Frame;

use super::ui::AppWindow;

/// A frame callback that shows each frame with `show` on the window's
/// thread, dropping a frame that a newer one overtook before it was shown.
pub(super) fn latest_to(
    window: slint::Weak<AppWindow>,
    show: fn(&AppWindow, Frame),
) -> impl FnMut(Frame) + Send + 'static {
    let waiting = Arc::new(Waiting::default());
    move |frame| {
        if !waiting.put(frame) {
            return;
        }
        let waiting = Arc::clone(&waiting);
        let _ = window.upgrade_in_event_loop(move |window| {
            if let Some(frame) = waiting.take() {
                show(&window, frame);
            }
        });
    }
}

/// The one item waiting to be taken.
#[derive(Debug)]
struct Waiting<T>(Mutex<Option<T>>);

impl<T> Default for Waiting<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T> Waiting<T> {
    /// Puts `item` in the place of any not taken; `true` when none was
    /// waiting, so that the taker must be called.
    fn put(&self, item: T) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(item)
            .is_none()
    }

    fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

#[cfg(test)]
mod tests {
    use super::Waiting;

    #[test]
    fn a_newer_item_replaces_the_one_waiting_and_asks_for_no_second_taker() {
        let waiting = Waiting::default();
        assert!(waiting.put(1), "the first item calls the taker");
        assert!(!waiting.put(2), "the taker is already called");
        assert!(!waiting.put(3));
        assert_eq!(waiting.take(), Some(3), "only the latest is shown");
        assert_eq!(waiting.take(), None, "nothing else waits");
        assert!(waiting.put(4), "once taken, the next item calls the taker");
    }
}
