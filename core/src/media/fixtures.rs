//! Test pictures and clips, built byte by byte, for this crate's tests and
//! the apps' command-line tests. Not for production use.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// A TIFF/EXIF block (little-endian) with Orientation = `orientation`
/// and a GPS IFD holding a latitude, written by hand.
pub fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"II*\0");
    t.extend_from_slice(&8u32.to_le_bytes());
    // IFD0 at 8: 2 entries.
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value);
    };
    let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    t.extend_from_slice(&2u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, 4, 1, gps_ifd.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: version, latitude ref, latitude (3 rationals after it).
    let lat_at: u32 = gps_ifd + 2 + 3 * 12 + 4;
    t.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut t, 0x0000, 1, 4, [2, 3, 0, 0]);
    entry(&mut t, 0x0001, 2, 2, [b'N', 0, 0, 0]);
    entry(&mut t, 0x0002, 5, 3, lat_at.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(35u32, 1u32), (41, 1), (2232, 100)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&t);
    app1
}

/// A 48×24 JPEG, green with a red 8×8 block at the top-left corner,
/// carrying an EXIF APP1 block with GPS and Orientation = 6, and an XMP
/// APP1 block.
pub fn gps_tagged_jpeg() -> Vec<u8> {
    let img = RgbImage::from_fn(48, 24, |x, y| {
        if x < 8 && y < 8 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 160, 0])
        }
    });
    let mut plain = Vec::new();
    JpegEncoder::new_with_quality(&mut plain, 95)
        .encode_image(&img)
        .expect("encodes");
    let mut out = plain[..2].to_vec();
    for payload in [
        exif_with_gps(6),
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPS</x:xmpmeta>".to_vec(),
    ] {
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&payload);
    }
    out.extend_from_slice(&plain[2..]);
    out
}

/// A minimal MP4 (`ftyp`, `moov` with `mvhd`, `mdat`) of `duration_ms` and
/// `payload` bytes of media data: enough for the importer, not playable.
pub fn minimal_mp4(duration_ms: u32, payload: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let ftyp = b"isom\0\0\x02\0isomiso2mp41";
    out.extend_from_slice(&((8 + ftyp.len()) as u32).to_be_bytes());
    out.extend_from_slice(b"ftyp");
    out.extend_from_slice(ftyp);
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&duration_ms.to_be_bytes());
    let moov_len = 8 + 8 + mvhd.len();
    out.extend_from_slice(&(moov_len as u32).to_be_bytes());
    out.extend_from_slice(b"moov");
    out.extend_from_slice(&((8 + mvhd.len()) as u32).to_be_bytes());
    out.extend_from_slice(b"mvhd");
    out.extend_from_slice(&mvhd);
    out.extend_from_slice(&((8 + payload) as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend((0..payload).map(|i| (i * 7 % 251) as u8));
    out
}
