//! The board at the scale of a national network, over real HTTPS on
//! loopback: 1,000 agencies, 10,000 accounts, 100,000 posts and 300,000
//! comments (scaled by `BOARD_BENCH_SCALE`, 1.0 by default), then readers
//! from different agencies at once asking for the list page, a post's
//! page and a search, each timed against a static file (`/style.css`)
//! served by the same server in the same run; and posts made through the
//! page's form, one after another, against static requests made the same
//! way.
//!
//! On SQLite (`board.db`, as a centre without `--database` keeps it) by
//! default; on PostgreSQL with `BOARD_BENCH_DATABASE=postgres://…` (an
//! empty database: the centre's tables and the board's are made there).
//!
//! ```sh
//! cargo bench -p tsunagi-centre --bench board
//! BOARD_BENCH_SCALE=0.1 BOARD_BENCH_DATABASE=postgres://… cargo bench -p tsunagi-centre --bench board
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tsunagi_centre::accounts::{Account, LoginName, PasswordHasher, Role};
use tsunagi_centre::board::model::SEEDED_CATEGORIES;
use tsunagi_centre::board::visibility::readable_condition_pg;
use tsunagi_centre::board::{BoardStore, CategoryCode, Kind, NewPost, Viewer, Visibility};
use tsunagi_centre::identity::CentreIdentity;
use tsunagi_centre::server::{Centre, serve};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::seal::DeviceKeys;

/// Which address a reader asks for, by reader and request number.
type PathOf = Box<dyn Fn(usize, usize) -> String + Send + Sync>;

/// Readers asking at once.
const READERS: usize = 8;
/// Requests each reader makes of each kind.
const REQUESTS: usize = 40;
/// Posts made one after another for the write rate.
const WRITES: usize = 100;
const PASSWORD: &str = "benchmark-password-2027";

/// Words the bodies are made of; the searches look for the first three.
const PHRASES: [&str; 8] = [
    "就労支援の進め方について共有します。",
    "通院日の調整で職場と話し合いました。",
    "短時間勤務から始める工夫がありました。",
    "面談の前に資料を渡すと伝わりやすいです。",
    "研修会の日程をお知らせします。",
    "ハローワークとの連携について質問です。",
    "体調の波に合わせた休憩の取り方。",
    "事業所の理解を得るための説明資料。",
];

fn scale() -> f64 {
    std::env::var("BOARD_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0)
}

fn scaled(n: usize) -> usize {
    ((n as f64 * scale()).round() as usize).max(1)
}

fn agency(i: usize) -> String {
    format!("機関{i:04}")
}

/// The PostgreSQL database to use instead of SQLite, if any.
fn database() -> Option<String> {
    std::env::var("BOARD_BENCH_DATABASE")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Seeds the centre's database and board in `dir`; returns the logins of
/// the readers (one per agency, the first `READERS` agencies).
fn seed(dir: &std::path::Path) -> Vec<String> {
    let (agencies, users, posts, comments) = (
        scaled(1_000),
        scaled(10_000),
        scaled(100_000),
        scaled(300_000),
    );
    let started = Instant::now();
    let url = database();
    let mut db =
        tsunagi_centre::storage::open(dir, url.as_deref()).expect("opens the centre's database");
    for a in 0..agencies {
        db.add_agency_without_key(&agency(a)).expect("adds");
    }
    let hash = PasswordHasher::standard().hash(PASSWORD);
    let mut logins = Vec::new();
    for u in 0..users {
        let login = format!("user{u:05}");
        let role = Role::Agency(agency(u % agencies));
        db.add_account(
            &Account {
                login: LoginName::parse(&login).expect("a login"),
                display_name: login.clone(),
                role,
                disabled: false,
                created_at: tsunagi_core::rfc3339::Timestamp::now(),
            },
            &hash,
        )
        .expect("adds the account");
        logins.push(login);
    }
    drop(db);

    let viewers: Vec<Viewer> = logins
        .iter()
        .take(agencies.min(users))
        .enumerate()
        .map(|(u, login)| {
            Viewer::of(
                LoginName::parse(login).expect("a login"),
                &Role::Agency(agency(u % agencies)),
            )
        })
        .collect();
    let shape = Shape {
        agencies,
        posts,
        comments,
    };
    match &url {
        Some(url) => seed_postgres(dir, url, &shape, &viewers),
        None => seed_sqlite(dir, &shape, &viewers),
    }
    println!(
        "{}: seeded {agencies} agencies, {users} accounts, {posts} posts, {comments} comments in {:.0?}",
        if url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        started.elapsed()
    );
    logins.into_iter().take(READERS).collect()
}

/// How much the board is seeded with.
struct Shape {
    agencies: usize,
    posts: usize,
    comments: usize,
}

/// Post `p`'s author (one of `viewers`, in turn), what it is and who may
/// read it; comment `c` is on post `comment_target(c)` (from 0), by the
/// first agency's member when it may read the post. The PostgreSQL seeding
/// computes the same in SQL.
fn post_number(p: usize, viewers: &[Viewer], agencies: usize) -> (&Viewer, NewPost) {
    let visibility = match p % 4 {
        0 => Visibility::AllAgencies,
        1 => Visibility::MyAgency,
        2 => Visibility::Agencies(vec![agency((p / 4) % agencies), agency((p / 7) % agencies)]),
        _ => Visibility::CentreOnly,
    };
    let post = NewPost {
        category: CategoryCode::parse(SEEDED_CATEGORIES[p % 7].0).expect("a code"),
        kind: Kind::ALL[p % 5],
        title: format!("投稿{p}：{}", PHRASES[(p / 3) % 8]),
        body: format!(
            "{}{}{}",
            PHRASES[p % 8],
            PHRASES[(p / 8) % 8],
            PHRASES[(p / 64) % 8]
        ),
        visibility,
    };
    (&viewers[p % viewers.len()], post)
}

/// The post (from 0) comment `c` is on.
fn comment_target(c: usize, posts: usize) -> usize {
    (c * 7919) % posts
}

const COMMENT: &str = "コメントです。参考になりました。";

/// The board in `board.db` through the board's own calls, each post its
/// own transaction, without waiting for the disk.
fn seed_sqlite(dir: &std::path::Path, shape: &Shape, viewers: &[Viewer]) {
    let conn = Connection::open(dir.join(tsunagi_centre::board::BOARD_FILE)).expect("opens");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("WAL");
    conn.pragma_update(None, "synchronous", "OFF")
        .expect("fast seeding");
    let mut board = BoardStore::new(conn).expect("the board");
    let mut ids = Vec::new();
    for p in 0..shape.posts {
        let (author, post) = post_number(p, viewers, shape.agencies);
        ids.push(board.create_post(author, &post).expect("posts"));
    }
    for c in 0..shape.comments {
        let post = ids[comment_target(c, ids.len())];
        // Refused (as missing) where the commenter may not read the post.
        let _ = board.add_comment(&viewers[0], post, COMMENT);
    }
}

/// The board in PostgreSQL: the tables made by the board, then every post,
/// its named agencies and the comments in three `INSERT … SELECT` over
/// `generate_series` (row by row took hours), the same rows
/// [`seed_sqlite`] makes. The commenter's reading is the board's own rule
/// ([`readable_condition_pg`]).
fn seed_postgres(dir: &std::path::Path, url: &str, shape: &Shape, viewers: &[Viewer]) {
    drop(tsunagi_centre::board::open_backend(dir, Some(url)).expect("the board's tables"));
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connects");
    let n = |v: usize| i64::try_from(v).expect("fits");
    let now = tsunagi_core::rfc3339::Timestamp::now().to_string();
    let categories: Vec<&str> = SEEDED_CATEGORIES.iter().map(|c| c.0).collect();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
    let mut tx = client.transaction().expect("a transaction");
    tx.execute(
        "INSERT INTO board_posts (author_login, author_agency, category, kind, title, body,
                                  visibility, created_at, updated_at)
         SELECT 'user' || lpad((p % $2::bigint)::text, 5, '0'),
                '機関' || lpad((p % $2::bigint)::text, 4, '0'),
                ($3::text[])[p % 7 + 1], ($4::text[])[p % 5 + 1],
                '投稿' || p || '：' || ($5::text[])[(p / 3) % 8 + 1],
                ($5::text[])[p % 8 + 1] || ($5::text[])[(p / 8) % 8 + 1]
                    || ($5::text[])[(p / 64) % 8 + 1],
                (ARRAY['all', 'agency', 'agencies', 'centre'])[p % 4 + 1], $6, $6
         FROM generate_series(0::bigint, $1::bigint - 1) AS p ORDER BY p",
        &[
            &n(shape.posts),
            &n(viewers.len()),
            &categories,
            &kinds,
            &PHRASES.to_vec(),
            &now,
        ],
    )
    .expect("the posts");
    tx.execute(
        "INSERT INTO board_post_agencies (post_id, agency)
         SELECT DISTINCT p + 1, '機関' || lpad(a::text, 4, '0')
         FROM generate_series(0::bigint, $1::bigint - 1) AS p,
              LATERAL (VALUES ((p / 4) % $2::bigint), ((p / 7) % $2::bigint)) AS named (a)
         WHERE p % 4 = 2",
        &[&n(shape.posts), &n(shape.agencies)],
    )
    .expect("the named agencies");
    // Without statistics the planner scans every post for each comment.
    tx.batch_execute("ANALYZE board_posts; ANALYZE board_post_agencies")
        .expect("statistics for the planner");
    let commenter = &viewers[0];
    let condition = readable_condition_pg(commenter, 4);
    let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::new();
    let (comments, posts) = (n(shape.comments), n(shape.posts));
    params.extend([
        &comments as &(dyn postgres::types::ToSql + Sync),
        &posts,
        &now,
    ]);
    params.extend(
        condition
            .params
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync)),
    );
    tx.execute(
        &format!(
            "INSERT INTO board_comments (post_id, author_login, author_agency, body, created_at)
             SELECT p.id, '{login}', '{agency}', '{COMMENT}', $3
             FROM generate_series(0::bigint, $1::bigint - 1) AS c
             JOIN board_posts p ON p.id = (c * 7919) % $2::bigint + 1
             WHERE {rule} ORDER BY c",
            login = commenter.login().as_str(),
            agency = commenter.agency().expect("an agency's member"),
            rule = condition.sql,
        ),
        &params,
    )
    .expect("the comments");
    tx.commit().expect("seeded");
    client
        .batch_execute("ANALYZE")
        .expect("statistics for the planner");
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

/// A session for `login`: the cookie and its CSRF token.
async fn log_in(client: &reqwest::Client, base: &str, login: &str) -> (String, String) {
    let answer = client
        .post(format!("{base}/api/login"))
        .header("content-type", "application/json")
        .body(serde_json::json!({"login": login, "password": PASSWORD}).to_string())
        .send()
        .await
        .expect("logs in");
    let cookie = answer
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let body: serde_json::Value =
        serde_json::from_slice(&answer.bytes().await.expect("a body")).expect("JSON");
    (cookie, body["csrf"].as_str().expect("a token").to_owned())
}

/// p50 and p99 of `times`.
fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

/// Every reader asks for `path(reader, i)` `REQUESTS` times at once;
/// the latencies.
async fn timed(
    client: &reqwest::Client,
    base: &str,
    sessions: &[(String, String)],
    path: impl Fn(usize, usize) -> String + Clone + Send + 'static,
) -> Vec<Duration> {
    let mut tasks = Vec::new();
    for (r, (cookie, _)) in sessions.iter().enumerate() {
        let (client, base, cookie, path) = (
            client.clone(),
            base.to_owned(),
            cookie.clone(),
            path.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for i in 0..REQUESTS {
                let started = Instant::now();
                let answer = client
                    .get(format!("{base}{}", path(r, i)))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .expect("answers");
                assert!(answer.status().is_success(), "{}", answer.status());
                answer.bytes().await.expect("a body");
                times.push(started.elapsed());
            }
            times
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("a reader"));
    }
    all
}

fn main() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let readers = seed(dir.path());
    let identity = CentreIdentity::create(dir.path()).expect("an identity");
    let url = database();
    let db = tsunagi_centre::storage::open(dir.path(), url.as_deref()).expect("opens");
    // As `serve` opens it.
    let boards = (0..tsunagi_centre::board::BOARD_CONNECTIONS)
        .map(|_| {
            tsunagi_centre::board::open_backend(dir.path(), url.as_deref()).expect("the board")
        })
        .collect();
    let reference = ReferenceDb::bundled().expect("the reference");
    let centre =
        Arc::new(Centre::new(DeviceKeys::generate(), db, reference).with_board_connections(boards));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let base = format!("https://{}", listener.local_addr().expect("an address"));
    // The last hold on the centre is let go here, after the runtime: the
    // PostgreSQL clients it holds block when dropped, which a runtime's
    // thread must not do.
    let held = Arc::clone(&centre);
    runtime.block_on(async {
        let server_identity = CentreIdentity::load(dir.path()).expect("loads");
        tokio::spawn(async move { serve(listener, &server_identity, centre).await });
        let client = client(&identity);
        let mut sessions = Vec::new();
        for login in &readers {
            sessions.push(log_in(&client, &base, login).await);
        }
        let posts = scaled(100_000);
        let cases: [(&str, PathOf); 4] = [
            ("static /style.css", Box::new(|_, _| "/style.css".to_owned())),
            ("list /board", Box::new(|_, _| "/board".to_owned())),
            (
                "a post /board/posts/N",
                Box::new(move |r, i| format!("/board/posts/{}", 1 + ((r * 131 + i * 4) % posts) / 4 * 4)),
            ),
            (
                "search /board/search",
                Box::new(|_, i| {
                    let word = ["%E5%B0%B1%E5%8A%B4%E6%94%AF%E6%8F%B4", "%E9%80%9A%E9%99%A2%E6%97%A5", "%E7%9F%AD%E6%99%82%E9%96%93"][i % 3];
                    format!("/board/search?q={word}")
                }),
            ),
        ];
        // Every reader's connection made (TLS) and warm before timing.
        timed(&client, &base, &sessions, |_, _| "/style.css".to_owned()).await;
        let mut baseline = None;
        println!("{READERS} readers at once, {REQUESTS} requests each:");
        println!("| request | p50 | p99 | p50 ratio | p99 ratio |");
        println!("|---|---|---|---|---|");
        for (name, path) in cases {
            let path = Arc::new(path);
            let times = timed(&client, &base, &sessions, move |r, i| path(r, i)).await;
            let (p50, p99) = percentiles(times);
            let (b50, b99) = *baseline.get_or_insert((p50, p99));
            println!(
                "| {name} | {p50:.2?} | {p99:.2?} | {:.1}× | {:.1}× |",
                p50.as_secs_f64() / b50.as_secs_f64(),
                p99.as_secs_f64() / b99.as_secs_f64()
            );
        }

        // Writes: posts through the page's form, one after another, against
        // the same number of static requests made the same way.
        let (cookie, csrf) = sessions[0].clone();
        let started = Instant::now();
        for _ in 0..WRITES {
            client
                .get(format!("{base}/style.css"))
                .send()
                .await
                .expect("answers")
                .bytes()
                .await
                .expect("a body");
        }
        let static_rate = WRITES as f64 / started.elapsed().as_secs_f64();
        let started = Instant::now();
        for w in 0..WRITES {
            let form = format!(
                "csrf={csrf}&title=bench{w}&category=techniques&kind=information&body=%E6%9C%AC%E6%96%87&visibility=all"
            );
            let answer = client
                .post(format!("{base}/board/posts"))
                .header("cookie", &cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .expect("answers");
            assert_eq!(answer.status().as_u16(), 303, "posted");
        }
        let post_rate = WRITES as f64 / started.elapsed().as_secs_f64();
        println!(
            "posts: {post_rate:.0}/s one after another; static requests: {static_rate:.0}/s; ratio {:.2}",
            post_rate / static_rate
        );
    });
    drop(runtime);
    drop(held);
}
