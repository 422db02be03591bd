//! Reading a QR code through the camera: the companion shows its pairing
//! code as one, and the tablet reads it instead of having it typed.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{AvError, Frame, FrameCallback, Preview, Source, preview};

/// How often a frame is searched for a code: a few times a second is quick
/// enough for a hand holding the tablet, and leaves the processor to the
/// picture on screen.
const EVERY: Duration = Duration::from_millis(150);

/// The texts of the QR codes in `frame`, in the order found; empty when it
/// holds none that can be read.
pub fn decode(frame: &Frame) -> Vec<String> {
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let pixels = frame.as_slice();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let p = pixels[y * width + x];
        // ITU-R BT.601 luma, in integers.
        ((77 * u32::from(p.r) + 150 * u32::from(p.g) + 29 * u32::from(p.b)) >> 8) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// A running scan: the camera's picture goes to `show` and every text read
/// from a QR code comes out of [`Scan::codes`]. Dropping it closes the
/// camera.
#[derive(Debug)]
pub struct Scan {
    codes: mpsc::Receiver<String>,
    _preview: Preview,
}

impl Scan {
    /// The texts read so far, waiting up to `timeout` for the next one.
    pub fn next_code(&self, timeout: Duration) -> Option<String> {
        self.codes.recv_timeout(timeout).ok()
    }
}

/// Opens `source` and starts looking for QR codes; every frame is also
/// handed to `show`. Opens the camera, which may take a moment: call it on
/// a worker thread.
pub fn scan(source: &Source, mut show: FrameCallback) -> Result<Scan, AvError> {
    let (tx, codes) = mpsc::sync_channel(4);
    let mut last: Option<Instant> = None;
    let on_frame: FrameCallback = Box::new(move |frame: Frame| {
        let now = Instant::now();
        let look = last.is_none_or(|t| now - t >= EVERY);
        // Shown first: the picture never waits for the search.
        show(frame.clone());
        if look {
            last = Some(now);
            for text in decode(&frame) {
                // A full channel means codes are not being taken: drop.
                let _ = tx.try_send(text);
            }
        }
    });
    let preview = preview(source, on_frame)?;
    Ok(Scan {
        codes,
        _preview: preview,
    })
}
