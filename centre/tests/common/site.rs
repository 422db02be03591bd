//! The centre's pages as a browser sees them, through the real router: a
//! centre with a clock the test moves and cheap password hashing, its
//! accounts, and requests with cookies and an `Origin`.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;
use tsunagi_centre::accounts::{Account, LoginName, PasswordHasher, Role};
use tsunagi_centre::server::{Centre, router};
use tsunagi_centre::session::Clock;
use tsunagi_centre::storage::{AccountStore, SqliteDatabase};
use tsunagi_core::seal::DeviceKeys;

use super::{AGENCY, Fixture, reference};

/// The host the requests are sent to, and the origin of its own forms.
pub const HOST: &str = "centre.test:8443";
/// The centre's own origin.
pub const ORIGIN: &str = "https://centre.test:8443";

/// The researcher's login name and password.
pub const RESEARCHER: &str = "tanaka";
/// The password of every account made here.
pub const PASSWORD: &str = "correct horse battery staple";

/// A clock that stands still until the test moves it.
pub struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    /// Moves the clock on by `by`.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("the clock") += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("the clock")
    }
}

/// Argon2id at the lowest costs: the tests check behaviour, not strength.
pub fn cheap_hasher() -> PasswordHasher {
    PasswordHasher::new(argon2::Params::new(8, 1, 1, None).expect("valid costs"))
}

/// A centre on a fixture's database, with a researcher's account.
pub struct Site {
    /// The database folder and the registered agency.
    pub fixture: Fixture,
    /// The clock the centre tells the time by.
    pub clock: Arc<TestClock>,
    /// The running centre.
    pub centre: Arc<Centre>,
}

/// One answer: status, headers and the body as text.
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// Every `Set-Cookie` value.
    pub set_cookies: Vec<String>,
    /// `Location`, if any.
    pub location: Option<String>,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: String,
    /// Every header.
    pub headers: axum::http::HeaderMap,
}

impl Answer {
    async fn from(response: Response<Body>) -> Self {
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header(header::LOCATION);
        let content_type = header(header::CONTENT_TYPE);
        let set_cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ASCII").to_owned())
            .collect();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        Self {
            status,
            set_cookies,
            location,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            headers,
        }
    }

    /// The `Set-Cookie` value that sets `name`, whole.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies
            .iter()
            .map(String::as_str)
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// `name=value` of the cookie the answer sets, as a browser sends it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookie(name)
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
    }

    /// Whether this is 303 to `to`.
    pub fn redirects_to(&self, to: &str) -> bool {
        self.status == StatusCode::SEE_OTHER && self.location.as_deref() == Some(to)
    }

    /// The value of the hidden `csrf` field of the page's form.
    pub fn csrf(&self) -> String {
        self.body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page has a CSRF field")
            .to_owned()
    }
}

impl Site {
    /// A centre with one researcher (`tanaka`), at a fixed time.
    pub fn new() -> Self {
        let fixture = Fixture::new();
        let clock = Arc::new(TestClock(Mutex::new(
            OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("a time"),
        )));
        let centre = Self::start(&fixture, &clock);
        let site = Self {
            fixture,
            clock,
            centre,
        };
        site.add_account(RESEARCHER, Role::Researcher);
        site
    }

    fn start(fixture: &Fixture, clock: &Arc<TestClock>) -> Arc<Centre> {
        let db = SqliteDatabase::open(fixture.dir.path()).expect("opens");
        // Two connections to the board's file, as `serve` opens several.
        let boards = (0..2)
            .map(|_| {
                Box::new(tsunagi_centre::board::open(fixture.dir.path()).expect("the board opens"))
                    as Box<dyn tsunagi_centre::board::Board>
            })
            .collect();
        let clock: Arc<dyn Clock> = Arc::clone(clock) as Arc<dyn Clock>;
        Arc::new(
            Centre::new(DeviceKeys::generate(), Box::new(db), reference())
                .with_clock(clock)
                .with_passwords(cheap_hasher())
                .with_board_connections(boards),
        )
    }

    /// The centre stopped and started again on the same database.
    pub fn restart(&mut self) {
        self.centre = Self::start(&self.fixture, &self.clock);
    }

    /// A second connection to the centre's database, as the command line
    /// opens it.
    pub fn database(&self) -> SqliteDatabase {
        SqliteDatabase::open(self.fixture.dir.path()).expect("opens")
    }

    /// Adds an account with [`PASSWORD`].
    pub fn add_account(&self, login: &str, role: Role) {
        let account = Account {
            login: LoginName::parse(login).expect("a login name"),
            display_name: format!("{login} さん"),
            role,
            disabled: false,
            created_at: tsunagi_core::rfc3339::Timestamp::parse("2027-01-15T09:00:00Z")
                .expect("a time"),
        };
        self.database()
            .add_account(&account, &cheap_hasher().hash(PASSWORD))
            .expect("adds the account");
    }

    /// An agency's account of the fixture's agency.
    pub fn agency_role() -> Role {
        Role::Agency(AGENCY.into())
    }

    /// Sends `request` through the centre's router.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        Answer::from(
            router(Arc::clone(&self.centre))
                .oneshot(request)
                .await
                .expect("the router answers"),
        )
        .await
    }

    /// GET `path` with `cookies` (`name=value` each).
    pub async fn get(&self, path: &str, cookies: &[&str]) -> Answer {
        let mut request = Request::get(path).header(header::HOST, HOST);
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        self.send(request.body(Body::empty()).expect("a request"))
            .await
    }

    /// POST the form `body` to `path` with `cookies`, from `origin` (no
    /// `Origin` header when `None`).
    pub async fn post(
        &self,
        path: &str,
        body: &str,
        cookies: &[&str],
        origin: Option<&str>,
    ) -> Answer {
        let mut request = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        self.send(
            request
                .body(Body::from(body.to_owned()))
                .expect("a request"),
        )
        .await
    }

    /// Opens the login form: its cookie (`name=value`) and CSRF token.
    pub async fn login_form(&self) -> (String, String) {
        let form = self.get("/login", &[]).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let cookie = form
            .cookie("__Host-tsunagi_login")
            .expect("the form sets its cookie");
        (cookie, form.csrf())
    }

    /// Fills in and sends the login form as a browser on the centre's own
    /// page would.
    pub async fn try_login(&self, login: &str, password: &str) -> Answer {
        let (cookie, csrf) = self.login_form().await;
        self.post(
            "/login",
            &form(&[("login", login), ("password", password), ("csrf", &csrf)]),
            &[&cookie],
            Some(ORIGIN),
        )
        .await
    }

    /// Logs in as `login` with [`PASSWORD`]: the session cookie
    /// (`name=value`).
    pub async fn login(&self, login: &str) -> String {
        let answer = self.try_login(login, PASSWORD).await;
        assert!(
            answer.redirects_to("/"),
            "{} {}",
            answer.status,
            answer.body
        );
        answer
            .cookie("__Host-tsunagi_session")
            .expect("a session cookie")
    }
}

/// A form body (`application/x-www-form-urlencoded`).
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
