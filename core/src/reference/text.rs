//! Text shown to users, in Japanese first with an English translation.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A user-facing text: Japanese is the source of truth (`ja`), English a
/// translation (`en`). A missing translation is allowed so that new entries
/// can be published before they are translated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedText {
    /// The Japanese text (the original).
    pub ja: String,
    /// The English translation; empty when not yet translated.
    #[serde(default)]
    pub en: String,
}

impl LocalizedText {
    /// The English text, or the Japanese one when there is no translation.
    pub fn en_or_ja(&self) -> &str {
        if self.en.trim().is_empty() {
            &self.ja
        } else {
            &self.en
        }
    }
}

/// Shows the Japanese text.
impl fmt::Display for LocalizedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ja)
    }
}
