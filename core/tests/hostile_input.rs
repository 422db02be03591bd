//! Property tests of the parsers that read what another device, a file or
//! a publisher hands over: whatever the bytes, they answer with a value or
//! an error, never a panic or a hang. The fuzz targets in `fuzz/` drive the
//! same entry points for longer (see `fuzz/README.md`).

use std::io::Cursor;

use proptest::prelude::*;
use tsunagi_core::backup::{BackupFile, Unseal, deidentified_revision};
use tsunagi_core::media::photo;
use tsunagi_core::model::{Case, demo_cases};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::seal::{BundleReader, DeviceKeys};

const BUNDLED_DISEASES: &str = include_str!("../../assets/reference/diseases.json");
const BUNDLED_OCCUPATIONS: &str = include_str!("../../assets/reference/occupations.json");

/// The first line of a backup, for building hostile ones.
const BACKUP_HEADER: &str = r#"{"magic":"tsunagi-backup","format":1,"kind":"without-personal-data","created_at":"2024-01-01T00:00:00Z","store_id":"s","made_by":"tsunagi","account":"admin"}"#;

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
    fn arbitrary_bytes_do_not_open_as_a_backup(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let identity = age::x25519::Identity::generate();
        let opened = BackupFile::open(Cursor::new(bytes))
            .and_then(|file| file.unseal(&Unseal::Identities(vec![identity])));
        prop_assert!(opened.is_err());
    }

    #[test]
    fn a_hostile_backup_behind_the_age_layer_is_read_or_refused_without_a_panic(
        lines in prop::collection::vec(
            prop_oneof![
                Just(BACKUP_HEADER.to_owned()),
                Just(r#"{"end":{"cases":1}}"#.to_owned()),
                Just(r#"{"case":{"id":"00000000-0000-4000-8000-000000000000","revision":1,"created_at":"2024-01-01T00:00:00Z","created_by":"a","updated_at":"2024-01-01T00:00:00Z","assigned_to":[],"content":{},"history":[{"revision":1,"author":"a","at":"2024-01-01T00:00:00Z","section":"basic","changes":[{"path":"basic.name","old":null,"new":"x"}]}],"reentry":["basic.name"]}}"#.to_owned()),
                "[ -~]{0,80}",
            ],
            0..6,
        ),
        at in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let plaintext = if text.is_empty() { Vec::new() } else { mutate(&text, &at) };
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public();
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("one recipient");
        let mut sealed = Vec::new();
        let mut writer = encryptor.wrap_output(&mut sealed).expect("in memory");
        std::io::Write::write_all(&mut writer, &plaintext).expect("in memory");
        writer.finish().expect("in memory");
        let file = BackupFile::open(Cursor::new(sealed)).expect("an age file");
        if let Ok(mut reader) = file.unseal(&Unseal::Identities(vec![identity])) {
            let mut cases = 0;
            while let Ok(Some(entry)) = reader.next_case() {
                for revision in &entry.history {
                    let _ = deidentified_revision(revision);
                }
                cases += 1;
                prop_assert!(cases <= lines.len());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_do_not_open_as_a_sealed_bundle(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let keys = DeviceKeys::generate();
        prop_assert!(BundleReader::open(Cursor::new(bytes), &keys, &|_| true).is_err());
    }
}
