//! Where a person lives or works: postal codes
//! ([`PersonalKind::PostalCode`]) and addresses down to the block
//! ([`PersonalKind::PostalAddress`]), found in the normalized text of
//! [`super::Normalized`].

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{PersonalKind, char_at, inside_longer_number, regex};

const PREFECTURE: &str = "北海道|東京都|京都府|大阪府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県";

/// A municipality: a ward, city, town, village or district name.
const MUNICIPALITY: &str = r"(?:[\p{Han}ヶケ]{1,6}?|さいたま|つくば|いわき|ひたちなか)[市区町村郡]";

static POSTAL_CODE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"〒[ :]*[0-9]{3}-?[0-9]{4}|郵便番号[ :は]*[0-9]{3}-?[0-9]{4}|[0-9]{3}-[0-9]{4}")
});

/// What follows an unmarked postal code that makes it one: an address.
static ADDRESS_AFTER: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!(r"^ *(?:{PREFECTURE}|{MUNICIPALITY})")));

pub(super) fn postal_codes(t: &str, out: &mut Vec<(PersonalKind, Range<usize>)>) {
    for m in POSTAL_CODE.find_iter(t) {
        if inside_longer_number(t, m.start(), m.end()) {
            continue;
        }
        let marked = m.as_str().starts_with('〒') || m.as_str().starts_with("郵便番号");
        if marked || ADDRESS_AFTER.is_match(&t[m.end()..]) {
            out.push((PersonalKind::PostalCode, m.range()));
        }
    }
}

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    let connector = r"(?:[\p{Han}\p{Katakana}ヶケがノ]|[0-9]+条)";
    let block = r"(?:[0-9]+|[一二三四五六七八九十]+)丁目(?:[0-9]+(?:番地?|-)?(?:[0-9]+号?)?)?|[0-9]+番地(?:の?[0-9]+)?(?:-[0-9]+)?|[0-9]+番[0-9]+号|[0-9]+-[0-9]+(?:-[0-9]+)?|[0-9]+番";
    regex(&format!(
        r"(?:{PREFECTURE})?(?:{MUNICIPALITY}){{1,3}}(?P<conn>{connector}{{0,12}}?)(?P<block>{block})"
    ))
});

/// What, right after 市・区・町・村, makes it part of a common word rather
/// than a place: 区分, 区域, 市場, 市民, 市内, 町内, 市立, 市役所 ….
const NOT_A_PLACE_AFTER: &str = "分域間別場民内立役長議外会営政制販";

/// What, right after a bare block number, makes it a count or a range
/// (`3-4名`, `1-2回`, `2-3日`) rather than an address.
const COUNTERS: &str = "名人件社回日時月年歳%割円個本枚台週倍級位分秒度期番階目点か~〜";

pub(super) fn addresses(t: &str, out: &mut Vec<(PersonalKind, Range<usize>)>) {
    for caps in ADDRESS.captures_iter(t) {
        let (Some(whole), Some(conn), Some(block)) =
            (caps.get(0), caps.name("conn"), caps.name("block"))
        else {
            continue;
        };
        if char_at(t, conn.start()).is_some_and(|c| NOT_A_PLACE_AFTER.contains(c)) {
            continue;
        }
        let after = char_at(t, block.end());
        let ends_in_digit = block.as_str().ends_with(|c: char| c.is_ascii_digit());
        if ends_in_digit && after.is_some_and(|c| c.is_ascii_digit() || COUNTERS.contains(c)) {
            continue;
        }
        if block.as_str().ends_with('番') && after.is_some_and(|c| c == '目' || c == '組') {
            continue;
        }
        out.push((PersonalKind::PostalAddress, whole.range()));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PersonalKind, found};

    #[test]
    fn marked_postal_codes_are_found_and_bare_ones_are_not() {
        assert_eq!(
            found("〒160-0023 東京都", PersonalKind::PostalCode),
            ["〒160-0023"]
        );
        assert_eq!(
            found("〒１６０－００２３", PersonalKind::PostalCode),
            ["〒１６０－００２３"]
        );
        assert_eq!(
            found("郵便番号：1600023", PersonalKind::PostalCode),
            ["郵便番号：1600023"]
        );
        assert_eq!(
            found("160-0023 新宿区西新宿", PersonalKind::PostalCode),
            ["160-0023"]
        );
        assert_eq!(
            found("品番 160-0023 を発注", PersonalKind::PostalCode),
            Vec::<&str>::new()
        );
        assert_eq!(
            found("TEL 03-160-0023", PersonalKind::PostalCode),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn addresses_with_a_block_number_are_found() {
        for (text, address) in [
            (
                "東京都新宿区西新宿2丁目8-1に住んでいます",
                "東京都新宿区西新宿2丁目8-1",
            ),
            ("横浜市中区本町三丁目のアパート", "横浜市中区本町三丁目"),
            ("住所は大阪市北区梅田1-2-3です", "大阪市北区梅田1-2-3"),
            (
                "さいたま市浦和区高砂３－１５－１",
                "さいたま市浦和区高砂３－１５－１",
            ),
            ("札幌市中央区北1条西2丁目", "札幌市中央区北1条西2丁目"),
            ("長野県上田市大手12番地", "長野県上田市大手12番地"),
            ("世田谷区太子堂4番5号", "世田谷区太子堂4番5号"),
        ] {
            assert_eq!(
                found(text, PersonalKind::PostalAddress),
                [address],
                "{text}"
            );
        }
    }

    #[test]
    fn places_without_a_block_number_are_not_addresses() {
        for text in [
            "新宿区の事業所と連携しています",
            "横浜市内の3-4社に声をかけました",
            "東京都では2-3名が利用中です",
            "障害者支援区分3-4の方",
            "地区3番目の会場",
            "卸売市場1-2階",
            "大阪市で10-15人",
        ] {
            assert_eq!(
                found(text, PersonalKind::PostalAddress),
                Vec::<&str>::new(),
                "{text}"
            );
        }
    }
}
