//! Helpers shared by the reference tests: the bundled files as editable JSON.

use std::fs;
use std::path::Path;

use serde_json::Value;
use time::{Date, Month};

use super::release::{self, PublisherKey, Publishers, SIGNATURE_FILE};
use super::update::Trust;

use super::update::{BUNDLED_DISEASES, BUNDLED_OCCUPATIONS};
use super::{DISEASES_FILE, DiseaseId, OCCUPATIONS_FILE, OccupationId, ReferenceDb};

pub(crate) fn bundled() -> ReferenceDb {
    ReferenceDb::bundled().expect("the bundled reference files are valid")
}

/// The bundled files as JSON values, to be changed by a test.
pub(crate) fn bundled_json() -> (Value, Value) {
    (
        serde_json::from_str(BUNDLED_DISEASES).expect("bundled diseases.json is JSON"),
        serde_json::from_str(BUNDLED_OCCUPATIONS).expect("bundled occupations.json is JSON"),
    )
}

pub(crate) fn set_version(diseases: &mut Value, occupations: &mut Value, version: &str) {
    diseases["version"] = version.into();
    occupations["version"] = version.into();
}

/// The publisher key the tests sign with; no build trusts it.
pub(crate) fn test_publisher() -> PublisherKey {
    PublisherKey::from_hex(&"5a".repeat(32)).expect("a key")
}

/// Trusts [`test_publisher`] only, on a day late enough for the tests'
/// far-future versions to be plausible.
pub(crate) fn test_trust() -> Trust {
    Trust {
        publishers: Publishers::from_keys([test_publisher().public()]),
        today: Date::from_calendar_date(2100, Month::January, 1).expect("a date"),
    }
}

/// Writes the two files and, when they form a valid release, its signature
/// by [`test_publisher`].
pub(crate) fn write_dir(dir: &Path, diseases: &Value, occupations: &Value) {
    write_unsigned_dir(dir, diseases, occupations);
    let (d, o) = (diseases.to_string(), occupations.to_string());
    if let Ok(signature) = release::sign(&test_publisher(), &d, &o) {
        fs::write(dir.join(SIGNATURE_FILE), signature).expect("write release.sig");
    }
}

/// Writes the two files and no signature.
pub(crate) fn write_unsigned_dir(dir: &Path, diseases: &Value, occupations: &Value) {
    fs::create_dir_all(dir).expect("create test folder");
    fs::write(dir.join(DISEASES_FILE), diseases.to_string()).expect("write diseases.json");
    fs::write(dir.join(OCCUPATIONS_FILE), occupations.to_string()).expect("write occupations.json");
}

pub(crate) fn disease_id(id: &str) -> DiseaseId {
    DiseaseId::new(id).expect("test ids are well formed")
}

pub(crate) fn occupation_id(id: &str) -> OccupationId {
    OccupationId::new(id).expect("test ids are well formed")
}
