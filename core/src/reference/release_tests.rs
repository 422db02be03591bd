//! Tests of [`super::release`].

use time::Date;

use super::release::*;
use super::{ReferenceDb, ReferenceError};
use crate::reference::test_support::{bundled_json, set_version};

fn today() -> Date {
    Date::from_calendar_date(2026, time::Month::December, 6).expect("a date")
}

fn release(version: &str) -> (String, String) {
    let (mut d, mut o) = bundled_json();
    set_version(&mut d, &mut o, version);
    (d.to_string(), o.to_string())
}

fn check(
    sig: Option<&str>,
    d: &str,
    o: &str,
    publishers: &Publishers,
) -> Result<(), ReferenceError> {
    let db = ReferenceDb::from_texts(d, o).expect("valid files");
    verify(sig, d, o, &db, publishers, today())
}

#[test]
fn built_in_publisher_keys_parse() {
    assert!(!Publishers::built_in().is_empty());
}

#[test]
fn a_trusted_signature_over_the_files_is_accepted() {
    let key = PublisherKey::generate();
    let (d, o) = release("2026.12.1");
    let sig = sign(&key, &d, &o).expect("signs");
    check(Some(&sig), &d, &o, &Publishers::from_keys([key.public()])).expect("accepted");
}

#[test]
fn unsigned_unknown_tampered_and_relabelled_releases_are_refused() {
    let key = PublisherKey::generate();
    let trusted = Publishers::from_keys([key.public()]);
    let (d, o) = release("2026.12.1");
    let sig = sign(&key, &d, &o).expect("signs");

    assert!(matches!(
        check(None, &d, &o, &trusted),
        Err(ReferenceError::Unsigned)
    ));

    let stranger = PublisherKey::generate();
    let foreign = sign(&stranger, &d, &o).expect("signs");
    assert!(matches!(
        check(Some(&foreign), &d, &o, &trusted),
        Err(ReferenceError::UnknownPublisher { .. })
    ));

    // One changed word in the disease file.
    let changed = d.replacen("潰瘍性大腸炎", "潰瘍性大腸災", 1);
    assert_ne!(changed, d);
    let err = check(Some(&sig), &changed, &o, &trusted).expect_err("refused");
    assert!(err.to_string().contains("changed after"), "{err}");

    // The same files relabelled as a later version.
    let (d2, o2) = release("2026.12.2");
    let err = check(Some(&sig), &d2, &o2, &trusted).expect_err("refused");
    assert!(err.to_string().contains("another version"), "{err}");

    // A signature from another release, carried over.
    let mut forged: serde_json::Value = serde_json::from_str(&sig).expect("json");
    forged["signature"] = hex::encode([7u8; 64]).into();
    assert!(matches!(
        check(Some(&forged.to_string()), &d, &o, &trusted),
        Err(ReferenceError::BadSignature { .. })
    ));
    assert!(matches!(
        check(Some("not json"), &d, &o, &trusted),
        Err(ReferenceError::BadSignature { .. })
    ));
}

#[test]
fn a_signed_release_numbered_far_ahead_or_dated_in_the_future_is_refused() {
    let key = PublisherKey::generate();
    let trusted = Publishers::from_keys([key.public()]);
    let (d, o) = release("9999.1.1");
    let sig = sign(&key, &d, &o).expect("signs");
    assert!(matches!(
        check(Some(&sig), &d, &o, &trusted),
        Err(ReferenceError::Implausible { .. })
    ));

    let (mut dj, mut oj) = bundled_json();
    set_version(&mut dj, &mut oj, "2026.12.1");
    dj["published"] = "2027-03-01".into();
    let (d, o) = (dj.to_string(), oj.to_string());
    let sig = sign(&key, &d, &o).expect("signs");
    assert!(matches!(
        check(Some(&sig), &d, &o, &trusted),
        Err(ReferenceError::Implausible { .. })
    ));
    // Next year's first release is plausible in December.
    let (d, o) = release("2027.1.1");
    let sig = sign(&key, &d, &o).expect("signs");
    check(Some(&sig), &d, &o, &trusted).expect("accepted");
}

#[test]
fn a_publisher_key_round_trips_through_its_file_text() {
    let key = PublisherKey::generate();
    let again = PublisherKey::from_hex(&key.to_hex()).expect("parses");
    assert_eq!(key.public(), again.public());
    assert!(PublisherKey::from_hex("zz").is_none());
    assert!(!format!("{key:?}").contains(key.to_hex().as_str()));
}
