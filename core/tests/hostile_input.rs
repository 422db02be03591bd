//! Property tests of the parsers that read what another device, a file or
//! a publisher hands over: whatever the bytes, they answer with a value or
//! an error, never a panic or a hang. The fuzz targets in `fuzz/` drive the
//! same entry points for longer (see `fuzz/README.md`).

use std::io::Cursor;

use proptest::prelude::*;
use tsunagi_core::media::photo;
use tsunagi_core::model::{Case, demo_cases};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::seal::{BundleReader, DeviceKeys};

const BUNDLED_DISEASES: &str = include_str!("../../assets/reference/diseases.json");
const BUNDLED_OCCUPATIONS: &str = include_str!("../../assets/reference/occupations.json");

/// `text` with the bytes at `at` (positions modulo its length) replaced.
fn mutate(text: &str, at: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for &(i, b) in at {
        let n = bytes.len();
        bytes[i % n] = b;
    }
    bytes
}

fn demo_json() -> String {
    serde_json::to_string(&demo_cases()[0]).expect("a demo case serialises")
}

/// A small valid JPEG, to mutate.
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([x as u8 * 16, y as u8 * 20, 90]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encodes");
    out.into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn case_json_from_another_device_is_read_or_refused(
        at in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
    ) {
        let bytes = mutate(&demo_json(), &at);
        if let Ok(case) = serde_json::from_slice::<Case>(&bytes) {
            // Whatever parses is then judged by the same limits as at entry.
            let _ = case.validate();
        }
    }

    #[test]
    fn reference_files_are_validated_or_refused(
        at in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        which in any::<bool>(),
    ) {
        let (d, o) = if which {
            (mutate(BUNDLED_DISEASES, &at), BUNDLED_OCCUPATIONS.as_bytes().to_vec())
        } else {
            (BUNDLED_DISEASES.as_bytes().to_vec(), mutate(BUNDLED_OCCUPATIONS, &at))
        };
        if let (Ok(d), Ok(o)) = (std::str::from_utf8(&d), std::str::from_utf8(&o)) {
            let _ = ReferenceDb::from_texts(d, o);
        }
    }

    #[test]
    fn photos_are_cleaned_or_refused(
        at in prop::collection::vec((any::<usize>(), any::<u8>()), 1..12),
    ) {
        let bytes = jpeg();
        let mut bytes = bytes.clone();
        for &(i, b) in &at {
            let n = bytes.len();
            bytes[i % n] = b;
        }
        let _ = photo::sanitize(&bytes, 64);
    }

    #[test]
    fn bytes_of_no_image_format_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        // A zero first byte starts no image format the importer reads.
        let bytes = [&[0u8][..], &bytes].concat();
        prop_assert!(photo::sanitize(&bytes, 64).is_err());
    }

    #[test]
    fn arbitrary_bytes_do_not_open_as_a_sealed_bundle(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let keys = DeviceKeys::generate();
        prop_assert!(BundleReader::open(Cursor::new(bytes), &keys, &|_| true).is_err());
    }
}
