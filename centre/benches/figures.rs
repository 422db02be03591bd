//! The research centre at the scale of a national network, over real HTTPS
//! on loopback: 1,000 agencies with 1,000 de-identified records each (one
//! million; `FIGURES_BENCH_SCALE` scales the agencies), then
//!
//! - the figures page, a table's CSV and a chart, asked for by readers at
//!   once (each its own session and connection), against a static file
//!   (`/style.css`) asked for the same way in the same run;
//! - the same page when every round of readers follows a fresh intake (the
//!   first view after a change makes the figures again);
//! - intake: 50 agencies sending at once, each its whole caseload (1,000
//!   records, sealed as a companion seals them) twice, while the readers
//!   keep asking for the page; against one agency after another sending
//!   the same number of records, and against static requests made 50 at
//!   once;
//! - once, what a page view cost when it read and counted every record
//!   (the centre did that on every view before the counts were kept), and
//!   counting every record again when a database's counts are missing.
//!
//! On SQLite (`centre.sqlite`) by default; on PostgreSQL with
//! `FIGURES_BENCH_DATABASE=postgres://…` (an empty database).
//!
//! ```sh
//! cargo bench -p tsunagi-centre --bench figures
//! FIGURES_BENCH_DATABASE=postgres://… cargo bench -p tsunagi-centre --bench figures
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::macros::date;
use tsunagi_centre::accounts::{Account, LoginName, PasswordHasher, Role};
use tsunagi_centre::identity::CentreIdentity;
use tsunagi_centre::server::{Centre, serve};
use tsunagi_centre::storage::Agency;
use tsunagi_core::model::{Sex, demo_cases};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{
    AgeBand, AgencySecret, Batch, Month, ProgressRecord, Pseudonym, open_batch, seal_batch,
};
use tsunagi_core::seal::{DeviceKeys, Recipient};

/// Records per agency.
const PER_AGENCY: usize = 1_000;
/// Agencies sending at once.
const SENDERS: usize = 50;
/// Batches each sender sends, one after the other.
const ROUNDS: usize = 2;
/// Readers asking at once.
const READERS: usize = 16;
/// Requests each reader makes of each kind.
const REQUESTS: usize = 40;
/// Rounds of "an intake, then every reader at once".
const FRESH_ROUNDS: usize = 20;
/// Distinct records the seeded ones are copied from.
const TEMPLATES: usize = 2_000;
/// The pseudonym in a template, replaced by each copy's own.
const PLACEHOLDER: &str = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
const PASSWORD: &str = "benchmark-password-2027";
const RESEARCHER: &str = "researcher";
/// When the seeded batches were made: before any batch sent here.
const SEEDED_AT: &str = "2026-11-01T00:00:00Z";

fn agencies() -> usize {
    let scale: f64 = std::env::var("FIGURES_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    ((1_000.0 * scale).round() as usize).max(SENDERS)
}

/// The PostgreSQL database to use instead of SQLite, if any.
fn database() -> Option<String> {
    std::env::var("FIGURES_BENCH_DATABASE")
        .ok()
        .filter(|url| !url.is_empty())
}

fn agency_name(k: usize) -> String {
    format!("機関{k:04}")
}

/// Record `i` of agency `k`'s pseudonym; the seeding makes the same in SQL.
fn pseudonym(k: usize, i: usize) -> Pseudonym {
    Pseudonym::try_from(format!("{:064x}", k * 1_000_000 + i)).expect("64 hex digits")
}

/// The demo cases' records, the shapes the varied records start from.
fn demo_records(reference: &ReferenceDb) -> Vec<ProgressRecord> {
    let secret = AgencySecret::generate();
    demo_cases()
        .iter()
        .map(|case| ProgressRecord::from_case(case, &secret, date!(2026 - 12 - 01), reference, 5))
        .collect()
}

/// A record of the shape of one of `demo`, with values drawn from the
/// coded fields: an age band, a sex, one or two disease groups of the
/// reference, and every dated step moved by up to five years back.
fn varied(
    demo: &[ProgressRecord],
    groups: &[String],
    rng: &mut StdRng,
    pseudonym: Pseudonym,
) -> ProgressRecord {
    let mut r = demo[rng.gen_range(0..demo.len())].clone();
    r.pseudonym = pseudonym;
    r.age_band = AgeBand::of(rng.gen_range(16..70), 5);
    r.sex = [Sex::Female, Sex::Male, Sex::Unstated, Sex::Other][rng.gen_range(0..4)];
    r.disease_groups = vec![groups[rng.gen_range(0..groups.len())].clone()];
    if rng.gen_bool(0.15) {
        let second = groups[rng.gen_range(0..groups.len())].clone();
        if !r.disease_groups.contains(&second) {
            r.disease_groups.push(second);
        }
    }
    let back = -rng.gen_range(0..60);
    let on = |m: &mut Option<Month>| *m = m.map(|m| m.plus(back));
    for s in &mut r.stages {
        on(&mut s.month);
    }
    for p in &mut r.programmes {
        for m in [
            &mut p.selected,
            &mut p.consented,
            &mut p.plan_agreed,
            &mut p.started,
            &mut p.ends,
            &mut p.goals_met,
        ] {
            on(m);
        }
        for review in &mut p.reviews {
            on(&mut review.month);
        }
    }
    if let Some(e) = &mut r.employment {
        on(&mut e.hired);
        on(&mut e.left);
    }
    r
}

/// What the seeding leaves: the senders' keys (agencies `0..SENDERS`) and
/// the reference.
struct Seeded {
    senders: Vec<DeviceKeys>,
}

/// Registers the agencies and the researcher, then copies the templates
/// into a million records in one `INSERT … SELECT` (row by row would take
/// hours), one seeded batch per agency, and has the counts made again
/// from every record when the database is next opened.
fn seed(dir: &std::path::Path, reference: &ReferenceDb) -> Seeded {
    let started = Instant::now();
    let url = database();
    let n = agencies();
    let mut db = tsunagi_centre::storage::open(dir, url.as_deref()).expect("opens");
    db.add_account(
        &Account {
            login: LoginName::parse(RESEARCHER).expect("a login"),
            display_name: "研究者".into(),
            role: Role::Researcher,
            disabled: false,
            created_at: tsunagi_core::rfc3339::Timestamp::now(),
        },
        &PasswordHasher::standard().hash(PASSWORD),
    )
    .expect("adds the researcher");
    drop(db);

    // Agency `k` in order of its key, so that the records go in in the
    // order of the table's key.
    let mut keys: Vec<DeviceKeys> = (0..n).map(|_| DeviceKeys::generate()).collect();
    keys.sort_by_key(|k| k.signer().to_hex());
    let agencies: Vec<(i64, String, String)> = keys
        .iter()
        .enumerate()
        .map(|(k, key)| (k as i64, agency_name(k), key.signer().to_hex()))
        .collect();

    let groups: Vec<String> = reference
        .groups()
        .iter()
        .map(|g| g.id.as_str().to_owned())
        .collect();
    let demo = demo_records(reference);
    let mut rng = StdRng::seed_from_u64(2027);
    let templates: Vec<(i64, String)> = (0..TEMPLATES)
        .map(|i| {
            let placeholder = Pseudonym::try_from(PLACEHOLDER.to_owned()).expect("a pseudonym");
            let record = varied(&demo, &groups, &mut rng, placeholder);
            (
                i as i64,
                serde_json::to_string(&record).expect("serialises"),
            )
        })
        .collect();
    let shape = (n as i64, PER_AGENCY as i64, TEMPLATES as i64);
    match &url {
        Some(url) => seed_postgres(url, &agencies, &templates, shape),
        None => seed_sqlite(dir, &agencies, &templates, shape),
    }
    println!(
        "{}: seeded {n} agencies × {PER_AGENCY} records in {:.1?}",
        if url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        started.elapsed()
    );
    keys.truncate(SENDERS);
    Seeded { senders: keys }
}

fn seed_sqlite(
    dir: &std::path::Path,
    agencies: &[(i64, String, String)],
    templates: &[(i64, String)],
    (n, per, t): (i64, i64, i64),
) {
    let mut conn = rusqlite::Connection::open(dir.join(tsunagi_centre::storage::DATABASE_FILE))
        .expect("opens");
    let tx = conn.transaction().expect("a transaction");
    tx.execute_batch(
        "CREATE TEMP TABLE bench_agencies (k INTEGER PRIMARY KEY, signer TEXT NOT NULL);
         CREATE TEMP TABLE bench_templates (i INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    )
    .expect("the seeding's tables");
    for (k, name, signer) in agencies {
        tx.execute(
            "INSERT INTO agencies (name, signer, added_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![name, signer, SEEDED_AT],
        )
        .expect("an agency");
        tx.execute(
            "INSERT INTO bench_agencies (k, signer) VALUES (?1, ?2)",
            rusqlite::params![k, signer],
        )
        .expect("an agency");
    }
    for (i, body) in templates {
        tx.execute(
            "INSERT INTO bench_templates (i, body) VALUES (?1, ?2)",
            rusqlite::params![i, body],
        )
        .expect("a template");
    }
    tx.execute(
        "INSERT INTO batches (id, signer, created_at, ack)
         SELECT 'seed-' || k, signer, ?1, '{}' FROM bench_agencies",
        [SEEDED_AT],
    )
    .expect("the batches");
    // CROSS JOIN keeps the agencies the outer loop: rows go in in key order.
    tx.execute(
        "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?2 - 1)
         INSERT INTO records (signer, pseudonym, batch_id, created_at, body)
         SELECT a.signer, printf('%064x', a.k * 1000000 + n.i), 'seed-' || a.k, ?4,
                replace(t.body, ?5, printf('%064x', a.k * 1000000 + n.i))
         FROM bench_agencies a CROSS JOIN n
         JOIN bench_templates t ON t.i = (a.k * 7 + n.i * 13) % ?3
         WHERE a.k < ?1",
        rusqlite::params![n, per, t, SEEDED_AT, PLACEHOLDER],
    )
    .expect("the records");
    tx.execute("UPDATE figure_counts SET rules = 0", [])
        .expect("counts to be made again");
    tx.commit().expect("seeded");
}

fn seed_postgres(
    url: &str,
    agencies: &[(i64, String, String)],
    templates: &[(i64, String)],
    (n, per, t): (i64, i64, i64),
) {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connects");
    let mut tx = client.transaction().expect("a transaction");
    tx.batch_execute(
        "CREATE TEMP TABLE bench_agencies (k BIGINT PRIMARY KEY, signer TEXT NOT NULL);
         CREATE TEMP TABLE bench_templates (i BIGINT PRIMARY KEY, body TEXT NOT NULL);",
    )
    .expect("the seeding's tables");
    let ks: Vec<i64> = agencies.iter().map(|a| a.0).collect();
    let names: Vec<&str> = agencies.iter().map(|a| a.1.as_str()).collect();
    let signers: Vec<&str> = agencies.iter().map(|a| a.2.as_str()).collect();
    tx.execute(
        "INSERT INTO agencies (name, signer, added_at)
         SELECT u.name, u.signer, $3 FROM unnest($1::TEXT[], $2::TEXT[]) AS u (name, signer)",
        &[&names, &signers, &SEEDED_AT],
    )
    .expect("the agencies");
    tx.execute(
        "INSERT INTO bench_agencies (k, signer) SELECT * FROM unnest($1::BIGINT[], $2::TEXT[])",
        &[&ks, &signers],
    )
    .expect("the agencies");
    let is: Vec<i64> = templates.iter().map(|t| t.0).collect();
    let bodies: Vec<&str> = templates.iter().map(|t| t.1.as_str()).collect();
    tx.execute(
        "INSERT INTO bench_templates (i, body) SELECT * FROM unnest($1::BIGINT[], $2::TEXT[])",
        &[&is, &bodies],
    )
    .expect("the templates");
    tx.execute(
        "INSERT INTO batches (id, signer, created_at, ack)
         SELECT 'seed-' || k, signer, $1, '{}' FROM bench_agencies",
        &[&SEEDED_AT],
    )
    .expect("the batches");
    tx.execute(
        "INSERT INTO records (signer, pseudonym, batch_id, created_at, body)
         SELECT a.signer, lpad(to_hex(a.k * 1000000 + n.i), 64, '0'), 'seed-' || a.k, $4,
                replace(t.body, $5, lpad(to_hex(a.k * 1000000 + n.i), 64, '0'))
         FROM bench_agencies a CROSS JOIN generate_series(0::BIGINT, $2::BIGINT - 1) AS n (i)
         JOIN bench_templates t ON t.i = (a.k * 7 + n.i * 13) % $3
         WHERE a.k < $1",
        &[&n, &per, &t, &SEEDED_AT, &PLACEHOLDER],
    )
    .expect("the records");
    tx.execute("UPDATE figure_counts SET rules = 0", &[])
        .expect("counts to be made again");
    tx.commit().expect("seeded");
    client
        .batch_execute("ANALYZE")
        .expect("statistics for the planner");
}

/// Agency `k`'s whole caseload as sealed batches, one per round, each made
/// after the one before so that each replaces every record.
fn sealed_caseloads(
    senders: &[DeviceKeys],
    to_centre: &Recipient,
    reference: &ReferenceDb,
    rounds: usize,
    seed: u64,
) -> Vec<Vec<Vec<u8>>> {
    let groups: Vec<String> = reference
        .groups()
        .iter()
        .map(|g| g.id.as_str().to_owned())
        .collect();
    let demo = demo_records(reference);
    let mut rng = StdRng::seed_from_u64(seed);
    senders
        .iter()
        .enumerate()
        .map(|(k, keys)| {
            (0..rounds)
                .map(|_| {
                    let records = (0..PER_AGENCY)
                        .map(|i| varied(&demo, &groups, &mut rng, pseudonym(k, i)))
                        .collect();
                    let batch = Batch::new(&agency_name(k), records);
                    seal_batch(&batch, keys, to_centre).expect("seals")
                })
                .collect()
        })
        .collect()
}

/// A client that trusts only the centre's certificate.
fn client(identity: &CentreIdentity) -> reqwest::Client {
    let tls = tsunagi_core::link::tls::pinned_https_config(identity.fingerprint()).expect("tls");
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// A session for the researcher through the login form: its cookie.
async fn log_in(client: &reqwest::Client, base: &str) -> String {
    let form = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("the form");
    let form_cookie = form
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("the form's cookie")
        .to_owned();
    let page = form.text().await.expect("the form");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF field")
        .to_owned();
    let answer = client
        .post(format!("{base}/login"))
        .header("cookie", form_cookie)
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "login={RESEARCHER}&password={PASSWORD}&csrf={csrf}"
        ))
        .send()
        .await
        .expect("logs in");
    assert_eq!(answer.status().as_u16(), 303, "logged in");
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-tsunagi_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// p50 and p99 of `times`.
fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

/// One GET with the session; its time.
async fn get(client: &reqwest::Client, url: &str, cookie: &str) -> Duration {
    let started = Instant::now();
    let answer = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .expect("answers");
    assert!(answer.status().is_success(), "{url}: {}", answer.status());
    answer.bytes().await.expect("a body");
    started.elapsed()
}

/// Every reader asks for `path` `times` times at once; the latencies.
async fn readers_at_once(
    client: &reqwest::Client,
    base: &str,
    sessions: &[String],
    path: &str,
    times: usize,
) -> Vec<Duration> {
    let tasks: Vec<_> = sessions
        .iter()
        .map(|cookie| {
            let (client, url, cookie) = (client.clone(), format!("{base}{path}"), cookie.clone());
            tokio::spawn(async move {
                let mut out = Vec::new();
                for _ in 0..times {
                    out.push(get(&client, &url, &cookie).await);
                }
                out
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("a reader"));
    }
    all
}

/// Sends `sealed` to intake, again after a pause while the centre says
/// it is busy (as the companion does, sooner); how many times it was told
/// to come back.
async fn send_batch(client: &reqwest::Client, base: &str, sealed: Vec<u8>) -> usize {
    let mut busy = 0;
    loop {
        let answer = client
            .post(format!("{base}/batches"))
            .header("content-type", "application/octet-stream")
            .body(sealed.clone())
            .send()
            .await
            .expect("answers");
        match answer.status().as_u16() {
            200 => return busy,
            503 => {
                busy += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!("intake refused a batch: {other}"),
        }
    }
}

/// Prints a row of the readers' table.
fn row(name: &str, times: Vec<Duration>, baseline: (Duration, Duration)) {
    let (p50, p99) = percentiles(times);
    println!(
        "| {name} | {p50:.2?} | {p99:.2?} | {:.1}× | {:.1}× |",
        p50.as_secs_f64() / baseline.0.as_secs_f64(),
        p99.as_secs_f64() / baseline.1.as_secs_f64()
    );
}

fn main() {
    let total = Instant::now();
    let dir = tempfile::tempdir().expect("a temp dir");
    let reference = ReferenceDb::bundled().expect("the reference");
    let seeded = seed(dir.path(), &reference);
    let url = database();

    // Opening makes the counts from every record (they were dropped
    // after seeding, as for a database made before they were kept).
    let started = Instant::now();
    let mut db = tsunagi_centre::storage::open(dir.path(), url.as_deref()).expect("opens");
    let recount = started.elapsed();
    let cases = db.figure_counts().expect("the counts").tally.cases();
    assert_eq!(cases, agencies() * PER_AGENCY, "every record counted");
    // What every page view did before: read every record and count it.
    let started = Instant::now();
    let records = db.records().expect("every record");
    let tables = tsunagi_centre::figures::tables(&records, &reference);
    let page = tsunagi_centre::figures::to_html(&tables, records.len(), 0, 0);
    let counted_each_view = started.elapsed();
    assert!(page.len() > 1000);
    drop((records, tables, page));
    println!(
        "counting {cases} records again on opening: {recount:.1?}; a page view counting every record (as before): {counted_each_view:.1?}"
    );

    let centre_keys = DeviceKeys::generate();
    let to_centre = centre_keys.recipient();
    let identity = CentreIdentity::create(dir.path()).expect("an identity");
    let centre = Arc::new(Centre::new(centre_keys, db, reference.clone()));
    let started = Instant::now();
    let fresh = sealed_caseloads(
        &seeded.senders[..1],
        &to_centre,
        &reference,
        FRESH_ROUNDS,
        1,
    );
    let concurrent = sealed_caseloads(&seeded.senders, &to_centre, &reference, ROUNDS, 2);
    let one_by_one = sealed_caseloads(&seeded.senders, &to_centre, &reference, ROUNDS, 3);
    println!(
        "sealed {} batches of {PER_AGENCY} records in {:.1?} (not timed below)",
        FRESH_ROUNDS + 2 * SENDERS * ROUNDS,
        started.elapsed()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let base = format!("https://{}", listener.local_addr().expect("an address"));
    // The last hold on the centre is let go after the runtime: the
    // PostgreSQL client it holds blocks when dropped.
    let held = Arc::clone(&centre);
    runtime.block_on(async {
        let server_identity = CentreIdentity::load(dir.path()).expect("loads");
        tokio::spawn(async move { serve(listener, &server_identity, centre).await });
        let client = client(&identity);
        let mut sessions = Vec::new();
        for _ in 0..READERS {
            sessions.push(log_in(&client, &base).await);
        }
        // Every reader's connection made (TLS) and warm, and the figures
        // made once, before timing.
        readers_at_once(&client, &base, &sessions, "/style.css", 2).await;
        readers_at_once(&client, &base, &sessions, "/", 1).await;

        println!("{READERS} readers at once, {REQUESTS} requests each:");
        println!("| request | p50 | p99 | p50 vs static | p99 vs static |");
        println!("|---|---|---|---|---|");
        let statics = readers_at_once(&client, &base, &sessions, "/style.css", REQUESTS).await;
        let baseline = percentiles(statics.clone());
        row("static `/style.css`", statics, baseline);
        for (name, path) in [
            ("figures `/`", "/"),
            ("a table's CSV `/figures/outcomes.csv`", "/figures/outcomes.csv"),
            ("a chart `/figures/stages.svg`", "/figures/stages.svg"),
        ] {
            let times = readers_at_once(&client, &base, &sessions, path, REQUESTS).await;
            row(name, times, baseline);
        }
        // A fresh intake before each round: every round's first view finds
        // the figures out of date.
        let mut after = Vec::new();
        for sealed in fresh.into_iter().flatten() {
            send_batch(&client, &base, sealed).await;
            after.extend(readers_at_once(&client, &base, &sessions, "/", 1).await);
        }
        row(
            &format!("figures `/` right after an intake ({FRESH_ROUNDS} rounds)"),
            after,
            baseline,
        );

        // Intake: 50 agencies at once, readers asking meanwhile; first
        // the same number of static requests made the same way (after a
        // round that opens the connections).
        let mut static_rate = 0.0;
        for _ in 0..2 {
            let static_started = Instant::now();
            let tasks: Vec<_> = (0..SENDERS)
                .map(|_| {
                    let (client, url) = (client.clone(), format!("{base}/style.css"));
                    tokio::spawn(async move {
                        for _ in 0..ROUNDS {
                            get(&client, &url, "").await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("a static sender");
            }
            static_rate = (SENDERS * ROUNDS) as f64 / static_started.elapsed().as_secs_f64();
        }

        let sending = Arc::new(AtomicBool::new(true));
        let readers: Vec<_> = sessions
            .iter()
            .map(|cookie| {
                let (client, url, cookie, sending) = (
                    client.clone(),
                    format!("{base}/"),
                    cookie.clone(),
                    Arc::clone(&sending),
                );
                tokio::spawn(async move {
                    let mut out = Vec::new();
                    while sending.load(Ordering::Relaxed) {
                        out.push(get(&client, &url, &cookie).await);
                    }
                    out
                })
            })
            .collect();
        let busy = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let senders: Vec<_> = concurrent
            .into_iter()
            .map(|batches| {
                let (client, base, busy) = (client.clone(), base.clone(), Arc::clone(&busy));
                tokio::spawn(async move {
                    for sealed in batches {
                        busy.fetch_add(send_batch(&client, &base, sealed).await, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.await.expect("a sender");
        }
        let at_once = started.elapsed();
        sending.store(false, Ordering::Relaxed);
        let mut during = Vec::new();
        for reader in readers {
            during.extend(reader.await.expect("a reader"));
        }

        let started = Instant::now();
        let mut busy_alone = 0;
        for sealed in one_by_one.into_iter().flatten() {
            busy_alone += send_batch(&client, &base, sealed).await;
        }
        let alone = started.elapsed();

        let submissions = (SENDERS * ROUNDS) as f64;
        let records = submissions * PER_AGENCY as f64;
        println!(
            "| figures `/` while {SENDERS} agencies send | {:.2?} | {:.2?} | {:.1}× | {:.1}× |",
            percentiles(during.clone()).0,
            percentiles(during.clone()).1,
            percentiles(during.clone()).0.as_secs_f64() / baseline.0.as_secs_f64(),
            percentiles(during).1.as_secs_f64() / baseline.1.as_secs_f64(),
        );
        println!();
        println!(
            "intake, {SENDERS} agencies at once ({ROUNDS} batches each of {PER_AGENCY} records): \
             {:.1} submissions/s, {:.0} records/s in {at_once:.1?} ({} told to come back)",
            submissions / at_once.as_secs_f64(),
            records / at_once.as_secs_f64(),
            busy.load(Ordering::Relaxed)
        );
        println!(
            "intake, one agency after another (the same {submissions} batches): \
             {:.1} submissions/s, {:.0} records/s in {alone:.1?} ({busy_alone} told to come back); \
             at once vs one after another: {:.2}×",
            submissions / alone.as_secs_f64(),
            records / alone.as_secs_f64(),
            alone.as_secs_f64() / at_once.as_secs_f64()
        );
        println!(
            "static requests, {SENDERS} at once: {static_rate:.0}/s; submissions at once vs static: {:.4}×",
            submissions / at_once.as_secs_f64() / static_rate
        );
    });
    drop(runtime);
    let mut db = tsunagi_centre::storage::open(dir.path(), url.as_deref()).expect("opens");

    // A submission's two parts, alone, on the same data: opening the
    // sealed batch (decryption, signature, parsing) and storing it.
    let parts = sealed_caseloads(&seeded.senders[..1], &to_centre, &reference, 5, 5);
    let agency = Agency::new(agency_name(0), seeded.senders[0].signer());
    let (mut opening, mut storing) = (Duration::ZERO, Duration::ZERO);
    for sealed in parts.into_iter().flatten() {
        let started = Instant::now();
        let opened = open_batch(&sealed, &held.keys, &|_| true).expect("opens");
        opening += started.elapsed();
        let started = Instant::now();
        db.store_batch(
            &agency,
            &opened.batch,
            tsunagi_core::rfc3339::Timestamp::now(),
        )
        .expect("stores");
        storing += started.elapsed();
    }
    println!(
        "one batch of {PER_AGENCY} records alone: opening {:.1?}, storing {:.1?}",
        opening / 5,
        storing / 5
    );

    // The counts kept through every intake are those of every record.
    let kept = db.figure_counts().expect("the counts").tally;
    let records = db.records().expect("every record");
    assert_eq!(
        kept,
        tsunagi_centre::figures::Tally::of(&records),
        "the kept counts drifted from the records"
    );
    drop(held);
    println!("whole run: {:.1?}", total.elapsed());
}
