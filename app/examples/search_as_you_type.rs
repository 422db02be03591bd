//! UI benchmark: search as you type over 10,000 cases (BENCHMARKS.md).
//!
//! For each keystroke the case list does what the app does on the store's
//! worker thread and then on the UI thread: `Store::list_cases` with the
//! typed text, turning the summaries into screen rows
//! (`CaseListController::rows`), and handing them to the list as a model.
//! Drawing is not included: the list view draws only the rows on screen.
//! Measured on the encrypted store and, in the same run, on the same store
//! code on plain SQLite (the baseline).
//!
//! ```sh
//! cargo run --release -p tsunagi --example search_as_you_type
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use slint::{ModelRc, VecModel};
use tsunagi_app::window::CaseListController;
use tsunagi_core::model::{Case, SupportStage};
use tsunagi_core::store::{KdfParams, MemoryKeychain, Store, StoreOptions};

const CASES: usize = 10_000;

/// Family names with their kana (common ones, so that searches match many).
const FAMILY: [(&str, &str); 20] = [
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
];
const GIVEN: [(&str, &str); 10] = [
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
];

/// What a support worker types, one keystroke at a time (the IME commits
/// kana first, then the kanji), then clears the field: every case again.
const KEYSTROKES: [&str; 9] = [
    "さ",
    "さと",
    "さとう",
    "佐藤",
    "佐藤 は",
    "は",
    "はな",
    "はなこ",
    "",
];

fn fill(store: &mut Store) -> anyhow::Result<Duration> {
    let started = Instant::now();
    for i in 0..CASES {
        let (family, family_kana) = FAMILY[i % FAMILY.len()];
        let (given, given_kana) = GIVEN[(i / FAMILY.len()) % GIVEN.len()];
        let mut case = Case::new();
        case.basic.name = format!("{family} {given}{}", i / 200).as_str().into();
        case.basic.kana = format!("{family_kana} {given_kana}").as_str().into();
        case.stage = SupportStage::ALL[i % SupportStage::ALL.len()];
        store.create_case(&case)?;
    }
    Ok(started.elapsed())
}

/// Per keystroke: the time, and the number of rows shown.
fn type_through(store: &mut Store) -> anyhow::Result<Vec<(Duration, usize)>> {
    let mut controller = CaseListController::new(time::macros::offset!(+9));
    let mut out = Vec::new();
    for text in KEYSTROKES {
        let started = Instant::now();
        controller.set_text(text);
        let rows = controller.rows(store)?;
        let count = rows.len();
        let model = ModelRc::new(VecModel::from(rows));
        let elapsed = started.elapsed();
        drop(model);
        out.push((elapsed, count));
    }
    Ok(out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let fast = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    let keychain = Arc::new(MemoryKeychain::default());
    let (mut encrypted, _code) = Store::create(
        &temp.path().join("encrypted"),
        keychain,
        "admin",
        "ながい合言葉 2026",
        fast,
    )?;
    let mut plain = Store::create_plain_baseline(Path::new(&temp.path().join("plain")))?;
    let fill_enc = fill(&mut encrypted)?;
    let fill_plain = fill(&mut plain)?;
    println!(
        "filled {CASES} cases: encrypted {:.1} s, plain {:.1} s",
        fill_enc.as_secs_f64(),
        fill_plain.as_secs_f64()
    );

    // One warm-up pass each (page cache, prepared statements), then 5
    // measured passes; the median per keystroke is reported.
    const PASSES: usize = 5;
    type_through(&mut encrypted)?;
    type_through(&mut plain)?;
    let mut enc_runs = Vec::new();
    let mut plain_runs = Vec::new();
    for _ in 0..PASSES {
        enc_runs.push(type_through(&mut encrypted)?);
        plain_runs.push(type_through(&mut plain)?);
    }
    let median = |runs: &[Vec<(Duration, usize)>], k: usize| {
        let mut t: Vec<Duration> = runs.iter().map(|r| r[k].0).collect();
        t.sort();
        (t[t.len() / 2], runs[0][k].1)
    };

    println!("| keystroke | rows | SQLCipher | plain SQLite | ratio |");
    println!("|---|---|---|---|---|");
    let (mut worst_enc, mut worst_plain, mut sum_enc, mut sum_plain) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    for (k, text) in KEYSTROKES.iter().enumerate() {
        let (enc, rows) = median(&enc_runs, k);
        let (pl, _) = median(&plain_runs, k);
        worst_enc = worst_enc.max(enc);
        worst_plain = worst_plain.max(pl);
        sum_enc += enc;
        sum_plain += pl;
        let shown = if text.is_empty() { "(cleared)" } else { text };
        println!(
            "| {shown} | {rows} | {:.1} ms | {:.1} ms | {:.2}× |",
            ms(enc),
            ms(pl),
            enc.as_secs_f64() / pl.as_secs_f64()
        );
    }
    let n = u32::try_from(KEYSTROKES.len()).expect("a few keystrokes");
    println!(
        "mean per keystroke: SQLCipher {:.1} ms, plain {:.1} ms ({:.2}×); worst: {:.1} ms vs {:.1} ms",
        ms(sum_enc / n),
        ms(sum_plain / n),
        sum_enc.as_secs_f64() / sum_plain.as_secs_f64(),
        ms(worst_enc),
        ms(worst_plain)
    );
    println!(
        "targets: every keystroke ≤ 500 ms: {}; typical keystroke ≤ 50 ms: {}",
        if worst_enc <= Duration::from_millis(500) {
            "met"
        } else {
            "MISSED"
        },
        if sum_enc / n <= Duration::from_millis(50) {
            "met"
        } else {
            "MISSED"
        }
    );
    Ok(())
}
