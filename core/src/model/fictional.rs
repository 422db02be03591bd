//! Fictional names for filling stores at scale (benchmarks, examples):
//! common family names, so that a search matches many cases, with their
//! kana. No real person is meant.

/// Family names and their kana: the twenty most common, and a few more.
pub const FAMILY_NAMES: [(&str, &str); 24] = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("山口", "やまぐち"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("林", "はやし"),
    ("斎藤", "さいとう"),
    ("清水", "しみず"),
    ("森", "もり"),
    ("池田", "いけだ"),
    ("橋本", "はしもと"),
    ("阿部", "あべ"),
];

/// Given names and their kana.
pub const GIVEN_NAMES: [(&str, &str); 12] = [
    ("花子", "はなこ"),
    ("一郎", "いちろう"),
    ("さくら", "さくら"),
    ("健太", "けんた"),
    ("美咲", "みさき"),
    ("翔", "しょう"),
    ("陽菜", "ひな"),
    ("大輔", "だいすけ"),
    ("由美", "ゆみ"),
    ("誠", "まこと"),
    ("恵子", "けいこ"),
    ("拓也", "たくや"),
];
