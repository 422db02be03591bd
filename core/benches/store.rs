//! Store benchmark: saving one section and loading a full case on the
//! encrypted store and, in the same run, on a plain SQLite file with the same
//! schema and code path; then the unlock time with the default Argon2id cost.
//!
//! `cargo bench -p tsunagi-core --features plain-baseline --bench store`

use std::sync::Arc;
use std::time::{Duration, Instant};

use tsunagi_core::model::{Case, CaseId, Section, TextItem, demo_cases};
use tsunagi_core::store::{KdfParams, MemoryKeychain, Store, StoreOptions};

const SAVES: usize = 2000;
const LOADS: usize = 2000;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn seeded(store: &mut Store) -> (CaseId, Case) {
    let case = demo_cases().remove(0);
    for other in demo_cases() {
        store.create_case(&other).expect("creates");
    }
    let id = store.create_case(&case).expect("creates");
    (id, case)
}

/// Median time of one section save that changes one field (so a revision
/// and an audit row are written, as in real use).
fn save_section(store: &mut Store) -> Duration {
    let (id, case) = seeded(store);
    let mut plan = case.career_plan.clone();
    plan.discovery.strengths.push(TextItem::new(String::new()));
    let samples = (0..SAVES)
        .map(|i| {
            let last = plan
                .discovery
                .strengths
                .last_mut()
                .expect("one strength was added");
            *last.text.expose_mut() = format!("強み {i}");
            let section = Section::CareerPlan(plan.clone());
            let start = Instant::now();
            store.save_section(id, &section).expect("saves");
            start.elapsed()
        })
        .collect();
    median(samples)
}

fn load_case(store: &mut Store) -> Duration {
    let (id, _) = seeded(store);
    let samples = (0..LOADS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(store.load_case(id).expect("loads"));
            start.elapsed()
        })
        .collect();
    median(samples)
}

fn encrypted(dir: &std::path::Path) -> Store {
    let options = StoreOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
    };
    Store::create(
        dir,
        Arc::new(MemoryKeychain::default()),
        "admin",
        "benchmark password",
        options,
    )
    .expect("creates")
    .0
}

fn main() {
    let root = tempfile::tempdir_in(
        std::env::var_os("BENCH_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir),
    )
    .expect("temp dir");
    let mut enc = encrypted(&root.path().join("enc-save"));
    let mut plain = Store::create_plain_baseline(&root.path().join("plain-save")).expect("creates");
    let (es, ps) = (save_section(&mut enc), save_section(&mut plain));
    let mut enc = encrypted(&root.path().join("enc-load"));
    let mut plain = Store::create_plain_baseline(&root.path().join("plain-load")).expect("creates");
    let (el, pl) = (load_case(&mut enc), load_case(&mut plain));

    println!("operation                 SQLCipher      plain SQLite   ratio");
    println!(
        "save one section       {:>10.3} ms  {:>10.3} ms   {:.2}×",
        ms(es),
        ms(ps),
        ratio(es, ps)
    );
    println!(
        "load a full case       {:>10.3} ms  {:>10.3} ms   {:.2}×",
        ms(el),
        ms(pl),
        ratio(el, pl)
    );

    let dir = root.path().join("unlock");
    let keychain = Arc::new(MemoryKeychain::default());
    let options = StoreOptions {
        kdf: KdfParams::DEFAULT,
    };
    drop(
        Store::create(
            &dir,
            keychain.clone(),
            "admin",
            "benchmark password",
            options,
        )
        .expect("creates"),
    );
    let unlocks = (0..5)
        .map(|_| {
            let start = Instant::now();
            drop(
                Store::unlock(&dir, keychain.clone(), "admin", "benchmark password")
                    .expect("unlocks"),
            );
            start.elapsed()
        })
        .collect();
    let KdfParams {
        memory_kib,
        iterations,
        parallelism,
    } = KdfParams::DEFAULT;
    println!(
        "unlock (Argon2id m={} MiB t={iterations} p={parallelism}): {:.0} ms (median of 5)",
        memory_kib / 1024,
        ms(median(unlocks))
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
