//! The companion installs and uses reference releases the way the tablet
//! does: only a release signed by a built-in publisher key, and files put
//! into its update folder by hand are not used.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{PW, demo_store};
use tsunagi_core::reference::release::{self, PublisherKey};
use tsunagi_core::reference::{ReferenceDb, UPDATE_FOLDER};

fn companion(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsunagi-companion"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(args)
        .env("TSUNAGI_KEYSTORE", "file")
        .env("TSUNAGI_KEYSTORE_DIR", dir.join("keys"))
        .env("TSUNAGI_USER", "admin")
        .env("TSUNAGI_PASSWORD", PW)
        .output()
        .expect("runs tsunagi-companion")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The bundled release renumbered, as a folder.
fn release(root: &Path, version: &str) -> (std::path::PathBuf, String, String) {
    let bundled = ReferenceDb::bundled().expect("bundled loads");
    let from = format!("\"version\": \"{}\"", bundled.version());
    let to = format!("\"version\": \"{version}\"");
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/reference");
    let dir = root.join("release");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut texts = Vec::new();
    for file in ["diseases.json", "occupations.json"] {
        let text = std::fs::read_to_string(assets.join(file))
            .expect("reads asset")
            .replacen(&from, &to, 1);
        std::fs::write(dir.join(file), &text).expect("writes");
        texts.push(text);
    }
    let occupations = texts.pop().expect("two files");
    let diseases = texts.pop().expect("two files");
    (dir, diseases, occupations)
}

#[test]
fn the_companion_refuses_unsigned_and_foreign_releases_and_keeps_the_bundled_one() {
    let (root, store, _) = demo_store();
    drop(store);
    let bundled = ReferenceDb::bundled()
        .expect("bundled loads")
        .version()
        .to_string();
    let (dir, diseases, occupations) = release(root.path(), "2026.12.9");
    let source = dir.to_str().expect("utf-8");

    let out = companion(root.path(), &["reference", "install", source]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("署名がありません"),
        "{}",
        stderr(&out)
    );

    let stranger = PublisherKey::generate();
    let signature = release::sign(&stranger, &diseases, &occupations).expect("signs");
    std::fs::write(dir.join("release.sig"), signature).expect("writes");
    let out = companion(root.path(), &["reference", "install", source]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("信頼できる発行元"),
        "{}",
        stderr(&out)
    );

    // Copied into the update folder by hand: not used, and said so.
    let update = root.path().join("data").join(UPDATE_FOLDER);
    std::fs::create_dir_all(&update).expect("mkdir");
    for file in ["diseases.json", "occupations.json", "release.sig"] {
        std::fs::copy(dir.join(file), update.join(file)).expect("copies");
    }
    let out = companion(root.path(), &["reference", "info"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("version\t{bundled}\n")),
        "{stdout}"
    );
    assert!(
        stderr(&out).contains("信頼できる発行元"),
        "{}",
        stderr(&out)
    );
}
