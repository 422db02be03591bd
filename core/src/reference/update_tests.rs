//! Tests of [`super::update`].

use std::fs;
use std::path::Path;

use super::update::MAX_FILE_BYTES;
use super::{DISEASES_FILE, OCCUPATIONS_FILE, ReferenceDb, ReferenceError, ReferenceOrigin};
use crate::reference::test_support::{
    bundled, bundled_json, set_version, test_trust, write_dir, write_unsigned_dir,
};

fn load(dir: &Path) -> ReferenceDb {
    ReferenceDb::load_with(Some(dir), &test_trust()).expect("bundled is valid")
}

fn install(source: &Path, update_dir: &Path) -> Result<ReferenceDb, ReferenceError> {
    ReferenceDb::install_update_with(source, update_dir, &test_trust())
}

#[test]
fn an_unsigned_or_foreign_release_is_neither_installed_nor_used() {
    let src = tempfile::tempdir().expect("temp dir");
    let updates = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    write_unsigned_dir(src.path(), &d, &o);
    let err = install(src.path(), updates.path()).expect_err("unsigned");
    assert!(matches!(err, ReferenceError::Unsigned), "{err:?}");
    assert!(err.to_string().contains("署名がありません"), "{err}");
    assert_eq!(fs::read_dir(updates.path()).expect("dir").count(), 0);

    // Unsigned files put straight into the update folder are not used.
    write_unsigned_dir(updates.path(), &d, &o);
    let db = load(updates.path());
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    assert!(matches!(
        db.update_warning(),
        Some(ReferenceError::Unsigned)
    ));

    // Signed by the tests' key, which this build does not trust.
    write_dir(src.path(), &d, &o);
    let err = ReferenceDb::install_update(src.path(), updates.path()).expect_err("foreign");
    assert!(
        matches!(err, ReferenceError::UnknownPublisher { .. }),
        "{err:?}"
    );
}

#[test]
fn a_release_changed_after_installing_is_not_used() {
    let src = tempfile::tempdir().expect("temp dir");
    let updates = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    write_dir(src.path(), &d, &o);
    install(src.path(), updates.path()).expect("signed and newer");
    assert_eq!(load(updates.path()).version().as_str(), "2099.1.1");

    let path = updates.path().join(DISEASES_FILE);
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, text.replacen("潰瘍性大腸炎", "潰瘍性大腸災", 1)).expect("write");
    let db = load(updates.path());
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    assert!(matches!(
        db.update_warning(),
        Some(ReferenceError::BadSignature { .. })
    ));
}

#[test]
fn no_update_folder_gives_the_bundled_release_without_warning() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = load(&tmp.path().join("absent"));
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    assert!(db.update_warning().is_none());
    let db = ReferenceDb::load(None).expect("bundled is valid");
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
}

#[test]
fn newer_update_replaces_bundled_version() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    d["diseases"][0]["name"]["ja"] = "更新された名前".into();
    write_dir(tmp.path(), &d, &o);

    let db = load(tmp.path());
    assert_eq!(db.version().as_str(), "2099.1.1");
    assert_eq!(db.origin(), &ReferenceOrigin::Folder(tmp.path().to_owned()));
    assert_eq!(db.diseases()[0].name.ja, "更新された名前");
    assert!(db.update_warning().is_none());
}

#[test]
fn older_update_is_ignored() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2000.1.1");
    d["diseases"][0]["name"]["ja"] = "古い名前".into();
    write_dir(tmp.path(), &d, &o);

    let db = load(tmp.path());
    assert_eq!(db.version(), bundled().version());
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    assert_ne!(db.diseases()[0].name.ja, "古い名前");
    let warning = db.update_warning().expect("the worker is told why");
    assert!(
        matches!(warning, ReferenceError::NotNewer { .. }),
        "{warning:?}"
    );
    assert!(warning.to_string().contains("2000.1.1"), "{warning}");
}

#[test]
fn update_of_the_same_version_is_used_silently_as_bundled() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (d, o) = bundled_json();
    write_dir(tmp.path(), &d, &o);
    let db = load(tmp.path());
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    assert!(db.update_warning().is_none());
}

#[test]
fn malformed_update_is_refused_and_bundled_kept() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    write_dir(tmp.path(), &d, &o);
    fs::write(
        tmp.path().join(DISEASES_FILE),
        "{ \"format\": 1, \"version\": \"2099.1.1\", ",
    )
    .expect("write");

    let db = load(tmp.path());
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    assert_eq!(db.version(), bundled().version());
    let warning = db.update_warning().expect("the worker is told why");
    assert!(
        matches!(warning, ReferenceError::Malformed { .. }),
        "{warning:?}"
    );
    assert!(warning.to_string().contains(DISEASES_FILE), "{warning}");
}

#[test]
fn update_that_is_not_utf8_is_refused_without_panic() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (d, o) = bundled_json();
    write_dir(tmp.path(), &d, &o);
    fs::write(tmp.path().join(OCCUPATIONS_FILE), [0xff, 0xfe, 0x00, 0x7b]).expect("write");
    let db = load(tmp.path());
    assert!(matches!(
        db.update_warning(),
        Some(ReferenceError::Malformed { .. })
    ));
}

#[test]
fn incomplete_update_is_ignored_with_a_warning() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    write_dir(tmp.path(), &d, &o);
    fs::remove_file(tmp.path().join(OCCUPATIONS_FILE)).expect("remove");
    let db = load(tmp.path());
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    let warning = db.update_warning().expect("the worker is told why");
    assert!(warning.to_string().contains(OCCUPATIONS_FILE), "{warning}");
}

#[test]
fn update_half_written_by_a_crash_is_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    o["version"] = "2098.1.1".into();
    write_dir(tmp.path(), &d, &o);
    let db = load(tmp.path());
    assert_eq!(db.origin(), &ReferenceOrigin::Bundled);
    assert!(matches!(
        db.update_warning(),
        Some(ReferenceError::VersionMismatch { .. })
    ));
}

#[test]
fn install_update_copies_a_valid_newer_release() {
    let src = tempfile::tempdir().expect("temp dir");
    let updates = tempfile::tempdir().expect("temp dir");
    let update_dir = updates.path().join("reference");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    write_dir(src.path(), &d, &o);

    let installed = install(src.path(), &update_dir).expect("newer and valid");
    assert_eq!(installed.version().as_str(), "2099.1.1");
    let loaded = load(&update_dir);
    assert_eq!(loaded.version().as_str(), "2099.1.1");
    assert_eq!(
        loaded.origin(),
        &ReferenceOrigin::Folder(update_dir.clone())
    );
    let leftovers: Vec<_> = fs::read_dir(&update_dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        3,
        "only the two data files and their signature remain: {leftovers:?}"
    );
}

#[test]
fn install_update_accepts_the_path_of_one_of_the_files() {
    let src = tempfile::tempdir().expect("temp dir");
    let updates = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.2");
    write_dir(src.path(), &d, &o);
    let db = install(&src.path().join(DISEASES_FILE), updates.path()).expect("valid");
    assert_eq!(db.version().as_str(), "2099.2");
}

#[test]
fn install_update_refuses_an_older_or_equal_release_and_keeps_the_installed_one() {
    let updates = tempfile::tempdir().expect("temp dir");
    let newer = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.5.1");
    write_dir(newer.path(), &d, &o);
    install(newer.path(), updates.path()).expect("newer and valid");

    for version in ["2099.4.9", "2099.5.1", "2099.5.1.0"] {
        let src = tempfile::tempdir().expect("temp dir");
        let (mut d, mut o) = bundled_json();
        set_version(&mut d, &mut o, version);
        write_dir(src.path(), &d, &o);
        let err = install(src.path(), updates.path()).expect_err(version);
        assert!(
            matches!(err, ReferenceError::NotNewer { .. }),
            "{version}: {err:?}"
        );
    }
    let bundled_version = bundled().version().to_string();
    let src = tempfile::tempdir().expect("temp dir");
    let (d, o) = bundled_json();
    write_dir(src.path(), &d, &o);
    let err =
        install(src.path(), tempfile::tempdir().expect("dir").path()).expect_err("same as bundled");
    assert!(err.to_string().contains(&bundled_version), "{err}");

    let loaded = load(updates.path());
    assert_eq!(
        loaded.version().as_str(),
        "2099.5.1",
        "the installed update is untouched"
    );
}

#[test]
fn install_update_refuses_invalid_files_and_leaves_the_folder_alone() {
    let src = tempfile::tempdir().expect("temp dir");
    let updates = tempfile::tempdir().expect("temp dir");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, "2099.1.1");
    d["diseases"][0]["issues"][0]["code"] = "NOPE".into();
    write_dir(src.path(), &d, &o);
    let err = install(src.path(), updates.path()).expect_err("invalid");
    assert!(
        matches!(err, ReferenceError::UnknownIssueCode { .. }),
        "{err:?}"
    );
    assert_eq!(
        fs::read_dir(updates.path()).expect("dir").count(),
        0,
        "nothing was written"
    );
}

#[test]
fn oversized_file_is_refused_before_reading() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (d, o) = bundled_json();
    write_dir(tmp.path(), &d, &o);
    let big = fs::File::create(tmp.path().join(DISEASES_FILE)).expect("create");
    big.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
    let err = ReferenceDb::load_dir(tmp.path()).expect_err("too large");
    assert!(matches!(err, ReferenceError::TooLarge { .. }), "{err:?}");
}
