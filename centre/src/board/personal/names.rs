//! Names next to a disease or a workplace ([`PersonalKind::NameWithDisease`],
//! [`PersonalKind::NameWithWorkplace`]): where names are, which words
//! written with さん or 様 are roles rather than names, and the disease and
//! workplace words looked for around a name.
//!
//! Works on the normalized text of [`super::Normalized`] (half-width digits,
//! letters and brackets).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{PersonalKind, char_at, char_before, regex};

/// How far from a name, in characters, a disease or workplace is looked
/// for (never past the end of the sentence).
const REACH: usize = 30;

/// The same for a name written in English, whose words are longer.
const REACH_EN: usize = 60;

/// How near a word that names a whole population (難病, 疾患) must be to
/// count: `難病のある方の支援について、〇〇センターの田中さんが…` speaks of
/// 難病 in general, `田中さんは難病で…` of 田中さん.
const REACH_POPULATION: usize = 8;

/// Finds each name and, when a disease or workplace is near it in the same
/// sentence, pushes a finding that covers both.
pub(super) fn names_in_context(t: &str, out: &mut Vec<(PersonalKind, Range<usize>)>) {
    for (name, english) in names(t) {
        let reach = if english { REACH_EN } else { REACH };
        let window = sentence_window(t, name.clone(), reach);
        let near = |terms: Vec<(Range<usize>, usize)>| {
            terms
                .into_iter()
                .filter(|(term, _)| term.end <= name.start || term.start >= name.end)
                .filter(|(term, limit)| chars_between(t, &name, term) <= *limit)
                // The nearest; of two as near, the longer (パーキンソン病 over
                // パーキンソン).
                .min_by_key(|(term, _)| (distance(&name, term), std::cmp::Reverse(term.len())))
                .map(|(term, _)| name.start.min(term.start)..name.end.max(term.end))
        };
        if let Some(span) = near(disease_terms(t, window.clone(), reach)) {
            out.push((PersonalKind::NameWithDisease, span));
        }
        if let Some(span) = near(workplace_terms(t, window, reach)) {
            out.push((PersonalKind::NameWithWorkplace, span));
        }
    }
}

fn distance(name: &Range<usize>, term: &Range<usize>) -> usize {
    if term.end <= name.start {
        name.start - term.end
    } else {
        term.start.saturating_sub(name.end)
    }
}

fn chars_between(t: &str, name: &Range<usize>, term: &Range<usize>) -> usize {
    if term.end <= name.start {
        t[term.end..name.start].chars().count()
    } else {
        t[name.end..term.start].chars().count()
    }
}

/// The part of the sentence around `span`, at most `reach` characters on
/// either side.
fn sentence_window(t: &str, span: Range<usize>, reach: usize) -> Range<usize> {
    let mut start = span.start;
    for (i, c) in t[..span.start].char_indices().rev().take(reach) {
        if ends_sentence(t, i, c) {
            break;
        }
        start = i;
    }
    let mut end = span.end;
    for (i, c) in t[span.end..].char_indices().take(reach) {
        if ends_sentence(t, span.end + i, c) {
            break;
        }
        end = span.end + i + c.len_utf8();
    }
    start..end
}

/// Whether `c`, at byte `at`, ends a sentence: 。, ！, ？, a line break, or
/// a full stop that is not in `Mr.`, `Co.` or a number.
fn ends_sentence(t: &str, at: usize, c: char) -> bool {
    match c {
        '。' | '!' | '?' | '\n' | '\r' => true,
        '.' => {
            let word = t[..at]
                .rsplit(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("");
            let after_digit = char_before(t, at).is_some_and(|c| c.is_ascii_digit());
            let then_space = char_at(t, at + 1).is_none_or(|n| n == ' ' || !n.is_ascii());
            then_space
                && !after_digit
                && !matches!(
                    word,
                    "Mr" | "Ms" | "Mrs" | "Mx" | "Dr" | "Co" | "Inc" | "Ltd" | "No" | "St"
                )
        }
        _ => false,
    }
}

/// Whether `c` is a kanji (with 々 and ヶ, which are written in names).
pub(super) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}'
        | '々'
        | 'ヶ')
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}')
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー')
}

static HONORIFIC: LazyLock<Regex> = LazyLock::new(|| regex("さん|さま|様|氏|君|くん|ちゃん|殿"));

static NAME_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?:氏名|お名前|名前|利用者名|対象者名)(?: *[:=] *| +)(?P<name>[\p{Han}々ヶ]{1,3} [\p{Han}々]{1,3}|[\p{Han}々ヶ]{2,6})",
    )
});

static ENGLISH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?:Mr|Ms|Mrs|Miss|Mx)\.? +[A-Z][a-z]+(?: [A-Z][a-z]+)?|[A-Z][a-z]+-(?:sama|san|kun|chan)",
    )
});

/// Every name in `t`, with whether it is written in English. A name's
/// range includes its honorific.
fn names(t: &str) -> Vec<(Range<usize>, bool)> {
    let mut found = Vec::new();
    for m in HONORIFIC.find_iter(t) {
        let next = char_at(t, m.end());
        let word_goes_on = match m.as_str() {
            // 様子, 様式; 氏名; 君主; 殿堂.
            "様" => next.is_some_and(is_han),
            "氏" | "君" | "殿" => next.is_some_and(is_han),
            // さまざま.
            "さま" => t[m.end()..].starts_with("ざま"),
            _ => false,
        };
        if word_goes_on {
            continue;
        }
        if let Some(start) = name_before(t, m.start()) {
            found.push((start..m.end(), false));
        }
    }
    for caps in NAME_LABEL.captures_iter(t) {
        if let Some(name) = caps.name("name") {
            found.push((name.range(), false));
        }
    }
    for m in ENGLISH_NAME.find_iter(t) {
        let letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
        if !letter(char_before(t, m.start())) && !letter(char_at(t, m.end())) {
            found.push((m.range(), true));
        }
    }
    found
}

/// Where the name that ends at byte `end` (just before an honorific)
/// starts, if what is written there is a name: kanji (a surname, or a full
/// name, with or without a space), kanji and a kana given name, or a
/// katakana name alone; not a role, a relation or an organisation.
fn name_before(t: &str, end: usize) -> Option<usize> {
    let tail: Vec<(usize, char)> = t[..end].char_indices().rev().take(24).collect();
    let run = |from: usize, pred: fn(char) -> bool| {
        tail.get(from..)
            .map_or(0, |rest| rest.iter().take_while(|&&(_, c)| pred(c)).count())
    };
    let text_of = |from: usize, to: usize| -> String {
        tail[from..to].iter().rev().map(|&(_, c)| c).collect()
    };
    let is = |i: usize, pred: fn(char) -> bool| tail.get(i).is_some_and(|&(_, c)| pred(c));

    // A given name in katakana or hiragana, right before the honorific.
    let katakana = run(0, is_katakana);
    let hiragana = if katakana == 0 {
        run(0, is_hiragana)
    } else {
        0
    };
    if hiragana > 0 && !(2..=4).contains(&hiragana) {
        return None;
    }
    let kana = katakana + hiragana;
    if katakana > 0 && ends_with_any(&text_of(0, katakana), NOT_NAME_KATAKANA) {
        return None;
    }
    let mut at = kana;
    if kana > 0 && is(at, |c| c == ' ') && is(at + 1, is_han) {
        at += 1;
    }
    let kanji = run(at, is_han);
    if kanji > 10 || (kanji == 0 && (hiragana > 0 || !(2..=8).contains(&katakana))) {
        return None;
    }
    let word = text_of(at, at + kanji);
    if kana == 0 && (is_listed(&word, NOT_NAMES) || ends_with_any(&word, NOT_NAME_ENDINGS)) {
        return None;
    }
    if kana > 0 && is_listed(&word, NOT_NAMES) {
        return None;
    }
    if word
        .chars()
        .all(|c| "〇一二三四五六七八九十百千万".contains(c))
        && kanji > 0
    {
        return None;
    }
    let mut first = at + kanji;
    // A full name written with a space: 山田 太郎さん.
    let surname = run(first + 1, is_han);
    if kana == 0 && kanji <= 4 && is(first, |c| c == ' ') && (1..=4).contains(&surname) {
        let surname_word = text_of(first + 1, first + 1 + surname);
        if !is_listed(&surname_word, NOT_NAMES) && !ends_with_any(&surname_word, NOT_NAME_ENDINGS) {
            first += 1 + surname;
        }
    }
    // お客様, ご家族様, 御社様; 3名様; a word glued to katakana or
    // letters (センター長様, ABC社さん) is a compound, not a name.
    let before = tail.get(first).map(|&(_, c)| c);
    if word.starts_with('御')
        || before.is_some_and(|c| {
            matches!(c, 'お' | 'ご') || c.is_ascii_alphanumeric() || is_katakana(c) && kana == 0
        })
    {
        return None;
    }
    first
        .checked_sub(1)
        .and_then(|i| tail.get(i))
        .map(|&(i, _)| i)
}

/// Whether `word` is one of the space-separated words of `list`.
fn is_listed(word: &str, list: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// Whether `word` ends with one of the space-separated words of `endings`.
fn ends_with_any(word: &str, endings: &str) -> bool {
    endings.split_whitespace().any(|e| word.ends_with(e))
}

/// Words that, written with さん or 様, are a relation, a role or a
/// courtesy rather than a name.
const NOT_NAMES: &str = "\
     皆 皆々 奥 母 父 兄 姉 弟 妹 娘 嫁 婿 孫 息子 祖母 \
     祖父 叔母 伯母 叔父 伯父 客 本人 当人 親御 両親 親 主人 \
     旦那 相手 先方 双方 世間 人 名 神 仏 王 姫 坊 赤 彼 \
     彼女 両 同 各 某 諸 貴 他 個人 友人 知人 他人 新人 求人 \
     老人 隣 近所 先生 仲間 友達 仕 模 異 有 左 多";

/// Endings of kanji words that, written with さん or 様, are a role or an
/// organisation: 利用者, 職員, 看護師, 社長, 事業主, 主治医, 会社, 病院 ….
const NOT_NAME_ENDINGS: &str = "\
     者 員 師 長 主 医 官 役 療法士 福祉士 弁護士 労務士 \
     社労士 税理士 栄養士 博士 心理士 介護士 聴覚士 訓練士 書士 \
     保育士 先生 学生 習生 修生 業生 級生 専門家 作家 社 商事 \
     商店 工業 産業 物産 建設 銀行 院 薬局 協会 財団 法人 組合 \
     大学 学校 高校 学園 機構 機関 本部 支部 課 係 室 局 庁 \
     署 店 事業所 保健所 役所 研究所 事務所 営業所 作業所 相談所 \
     安定所 診療所 製作所 支援所 人事部 総務部 営業部 事業部 \
     技術部 企画部 経理部 工場 職場 会場 現場 団体 施設 事業 \
     企業 自治体 行政 県 府 区 市 担当 窓口 人事 総務 各位 \
     御中 一同 家族 同僚 上司 部下 先輩 後輩 関係 皆 協議会 \
     委員会 会 省 国 同";

/// Endings of katakana words that, written with さん or 様, are a role or
/// an organisation: センター, スタッフ, ハローワーク, クリニック ….
const NOT_NAME_KATAKANA: &str = "\
     センター スタッフ メンバー ワーカー コーディネーター サポーター \
     コーチ ヘルパー ドクター ナース リーダー マネージャー \
     マネジャー ボランティア ケアマネ パート バイト グループ チーム \
     ママ パパ オーナー ユーザー クライアント ワーク クリニック \
     ステーション オフィス カンパニー ファミリー ゲスト カウンセラー \
     トレーナー サービス ショップ ストア マート ホールディングス \
     ラボ サロン ハウス ホーム サポート ネット プラザ ホテル ビル \
     コンビニ スーパー メーカー パートナー ドライバー セラピスト \
     エージェント ケア ジョブ テック システム ズ";

/// Diseases and words of treatment that do not end in 病, 症 or 炎 (those
/// are found by their ending). The designated intractable diseases of the
/// project's reference sources end in one of those or are listed here.
static DISEASE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        "エリテマトーデス|シェーグレン|ベーチェット|リウマチ|サルコイドーシス|パーキンソン|ニューロパチー|クローン|肝硬変|貧血|嚢胞腎|症候群|天疱瘡|筋無力|脱髄|骨化|壊死|紫斑|持病|既往|闘病|療養|通院|入院|退院|服薬|投薬|主治医|診断|発症|再燃|寛解|透析|手術|障害者手帳|保健福祉手帳|療育手帳|受給者証|車椅子|車いす|人工肛門|ストーマ|在宅酸素|麻痺|腫瘍|癌|心不全|腎不全|脳梗塞|脳出血|てんかん",
    )
});

/// The endings that make a word a disease or a symptom.
static DISEASE_ENDING: LazyLock<Regex> = LazyLock::new(|| regex("病|症|炎|疾患"));

static DISEASE_EN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i:parkinson|crohn|colitis|lupus|sclerosis|myasthenia|sarcoidosis|beh[cç]et|sj[oö]gren|disease|syndrome|diagnosed|diagnosis|illness|intractable|dialysis|hospitali[sz]ed|wheelchair)|SLE|ALS|CIDP|MCTD|ITP|IBD|PBC|OPLL",
    )
});

/// Every disease or treatment word in `window` of `t`, each with how many
/// characters from a name it may be to count.
fn disease_terms(t: &str, window: Range<usize>, reach: usize) -> Vec<(Range<usize>, usize)> {
    let w = &t[window.clone()];
    let at = |r: Range<usize>| window.start + r.start..window.start + r.end;
    let mut terms = Vec::new();
    for m in DISEASE.find_iter(w) {
        // 中小企業診断士 is a profession.
        if char_at(w, m.end()) != Some('士') {
            terms.push((at(m.range()), reach));
        }
    }
    for m in DISEASE_ENDING.find_iter(w) {
        let rest = &w[m.end()..];
        let next = rest.chars().next();
        let compound = next.is_some_and(|c| is_han(c) || is_katakana(c));
        // 病気, 病歴, 症状, 病名, 病休, 病欠; 難病患者の…, but not
        // 難病相談支援センター, 難病患者就職サポーター, 病院, 症例, 炎上.
        let suffix = next.filter(|&c| "気歴状名休欠".contains(c));
        let health_word = suffix.is_some()
            || rest.strip_prefix("患者").is_some_and(|r| {
                !r.chars()
                    .next()
                    .is_some_and(|c| is_han(c) || is_katakana(c))
            });
        if compound && !health_word {
            continue;
        }
        let start = w[..m.start()]
            .char_indices()
            .rev()
            .take(12)
            .take_while(|&(_, c)| is_han(c) || is_katakana(c))
            .last()
            .map_or(m.start(), |(i, _)| i);
        let end = m.end() + suffix.map_or(0, char::len_utf8);
        let word = &w[start..end];
        let limit = if matches!(word, "難病" | "疾患" | "疾病") {
            REACH_POPULATION
        } else {
            reach
        };
        terms.push((at(start..end), limit));
    }
    for m in DISEASE_EN.find_iter(w) {
        let acronym = m.as_str().chars().all(|c| c.is_ascii_uppercase());
        let letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
        // Not the middle of an English word; an acronym stands alone.
        let inside_word =
            letter(char_before(w, m.start())) || acronym && letter(char_at(w, m.end()));
        if !inside_word {
            terms.push((at(m.range()), reach));
        }
    }
    terms
}

static WORKPLACE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"株式会社|有限会社|合同会社|合資会社|\(株\)|\(有\)|㈱|㈲|会社|工場|店舗|勤務先|勤務|勤め|就職先|就労先|職場|入社|配属|勤続|雇用先|パート先|バイト先|スーパー|コンビニ|ホームセンター|店|(?i:co\., ?ltd|inc\.|corporation|company|factory|supermarket|store|works at|working at|employed|employer|workplace)",
    )
});

/// Every workplace word in `window` of `t`, each with how many characters
/// from a name it may be to count.
fn workplace_terms(t: &str, window: Range<usize>, reach: usize) -> Vec<(Range<usize>, usize)> {
    let w = &t[window.clone()];
    WORKPLACE
        .find_iter(w)
        // An English word counts only from its start (`store`, not `restore`).
        .filter(|m| {
            let english = m.as_str().is_ascii();
            !(english && char_before(w, m.start()).is_some_and(|c| c.is_ascii_alphabetic()))
        })
        .map(|m| (window.start + m.start()..window.start + m.end(), reach))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{PersonalKind, found, scan};

    #[test]
    fn a_name_next_to_a_disease_is_found() {
        for (text, excerpt) in [
            (
                "山田太郎さん（パーキンソン病）の件",
                "山田太郎さん（パーキンソン病",
            ),
            ("佐藤さんは潰瘍性大腸炎で通院中", "佐藤さんは潰瘍性大腸炎"),
            ("クローン病の田中様から相談", "クローン病の田中様"),
            (
                "山田 花子さんは重症筋無力症です",
                "山田 花子さんは重症筋無力症",
            ),
            ("高橋さくらちゃんはSLEと診断", "高橋さくらちゃんはSLE"),
            (
                "マリアさんは全身性エリテマトーデスで",
                "マリアさんは全身性エリテマトーデス",
            ),
            ("氏名：鈴木一郎　病名：多発性硬化症", "鈴木一郎　病名"),
            ("伊藤君は難病で", "伊藤君は難病"),
            ("氏名 渡辺 健一、病名 多発性硬化症", "渡辺 健一、病名"),
            (
                "Ms. Sato has ulcerative colitis.",
                "Ms. Sato has ulcerative colitis",
            ),
        ] {
            assert_eq!(
                found(text, PersonalKind::NameWithDisease),
                [excerpt],
                "{text}"
            );
        }
    }

    #[test]
    fn a_name_next_to_a_workplace_is_found() {
        for (text, excerpt) in [
            (
                "鈴木花子さんが〇〇株式会社で働き始めました",
                "鈴木花子さんが〇〇株式会社",
            ),
            ("中村氏の勤務先は駅前です", "中村氏の勤務先"),
            ("（株）〇〇の木村様には毎年お世話に", "（株）〇〇の木村様"),
            ("Yamada-san works at a factory", "Yamada-san works at"),
        ] {
            assert_eq!(
                found(text, PersonalKind::NameWithWorkplace),
                [excerpt],
                "{text}"
            );
        }
    }

    #[test]
    fn role_words_are_not_names() {
        for text in [
            "利用者さんの中には潰瘍性大腸炎の方もいます",
            "皆さん、難病の就労支援についてご意見ください",
            "皆様の会社でもパーキンソン病の社員がいるかもしれません",
            "担当者様へ：パーキンソン病の資料を送ります",
            "事業主様向けに難病の説明会を開きます",
            "お客様の会社",
            "ご家族様から病状の連絡がありました",
            "センター様の職場実習",
            "ハローワークさんと難病患者就職サポーターさんに相談",
            "Aさん（40代、潰瘍性大腸炎）は事務職に就きました",
            "〇〇さん（クローン病）",
            "患者さんの症状に合わせて",
            "3名様分の席を工場に用意",
            "看護師さんが通院の付き添いを",
            "様子を見て通院を続けます",
            "上記同様、通院日は休みとします",
            "氏名欄に病名を書かないでください",
        ] {
            assert_eq!(
                scan(text)
                    .iter()
                    .filter(|f| matches!(
                        f.kind,
                        PersonalKind::NameWithDisease | PersonalKind::NameWithWorkplace
                    ))
                    .count(),
                0,
                "{text}"
            );
        }
    }

    #[test]
    fn words_that_only_look_like_diseases_are_not_diseases() {
        for text in [
            "難病相談支援センターの田中さんが講師です",
            "難病患者就職サポーターの佐藤さんに聞きました",
            "大学病院の鈴木さんと打ち合わせ",
            "症例検討会で山田さんが発表します",
            "中小企業診断士の高橋さんが登壇します",
            "難病のある方の就労支援について、センターの田中さんから報告があります",
        ] {
            assert_eq!(
                found(text, PersonalKind::NameWithDisease),
                Vec::<&str>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_disease_in_another_sentence_or_far_away_does_not_count() {
        let other_sentence = "山田さんが来所しました。パーキンソン病の資料を渡しました。";
        assert_eq!(
            found(other_sentence, PersonalKind::NameWithDisease),
            Vec::<&str>::new()
        );
        let far = "山田さんには、来週の打ち合わせの前に、配布資料の内容と当日の進め方と会場の準備について確認をお願いしたく、あわせてパーキンソン病の資料も";
        assert_eq!(
            found(far, PersonalKind::NameWithDisease),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn a_name_alone_is_not_a_finding() {
        assert!(scan("山田さん、資料ありがとうございました。").is_empty());
        assert!(scan("お疲れ様です。ご苦労様でした。お互い様です。").is_empty());
    }
}
