//! The accounts pages under `/admin`, through the real router: the
//! centre's administrator registers an agency and its first
//! administrator; an agency's administrator adds, disables and enables
//! their own staff and no one else's; other roles never reach the pages;
//! every form needs its CSRF token. And agencies registered without a key:
//! their accounts log in, their batches are refused until the key is
//! added.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tsunagi_centre::accounts::Role;
use tsunagi_centre::storage::{
    AccountStore, Agency, AgencyAdded, DATABASE_FILE, Database, SqliteDatabase, StorageError,
};
use tsunagi_core::research::{Batch, seal_batch};
use tsunagi_core::seal::DeviceKeys;

use common::site::{Answer, ORIGIN, RESEARCHER, Site, form};
use common::{AGENCY, records};

/// The centre's administrator.
const CENTRE_ADMIN: &str = "centre-admin";
/// An administrator of [`AGENCY`].
const AGENCY_ADMIN: &str = "kikan-admin";
/// A staff member of [`AGENCY`].
const STAFF: &str = "kikan-staff";
/// A second agency, with its administrator and a staff member.
const OTHER_AGENCY: &str = "別市就労支援センター";
const OTHER_ADMIN: &str = "betsu-admin";
const OTHER_STAFF: &str = "betsu-staff";
/// The initial password given to accounts made on the pages.
const INITIAL: &str = "initial password 2027";

/// A site with the centre's administrator, and two agencies each with an
/// administrator and a staff member.
fn site() -> Site {
    let site = Site::new();
    site.database()
        .add_agency(&Agency::new(OTHER_AGENCY, DeviceKeys::generate().signer()))
        .expect("registers the second agency");
    site.add_account(CENTRE_ADMIN, Role::Admin);
    site.add_account(AGENCY_ADMIN, Role::AgencyAdmin(AGENCY.into()));
    site.add_account(STAFF, Role::Agency(AGENCY.into()));
    site.add_account(OTHER_ADMIN, Role::AgencyAdmin(OTHER_AGENCY.into()));
    site.add_account(OTHER_STAFF, Role::Agency(OTHER_AGENCY.into()));
    site
}

/// Opens `/admin` as `session` and posts `fields` with the page's CSRF
/// token to `path`, as a browser on the page would.
async fn submit(site: &Site, session: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let page = site.get("/admin", &[session]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let mut fields = fields.to_vec();
    fields.push(("csrf", &csrf));
    site.post(path, &form(&fields), &[session], Some(ORIGIN))
        .await
}

/// Whether the account `login` is disabled, as the database says.
fn disabled(site: &Site, login: &str) -> bool {
    site.database()
        .account(login)
        .expect("reads")
        .expect("the account exists")
        .0
        .disabled
}

#[tokio::test]
async fn the_centre_administrator_adds_an_agency_and_its_first_administrator_who_can_log_in() {
    let site = site();
    let session = site.login(CENTRE_ADMIN).await;
    let page = site.get("/admin", &[&session]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert!(page.body.contains(AGENCY) && page.body.contains(OTHER_AGENCY));
    assert!(
        page.body
            .contains("<label for=\"new-agency\">機関名</label>")
    );
    // The agencies' administrators are listed; their staff only counted.
    assert!(page.body.contains(AGENCY_ADMIN));
    assert!(!page.body.contains(STAFF), "no staff account is listed");

    let answer = submit(
        &site,
        &session,
        "/admin/agencies",
        &[
            ("agency", "北市難病相談支援センター"),
            ("login", "kita-admin"),
            ("display_name", "北 管理者"),
            ("password", INITIAL),
            ("again", INITIAL),
        ],
    )
    .await;
    assert!(
        answer.redirects_to("/admin?done=agency"),
        "{} {}",
        answer.status,
        answer.body
    );
    let mut db = site.database();
    let agency = db
        .all_agencies()
        .expect("reads")
        .into_iter()
        .find(|a| a.name == "北市難病相談支援センター")
        .expect("the agency is registered");
    assert_eq!(agency.signer, None, "registered without a key");
    assert!(
        !db.agencies()
            .expect("reads")
            .iter()
            .any(|a| a.name == agency.name),
        "it is not among the agencies that send batches"
    );
    let (account, _) = db.account("kita-admin").expect("reads").expect("added");
    assert_eq!(
        account.role,
        Role::AgencyAdmin("北市難病相談支援センター".into())
    );
    assert_eq!(account.display_name, "北 管理者");

    let shown = site.get("/admin?done=agency", &[&session]).await;
    assert!(shown.body.contains("機関とその最初の管理者を追加しました"));
    assert!(shown.body.contains("北市難病相談支援センター"));

    // The new administrator logs in with the initial password and sees
    // their (empty) agency.
    let answer = site.try_login("kita-admin", INITIAL).await;
    assert!(answer.redirects_to("/"), "{}", answer.status);
    let cookie = answer.cookie("__Host-tsunagi_session").expect("a session");
    let theirs = site.get("/admin", &[&cookie]).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("機関：北市難病相談支援センター"));
    assert!(!theirs.body.contains(AGENCY_ADMIN));
}

#[tokio::test]
async fn an_agency_name_or_login_already_taken_adds_nothing() {
    let site = site();
    let session = site.login(CENTRE_ADMIN).await;
    let taken_agency = submit(
        &site,
        &session,
        "/admin/agencies",
        &[
            ("agency", OTHER_AGENCY),
            ("login", "new-admin"),
            ("password", INITIAL),
            ("again", INITIAL),
        ],
    )
    .await;
    assert_eq!(taken_agency.status, StatusCode::CONFLICT);
    assert!(
        taken_agency
            .body
            .contains("その名前の機関はすでに登録されています")
    );
    assert!(
        site.database()
            .account("new-admin")
            .expect("reads")
            .is_none()
    );

    let taken_login = submit(
        &site,
        &session,
        "/admin/agencies",
        &[
            ("agency", "南市難病相談支援センター"),
            ("login", STAFF),
            ("password", INITIAL),
            ("again", INITIAL),
        ],
    )
    .await;
    assert_eq!(taken_login.status, StatusCode::CONFLICT);
    assert!(
        taken_login
            .body
            .contains("そのログイン名のアカウントはすでにあります")
    );
    assert!(
        !site
            .database()
            .all_agencies()
            .expect("reads")
            .iter()
            .any(|a| a.name == "南市難病相談支援センター"),
        "the agency is not registered either"
    );
}

#[tokio::test]
async fn the_centre_administrator_adds_an_administrator_to_an_agency_with_a_key() {
    let site = site();
    let session = site.login(CENTRE_ADMIN).await;
    let answer = submit(
        &site,
        &session,
        "/admin/agency-admins",
        &[
            ("agency", AGENCY),
            ("login", "second-admin"),
            ("password", INITIAL),
            ("again", INITIAL),
        ],
    )
    .await;
    assert!(answer.redirects_to("/admin?done=admin"), "{}", answer.body);
    let (account, _) = site
        .database()
        .account("second-admin")
        .expect("reads")
        .expect("added");
    assert_eq!(account.role, Role::AgencyAdmin(AGENCY.into()));
    assert_eq!(
        account.display_name, "second-admin",
        "the login name by default"
    );

    let unknown = submit(
        &site,
        &session,
        "/admin/agency-admins",
        &[
            ("agency", "存在しない機関"),
            ("login", "third-admin"),
            ("password", INITIAL),
            ("again", INITIAL),
        ],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("その機関は登録されていません"));
}

#[tokio::test]
async fn an_agency_administrator_adds_staff_and_disabling_them_ends_their_session() {
    let site = site();
    let admin = site.login(AGENCY_ADMIN).await;
    let page = site.get("/admin", &[&admin]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(STAFF) && page.body.contains(AGENCY_ADMIN));
    assert!(
        page.body
            .contains("<label for=\"staff-login\">ログイン名</label>")
    );

    // The staff account lands in the administrator's own agency, whatever
    // agency the form names.
    let answer = submit(
        &site,
        &admin,
        "/admin/staff",
        &[
            ("agency", OTHER_AGENCY),
            ("login", "aoi"),
            ("display_name", "青井 葵"),
            ("password", INITIAL),
            ("again", INITIAL),
        ],
    )
    .await;
    assert!(answer.redirects_to("/admin?done=staff"), "{}", answer.body);
    let (account, _) = site
        .database()
        .account("aoi")
        .expect("reads")
        .expect("added");
    assert_eq!(account.role, Role::Agency(AGENCY.into()));

    let answer = site.try_login("aoi", INITIAL).await;
    let aoi = answer.cookie("__Host-tsunagi_session").expect("logs in");
    assert_eq!(site.get("/", &[&aoi]).await.status, StatusCode::OK);

    let answer = submit(&site, &admin, "/admin/accounts/aoi/disable", &[]).await;
    assert!(
        answer.redirects_to("/admin?done=disabled"),
        "{}",
        answer.body
    );
    assert!(disabled(&site, "aoi"));
    assert!(
        site.get("/", &[&aoi]).await.redirects_to("/login"),
        "the staff member's session has ended"
    );
    assert_eq!(
        site.try_login("aoi", INITIAL).await.status,
        StatusCode::UNAUTHORIZED
    );
    let page = site.get("/admin?done=disabled", &[&admin]).await;
    assert!(page.body.contains("/admin/accounts/aoi/enable"));

    let answer = submit(&site, &admin, "/admin/accounts/aoi/enable", &[]).await;
    assert!(
        answer.redirects_to("/admin?done=enabled"),
        "{}",
        answer.body
    );
    assert!(!disabled(&site, "aoi"));
    assert!(site.try_login("aoi", INITIAL).await.redirects_to("/"));
}

#[tokio::test]
async fn an_agency_administrator_cannot_see_or_touch_accounts_of_another_agency_or_the_centre() {
    let site = site();
    let admin = site.login(AGENCY_ADMIN).await;
    let page = site.get("/admin", &[&admin]).await;
    for hidden in [
        OTHER_ADMIN,
        OTHER_STAFF,
        OTHER_AGENCY,
        CENTRE_ADMIN,
        RESEARCHER,
    ] {
        assert!(!page.body.contains(hidden), "{hidden} is not shown");
    }
    let missing = submit(&site, &admin, "/admin/accounts/nobody/disable", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for target in [
        OTHER_STAFF,
        OTHER_ADMIN,
        CENTRE_ADMIN,
        RESEARCHER,
        AGENCY_ADMIN,
    ] {
        for action in ["disable", "enable"] {
            let answer = submit(
                &site,
                &admin,
                &format!("/admin/accounts/{target}/{action}"),
                &[],
            )
            .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{target} {action}");
            assert_eq!(answer.body, missing.body, "the same answer as no account");
        }
        assert!(!disabled(&site, target), "{target} is untouched");
    }
    // Nor may they use the centre administrator's forms.
    let answer = submit(
        &site,
        &admin,
        "/admin/agency-admins",
        &[
            ("agency", AGENCY),
            ("login", "promoted"),
            ("password", INITIAL),
            ("again", INITIAL),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        site.database()
            .account("promoted")
            .expect("reads")
            .is_none()
    );
}

#[tokio::test]
async fn the_centre_administrator_disables_an_agency_administrator_but_not_staff_or_the_centre() {
    let site = site();
    let centre = site.login(CENTRE_ADMIN).await;
    let other = site.login(OTHER_ADMIN).await;
    let answer = submit(
        &site,
        &centre,
        &format!("/admin/accounts/{OTHER_ADMIN}/disable"),
        &[],
    )
    .await;
    assert!(
        answer.redirects_to("/admin?done=disabled"),
        "{}",
        answer.body
    );
    assert!(site.get("/admin", &[&other]).await.redirects_to("/login"));
    for target in [OTHER_STAFF, RESEARCHER, CENTRE_ADMIN] {
        let answer = submit(
            &site,
            &centre,
            &format!("/admin/accounts/{target}/disable"),
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{target}");
        assert!(!disabled(&site, target));
    }
}

#[tokio::test]
async fn staff_and_researchers_do_not_reach_the_admin_pages_and_no_one_does_logged_out() {
    let site = site();
    let missing = {
        let admin = site.login(AGENCY_ADMIN).await;
        submit(&site, &admin, "/admin/accounts/nobody/disable", &[]).await
    };
    for login in [STAFF, RESEARCHER] {
        let session = site.login(login).await;
        let front = site.get("/", &[&session]).await;
        assert!(
            !front.body.contains("href=\"/admin\""),
            "no link for {login}"
        );
        let page = site.get("/admin", &[&session]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{login}");
        assert_eq!(page.body, missing.body);
        let csrf = front.csrf();
        for (path, fields) in [
            (
                "/admin/staff",
                vec![
                    ("login", "sneaky"),
                    ("password", INITIAL),
                    ("again", INITIAL),
                ],
            ),
            (
                "/admin/agencies",
                vec![
                    ("agency", "偽の機関"),
                    ("login", "sneaky"),
                    ("password", INITIAL),
                    ("again", INITIAL),
                ],
            ),
            ("/admin/accounts/kikan-staff/disable", vec![]),
        ] {
            let mut fields = fields;
            fields.push(("csrf", &csrf));
            let answer = site
                .post(path, &form(&fields), &[&session], Some(ORIGIN))
                .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{login} {path}");
        }
    }
    assert!(site.database().account("sneaky").expect("reads").is_none());
    assert!(!disabled(&site, STAFF));
    // Administrators have the link.
    let admin = site.login(AGENCY_ADMIN).await;
    assert!(
        site.get("/", &[&admin])
            .await
            .body
            .contains("href=\"/admin\"")
    );
    // Logged out, the pages send to the login.
    assert!(site.get("/admin", &[]).await.redirects_to("/login"));
    let answer = site
        .post(
            "/admin/accounts/kikan-staff/disable",
            "csrf=x",
            &[],
            Some(ORIGIN),
        )
        .await;
    assert!(answer.redirects_to("/login"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_or_from_another_site_is_refused_and_changes_nothing() {
    let site = site();
    let admin = site.login(AGENCY_ADMIN).await;
    let centre = site.login(CENTRE_ADMIN).await;
    let staff = [
        ("login", "forged"),
        ("password", INITIAL),
        ("again", INITIAL),
    ];
    let mut agency = staff.to_vec();
    agency.push(("agency", "偽の機関"));
    for (session, path, fields) in [
        (&admin, "/admin/staff", staff.to_vec()),
        (&admin, "/admin/accounts/kikan-staff/disable", vec![]),
        (&centre, "/admin/agencies", agency.clone()),
        (&centre, "/admin/agency-admins", agency.clone()),
        (&centre, "/admin/accounts/kikan-admin/disable", vec![]),
    ] {
        let none = site
            .post(path, &form(&fields), &[session], Some(ORIGIN))
            .await;
        assert_eq!(none.status, StatusCode::FORBIDDEN, "{path} without a token");
        let mut wrong = fields.clone();
        wrong.push(("csrf", "not-the-token"));
        let answer = site
            .post(path, &form(&wrong), &[session], Some(ORIGIN))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{path} with a wrong one"
        );
        // The right token, from another site.
        let csrf = site.get("/admin", &[session]).await.csrf();
        let mut right = fields.clone();
        right.push(("csrf", &csrf));
        let answer = site
            .post(
                path,
                &form(&right),
                &[session],
                Some("https://evil.example"),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{path} from elsewhere"
        );
    }
    assert!(site.database().account("forged").expect("reads").is_none());
    assert!(!disabled(&site, STAFF) && !disabled(&site, AGENCY_ADMIN));
}

#[tokio::test]
async fn a_new_account_needs_a_good_name_and_the_same_long_password_twice() {
    let site = site();
    let admin = site.login(AGENCY_ADMIN).await;
    for (fields, words) in [
        (
            [
                ("login", "ok-name"),
                ("password", "short pass"),
                ("again", "short pass"),
            ],
            "12文字以上",
        ),
        (
            [
                ("login", "ok-name"),
                ("password", INITIAL),
                ("again", "initial password 2028"),
            ],
            "2回で一致しません",
        ),
        (
            [
                ("login", "has space"),
                ("password", INITIAL),
                ("again", INITIAL),
            ],
            "ログイン名は1〜64文字",
        ),
    ] {
        let answer = submit(&site, &admin, "/admin/staff", &fields).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{words}");
        assert!(answer.body.contains(words), "{words}: {}", answer.body);
        assert!(answer.body.contains("role=\"alert\""));
        assert!(!answer.body.contains(INITIAL), "a password is never shown");
    }
    assert!(site.database().account("ok-name").expect("reads").is_none());
}

#[tokio::test]
async fn a_login_name_with_a_slash_is_disabled_through_its_encoded_address() {
    let site = site();
    site.add_account("kikan/2", Role::Agency(AGENCY.into()));
    let admin = site.login(AGENCY_ADMIN).await;
    let page = site.get("/admin", &[&admin]).await;
    assert!(
        page.body
            .contains("action=\"/admin/accounts/kikan%2F2/disable\"")
    );
    let answer = submit(&site, &admin, "/admin/accounts/kikan%2F2/disable", &[]).await;
    assert!(
        answer.redirects_to("/admin?done=disabled"),
        "{}",
        answer.body
    );
    assert!(disabled(&site, "kikan/2"));
}

/// Posts a batch sealed by `keys` to the site's centre: the status.
async fn send_batch(site: &Site, keys: &DeviceKeys) -> StatusCode {
    let sealed = seal_batch(
        &Batch::new("北市難病相談支援センター", records(1)),
        keys,
        &site.centre.keys.recipient(),
    )
    .expect("seals");
    let request = Request::post("/batches")
        .header("content-type", "application/octet-stream")
        .body(Body::from(sealed))
        .expect("a request");
    site.send(request).await.status
}

#[tokio::test]
async fn an_agency_without_a_key_uses_the_board_but_sends_nothing_until_its_key_is_added() {
    let site = Site::new();
    let mut db = site.database();
    db.add_agency_without_key("北市難病相談支援センター")
        .expect("registers without a key");
    assert!(matches!(
        db.add_agency_without_key("北市難病相談支援センター"),
        Err(StorageError::AgencyExists)
    ));
    site.add_account("kita", Role::Agency("北市難病相談支援センター".into()));
    let session = site.login("kita").await;
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);

    let keys = DeviceKeys::generate();
    assert_eq!(send_batch(&site, &keys).await, StatusCode::FORBIDDEN);
    assert_eq!(db.batch_count().expect("counts"), 0);

    // The key goes to the agency already registered; its accounts stay.
    let added = db
        .add_agency(&Agency::new("北市難病相談支援センター", keys.signer()))
        .expect("adds the key");
    assert_eq!(added, AgencyAdded::KeyAdded);
    assert_eq!(send_batch(&site, &keys).await, StatusCode::OK);
    assert_eq!(db.batch_count().expect("counts"), 1);
    assert_eq!(site.get("/", &[&session]).await.status, StatusCode::OK);

    // A second key for it, or its key for another name, is refused.
    assert!(matches!(
        db.add_agency(&Agency::new(
            "北市難病相談支援センター",
            DeviceKeys::generate().signer()
        )),
        Err(StorageError::AgencyExists)
    ));
    assert!(matches!(
        db.add_agency(&Agency::new("南市", keys.signer())),
        Err(StorageError::AgencyExists)
    ));
    db.add_agency_without_key("南市").expect("registers");
    assert!(matches!(
        db.add_agency(&Agency::new("南市", keys.signer())),
        Err(StorageError::AgencyExists)
    ));
    let south = db
        .all_agencies()
        .expect("reads")
        .into_iter()
        .find(|a| a.name == "南市")
        .expect("listed");
    assert_eq!(south.signer, None, "still without a key");
}

#[tokio::test]
async fn a_database_made_before_agency_administrators_opens_with_its_accounts_and_batches() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let old = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).expect("opens");
    let keys = DeviceKeys::generate();
    // The tables as the centre made them before: agencies keyed by their
    // signing key, roles without agency_admin.
    old.execute_batch(
        "PRAGMA foreign_keys = ON;
         CREATE TABLE agencies (signer TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
             added_at TEXT NOT NULL, revoked_at TEXT) STRICT;
         CREATE TABLE batches (id TEXT PRIMARY KEY, signer TEXT NOT NULL REFERENCES agencies (signer),
             created_at TEXT NOT NULL, ack TEXT NOT NULL) STRICT;
         CREATE TABLE accounts (login TEXT PRIMARY KEY, display_name TEXT NOT NULL,
             role TEXT NOT NULL CHECK (role IN ('researcher', 'agency', 'admin')),
             agency TEXT REFERENCES agencies (name), password_hash TEXT NOT NULL,
             disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
             CHECK ((role = 'agency') = (agency IS NOT NULL))) STRICT;
         CREATE TABLE sessions (id TEXT PRIMARY KEY, login TEXT NOT NULL REFERENCES accounts (login),
             created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL) STRICT;",
    )
    .expect("the old tables");
    old.execute(
        "INSERT INTO agencies VALUES (?1, ?2, '2026-01-01T00:00:00Z', NULL)",
        [keys.signer().to_hex(), AGENCY.to_owned()],
    )
    .expect("an old agency");
    old.execute(
        "INSERT INTO batches VALUES ('b1', ?1, '2026-01-02T00:00:00Z', '{}')",
        [keys.signer().to_hex()],
    )
    .expect("an old batch");
    old.execute(
        "INSERT INTO accounts VALUES ('kikan', 'Kikan', 'agency', ?1, 'hash', 0, '2026-01-01T00:00:00Z')",
        [AGENCY],
    )
    .expect("an old account");
    old.execute("INSERT INTO sessions VALUES ('s1', 'kikan', 1, 1)", [])
        .expect("an old session");
    drop(old);

    let mut db = SqliteDatabase::open(dir.path()).expect("the old database opens");
    assert_eq!(db.agencies().expect("reads")[0].signer, keys.signer());
    assert_eq!(db.batch_count().expect("counts"), 1);
    let (account, _) = db.account("kikan").expect("reads").expect("kept");
    assert_eq!(
        account.role,
        Role::Agency(AGENCY.into()),
        "now a staff account"
    );
    assert!(
        db.session("s1").expect("reads").is_some(),
        "its session stays"
    );
    // What the old tables refused now works.
    db.add_agency_without_key("北市")
        .expect("an agency without a key");
    let admin = tsunagi_centre::accounts::Account {
        role: Role::AgencyAdmin("北市".into()),
        login: tsunagi_centre::accounts::LoginName::parse("kita-admin").expect("a name"),
        ..account
    };
    db.add_account(&admin, "hash")
        .expect("an agency administrator");
    drop(db);
    // And opening it again changes nothing more.
    let mut db = SqliteDatabase::open(dir.path()).expect("opens again");
    assert_eq!(db.accounts().expect("reads").len(), 2);
    assert_eq!(db.all_agencies().expect("reads").len(), 2);
    let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).expect("opens");
    let violations: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("checks");
    assert_eq!(violations, 0);
    let signer_is_key: i64 = conn
        .query_row(
            "SELECT pk FROM pragma_table_info('agencies') WHERE name = 'signer'",
            [],
            |r| r.get(0),
        )
        .expect("reads the table's shape");
    assert_eq!(signer_is_key, 0, "agencies are keyed by name now");
}
