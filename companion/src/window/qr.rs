//! The pairing code as a QR code, for a tablet's camera.

use qrcode::{Color, QrCode};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// Pixels per module, and the quiet zone around the code in modules.
const SCALE: usize = 6;
const QUIET: usize = 4;

/// The modules of `text`'s QR code (error correction M), dark = `true`,
/// row by row, and the side in modules; `None` if it does not fit a code.
pub fn modules(text: &str) -> Option<(Vec<bool>, usize)> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let side = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Some((dark, side))
}

/// `text` as a QR code image, black on white with its quiet zone; an empty
/// image if it does not fit a code (the text is shown beside it anyway).
pub fn image(text: &str) -> Image {
    let Some((dark, side)) = modules(text) else {
        return Image::default();
    };
    let px = (side + 2 * QUIET) * SCALE;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(px as u32, px as u32);
    let pixels = buffer.make_mut_slice();
    for (i, pixel) in pixels.iter_mut().enumerate() {
        let (x, y) = (i % px / SCALE, i / px / SCALE);
        let on = x >= QUIET
            && y >= QUIET
            && x < QUIET + side
            && y < QUIET + side
            && dark[(y - QUIET) * side + (x - QUIET)];
        let v = if on { 0 } else { 255 };
        *pixel = Rgb8Pixel { r: v, g: v, b: v };
    }
    Image::from_rgb8(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pairing_code_fits_a_qr_code_with_its_finder_patterns() {
        let code = format!("TSUNAGI1-{}", "A".repeat(80));
        let (dark, side) = modules(&code).expect("fits");
        assert!(side >= 21 && (side - 17) % 4 == 0, "side {side}");
        // The top-left finder pattern: a dark 7×7 ring around a light ring.
        for i in 0..7 {
            assert!(dark[i], "top row of the finder");
            assert!(dark[6 * side + i], "bottom row of the finder");
            assert!(dark[i * side], "left column of the finder");
        }
        assert!(!dark[side + 1], "the finder's light ring");
        let image = image(&code);
        assert_eq!(image.size().width as usize, (side + 2 * QUIET) * SCALE);
    }
}
