//! The camera into the encrypted store, as the 写真・動画 screen does it, with
//! GStreamer's test pattern and tone as camera and microphone: a photo and a
//! 5-second clip go in with their captions; decrypted, the clip plays back
//! five seconds long with 150 frames and sound; and no file under the data
//! folder holds a JPEG or MP4 signature, an Exif block or a caption.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tsunagi_app::av::{self, Limits, Source};
use tsunagi_core::media::{MediaKind, VideoInfo};
use tsunagi_core::model::demo_cases;
use tsunagi_core::store::{KdfParams, MediaDetails, MemoryKeychain, Store, StoreOptions};

const PHOTO_CAPTION: &str = "棚に部品を並べる本人の手元（写真）";
const CLIP_CAPTION: &str = "検品の手順を説明しながら作業する様子（動画）";

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads the folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn details(caption: &str) -> MediaDetails {
    MediaDetails {
        caption: caption.into(),
        illustrates: "丁寧な作業".into(),
        taken_at: None,
    }
}

#[test]
fn a_photo_and_a_five_second_clip_are_stored_encrypted_and_play_back_whole() {
    let temp = tempfile::tempdir().expect("temp dir");
    let data = temp.path().join("data");
    let (mut store, _) = Store::create(
        &data,
        Arc::new(MemoryKeychain::default()),
        "admin",
        "ながい合言葉 2026",
        StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        },
    )
    .expect("a store");
    let case = store.create_case(&demo_cases().remove(0)).expect("a case");

    // The photo, as the screen takes it.
    let jpeg = av::capture_photo(&Source::Test).expect("a photo from the camera");
    assert!(
        jpeg.starts_with(&[0xFF, 0xD8, 0xFF]),
        "the camera gives a JPEG"
    );
    store
        .import_photo(case, &jpeg, &details(PHOTO_CAPTION))
        .expect("the photo is stored");

    // The clip, encrypted as it is encoded: the recording writes straight
    // into the store's writer and stops by itself at five seconds.
    let writer = store.begin_video(case).expect("a new item");
    let limits = Limits {
        max_duration: Duration::from_secs(5),
        max_bytes: 200 * 1024 * 1024,
    };
    let encoded = av::record_clip(&Source::Test, limits, writer, None)
        .expect("the recording starts")
        .wait()
        .expect("the recording ends by itself");
    let written = encoded.writer.finish().expect("the file is sealed");
    let poster = av::capture_photo(&Source::Test).expect("a poster");
    let info = VideoInfo {
        mime: "video/mp4".into(),
        duration_ms: u64::try_from(encoded.duration.as_millis()).expect("fits"),
    };
    let clip = store
        .commit_video(case, written, &poster, &info, &details(CLIP_CAPTION))
        .expect("the clip is stored");

    // Decrypted as GStreamer reads it: five seconds, 150 frames, sound.
    let stream = store.open_media(case, clip).expect("opens");
    let played = av::probe(stream).expect("the stored clip decodes");
    assert!(
        played.duration.abs_diff(Duration::from_secs(5)) <= Duration::from_millis(100),
        "{played:?}"
    );
    assert!(played.frames.abs_diff(150) <= 2, "{played:?}");
    assert!(played.has_audio, "{played:?}");
    assert_eq!(played.h264_profile.as_deref(), Some("main"));
    assert_eq!(played.chroma_format.as_deref(), Some("4:2:0"));
    let needles: [&[u8]; 6] = [
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF",
        b"ftypisom",
        b"ftypmp42",
        b"Exif\0\0",
        PHOTO_CAPTION.as_bytes(),
        CLIP_CAPTION.as_bytes(),
    ];
    let contains = |bytes: &[u8], needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);

    // The signatures looked for below are in what was stored, decrypted:
    // the scan would find them in any plaintext copy.
    let items = store.list_media(case).expect("lists");
    assert_eq!(items.len(), 2);
    for item in &items {
        let mut plain = Vec::new();
        std::io::Read::read_to_end(
            &mut store.open_media(case, item.id).expect("opens"),
            &mut plain,
        )
        .expect("reads");
        let found = match item.kind {
            MediaKind::Photo => contains(&plain, needles[0]),
            MediaKind::Video => contains(&plain, needles[1]) || contains(&plain, needles[2]),
        };
        assert!(found, "the {:?} carries its signature", item.kind);
    }
    drop(store);

    // Nothing under the data folder reads as a picture, a video or a
    // caption. The signatures are long enough not to turn up in random
    // bytes by chance.
    let stored = files(&data);
    assert!(stored.len() >= 3, "the database and two media files");
    for file in stored {
        let bytes = std::fs::read(&file).expect("reads");
        for needle in needles {
            assert!(
                !contains(&bytes, needle),
                "{} holds {:02x?}",
                file.display(),
                needle
            );
        }
    }
}
