//! Publishing a reference release (共有データベースの更新版): the publisher's
//! key and the signature the apps check before they install or use a
//! release (`tsunagi_core::reference::release`).
//!
//! `reference keygen --out FILE` writes a new private key (readable by its
//! owner only) and prints the public key for `assets/reference/publishers.txt`;
//! `reference sign DIR --key FILE` validates the release in `DIR` and writes
//! `DIR/release.sig`.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use tsunagi_core::reference::release::{self, PublisherKey, SIGNATURE_FILE};
use tsunagi_core::reference::{DISEASES_FILE, OCCUPATIONS_FILE};

/// Writes a new publisher key to `out`, which must not exist yet, and
/// returns its public half in hex.
pub fn keygen(out: &Path) -> anyhow::Result<String> {
    let key = PublisherKey::generate();
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(out)
        .with_context(|| format!("could not create {} (it must not exist yet)", out.display()))?;
    file.write_all(key.to_hex().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(key.public_hex())
}

/// Signs the release in `dir` with the key in `key_file`; returns the
/// release's version.
pub fn sign(dir: &Path, key_file: &Path) -> anyhow::Result<String> {
    let text = fs::read_to_string(key_file)
        .with_context(|| format!("could not read {}", key_file.display()))?;
    let key = PublisherKey::from_hex(&text)
        .with_context(|| format!("{} does not hold a publisher key", key_file.display()))?;
    let read = |name: &str| {
        let path = dir.join(name);
        fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))
    };
    let (diseases, occupations) = (read(DISEASES_FILE)?, read(OCCUPATIONS_FILE)?);
    let signature = release::sign(&key, &diseases, &occupations)?;
    let path = dir.join(SIGNATURE_FILE);
    fs::write(&path, &signature).with_context(|| format!("could not write {}", path.display()))?;
    let version: serde_json::Value = serde_json::from_str(&signature)?;
    Ok(version["version"].as_str().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagi_core::reference::release::Publishers;
    use tsunagi_core::reference::{ReferenceDb, ReferenceError, Trust};

    #[test]
    fn a_release_signed_with_a_new_key_installs_for_whoever_trusts_that_key_only() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let key_file = tmp.path().join("publisher.key");
        let public = keygen(&key_file).expect("writes the key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&key_file)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the private key is the owner's only");
        }
        assert!(
            keygen(&key_file).is_err(),
            "an existing key is never overwritten"
        );

        let release = tmp.path().join("release");
        fs::create_dir_all(&release).expect("mkdir");
        let bundled = ReferenceDb::bundled().expect("bundled loads");
        let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/reference");
        for file in [DISEASES_FILE, OCCUPATIONS_FILE] {
            let text = fs::read_to_string(assets.join(file))
                .expect("reads")
                .replacen(
                    &format!("\"version\": \"{}\"", bundled.version()),
                    "\"version\": \"2026.12.9\"",
                    1,
                );
            fs::write(release.join(file), text).expect("writes");
        }
        assert_eq!(sign(&release, &key_file).expect("signs"), "2026.12.9");

        let key = Publishers::parse(&public).expect("the printed key parses");
        let trust = Trust {
            publishers: key,
            today: time::macros::date!(2026 - 12 - 10),
        };
        let updates = tmp.path().join("updates");
        let db = ReferenceDb::install_update_with(&release, &updates, &trust).expect("installs");
        assert_eq!(db.version().as_str(), "2026.12.9");
        let err = ReferenceDb::install_update(&release, &tmp.path().join("other"))
            .expect_err("this build does not trust a new key");
        assert!(
            matches!(err, ReferenceError::UnknownPublisher { .. }),
            "{err:?}"
        );
    }
}
