//! Newtypes for the ids and codes of the reference database. Each one checks
//! its spelling when it is made, so a value of these types is always well
//! formed ("parse, don't validate").

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ReferenceError;

const SLUG_RULE: &str =
    "use 1–64 lowercase ascii letters, digits, '-' or '_', starting with a letter or digit";
const CODE_RULE: &str = "use 1–16 uppercase ascii letters, digits or '_', starting with a letter";
const SOURCE_RULE: &str = "use 1–16 ascii letters, digits, '-' or '_'";

fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && s.len() <= 16
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_source_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 16
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $check:ident, $rule:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks the spelling and wraps the value.
            pub fn new(value: impl Into<String>) -> Result<Self, ReferenceError> {
                let value = value.into();
                if $check(&value) {
                    Ok(Self(value))
                } else {
                    Err(ReferenceError::InvalidId { kind: $kind, value, rule: $rule })
                }
            }

            /// The id as text, exactly as written in the data file.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ReferenceError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ReferenceError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_newtype!(
    /// The stable id of a disease (疾患), an ascii slug such as
    /// `ulcerative-colitis`. Cases store this id, so it never changes once
    /// published, even if the disease is renamed.
    DiseaseId, "disease id", is_slug, SLUG_RULE
);
id_newtype!(
    /// The code of a vocational issue (職業的課題), such as `FAT` (易疲労・体調変動)
    /// or `TOIL` (トイレ). Diseases and occupations both speak in these codes.
    IssueCode, "issue code", is_code, CODE_RULE
);
id_newtype!(
    /// The stable id of an occupation (職業), an ascii slug such as
    /// `data-entry`.
    OccupationId, "occupation id", is_slug, SLUG_RULE
);
id_newtype!(
    /// The stable id of one accommodation option (配慮事項), such as
    /// `clin-leave-and-hours`. A support plan that records the chosen
    /// options stores these ids.
    AccommodationId, "accommodation id", is_slug, SLUG_RULE
);
id_newtype!(
    /// The id of a source in the source index (出典), such as `S8`.
    SourceId, "source id", is_source_id, SOURCE_RULE
);
id_newtype!(
    /// The id of a disease group (疾患群), such as `digestive` (消化器系).
    GroupId, "group id", is_slug, SLUG_RULE
);
id_newtype!(
    /// The code of an occupation category (職業分類の大分類), such as `06`
    /// (事務的職業).
    CategoryCode, "category code", is_slug, SLUG_RULE
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disease_id_rejects_spaces_capitals_and_empty_text() {
        assert!(DiseaseId::new("ulcerative-colitis").is_ok());
        for bad in ["", "Ulcerative", "ulcerative colitis", "潰瘍性大腸炎", "-x"] {
            let err = DiseaseId::new(bad).expect_err(bad);
            assert!(err.to_string().contains("disease id"), "{err}");
        }
    }

    #[test]
    fn issue_code_must_be_uppercase() {
        assert!(IssueCode::new("TOIL").is_ok());
        assert!(IssueCode::new("toil").is_err());
        assert!(IssueCode::new("").is_err());
    }

    #[test]
    fn ids_deserialize_only_when_well_formed() {
        let ok: Result<DiseaseId, _> = serde_json::from_str("\"sle\"");
        assert_eq!(ok.expect("valid id").as_str(), "sle");
        let bad: Result<DiseaseId, _> = serde_json::from_str("\"S L E\"");
        assert!(bad.is_err());
    }
}
