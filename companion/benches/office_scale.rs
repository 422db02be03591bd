//! The office companion at scale: 30 paired tablets of 2,000 fictional cases
//! each dock, one after another, with the tablet's real sync client over
//! QUIC on loopback into the companion's link server (`link::serve`, which
//! checks each bundle and imports it with `Store::import_bundle`); then,
//! with 60,000 cases in the store, the case list as the companion's window
//! shows it, search as you type, and the five documents of one case.
//!
//! Baselines, in the same run: the first tablet's cases sealed once more
//! for a second, empty office and imported there directly (the same import
//! function, no link); the list and search on that office of 2,000 cases;
//! the documents of the same case in a store of that one case; the memory
//! of the process after opening the empty office store.
//!
//! The tablets are built and docked by a child process (this program run
//! again), so that the companion's memory is this process's alone.
//!
//! Media is real but scaled down: each tablet carries four approved photos
//! and one video of `OFFICE_SCALE_VIDEO_MB` (32 MB), and after the docks a
//! video of `OFFICE_SCALE_MEDIA_MB` (256 MB) comes alone in one more
//! bundle; its import rate gives the cost of the rest of the 50 GB, printed
//! as an extrapolation.
//!
//! `cargo bench -p tsunagi-companion --bench office_scale`
//! (`OFFICE_SCALE_TABLETS`, `OFFICE_SCALE_CASES` for a smaller office,
//! `BENCH_DIR` for another disk.)

#[path = "office_scale/desk.rs"]
mod desk;
#[path = "office_scale/tablets.rs"]
mod tablets;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context;
use tsunagi_companion::link::{self, Session};
use tsunagi_core::model::CaseId;
use tsunagi_core::rfc3339::Timestamp;
use tsunagi_core::store::sync::{Imported, Peer, PeerKind, file_sha256};
use tsunagi_core::store::{CaseQuery, FileKeychain, KdfParams, Role, Store, StoreOptions};

const ADMIN: &str = "admin";
const PW: &str = "benchmark password 2026";
const FAST: StoreOptions = StoreOptions {
    kdf: KdfParams::INSECURE_FOR_TESTS,
};
const MB: u64 = 1_000_000;
/// The media the office holds: 50 GB.
const OFFICE_MEDIA: f64 = 50e9;
/// Passes of the list and of search, after one warm-up.
const PASSES: usize = 5;
const ROLE: &str = "OFFICE_SCALE_ROLE";
const ROOT: &str = "OFFICE_SCALE_ROOT";

/// The office's size.
pub struct Config {
    tablets: usize,
    cases: usize,
    video_bytes: u64,
    media_bytes: u64,
}

impl Config {
    fn from_env() -> Self {
        let num = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Self {
            tablets: num("OFFICE_SCALE_TABLETS", 30) as usize,
            cases: num("OFFICE_SCALE_CASES", 2000) as usize,
            video_bytes: num("OFFICE_SCALE_VIDEO_MB", 32) * MB,
            media_bytes: num("OFFICE_SCALE_MEDIA_MB", 256) * MB,
        }
    }
}

fn peer_of(store: &mut Store, kind: PeerKind) -> anyhow::Result<Peer> {
    let id = store.device_identity()?;
    Ok(Peer {
        fingerprint: id.tls.fingerprint(),
        kind,
        signer: id.keys.signer(),
        recipient: id.keys.recipient(),
        address: None,
        paired_at: Timestamp::now(),
    })
}

/// A peer as one line: fingerprint, signer, recipient, address.
fn peer_line(p: &Peer) -> String {
    format!(
        "{} {} {} {}",
        p.fingerprint.to_hex(),
        p.signer.to_hex(),
        p.recipient.as_string(),
        p.address.as_deref().unwrap_or("-")
    )
}

fn read_peer(line: &str, kind: PeerKind) -> anyhow::Result<Peer> {
    let mut w = line.split_whitespace().skip(1);
    let mut next = || w.next().context("a short peer line");
    Ok(Peer {
        fingerprint: next()?.parse()?,
        signer: next()?.parse()?,
        recipient: next()?.parse()?,
        address: Some(next()?).filter(|a| *a != "-").map(str::to_owned),
        kind,
        paired_at: Timestamp::now(),
    })
}

/// This process's resident memory now and at its peak, in MB.
fn memory() -> (f64, f64) {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmRSS:") / 1e3, kb("VmHWM:") / 1e3)
}

/// Memory after each phase.
#[derive(Default)]
struct Phases(Vec<(String, f64, f64)>);

impl Phases {
    fn note(&mut self, phase: impl Into<String>) {
        let (rss, peak) = memory();
        self.0.push((phase.into(), rss, peak));
    }
}

fn store_at(dir: &Path) -> anyhow::Result<Store> {
    let keychain = Arc::new(FileKeychain::new(dir.join("keys")));
    Ok(Store::create(&dir.join("data"), keychain, ADMIN, PW, FAST)?.0)
}

/// The companion's link server on its own thread and runtime, as the
/// window runs it; each connection's result comes back with the memory
/// of the process when it was reported.
struct Server {
    endpoint: quinn::Endpoint,
    address: std::net::SocketAddr,
    thread: std::thread::JoinHandle<()>,
    sessions: mpsc::Receiver<(anyhow::Result<Session>, f64)>,
}

impl Server {
    fn start(mut store: Store) -> anyhow::Result<Self> {
        let (tx, sessions) = mpsc::channel();
        let (ready_tx, ready) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(anyhow::Error::from(e)));
                    return;
                }
            };
            runtime.block_on(async move {
                let endpoint = match link::endpoint(&mut store, ([127, 0, 0, 1], 0).into()) {
                    Ok(e) => e,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(endpoint.clone()));
                let report = move |result| {
                    let _ = tx.send((result, memory().0));
                };
                let _ = link::serve(&store, endpoint, report).await;
            });
        });
        let endpoint = ready.recv()??;
        Ok(Self {
            address: endpoint.local_addr()?,
            endpoint,
            thread,
            sessions,
        })
    }

    /// Waits for `expected` bundles to be imported (a tablet may be told
    /// of its last one just before the server reports it), then stops
    /// serving; the bundles imported, in order, with the memory after each.
    fn finish(self, expected: usize) -> anyhow::Result<Vec<(Session, f64)>> {
        let mut imported = Vec::new();
        while imported.len() < expected {
            let Ok((result, rss)) = self.sessions.recv_timeout(Duration::from_secs(60)) else {
                break;
            };
            let session = result?;
            if session.imported > 0 {
                imported.push((session, rss));
            }
        }
        self.endpoint.close(0u32.into(), b"done");
        let _ = self.thread.join();
        Ok(imported)
    }
}

fn child(role: &str, root: &Path) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let status = Command::new(std::env::current_exe()?)
        .env(ROLE, role)
        .env(ROOT, root)
        .status()?;
    anyhow::ensure!(status.success(), "the {role} child failed: {status}");
    Ok(start.elapsed())
}

/// Every tenth case assigned to one of three support workers.
fn assign_some(store: &mut Store) -> anyhow::Result<()> {
    let workers = ["worker-a", "worker-b", "worker-c"];
    for w in workers {
        store.add_account(w, Role::SupportWorker, PW)?;
    }
    let cases = store.list_cases(&CaseQuery::default())?;
    for (i, c) in cases.iter().enumerate().step_by(10) {
        store.assign(c.id, workers[i / 10 % workers.len()])?;
    }
    Ok(())
}

fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d[d.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> anyhow::Result<()> {
    let cfg = Config::from_env();
    if let Ok(role) = std::env::var(ROLE) {
        let root = PathBuf::from(std::env::var(ROOT)?);
        return match role.as_str() {
            "build" => tablets::build_main(&root, &cfg),
            "dock" => tablets::dock_main(&root, &cfg),
            other => anyhow::bail!("unknown role {other}"),
        };
    }
    office(&cfg)
}

fn office(cfg: &Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let temp = tempfile::tempdir_in(
        std::env::var_os("BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from),
    )?;
    let root = temp.path();
    let mut phases = Phases::default();
    let mut office = store_at(&root.join("office"))?;
    phases.note("empty office store open (baseline)");
    let mut small = store_at(&root.join("small"))?;
    let server = Server::start(office.open_another()?)?;
    let mut office_peer = peer_of(&mut office, PeerKind::Companion)?;
    office_peer.address = Some(server.address.to_string());
    let small_peer = peer_of(&mut small, PeerKind::Companion)?;
    fs::write(
        root.join("companions.txt"),
        format!(
            "office {}\nsmall {}\n",
            peer_line(&office_peer),
            peer_line(&small_peer)
        ),
    )?;

    println!(
        "building {} tablets of {} cases (child process)…",
        cfg.tablets, cfg.cases
    );
    child("build", root)?;
    let built = fs::read_to_string(root.join("tablets.txt"))?;
    let mut document_case: Option<CaseId> = None;
    let mut first_tablet = None;
    let mut summary = String::new();
    for line in built.lines() {
        match line.split_whitespace().next() {
            Some("tablet") => {
                let peer = read_peer(line, PeerKind::Tablet)?;
                office.add_peer(&peer)?;
                first_tablet.get_or_insert(peer);
            }
            Some("case") => {
                document_case = line.split_whitespace().nth(1).map(str::parse).transpose()?
            }
            Some("built") => summary = line.to_owned(),
            _ => {}
        }
    }
    small.add_peer(&first_tablet.context("no tablet was built")?)?;
    let s: Vec<f64> = summary
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let [build_s, bundle_bytes, media_bytes, photos] = s[..] else {
        anyhow::bail!("no build summary");
    };
    println!(
        "built in {build_s:.0} s: {:.0} MB of bundles, {:.0} MB of media ({photos} photos, {} videos)",
        bundle_bytes / 1e6,
        media_bytes / 1e6,
        if cfg.video_bytes > 0 { cfg.tablets } else { 0 }
    );

    // Baseline: the first tablet's cases into an empty office, directly.
    let small_bundle = root.join("small.age");
    let start = Instant::now();
    file_sha256(&small_bundle)?;
    let imported = small.import_bundle(File::open(&small_bundle)?)?;
    let direct = start.elapsed();
    anyhow::ensure!(imported == Imported::Now(cfg.cases), "{imported:?}");
    fs::remove_file(&small_bundle)?;
    phases.note("baseline bundle imported directly into an empty store (another handle)");

    println!("docking the tablets over QUIC (child process)…");
    let dock_wall = child("dock", root)?;
    let expected = cfg.tablets + usize::from(cfg.media_bytes > 0);
    let sessions = server.finish(expected)?;
    anyhow::ensure!(
        sessions.len() == expected,
        "{} bundles imported, {expected} expected",
        sessions.len()
    );
    for (i, (_, rss)) in sessions.iter().enumerate() {
        if i == 0 || i + 1 == cfg.tablets || (i + 1) % 10 == 0 || i + 1 == expected {
            phases
                .0
                .push((format!("after bundle {} imported", i + 1), *rss, f64::NAN));
        }
    }
    phases.note(format!("all {} bundles imported, server stopped", expected));
    let total = office.list_cases(&CaseQuery::default())?.len();
    anyhow::ensure!(
        total == cfg.tablets * cfg.cases,
        "{total} cases in the office"
    );

    let start = Instant::now();
    assign_some(&mut office)?;
    assign_some(&mut small)?;
    println!(
        "every tenth case assigned to one of three workers ({:.1} s)",
        start.elapsed().as_secs_f64()
    );

    // The window: the case list as it shows it.
    i_slint_backend_testing::init_no_event_loop();
    let big_window = desk::logged_in(&root.join("office"))?;
    let small_window = desk::logged_in(&root.join("small"))?;
    let (mut big_list, mut small_list) = (Vec::new(), Vec::new());
    for _ in 0..PASSES {
        let (t, rows) = desk::list_rounds(&big_window, 1);
        anyhow::ensure!(rows == total, "the window listed {rows}");
        big_list.extend(t);
        let (t, rows) = desk::list_rounds(&small_window, 1);
        anyhow::ensure!(rows == cfg.cases, "the small window listed {rows}");
        small_list.extend(t);
    }
    phases.note("case list shown in the window (both offices)");
    drop((big_window, small_window));

    // Search as you type.
    let (mut big_search, mut small_search) = (Vec::new(), Vec::new());
    desk::search_pass(&mut office)?;
    desk::search_pass(&mut small)?;
    for _ in 0..PASSES {
        big_search.push(desk::search_pass(&mut office)?);
        small_search.push(desk::search_pass(&mut small)?);
    }
    phases.note("search as you type (both offices)");

    // The five documents.
    let case = document_case.context("no case for the documents")?;
    let (mut one, one_id) = desk::one_case_store(&mut office, case, &root.join("one"))?;
    let (_, size_big) = desk::five_documents(&mut office, case)?;
    let (_, size_one) = desk::five_documents(&mut one, one_id)?;
    let (mut docs_big, mut docs_one) = (Vec::new(), Vec::new());
    for _ in 0..PASSES {
        docs_big.push(desk::five_documents(&mut office, case)?.0);
        docs_one.push(desk::five_documents(&mut one, one_id)?.0);
    }
    phases.note("five documents rendered (both stores)");

    report(
        cfg,
        &Figures {
            sessions: &sessions,
            direct,
            dock_wall,
            total,
            big_list,
            small_list,
            big_search,
            small_search,
            docs: (median(docs_big), median(docs_one), size_big, size_one),
        },
    );
    println!();
    println!(
        "{:<72} {:>10} {:>10}",
        "memory of the companion process", "RSS MB", "peak MB"
    );
    let base = phases.0[0].1;
    for (phase, rss, peak) in &phases.0 {
        let peak = if peak.is_nan() {
            String::new()
        } else {
            format!("{peak:.0}")
        };
        println!("{phase:<72} {rss:>10.0} {peak:>10}");
    }
    let (rss, peak) = memory();
    println!(
        "peak RSS (VmHWM) {peak:.0} MB = {:.2}× the empty store's {base:.0} MB; now {rss:.0} MB",
        peak / base
    );
    println!("whole run: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// What was measured, for the table.
struct Figures<'a> {
    sessions: &'a [(Session, f64)],
    direct: Duration,
    dock_wall: Duration,
    total: usize,
    big_list: Vec<Duration>,
    small_list: Vec<Duration>,
    big_search: Vec<Vec<(Duration, usize)>>,
    small_search: Vec<Vec<(Duration, usize)>>,
    docs: (Duration, Duration, usize, usize),
}

fn report(cfg: &Config, f: &Figures<'_>) {
    let cases = cfg.cases as f64;
    let bundles = &f.sessions[..cfg.tablets];
    let import = |s: &Session| s.import_time;
    let first = import(&bundles[0].0);
    let last = import(&bundles[cfg.tablets - 1].0);
    let all: Vec<Duration> = bundles.iter().map(|(s, _)| import(s)).collect();
    let sum: Duration = all.iter().sum();
    let received: u64 = bundles.iter().map(|(s, _)| s.bytes_received).sum();
    println!();
    println!(
        "import of a docking tablet's bundle ({} cases each)",
        cfg.cases
    );
    println!(
        "{:<58} {:>10} {:>10} {:>10}",
        "", "seconds", "cases/s", "× baseline"
    );
    let row = |name: &str, d: Duration| {
        println!(
            "{name:<58} {:>10.2} {:>10.0} {:>9.2}×",
            d.as_secs_f64(),
            cases / d.as_secs_f64(),
            d.as_secs_f64() / f.direct.as_secs_f64()
        );
    };
    row(
        "baseline: tablet 1's bundle into an empty store, direct",
        f.direct,
    );
    row("over the link: tablet 1, into the empty office", first);
    row(
        &format!(
            "over the link: tablet {}, into {} cases",
            cfg.tablets,
            f.total - cfg.cases
        ),
        last,
    );
    row("over the link: median bundle", median(all.clone()));
    println!(
        "all {} bundles: {:.1} s of import ({:.2} bundles/s, {:.0} cases/s); {:.1} s docking wall time ({:.2} bundles/s); {:.0} MB received",
        cfg.tablets,
        sum.as_secs_f64(),
        cfg.tablets as f64 / sum.as_secs_f64(),
        f.total as f64 / sum.as_secs_f64(),
        f.dock_wall.as_secs_f64(),
        cfg.tablets as f64 / f.dock_wall.as_secs_f64(),
        received as f64 / 1e6
    );
    println!(
        "rate as the store fills (import seconds per bundle, in docking order): {}",
        all.iter()
            .map(|d| format!("{:.2}", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" ")
    );
    if let Some((media, _)) = f.sessions.get(cfg.tablets) {
        let rate = media.bytes_received as f64 / media.import_time.as_secs_f64();
        let rest = (OFFICE_MEDIA - received as f64).max(0.0);
        println!(
            "a video alone: {:.0} MB bundle imported in {:.2} s ({:.0} MB/s; sent in {:.2} s)",
            media.bytes_received as f64 / 1e6,
            media.import_time.as_secs_f64(),
            rate / 1e6,
            media.transfer_time.as_secs_f64()
        );
        println!(
            "extrapolated, not measured: 50 GB office = the {:.1} s measured + {:.0} GB more media at {:.0} MB/s = {:.0} s of import",
            sum.as_secs_f64(),
            rest / 1e9,
            rate / 1e6,
            sum.as_secs_f64() + rest / rate
        );
    }

    println!();
    let (bl, sl) = (median(f.big_list.clone()), median(f.small_list.clone()));
    let worst = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
    println!(
        "{:<44} {:>12} {:>12} {:>12} {:>12} {:>8}",
        "window and search (ms)", "office med", "office worst", "2,000 med", "2,000 worst", "ratio"
    );
    println!(
        "{:<44} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>7.1}×",
        format!("case list, every case ({} / {} rows)", f.total, cfg.cases),
        ms(bl),
        ms(worst(&f.big_list)),
        ms(sl),
        ms(worst(&f.small_list)),
        ms(bl) / ms(sl)
    );
    let per_key = |runs: &[Vec<(Duration, usize)>], k: usize| {
        let times: Vec<Duration> = runs.iter().map(|r| r[k].0).collect();
        (median(times.clone()), worst(&times), runs[0][k].1)
    };
    let (mut big_all, mut small_all) = (Vec::new(), Vec::new());
    for (k, text) in desk::KEYSTROKES.iter().enumerate() {
        let (bm, bw, brows) = per_key(&f.big_search, k);
        let (sm, sw, srows) = per_key(&f.small_search, k);
        big_all.push(bm);
        small_all.push(sm);
        let shown = if text.is_empty() { "(cleared)" } else { text };
        println!(
            "{:<44} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>7.1}×",
            format!("search 「{shown}」 ({brows} / {srows} rows)"),
            ms(bm),
            ms(bw),
            ms(sm),
            ms(sw),
            ms(bm) / ms(sm)
        );
    }
    let flat = |runs: &[Vec<(Duration, usize)>]| -> Vec<Duration> {
        runs.iter().flatten().map(|(d, _)| *d).collect()
    };
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / v.len() as u32;
    println!(
        "{:<44} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>7.1}×",
        "search: mean of the keystrokes' medians; worst",
        ms(mean(&big_all)),
        ms(worst(&flat(&f.big_search))),
        ms(mean(&small_all)),
        ms(worst(&flat(&f.small_search))),
        ms(mean(&big_all)) / ms(mean(&small_all))
    );
    let (big, one, size_big, size_one) = f.docs;
    println!(
        "five documents of one case: {:.1} ms in the office of {} cases, {:.1} ms in a store of that case alone: {:.2}× ({} / {} bytes of PDF)",
        ms(big),
        f.total,
        ms(one),
        ms(big) / ms(one),
        size_big,
        size_one
    );
}
