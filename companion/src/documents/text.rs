//! Fonts and line breaking: glyph advances measured from the embedded BIZ UD
//! Gothic, Japanese line breaking by UAX #14 (`unicode-linebreak`) with
//! kinsoku shori (禁則処理) on top.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use printpdf::ParsedFont;

/// BIZ UDGothic Regular (SIL OFL 1.1), shipped in `assets/fonts/`.
const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/BIZUDGothic-Regular.ttf");
/// BIZ UDGothic Bold (SIL OFL 1.1), shipped in `assets/fonts/`.
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/BIZUDGothic-Bold.ttf");

/// The character printed for one the font has no glyph for (下駄記号).
pub const MISSING_GLYPH: char = '〓';

/// The two faces, parsed once per process, and the glyphs looked up in
/// each so far: a character map lookup in a font of 20,000 glyphs costs far
/// more than a hash lookup, and a document looks every character up twice
/// (to measure it, then to draw it).
pub(crate) struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
    glyphs: [Mutex<HashMap<char, Option<Glyph>>>; 2],
}

/// One character's glyph in a face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Glyph {
    /// The glyph's id in the whole (not subset) face.
    pub id: u16,
    /// The advance in font units.
    advance: u16,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    regular: parse(REGULAR_TTF),
    bold: parse(BOLD_TTF),
    glyphs: Default::default(),
});

fn parse(bytes: &[u8]) -> ParsedFont {
    ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
        .expect("the bundled BIZ UD Gothic font is a valid TrueType file")
}

/// The parsed fonts (parsed on first use).
pub(crate) fn fonts() -> &'static Fonts {
    &FONTS
}

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Fonts {
    fn face(&self, weight: Weight) -> &ParsedFont {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// The glyph of `c`, or `None` where the face has none.
    pub fn glyph(&self, c: char, weight: Weight) -> Option<Glyph> {
        let mut known = self.glyphs[weight as usize]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *known.entry(c).or_insert_with(|| {
            let face = self.face(weight);
            let id = face.lookup_glyph_index(c as u32).filter(|g| *g != 0)?;
            let advance = face.get_horizontal_advance(id);
            Some(Glyph { id, advance })
        })
    }

    /// The width of `text` at `size` points (a character without a glyph
    /// counts as one em, the width of the 〓 it is printed as).
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let upm = f32::from(self.face(weight).pdf_font_metrics.units_per_em.max(1));
        text.chars()
            .map(|c| {
                self.glyph(c, weight)
                    .map_or(size, |g| f32::from(g.advance) * size / upm)
            })
            .sum()
    }

    /// `text` with line feeds normalised, tabs as spaces, control characters
    /// dropped and characters the font cannot show replaced by 〓.
    pub fn printable(&self, text: &str) -> String {
        text.replace("\r\n", "\n")
            .chars()
            .filter_map(|c| match c {
                '\n' => Some('\n'),
                '\t' => Some(' '),
                c if c.is_control() => None,
                ' ' | '\u{3000}' => Some(c),
                c if self.glyph(c, Weight::Regular).is_none() => Some(MISSING_GLYPH),
                c => Some(c),
            })
            .collect()
    }
}

/// Characters that must not begin a line (行頭禁則).
pub(crate) fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | ','
            | '.'
            | '）'
            | ')'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '］'
            | ']'
            | '｝'
            | '}'
            | '”'
            | '’'
            | '・'
            | 'ー'
            | '―'
            | '～'
            | '〜'
            | '…'
            | '‥'
            | '！'
            | '!'
            | '？'
            | '?'
            | '：'
            | ':'
            | '；'
            | ';'
            | '々'
            | 'ゝ'
            | 'ゞ'
            | 'ヽ'
            | 'ヾ'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ゕ'
            | 'ゖ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | 'ㇰ'
            | 'ㇱ'
            | 'ㇲ'
            | 'ㇳ'
            | 'ㇴ'
            | 'ㇵ'
            | 'ㇶ'
            | 'ㇷ'
            | 'ㇸ'
            | 'ㇹ'
            | 'ㇺ'
            | 'ㇻ'
            | 'ㇼ'
            | 'ㇽ'
            | 'ㇾ'
            | 'ㇿ'
            | '％'
            | '%'
            | '℃'
            | '゛'
            | '゜'
    )
}

/// Characters that must not end a line (行末禁則).
pub(crate) fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '（' | '('
            | '「'
            | '『'
            | '【'
            | '〔'
            | '〈'
            | '《'
            | '［'
            | '['
            | '｛'
            | '{'
            | '“'
            | '‘'
            | '￥'
            | '＄'
            | '＃'
    )
}

/// Whether a line may break before the character at byte `at` of `s`
/// (UAX #14 allowed it; kinsoku is checked here).
fn kinsoku_allows(s: &str, at: usize) -> bool {
    let next = s[at..].chars().next();
    let prev = s[..at].chars().next_back();
    !(next.is_some_and(no_line_start) || prev.is_some_and(no_line_end))
}

/// Breaks `text` into lines no wider than `width` points at `size`:
/// mandatory breaks at line feeds, otherwise at UAX #14 opportunities that
/// kinsoku allows, and inside a run too long for a line at the last
/// character boundary that kinsoku allows (any boundary as a last resort).
/// An empty text gives no lines; an empty paragraph gives an empty line.
pub(crate) fn wrap(
    fonts: &Fonts,
    text: &str,
    weight: Weight,
    size: f32,
    width: f32,
) -> Vec<String> {
    let text = fonts.printable(text);
    let text = text.trim_end_matches(['\n', ' ', '\u{3000}']);
    if text.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        wrap_paragraph(fonts, paragraph, weight, size, width, &mut lines);
    }
    lines
}

fn wrap_paragraph(
    fonts: &Fonts,
    para: &str,
    weight: Weight,
    size: f32,
    width: f32,
    lines: &mut Vec<String>,
) {
    if para.trim().is_empty() {
        lines.push(String::new());
        return;
    }
    // Segments between allowed breaks.
    let mut segments = Vec::new();
    let mut start = 0;
    for (at, _) in unicode_linebreak::linebreaks(para) {
        if at == para.len() || (at > start && kinsoku_allows(para, at)) {
            if at > start {
                segments.push(&para[start..at]);
            }
            start = at;
        }
    }
    let mut line = String::new();
    let mut line_w = 0.0;
    for seg in segments {
        let seg_w = fonts.width(seg.trim_end(), weight, size);
        if line_w + seg_w <= width {
            line.push_str(seg);
            line_w += fonts.width(seg, weight, size);
            continue;
        }
        if !line.is_empty() {
            lines.push(line.trim_end().to_owned());
            line.clear();
        }
        if seg_w <= width {
            line.push_str(seg);
            line_w = fonts.width(seg, weight, size);
            continue;
        }
        // A run longer than a line: cut it by characters.
        let mut rest: Vec<char> = seg.chars().collect();
        loop {
            let mut w = 0.0;
            let mut fit = 0;
            for c in &rest {
                let cw = fonts.width(c.encode_utf8(&mut [0; 4]), weight, size);
                if w + cw > width && fit > 0 {
                    break;
                }
                w += cw;
                fit += 1;
            }
            if fit >= rest.len() {
                line = rest.iter().collect();
                line_w = fonts.width(&line, weight, size);
                break;
            }
            let mut cut = fit;
            while cut > 1 && (no_line_start(rest[cut]) || no_line_end(rest[cut - 1])) {
                cut -= 1;
            }
            lines.push(rest[..cut].iter().collect::<String>().trim_end().to_owned());
            rest.drain(..cut);
        }
    }
    if !line.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap10(text: &str, chars: f32) -> Vec<String> {
        wrap(fonts(), text, Weight::Regular, 10.0, chars * 10.0 + 0.01)
    }

    #[test]
    fn no_line_starts_with_a_closing_mark_or_small_kana() {
        let text = "あいうえおかきくけこ。さしすせそたちつてと、なにぬねのはひふへほ」まみむめもやゆよらりるれろっわをん";
        for width in 3..12 {
            let lines = wrap10(text, width as f32);
            assert_eq!(lines.concat(), text, "nothing is lost at width {width}");
            for line in &lines[1..] {
                let first = line.chars().next().expect("no empty lines");
                assert!(
                    !no_line_start(first),
                    "{line:?} starts with {first} at width {width}"
                );
            }
        }
    }

    #[test]
    fn no_line_ends_with_an_opening_bracket() {
        let text = "あいうえお「かきくけこ」さしすせそ（たちつてと）なにぬねの";
        for width in 3..10 {
            let lines = wrap10(text, width as f32);
            assert_eq!(lines.concat(), text);
            for line in &lines {
                let last = line.chars().next_back().expect("no empty lines");
                assert!(!no_line_end(last), "{line:?} at width {width}");
            }
        }
    }

    #[test]
    fn lines_fit_the_width_and_latin_words_stay_whole() {
        let text =
            "Customized employment starts from the person's strengths 強みと興味から始める。";
        let lines = wrap(fonts(), text, Weight::Regular, 10.0, 120.0);
        for line in &lines {
            assert!(
                fonts().width(line, Weight::Regular, 10.0) <= 120.0,
                "{line:?}"
            );
        }
        assert!(lines.iter().any(|l| l.contains("strengths")), "{lines:?}");
        assert!(lines.len() > 2);
    }

    #[test]
    fn a_run_longer_than_a_line_is_cut_and_line_feeds_are_kept() {
        let long = "x".repeat(200);
        let lines = wrap(
            fonts(),
            &format!("{long}\n\n次の段落"),
            Weight::Regular,
            10.0,
            100.0,
        );
        assert!(lines.len() > 3);
        assert_eq!(lines.concat(), format!("{long}次の段落"));
        assert!(lines.contains(&String::new()), "the blank line stays");
    }

    #[test]
    fn characters_without_a_glyph_become_a_geta_mark() {
        assert_eq!(fonts().printable("a😀b"), format!("a{MISSING_GLYPH}b"));
    }
}
