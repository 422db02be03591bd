//! The source index (出典) and how entries cite it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{LocalizedText, ReferenceError, SourceId};

/// One document in the source index (出典一覧): where a fact came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Its id, cited by entries (`S1`, `S8` …).
    pub id: SourceId,
    /// The document's title, as published (usually Japanese).
    pub title: String,
    /// Where it can be read, when there is one address.
    #[serde(default)]
    pub address: Option<String>,
    /// What part of it was actually available, and caveats.
    #[serde(default)]
    pub note: Option<LocalizedText>,
    /// The year of the material, when its age matters (the 1998 NIVR
    /// tables, for example, should be shown with their date).
    #[serde(default)]
    pub year: Option<u16>,
}

/// A citation: a source id and, optionally, where in it (`"S8 14"` is page
/// 14 of source S8; `"S2 p.117"` is page 117 of S2; for `S25` the locator is
/// the page address).
///
/// Written in the data files as one string: the id, then a space, then the
/// locator.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SourceRef {
    /// The cited source.
    pub source: SourceId,
    /// Where in the source (page, section, address), if given.
    pub at: Option<String>,
}

impl SourceRef {
    /// Parses `"S8"` or `"S8 14"`.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let text = text.trim();
        let (id, at) = match text.split_once(char::is_whitespace) {
            Some((id, rest)) => (id, Some(rest.trim().to_owned()).filter(|r| !r.is_empty())),
            None => (text, None),
        };
        Ok(Self {
            source: SourceId::new(id)?,
            at,
        })
    }
}

impl TryFrom<String> for SourceRef {
    type Error = ReferenceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SourceRef> for String {
    fn from(r: SourceRef) -> String {
        r.to_string()
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{} {}", self.source, at),
            None => write!(f, "{}", self.source),
        }
    }
}

/// How well an entry is supported (根拠). Everything not `Sourced` should be
/// shown to the worker as unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Taken from a found source (資料に基づく); it must cite one.
    #[default]
    Sourced,
    /// Inferred from sourced facts, not stated by a source (推論).
    Inference,
    /// From a secondary source judged weak, such as a forum post (弱い二次情報).
    WeakSource,
    /// General knowledge, not checked against a source (一般知識・未確認).
    GeneralKnowledge,
}

impl Basis {
    /// Whether the entry is stated by a found source.
    pub fn is_verified(self) -> bool {
        self == Basis::Sourced
    }

    /// A short Japanese label for screens and documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Basis::Sourced => "資料に基づく",
            Basis::Inference => "推論(未確認)",
            Basis::WeakSource => "弱い二次情報(未確認)",
            Basis::GeneralKnowledge => "一般知識(未確認)",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Basis::Sourced => "from a source",
            Basis::Inference => "inference (unverified)",
            Basis::WeakSource => "weak secondary source (unverified)",
            Basis::GeneralKnowledge => "general knowledge (unverified)",
        }
    }
}

/// A short work-relevant fact with its sources (出典付きの注記).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcedNote {
    /// The fact, paraphrased.
    pub text: LocalizedText,
    /// Where it comes from.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// How well it is supported.
    #[serde(default)]
    pub basis: Basis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ref_keeps_its_locator() {
        let r = SourceRef::parse("S7 2020.1 p.29").expect("valid reference");
        assert_eq!(r.source.as_str(), "S7");
        assert_eq!(r.at.as_deref(), Some("2020.1 p.29"));
        assert_eq!(r.to_string(), "S7 2020.1 p.29");
        let bare = SourceRef::parse("S1").expect("valid reference");
        assert_eq!(bare.at, None);
        assert!(SourceRef::parse("").is_err());
    }
}
