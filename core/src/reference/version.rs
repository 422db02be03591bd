//! The version of a reference release, compared as dotted numbers.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::ReferenceError;

/// The version of a reference release (データベースの版), such as `2026.11.1`.
///
/// Versions compare part by part as numbers, so `2026.9.1` is older than
/// `2026.10.1`, and missing trailing parts count as zero (`2026.11` equals
/// `2026.11.0`). The text is kept as written for display.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReferenceVersion {
    parts: Vec<u32>,
    text: String,
}

impl ReferenceVersion {
    /// Parses dotted numbers: one to eight parts, each a number that fits
    /// in 32 bits.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let invalid = || ReferenceError::InvalidVersion {
            value: text.to_owned(),
        };
        let parts = text
            .split('.')
            .map(|part| {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid());
                }
                part.parse::<u32>().map_err(|_| invalid())
            })
            .collect::<Result<Vec<_>, _>>()?;
        if parts.len() > 8 {
            return Err(invalid());
        }
        Ok(Self {
            parts,
            text: text.to_owned(),
        })
    }

    /// The version as written in the data file.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parts with trailing zeros removed, so that equal versions have
    /// equal keys.
    fn key(&self) -> &[u32] {
        let end = self
            .parts
            .iter()
            .rposition(|&p| p != 0)
            .map_or(0, |i| i + 1);
        &self.parts[..end]
    }
}

impl PartialEq for ReferenceVersion {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for ReferenceVersion {}

impl Hash for ReferenceVersion {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for ReferenceVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ReferenceVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // Slices compare lexicographically element by element, and a prefix
        // is smaller: exactly "dotted numbers" once trailing zeros are gone.
        self.key().cmp(other.key())
    }
}

impl fmt::Display for ReferenceVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for ReferenceVersion {
    type Error = ReferenceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ReferenceVersion> for String {
    fn from(version: ReferenceVersion) -> String {
        version.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ReferenceVersion {
        ReferenceVersion::parse(text).expect("test versions are valid")
    }

    #[test]
    fn versions_compare_as_numbers_not_as_text() {
        assert!(v("2026.9.1") < v("2026.10.1"));
        assert!(v("2026.11.1") < v("2026.11.2"));
        assert!(v("2027.1") > v("2026.12.31"));
        assert!(v("2026.11") < v("2026.11.1"));
    }

    #[test]
    fn trailing_zeros_do_not_make_a_version_newer() {
        assert_eq!(v("2026.11"), v("2026.11.0"));
        assert_eq!(v("2026.11").cmp(&v("2026.11.0.0")), Ordering::Equal);
    }

    #[test]
    fn version_that_is_not_dotted_numbers_is_refused() {
        for bad in [
            "",
            "2026..1",
            "v2026.11",
            "2026.11.1-beta",
            "2026.-1",
            "1.2.3.4.5.6.7.8.9",
            "99999999999",
        ] {
            assert!(
                ReferenceVersion::parse(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }
}
