//! The centre's HTTPS service (axum over rustls): `POST /batches` takes a
//! sealed batch, `/` shows the figures, `/figures/NAME.csv` gives each table
//! as CSV.
//!
//! Refusals are one plain line with a 4xx status; nothing of a refused batch
//! is stored. The log (stderr) says what was refused and why, never a
//! record's content.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{ResearchError, open_batch};
use tsunagi_core::seal::{DeviceKeys, SealError};

use crate::figures;
use crate::identity::CentreIdentity;
use crate::storage::{Database, StorageError};

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// What the handlers share.
pub struct Centre {
    /// The centre's keys.
    pub keys: DeviceKeys,
    /// The storage; one writer at a time.
    pub db: Mutex<Box<dyn Database>>,
    /// Disease group names for the figures.
    pub reference: ReferenceDb,
}

impl std::fmt::Debug for Centre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Centre").finish_non_exhaustive()
    }
}

type Shared = Arc<Centre>;

/// The routes.
pub fn router(centre: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/batches", post(intake))
        .route("/figures/{file}", get(csv))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(centre)
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}

fn storage_failed(e: &StorageError) -> Response {
    eprintln!("tsunagi-centre: storage failed: {e}");
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "the centre could not store the batch just now; send it again later",
    )
}

async fn intake(State(centre): State<Shared>, body: Bytes) -> Response {
    let agencies = match centre.db.lock().map(|db| db.agencies()) {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => return storage_failed(&e),
        Err(_) => return plain(StatusCode::INTERNAL_SERVER_ERROR, "the centre failed"),
    };
    let opened = match open_batch(&body, &centre.keys, &|k| {
        agencies.iter().any(|a| a.signer == *k)
    }) {
        Ok(o) => o,
        Err(e) => {
            let status = match &e {
                ResearchError::UnknownAgency(_)
                | ResearchError::Seal(SealError::BadSignature | SealError::WrongRecipient) => {
                    StatusCode::FORBIDDEN
                }
                ResearchError::Seal(SealError::NotForUs) => StatusCode::MISDIRECTED_REQUEST,
                _ => StatusCode::BAD_REQUEST,
            };
            eprintln!("tsunagi-centre: refused a batch: {e}");
            return plain(status, &format!("refused: {e}"));
        }
    };
    let Some(agency) = agencies.into_iter().find(|a| a.signer == opened.signer) else {
        return plain(StatusCode::FORBIDDEN, "refused: unknown agency");
    };
    let stored = match centre.db.lock() {
        Ok(mut db) => db.store_batch(&agency, &opened.batch, &crate::now()),
        Err(_) => return plain(StatusCode::INTERNAL_SERVER_ERROR, "the centre failed"),
    };
    match stored {
        Ok(ack) => {
            eprintln!(
                "tsunagi-centre: batch {} from {}: {} record(s)",
                ack.batch_id, ack.agency, ack.records
            );
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_string(&ack).expect("an ack serialises"),
            )
                .into_response()
        }
        Err(e) => storage_failed(&e),
    }
}

fn load(centre: &Centre) -> Result<(Vec<figures::Table>, usize, usize, usize), Response> {
    let db = centre
        .db
        .lock()
        .map_err(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "the centre failed"))?;
    let records = db.records().map_err(|e| storage_failed(&e))?;
    let batches = db.batch_count().map_err(|e| storage_failed(&e))?;
    let agencies = db.agencies().map_err(|e| storage_failed(&e))?.len();
    Ok((
        figures::tables(&records, &centre.reference),
        records.len(),
        batches,
        agencies,
    ))
}

async fn index(State(centre): State<Shared>) -> Response {
    match load(&centre) {
        Ok((tables, cases, batches, agencies)) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            figures::to_html(&tables, cases, batches, agencies),
        )
            .into_response(),
        Err(r) => r,
    }
}

async fn csv(State(centre): State<Shared>, Path(file): Path<String>) -> Response {
    let (tables, ..) = match load(&centre) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let slug = file.strip_suffix(".csv").unwrap_or("");
    match tables.iter().find(|t| t.slug == slug) {
        Some(t) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{slug}.csv\""),
                ),
            ],
            figures::to_csv(t),
        )
            .into_response(),
        None => plain(
            StatusCode::NOT_FOUND,
            "no such table: try stages.csv, outcomes.csv or programmes.csv",
        ),
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
    axum_server::from_tcp_rustls(listener, config)
        .serve(router(centre).into_make_service())
        .await
}
