//! The centre's HTTPS service (axum over rustls): `POST /batches` takes a
//! sealed batch, `/` shows the figures, `/figures/NAME.csv` gives each table
//! as CSV and `/figures/NAME.svg` draws it, `/fonts/…` the Japanese font
//! the pages use, `/login` and `/logout` start and end a session
//! ([`crate::pages`]), `/api/…` is the board's JSON API ([`crate::board`],
//! `docs/board.md`).
//!
//! The figures page, the CSV files and the charts are shown only to a
//! logged-in account: without a valid session they answer 303 to `/login`
//! (a CSV link followed in a browser lands on the login page, as the page
//! does).
//! The fonts stay public. Intake is unchanged: a batch proves itself by
//! its signature, not by a login, and takes no cookie, CSRF token or
//! `Origin` check.
//!
//! Refusals are one plain line with a 4xx status; nothing of a refused batch
//! is stored. The log (stderr) says what was refused and why, never a
//! record's content.
//!
//! Limits, so that one client cannot take the centre's memory or threads:
//! a request body of at most [`MAX_BODY`] (413 beyond it, before anything is
//! opened); at most [`INTAKE_AT_ONCE`] batches read, opened and stored at
//! once, a turn being taken **before** the body is read, so that memory is
//! bounded by `INTAKE_AT_ONCE × MAX_BODY` plus what opening needs; a batch
//! that waits more than [`INTAKE_QUEUE_WAIT`] for its turn, or takes more
//! than [`INTAKE_TIMEOUT`] to arrive and be stored, is answered 503 (the
//! companion keeps it and tries again); pages take at most
//! [`PAGE_TIMEOUT`]; headers must arrive within [`HEADER_TIMEOUT`] and the
//! TLS handshake within 10 s. Opening a batch (decryption, signature,
//! parsing) and every database call run on blocking threads, never on the
//! runtime's workers.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{ResearchError, open_batch};
use tsunagi_core::seal::{DeviceKeys, SealError};

use crate::accounts::PasswordHasher;
use crate::board::call::BoardPool;
use crate::board::{self, Board};
use crate::figures;
use crate::identity::CentreIdentity;
use crate::pages::{self, SignedIn};
use crate::session::{Clock, SystemClock};
use crate::storage::{Ack, Database, StorageError};

/// The largest request body accepted (a sealed batch), 16 MiB.
///
/// A progress record is about 1 KB of JSON for a case with programmes,
/// reviews and a hire (the fullest demo case: 1 000 bytes), and sealing
/// adds under 0.1 %. An agency sends its whole caseload in one batch; a
/// 難病相談支援センター follows hundreds of cases, a large one a few
/// thousand, so 10 000 full records (about 10 MB; the test
/// `a_batch_of_ten_thousand_full_records_fits_the_body_limit`) is well
/// above any real batch and fits with room for longer records. A larger
/// body is refused with 413 and never buffered past the limit; today's
/// 64 MiB would let any client make the centre hold 64 MiB per request.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// How many batches are read, opened and stored at once. Agencies send
/// rarely (a batch a month each), so two is plenty, and it bounds the
/// memory intake can take.
pub const INTAKE_AT_ONCE: usize = 2;

/// How long a batch waits for its turn before the sender is told to try
/// again later (503).
pub const INTAKE_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// The longest a batch may take from its turn to its answer: reading a
/// full [`MAX_BODY`] at about 1.2 Mbit/s, opening and storing it. The
/// companion's own timeout is the same.
pub const INTAKE_TIMEOUT: Duration = Duration::from_secs(120);

/// The longest a figures page, a CSV file or a font may take.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest a request's headers may take to arrive.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(20);

/// How many passwords are checked at once. A check takes Argon2id's memory
/// (19 MiB) and about 30 ms of a core; two at once bound what a flood of
/// login attempts can take.
pub const LOGINS_AT_ONCE: usize = 2;

/// How long a login waits for its turn before it is told to try again
/// (503).
pub const LOGIN_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// The largest form accepted (the login and logout forms): 16 KiB.
pub const MAX_FORM: usize = 16 * 1024;

/// What the handlers share.
pub struct Centre {
    /// The centre's keys.
    pub keys: DeviceKeys,
    /// The storage; one writer at a time.
    pub db: Mutex<Box<dyn Database>>,
    /// Disease group names for the figures.
    pub reference: ReferenceDb,
    /// Turns for intake ([`INTAKE_AT_ONCE`]).
    intake: Semaphore,
    /// Turns for password checks ([`LOGINS_AT_ONCE`]).
    pub(crate) logins: Semaphore,
    /// What tells the time for sessions and failed logins.
    pub(crate) clock: Arc<dyn Clock>,
    /// Hashes and checks passwords.
    pub(crate) passwords: PasswordHasher,
    /// The board's connections ([`crate::board`]), each used by one caller
    /// at a time. `None` until [`Centre::with_board`]: the `/api` routes
    /// then answer 503.
    pub(crate) board: Option<BoardPool>,
    /// The figures as last shown, for every viewer until the data changes.
    figures: figures::cache::FiguresCache,
}

impl Centre {
    /// The centre with its keys, its database and the disease reference;
    /// the system clock and [`PasswordHasher::standard`].
    pub fn new(keys: DeviceKeys, db: Box<dyn Database>, reference: ReferenceDb) -> Self {
        Self {
            keys,
            db: Mutex::new(db),
            reference,
            intake: Semaphore::new(INTAKE_AT_ONCE),
            logins: Semaphore::new(LOGINS_AT_ONCE),
            clock: Arc::new(SystemClock),
            passwords: PasswordHasher::standard(),
            board: None,
            figures: figures::cache::FiguresCache::default(),
        }
    }

    /// The same centre serving `board` under `/api` ([`crate::board::open`]
    /// opens the one in the data folder).
    pub fn with_board(self, board: impl Board + 'static) -> Self {
        self.with_board_box(Box::new(board))
    }

    /// The same centre serving `board`, whichever database keeps it
    /// ([`crate::board::open_backend`]), on that one connection.
    pub fn with_board_box(self, board: Box<dyn Board>) -> Self {
        self.with_board_connections(vec![board])
    }

    /// The same centre serving the board on `connections` (at least one),
    /// each opened by [`crate::board::open_backend`] on the same database,
    /// so that readers are answered side by side.
    pub fn with_board_connections(mut self, connections: Vec<Box<dyn Board>>) -> Self {
        self.board = Some(BoardPool::new(connections));
        self
    }

    /// The same centre telling the time by `clock` (tests move it to see
    /// sessions and locks expire).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same centre checking passwords with `passwords` (tests use low
    /// costs). It must be the hasher the accounts' hashes were made with,
    /// or a known name's check takes a different time from an unknown
    /// one's.
    pub fn with_passwords(mut self, passwords: PasswordHasher) -> Self {
        self.passwords = passwords;
        self
    }
}

impl std::fmt::Debug for Centre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Centre").finish_non_exhaustive()
    }
}

pub(crate) type Shared = Arc<Centre>;

/// The routes, with the limits in the module docs.
pub fn router(centre: Shared) -> Router {
    let intake_route = Router::new()
        .route("/batches", post(intake))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&centre),
            intake_turn,
        ));
    Router::new()
        .route("/", get(index))
        .route("/figures/{file}", get(figure_file))
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&centre),
            pages::require_login,
        ))
        .merge(pages::login_routes())
        .merge(pages::password_routes())
        .merge(pages::people_routes())
        .route("/fonts/{file}", get(font))
        .route("/style.css", get(style))
        .layer(middleware::from_fn(pages::same_origin_posts))
        .layer(DefaultBodyLimit::max(MAX_FORM))
        .layer(middleware::from_fn(page_time))
        .merge(intake_route)
        .merge(board::api::routes(Arc::clone(&centre)))
        .merge(board::pages::routes(Arc::clone(&centre)))
        .layer(middleware::from_fn(crate::headers::security))
        .with_state(centre)
}

/// 503 with a hint to come back: the sender keeps the batch and retries.
pub(crate) fn busy(text: &str) -> Response {
    let mut response = plain(StatusCode::SERVICE_UNAVAILABLE, text);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
    response
}

/// Takes one of the [`INTAKE_AT_ONCE`] turns before the body is read, and
/// holds the request to [`INTAKE_TIMEOUT`].
async fn intake_turn(State(centre): State<Shared>, request: Request, next: Next) -> Response {
    let turn = tokio::time::timeout(INTAKE_QUEUE_WAIT, centre.intake.acquire()).await;
    let Ok(Ok(_turn)) = turn else {
        eprintln!("tsunagi-centre: a batch waited too long for its turn");
        return busy("the centre is taking other batches just now; send it again later");
    };
    match tokio::time::timeout(INTAKE_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            eprintln!("tsunagi-centre: a batch took too long to arrive and be stored");
            busy("the batch took too long to arrive and be stored; send it again later")
        }
    }
}

/// Holds a page request to [`PAGE_TIMEOUT`].
async fn page_time(request: Request, next: Next) -> Response {
    match tokio::time::timeout(PAGE_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => busy("the figures took too long; try again later"),
    }
}

/// `text` as one plain line with `status`.
pub(crate) fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}

/// Why a request could not be answered with what it asked for.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The storage failed; the sender should try again later.
    Storage(StorageError),
    /// A storage task panicked or the lock was poisoned.
    Internal,
    /// The batch was refused, with the status and the one line to send back.
    Refused(StatusCode, String),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Self::Storage(e) => {
                eprintln!("tsunagi-centre: storage failed: {e}");
                plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the centre could not store the batch just now; send it again later",
                )
            }
            Self::Internal => plain(StatusCode::INTERNAL_SERVER_ERROR, "the centre failed"),
            Self::Refused(status, text) => plain(status, &text),
        }
    }
}

/// Runs `work` on the database on a blocking thread: SQLite and the
/// synchronous PostgreSQL client must not block the runtime's workers.
pub(crate) async fn with_db<T: Send + 'static>(
    centre: &Shared,
    work: impl FnOnce(&mut dyn Database) -> Result<T, StorageError> + Send + 'static,
) -> Result<T, Failure> {
    let centre = Arc::clone(centre);
    tokio::task::spawn_blocking(move || {
        let mut db = centre.db.lock().map_err(|_| Failure::Internal)?;
        work(db.as_mut()).map_err(Failure::Storage)
    })
    .await
    .map_err(|_| Failure::Internal)?
}

async fn intake(State(centre): State<Shared>, body: Bytes) -> Response {
    match take_batch(&centre, body).await {
        Ok(ack) => {
            eprintln!(
                "tsunagi-centre: batch {} from {}: {} record(s), {} withdrawn",
                ack.batch_id, ack.agency, ack.records, ack.withdrawn
            );
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_string(&ack).expect("an ack serialises"),
            )
                .into_response()
        }
        Err(failure) => failure.into_response(),
    }
}

async fn take_batch(centre: &Shared, body: Bytes) -> Result<Ack, Failure> {
    let agencies = with_db(centre, |db| db.agencies()).await?;
    // Decryption, the signature and parsing take CPU time in proportion to
    // the batch: on a blocking thread, not a runtime worker.
    let opening = {
        let centre = Arc::clone(centre);
        let signers: Vec<_> = agencies.iter().map(|a| a.signer).collect();
        tokio::task::spawn_blocking(move || {
            open_batch(&body, &centre.keys, &|k| signers.contains(k))
        })
    };
    let opened = opening.await.map_err(|_| Failure::Internal)?.map_err(|e| {
        let status = match &e {
            ResearchError::UnknownAgency(_)
            | ResearchError::Seal(SealError::BadSignature | SealError::WrongRecipient) => {
                StatusCode::FORBIDDEN
            }
            ResearchError::Seal(SealError::NotForUs) => StatusCode::MISDIRECTED_REQUEST,
            _ => StatusCode::BAD_REQUEST,
        };
        eprintln!("tsunagi-centre: refused a batch: {e}");
        Failure::Refused(status, format!("refused: {e}"))
    })?;
    let agency = agencies
        .into_iter()
        .find(|a| a.signer == opened.signer)
        .ok_or_else(|| Failure::Refused(StatusCode::FORBIDDEN, "refused: unknown agency".into()))?;
    let name = agency.name.clone();
    let received_at = tsunagi_core::rfc3339::Timestamp::now();
    // A revoked agency is refused by the store, in the transaction that
    // would store the batch, so that a revocation made meanwhile counts; a
    // batch it sent before the revocation is acknowledged again.
    with_db(centre, move |db| {
        db.store_batch(&agency, &opened.batch, received_at)
    })
    .await
    .map_err(|failure| match failure {
        Failure::Storage(e @ StorageError::Revoked) => {
            eprintln!("tsunagi-centre: refused a batch from {name}: {e}");
            Failure::Refused(StatusCode::FORBIDDEN, format!("refused: {e}"))
        }
        Failure::Storage(StorageError::NoSuchAgency) => {
            Failure::Refused(StatusCode::FORBIDDEN, "refused: unknown agency".into())
        }
        other => other,
    })
}

/// The figures as shown: those already made if the data has not changed
/// since, else made once from the stored counts and shared
/// ([`figures::cache`]). Nothing here reads every record.
async fn load(centre: &Shared) -> Result<Arc<figures::cache::Shown>, Failure> {
    let version = with_db(centre, |db| db.data_version()).await?;
    centre
        .figures
        .get(version, || async {
            let counts = with_db(centre, |db| db.figure_counts()).await?;
            Ok(figures::cache::Shown::new(
                counts.version,
                counts.tally.tables(&centre.reference),
                counts.tally.cases(),
                counts.batches,
                counts.agencies,
            ))
        })
        .await
}

async fn index(State(centre): State<Shared>, Extension(viewer): Extension<SignedIn>) -> Response {
    match load(&centre).await {
        Ok(shown) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            shown.page(&pages::account_bar(&viewer)),
        )
            .into_response(),
        Err(failure) => failure.into_response(),
    }
}

/// `NAME.csv` (the table as CSV) or `NAME.svg` (the table drawn,
/// [`figures::charts`]).
async fn figure_file(State(centre): State<Shared>, Path(file): Path<String>) -> Response {
    let shown = match load(&centre).await {
        Ok(shown) => shown,
        Err(failure) => return failure.into_response(),
    };
    let (slug, kind) = file.rsplit_once('.').unwrap_or(("", ""));
    let slug = slug.to_owned();
    match kind {
        // Drawn once per version, on a blocking thread: drawing takes CPU.
        "svg" => {
            let drawn = tokio::task::spawn_blocking(move || {
                shown.svg(&slug).map(|svg| svg.map(str::to_owned))
            })
            .await;
            match drawn {
                Ok(Some(Some(svg))) => (
                    [
                        (header::CONTENT_TYPE, "image/svg+xml"),
                        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                    ],
                    svg,
                )
                    .into_response(),
                Ok(Some(None)) | Err(_) => plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the chart could not be drawn",
                ),
                Ok(None) => no_such_table(),
            }
        }
        "csv" => match shown.csv(&slug) {
            Some(csv) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{slug}.csv\""),
                    ),
                ],
                csv.to_owned(),
            )
                .into_response(),
            None => no_such_table(),
        },
        _ => no_such_table(),
    }
}

fn no_such_table() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "no such table: try stages.csv, outcomes.csv or programmes.csv (or .svg)",
    )
}

/// `/style.css`: the look of the centre's pages ([`figures::STYLE`]), a
/// file of its own so that the Content-Security-Policy forbids inline
/// style.
async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        figures::STYLE,
    )
        .into_response()
}

/// The Japanese font the pages use (BIZ UDGothic, SIL OFL, from
/// `assets/fonts/`): served by the centre itself, so that the figures read
/// the same in a browser on a machine with no Japanese font.
const FONTS: [(&str, &[u8]); 2] = [
    (
        "BIZUDGothic-Regular.ttf",
        include_bytes!("../../assets/fonts/BIZUDGothic-Regular.ttf"),
    ),
    (
        "BIZUDGothic-Bold.ttf",
        include_bytes!("../../assets/fonts/BIZUDGothic-Bold.ttf"),
    ),
];

async fn font(Path(file): Path<String>) -> Response {
    match FONTS.iter().find(|(name, _)| *name == file) {
        Some((_, bytes)) => (
            [
                (header::CONTENT_TYPE, "font/ttf"),
                (header::CACHE_CONTROL, "public, max-age=604800"),
            ],
            *bytes,
        )
            .into_response(),
        None => plain(StatusCode::NOT_FOUND, "no such font"),
    }
}

/// The rustls configuration: the centre's certificate, TLS 1.3, no client
/// certificate (agencies prove themselves by the signature on a batch).
pub fn tls_config(identity: &CentreIdentity) -> Result<rustls::ServerConfig, rustls::Error> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(identity.tls.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.tls.key_der.to_vec())),
        )?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves on `listener` until the process ends.
pub async fn serve(
    listener: TcpListener,
    identity: &CentreIdentity,
    centre: Shared,
) -> std::io::Result<()> {
    let config = tls_config(identity).map_err(std::io::Error::other)?;
    let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config));
    listener.set_nonblocking(true)?;
    let mut server = axum_server::from_tcp_rustls(listener, config);
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    server.serve(router(centre).into_make_service()).await
}
