//! Full backups against real (SQLCipher) stores in temporary folders: a
//! round trip onto a "new machine" (an empty keychain), and every refusal
//! — a hostile path, damaged or cut-short bytes, bytes that are not the
//! manifest's, another kind of file, a wrong key, a folder that is not
//! empty — leaving nothing behind.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use super::archive::{ArchiveWriter, EntryWire, FullHeader, ManifestWire};
use super::*;
use crate::backup::sealing::{BackupFile, SealTo, Unseal, seal};
use crate::backup::{BackupError, write_backup};
use crate::model::{CaseId, demo_cases};
use crate::seal::Recipient;
use crate::store::{
    DeviceSecret, KdfParams, Keychain, MediaDetails, MemoryKeychain, Role, Store, StoreError,
    StoreOptions,
};

const PW: &str = "correct horse battery";
const PASSPHRASE: &str = "a long backup passphrase";

struct Env {
    dir: tempfile::TempDir,
    keychain: Arc<MemoryKeychain>,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            keychain: Arc::new(MemoryKeychain::default()),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn store(&self, name: &str) -> Store {
        Store::create(
            &self.path(name),
            self.keychain.clone(),
            "admin",
            PW,
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )
        .expect("creates a store")
        .0
    }

    /// The names in the temporary folder, sorted.
    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("lists")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }
}

/// A PNG of 320×240 with some structure, as a camera import would give.
fn png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("encodes");
    bytes.into_inner()
}

/// A store with the demo cases and a photo in the first: (the store, the
/// case ids, the first case).
fn office(env: &Env) -> (Store, Vec<CaseId>, CaseId) {
    let mut store = env.store("office");
    let ids: Vec<CaseId> = demo_cases()
        .iter()
        .map(|c| store.create_case(c).expect("creates"))
        .collect();
    store
        .import_photo(ids[0], &png(), &MediaDetails::default())
        .expect("imports a photo");
    (store, ids.clone(), ids[0])
}

fn age_identity() -> (age::x25519::Identity, Recipient) {
    let identity = age::x25519::Identity::generate();
    let recipient = Recipient::from_str(&identity.to_public().to_string()).expect("an age1 key");
    (identity, recipient)
}

fn open(path: &Path) -> BackupFile<std::fs::File> {
    BackupFile::open(std::fs::File::open(path).expect("opens")).expect("an age file")
}

fn restore_into(
    path: &Path,
    key: &Unseal,
    target: &Path,
    keychain: &dyn Keychain,
) -> Result<FullRestoreSummary, BackupError> {
    restore_full_backup(open(path), key, target, keychain)
}

fn verify(path: &Path, key: &Unseal) -> Result<Verified, BackupError> {
    verify_backup(open(path), key)
}

/// Seals `plaintext` to `recipient` as a backup would be.
fn seal_plaintext(path: &Path, recipient: &Recipient, plaintext: &[u8]) {
    let file = std::fs::File::create(path).expect("creates");
    let mut w = seal(file, &SealTo::Key(recipient.clone())).expect("seals");
    w.write_all(plaintext).expect("writes");
    w.finish().expect("finishes");
}

fn header() -> FullHeader {
    FullHeader::new(
        "0b7f5a54-2c1e-4d0e-9d1c-000000000001",
        "test",
        "admin",
        1,
        &DeviceSecret::generate(),
    )
}

fn wire(files: &[(&str, &[u8])]) -> ManifestWire {
    ManifestWire {
        files: files
            .iter()
            .map(|(path, bytes)| EntryWire {
                path: (*path).to_owned(),
                len: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(bytes)),
            })
            .collect(),
        bytes: files.iter().map(|(_, b)| b.len() as u64).sum(),
    }
}

/// A full backup holding `files` as given, written by the format's own
/// writer and sealed to `recipient`.
fn craft(path: &Path, recipient: &Recipient, files: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).expect("creates");
    let sealed = seal(file, &SealTo::Key(recipient.clone())).expect("seals");
    let mut archive = ArchiveWriter::new(sealed, &header(), &wire(files)).expect("writes");
    for (_, bytes) in files {
        archive.entry(&mut &bytes[..]).expect("writes a file");
    }
    archive
        .finish()
        .expect("ends")
        .finish()
        .expect("ends the age file");
}

/// The plaintext of a sealed file, opened with the `age` crate itself.
fn plaintext(path: &Path, identity: &dyn age::Identity) -> Vec<u8> {
    let decryptor =
        age::Decryptor::new(std::fs::File::open(path).expect("opens")).expect("an age file");
    let mut bytes = Vec::new();
    decryptor
        .decrypt(std::iter::once(identity))
        .expect("decrypts")
        .read_to_end(&mut bytes)
        .expect("reads");
    bytes
}

/// The files under `dir`, relative, with their bytes, sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).expect("lists") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("under")
                    .to_string_lossy()
                    .into_owned();
                found.push((rel, std::fs::read(&path).expect("reads")));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn a_full_backup_restores_on_a_new_machine_with_the_same_password_cases_and_media() {
    let env = Env::new();
    let (mut store, ids, first) = office(&env);
    let (identity, recipient) = age_identity();
    let out = env.path("office.age");
    let made = write_full_backup(
        &mut store,
        &SealTo::Key(recipient),
        "tsunagi-companion",
        &out,
    )
    .expect("backs up");
    assert_eq!(made.media, 1);
    assert_eq!(made.info.made_by, "tsunagi-companion");
    assert!(made.files >= 5, "{made:?}");
    // Nothing is left beside the backup: no copy of the database, no
    // temporary file.
    assert_eq!(env.listing(), ["office", "office.age"]);

    // The plaintext: the first line, the manifest, then the files' bytes,
    // among them the media file exactly as the store keeps it.
    let bytes = plaintext(&out, &identity);
    let mut lines = bytes.splitn(3, |b| *b == b'\n');
    let first_line: serde_json::Value =
        serde_json::from_slice(lines.next().expect("a line")).expect("JSON");
    assert_eq!(first_line["kind"], KIND_FULL);
    assert_eq!(first_line["format"], FULL_FORMAT);
    let manifest: serde_json::Value =
        serde_json::from_slice(lines.next().expect("a line")).expect("JSON");
    let paths: Vec<&str> = manifest["manifest"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("a path"))
        .collect();
    for needed in [
        "store.db",
        "keyslots.json",
        "keyslots.backup.json",
        "store.id",
    ] {
        assert!(paths.contains(&needed), "{needed} missing from {paths:?}");
    }
    let media_dir = store.media_dir();
    let media_file = std::fs::read_dir(&media_dir)
        .expect("lists media")
        .next()
        .expect("one file")
        .expect("an entry");
    let media_bytes = std::fs::read(media_file.path()).expect("reads");
    assert!(
        bytes.windows(media_bytes.len()).any(|w| w == media_bytes),
        "the media file is not in the backup as it is"
    );
    assert!(!bytes.windows(16).any(|w| w == b"SQLite format 3\0"));

    let photo_before = {
        let item = store.list_media(first).expect("lists")[0].id;
        let mut stream = store.open_media(first, item).expect("opens");
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).expect("reads");
        bytes
    };
    let cases_before: Vec<_> = ids
        .iter()
        .map(|id| store.load_case(*id).expect("loads"))
        .collect();
    let files_before = tree(&media_dir);
    drop(store);

    // A new machine: a keychain that has never seen this store.
    let verified = verify(&out, &Unseal::Identities(vec![identity.clone()])).expect("verifies");
    let Verified::Full(summary) = verified else {
        panic!("not a full backup: {verified:?}")
    };
    assert_eq!(summary.files, made.files);
    let new_keychain = Arc::new(MemoryKeychain::default());
    let target = env.path("machine2/data");
    let restored = restore_into(
        &out,
        &Unseal::Identities(vec![identity]),
        &target,
        new_keychain.as_ref(),
    )
    .expect("restores");
    assert_eq!(restored.device_key, DeviceKeyRestored::Saved);
    assert_eq!(restored.backup.media, 1);
    let mut again = Store::unlock(&target, new_keychain, "admin", PW)
        .expect("the same password opens it on the new machine");
    again
        .verify_audit_log()
        .expect("the audit log holds together");
    for (id, before) in ids.iter().zip(&cases_before) {
        assert_eq!(&again.load_case(*id).expect("loads"), before);
    }
    let item = again.list_media(first).expect("lists")[0].id;
    let mut photo_after = Vec::new();
    again
        .open_media(first, item)
        .expect("opens")
        .read_to_end(&mut photo_after)
        .expect("reads");
    assert_eq!(photo_after, photo_before);
    assert_eq!(tree(&again.media_dir()), files_before);
    // Only the restored folder is left: no temporary folder beside it.
    let beside: Vec<_> = std::fs::read_dir(env.path("machine2"))
        .expect("lists")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(beside, ["data"]);
}

#[test]
fn a_backup_naming_a_path_outside_the_folder_is_refused_and_writes_nothing() {
    let env = Env::new();
    let (identity, recipient) = age_identity();
    let key = Unseal::Identities(vec![identity]);
    let evil_abs = env.path("evil-absolute");
    let bad_paths = [
        "../evil".to_owned(),
        "media/../../evil".to_owned(),
        evil_abs.to_string_lossy().into_owned(),
        "./store.db.2".to_owned(),
        "media//x".to_owned(),
        "..\\evil".to_owned(),
        "C:evil".to_owned(),
        "media/evil.".to_owned(),
        "".to_owned(),
        "media/line\nbreak".to_owned(),
    ];
    let target = env.path("target");
    let keychain = MemoryKeychain::default();
    for bad in &bad_paths {
        let path = env.path("evil.age");
        craft(
            &path,
            &recipient,
            &[
                ("store.db", b"not really a database"),
                ("keyslots.json", b"{}"),
                (bad, b"written outside"),
            ],
        );
        let err = restore_into(&path, &key, &target, &keychain).expect_err("refused");
        assert!(matches!(err, BackupError::UnsafePath), "{bad:?}: {err:?}");
        assert!(
            err.to_string()
                .starts_with("このバックアップには、復元先のフォルダーの外を指す"),
            "{err}"
        );
        let err = verify(&path, &key).expect_err("refused");
        assert!(matches!(err, BackupError::UnsafePath), "{bad:?}: {err:?}");
        assert!(!env.path("evil").exists(), "{bad:?} wrote outside");
        assert!(!evil_abs.exists(), "{bad:?} wrote to an absolute path");
        assert!(!target.exists(), "{bad:?} made the target");
        assert_eq!(env.listing(), ["evil.age"], "{bad:?} left something");
    }
    assert!(
        keychain
            .load("0b7f5a54-2c1e-4d0e-9d1c-000000000001")
            .expect("reads")
            .is_none(),
        "a refused restore saved a device key"
    );

    // The same backup with only safe paths restores, so the refusals are
    // the paths' doing.
    let path = env.path("evil.age");
    craft(
        &path,
        &recipient,
        &[
            ("store.db", b"not really a database"),
            ("keyslots.json", b"{}"),
            ("media/a/b", b"nested"),
        ],
    );
    restore_into(&path, &key, &target, &keychain).expect("restores");
    assert_eq!(
        std::fs::read(target.join("media/a/b")).expect("reads"),
        b"nested"
    );
}

#[test]
fn two_entries_for_one_path_or_a_file_where_a_folder_goes_are_refused() {
    let env = Env::new();
    let (identity, recipient) = age_identity();
    let key = Unseal::Identities(vec![identity]);
    let cases: [&[(&str, &[u8])]; 3] = [
        &[
            ("store.db", b"a"),
            ("keyslots.json", b"b"),
            ("store.db", b"c"),
        ],
        &[
            ("store.db", b"a"),
            ("keyslots.json", b"b"),
            ("media", b"c"),
            ("media/x", b"d"),
        ],
        &[("keyslots.json", b"b")],
    ];
    for files in cases {
        let path = env.path("odd.age");
        craft(&path, &recipient, files);
        let err = restore_into(&path, &key, &env.path("target"), &MemoryKeychain::default())
            .expect_err("refused");
        assert!(matches!(err, BackupError::Damaged(_)), "{err:?}");
        assert_eq!(env.listing(), ["odd.age"]);
    }
}

/// A plaintext with the given manifest and body, and a last line that
/// matches the manifest.
fn plaintext_with(manifest: &ManifestWire, body: &[u8]) -> Vec<u8> {
    let mut text = serde_json::to_vec(&header()).expect("serialises");
    text.push(b'\n');
    let line =
        serde_json::to_vec(&serde_json::json!({ "manifest": manifest })).expect("serialises");
    text.extend_from_slice(&line);
    text.push(b'\n');
    text.extend_from_slice(body);
    text.extend_from_slice(
        serde_json::json!({"end": {
            "files": manifest.files.len(),
            "bytes": manifest.bytes,
            "manifest_sha256": hex::encode(Sha256::digest(&line)),
        }})
        .to_string()
        .as_bytes(),
    );
    text.push(b'\n');
    text
}

#[test]
fn bytes_that_are_not_the_manifests_are_refused_by_verify_and_restore() {
    let env = Env::new();
    let (identity, recipient) = age_identity();
    let key = Unseal::Identities(vec![identity]);
    let files: [(&str, &[u8]); 2] = [("store.db", b"the database"), ("keyslots.json", b"{}")];
    let good = wire(&files);
    let body = b"the database{}".to_vec();

    // As written, it verifies: the refusals below are the changes' doing.
    let path = env.path("crafted.age");
    seal_plaintext(&path, &recipient, &plaintext_with(&good, &body));
    verify(&path, &key).expect("verifies");

    let mut wrong_hash = good.clone();
    wrong_hash.files[0].sha256 = hex::encode(Sha256::digest(b"another database"));
    let mut short = good.clone();
    short.files[0].len += 1;
    short.bytes += 1;
    let mut sum = good.clone();
    sum.bytes += 7;
    let with_more = {
        let mut text = plaintext_with(&good, &body);
        text.extend_from_slice(b"more");
        text
    };
    let without_end = {
        let text = plaintext_with(&good, &body);
        text[..text.len() - 20].to_vec()
    };
    let plaintexts = [
        plaintext_with(&wrong_hash, &body),
        plaintext_with(&short, &body),
        plaintext_with(&sum, &body),
        with_more,
        without_end,
    ];
    for (i, text) in plaintexts.iter().enumerate() {
        seal_plaintext(&path, &recipient, text);
        let err = verify(&path, &key).expect_err("refused");
        assert!(matches!(err, BackupError::Damaged(_)), "{i}: {err:?}");
        let err = restore_into(&path, &key, &env.path("target"), &MemoryKeychain::default())
            .expect_err("refused");
        assert!(matches!(err, BackupError::Damaged(_)), "{i}: {err:?}");
        assert!(
            err.to_string()
                .starts_with("バックアップが壊れているか、途中で切れています。"),
            "{err}"
        );
        assert_eq!(env.listing(), ["crafted.age"], "{i} left something");
    }
}

#[test]
fn a_flipped_byte_or_a_cut_short_file_is_refused_and_leaves_nothing() {
    let env = Env::new();
    let (mut store, _, _) = office(&env);
    let (identity, recipient) = age_identity();
    let key = Unseal::Identities(vec![identity]);
    let out = env.path("office.age");
    write_full_backup(
        &mut store,
        &SealTo::Key(recipient),
        "tsunagi-companion",
        &out,
    )
    .expect("backs up");
    drop(store);
    let whole = std::fs::read(&out).expect("reads");
    let damaged = env.path("damaged.age");
    let target = env.path("target");
    let mut tries: Vec<Vec<u8>> = Vec::new();
    for at in [whole.len() / 3, whole.len() / 2, whole.len() - 10] {
        let mut bytes = whole.clone();
        bytes[at] ^= 0x01;
        tries.push(bytes);
    }
    for len in [whole.len() / 2, whole.len() - 1, whole.len() - 17] {
        tries.push(whole[..len].to_vec());
    }
    for (i, bytes) in tries.iter().enumerate() {
        std::fs::write(&damaged, bytes).expect("writes");
        let err = verify(&damaged, &key).expect_err("refused");
        assert!(matches!(err, BackupError::Damaged(_)), "{i}: {err:?}");
        let err =
            restore_into(&damaged, &key, &target, &MemoryKeychain::default()).expect_err("refused");
        assert!(matches!(err, BackupError::Damaged(_)), "{i}: {err:?}");
        assert!(!target.exists());
        assert_eq!(env.listing(), ["damaged.age", "office", "office.age"]);
    }
}

#[test]
fn a_killed_restore_leaves_no_store_and_running_it_again_works() {
    let env = Env::new();
    let (mut store, _, _) = office(&env);
    let (identity, recipient) = age_identity();
    let key = Unseal::Identities(vec![identity]);
    let out = env.path("office.age");
    write_full_backup(
        &mut store,
        &SealTo::Key(recipient),
        "tsunagi-companion",
        &out,
    )
    .expect("backs up");
    drop(store);
    // What a restore killed part-way leaves: its temporary folder with a
    // partial database, and no target.
    let parent = env.path("machine2");
    let left = parent.join(".data.restore-0f0f0f0f");
    std::fs::create_dir_all(left.join("media")).expect("makes");
    std::fs::write(left.join("store.db"), b"half a database").expect("writes");
    let target = parent.join("data");
    assert!(!crate::store::exists(&target));

    let keychain = Arc::new(MemoryKeychain::default());
    restore_into(&out, &key, &target, keychain.as_ref()).expect("restores");
    Store::unlock(&target, keychain.clone(), "admin", PW).expect("opens");
    let beside: Vec<_> = std::fs::read_dir(&parent)
        .expect("lists")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(
        beside,
        ["data"],
        "the killed restore's folder is still there"
    );

    // Restoring twice onto the same machine: the keychain already holds
    // the key, and an empty folder is taken.
    let empty = parent.join("empty");
    std::fs::create_dir(&empty).expect("makes");
    let again = restore_into(&out, &key, &empty, keychain.as_ref()).expect("restores");
    assert_eq!(again.device_key, DeviceKeyRestored::AlreadyThere);
    Store::unlock(&empty, keychain, "admin", PW).expect("opens");
}

#[test]
fn a_folder_that_is_not_empty_a_file_or_a_link_is_refused_and_left_as_it_was() {
    let env = Env::new();
    let (identity, recipient) = age_identity();
    let key = Unseal::Identities(vec![identity]);
    let path = env.path("crafted.age");
    craft(
        &path,
        &recipient,
        &[("store.db", b"db"), ("keyslots.json", b"{}")],
    );
    let full = env.path("full");
    std::fs::create_dir(&full).expect("makes");
    std::fs::write(full.join("notes.txt"), b"kept").expect("writes");
    let file = env.path("a-file");
    std::fs::write(&file, b"kept").expect("writes");
    let mut targets = vec![full.clone(), file.clone()];
    #[cfg(unix)]
    {
        let empty = env.path("empty-elsewhere");
        std::fs::create_dir(&empty).expect("makes");
        let link = env.path("link");
        std::os::unix::fs::symlink(&empty, &link).expect("links");
        targets.push(link);
    }
    let before = env.listing();
    for target in targets {
        let err = check_restore_target(&target).expect_err("refused");
        assert!(matches!(err, BackupError::TargetNotEmpty(_)), "{err:?}");
        let err =
            restore_into(&path, &key, &target, &MemoryKeychain::default()).expect_err("refused");
        assert!(matches!(err, BackupError::TargetNotEmpty(_)), "{err:?}");
        assert!(
            err.to_string().contains("は空のフォルダーではありません"),
            "{err}"
        );
    }
    assert_eq!(env.listing(), before);
    assert_eq!(
        std::fs::read(full.join("notes.txt")).expect("reads"),
        b"kept"
    );
    assert_eq!(
        std::fs::read_dir(&full).expect("lists").count(),
        1,
        "something was written into the folder"
    );
    assert_eq!(std::fs::read(&file).expect("reads"), b"kept");
}

#[test]
fn a_wrong_passphrase_another_key_or_another_kind_of_file_is_refused() {
    let env = Env::new();
    let (mut store, _, _) = office(&env);
    let out = env.path("office.age");
    write_full_backup(
        &mut store,
        &SealTo::passphrase(PASSPHRASE.into()).expect("long enough"),
        "tsunagi-companion",
        &out,
    )
    .expect("backs up");
    let target = env.path("target");
    let keychain = MemoryKeychain::default();
    let err = restore_into(
        &out,
        &Unseal::passphrase("not the passphrase at all".into()),
        &target,
        &keychain,
    )
    .expect_err("refused");
    assert!(matches!(err, BackupError::WrongPassphrase), "{err:?}");
    let err = verify(&out, &Unseal::passphrase("not the passphrase".into())).expect_err("refused");
    assert!(matches!(err, BackupError::WrongPassphrase), "{err:?}");
    verify(&out, &Unseal::passphrase(PASSPHRASE.into())).expect("verifies");

    let (_, recipient) = age_identity();
    let (other, _) = age_identity();
    let keyed = env.path("keyed.age");
    write_full_backup(
        &mut store,
        &SealTo::Key(recipient.clone()),
        "tsunagi-companion",
        &keyed,
    )
    .expect("backs up");
    let err = restore_into(
        &keyed,
        &Unseal::Identities(vec![other.clone()]),
        &target,
        &keychain,
    )
    .expect_err("refused");
    assert!(matches!(err, BackupError::WrongIdentity), "{err:?}");

    // A backup without personal data is named as such.
    let plain = env.path("plain.age");
    let (identity, recipient) = age_identity();
    write_backup(
        &mut store,
        &SealTo::Key(recipient.clone()),
        "tsunagi-companion",
        &plain,
    )
    .expect("backs up");
    let key = Unseal::Identities(vec![identity]);
    let err = restore_into(&plain, &key, &target, &keychain).expect_err("refused");
    assert!(matches!(err, BackupError::NotFull), "{err:?}");
    match verify(&plain, &key).expect("a backup without personal data verifies") {
        Verified::WithoutPersonalData { cases, .. } => assert_eq!(cases, 4),
        other => panic!("{other:?}"),
    }

    // A full backup of a newer format, and an age file that is no backup.
    let mut newer = serde_json::to_value(header()).expect("serialises");
    newer["format"] = serde_json::json!(FULL_FORMAT + 1);
    let path = env.path("newer.age");
    seal_plaintext(&path, &recipient, format!("{newer}\n").as_bytes());
    let err = restore_into(&path, &key, &target, &keychain).expect_err("refused");
    assert!(matches!(err, BackupError::NewerFormat(2)), "{err:?}");
    seal_plaintext(&path, &recipient, b"{\"hello\":1}\n");
    let err = restore_into(&path, &key, &target, &keychain).expect_err("refused");
    assert!(matches!(err, BackupError::NotABackup), "{err:?}");
    std::fs::write(&path, "これはバックアップではありません\n").expect("writes");
    let err = BackupFile::open(std::fs::File::open(&path).expect("opens")).expect_err("refused");
    assert!(matches!(err, BackupError::NotABackup), "{err:?}");

    assert!(!target.exists());
    assert!(
        keychain.load(store.store_id()).expect("reads").is_none(),
        "a refused restore saved the device key"
    );
}

#[test]
fn a_keychain_holding_another_device_key_for_the_store_is_refused_before_writing() {
    let env = Env::new();
    let (mut store, _, _) = office(&env);
    let (identity, recipient) = age_identity();
    let out = env.path("office.age");
    write_full_backup(
        &mut store,
        &SealTo::Key(recipient),
        "tsunagi-companion",
        &out,
    )
    .expect("backs up");
    let keychain = MemoryKeychain::default();
    keychain
        .save(store.store_id(), &DeviceSecret::generate())
        .expect("saves");
    let err = restore_into(
        &out,
        &Unseal::Identities(vec![identity]),
        &env.path("target"),
        &keychain,
    )
    .expect_err("refused");
    assert!(matches!(err, BackupError::DeviceKeyConflict), "{err:?}");
    assert!(!env.path("target").exists());
}

#[test]
fn a_full_backup_is_for_administrators_and_never_sealed_to_the_companions_own_key() {
    let env = Env::new();
    let (mut store, _, _) = office(&env);
    let own = store.device_identity().expect("its keys").keys.recipient();
    let out = env.path("office.age");
    let err = write_full_backup(&mut store, &SealTo::Key(own), "tsunagi-companion", &out)
        .expect_err("refused");
    assert!(matches!(err, BackupError::OwnKey), "{err:?}");
    assert!(!out.exists());

    store
        .add_account("worker", Role::SupportWorker, "worker password")
        .expect("adds");
    drop(store);
    let mut worker = Store::unlock(
        &env.path("office"),
        env.keychain.clone(),
        "worker",
        "worker password",
    )
    .expect("unlocks");
    let (_, recipient) = age_identity();
    let err = write_full_backup(
        &mut worker,
        &SealTo::Key(recipient),
        "tsunagi-companion",
        &out,
    )
    .expect_err("refused");
    assert!(
        matches!(err, BackupError::Store(StoreError::NotPermitted { .. })),
        "{err:?}"
    );
    assert!(!out.exists());
}

#[test]
fn the_writer_refuses_a_file_that_changed_since_its_manifest_was_made() {
    let files: [(&str, &[u8]); 2] = [("store.db", b"the database"), ("keyslots.json", b"{}")];
    for source in [
        &b"the databasf"[..],
        b"the databas",
        b"the database and more",
    ] {
        let mut archive = ArchiveWriter::new(Vec::new(), &header(), &wire(&files)).expect("writes");
        let err = archive.entry(&mut &source[..]).expect_err("refused");
        assert!(matches!(err, BackupError::StoreChanged), "{err:?}");
    }
}

#[test]
fn the_device_key_never_shows_in_debug_output() {
    let secret = DeviceSecret::from_bytes([0xab; 32]);
    let header = FullHeader::new("s", "p", "a", 1, &secret);
    let shown = format!("{header:?}");
    let text = serde_json::to_value(&header).expect("serialises")["device_key"]
        .as_str()
        .expect("text")
        .to_owned();
    assert!(!shown.contains(&text), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
    assert_eq!(
        header.device_key.secret().expect("reads").as_bytes(),
        secret.as_bytes()
    );
}
