//! Reading the companion's pairing code through the camera: a picture of the
//! QR code, held in front of it (a still-picture source on a real GStreamer
//! pipeline), is read; a picture without one gives nothing.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use qrcode::{Color, QrCode};
use tsunagi_app::av::{self, Source};

/// A 640×480 grey picture with `text`'s QR code in it, as a camera sees a
/// screen: not filling the frame, not in the middle.
fn qr_picture(text: &str, path: &Path) {
    let code = QrCode::new(text.as_bytes()).expect("fits a code");
    let side = code.width();
    let colors = code.to_colors();
    let (scale, quiet, left, top) = (5u32, 4u32, 150u32, 40u32);
    let image = image::GrayImage::from_fn(640, 480, |x, y| {
        let (mx, my) = (
            (x as i64 - left as i64) / scale as i64 - quiet as i64,
            (y as i64 - top as i64) / scale as i64 - quiet as i64,
        );
        let span = (side as u32 + 2 * quiet) * scale;
        if x < left || y < top || x >= left + span || y >= top + span {
            return image::Luma([128]);
        }
        let dark = mx >= 0
            && my >= 0
            && (mx as usize) < side
            && (my as usize) < side
            && colors[my as usize * side + mx as usize] == Color::Dark;
        image::Luma([if dark { 20 } else { 235 }])
    });
    image.save(path).expect("writes the picture");
}

fn counting() -> (Arc<AtomicUsize>, av::FrameCallback) {
    let frames = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&frames);
    (
        frames,
        Box::new(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        }),
    )
}

#[test]
fn a_pairing_code_held_to_the_camera_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("code.png");
    let text = "TSUNAGI1-127.0.0.1:47800-3q2+7w-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
    qr_picture(text, &path);
    let (frames, show) = counting();
    let scan = av::scan(&Source::Picture(path), show).expect("the picture opens");
    let read = scan.next_code(Duration::from_secs(20));
    assert_eq!(read.as_deref(), Some(text));
    assert!(
        frames.load(Ordering::SeqCst) > 0,
        "the picture was shown too"
    );
}

#[test]
fn a_picture_without_a_code_gives_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plain.png");
    image::GrayImage::from_fn(640, 480, |x, y| image::Luma([((x ^ y) & 0xff) as u8]))
        .save(&path)
        .expect("writes");
    let (frames, show) = counting();
    let scan = av::scan(&Source::Picture(path), show).expect("the picture opens");
    assert_eq!(scan.next_code(Duration::from_secs(2)), None);
    assert!(
        frames.load(Ordering::SeqCst) > 10,
        "the picture was looked at for two seconds"
    );
}

#[test]
fn a_missing_picture_is_an_error_not_a_silent_blank() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, show) = counting();
    let opened = av::scan(&Source::Picture(dir.path().join("none.png")), show);
    assert!(opened.is_err(), "a missing picture opened");
}
