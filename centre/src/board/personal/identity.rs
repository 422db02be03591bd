//! What identifies a person on paper: birth dates
//! ([`PersonalKind::BirthDate`]) and 12-digit individual numbers
//! ([`PersonalKind::IndividualNumber`]), found in the normalized text of
//! [`super::Normalized`].

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{PersonalKind, char_at, char_before, inside_longer_number, names, preceded_by, regex};

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?:(?:明治|大正|昭和|平成|令和) ?(?:[0-9]{1,2}|元)|[MTSHR]\.? ?[0-9]{1,2}|(?:19|20)[0-9]{2}) ?(?:年|\.|/|-) ?[0-9]{1,2} ?(?:月|\.|/|-) ?[0-9]{1,2}(?: ?日)?|[0-9]{1,2} ?月 ?[0-9]{1,2} ?日",
    )
});

/// A birth-date label just before a date, with only a colon, は or a
/// bracket between.
static BIRTH_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?:生年月日|誕生日|生まれ|出生日|DOB|[Dd]ate of [Bb]irth|[Bb]orn(?: on)?)[ :=は、,(]*$")
});

/// What, just after a date, makes it a birth date: 生まれ, 生, or an age.
static BIRTH_AFTER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^[ )]*(?:生まれ|うまれ|誕生|出生|生|\(?[0-9]{1,3} ?歳)"));

pub(super) fn birth_dates(t: &str, out: &mut Vec<(PersonalKind, Range<usize>)>) {
    for m in DATE.find_iter(t) {
        if char_before(t, m.start()).is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let rest = &t[m.end()..];
        let after = BIRTH_AFTER.find(rest).is_some_and(|a| {
            // 生 alone, but not the start of 生活, 生産, 生徒 ….
            !a.as_str().ends_with('生') || !char_at(rest, a.end()).is_some_and(names::is_han)
        });
        if after || preceded_by(t, m.start(), 14, &BIRTH_BEFORE) {
            out.push((PersonalKind::BirthDate, m.range()));
        }
    }
}

static TWELVE_DIGITS: LazyLock<Regex> =
    LazyLock::new(|| regex(r"[0-9]{4}(?P<a>[- ]?)[0-9]{4}(?P<b>[- ]?)[0-9]{4}"));

/// マイナンバー or 個人番号 just before a number.
static INDIVIDUAL_NUMBER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?:マイナンバー|個人番号|[Mm]y ?[Nn]umber|[Ii]ndividual [Nn]umber)[^0-9]{0,6}$")
});

pub(super) fn individual_numbers(t: &str, out: &mut Vec<(PersonalKind, Range<usize>)>) {
    for caps in TWELVE_DIGITS.captures_iter(t) {
        let Some(m) = caps.get(0) else { continue };
        let same_grouping =
            caps.name("a").map(|a| a.as_str()) == caps.name("b").map(|b| b.as_str());
        if !same_grouping
            || inside_longer_number(t, m.start(), m.end())
            || char_at(t, m.end()) == Some('円')
        {
            continue;
        }
        let digits: Vec<u32> = m.as_str().chars().filter_map(|c| c.to_digit(10)).collect();
        if individual_number_check_digit_ok(&digits)
            || preceded_by(t, m.start(), 20, &INDIVIDUAL_NUMBER_LABEL)
        {
            out.push((PersonalKind::IndividualNumber, m.range()));
        }
    }
}

/// Whether the last of 12 digits is the check digit of the other eleven,
/// as the individual number's ordinance defines it: with P(n) the n-th of
/// the eleven counted from the right and Q(n) = n + 1 for n ≤ 6, n − 5
/// above, the remainder r of ΣP(n)·Q(n) by 11 gives 0 when r ≤ 1 and
/// 11 − r otherwise.
fn individual_number_check_digit_ok(digits: &[u32]) -> bool {
    let [body @ .., check] = digits else {
        return false;
    };
    if body.len() != 11 {
        return false;
    }
    let sum: u32 = (1..=11u32)
        .zip(body.iter().rev())
        .map(|(n, p)| p * if n <= 6 { n + 1 } else { n - 5 })
        .sum();
    let r = sum % 11;
    *check == if r <= 1 { 0 } else { 11 - r }
}

#[cfg(test)]
mod tests {
    use super::super::{PersonalKind, found};
    use super::*;

    #[test]
    fn dates_next_to_a_birth_are_birth_dates() {
        for (text, date) in [
            ("生年月日：1985年4月12日", "1985年4月12日"),
            ("生年月日 昭和60年4月12日", "昭和60年4月12日"),
            ("1985/4/12生", "1985/4/12"),
            ("平成元年5月3日生まれの方", "平成元年5月3日"),
            ("S60.4.12 生まれ", "S60.4.12"),
            ("誕生日は4月12日です", "4月12日"),
            ("１９８５年４月１２日（４０歳）", "１９８５年４月１２日"),
            ("DOB: 1985-04-12", "1985-04-12"),
        ] {
            assert_eq!(found(text, PersonalKind::BirthDate), [date], "{text}");
        }
    }

    #[test]
    fn dates_of_meetings_are_not_birth_dates() {
        for text in [
            "2026年4月12日の会議は中止です",
            "令和8年4月12日(日)に研修会を開きます",
            "4月12日生活相談会",
            "1985年生まれの方も対象です",
            "締切は2026/05/31、生活面の相談も受けます",
        ] {
            assert_eq!(
                found(text, PersonalKind::BirthDate),
                Vec::<&str>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn the_check_digit_follows_the_ordinance() {
        let digits = |s: &str| s.chars().filter_map(|c| c.to_digit(10)).collect::<Vec<_>>();
        assert!(individual_number_check_digit_ok(&digits("123456789018")));
        assert!(individual_number_check_digit_ok(&digits("234567890121")));
        assert!(!individual_number_check_digit_ok(&digits("123456789012")));
        assert!(!individual_number_check_digit_ok(&digits("12345678901")));
    }

    #[test]
    fn individual_numbers_are_found_by_check_digit_or_label() {
        assert_eq!(
            found("番号 1234 5678 9018", PersonalKind::IndividualNumber),
            ["1234 5678 9018"]
        );
        assert_eq!(
            found(
                "１２３４－５６７８－９０１８",
                PersonalKind::IndividualNumber
            ),
            ["１２３４－５６７８－９０１８"]
        );
        assert_eq!(
            found("マイナンバー：123456789012", PersonalKind::IndividualNumber),
            ["123456789012"]
        );
        assert_eq!(
            found("整理番号 123456789012", PersonalKind::IndividualNumber),
            Vec::<&str>::new()
        );
        assert_eq!(
            found("受付 1234-5678 9018", PersonalKind::IndividualNumber),
            Vec::<&str>::new()
        );
        assert_eq!(
            found("伝票 123-456789018", PersonalKind::IndividualNumber),
            Vec::<&str>::new()
        );
        assert_eq!(
            found("予算 120000000006円", PersonalKind::IndividualNumber),
            Vec::<&str>::new()
        );
    }
}
