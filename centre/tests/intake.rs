//! Intake's limits: the size of a batch the centre takes.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{AGENCY, Fixture, records, reference};
use tower::ServiceExt;
use tsunagi_centre::server::{Centre, INTAKE_AT_ONCE, INTAKE_QUEUE_WAIT, MAX_BODY, router};
use tsunagi_centre::storage::{Database, SqliteDatabase};
use tsunagi_core::research::{Batch, seal_batch};
use tsunagi_core::seal::DeviceKeys;

/// Posts `body` to `/batches` and returns the status.
async fn post(centre: &Arc<Centre>, body: Vec<u8>) -> StatusCode {
    let request = Request::post("/batches")
        .header("content-type", "application/octet-stream")
        .body(Body::from(body))
        .expect("a request");
    router(Arc::clone(centre))
        .oneshot(request)
        .await
        .expect("the router answers")
        .status()
}

/// A centre on `f`'s database, and the key to seal to it.
fn centre(f: &Fixture) -> (Arc<Centre>, tsunagi_core::seal::Recipient) {
    let keys = DeviceKeys::generate();
    let to_centre = keys.recipient();
    let db = SqliteDatabase::open(f.dir.path()).expect("opens");
    (
        Arc::new(Centre::new(keys, Box::new(db), reference())),
        to_centre,
    )
}

/// Sends `request` on a new connection to `addr` and returns it, open.
async fn send(addr: std::net::SocketAddr, request: &[u8]) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream.write_all(request).await.expect("writes");
    stream
}

/// The status line of the answer on `stream`.
async fn status_line(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0; 512];
    let n = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut buf))
        .await
        .expect("an answer in time")
        .expect("reads");
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn batches_beyond_those_taken_at_once_wait_and_are_told_to_come_back() {
    let f = Fixture::new();
    let (centre, _) = centre(&f);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    let app = router(centre);
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Senders that announce a body and never send it hold every turn.
    let stalled_request = b"POST /batches HTTP/1.1\r\nHost: centre\r\nContent-Length: 1000\r\n\r\n";
    let mut stalled = Vec::new();
    for _ in 0..INTAKE_AT_ONCE {
        stalled.push(send(addr, stalled_request).await);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let garbage =
        b"POST /batches HTTP/1.1\r\nHost: centre\r\nContent-Length: 11\r\n\r\nnot a batch";
    let started = std::time::Instant::now();
    let mut waiting = send(addr, garbage).await;
    let line = status_line(&mut waiting).await;
    assert!(line.starts_with("HTTP/1.1 503"), "{line}");
    assert!(
        started.elapsed() + std::time::Duration::from_secs(1) >= INTAKE_QUEUE_WAIT,
        "answered before waiting for a turn"
    );

    // One stalled sender gone, its turn is free again.
    drop(stalled.pop());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut next = send(addr, garbage).await;
    let line = status_line(&mut next).await;
    assert!(line.starts_with("HTTP/1.1 400"), "{line}");
}

#[tokio::test]
async fn an_oversize_batch_is_refused_with_413_and_nothing_is_stored() {
    let f = Fixture::new();
    let (centre, to_centre) = centre(&f);

    // A genuine batch from the registered agency, just over the limit.
    let sample = records(1);
    let per_record = serde_json::to_vec(&sample).expect("json").len() / sample.len();
    let mut all = Vec::new();
    while all.len() * per_record <= MAX_BODY + 64 * 1024 {
        all.extend(records(50));
    }
    let big = seal_batch(&Batch::new(AGENCY, all), &f.keys, &to_centre).expect("seals");
    assert!(big.len() > MAX_BODY, "the batch is over the limit");
    assert_eq!(post(&centre, big).await, StatusCode::PAYLOAD_TOO_LARGE);
    let mut db = SqliteDatabase::open(f.dir.path()).expect("opens");
    assert_eq!(db.batch_count().expect("counts"), 0);
    assert!(db.records().expect("reads").is_empty());

    // The same agency's batch of a real size is taken.
    let small = seal_batch(&Batch::new(AGENCY, records(2)), &f.keys, &to_centre).expect("seals");
    assert_eq!(post(&centre, small).await, StatusCode::OK);
    assert_eq!(db.batch_count().expect("counts"), 1);
}

#[test]
fn a_batch_of_ten_thousand_full_records_fits_the_body_limit() {
    // The fullest demo record (programmes, reviews, a hire), 10 000 times.
    let fullest = records(1)
        .into_iter()
        .max_by_key(|r| serde_json::to_vec(r).expect("json").len())
        .expect("a record");
    let one = serde_json::to_vec(&fullest).expect("json").len();
    let batch = Batch::new(AGENCY, vec![fullest; 10_000]);
    let json = serde_json::to_vec(&batch).expect("json").len();
    eprintln!("one full record: {one} bytes; 10 000: {json} bytes");
    // Sealing adds a manifest, a signature and 16 bytes per 64 KiB.
    assert!(json + 64 * 1024 + json / 1000 < MAX_BODY, "{json} bytes");
}
