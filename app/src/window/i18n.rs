//! Translation of the texts the Rust side puts on screen (the case form's
//! labels, the choices' names, the reference's levels): the same catalogue
//! as the `.slint` files' `@tr`, `ui/i18n/<lang>/LC_MESSAGES/tsunagi.po`,
//! whose message ids are the Japanese texts. `ui/i18n/extract.py` collects
//! them from the Rust sources named there.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tsunagi_core::consent::Refusal;
use tsunagi_core::reference::LocalizedText;

use serde::{Deserialize, Serialize};

/// The screen language. Japanese is the source language of every text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// 日本語 (the texts as written).
    #[default]
    Japanese,
    /// English (the bundled translation `ui/i18n/en`).
    English,
}

impl Language {
    /// The order of the screen's choices.
    pub const ALL: [Language; 2] = [Language::Japanese, Language::English];

    /// The name of the bundled translation; empty for the source language.
    pub fn bundle(self) -> &'static str {
        match self {
            Self::Japanese => "",
            Self::English => "en",
        }
    }
}

static ENGLISH: AtomicBool = AtomicBool::new(false);

static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse_po(include_str!("../../../ui/i18n/en/LC_MESSAGES/tsunagi.po")));

/// Chooses the language of [`tr`]'s answers.
pub fn set_language(language: Language) {
    ENGLISH.store(language == Language::English, Ordering::Relaxed);
}

/// The language chosen with [`set_language`].
pub fn current() -> Language {
    if ENGLISH.load(Ordering::Relaxed) {
        Language::English
    } else {
        Language::Japanese
    }
}

/// `ja` in the chosen language (see [`tr_in`]).
pub fn tr(ja: &str) -> &str {
    tr_in(current(), ja)
}

/// `ja` in the chosen language with each `{}` filled by the next of
/// `values`; a `{}` without a value stays as it is.
pub fn tr_fill(ja: &str, values: &[&str]) -> String {
    let mut parts = tr(ja).split("{}");
    let mut out = parts.next().unwrap_or_default().to_owned();
    let mut values = values.iter();
    for part in parts {
        out.push_str(values.next().copied().unwrap_or("{}"));
        out.push_str(part);
    }
    out
}

/// Why a use of a case is refused by the client's consents, in the chosen
/// language.
pub fn refusal_words(why: Refusal) -> String {
    match current() {
        Language::Japanese => why.message_ja(),
        Language::English => why.message_en(),
    }
}

/// A reference text in the chosen language (the English translation when
/// there is one).
pub fn text(text: &LocalizedText) -> &str {
    match current() {
        Language::Japanese => &text.ja,
        Language::English => text.en_or_ja(),
    }
}

/// `ja` in `language`: itself in Japanese, else its translation, else
/// itself (an untranslated text shows in Japanese, as in Slint).
pub fn tr_in(language: Language, ja: &str) -> &str {
    if language == Language::Japanese {
        return ja;
    }
    match EN.get(ja) {
        Some(en) if !en.is_empty() => en,
        _ => ja,
    }
}

/// The `msgid` → `msgstr` pairs of a `.po` file (no plural forms or contexts:
/// the catalogue uses neither).
fn parse_po(text: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut id: Option<String> = None;
    let mut current: Option<(bool, String)> = None; // (is msgstr, text)
    let mut finish =
        |current: &mut Option<(bool, String)>, id: &mut Option<String>| match current.take() {
            Some((false, text)) => *id = Some(text),
            Some((true, text)) => {
                if let Some(key) = id.take().filter(|k| !k.is_empty()) {
                    map.insert(key, text);
                }
            }
            None => {}
        };
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("msgid ") {
            finish(&mut current, &mut id);
            current = Some((false, unquote(rest)));
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            finish(&mut current, &mut id);
            current = Some((true, unquote(rest)));
        } else if line.starts_with('"') {
            if let Some((_, text)) = current.as_mut() {
                text.push_str(&unquote(line));
            }
        } else {
            finish(&mut current, &mut id);
        }
    }
    finish(&mut current, &mut id);
    map
}

fn unquote(quoted: &str) -> String {
    let inner = quoted
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// A size in words: "512 B", "3.4 KB", "12.0 MB", "1.20 GB" (powers of 1000,
/// as a tablet's storage settings show them).
pub fn size_text(bytes: u64) -> String {
    const K: f64 = 1000.0;
    let b = bytes as f64;
    if b < K {
        format!("{bytes} B")
    } else if b < K * K {
        format!("{:.1} KB", b / K)
    } else if b < K * K * K {
        format!("{:.1} MB", b / (K * K))
    } else {
        format!("{:.2} GB", b / (K * K * K))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_a_tablet_shows_them() {
        assert_eq!(size_text(0), "0 B");
        assert_eq!(size_text(999), "999 B");
        assert_eq!(size_text(3_400), "3.4 KB");
        assert_eq!(size_text(12_049_000), "12.0 MB");
        assert_eq!(size_text(1_200_000_000), "1.20 GB");
    }

    #[test]
    fn placeholders_are_filled_in_order_and_a_value_is_never_read_as_one() {
        // Not in the catalogue: the same in either language.
        assert_eq!(tr_fill("試し {} と {}", &["一", "二"]), "試し 一 と 二");
        assert_eq!(tr_fill("試し {} と {}", &["{}", "二"]), "試し {} と 二");
        assert_eq!(tr_fill("試し {} と {}", &["一"]), "試し 一 と {}");
        assert_eq!(tr_fill("試し", &["一"]), "試し");
    }

    #[test]
    fn a_po_file_reads_into_pairs_with_escapes_and_continuations() {
        let map = parse_po(
            "msgid \"\"\nmsgstr \"\"\n\"Language: en\\n\"\n\n#: a.slint:1\nmsgid \"氏名\"\nmsgstr \"Name\"\n\nmsgid \"改行\\n\"\nmsgstr \"\"\n\"line \\\"one\\\"\\n\"\n",
        );
        assert_eq!(map.get("氏名").map(String::as_str), Some("Name"));
        assert_eq!(
            map.get("改行\n").map(String::as_str),
            Some("line \"one\"\n")
        );
        assert!(!map.contains_key(""), "the header is not a message");
    }

    #[test]
    fn the_bundled_catalogue_translates_the_form_labels() {
        assert_eq!(EN.get("氏名").map(String::as_str), Some("Name"));
    }
}
