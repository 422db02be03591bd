//! The board's agencies and accounts set up with the real `tsunagi-centre`
//! binary: `board agency add` (no key), `board user add … --role admin`
//! with the password from `TSUNAGI_PASSWORD`, staff with the password on
//! standard input, the agency administrator logging in over HTTPS and
//! reaching `/admin`, `board user disable`, and the key added later with
//! `agency add --key`; `board category add|list` and the new category on
//! the pages — on SQLite and on a real PostgreSQL server, and on a
//! PostgreSQL database made before agency administrators existed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tsunagi_centre::accounts::PasswordHasher;
use tsunagi_core::link::Fingerprint;
use tsunagi_core::seal::DeviceKeys;
use tsunagi_tests::{Serve, postgres::Postgres};

/// The agency registered for the board.
const AGENCY: &str = "北市難病相談支援センター";
/// Its administrator, made with the password in `TSUNAGI_PASSWORD`.
const ADMIN: &str = "kita-admin";
const ADMIN_NAME: &str = "北 管理者";
const ADMIN_PASSWORD: &str = "board-admin-password-2027";
/// Its staff member, made with the password on standard input.
const STAFF: &str = "kita-staff";
const STAFF_PASSWORD: &str = "board-staff-password-2027";

/// A centre's data folder and, if given, its PostgreSQL database.
struct Centre {
    root: tempfile::TempDir,
    database: Option<String>,
}

impl Centre {
    fn new(database: Option<String>) -> Self {
        let centre = Self {
            root: tempfile::tempdir().expect("a temporary folder"),
            database,
        };
        centre.ok(&["init"], None, None);
        centre
    }

    fn dir(&self) -> PathBuf {
        self.root.path().join("centre")
    }

    /// `tsunagi-centre --data-dir … ARGS`, with `TSUNAGI_PASSWORD` set to
    /// `password` (or unset) and `input` on standard input; its output.
    fn run(&self, args: &[&str], password: Option<&str>, input: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_centre"));
        cmd.arg("--data-dir").arg(self.dir()).args(args);
        match &self.database {
            Some(url) => cmd.env("TSUNAGI_CENTRE_DATABASE", url),
            None => cmd.env_remove("TSUNAGI_CENTRE_DATABASE"),
        };
        match password {
            Some(p) => cmd.env("TSUNAGI_PASSWORD", p),
            None => cmd.env_remove("TSUNAGI_PASSWORD"),
        };
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs the centre");
        let mut stdin = child.stdin.take().expect("piped");
        if let Some(input) = input {
            stdin.write_all(input.as_bytes()).expect("writes");
        }
        drop(stdin);
        child.wait_with_output().expect("the centre ends")
    }

    /// As [`Centre::run`]; it must succeed. Its standard output.
    fn ok(&self, args: &[&str], password: Option<&str>, input: Option<&str>) -> String {
        let out = self.run(args, password, input);
        assert!(
            out.status.success(),
            "centre {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// As [`Centre::run`]; it must fail. Its standard error.
    fn fails(&self, args: &[&str], password: Option<&str>) -> String {
        let out = self.run(args, password, None);
        assert!(!out.status.success(), "centre {args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn serve(&self) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_centre"));
        cmd.arg("--data-dir")
            .arg(self.dir())
            .args(["serve", "--listen", "127.0.0.1:0"]);
        match &self.database {
            Some(url) => cmd.env("TSUNAGI_CENTRE_DATABASE", url),
            None => cmd.env_remove("TSUNAGI_CENTRE_DATABASE"),
        };
        Serve::start(cmd)
    }

    fn fingerprint(&self) -> Fingerprint {
        tsunagi_centre::identity::CentreIdentity::load(&self.dir())
            .expect("the identity loads")
            .fingerprint()
    }

    /// A new agency key in a file, as `tsunagi-companion research key`
    /// writes it.
    fn key_file(&self) -> String {
        let path = self.root.path().join("agency.key");
        std::fs::write(&path, DeviceKeys::generate().signer().to_hex()).expect("writes the key");
        path.display().to_string()
    }
}

/// One answer over HTTPS.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
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
        self.body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page has a CSRF field")
            .to_owned()
    }
}

/// GET (no `body`) or POST a form over HTTPS to the centre at `addr`,
/// pinning its certificate, as a browser on its own page would; following
/// no redirect.
fn request(
    fingerprint: Fingerprint,
    addr: &str,
    path: &str,
    body: Option<String>,
    cookie: &str,
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
    let url = format!("https://{addr}{path}");
    runtime.block_on(async {
        let mut request = match body {
            Some(body) => client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", format!("https://{addr}"))
                .body(body),
            None => client.get(&url),
        };
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.expect("the centre answers");
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.expect("a body"),
        }
    })
}

/// Logs `login` in with `password` on the login page; the session cookie.
fn log_in(fingerprint: Fingerprint, addr: &str, login: &str, password: &str) -> String {
    let form = request(fingerprint, addr, "/login", None, "");
    assert_eq!(form.status, 200);
    let cookie = form
        .cookie("__Host-tsunagi_login")
        .expect("the form's cookie");
    // No character of these names and passwords needs encoding.
    let body = format!("login={login}&password={password}&csrf={}", form.csrf());
    let answer = request(fingerprint, addr, "/login", Some(body), &cookie);
    assert_eq!(answer.status, 303, "{login} logs in: {}", answer.body);
    answer
        .cookie("__Host-tsunagi_session")
        .expect("a session cookie")
}

/// Sets up the board's agency and accounts with the binary, logs the
/// agency's administrator in, and adds the agency's key.
fn board_accounts_are_set_up_from_the_command_line(centre: &Centre) {
    let added = centre.ok(&["board", "agency", "add", AGENCY], None, None);
    assert!(added.contains("without a key"), "{added}");
    let again = centre.fails(&["board", "agency", "add", AGENCY], None);
    assert!(again.contains("registered already"), "{again}");
    let listed = centre.ok(&["board", "agency", "list"], None, None);
    assert!(
        listed.contains(&format!(
            "{AGENCY}\tno key (board only)\t0 administrator(s), 0 staff"
        )),
        "{listed}"
    );

    // A user's agency must exist; the password must be long enough; one
    // kind of account at a time.
    let unknown = centre.fails(
        &[
            "board",
            "user",
            "add",
            ADMIN,
            "--agency",
            "存在しない機関",
            "--role",
            "admin",
        ],
        Some(ADMIN_PASSWORD),
    );
    assert!(
        unknown.contains("no agency is registered under the name"),
        "{unknown}"
    );
    let short = centre.fails(
        &[
            "board", "user", "add", ADMIN, "--agency", AGENCY, "--role", "admin",
        ],
        Some("too short"),
    );
    assert!(short.contains("at least 12 characters"), "{short}");
    let both = centre.fails(
        &[
            "board",
            "user",
            "add",
            ADMIN,
            "--agency",
            AGENCY,
            "--role",
            "admin",
            "--researcher",
        ],
        Some(ADMIN_PASSWORD),
    );
    assert!(both.contains("cannot be used with"), "{both}");
    let no_role = centre.fails(
        &["board", "user", "add", ADMIN, "--agency", AGENCY],
        Some(ADMIN_PASSWORD),
    );
    assert!(no_role.contains("--role"), "{no_role}");

    let out = centre.ok(
        &[
            "board",
            "user",
            "add",
            ADMIN,
            "--agency",
            AGENCY,
            "--role",
            "admin",
            "--display-name",
            ADMIN_NAME,
        ],
        Some(ADMIN_PASSWORD),
        None,
    );
    assert!(out.contains(&format!("agency-admin {AGENCY}")), "{out}");
    assert!(!out.contains(ADMIN_PASSWORD));
    centre.ok(
        &[
            "board", "user", "add", STAFF, "--agency", AGENCY, "--role", "staff",
        ],
        None,
        Some(&format!("{STAFF_PASSWORD}\n")),
    );
    centre.ok(
        &["board", "user", "add", "kenkyu", "--researcher"],
        Some("researcher-password-2027"),
        None,
    );
    let users = centre.ok(&["board", "user", "list"], None, None);
    assert!(
        users.contains(&format!("{ADMIN}\t{ADMIN_NAME}\tagency-admin {AGENCY}\t")),
        "{users}"
    );
    assert!(users.contains(&format!("{STAFF}\t{STAFF}\tagency-staff {AGENCY}\t")));
    assert!(users.contains("kenkyu\tkenkyu\tresearcher\t"));
    let listed = centre.ok(&["board", "agency", "list"], None, None);
    assert!(listed.contains("1 administrator(s), 1 staff"), "{listed}");

    let serve = centre.serve();
    let fingerprint = centre.fingerprint();
    let admin = log_in(fingerprint, &serve.addr, ADMIN, ADMIN_PASSWORD);
    let page = request(fingerprint, &serve.addr, "/admin", None, &admin);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&format!("機関：{AGENCY}")));
    assert!(page.body.contains(STAFF), "the agency's staff are listed");
    assert!(
        !page.body.contains("kenkyu"),
        "the centre's accounts are not"
    );

    // Disabled on the command line, the staff member's session ends.
    let staff = log_in(fingerprint, &serve.addr, STAFF, STAFF_PASSWORD);
    assert_eq!(
        request(fingerprint, &serve.addr, "/", None, &staff).status,
        200
    );
    centre.ok(&["board", "user", "disable", STAFF], None, None);
    assert_eq!(
        request(fingerprint, &serve.addr, "/", None, &staff).status,
        303
    );
    assert!(
        centre
            .ok(&["board", "user", "list"], None, None)
            .lines()
            .any(|l| l.starts_with(STAFF) && l.ends_with("\tdisabled"))
    );
    // Re-enabled on the agency administrator's page.
    let csrf = request(fingerprint, &serve.addr, "/admin", None, &admin).csrf();
    let answer = request(
        fingerprint,
        &serve.addr,
        &format!("/admin/accounts/{STAFF}/enable"),
        Some(format!("csrf={csrf}")),
        &admin,
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    log_in(fingerprint, &serve.addr, STAFF, STAFF_PASSWORD);
    drop(serve);

    // The key is added to the agency registered for the board.
    let key = centre.key_file();
    let out = centre.ok(&["agency", "add", AGENCY, "--key", &key], None, None);
    assert!(out.contains("added the key"), "{out}");
    let listed = centre.ok(&["agency", "list"], None, None);
    assert!(!listed.contains("no key"), "{listed}");
    let second = centre.fails(&["agency", "add", AGENCY, "--key", &key], None);
    assert!(second.contains("registered already"), "{second}");
}

#[test]
fn board_accounts_are_set_up_from_the_command_line_on_sqlite() {
    board_accounts_are_set_up_from_the_command_line(&Centre::new(None));
}

#[test]
fn board_accounts_are_set_up_from_the_command_line_on_postgresql() {
    let postgres = Postgres::start();
    let centre = Centre::new(Some(postgres.url()));
    board_accounts_are_set_up_from_the_command_line(&centre);
    assert!(!centre.dir().join("centre.sqlite").exists());
    let dump = postgres.dump();
    assert!(dump.contains(ADMIN) && dump.contains("agency_admin"));
    assert!(
        !dump.contains(ADMIN_PASSWORD),
        "only the password's hash is kept"
    );
}

/// Adds a category with the binary, refuses a taken or malformed one,
/// and files a post under the new one on the pages.
fn board_categories_are_added_from_the_command_line(centre: &Centre) {
    fn add<'a>(code: &'a str, ja: &'a str, en: &'a str) -> [&'a str; 8] {
        ["board", "category", "add", code, "--ja", ja, "--en", en]
    }
    let added = centre.ok(
        &add("equipment", "就労支援機器", "Assistive equipment"),
        None,
        None,
    );
    assert!(added.contains("added the category equipment"), "{added}");
    let again = centre.fails(&add("equipment", "機器", "Equipment"), None);
    assert!(again.contains("すでにあります"), "{again}");
    let malformed = centre.fails(&add("機器", "機器", "Equipment"), None);
    assert!(malformed.contains("カテゴリのコード"), "{malformed}");
    let listed = centre.ok(&["board", "category", "list"], None, None);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 8, "{listed}");
    assert_eq!(lines[0], "project\tプロジェクト進行\tProject progress");
    assert_eq!(lines[7], "equipment\t就労支援機器\tAssistive equipment");

    centre.ok(
        &["board", "user", "add", "kenkyu", "--researcher"],
        Some(ADMIN_PASSWORD),
        None,
    );
    let serve = centre.serve();
    let fingerprint = centre.fingerprint();
    let session = log_in(fingerprint, &serve.addr, "kenkyu", ADMIN_PASSWORD);
    let form = request(fingerprint, &serve.addr, "/board/new", None, &session);
    assert!(
        form.body
            .contains("<option value=\"equipment\">就労支援機器 (Assistive equipment)</option>"),
        "the new-post form offers the new category"
    );
    let body = format!(
        "csrf={}&title=equipment-loan&category=equipment&kind=information&body=loan&visibility=all",
        form.csrf()
    );
    let posted = request(
        fingerprint,
        &serve.addr,
        "/board/posts",
        Some(body),
        &session,
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let list = request(
        fingerprint,
        &serve.addr,
        "/board?category=equipment",
        None,
        &session,
    );
    assert!(
        list.body
            .contains("<option value=\"equipment\" selected>就労支援機器</option>"),
        "the list's filter offers and keeps the new category"
    );
    assert!(list.body.contains("equipment-loan"));
    let other = request(
        fingerprint,
        &serve.addr,
        "/board?category=project",
        None,
        &session,
    );
    assert!(!other.body.contains("equipment-loan"));
}

#[test]
fn board_categories_are_added_from_the_command_line_on_sqlite() {
    board_categories_are_added_from_the_command_line(&Centre::new(None));
}

#[test]
fn board_categories_are_added_from_the_command_line_on_postgresql() {
    let postgres = Postgres::start();
    board_categories_are_added_from_the_command_line(&Centre::new(Some(postgres.url())));
}

/// `psql` of the newest installed PostgreSQL, as `Postgres` finds its
/// server.
fn psql() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin").join("psql")))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().expect("psql is installed")
}

/// Runs `sql` on the database at `url`, stopping at the first error.
fn run_sql(url: &str, sql: &str) {
    let out = Command::new(psql())
        .args(["-v", "ON_ERROR_STOP=1", "-q", url, "-c", sql])
        .current_dir(Path::new("/"))
        .output()
        .expect("runs psql");
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_postgresql_database_made_before_agency_administrators_keeps_its_agencies_and_accounts() {
    let postgres = Postgres::start();
    let url = postgres.url();
    let old_agency = "架空市難病相談支援センター";
    let signer = DeviceKeys::generate().signer().to_hex();
    let old_password = "an-old-researcher-password";
    let hash = PasswordHasher::standard().hash(old_password);
    // The tables as the centre made them before: agencies keyed by their
    // signing key, the roles' CHECKs unnamed and without agency_admin.
    run_sql(
        &url,
        &format!(
            "CREATE TABLE agencies (signer TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                 added_at TEXT NOT NULL, revoked_at TEXT);
             CREATE TABLE batches (id TEXT PRIMARY KEY, signer TEXT NOT NULL REFERENCES agencies (signer),
                 created_at TEXT NOT NULL, ack TEXT NOT NULL);
             CREATE TABLE records (signer TEXT NOT NULL REFERENCES agencies (signer),
                 pseudonym TEXT NOT NULL, batch_id TEXT NOT NULL REFERENCES batches (id),
                 created_at TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (signer, pseudonym));
             CREATE TABLE withdrawals (signer TEXT NOT NULL REFERENCES agencies (signer),
                 pseudonym TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (signer, pseudonym));
             CREATE TABLE accounts (login TEXT PRIMARY KEY, display_name TEXT NOT NULL,
                 role TEXT NOT NULL CHECK (role IN ('researcher', 'agency', 'admin')),
                 agency TEXT REFERENCES agencies (name), password_hash TEXT NOT NULL,
                 disabled BOOLEAN NOT NULL DEFAULT FALSE, created_at TEXT NOT NULL,
                 CHECK ((role = 'agency') = (agency IS NOT NULL)));
             INSERT INTO agencies VALUES ('{signer}', '{old_agency}', '2026-01-01T00:00:00Z', NULL);
             INSERT INTO batches VALUES ('b1', '{signer}', '2026-01-02T00:00:00Z', '{{}}');
             INSERT INTO accounts VALUES ('kenkyu', '研究 花子', 'researcher', NULL, '{hash}', FALSE,
                 '2026-01-01T00:00:00Z');
             INSERT INTO accounts VALUES ('kikan', 'Kikan', 'agency', '{old_agency}', '{hash}', FALSE,
                 '2026-01-01T00:00:00Z');"
        ),
    );
    let centre = Centre::new(Some(url.clone()));
    let listed = centre.ok(&["agency", "list"], None, None);
    assert!(
        listed.contains(&format!("{old_agency}\t{signer}")),
        "{listed}"
    );
    centre.ok(&["board", "agency", "add", AGENCY], None, None);
    centre.ok(
        &[
            "board", "user", "add", ADMIN, "--agency", AGENCY, "--role", "admin",
        ],
        Some(ADMIN_PASSWORD),
        None,
    );
    centre.ok(
        &[
            "board",
            "user",
            "add",
            "kikan-admin",
            "--agency",
            old_agency,
            "--role",
            "admin",
        ],
        Some(ADMIN_PASSWORD),
        None,
    );
    let users = centre.ok(&["board", "user", "list"], None, None);
    assert!(
        users.contains(&format!("kikan\tKikan\tagency-staff {old_agency}")),
        "{users}"
    );
    // The old batch still belongs to its agency.
    let mut db = tsunagi_centre::storage::open(&centre.dir(), Some(&url)).expect("opens");
    assert_eq!(db.batch_count().expect("counts"), 1);
    drop(db);

    let serve = centre.serve();
    let fingerprint = centre.fingerprint();
    log_in(fingerprint, &serve.addr, "kenkyu", old_password);
    let admin = log_in(fingerprint, &serve.addr, "kikan-admin", ADMIN_PASSWORD);
    let page = request(fingerprint, &serve.addr, "/admin", None, &admin);
    assert!(
        page.body.contains(">kikan<"),
        "the old staff account is the new administrator's"
    );
    log_in(fingerprint, &serve.addr, ADMIN, ADMIN_PASSWORD);
}
