//! How to reach a person: phone numbers ([`PersonalKind::Phone`]) and
//! e-mail addresses ([`PersonalKind::Email`]), found in the normalized text
//! of [`super::Normalized`].

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{PersonalKind, inside_longer_number, regex};

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?:\+81[ -]?(?:\(0\)[ -]?)?|\(0|0)[0-9]{1,4}\)?[ -]?\(?[0-9]{1,4}\)?[ -]?[0-9]{3,4}")
});

pub(super) fn phones(t: &str, out: &mut Vec<(PersonalKind, Range<usize>)>) {
    for m in PHONE.find_iter(t) {
        if inside_longer_number(t, m.start(), m.end()) {
            continue;
        }
        let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
        let national = match digits.strip_prefix("81") {
            Some(rest) if m.as_str().starts_with("+81") => {
                format!("0{}", rest.trim_start_matches('0'))
            }
            _ => digits,
        };
        let valid = match national.len() {
            10 => !national.starts_with("00"),
            11 => ["070", "080", "090", "050", "060", "020", "0800"]
                .iter()
                .any(|p| national.starts_with(p)),
            _ => false,
        };
        if valid {
            // The bracket of `（090-1234-5678）` is the text's, not the number's.
            let unmatched = m.as_str().starts_with('(') && !m.as_str().contains(')');
            out.push((
                PersonalKind::Phone,
                m.start() + usize::from(unmatched)..m.end(),
            ));
        }
    }
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"));

pub(super) fn emails(t: &str, out: &mut Vec<(PersonalKind, Range<usize>)>) {
    out.extend(EMAIL.find_iter(t).map(|m| (PersonalKind::Email, m.range())));
}

#[cfg(test)]
mod tests {
    use super::super::{PersonalKind, found};

    #[test]
    fn phone_numbers_are_found_however_they_are_written() {
        for (text, number) in [
            ("連絡先は03-1234-5678です", "03-1234-5678"),
            ("携帯：090-1234-5678まで", "090-1234-5678"),
            ("携帯 09012345678", "09012345678"),
            ("TEL (03)1234-5678", "(03)1234-5678"),
            ("TEL（03）9876-5432", "（03）9876-5432"),
            ("担当の携帯（090-1234-5678）へ", "090-1234-5678"),
            ("電話03(1234)5678", "03(1234)5678"),
            ("フリーダイヤル0120-123-456", "0120-123-456"),
            (
                "電話は０４５－６７８－９０１２へ",
                "０４５－６７８－９０１２",
            ),
            (
                "電話は０９０ー１２３４ー５６７８",
                "０９０ー１２３４ー５６７８",
            ),
            ("call +81-90-1234-5678 please", "+81-90-1234-5678"),
            ("+81 (0)3 1234 5678", "+81 (0)3 1234 5678"),
        ] {
            assert_eq!(found(text, PersonalKind::Phone), [number], "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_phone_numbers_are_left_alone() {
        for text in [
            "予算は120,000,000円です",
            "2026-04-12に開催します",
            "注文番号 2026-0412-00123",
            "受付番号 123-456-789012",
            "参加者は0名でした",
            "第03-12号議案",
            "080-1234-56789",
            "00-1234-5678",
        ] {
            assert_eq!(
                found(text, PersonalKind::Phone),
                Vec::<&str>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn email_addresses_are_found_in_both_widths() {
        assert_eq!(
            found("返信は info@example.jp まで", PersonalKind::Email),
            ["info@example.jp"]
        );
        assert_eq!(
            found(
                "ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐへ",
                PersonalKind::Email
            ),
            ["ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"]
        );
        assert_eq!(
            found("@example の投稿", PersonalKind::Email),
            Vec::<&str>::new()
        );
        assert_eq!(
            found("yamada (at) example.jp", PersonalKind::Email),
            Vec::<&str>::new()
        );
    }
}
