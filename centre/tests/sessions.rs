//! Sessions after the login: logout, disabled accounts, expiry, what the
//! database keeps, and the command line that makes accounts.

mod common;

use std::process::{Command, Stdio};

use axum::http::StatusCode;
use base64::Engine;
use sha2::{Digest, Sha256};
use time::Duration;
use tsunagi_centre::storage::{AccountStore, DATABASE_FILE};

use common::site::{ORIGIN, PASSWORD, RESEARCHER, Site, form};

#[tokio::test]
async fn logging_out_ends_the_session() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let page = site.get("/", &[&session]).await;
    assert_eq!(page.status, StatusCode::OK);
    let answer = site
        .post(
            "/logout",
            &form(&[("csrf", &page.csrf())]),
            &[&session],
            Some(ORIGIN),
        )
        .await;
    assert!(answer.redirects_to("/login"), "{}", answer.status);
    let cleared = answer
        .set_cookie("__Host-tsunagi_session")
        .expect("the cookie is deleted");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // The old cookie, kept by a careless browser, no longer works.
    assert!(site.get("/", &[&session]).await.redirects_to("/login"));
    assert!(
        site.get("/figures/stages.csv", &[&session])
            .await
            .redirects_to("/login")
    );
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);
    // As `account disable` does, on its own connection.
    site.database()
        .disable_account(RESEARCHER)
        .expect("disables");
    assert!(site.get("/", &[&session]).await.redirects_to("/login"));
    // And the right password no longer opens it, with the usual answer.
    let answer = site.try_login(RESEARCHER, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body.contains("ログイン名またはパスワードが違います"));
}

#[tokio::test]
async fn a_session_of_an_account_marked_disabled_is_refused_even_if_its_row_remains() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let conn =
        rusqlite::Connection::open(site.fixture.dir.path().join(DATABASE_FILE)).expect("opens");
    conn.execute("UPDATE accounts SET disabled = 1", [])
        .expect("marks the account");
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .expect("counts");
    assert_eq!(rows, 1, "the session's row is still there");
    assert!(site.get("/", &[&session]).await.redirects_to("/login"));
    assert!(
        site.get("/figures/outcomes.csv", &[&session])
            .await
            .redirects_to("/login")
    );
}

#[tokio::test]
async fn a_session_ends_after_eight_idle_hours() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    site.clock
        .advance(Duration::hours(8) - Duration::seconds(1));
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);
    // That request counts as use: another almost-eight hours are fine.
    site.clock
        .advance(Duration::hours(8) - Duration::seconds(1));
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);
    site.clock.advance(Duration::hours(8));
    assert!(site.get("/", &[&session]).await.redirects_to("/login"));
}

#[tokio::test]
async fn a_sessions_last_use_is_written_at_most_once_a_minute() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let last_seen = || {
        let conn =
            rusqlite::Connection::open(site.fixture.dir.path().join(DATABASE_FILE)).expect("opens");
        conn.query_row("SELECT last_seen_at FROM sessions", [], |r| {
            r.get::<_, i64>(0)
        })
        .expect("the session's row")
    };
    let at_login = last_seen();
    site.clock.advance(Duration::seconds(59));
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);
    assert_eq!(last_seen(), at_login, "not written within the minute");
    site.clock.advance(Duration::seconds(1));
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);
    assert_eq!(last_seen(), at_login + 60, "written once the minute is up");
}

#[tokio::test]
async fn a_session_ends_seven_days_after_the_login_however_much_it_is_used() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let mut used = Duration::ZERO;
    while used < Duration::days(7) - Duration::hours(6) {
        site.clock.advance(Duration::hours(6));
        used += Duration::hours(6);
        assert_eq!(
            site.get("/", &[&session]).await.status,
            StatusCode::OK,
            "{used}"
        );
    }
    site.clock.advance(Duration::days(7) - used);
    assert!(site.get("/", &[&session]).await.redirects_to("/login"));
    // A new login gives a new week.
    let again = site.login(RESEARCHER).await;
    assert_eq!(site.get("/", &[&again]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_database_keeps_a_hash_of_the_session_token_never_the_token() {
    let site = Site::new();
    let session = site.login(RESEARCHER).await;
    let value = session.split_once('=').expect("name=value").1.to_owned();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&value)
        .expect("base64url");
    assert_eq!(raw.len(), 32);

    let conn =
        rusqlite::Connection::open(site.fixture.dir.path().join(DATABASE_FILE)).expect("opens");
    let (id, login): (String, String) = conn
        .query_row("SELECT id, login FROM sessions", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("one session");
    assert_eq!(id, hex::encode(Sha256::digest(&raw)));
    assert_eq!(login, RESEARCHER);
    drop(conn);

    // No file of the data folder (database, journal) holds the token, in
    // its cookie form or as raw bytes.
    for entry in std::fs::read_dir(site.fixture.dir.path()).expect("lists") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("reads");
        for needle in [value.as_bytes(), &raw[..]] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds the session token",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn a_password_is_stored_as_an_argon2id_phc_string() {
    let site = Site::new();
    let conn =
        rusqlite::Connection::open(site.fixture.dir.path().join(DATABASE_FILE)).expect("opens");
    let hash: String = conn
        .query_row(
            "SELECT password_hash FROM accounts WHERE login = ?1",
            [RESEARCHER],
            |r| r.get(0),
        )
        .expect("the account");
    let parsed = argon2::password_hash::PasswordHash::new(&hash).expect("a PHC string");
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    assert_eq!(parsed.version, Some(19));
    assert!(parsed.salt.is_some() && parsed.hash.is_some());
    assert!(!hash.contains(PASSWORD));
}

/// Runs the centre's command line on the site's data folder with `stdin`.
fn centre(site: &Site, args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsunagi-centre"))
        .arg("--data-dir")
        .arg(site.fixture.dir.path())
        .args(args)
        .env_remove("TSUNAGI_CENTRE_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs tsunagi-centre");
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes());
    // A command that ends before it reads its input (a refusal) closes it
    // first: what it said is checked below.
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writes the password: {e}"
        );
    }
    let out = child.wait_with_output().expect("ends");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_adds_lists_disables_enables_and_resets_accounts() {
    let site = Site::new();
    let password = "a long enough password\n";

    let (ok, _, err) = centre(
        &site,
        &["account", "add", "yamada", "--role", "researcher"],
        "eleven char\n",
    );
    assert!(!ok);
    assert!(
        err.contains("12文字以上") && err.contains("at least 12 characters"),
        "{err}"
    );

    let (ok, _, err) = centre(
        &site,
        &["account", "add", "kikan", "--role", "agency"],
        password,
    );
    assert!(!ok);
    assert!(err.contains("--agency"), "{err}");
    let (ok, _, err) = centre(
        &site,
        &[
            "account",
            "add",
            "kikan",
            "--role",
            "agency",
            "--agency",
            "どこにもない機関",
        ],
        password,
    );
    assert!(!ok);
    assert!(err.contains("no agency is registered"), "{err}");

    let (ok, out, err) = centre(
        &site,
        &[
            "account",
            "add",
            "yamada",
            "--role",
            "researcher",
            "--display-name",
            "山田 研究員",
        ],
        password,
    );
    assert!(ok, "{err}");
    assert!(out.contains("yamada"), "{out}");
    let (ok, _, err) = centre(
        &site,
        &[
            "account",
            "add",
            "kikan",
            "--role",
            "agency",
            "--agency",
            common::AGENCY,
        ],
        password,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = centre(
        &site,
        &["account", "add", "yamada", "--role", "admin"],
        password,
    );
    assert!(!ok, "a login name is taken once");
    assert!(err.contains("exists already"), "{err}");

    // The account logs in with that password (hashed at the standard costs).
    let (cookie, csrf) = site.login_form().await;
    let body = form(&[
        ("login", "yamada"),
        ("password", "a long enough password"),
        ("csrf", &csrf),
    ]);
    let answer = site.post("/login", &body, &[&cookie], Some(ORIGIN)).await;
    assert!(
        answer.redirects_to("/"),
        "{} {}",
        answer.status,
        answer.body
    );
    let session = answer.cookie("__Host-tsunagi_session").expect("a session");
    assert!(
        site.get("/", &[&session])
            .await
            .body
            .contains("山田 研究員")
    );

    let (ok, list, _) = centre(&site, &["account", "list"], "");
    assert!(ok);
    assert!(list.contains("yamada\t山田 研究員\tresearcher"), "{list}");
    assert!(
        list.contains(&format!("kikan\tkikan\tagency {}", common::AGENCY)),
        "{list}"
    );
    assert!(!list.contains("disabled"), "{list}");
    assert!(!list.contains("argon2"), "no hash is listed: {list}");

    let (ok, _, err) = centre(&site, &["account", "disable", "yamada"], "");
    assert!(ok, "{err}");
    let (_, list, _) = centre(&site, &["account", "list"], "");
    assert!(
        list.lines()
            .any(|l| l.starts_with("yamada\t") && l.ends_with("\tdisabled")),
        "{list}"
    );
    assert!(site.get("/", &[&session]).await.redirects_to("/login"));
    let (ok, _, err) = centre(&site, &["account", "disable", "nobody"], "");
    assert!(!ok);
    assert!(err.contains("no account"), "{err}");

    // Enabled again, it logs in with the password it had; a password set
    // from the command line replaces it and ends its sessions.
    let (ok, _, err) = centre(&site, &["account", "enable", "yamada"], "");
    assert!(ok, "{err}");
    let again = site.try_login("yamada", "a long enough password").await;
    assert!(again.redirects_to("/"), "{}", again.status);
    let session = again.cookie("__Host-tsunagi_session").expect("a session");
    let (ok, _, err) = centre(
        &site,
        &["account", "password", "yamada"],
        "another long password\n",
    );
    assert!(ok, "{err}");
    assert!(site.get("/", &[&session]).await.redirects_to("/login"));
    let old = site.try_login("yamada", "a long enough password").await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = site.try_login("yamada", "another long password").await;
    assert!(new.redirects_to("/"), "{}", new.status);
    let (ok, _, err) = centre(&site, &["account", "enable", "nobody"], "");
    assert!(!ok);
    assert!(err.contains("no account"), "{err}");
}
