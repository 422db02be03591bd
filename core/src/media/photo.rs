//! Photo sanitizing (写真の加工): what a photo becomes before it is stored.
//!
//! The picture is decoded, turned upright by its EXIF orientation, shrunk
//! so its longer side fits the limit (Lanczos3), and encoded again as a
//! baseline JPEG at quality 85. The new file carries pixels only: the
//! encoder writes no EXIF (so no GPS position, camera serial or date), no
//! XMP, no ICC profile and no comment. Nothing of the original file is
//! copied.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader};

use super::MediaError;

/// The JPEG quality photos are stored at.
pub const JPEG_QUALITY: u8 = 85;

/// A photo ready to store: JPEG bytes with no metadata.
#[derive(Clone)]
pub struct SanitizedPhoto {
    /// The JPEG file.
    pub jpeg: Vec<u8>,
    /// Width in pixels, upright.
    pub width: u32,
    /// Height in pixels, upright.
    pub height: u32,
}

impl std::fmt::Debug for SanitizedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SanitizedPhoto")
            .field("bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

fn map_error(e: ImageError) -> MediaError {
    match e {
        ImageError::Unsupported(_) => MediaError::NotAnImage,
        ImageError::Limits(_) => MediaError::TooLarge,
        ImageError::IoError(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => {
            MediaError::Io(e)
        }
        _ => MediaError::BrokenImage,
    }
}

/// Decodes `bytes` (JPEG, PNG, WebP, GIF or TIFF, recognised by content)
/// and applies the orientation its EXIF asks for.
pub fn decode_upright(bytes: &[u8]) -> Result<DynamicImage, MediaError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(MediaError::Io)?;
    if reader.format().is_none() {
        return Err(MediaError::NotAnImage);
    }
    let mut decoder = reader.into_decoder().map_err(map_error)?;
    // A broken EXIF block loses only the rotation, not the photo.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(map_error)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Encodes `img` as a JPEG with no metadata, shrunk to fit `max_edge`.
pub fn encode_clean(
    img: &DynamicImage,
    max_edge: u32,
    filter: FilterType,
) -> Result<SanitizedPhoto, MediaError> {
    let max_edge = max_edge.max(1);
    let resized;
    let img = if img.width() > max_edge || img.height() > max_edge {
        resized = img.resize(max_edge, max_edge, filter);
        &resized
    } else {
        img
    };
    let rgb = flatten(img);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(map_error)?;
    Ok(SanitizedPhoto {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// RGB with any transparency laid over white, as paper would show it.
fn flatten(img: &DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

/// The whole sanitizing step: decode, orient, shrink to `max_edge`, and
/// re-encode with no metadata.
pub fn sanitize(bytes: &[u8], max_edge: u32) -> Result<SanitizedPhoto, MediaError> {
    let img = decode_upright(bytes)?;
    encode_clean(&img, max_edge, FilterType::Lanczos3)
}

/// A photo and its poster (thumbnail, [`POSTER_EDGE`](super::POSTER_EDGE)
/// pixels on the longer side), both sanitized, from one decode.
pub fn sanitize_with_poster(
    bytes: &[u8],
    max_edge: u32,
) -> Result<(SanitizedPhoto, SanitizedPhoto), MediaError> {
    let img = decode_upright(bytes)?;
    let photo = encode_clean(&img, max_edge, FilterType::Lanczos3)?;
    let poster = encode_clean(&img, super::POSTER_EDGE, FilterType::CatmullRom)?;
    Ok((photo, poster))
}

/// The APPn / COM segments of a JPEG's header, as (marker, payload) pairs:
/// what a test or a check needs to prove no metadata is left.
pub fn jpeg_header_segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let end = (i + 2 + len).min(jpeg.len());
        if (0xE0..=0xEF).contains(&marker) || marker == 0xFE {
            out.push((marker, jpeg[(i + 4).min(end)..end].to_vec()));
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::fixtures::gps_tagged_jpeg;
    use image::{GenericImageView, Rgb, RgbImage};

    fn is_red(p: image::Rgba<u8>) -> bool {
        p[0] > 180 && p[1] < 90 && p[2] < 90
    }

    #[test]
    fn the_test_photo_really_carries_gps_and_orientation() {
        let jpeg = gps_tagged_jpeg();
        let segments = jpeg_header_segments(&jpeg);
        assert!(
            segments
                .iter()
                .any(|(m, p)| *m == 0xE1 && p.starts_with(b"Exif"))
        );
        let mut decoder = ImageReader::new(Cursor::new(&jpeg))
            .with_guessed_format()
            .expect("reads")
            .into_decoder()
            .expect("decodes");
        assert_eq!(
            decoder.orientation().expect("orientation"),
            image::metadata::Orientation::Rotate90
        );
    }

    #[test]
    fn a_sanitized_photo_has_no_metadata_and_is_turned_upright() {
        let out = sanitize(&gps_tagged_jpeg(), 2000).expect("sanitizes");
        let segments = jpeg_header_segments(&out.jpeg);
        assert!(
            segments.iter().all(|(m, _)| *m == 0xE0),
            "only the JFIF APP0 segment may remain: {:?}",
            segments.iter().map(|(m, _)| *m).collect::<Vec<_>>()
        );
        for needle in [
            &b"Exif"[..],
            b"http://ns.adobe.com",
            b"xmpmeta",
            b"ICC_PROFILE",
        ] {
            assert!(
                !out.jpeg.windows(needle.len()).any(|w| w == needle),
                "{:?} found",
                String::from_utf8_lossy(needle)
            );
        }
        // Orientation 6: turned a quarter clockwise, so 48×24 becomes 24×48
        // and the top-left corner goes to the top-right.
        assert_eq!((out.width, out.height), (24, 48));
        let img = image::load_from_memory(&out.jpeg).expect("decodes");
        assert_eq!(img.dimensions(), (24, 48));
        assert!(is_red(img.get_pixel(20, 3)), "{:?}", img.get_pixel(20, 3));
        assert!(!is_red(img.get_pixel(3, 3)));
        assert!(!is_red(img.get_pixel(3, 44)));
        assert!(!is_red(img.get_pixel(20, 44)));
    }

    #[test]
    fn a_large_photo_is_shrunk_to_the_long_edge_keeping_its_shape() {
        let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(1200, 800, Rgb([10, 20, 30])));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encodes");
        let out = sanitize(&png, 600).expect("sanitizes");
        assert_eq!((out.width, out.height), (600, 400));
        let small = sanitize(&png, 2000).expect("sanitizes");
        assert_eq!((small.width, small.height), (1200, 800));
    }

    #[test]
    fn transparent_pixels_become_white() {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            16,
            16,
            image::Rgba([0, 0, 0, 0]),
        ));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encodes");
        let out = image::load_from_memory(&sanitize(&png, 100).expect("sanitizes").jpeg)
            .expect("decodes");
        assert!(out.get_pixel(8, 8)[0] > 240);
    }

    #[test]
    fn text_is_not_an_image_and_a_cut_off_photo_is_broken() {
        assert!(matches!(
            sanitize(b"hello, this is not a photo", 2000),
            Err(MediaError::NotAnImage)
        ));
        let jpeg = gps_tagged_jpeg();
        let cut = &jpeg[..jpeg.len() * 2 / 3];
        assert!(matches!(sanitize(cut, 2000), Err(MediaError::BrokenImage)));
        let png_head = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0";
        assert!(matches!(
            sanitize(png_head, 2000),
            Err(MediaError::BrokenImage)
        ));
    }
}
