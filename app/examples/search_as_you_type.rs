//! UI benchmark: search as you type over 100,000 cases (BENCHMARKS.md).
//!
//! For each keystroke the case list does what the app does on the store's
//! worker thread and then on the UI thread: `CaseListController::rows`
//! (the store's search with the typed text, sorted by last activity), the
//! model handed to the list, and the rows of one screen formatted, as the
//! list view asks for only those. Drawing is not included. Measured on the
//! encrypted store and, in the same run, on the same store code on plain
//! SQLite (the baseline); then the unlock and the first list after it,
//! which reads the case list's index into memory.
//!
//! ```sh
//! cargo run --release -p tsunagi --example search_as_you_type
//! CASES=10000 cargo run --release -p tsunagi --example search_as_you_type
//! SEARCH_BENCH_DIR=/var/tmp/search cargo run --release -p tsunagi --example search_as_you_type
//! ```
//!
//! With `SEARCH_BENCH_DIR`, the two stores are kept in that folder and
//! used again by the next run instead of being filled again.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use slint::{Model, ModelRc};
use tsunagi_app::window::CaseListController;
use tsunagi_core::model::fictional;
use tsunagi_core::model::{Case, SupportStage};
use tsunagi_core::store::{FileKeychain, KdfParams, Store, StoreOptions};

/// Rows the case list shows at once on a tablet (the list view formats
/// only these).
const ON_SCREEN: usize = 20;
const PASSWORD: &str = "ながい合言葉 2026";

/// The first twenty family names and ten given names of the fictional
/// set (the figures in BENCHMARKS.md were measured with these).
const FAMILY: &[(&str, &str)] = fictional::FAMILY_NAMES.split_at(20).0;
const GIVEN: &[(&str, &str)] = fictional::GIVEN_NAMES.split_at(10).0;

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

fn fill(store: &mut Store, cases: usize) -> anyhow::Result<Duration> {
    let started = Instant::now();
    for i in 0..cases {
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

/// Per keystroke: the time, and the number of rows matched.
fn type_through(store: &mut Store) -> anyhow::Result<Vec<(Duration, usize)>> {
    let mut controller = CaseListController::new(time::macros::offset!(+9));
    let mut out = Vec::new();
    for text in KEYSTROKES {
        let started = Instant::now();
        controller.set_text(text);
        let model = ModelRc::new(controller.rows(store)?);
        let count = model.row_count();
        for row in 0..count.min(ON_SCREEN) {
            std::hint::black_box(model.row_data(row));
        }
        out.push((started.elapsed(), count));
    }
    Ok(out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Opening the store again and showing the full case list, which reads the
/// index: (open, first list).
fn reopen(
    dir: &Path,
    keychain: &Arc<FileKeychain>,
    plain: bool,
) -> anyhow::Result<(Duration, Duration)> {
    let started = Instant::now();
    let mut store = if plain {
        Store::open_plain_baseline(dir)?
    } else {
        Store::unlock(dir, keychain.clone(), "admin", PASSWORD)?
    };
    let opened = started.elapsed();
    let listed = Instant::now();
    let controller = CaseListController::new(time::macros::offset!(+9));
    std::hint::black_box(controller.rows(&mut store)?.row_count());
    Ok((opened, listed.elapsed()))
}

fn fill_both(
    enc_dir: &Path,
    plain_dir: &Path,
    keychain: &Arc<FileKeychain>,
    cases: usize,
) -> anyhow::Result<()> {
    let fast = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    let (mut encrypted, _code) = Store::create(enc_dir, keychain.clone(), "admin", PASSWORD, fast)?;
    let mut plain = Store::create_plain_baseline(plain_dir)?;
    let fill_enc = fill(&mut encrypted, cases)?;
    let fill_plain = fill(&mut plain, cases)?;
    println!(
        "filled {cases} cases: encrypted {:.1} s, plain {:.1} s",
        fill_enc.as_secs_f64(),
        fill_plain.as_secs_f64()
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cases: usize = std::env::var("CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let temp = tempfile::tempdir()?;
    let root =
        std::env::var_os("SEARCH_BENCH_DIR").map_or_else(|| temp.path().to_owned(), Into::into);
    let keychain = Arc::new(FileKeychain::new(root.join("keychain")));
    let enc_dir = root.join("encrypted");
    let plain_dir = root.join("plain");
    if enc_dir.exists() && plain_dir.exists() {
        println!("using the stores in {}", root.display());
    } else {
        fill_both(&enc_dir, &plain_dir, &keychain, cases)?;
    }

    // Opening each store again, alternately, five times: the first list
    // after opening reads every case's row into the index.
    const OPENS: usize = 5;
    let mut opens = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..OPENS {
        let (open, list) = reopen(&enc_dir, &keychain, false)?;
        opens[0].push(open);
        opens[1].push(list);
        let (open, list) = reopen(&plain_dir, &keychain, true)?;
        opens[2].push(open);
        opens[3].push(list);
    }
    let [enc_open, enc_list, plain_open, plain_list] = opens.map(median);
    println!("| opening (median of {OPENS}) | SQLCipher | plain SQLite | ratio |");
    println!("|---|---|---|---|");
    for (what, enc, pl) in [
        ("unlock (test Argon2id parameters)", enc_open, plain_open),
        ("first list: the index read", enc_list, plain_list),
    ] {
        println!(
            "| {what} | {:.1} ms | {:.1} ms | {:.2}× |",
            ms(enc),
            ms(pl),
            enc.as_secs_f64() / pl.as_secs_f64()
        );
    }

    let mut encrypted = Store::unlock(&enc_dir, keychain.clone(), "admin", PASSWORD)?;
    let mut plain = Store::open_plain_baseline(&plain_dir)?;
    // One warm-up pass each (the index, page cache), then 9 measured
    // passes, alternating; the median per keystroke is reported, and the
    // worst of all passes.
    const PASSES: usize = 9;
    type_through(&mut encrypted)?;
    type_through(&mut plain)?;
    let mut enc_runs = Vec::new();
    let mut plain_runs = Vec::new();
    for _ in 0..PASSES {
        enc_runs.push(type_through(&mut encrypted)?);
        plain_runs.push(type_through(&mut plain)?);
    }
    let per_key = |runs: &[Vec<(Duration, usize)>], k: usize| {
        (median(runs.iter().map(|r| r[k].0).collect()), runs[0][k].1)
    };
    let worst = |runs: &[Vec<(Duration, usize)>]| {
        runs.iter()
            .flatten()
            .map(|(t, _)| *t)
            .max()
            .unwrap_or_default()
    };
    let all =
        |runs: &[Vec<(Duration, usize)>]| median(runs.iter().flatten().map(|(t, _)| *t).collect());

    println!();
    println!("| keystroke | rows | SQLCipher | plain SQLite | ratio |");
    println!("|---|---|---|---|---|");
    for (k, text) in KEYSTROKES.iter().enumerate() {
        let (enc, rows) = per_key(&enc_runs, k);
        let (pl, _) = per_key(&plain_runs, k);
        let shown = if text.is_empty() { "(cleared)" } else { text };
        println!(
            "| {shown} | {rows} | {:.2} ms | {:.2} ms | {:.2}× |",
            ms(enc),
            ms(pl),
            enc.as_secs_f64() / pl.as_secs_f64()
        );
    }
    let (enc_median, plain_median) = (all(&enc_runs), all(&plain_runs));
    let (enc_worst, plain_worst) = (worst(&enc_runs), worst(&plain_runs));
    println!(
        "| **every keystroke, median** | | **{:.2} ms** | {:.2} ms | {:.2}× |",
        ms(enc_median),
        ms(plain_median),
        enc_median.as_secs_f64() / plain_median.as_secs_f64()
    );
    println!(
        "| **every keystroke, worst** | | **{:.2} ms** | {:.2} ms | {:.2}× |",
        ms(enc_worst),
        ms(plain_worst),
        enc_worst.as_secs_f64() / plain_worst.as_secs_f64()
    );
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "targets: median ≤ 16 ms: {}; worst ≤ 50 ms: {}; median within 2× of plain SQLite: {}",
        verdict(enc_median <= Duration::from_millis(16)),
        verdict(enc_worst <= Duration::from_millis(50)),
        verdict(enc_median.as_secs_f64() <= 2.0 * plain_median.as_secs_f64())
    );
    Ok(())
}
