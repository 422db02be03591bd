//! Progress data from the companion to the research centre, as processes
//! over real HTTPS on loopback: the companion's `research` commands against
//! `tsunagi-centre serve`, on SQLite and on a real PostgreSQL server. The
//! figures are read by a researcher's account, logged in over HTTPS and in
//! Chromium.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use tsunagi_core::link::Fingerprint;
use tsunagi_core::model::{
    Case, ConsentRecord, ConsentScope, ConsultationRecord, Section, demo_cases,
};
use tsunagi_core::research::{Batch, seal_batch};
use tsunagi_core::seal::{DeviceKeys, PartKind, PartSource, Recipient};
use tsunagi_core::store::{FileKeychain, Store, StoreOptions};
use tsunagi_tests::{PASSWORD, Serve, browser::Browser, postgres::Postgres};

/// The agency's name as the centre registers it.
const AGENCY: &str = "架空市難病相談支援センター";

/// The researcher's account at the centre: login name, display name and
/// password (no character a form would encode).
const RESEARCHER: &str = "researcher";
const RESEARCHER_NAME: &str = "研究 花子";
const RESEARCHER_PASSWORD: &str = "figures-for-research-2027";

struct Env {
    root: tempfile::TempDir,
    /// A PostgreSQL connection string for the centre, or SQLite.
    database: Option<String>,
    /// Every identifying value put into the companion's cases.
    secrets: Vec<String>,
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The client's consent to research (研究部門への提供), given long ago.
fn research_consent() -> ConsentRecord {
    ConsentRecord {
        scope: ConsentScope::Research,
        given_on: Some(time::macros::date!(2020 - 04 - 01)),
        ..ConsentRecord::new()
    }
}

/// A demo case made unmistakable: every identifying field gets a value found
/// nowhere else, and a consultation record a note.
fn distinctive(mut case: Case, n: usize) -> (Case, Vec<String>) {
    let b = &mut case.basic;
    let values = [
        format!("識別太郎{n}号"),
        format!("シキベツタロウ{n}ゴウ"),
        format!("東京都架空区秘匿町{n}丁目9番9号"),
        format!("090-7777-{n:04}"),
        format!("shikibetsu{n}@example.jp"),
        format!("家族の事情メモ{n}番"),
        format!("相談内容の秘密{n}件目"),
    ];
    *b.name.expose_mut() = values[0].clone();
    *b.kana.expose_mut() = values[1].clone();
    *b.address.expose_mut() = values[2].clone();
    *b.phone.expose_mut() = values[3].clone();
    *b.email.expose_mut() = values[4].clone();
    *b.note.expose_mut() = values[5].clone();
    let mut record = ConsultationRecord::new();
    *record.content.expose_mut() = values[6].clone();
    case.consultations.push(record);
    let mut secrets = values.to_vec();
    if let Some(birth) = case.basic.birth_date.expose() {
        secrets.push(birth.to_string());
    }
    (case, secrets)
}

impl Env {
    /// A companion store holding the demo cases with distinctive
    /// identifying values, each with the client's research consent, and a
    /// centre set up with `database`.
    fn new(database: Option<String>) -> Self {
        Self::with_copies(database, &[1; 4])
    }

    /// As [`Env::new`], with `copies[i]` cases made from demo case `i`.
    fn with_copies(database: Option<String>, copies: &[usize]) -> Self {
        Self::made(database, copies, true)
    }

    /// As [`Env::new`], the research consents as the demo cases have them
    /// (one in force, one withdrawn, two never given).
    fn with_demo_consents(database: Option<String>) -> Self {
        Self::made(database, &[1; 4], false)
    }

    fn made(database: Option<String>, copies: &[usize], consenting: bool) -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        let (mut store, _) = Store::create(
            &root.path().join("companion"),
            Arc::new(FileKeychain::new(root.path().join("keys"))),
            "admin",
            PASSWORD,
            StoreOptions::default(),
        )
        .expect("creates the companion store");
        let mut secrets = Vec::new();
        let cases = demo_cases();
        let all = cases
            .iter()
            .zip(copies)
            .flat_map(|(case, n)| std::iter::repeat_n(case.clone(), *n));
        for (n, case) in all.enumerate() {
            let (mut case, values) = distinctive(case, n);
            if consenting {
                case.consents.retain(|c| c.scope != ConsentScope::Research);
                case.consents.push(research_consent());
            }
            let id = store.create_case(&case).expect("adds the case");
            secrets.extend(values);
            secrets.push(id.to_string());
        }
        drop(store);
        let env = Self {
            root,
            database,
            secrets,
        };
        env.centre_ok(&["init"]);
        env.companion_ok(&["research", "key", "--out", &env.path("agency.key")]);
        env.centre_ok(&["agency", "add", AGENCY, "--key", &env.path("agency.key")]);
        env.centre_with_input(
            &[
                "account",
                "add",
                RESEARCHER,
                "--role",
                "researcher",
                "--display-name",
                RESEARCHER_NAME,
            ],
            &format!("{RESEARCHER_PASSWORD}\n"),
        );
        env
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn path(&self, name: &str) -> String {
        self.dir(name).display().to_string()
    }

    fn companion_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_companion"));
        cmd.arg("--data-dir")
            .arg(self.dir("companion"))
            .args(args)
            .env("TSUNAGI_KEYSTORE", "file")
            .env("TSUNAGI_KEYSTORE_DIR", self.dir("keys"))
            .env("TSUNAGI_USER", "admin")
            .env("TSUNAGI_PASSWORD", PASSWORD)
            .env_remove("TSUNAGI_COMPANION_DATA_DIR");
        cmd
    }

    fn companion(&self, args: &[&str]) -> Output {
        self.companion_command(args)
            .output()
            .expect("runs the companion")
    }

    fn centre_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_centre"));
        cmd.arg("--data-dir").arg(self.dir("centre")).args(args);
        match &self.database {
            Some(url) => cmd.env("TSUNAGI_CENTRE_DATABASE", url),
            None => cmd.env_remove("TSUNAGI_CENTRE_DATABASE"),
        };
        cmd
    }

    fn companion_ok(&self, args: &[&str]) -> String {
        let out = self.companion(args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "companion {args:?} failed: {stderr}");
        stdout
    }

    fn centre_ok(&self, args: &[&str]) -> String {
        let out = self.centre_command(args).output().expect("runs the centre");
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "centre {args:?} failed: {stderr}");
        stdout
    }

    /// The centre's command `args` with `input` on its standard input (a
    /// new account's password); it must succeed.
    fn centre_with_input(&self, args: &[&str], input: &str) -> String {
        let mut child = self
            .centre_command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs the centre");
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(input.as_bytes())
            .expect("writes");
        let out = child.wait_with_output().expect("the centre ends");
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "centre {args:?} failed: {stderr}");
        stdout
    }

    /// The centre's `age` key and certificate fingerprint, as `init` wrote
    /// them (read back from its identity).
    fn centre_keys(&self) -> (Recipient, Fingerprint) {
        let identity =
            tsunagi_centre::identity::CentreIdentity::load(&self.dir("centre")).expect("loads");
        (identity.keys.recipient(), identity.fingerprint())
    }

    fn serve(&self, listen: &str) -> Serve {
        Serve::start(self.centre_command(&["serve", "--listen", listen]))
    }

    fn configure(&self, addr: &str) {
        let (recipient, fingerprint) = self.centre_keys();
        self.companion_ok(&[
            "research",
            "configure",
            "--agency",
            AGENCY,
            "--centre",
            &format!("https://{addr}"),
            "--centre-key",
            &recipient.as_string(),
            "--centre-cert-fingerprint",
            &fingerprint.to_hex(),
        ]);
    }

    /// The centre's stored records and batches, read through its storage.
    fn stored(&self) -> (usize, usize) {
        let mut db = tsunagi_centre::storage::open(&self.dir("centre"), self.database.as_deref())
            .expect("opens the centre's database");
        (
            db.records().expect("records").len(),
            db.batch_count().expect("batches"),
        )
    }

    /// The companion's encrypted store, opened in this process.
    fn companion_store(&self) -> Store {
        Store::unlock(
            &self.dir("companion"),
            Arc::new(FileKeychain::new(self.dir("keys"))),
            "admin",
            PASSWORD,
        )
        .expect("opens the companion store")
    }

    /// The agency's keys, from the companion's encrypted store.
    fn agency_keys(&self) -> DeviceKeys {
        self.companion_store().research_keys().expect("keys").keys
    }

    /// Asserts that none of the seeded identifying values is in `bytes`.
    fn assert_no_secret(&self, what: &str, bytes: &[u8]) {
        for secret in &self.secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{what} holds an identifying value of a case"
            );
        }
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads the folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// One answer over HTTPS.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    /// `Location`, if any.
    fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    /// `name=value` of the cookie `name` the answer sets.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
    }

    /// The value of the page's hidden `csrf` field.
    fn csrf(&self) -> String {
        String::from_utf8_lossy(&self.body)
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page has a CSRF field")
            .to_owned()
    }
}

/// GET or POST over HTTPS, pinning the centre's certificate as the
/// companion does, with `headers`, following no redirect.
fn request(
    fingerprint: Fingerprint,
    url: &str,
    body: Option<Vec<u8>>,
    headers: &[(&str, String)],
) -> Answer {
    let tls = tsunagi_core::link::tls::pinned_https_config(fingerprint).expect("tls config");
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut request = match body {
            Some(b) => client.post(url).body(b),
            None => client.get(url),
        };
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("the centre answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a body").to_vec();
        Answer {
            status,
            headers,
            body,
        }
    })
}

/// GET or POST over HTTPS with no cookie. Returns the status and the body.
fn https(fingerprint: Fingerprint, url: &str, body: Option<Vec<u8>>) -> (u16, Vec<u8>) {
    let answer = request(fingerprint, url, body, &[]);
    (answer.status, answer.body)
}

/// GET `url` with the session cookie `session` (`name=value`).
fn get_as(fingerprint: Fingerprint, url: &str, session: &str) -> Answer {
    request(fingerprint, url, None, &[("cookie", session.to_owned())])
}

/// POSTs the form `fields` (no character that needs encoding) to
/// `https://{addr}{path}` as a browser on the centre's own page would.
fn post_form(
    fingerprint: Fingerprint,
    addr: &str,
    path: &str,
    fields: &[(&str, &str)],
    cookie: &str,
) -> Answer {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    request(
        fingerprint,
        &format!("https://{addr}{path}"),
        Some(body.join("&").into_bytes()),
        &[
            ("content-type", "application/x-www-form-urlencoded".into()),
            ("origin", format!("https://{addr}")),
            ("cookie", cookie.to_owned()),
        ],
    )
}

/// Opens the login form at `addr` and sends it with the researcher's name
/// and `password`.
fn log_in(fingerprint: Fingerprint, addr: &str, password: &str) -> Answer {
    let form = request(fingerprint, &format!("https://{addr}/login"), None, &[]);
    assert_eq!(form.status, 200);
    let cookie = form
        .cookie("__Host-tsunagi_login")
        .expect("the form's cookie");
    post_form(
        fingerprint,
        addr,
        "/login",
        &[
            ("login", RESEARCHER),
            ("password", password),
            ("csrf", &form.csrf()),
        ],
        &cookie,
    )
}

/// Logs the researcher in at `addr`: the session cookie (`name=value`).
fn session(fingerprint: Fingerprint, addr: &str) -> String {
    session_with(fingerprint, addr, RESEARCHER_PASSWORD)
}

/// The researcher's session, logged in with `password`.
fn session_with(fingerprint: Fingerprint, addr: &str, password: &str) -> String {
    let answer = log_in(fingerprint, addr, password);
    assert_eq!(
        answer.status,
        303,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer
        .cookie("__Host-tsunagi_session")
        .expect("a session cookie")
}

/// A free loopback port, to start the centre on later.
fn free_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    listener.local_addr().expect("address").to_string()
}

/// Sends, then checks the centre holds one record per case and not one
/// identifying value anywhere: its files, its pages, its CSV.
fn progress_reaches_the_centre_without_identifying_data(env: &Env) {
    let centre = env.serve("127.0.0.1:0");
    env.configure(&centre.addr);
    let preview = env.companion_ok(&["research", "preview"]);
    env.assert_no_secret("the preview", preview.as_bytes());
    assert!(preview.contains("pseudonym"), "{preview}");
    let out = env.companion_ok(&["research", "send"]);
    assert!(out.contains("delivered 1 batch"), "{out}");
    assert_eq!(env.stored(), (demo_cases().len(), 1));
    let outbox = env.companion_ok(&["research", "outbox"]);
    assert!(outbox.contains("sent"), "{outbox}");

    let (_, fingerprint) = env.centre_keys();
    let addr = centre.addr.as_str();
    // Without a login, the figures and the CSV send the visitor to the
    // login page.
    for path in ["/", "/figures/stages.csv"] {
        let answer = request(fingerprint, &format!("https://{addr}{path}"), None, &[]);
        assert_eq!(answer.status, 303, "{path}");
        assert_eq!(answer.location(), Some("/login"), "{path}");
    }
    let wrong = log_in(fingerprint, addr, "not-the-password-at-all");
    assert_eq!(wrong.status, 401);
    assert!(String::from_utf8_lossy(&wrong.body).contains("ログイン名またはパスワードが違います"));

    let researcher = session(fingerprint, addr);
    let answer = get_as(fingerprint, &format!("https://{addr}/"), &researcher);
    assert_eq!(answer.status, 200);
    let page = String::from_utf8(answer.body.clone()).expect("utf-8");
    assert!(
        page.contains("支援段階"),
        "the figures page shows the tables"
    );
    assert!(page.contains(RESEARCHER_NAME), "who is logged in");
    env.assert_no_secret("the figures page", page.as_bytes());
    for table in ["stages", "outcomes", "programmes"] {
        let csv = get_as(
            fingerprint,
            &format!("https://{addr}/figures/{table}.csv"),
            &researcher,
        );
        assert_eq!(csv.status, 200, "{table}.csv");
        env.assert_no_secret("a CSV", &csv.body);
    }
    // Logging out ends that session; disabling the account ends the others.
    let other = session(fingerprint, addr);
    let out = post_form(
        fingerprint,
        addr,
        "/logout",
        &[("csrf", &answer.csrf())],
        &researcher,
    );
    assert_eq!(out.status, 303);
    let url = format!("https://{addr}/");
    assert_eq!(get_as(fingerprint, &url, &researcher).status, 303);
    assert_eq!(get_as(fingerprint, &url, &other).status, 200);
    env.centre_ok(&["account", "disable", RESEARCHER]);
    assert_eq!(get_as(fingerprint, &url, &other).status, 303);
    let accounts = env.centre_ok(&["account", "list"]);
    assert!(accounts.contains(&format!("{RESEARCHER}\t{RESEARCHER_NAME}\tresearcher")));
    assert!(accounts.contains("disabled"), "{accounts}");
    // Enabled again with a new password: only that one opens.
    env.centre_ok(&["account", "enable", RESEARCHER]);
    env.centre_with_input(
        &["account", "password", RESEARCHER],
        "a replacement password\n",
    );
    assert!(!env.centre_ok(&["account", "list"]).contains("disabled"));
    assert_eq!(get_as(fingerprint, &url, &other).status, 303);
    let renewed = session_with(fingerprint, addr, "a replacement password");
    assert_eq!(get_as(fingerprint, &url, &renewed).status, 200);
    // The pages carry their own Japanese font.
    let (status, font) = https(
        fingerprint,
        &format!("https://{}/fonts/BIZUDGothic-Regular.ttf", centre.addr),
        None,
    );
    assert_eq!(status, 200);
    assert!(font.starts_with(&[0, 1, 0, 0]), "a TrueType font");
    drop(centre);
    let stored = files(&env.dir("centre"));
    assert!(!stored.is_empty());
    for file in stored {
        let bytes = std::fs::read(&file).expect("reads");
        env.assert_no_secret(&file.display().to_string(), &bytes);
    }
}

#[test]
fn progress_reaches_a_sqlite_centre_without_any_identifying_value() {
    let env = Env::new(None);
    progress_reaches_the_centre_without_identifying_data(&env);
}

#[test]
fn progress_reaches_a_postgresql_centre_without_any_identifying_value() {
    let postgres = Postgres::start();
    let env = Env::new(Some(postgres.url()));
    progress_reaches_the_centre_without_identifying_data(&env);
    // The rows are in PostgreSQL, not in a SQLite file beside the identity.
    assert!(!env.dir("centre").join("centre.sqlite").exists());
    let dump = postgres.dump();
    assert!(dump.contains("pseudonym"), "the records are in PostgreSQL");
    env.assert_no_secret("the PostgreSQL dump", dump.as_bytes());
}

#[test]
fn the_centre_refuses_strangers_tampering_and_malformed_batches_and_counts_a_replay_once() {
    let env = Env::new(None);
    let centre = env.serve("127.0.0.1:0");
    env.configure(&centre.addr);
    env.companion_ok(&["research", "send"]);
    assert_eq!(env.stored(), (demo_cases().len(), 1));
    let (recipient, fingerprint) = env.centre_keys();
    let url = format!("https://{}/batches", centre.addr);
    let batch = || Batch::new(AGENCY, Vec::new());

    // An agency the centre never registered.
    let stranger = seal_batch(&batch(), &DeviceKeys::generate(), &recipient).expect("seals");
    let (status, body) = https(fingerprint, &url, Some(stranger));
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("未登録"));

    // A registered agency's batch, changed on the way.
    let agency = env.agency_keys();
    let mut tampered = seal_batch(&batch(), &agency, &recipient).expect("seals");
    let at = tampered.len() - 20;
    tampered[at] ^= 0x01;
    let (status, _) = https(fingerprint, &url, Some(tampered));
    assert_eq!(status, 400);

    // A registered agency's batch for another centre.
    let elsewhere =
        seal_batch(&batch(), &agency, &DeviceKeys::generate().recipient()).expect("seals");
    let (status, _) = https(fingerprint, &url, Some(elsewhere));
    assert!(status == 421 || status == 403, "status {status}");

    // Signed and sealed properly, but a record carries a name.
    let mut value = serde_json::to_value(batch()).expect("json");
    value["records"] = serde_json::json!([{ "name": "識別太郎0号" }]);
    let body = serde_json::to_vec(&value).expect("json");
    let part = PartSource::from_bytes("research/batch", PartKind::Research, &body);
    let (_, malformed) =
        tsunagi_core::seal::seal(Vec::new(), &agency, &recipient, vec![part]).expect("seals");
    let (status, answer) = https(fingerprint, &url, Some(malformed));
    assert_eq!(status, 400);
    assert!(!String::from_utf8_lossy(&answer).contains("識別"));

    assert_eq!(
        env.stored(),
        (demo_cases().len(), 1),
        "nothing refused was stored"
    );

    // The batch the companion sent, sent again: acknowledged, counted once.
    let store = env.companion_store();
    let sent = store.research_batches().expect("outbox").remove(0);
    drop(store);
    let (status, ack) = https(fingerprint, &url, Some(sent.sealed.clone()));
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&ack).contains(&sent.id.to_string()));
    assert_eq!(
        env.stored(),
        (demo_cases().len(), 1),
        "a replay is counted once"
    );

    // A later send of the same cases replaces their records.
    env.companion_ok(&["research", "send"]);
    assert_eq!(env.stored(), (demo_cases().len(), 2));
}

#[test]
fn a_batch_waits_while_the_centre_is_down_and_arrives_once_when_it_is_back() {
    let env = Env::new(None);
    let addr = free_port();
    env.configure(&addr);

    // Down: the send fails in words, and the sealed batch stays queued.
    let out = env.companion(&[
        "research",
        "send",
        "--attempts",
        "2",
        "--retry-delay-ms",
        "100",
    ]);
    assert!(!out.status.success());
    let (_, stderr) = text(&out);
    assert!(stderr.contains("could not be reached"), "{stderr}");
    assert!(stderr.contains("stays queued"), "{stderr}");
    let outbox = env.companion_ok(&["research", "outbox"]);
    assert!(outbox.contains("queued, 2 attempt(s)"), "{outbox}");

    // Back while a send is retrying: that same batch is delivered, once.
    let sending = env
        .companion_command(&[
            "research",
            "send",
            "--attempts",
            "30",
            "--retry-delay-ms",
            "200",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts sending");
    std::thread::sleep(std::time::Duration::from_millis(700));
    let centre = env.serve(&addr);
    let out = sending.wait_with_output().expect("send ends");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("already queued"), "{stdout}");
    assert!(stdout.contains("delivered 1 batch"), "{stdout}");
    assert_eq!(env.stored(), (demo_cases().len(), 1));
    let outbox = env.companion_ok(&["research", "outbox"]);
    assert_eq!(outbox.lines().count(), 1, "{outbox}");
    assert!(outbox.contains("sent"), "{outbox}");
    drop(centre);
}

#[test]
fn the_figures_page_renders_in_a_browser_after_logging_in_with_small_counts_hidden() {
    // Six cases like the first demo case and three like each other: the
    // counts of the first's stage months reach 6 and show, the others' 3s
    // stay hidden, and together they are enough that a column's total
    // (complementary suppression) does not force the 6 to be hidden too.
    let env = Env::with_copies(None, &[6, 3, 3, 3]);
    let centre = env.serve("127.0.0.1:0");
    env.configure(&centre.addr);
    env.companion_ok(&["research", "send"]);
    let mut browser = Browser::start(&env.dir("browser"));

    // The figures send a browser with no session to the login page.
    browser.open(&format!("https://{}/", centre.addr));
    assert_eq!(browser.eval("location.pathname"), "/login");
    assert_eq!(browser.eval("document.querySelectorAll('table').length"), 0);
    // Logging in as a person would: the form's cookie, its CSRF field and
    // the browser's own Origin header all pass, and the browser keeps the
    // session cookie.
    browser.until_loaded(
        "Runtime.evaluate",
        serde_json::json!({"expression": format!(
            "document.getElementById('login').value = '{RESEARCHER}';\
             document.getElementById('password').value = '{RESEARCHER_PASSWORD}';\
             document.querySelector('button[type=submit]').click();"
        )}),
    );
    assert_eq!(browser.eval("location.pathname"), "/");
    assert_eq!(
        browser.eval("document.cookie"),
        "",
        "the cookies are HttpOnly"
    );
    let dom = browser
        .eval("document.documentElement.outerHTML")
        .as_str()
        .expect("the page's HTML")
        .to_owned();
    assert!(dom.contains("<table"), "the tables are drawn: {dom}");
    assert!(dom.contains("支援段階"), "{dom}");
    assert!(dom.contains(RESEARCHER_NAME), "{dom}");
    // Counts of 5 and more show; 1 to 4 are drawn as suppressed cells,
    // and no cell shows 1 to 4.
    assert!(
        dom.contains("<td class=\"n\">5</td>") || dom.contains("<td class=\"n\">6</td>"),
        "counts of 5 and more show: {dom}"
    );
    assert!(
        dom.contains("<td class=\"n s\">x</td>"),
        "small counts are hidden: {dom}"
    );
    for n in 1..5 {
        assert!(
            !dom.contains(&format!(">{n}</td>")),
            "a count of {n} is shown"
        );
    }
    env.assert_no_secret("the page in the browser", dom.as_bytes());
    // Each table's chart, an SVG image above it, loads and is drawn.
    assert_eq!(
        browser.eval(
            "[...document.querySelectorAll('img.chart')]\
             .filter(i => i.complete && i.naturalWidth > 0).length"
        ),
        3,
        "the three charts load"
    );
    let png = browser.screenshot();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real picture"
    );
    // `TSUNAGI_KEEP_SCREENSHOT=docs/screenshots/centre-figures.png` keeps it.
    if let Some(keep) = std::env::var_os("TSUNAGI_KEEP_SCREENSHOT") {
        std::fs::write(keep, &png).expect("keeps the screenshot");
    }

    // Logging out with the page's own button ends the session.
    browser.until_loaded(
        "Runtime.evaluate",
        serde_json::json!({"expression": "document.querySelector('form.account button').click();"}),
    );
    assert_eq!(browser.eval("location.pathname"), "/login");
    browser.open(&format!("https://{}/", centre.addr));
    assert_eq!(browser.eval("location.pathname"), "/login");
}

#[test]
fn research_goes_only_with_consent_and_a_withdrawal_deletes_the_centres_record() {
    let env = Env::with_demo_consents(None);
    let centre = env.serve("127.0.0.1:0");
    env.configure(&centre.addr);
    let today = time::OffsetDateTime::now_utc().date();
    let consenting = demo_cases()
        .iter()
        .filter(|c| c.may_use(ConsentScope::Research, today).is_ok())
        .count();
    assert!(
        consenting > 0 && consenting < demo_cases().len(),
        "the demo has cases with and without the consent"
    );

    // The preview carries records only for the consenting cases, and a
    // withdrawal for each of the others, saying why.
    let out = env.companion(&["research", "preview"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let preview: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        preview["records"].as_array().expect("records").len(),
        consenting
    );
    assert_eq!(
        preview["withdrawn"].as_array().expect("withdrawn").len(),
        demo_cases().len() - consenting
    );
    assert!(stderr.contains("There is no consent"), "{stderr}");
    assert!(stderr.contains("was withdrawn on"), "{stderr}");

    env.companion_ok(&["research", "send"]);
    assert_eq!(
        env.stored(),
        (consenting, 1),
        "only consenting cases reach the centre"
    );

    // The clients withdraw: the next send deletes their records there.
    let mut store = env.companion_store();
    for row in store.list_cases(&Default::default()).expect("lists") {
        let mut consents = store.load_case(row.id).expect("loads").consents;
        for c in &mut consents {
            if c.scope == ConsentScope::Research && c.in_force_on(today) {
                c.withdrawn_on = Some(today);
            }
        }
        store
            .save_section(row.id, &Section::Consents(consents))
            .expect("saves");
    }
    drop(store);
    env.companion_ok(&["research", "send"]);
    assert_eq!(env.stored(), (0, 2), "the withdrawn records were deleted");
    drop(centre);
}

#[test]
fn deleting_a_case_at_the_office_deletes_the_centres_record() {
    let env = Env::with_demo_consents(None);
    let centre = env.serve("127.0.0.1:0");
    env.configure(&centre.addr);
    let today = time::OffsetDateTime::now_utc().date();
    env.companion_ok(&["research", "send"]);
    let (sent, _) = env.stored();
    assert!(sent > 0, "a consenting case reached the centre");

    let deleted = {
        let mut store = env.companion_store();
        let rows = store.list_cases(&Default::default()).expect("lists");
        rows.iter()
            .map(|r| r.id)
            .find(|id| {
                store
                    .load_case(*id)
                    .expect("loads")
                    .may_use(ConsentScope::Research, today)
                    .is_ok()
            })
            .expect("a consenting case")
    };
    let id = deleted.to_string();
    // Without --yes nothing is deleted.
    let out = env.companion(&["case", "delete", &id]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("--yes"), "{}", text(&out).1);
    env.companion_ok(&["case", "delete", &id, "--yes"]);
    assert!(!env.companion_ok(&["case", "list"]).contains(&id));

    let out = env.companion(&["research", "preview"]);
    let (_, stderr) = text(&out);
    assert!(stderr.contains("deleted here"), "{stderr}");
    env.companion_ok(&["research", "send"]);
    assert_eq!(
        env.stored(),
        (sent - 1, 2),
        "the deleted case's record was deleted at the centre"
    );
    drop(centre);
}
