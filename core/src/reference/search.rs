//! Searching diseases and occupations by name, former name, reading or
//! English name, forgiving about character width and kana type.

use super::{Disease, Occupation, ReferenceDb};

impl ReferenceDb {
    /// Diseases matching a query (疾患検索), best match first.
    ///
    /// Matches the Japanese name, former names (旧名称), the kana reading,
    /// the English name and keywords (abbreviations such as `SLE`). Case,
    /// full-width/half-width letters and digits, half-width katakana, and
    /// katakana versus hiragana are ignored (`ＳＬＥ`, `ｸﾛｰﾝ`, `カイヨウ` all
    /// match), as are spaces, `・`, `/` and brackets. Several words separated
    /// by spaces must all match. An empty query returns every disease in
    /// file order.
    pub fn search_diseases(&self, query: &str) -> Vec<&Disease> {
        let terms = terms(query);
        rank(&self.diseases, &terms, |d| {
            let mut fields = vec![
                (d.name.ja.as_str(), Weight::NAME),
                (d.kana.as_str(), Weight::READING),
            ];
            fields.extend(d.aliases.iter().map(|a| (a.as_str(), Weight::ALIAS)));
            fields.push((d.name.en.as_str(), Weight::ENGLISH));
            fields.extend(d.keywords.iter().map(|k| (k.as_str(), Weight::KEYWORD)));
            fields
        })
    }

    /// Occupations matching a query (職業検索), best match first: the
    /// Japanese name, the kana reading, the English name and keywords (other
    /// names and readings), with the same folding as
    /// [`ReferenceDb::search_diseases`]. An empty query returns every
    /// occupation in file order.
    pub fn search_occupations(&self, query: &str) -> Vec<&Occupation> {
        let terms = terms(query);
        rank(&self.occupations, &terms, |o| {
            let mut fields = vec![
                (o.name.ja.as_str(), Weight::NAME),
                (o.kana.as_str(), Weight::READING),
                (o.name.en.as_str(), Weight::ENGLISH),
            ];
            fields.extend(o.keywords.iter().map(|k| (k.as_str(), Weight::KEYWORD)));
            fields
        })
    }
}

/// Scores for an exact, prefix and substring match in one kind of field.
#[derive(Clone, Copy)]
struct Weight {
    exact: u32,
    prefix: u32,
    contains: u32,
}

impl Weight {
    const NAME: Weight = Weight {
        exact: 100,
        prefix: 90,
        contains: 70,
    };
    const READING: Weight = Weight {
        exact: 95,
        prefix: 85,
        contains: 60,
    };
    const ALIAS: Weight = Weight {
        exact: 90,
        prefix: 80,
        contains: 60,
    };
    const ENGLISH: Weight = Weight {
        exact: 80,
        prefix: 70,
        contains: 50,
    };
    const KEYWORD: Weight = Weight {
        exact: 75,
        prefix: 55,
        contains: 40,
    };
}

fn terms(query: &str) -> Vec<String> {
    // Fold first so that a full-width space (U+3000) also separates words.
    fold_width(query)
        .split_whitespace()
        .map(fold)
        .filter(|t| !t.is_empty())
        .collect()
}

fn rank<'a, T>(
    items: &'a [T],
    terms: &[String],
    fields: impl Fn(&'a T) -> Vec<(&'a str, Weight)>,
) -> Vec<&'a T> {
    if terms.is_empty() {
        return items.iter().collect();
    }
    let mut scored: Vec<(u32, usize, &T)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let folded: Vec<(String, Weight)> = fields(item)
                .into_iter()
                .map(|(f, w)| (fold(f), w))
                .collect();
            let mut total = 0;
            for term in terms {
                total += folded
                    .iter()
                    .filter_map(|(field, w)| field_score(field, term, *w))
                    .max()?;
            }
            Some((total, i, item))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, item)| item).collect()
}

fn field_score(field: &str, term: &str, w: Weight) -> Option<u32> {
    if field.is_empty() {
        None
    } else if field == term {
        Some(w.exact)
    } else if field.starts_with(term) {
        Some(w.prefix)
    } else if field.contains(term) {
        Some(w.contains)
    } else {
        None
    }
}

/// Folds text for matching: width (NFKC-like for ASCII, spaces and
/// half-width katakana), katakana to hiragana, ASCII to lowercase, and drops
/// separators.
pub(crate) fn fold(text: &str) -> String {
    fold_width(text)
        .chars()
        .filter(|c| !is_separator(*c))
        .map(|c| match c {
            // Katakana ァ..ヶ to hiragana ぁ..ゖ (ヴ becomes ゔ).
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c.to_ascii_lowercase(),
        })
        .collect()
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '・' | '/'
                | '('
                | ')'
                | '['
                | ']'
                | '「'
                | '」'
                | '-'
                | '_'
                | '.'
                | ','
                | '、'
                | '\''
                | '’'
        )
}

/// Full-width ASCII and the ideographic space to ASCII; half-width katakana
/// to full-width, joining a following (semi-)voiced mark.
fn fold_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FF01}'..='\u{FF5E}' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            '\u{3000}' => out.push(' '),
            '\u{FF9E}' | '\u{FF9F}' => {
                let voiced = c == '\u{FF9E}';
                let joined = out.chars().last().and_then(|prev| join_mark(prev, voiced));
                match joined {
                    Some(j) => {
                        out.pop();
                        out.push(j);
                    }
                    None => out.push(if voiced { '゛' } else { '゜' }),
                }
            }
            '\u{FF61}'..='\u{FF9D}' => out.push(HALF_WIDTH_KANA[(c as u32 - 0xFF61) as usize]),
            _ => out.push(c),
        }
    }
    out
}

/// U+FF61..=U+FF9D in order.
const HALF_WIDTH_KANA: [char; 61] = [
    '。', '「', '」', '、', '・', 'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー',
    'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ',
    'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ',
    'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

/// Joins a full-width katakana with a voiced (゛) or semi-voiced (゜) mark.
fn join_mark(base: char, voiced: bool) -> Option<char> {
    let code = base as u32;
    // カ..チ sit on odd codes, ツ テ ト on even ones (ッ comes between);
    // each voiced form is the next code point.
    let in_ka_to_to =
        ((0x30AB..=0x30C1).contains(&code) && code % 2 == 1) || matches!(base, 'ツ' | 'テ' | 'ト');
    // ハ ヒ フ ヘ ホ: voiced is +1, semi-voiced +2.
    let in_ha_row = (0x30CF..=0x30DB).contains(&code) && (code - 0x30CF).is_multiple_of(3);
    match (voiced, base) {
        (true, 'ウ') => Some('ヴ'),
        (true, _) if in_ka_to_to || in_ha_row => char::from_u32(code + 1),
        (false, _) if in_ha_row => char::from_u32(code + 2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::test_support::bundled;

    fn first_disease(db: &ReferenceDb, query: &str) -> String {
        db.search_diseases(query)
            .first()
            .map(|d| d.id.to_string())
            .unwrap_or_default()
    }

    fn first_occupation(db: &ReferenceDb, query: &str) -> String {
        db.search_occupations(query)
            .first()
            .map(|o| o.id.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn folding_handles_width_kana_and_case() {
        assert_eq!(fold("ＳＬＥ"), "sle");
        assert_eq!(fold("ｸﾛｰﾝ病"), "くろーん病");
        assert_eq!(fold("ﾊﾟｰｷﾝｿﾝ"), "ぱーきんそん");
        assert_eq!(fold("ｶﾞｲﾄﾞ ﾍﾙﾊﾟｰ"), "がいどへるぱー");
        assert_eq!(fold("ｳﾞ"), "ゔ");
        assert_eq!(fold("皮膚筋炎/多発性筋炎"), "皮膚筋炎多発性筋炎");
        assert_eq!(fold("Crohn's"), "crohns");
    }

    #[test]
    fn disease_search_finds_japanese_name_alias_and_english() {
        let db = bundled();
        assert_eq!(first_disease(&db, "潰瘍性大腸炎"), "ulcerative-colitis");
        assert_eq!(
            first_disease(&db, "大動脈炎症候群"),
            "takayasu-arteritis",
            "former name"
        );
        assert_eq!(
            first_disease(&db, "特発性血小板減少性紫斑病"),
            "immune-thrombocytopenia",
            "name before 2025"
        );
        assert_eq!(
            first_disease(&db, "CROHN"),
            "crohns-disease",
            "English, any case"
        );
        assert_eq!(first_disease(&db, "parkinson"), "parkinsons-disease");
    }

    #[test]
    fn disease_search_ignores_width_and_kana_type() {
        let db = bundled();
        assert_eq!(first_disease(&db, "ＳＬＥ"), "systemic-lupus-erythematosus");
        assert_eq!(first_disease(&db, "ｸﾛｰﾝ"), "crohns-disease");
        assert_eq!(
            first_disease(&db, "カイヨウセイ"),
            "ulcerative-colitis",
            "katakana query, hiragana reading"
        );
        assert_eq!(
            first_disease(&db, "じゅうしょうきんむりょく"),
            "myasthenia-gravis"
        );
        assert_eq!(
            first_disease(&db, "皮膚筋炎　多発性筋炎"),
            "dermatomyositis-polymyositis",
            "full-width space"
        );
    }

    #[test]
    fn disease_search_ranks_names_starting_with_the_query_first() {
        let db = bundled();
        // 皮膚筋炎/多発性筋炎 comes first in the file but only contains the word;
        // the two names that start with it rank above it.
        let ids: Vec<&str> = db
            .search_diseases("多発性")
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "multiple-sclerosis-nmosd",
                "polycystic-kidney-disease",
                "dermatomyositis-polymyositis"
            ]
        );
    }

    #[test]
    fn disease_search_by_a_shared_keyword_finds_every_disease_that_has_it() {
        let db = bundled();
        let collagen: Vec<&str> = db
            .search_diseases("膠原病")
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        for id in [
            "systemic-lupus-erythematosus",
            "systemic-sclerosis",
            "mixed-connective-tissue-disease",
        ] {
            assert!(collagen.contains(&id), "{id} missing from {collagen:?}");
        }
        assert!(!collagen.contains(&"crohns-disease"));
    }

    #[test]
    fn search_with_several_words_needs_all_of_them() {
        let db = bundled();
        let hits = db.search_diseases("IBD クローン");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id.as_str(), "crohns-disease");
        assert!(db.search_diseases("IBD 存在しない語").is_empty());
    }

    #[test]
    fn empty_query_lists_everything_in_file_order() {
        let db = bundled();
        assert_eq!(db.search_diseases("  ").len(), db.diseases().len());
        assert_eq!(db.search_occupations("").len(), db.occupations().len());
        assert_eq!(db.search_diseases("")[0].id, db.diseases()[0].id);
    }

    #[test]
    fn occupation_search_finds_kana_reading() {
        let db = bundled();
        assert_eq!(first_occupation(&db, "かんごし"), "nurse");
        assert_eq!(first_occupation(&db, "カンゴシ"), "nurse");
        assert_eq!(first_occupation(&db, "ぴっきんぐ"), "warehouse-picker");
        assert_eq!(first_occupation(&db, "データ入力"), "data-entry");
        assert_eq!(first_occupation(&db, "ﾃﾞｰﾀ"), "data-entry");
        assert_eq!(first_occupation(&db, "forklift"), "forklift-operator");
        assert!(db.search_occupations("宇宙飛行士").is_empty());
    }
}
