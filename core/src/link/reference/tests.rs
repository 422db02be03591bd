//! A release offered by one data folder, carried in pieces and installed in
//! another; what is refused on the way.

use super::*;
use crate::reference::test_support::{bundled_json, set_version, test_trust, write_dir};

/// A data folder with a newer release `version` installed, signed by the
/// test publisher.
fn office_with(version: &str) -> tempfile::TempDir {
    let office = tempfile::tempdir().expect("temp dir");
    let source = office.path().join("source");
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, version);
    write_dir(&source, &d, &o);
    ReferenceDb::install_update_with(&source, &office.path().join(UPDATE_FOLDER), &test_trust())
        .expect("installs");
    office
}

fn assembled(release: &Release) -> Assembler {
    let mut assembler = Assembler::new();
    for piece in release.pieces() {
        let Message::ReferencePiece {
            file,
            offset,
            total,
            data,
        } = piece
        else {
            panic!("not a piece")
        };
        assembler.add(&file, offset, total, &data).expect("takes");
    }
    assembler
}

#[test]
fn a_release_installed_at_the_office_installs_on_a_tablet_that_has_an_older_one() {
    let office = office_with("2099.1");
    let trust = test_trust();
    let release = Release::installed(office.path(), &trust).expect("offered");
    assert_eq!(release.version.as_str(), "2099.1");
    let tablet = tempfile::tempdir().expect("temp dir");
    let in_use = ReferenceDb::load_installed(tablet.path()).expect("loads");
    assert!(wanted(Some("2099.1"), in_use.version()));

    let db = assembled(&release)
        .install(tablet.path(), &trust)
        .expect("installs");
    assert_eq!(db.version().as_str(), "2099.1");
    let now =
        ReferenceDb::load_with(Some(&tablet.path().join(UPDATE_FOLDER)), &trust).expect("loads");
    assert_eq!(now.version().as_str(), "2099.1");
    // Nothing is left beside the update folder.
    let entries: Vec<_> = fs::read_dir(tablet.path())
        .expect("lists")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(entries, vec![std::ffi::OsString::from(UPDATE_FOLDER)]);
    // Once installed, the same version is no longer wanted.
    assert!(!wanted(Some("2099.1"), now.version()));
    assert!(!wanted(Some("not a version"), now.version()));
    assert!(!wanted(None, now.version()));
}

#[test]
fn the_built_in_release_is_not_offered() {
    let office = tempfile::tempdir().expect("temp dir");
    assert!(Release::installed(office.path(), &test_trust()).is_none());
    // A release its publisher is not trusted for is not offered either.
    let other = office_with("2099.2");
    assert!(Release::installed(other.path(), &Trust::built_in()).is_none());
}

#[test]
fn a_changed_piece_or_a_missing_file_installs_nothing() {
    let office = office_with("2099.3");
    let trust = test_trust();
    let release = Release::installed(office.path(), &trust).expect("offered");
    let tablet = tempfile::tempdir().expect("temp dir");

    // One byte of the diseases changed on the way: the signature fails.
    let mut pieces = release.pieces();
    if let Message::ReferencePiece { data, .. } = &mut pieces[0] {
        let mut bytes = STANDARD.decode(&*data).expect("base64");
        let at = bytes
            .iter()
            .position(|b| *b == b'2')
            .expect("a digit to change");
        bytes[at] = b'3';
        *data = STANDARD.encode(bytes);
    }
    let mut assembler = Assembler::new();
    for piece in pieces {
        if let Message::ReferencePiece {
            file,
            offset,
            total,
            data,
        } = piece
        {
            assembler.add(&file, offset, total, &data).expect("takes");
        }
    }
    assert!(assembler.install(tablet.path(), &trust).is_err());
    assert!(!tablet.path().join(UPDATE_FOLDER).exists());

    // The signature never came.
    let mut assembler = Assembler::new();
    for piece in release.pieces() {
        if let Message::ReferencePiece {
            file,
            offset,
            total,
            data,
        } = piece
            && file != SIGNATURE_FILE
        {
            assembler.add(&file, offset, total, &data).expect("takes");
        }
    }
    assert!(matches!(
        assembler.install(tablet.path(), &trust),
        Err(ReferenceError::IncompleteUpdate { .. })
    ));
    assert!(!tablet.path().join(UPDATE_FOLDER).exists());
}

#[test]
fn pieces_out_of_order_of_unknown_files_or_too_large_are_refused() {
    let mut assembler = Assembler::new();
    assert!(assembler.add("../evil", 0, 3, "YWJj").is_err());
    assert!(assembler.add(DISEASES_FILE, 5, 10, "YWJj").is_err());
    assert!(
        assembler
            .add(DISEASES_FILE, 0, MAX_FILE_BYTES + 1, "YWJj")
            .is_err()
    );
    assert!(
        assembler.add(DISEASES_FILE, 0, 2, "YWJj").is_err(),
        "past its end"
    );
    assert!(
        assembler
            .add(OCCUPATIONS_FILE, 0, 3, "not base64!")
            .is_err()
    );
    assembler
        .add(OCCUPATIONS_FILE, 0, 6, "YWJj")
        .expect("takes");
    assert!(
        assembler.add(OCCUPATIONS_FILE, 0, 6, "YWJj").is_err(),
        "a repeat"
    );
    assembler
        .add(OCCUPATIONS_FILE, 3, 6, "ZGVm")
        .expect("takes");
}
