//! `tsunagi media …` end to end, on a real SQLCipher file, real encrypted
//! media files and a file keystore in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tsunagi_core::media::fixtures::{gps_tagged_jpeg, minimal_mp4};
use tsunagi_core::media::photo::jpeg_header_segments;

const PW: &str = "correct horse battery";
const CAPTION: &str = "職場体験で部品を検品している写真";

struct Env {
    root: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let env = Self {
            root: tempfile::tempdir().expect("temp dir"),
        };
        env.ok(&["init", "--user", "admin"]);
        env.ok(&["demo"]);
        env
    }

    fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn tsunagi(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tsunagi"))
            .arg("--data-dir")
            .arg(self.data())
            .args(args)
            .env("TSUNAGI_KEYSTORE", "file")
            .env("TSUNAGI_KEYSTORE_DIR", self.root.path().join("keys"))
            .env_remove("TSUNAGI_DATA_DIR")
            .env("TSUNAGI_USER", "admin")
            .env("TSUNAGI_PASSWORD", PW)
            .output()
            .expect("runs tsunagi")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.tsunagi(args);
        assert!(
            out.status.success(),
            "tsunagi {args:?} failed: {}",
            stderr(&out)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Exports item `id` of `case`, decrypted, to a new file `name` in the
    /// temporary folder; returns its path.
    fn export(&self, case: &str, id: &str, name: &str) -> PathBuf {
        let out = self.path(name);
        self.ok(&[
            "media",
            "export",
            case,
            id,
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        out
    }

    fn case(&self) -> String {
        let list = self.ok(&["case", "list"]);
        list.lines()
            .next()
            .and_then(|l| l.split('\t').next())
            .expect("a demo case")
            .to_owned()
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("writes");
        path.to_str().expect("utf-8 path").to_owned()
    }

    /// Imports `bytes`; a video (the fixtures are MP4 boxes around no real
    /// picture) is kept as it is.
    fn import(&self, case: &str, name: &str, bytes: &[u8]) -> String {
        let file = self.write(name, bytes);
        let mut args = vec!["media", "import", case, &file, "--caption", CAPTION];
        if name.ends_with(".mp4") || name.ends_with(".mov") {
            args.push("--as-is");
        }
        self.ok(&args).trim().to_owned()
    }

    fn media_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.data().join("media"))
            .expect("media folder")
            .map(|e| e.expect("entry").path())
            .collect()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn one_error_line(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().filter(|l| !l.contains("warning:")).collect();
    assert_eq!(lines.len(), 1, "expected one error line, got: {err}");
    lines[0].to_owned()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path))
        } else {
            out.push(path)
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn an_imported_gps_photo_exports_upright_with_no_metadata() {
    let env = Env::new();
    let case = env.case();
    let original = gps_tagged_jpeg();
    assert!(contains(&original, b"Exif"), "the test photo carries EXIF");
    let id = env.import(&case, "holiday.jpg", &original);
    assert_eq!(id.len(), 36, "{id}");
    let out = env.export(&case, &id, "exported.jpg");
    let exported = std::fs::read(&out).expect("exported");
    assert!(exported.starts_with(&[0xFF, 0xD8]));
    assert!(!contains(&exported, b"Exif"));
    assert!(!contains(&exported, b"http://ns.adobe.com"));
    assert!(
        jpeg_header_segments(&exported)
            .iter()
            .all(|(marker, _)| *marker == 0xE0),
        "no APP1..APP15 or comment segment"
    );
    // 48×24 with Orientation 6 is stored upright as 24×48: the JPEG's SOF0
    // frame header says height then width.
    let sof = exported
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    let height = u16::from_be_bytes([exported[sof + 5], exported[sof + 6]]);
    let width = u16::from_be_bytes([exported[sof + 7], exported[sof + 8]]);
    assert_eq!((width, height), (24, 48));
}

#[test]
fn nothing_under_the_data_folder_shows_a_photo_a_video_or_a_caption() {
    let env = Env::new();
    let case = env.case();
    let photo = env.import(&case, "photo.jpg", &gps_tagged_jpeg());
    let video = env.import(&case, "clip.mp4", &minimal_mp4(4_000, 200_000));
    let list = env.ok(&["media", "list", &case]);
    assert_eq!(list.lines().count(), 2, "{list}");
    // Runs of 16 bytes of what the store keeps, as export hands it back; a
    // short signature such as a JPEG's three bytes turns up in ciphertext by
    // chance.
    let mut needles = vec![CAPTION.as_bytes().to_vec(), b"Exif\0\0".to_vec()];
    for (id, name) in [(photo, "photo-out.jpg"), (video, "clip-out.mp4")] {
        let out = env.export(&case, &id, name);
        let plain = std::fs::read(&out).expect("reads the export");
        std::fs::remove_file(&out).expect("removes the export");
        for at in [0, plain.len() / 2, plain.len() - 16] {
            needles.push(plain[at..at + 16].to_vec());
        }
    }
    let files = files_under(&env.data());
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).expect("reads");
        for needle in &needles {
            assert!(
                !contains(&bytes, needle),
                "{} holds {:02x?}",
                file.display(),
                needle
            );
        }
    }
}

#[test]
fn a_video_is_stored_as_it_is_and_listed_with_its_details() {
    let env = Env::new();
    let case = env.case();
    let clip = minimal_mp4(61_500, 300_000);
    let id = env.import(&case, "clip.mov", &clip);
    let list = env.ok(&["media", "list", &case]);
    let line = list.lines().next().expect("one item");
    let cols: Vec<&str> = line.split('\t').collect();
    assert_eq!(cols[0], id);
    assert_eq!(cols[1], "video");
    assert_eq!(cols[2], clip.len().to_string());
    assert_eq!(cols[3], "no");
    assert_eq!(cols[6], CAPTION);
    let out = env.export(&case, &id, "clip-out.mp4");
    assert_eq!(std::fs::read(&out).expect("exported"), clip);
}

#[test]
fn approval_and_withdrawal_show_in_the_list() {
    let env = Env::new();
    let case = env.case();
    let id = env.import(&case, "photo.jpg", &gps_tagged_jpeg());
    env.ok(&["media", "approve", &case, &id]);
    let approved = |env: &Env| {
        env.ok(&["media", "list", &case])
            .lines()
            .next()
            .expect("one item")
            .split('\t')
            .nth(3)
            .expect("approved column")
            .to_owned()
    };
    assert_eq!(approved(&env), "yes");
    env.ok(&["media", "withdraw", &case, &id]);
    assert_eq!(approved(&env), "no");
}

fn export_fails_cleanly(env: &Env, case: &str, id: &str) {
    let out = env.path("should-not-exist.jpg");
    let result = env.tsunagi(&[
        "media",
        "export",
        case,
        id,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let line = one_error_line(&result);
    assert!(line.contains("damaged"), "{line}");
    assert!(!line.contains(CAPTION), "{line}");
    assert!(!out.exists(), "no output file is left");
}

#[test]
fn a_changed_byte_makes_export_fail_and_write_nothing() {
    let env = Env::new();
    let case = env.case();
    // Large enough for several chunks, so the change is in the middle.
    let id = env.import(&case, "clip.mp4", &minimal_mp4(1_000, 900_000));
    let file = env.media_files().pop().expect("one media file");
    let mut bytes = std::fs::read(&file).expect("reads");
    bytes[400_000] ^= 0x01;
    std::fs::write(&file, &bytes).expect("writes");
    export_fails_cleanly(&env, &case, &id);
}

#[test]
fn a_truncated_file_makes_export_fail_and_write_nothing() {
    let env = Env::new();
    let case = env.case();
    let id = env.import(&case, "photo.jpg", &gps_tagged_jpeg());
    let file = env.media_files().pop().expect("one media file");
    let bytes = std::fs::read(&file).expect("reads");
    std::fs::write(&file, &bytes[..bytes.len() - 20]).expect("writes");
    export_fails_cleanly(&env, &case, &id);
}

#[test]
fn export_never_overwrites_an_existing_file() {
    let env = Env::new();
    let case = env.case();
    let id = env.import(&case, "photo.jpg", &gps_tagged_jpeg());
    let out = env.write("existing.jpg", b"keep me");
    let result = env.tsunagi(&["media", "export", &case, &id, "--out", &out]);
    assert!(one_error_line(&result).contains("never overwritten"));
    assert_eq!(std::fs::read(&out).expect("reads"), b"keep me");
}

#[test]
fn delete_removes_the_file_and_the_row_and_is_audited() {
    let env = Env::new();
    let case = env.case();
    let id = env.import(&case, "photo.jpg", &gps_tagged_jpeg());
    assert_eq!(env.media_files().len(), 1);
    env.ok(&["media", "delete", &case, &id]);
    assert!(env.media_files().is_empty());
    assert_eq!(env.ok(&["media", "list", &case]), "");
    let again = env.tsunagi(&["media", "export", &case, &id, "--out", "/nonexistent/x"]);
    assert!(one_error_line(&again).contains("no photo or video"));
    let audit = tsunagi_core::store::Store::unlock(
        &env.data(),
        std::sync::Arc::new(tsunagi_core::store::FileKeychain::new(
            env.root.path().join("keys"),
        )),
        "admin",
        PW,
    )
    .expect("unlocks")
    .audit_log(50)
    .expect("audit log");
    assert!(
        audit.iter().any(
            |e| e.detail == format!("media delete {id}") && e.case_id.as_deref() == Some(&case)
        ),
        "{audit:?}"
    );
}

#[test]
fn a_file_that_is_neither_photo_nor_video_is_refused_plainly() {
    let env = Env::new();
    let case = env.case();
    let file = env.write("notes.jpg", "ただのテキスト".as_bytes());
    let out = env.tsunagi(&["media", "import", &case, &file]);
    let line = one_error_line(&out);
    assert!(
        line.contains("not a photo or a video Tsunagi can read"),
        "{line}"
    );
    let broken = gps_tagged_jpeg();
    let file = env.write("broken.jpg", &broken[..broken.len() / 2]);
    let out = env.tsunagi(&["media", "import", &case, &file]);
    assert!(one_error_line(&out).contains("cut off or broken"));
    assert_eq!(env.ok(&["media", "list", &case]), "");
}

#[test]
fn an_imported_video_is_transcoded_to_h264_main_with_its_length_and_a_poster() {
    let env = Env::new();
    let case = env.case();
    let clip = vp8_clip(&env);
    let id = env
        .ok(&[
            "media",
            "import",
            &case,
            clip.to_str().expect("utf-8"),
            "--caption",
            CAPTION,
        ])
        .trim()
        .to_owned();
    let list = env.ok(&["media", "list", &case]);
    let cols: Vec<&str> = list.lines().next().expect("one item").split('\t').collect();
    assert_eq!(cols[0], id);
    assert_eq!(cols[1], "video");
    let out = env.export(&case, &id, "clip-out.mp4");
    let info = tsunagi_app::av::probe(std::fs::File::open(&out).expect("opens")).expect("decodes");
    assert_eq!(info.h264_profile.as_deref(), Some("main"), "{info:?}");
    assert_eq!(info.chroma_format.as_deref(), Some("4:2:0"), "{info:?}");
    assert_eq!(info.frames, 60, "{info:?}");
}

/// A real 2-second clip from the test pattern (60 frames), in Matroska with
/// VP8: not a format the store keeps, so it must be transcoded.
fn vp8_clip(env: &Env) -> PathBuf {
    let clip = env.path("clip.mkv");
    let made = Command::new("gst-launch-1.0")
        .args([
            "-q",
            "videotestsrc",
            "num-buffers=60",
            "!",
            "video/x-raw,width=320,height=240,framerate=30/1",
            "!",
            "vp8enc",
            "!",
            "matroskamux",
            "!",
            "filesink",
        ])
        .arg(format!("location={}", clip.display()))
        .status()
        .expect("runs gst-launch-1.0");
    assert!(made.success());
    clip
}

#[test]
fn the_limits_are_set_by_an_administrator_and_cut_a_longer_video() {
    let env = Env::new();
    let case = env.case();
    let shown = env.ok(&["media", "limits"]);
    assert!(shown.contains("video_seconds\t600"), "{shown}");
    let set = env.ok(&[
        "media",
        "limits",
        "--video-seconds",
        "1",
        "--photo-edge",
        "400",
    ]);
    assert!(set.contains("video_seconds\t1"), "{set}");
    assert!(set.contains("photo_edge\t400"), "{set}");
    // Kept in the store: a later command sees them.
    assert!(env.ok(&["media", "limits"]).contains("photo_edge\t400"));

    // The 2-second clip is cut at the 1-second limit.
    let clip = vp8_clip(&env);
    let id = env
        .ok(&["media", "import", &case, clip.to_str().expect("utf-8")])
        .trim()
        .to_owned();
    let out = env.export(&case, &id, "cut.mp4");
    let info = tsunagi_app::av::probe(std::fs::File::open(&out).expect("opens")).expect("decodes");
    assert!(info.frames.abs_diff(30) <= 2, "{info:?}");

    // A value out of range is refused in words and changes nothing.
    let out = env.tsunagi(&["media", "limits", "--video-seconds", "0"]);
    assert!(!out.status.success());
    assert!(env.ok(&["media", "limits"]).contains("video_seconds\t1"));
}
