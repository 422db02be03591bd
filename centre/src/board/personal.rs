//! The board's guard for personal information (個人情報の確認): before a
//! post or a comment is saved, [`scan`] looks through its text for what
//! looks like an individual's information, so that the poster can be
//! shown each [`Finding`] and take it out. The board must never carry a
//! client's data; this is a net of patterns that catches the usual ways it
//! gets written down, not a proof that a text is free of it.
//!
//! **What it finds** ([`PersonalKind`]), in Japanese text (and a little
//! English) written with full-width or half-width digits, letters,
//! hyphens (－ ー ‐ − – …) and brackets alike:
//!
//! - phone numbers: landlines (`03-1234-5678`, `(03)1234-5678`,
//!   `0312345678`), mobiles and IP phones (070, 080, 090, 050), 0120, 0570
//!   and 0800, and `+81`. *Any* phone number is flagged, an agency's public
//!   one too: the guard cannot tell whose a number is;
//! - e-mail addresses, whoever's they are;
//! - postal codes marked with `〒` or `郵便番号`, or written just before an
//!   address;
//! - postal addresses down to the block: a municipality (市・区・町・村・郡,
//!   with or without its prefecture) followed by `2丁目`, `3番地`, `8番1号`
//!   or `2-8-1`. A town or ward alone (`新宿区の事業所`) is not an address;
//! - birth dates: a date with its day next to 生年月日, 誕生日, 生まれ or
//!   生, or followed by an age (`（45歳）`). A date alone, such as a
//!   meeting's, is not one, nor is an era date alone;
//! - 12-digit individual numbers (マイナンバー), ungrouped or as 4-4-4,
//!   when the check digit is right or when マイナンバー or 個人番号 comes
//!   just before;
//! - a person's name next to a disease or a workplace: a name is a run of
//!   kanji (with a kana given name, or a katakana name alone) written with
//!   さん, 様, さま, 氏, 君, くん, ちゃん or 殿, or after `氏名:` or
//!   `氏名 `, or in
//!   English after Mr, Ms, Mrs, Miss or Mx or before `-san`. Role words
//!   (利用者さん, 皆様, 担当者様, 事業主様, お客様, センター様, 会社さん …),
//!   initials (`Aさん`) and placeholders (`〇〇さん`) are not names. The
//!   disease or workplace must be in the same sentence, at most 30
//!   characters from the name (60 in English): a disease is one of the
//!   built-in names (the designated intractable diseases of the project's
//!   reference sources among them), any word ending in 病, 症 or 炎, or a
//!   word of treatment (通院, 服薬, 主治医, 障害者手帳 …); a workplace is
//!   a company (株式会社, 会社, ㈱ …), a factory, a shop, or 勤務, 職場,
//!   就職先, 入社, 配属 …. Words for a whole population (難病, 疾患)
//!   count only within 8 characters, and not inside the name of an
//!   organisation or a role (難病相談支援センター, 難病患者就職サポーター).
//!
//! **What it cannot catch.** A text it passes may still identify a client:
//!
//! - a name without an honorific or a label (`山田はクローン病で…`), a name
//!   written only in hiragana, a romanised name without Mr or Ms;
//! - a name and its disease or workplace in different sentences
//!   (`木下さんと面談しました。パーキンソン病の症状が…`);
//! - a name with something else that singles a person out: their family,
//!   their town and age, a rare disease, their job title, a nickname;
//! - a workplace or a disease the word lists do not know (`パン屋`,
//!   `物流センター`, a disease written in English only as its symptoms);
//! - an address without a block number (`駅前のマンションの3階`), a postal
//!   code with no mark and no address after it;
//! - numbers written in kanji (`〇九〇…`), spelled out, or split in ways
//!   people do not usually write them; an e-mail address written to dodge
//!   filters (`yamada (at) example.jp`);
//! - a birth year alone (`1985年生まれ`), an age alone, a birth date not
//!   marked as one;
//! - half-width katakana (`ﾔﾏﾀﾞ`), and anything in an attachment or image.
//!
//! It also flags what is not a client's: by design, an agency's phone
//! number or address and an employer's contact person named next to the
//! company; by mistake, a colleague named next to a disease or a company
//! that is only the topic (`パーキンソン病の章は小島さんが担当します`,
//! `会社説明会の準備は田中さんに`). The poster is shown why and decides.
//!
//! The kinds are found in `contact` (phones, e-mail), `place` (postal
//! codes, addresses), `identity` (birth dates, individual numbers) and
//! `names` (names next to a disease or a workplace), each on the text
//! as `Normalized`.
//!
//! Findings hold only a kind and a byte range, never the text, so that
//! logging one does not log the personal information it points at.

mod contact;
mod identity;
mod names;
mod place;

use std::ops::Range;

use regex::Regex;

/// What kind of personal information a [`Finding`] looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PersonalKind {
    /// 電話番号: a Japanese phone number.
    Phone,
    /// メールアドレス: an e-mail address.
    Email,
    /// 住所: a postal address down to the block number.
    PostalAddress,
    /// 郵便番号: a marked postal code.
    PostalCode,
    /// 生年月日: a date of birth.
    BirthDate,
    /// マイナンバー（個人番号）: a 12-digit individual number.
    IndividualNumber,
    /// 氏名と病名: a person's name near a disease or treatment.
    NameWithDisease,
    /// 氏名と勤務先: a person's name near a workplace.
    NameWithWorkplace,
}

impl PersonalKind {
    /// Every kind, in the order they are explained to the poster.
    pub const ALL: [Self; 8] = [
        Self::NameWithDisease,
        Self::NameWithWorkplace,
        Self::Phone,
        Self::Email,
        Self::PostalAddress,
        Self::PostalCode,
        Self::BirthDate,
        Self::IndividualNumber,
    ];

    /// A code for the JSON API; never changes once given out.
    pub fn code(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Email => "email",
            Self::PostalAddress => "postal_address",
            Self::PostalCode => "postal_code",
            Self::BirthDate => "birth_date",
            Self::IndividualNumber => "individual_number",
            Self::NameWithDisease => "name_with_disease",
            Self::NameWithWorkplace => "name_with_workplace",
        }
    }

    /// The name shown to the poster, in Japanese (the source of truth).
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Phone => "電話番号",
            Self::Email => "メールアドレス",
            Self::PostalAddress => "住所",
            Self::PostalCode => "郵便番号",
            Self::BirthDate => "生年月日",
            Self::IndividualNumber => "マイナンバー（個人番号）",
            Self::NameWithDisease => "氏名と病名",
            Self::NameWithWorkplace => "氏名と勤務先",
        }
    }

    /// The name in English.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Phone => "phone number",
            Self::Email => "e-mail address",
            Self::PostalAddress => "postal address",
            Self::PostalCode => "postal code",
            Self::BirthDate => "date of birth",
            Self::IndividualNumber => "12-digit individual number",
            Self::NameWithDisease => "a name next to a disease",
            Self::NameWithWorkplace => "a name next to a workplace",
        }
    }
}

/// One place in a text that looks like personal information. It holds no
/// text, only where it is, so its `Debug` output identifies no one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What it looks like.
    pub kind: PersonalKind,
    /// Where it is: a byte range of the scanned text, on character
    /// boundaries. For a name with a disease or a workplace it covers the
    /// name, the term and what lies between them.
    pub span: Range<usize>,
}

impl Finding {
    /// The found text in `text`, which must be the text that was scanned
    /// (another text gives an empty or meaningless excerpt, never a panic).
    pub fn excerpt<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.span.clone()).unwrap_or("")
    }
}

/// Everything in `text` that looks like personal information, sorted by
/// where it starts (then by kind). Findings of one kind never overlap;
/// findings of different kinds may (a postal code just before an address,
/// a name near both a disease and a workplace).
pub fn scan(text: &str) -> Vec<Finding> {
    let norm = Normalized::new(text);
    let t = norm.text.as_str();
    let mut found: Vec<(PersonalKind, Range<usize>)> = Vec::new();
    contact::phones(t, &mut found);
    contact::emails(t, &mut found);
    place::postal_codes(t, &mut found);
    place::addresses(t, &mut found);
    identity::birth_dates(t, &mut found);
    identity::individual_numbers(t, &mut found);
    names::names_in_context(t, &mut found);

    let mut findings: Vec<Finding> = found
        .into_iter()
        .map(|(kind, span)| Finding {
            kind,
            span: norm.original(span),
        })
        .collect();
    findings.sort_by_key(|f| (f.kind, f.span.start, f.span.end));
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        match merged.last_mut() {
            Some(last) if last.kind == f.kind && f.span.start < last.span.end => {
                last.span.end = last.span.end.max(f.span.end);
            }
            _ => merged.push(f),
        }
    }
    merged.sort_by_key(|f| (f.span.start, f.kind, f.span.end));
    merged
}

/// The scanned text with full-width ASCII (digits, letters, `＠`, `（`,
/// `－` …) made half-width, ideographic spaces made plain, dashes made
/// `-` (the long-vowel mark ー only between digits), so that one pattern
/// reads every way of writing a number. Each character becomes exactly one
/// character, and `origin` leads back to the original.
struct Normalized {
    text: String,
    /// For each byte of `text`, the offset in the original of the character
    /// it came from; one more entry holds the original's length.
    origin: Vec<usize>,
}

impl Normalized {
    fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        let mut chars = original.char_indices().peekable();
        let mut prev = None;
        while let Some((at, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            let n = normalize_char(c, prev, next);
            origin.extend(std::iter::repeat_n(at, n.len_utf8()));
            text.push(n);
            prev = Some(c);
        }
        origin.push(original.len());
        Self { text, origin }
    }

    /// The original byte range of `span`, a range of `text` on character
    /// boundaries.
    fn original(&self, span: Range<usize>) -> Range<usize> {
        self.origin[span.start]..self.origin[span.end]
    }
}

fn normalize_char(c: char, prev: Option<char>, next: Option<char>) -> char {
    let digit =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2043}' | '\u{2212}' | '\u{FE63}' => '-',
        'ー' | 'ｰ' if digit(prev) && digit(next) => '-',
        _ => c,
    }
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the guard's patterns are fixed and valid")
}

/// The character before byte `at` of `t`, if any.
fn char_before(t: &str, at: usize) -> Option<char> {
    t[..at].chars().next_back()
}

/// The character at byte `at` of `t`, if any.
fn char_at(t: &str, at: usize) -> Option<char> {
    t[at..].chars().next()
}

/// Whether a run of digits ends at `start` or goes on at `end`: the match
/// is then part of a longer number (an order number, an amount, a code).
fn inside_longer_number(t: &str, start: usize, end: usize) -> bool {
    let before = char_before(t, start)
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | '/' | ','));
    let mut after = t[end..].chars();
    let after = match after.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('-' | '.' | '/' | ',') => after.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    before || after
}

/// Whether `pattern` (anchored with `$`) matches the last `chars`
/// characters before byte `at`.
fn preceded_by(t: &str, at: usize, chars: usize, pattern: &Regex) -> bool {
    let from = t[..at]
        .char_indices()
        .rev()
        .take(chars)
        .last()
        .map_or(at, |(i, _)| i);
    pattern.is_match(&t[from..at])
}

/// The excerpts of the findings of `kind` in `text`, for the tests of
/// each kind.
#[cfg(test)]
fn found(text: &str, kind: PersonalKind) -> Vec<&str> {
    scan(text)
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.excerpt(text))
        .collect()
}

/// [`scan`] over the fields of one post or comment, each given with its
/// name (`title`, `body`): what was found, in field order.
pub fn scan_fields<'n>(fields: &[(&'n str, &str)]) -> Vec<(&'n str, Finding)> {
    fields
        .iter()
        .flat_map(|(name, text)| scan(text).into_iter().map(move |f| (*name, f)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PersonalKind, &str)> {
        scan(text)
            .iter()
            .map(|f| (f.kind, f.excerpt(text)))
            .collect()
    }

    #[test]
    fn findings_are_sorted_and_one_kind_never_overlaps() {
        let text =
            "〒160-0023 東京都新宿区西新宿2-8-1、TEL 03-1234-5678、山田太郎さん（パーキンソン病）";
        let all = kinds(text);
        let got: Vec<PersonalKind> = all.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            got,
            [
                PersonalKind::PostalCode,
                PersonalKind::PostalAddress,
                PersonalKind::Phone,
                PersonalKind::NameWithDisease
            ],
            "{all:?}"
        );
        let findings = scan(text);
        for pair in findings.windows(2) {
            assert!(pair[0].span.start <= pair[1].span.start);
            if pair[0].kind == pair[1].kind {
                assert!(pair[0].span.end <= pair[1].span.start);
            }
        }
    }

    #[test]
    fn spans_land_on_char_boundaries_and_cover_what_was_found() {
        let text = "ご連絡は　０３－１２３４－５６７８（代表）、ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｊｐ。\
                    佐藤花子さんは潰瘍性大腸炎で通院中、〒１６０－００２３　東京都新宿区西新宿２丁目８－１、\
                    生年月日：昭和６０年４月１２日、マイナンバー１２３４　５６７８　９０１８。";
        let findings = scan(text);
        assert_eq!(findings.len(), 7, "{findings:?}");
        for f in &findings {
            assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
            assert!(!f.excerpt(text).is_empty());
        }
        let excerpt = |kind| {
            findings
                .iter()
                .find(|f| f.kind == kind)
                .map(|f| f.excerpt(text))
                .expect("each kind is found once")
        };
        assert_eq!(excerpt(PersonalKind::Phone), "０３－１２３４－５６７８");
        assert_eq!(
            excerpt(PersonalKind::Email),
            "ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｊｐ"
        );
        assert_eq!(
            excerpt(PersonalKind::NameWithDisease),
            "佐藤花子さんは潰瘍性大腸炎"
        );
        assert_eq!(excerpt(PersonalKind::PostalCode), "〒１６０－００２３");
        assert_eq!(
            excerpt(PersonalKind::PostalAddress),
            "東京都新宿区西新宿２丁目８－１"
        );
        assert_eq!(excerpt(PersonalKind::BirthDate), "昭和６０年４月１２日");
        assert_eq!(
            excerpt(PersonalKind::IndividualNumber),
            "１２３４　５６７８　９０１８"
        );
    }

    #[test]
    fn an_excerpt_of_another_text_does_not_panic() {
        let findings = scan("電話 03-1234-5678");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].excerpt("短い"), "");
        assert_eq!(findings[0].excerpt("あいうえおかきくけこ"), "");
    }

    #[test]
    fn text_without_personal_information_has_no_findings() {
        assert!(scan("").is_empty());
        assert!(
            scan("難病のある方の就労支援について、2026年4月12日に研修会を行います。").is_empty()
        );
    }

    #[test]
    fn the_debug_output_of_a_finding_holds_no_text() {
        let text = "山田太郎さん（パーキンソン病）";
        let shown = format!("{:?}", scan(text));
        assert!(!shown.contains("山田"), "{shown}");
    }

    #[test]
    fn scanning_any_text_never_panics_and_spans_stay_on_char_boundaries() {
        const PIECES: &[&str] = &[
            "0",
            "3",
            "9",
            "０",
            "８",
            "-",
            "－",
            "ー",
            "‐",
            " ",
            "　",
            "(",
            "）",
            "+81",
            "〒",
            "@",
            "＠",
            ".",
            "。",
            "\n",
            "a",
            "Z",
            "山田",
            "太郎",
            "さん",
            "様",
            "氏",
            "ちゃん",
            "さくら",
            "マリア",
            "センター",
            "病",
            "症",
            "炎",
            "難病",
            "患者",
            "会社",
            "勤務",
            "東京都",
            "新宿区",
            "市",
            "丁目",
            "番",
            "号",
            "年",
            "月",
            "日",
            "生まれ",
            "生年月日",
            "歳",
            "マイナンバー",
            "Mr.",
            "Ms",
            "-san",
            "〇",
            "々",
            "ｰ",
            "😀",
            "é",
            "、",
            "の",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = usize::try_from(next() % 40).expect("a small number");
            let text: String = (0..len)
                .map(|_| PIECES[usize::try_from(next()).expect("64-bit usize") % PIECES.len()])
                .collect();
            for f in scan(&text) {
                assert!(
                    f.span.start < f.span.end && f.span.end <= text.len(),
                    "{text:?}"
                );
                assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
            }
        }
    }

    #[test]
    fn a_body_of_the_longest_allowed_size_is_scanned_quickly() {
        let body =
            "山田さんは難病で通院中、電話 03-1234-5678、東京都新宿区西新宿2-8-1。".repeat(500);
        let started = std::time::Instant::now();
        let findings = scan(&body);
        assert_eq!(findings.len(), 3 * 500);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn every_kind_has_both_labels_and_a_distinct_code() {
        let mut codes: Vec<&str> = PersonalKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), PersonalKind::ALL.len());
        for kind in PersonalKind::ALL {
            assert!(!kind.label_ja().is_empty() && !kind.label_en().is_empty());
        }
    }
}
