//! The companion's end of the link: a QUIC server (quinn) that drives the
//! sans-IO [`Receiver`] from `tsunagi_core::link` and keeps received bundles
//! in `inbox/` until they are imported.
//!
//! Connections are served at once, each on a store handle of its own (up to
//! [`MAX_CONNECTIONS`], and [`MAX_CONNECTIONS_PER_ADDRESS`] from one
//! address; more are refused at the door). A device has
//! [`INTRODUCTION_DEADLINE`] from its handshake to open its stream and say
//! who it is in a first frame of at most [`MAX_FIRST_FRAME`] bytes; a device
//! that is not paired (or no longer) is refused right then, before any data
//! moves. So a stranger on the LAN who connects and says nothing, or starts
//! a huge frame, holds nothing for long and stops no tablet from docking.
//!
//! Partial bundles (a transfer cut part-way) wait in `inbox/` to be
//! resumed, within the bounds [`crate::inbox`] keeps: a bundle the disk has
//! no room for is refused in words before any of it is written.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use time::OffsetDateTime;
use tsunagi_core::link::pairing::{self, EXPORTER_LABEL, EXPORTER_LEN};
use tsunagi_core::link::reference::Release;
use tsunagi_core::link::wire::{self, Frame, Message};
use tsunagi_core::link::{Fingerprint, Progress, Receiver, ReceiverEvent, quic, tls};
use tsunagi_core::reference::Trust;

use crate::inbox::{self, PARTIAL_MAX_AGE, sweep_inbox};
use tsunagi_core::seal::{BundleId, Recipient, SignerKey};
use tsunagi_core::store::sync::{Peer, PeerKind, Redeem, file_sha256};
use tsunagi_core::store::{Store, StoreError};

/// The default port the companion listens on.
pub const DEFAULT_PORT: u16 = 47800;

/// Connections served at once; a device beyond them is refused at once.
pub const MAX_CONNECTIONS: usize = 16;
/// Connections served at once from one network address: one machine on
/// the LAN cannot take every place.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 4;
/// How long a device has from its handshake to open its stream and send
/// its first frame.
pub const INTRODUCTION_DEADLINE: Duration = Duration::from_secs(5);
/// The largest first frame read before the pairing check: a hello or a
/// pairing request is well under a kilobyte.
pub const MAX_FIRST_FRAME: usize = 4096;

/// Reads one frame; `None` when the peer finished the stream.
pub async fn read_frame(recv: &mut quinn::RecvStream) -> anyhow::Result<Option<Frame>> {
    read_frame_limited(recv, usize::MAX).await
}

/// Reads one frame whose body is at most `max` bytes, refusing a longer
/// one from its length prefix alone, before reading it; `None` when the
/// peer finished the stream.
pub async fn read_frame_limited(
    recv: &mut quinn::RecvStream,
    max: usize,
) -> anyhow::Result<Option<Frame>> {
    let mut prefix = [0u8; 4];
    match recv.read_exact(&mut prefix).await {
        Ok(()) => {}
        Err(quinn::ReadExactError::FinishedEarly(0)) => return Ok(None),
        Err(e) => return Err(e).context("the link was cut"),
    }
    let len = wire::body_len(prefix)?;
    if len > max {
        bail!("the device sent a first frame of {len} bytes, more than it may");
    }
    let mut start = [0u8; 2];
    recv.read_exact(&mut start)
        .await
        .context("the link was cut")?;
    if Frame::is_chunk(start)? {
        // Straight into the chunk's own buffer: no copy of a whole body.
        let Some(data_len) = len.checked_sub(2 + wire::CHUNK_HEADER) else {
            bail!("the tablet sent a chunk that is too short");
        };
        let mut head = [0u8; wire::CHUNK_HEADER];
        recv.read_exact(&mut head)
            .await
            .context("the link was cut")?;
        let mut data = vec![0u8; data_len];
        recv.read_exact(&mut data)
            .await
            .context("the link was cut")?;
        return Ok(Some(Frame::Chunk(wire::Chunk::from_parts(&head, data))));
    }
    let mut body = vec![0u8; len];
    body[..2].copy_from_slice(&start);
    recv.read_exact(&mut body[2..])
        .await
        .context("the link was cut")?;
    Ok(Some(Frame::decode(&body)?))
}

/// Writes one control message.
pub async fn write_message(send: &mut quinn::SendStream, m: Message) -> anyhow::Result<()> {
    send.write_all(&Frame::Message(m).encode())
        .await
        .context("the link was cut")
}

/// The companion's QUIC endpoint on `listen`, with its own certificate.
pub fn endpoint(store: &mut Store, listen: SocketAddr) -> anyhow::Result<quinn::Endpoint> {
    let identity = store.device_identity()?;
    let config = quic::server_config(&identity.tls)?;
    quinn::Endpoint::server(config, listen).with_context(|| format!("could not listen on {listen}"))
}

/// What one connection did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Session {
    /// One line for the operator (no personal data).
    pub summary: String,
    /// Bundles imported.
    pub imported: usize,
    /// Bundles refused.
    pub refused: usize,
    /// Bundle bytes received (chunk data, repeats included).
    pub bytes_received: u64,
    /// A tablet paired: the verification code both sides show.
    pub paired: Option<String>,
    /// From the first offer to the last byte of the last bundle.
    pub transfer_time: Duration,
    /// Spent checking and importing.
    pub import_time: Duration,
}

/// Test and benchmark hooks; the default is plain service.
#[derive(Debug, Clone)]
pub struct Options {
    /// Drop the connection once this many bundle bytes arrived (to measure
    /// what a cut costs).
    pub cut_after_bytes: Option<u64>,
    /// Whose reference releases the companion offers to docking tablets:
    /// this build's publishers.
    pub trust: Trust,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cut_after_bytes: None,
            trust: Trust::built_in(),
        }
    }
}

/// Serves connections until the endpoint is closed, many at once: each on
/// a task with a store handle of its own (opened from `store`), at most
/// [`MAX_CONNECTIONS`] together. `report` is called with what each
/// connection did, from the task that served it. Old partial bundles are
/// swept first.
pub async fn serve<F>(store: &Store, endpoint: quinn::Endpoint, report: F) -> anyhow::Result<()>
where
    F: Fn(anyhow::Result<Session>) + Send + Sync + 'static,
{
    sweep_inbox(&store.inbox_dir(), PARTIAL_MAX_AGE);
    let report = Arc::new(report);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let busy = Busy::default();
    let per_address = PerAddress::default();
    while let Some(incoming) = endpoint.accept().await {
        let from = incoming.remote_address().ip();
        let Some(place) = per_address.take(from) else {
            incoming.refuse();
            report(Err(anyhow::anyhow!(
                "refused a connection from {from}: {MAX_CONNECTIONS_PER_ADDRESS} from there are being served already"
            )));
            continue;
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            incoming.refuse();
            report(Err(anyhow::anyhow!(
                "refused a connection: {MAX_CONNECTIONS} are being served already"
            )));
            continue;
        };
        let mut own = match store.open_another() {
            Ok(own) => own,
            Err(e) => {
                report(Err(
                    anyhow::Error::from(e).context("could not serve a connection")
                ));
                continue;
            }
        };
        let report = Arc::clone(&report);
        let busy = busy.clone();
        tokio::spawn(async move {
            let result = serve_incoming(&mut own, incoming, Options::default(), &busy).await;
            drop((slot, place));
            report(result);
        });
    }
    Ok(())
}

/// Connections being served, by the address they come from.
#[derive(Clone, Debug, Default)]
struct PerAddress(Arc<std::sync::Mutex<HashMap<std::net::IpAddr, usize>>>);

/// A place taken by a connection from one address; given back on drop.
struct Place {
    from: std::net::IpAddr,
    counts: PerAddress,
}

impl PerAddress {
    /// A place for one more connection from `from`, if it has fewer than
    /// [`MAX_CONNECTIONS_PER_ADDRESS`].
    fn take(&self, from: std::net::IpAddr) -> Option<Place> {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = counts.entry(from).or_insert(0);
        if *n >= MAX_CONNECTIONS_PER_ADDRESS {
            return None;
        }
        *n += 1;
        Some(Place {
            from,
            counts: self.clone(),
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = counts.get_mut(&self.from) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.from);
            }
        }
    }
}

/// Bundles being received, each with the connection receiving it and the
/// tablet it comes from. Another tablet offering one of them is told to
/// come back later, so two connections never write one file. The same
/// tablet offering it on a new connection has lost the old one (Wi-Fi
/// dropped) before the companion noticed: the new connection takes the
/// bundle over at once, closing the old one, rather than wait for the old
/// one to time out.
#[derive(Clone, Debug, Default)]
struct Busy(Arc<std::sync::Mutex<HashMap<BundleId, Holder>>>);

/// The connection receiving a bundle.
#[derive(Debug)]
struct Holder {
    from: Fingerprint,
    conn: quinn::Connection,
}

/// How long a new connection waits for the old one it closed to let go.
const TAKEOVER_WAIT: Duration = Duration::from_secs(5);

impl Busy {
    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<BundleId, Holder>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Claims `bundle` for `conn` of tablet `from`.
    async fn claim(
        &self,
        bundle: BundleId,
        from: Fingerprint,
        conn: &quinn::Connection,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + TAKEOVER_WAIT;
        loop {
            let older = {
                let mut held = self.held();
                match held.get(&bundle) {
                    None => {
                        let conn = conn.clone();
                        held.insert(bundle, Holder { from, conn });
                        return Ok(());
                    }
                    Some(h) if h.conn.stable_id() == conn.stable_id() => return Ok(()),
                    Some(h) if h.from == from => h.conn.clone(),
                    Some(_) => bail!("bundle {bundle} is being received on another connection"),
                }
            };
            // Its receiving stops at its next read; what it wrote stays.
            older.close(0u32.into(), b"the tablet reconnected");
            if Instant::now() >= deadline {
                bail!("bundle {bundle} is still being received on an older connection");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Lets go of the `bundles` that `conn` holds.
    fn release(&self, bundles: &[BundleId], conn: &quinn::Connection) {
        let mut held = self.held();
        for b in bundles {
            if held
                .get(b)
                .is_some_and(|h| h.conn.stable_id() == conn.stable_id())
            {
                held.remove(b);
            }
        }
    }
}

/// Accepts and serves one connection; `None` when the endpoint is closed.
pub async fn accept_one(
    store: &mut Store,
    endpoint: &quinn::Endpoint,
    options: Options,
) -> Option<anyhow::Result<Session>> {
    let incoming = endpoint.accept().await?;
    Some(serve_incoming(store, incoming, options, &Busy::default()).await)
}

async fn serve_incoming(
    store: &mut Store,
    incoming: quinn::Incoming,
    options: Options,
    busy: &Busy,
) -> anyhow::Result<Session> {
    let conn = match incoming.await {
        Ok(c) => c,
        Err(e) => {
            bail!("refused a connection: the TLS handshake failed ({e})");
        }
    };
    let remote = conn.remote_address();
    let result = handle(store, &conn, options, busy).await;
    conn.close(0u32.into(), b"bye");
    result
        .map(|mut s| {
            s.summary = format!("{remote}: {}", s.summary);
            s
        })
        .map_err(|e| e.context(format!("{remote}")))
}

fn peer_fingerprint(conn: &quinn::Connection) -> anyhow::Result<Fingerprint> {
    let certs = conn
        .peer_identity()
        .and_then(|any| {
            any.downcast::<Vec<rustls::pki_types::CertificateDer<'static>>>()
                .ok()
        })
        .context("the device presented no certificate")?;
    tls::peer_fingerprint(&certs).context("the device presented no certificate")
}

async fn refuse(
    conn: &quinn::Connection,
    send: &mut quinn::SendStream,
    reason: &str,
) -> anyhow::Result<Session> {
    write_message(
        send,
        Message::Refused {
            reason: reason.to_owned(),
        },
    )
    .await?;
    let _ = send.finish();
    // Give the frame time to arrive; the tablet closes on reading it.
    let _ = tokio::time::timeout(Duration::from_secs(3), conn.closed()).await;
    Ok(said(format!("refused: {reason}")))
}

fn said(summary: String) -> Session {
    Session {
        summary,
        ..Session::default()
    }
}

async fn handle(
    store: &mut Store,
    conn: &quinn::Connection,
    options: Options,
    busy: &Busy,
) -> anyhow::Result<Session> {
    let fingerprint = peer_fingerprint(conn)?;
    let introduction = async {
        let (send, mut recv) = conn.accept_bi().await.context("the link was cut")?;
        let first = read_frame_limited(&mut recv, MAX_FIRST_FRAME).await?;
        anyhow::Ok((send, recv, first))
    };
    let (mut send, mut recv, first) =
        match tokio::time::timeout(INTRODUCTION_DEADLINE, introduction).await {
            Ok(introduced) => introduced?,
            Err(_) => bail!(
                "refused a device that did not introduce itself within {} s",
                INTRODUCTION_DEADLINE.as_secs()
            ),
        };
    let identity = store.device_identity()?;
    let welcome = |release: Option<&Release>| Message::Welcome {
        signer: identity.keys.signer().to_hex(),
        recipient: identity.keys.recipient().as_string(),
        reference: release.map(|r| r.version.as_str().to_owned()),
    };
    let paired = store
        .peer(&fingerprint)?
        .filter(|p| p.kind == PeerKind::Tablet);
    let not_paired = if store.is_revoked(&fingerprint)? {
        "この端末は事務所で使用停止にされています (the office revoked this tablet: it may not send again)"
    } else {
        "this tablet is not paired with this companion (ペアリングされていません)"
    };
    match first {
        Some(Frame::Message(Message::Fetch)) => {
            let Some(tablet) = paired else {
                return refuse(conn, &mut send, not_paired).await;
            };
            if store.awaits_confirmation(&fingerprint)? {
                return refuse(conn, &mut send, UNCONFIRMED).await;
            }
            write_message(&mut send, welcome(None)).await?;
            crate::handing::send_handed_over(store, &tablet, send, recv).await
        }
        Some(Frame::Message(Message::ReferenceWanted)) => {
            if paired.is_none() {
                return refuse(conn, &mut send, not_paired).await;
            }
            if store.awaits_confirmation(&fingerprint)? {
                return refuse(conn, &mut send, UNCONFIRMED).await;
            }
            let release = Release::installed(store.dir(), &options.trust);
            write_message(&mut send, welcome(release.as_ref())).await?;
            for piece in release.iter().flat_map(Release::pieces) {
                write_message(&mut send, piece).await?;
            }
            write_message(&mut send, Message::Done).await?;
            let _ = send.finish();
            let _ = tokio::time::timeout(Duration::from_secs(3), conn.closed()).await;
            Ok(said(match release {
                Some(r) => format!("gave reference release {}", r.version.as_str()),
                None => "no reference release to give".to_owned(),
            }))
        }
        Some(Frame::Message(Message::Hello)) => {
            if paired.is_none() {
                return refuse(conn, &mut send, not_paired).await;
            }
            if store.awaits_confirmation(&fingerprint)? {
                return refuse(conn, &mut send, UNCONFIRMED).await;
            }
            let release = Release::installed(store.dir(), &options.trust);
            write_message(&mut send, welcome(release.as_ref())).await?;
            let mut claimed = Vec::new();
            let inbox = Inbox {
                dir: inbox::peer_dir(&store.inbox_dir(), &fingerprint),
                files: HashMap::new(),
            };
            let received = receive(
                store,
                (&mut send, &mut recv),
                inbox,
                options,
                (busy, fingerprint, conn),
                &mut claimed,
            )
            .await;
            busy.release(&claimed, conn);
            received
        }
        Some(Frame::Message(Message::Unpair)) => {
            if paired.is_none() {
                return refuse(conn, &mut send, "this tablet is not paired").await;
            }
            store.remove_peer(&fingerprint)?;
            let _ = send.finish();
            Ok(said(format!("unpaired tablet {fingerprint}")))
        }
        Some(Frame::Message(Message::Pair {
            proof,
            signer,
            recipient,
            possession,
        })) => {
            let mut exporter = [0u8; EXPORTER_LEN];
            conn.export_keying_material(&mut exporter, EXPORTER_LABEL, b"")
                .map_err(|_| anyhow::anyhow!("could not bind the pairing to the session"))?;
            let (Ok(signer), Ok(recipient), Ok(proof), Ok(possession)) = (
                signer.parse::<SignerKey>(),
                recipient.parse::<Recipient>(),
                hex::decode(&proof),
                hex::decode(&possession),
            ) else {
                return refuse(conn, &mut send, "the pairing request is malformed").await;
            };
            if !pairing::verify_possession(&exporter, &signer, &recipient, &possession) {
                return refuse(
                    conn,
                    &mut send,
                    "the device does not hold the signing key it names (鍵の証明が違います)",
                )
                .await;
            }
            let peer = Peer {
                fingerprint,
                kind: PeerKind::Tablet,
                signer,
                recipient: recipient.clone(),
                address: None,
                paired_at: tsunagi_core::rfc3339::Timestamp::now(),
            };
            let code = pairing::verification_code(&exporter);
            let redeemed = store.redeem_pairing_code(
                OffsetDateTime::now_utc(),
                &|secret| pairing::verify_proof(secret, &exporter, &signer, &recipient, &proof),
                &peer,
                &code,
            );
            let outcome = match redeemed {
                Ok(outcome) => outcome,
                Err(StoreError::Revoked) => {
                    return refuse(conn, &mut send, &StoreError::Revoked.to_string()).await;
                }
                Err(StoreError::SignerTaken) => {
                    return refuse(
                        conn,
                        &mut send,
                        "another paired tablet holds the signing key this device names (別の端末の鍵です)",
                    )
                    .await;
                }
                Err(e) => return Err(e.into()),
            };
            match outcome {
                Redeem::Paired => {
                    write_message(&mut send, welcome(None)).await?;
                    let _ = send.finish();
                    let _ = tokio::time::timeout(Duration::from_secs(3), conn.closed()).await;
                    Ok(Session {
                        paired: Some(code.clone()),
                        ..said(format!(
                            "paired tablet {fingerprint}, to be confirmed; verification code (確認コード) {code}"
                        ))
                    })
                }
                Redeem::Unknown => {
                    refuse(
                        conn,
                        &mut send,
                        "the pairing code is wrong (コードが違います)",
                    )
                    .await
                }
                Redeem::Expired => {
                    refuse(
                        conn,
                        &mut send,
                        "the pairing code has expired; issue a new one (期限切れ)",
                    )
                    .await
                }
                Redeem::AlreadyUsed => {
                    refuse(
                        conn,
                        &mut send,
                        "the pairing code was already used; issue a new one (使用済み)",
                    )
                    .await
                }
            }
        }
        _ => refuse(conn, &mut send, "the device did not introduce itself").await,
    }
}

/// Why a tablet whose pairing the office has not confirmed is refused.
const UNCONFIRMED: &str = "the office has not yet confirmed this tablet's verification code: check the code on the office PC (事務所PCで確認コードの確認が済んでいません)";

/// One tablet's partial files: its folder in the inbox, and the files
/// open, by bundle.
struct Inbox {
    dir: PathBuf,
    files: HashMap<BundleId, File>,
}

impl Inbox {
    fn path(&self, id: BundleId) -> PathBuf {
        inbox::partial_file(&self.dir, id)
    }

    fn file(&mut self, id: BundleId) -> anyhow::Result<&mut File> {
        use std::collections::hash_map::Entry;
        match self.files.entry(id) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(e) => {
                fs::create_dir_all(&self.dir)?;
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .read(true)
                    .open(inbox::partial_file(&self.dir, id))
                    .context("could not write to the inbox")?;
                Ok(e.insert(f))
            }
        }
    }
}

async fn receive(
    store: &mut Store,
    (send, recv): (&mut quinn::SendStream, &mut quinn::RecvStream),
    mut inbox: Inbox,
    options: Options,
    (busy, from, conn): (&Busy, Fingerprint, &quinn::Connection),
    claimed: &mut Vec<BundleId>,
) -> anyhow::Result<Session> {
    let mut receiver = Receiver::new();
    let mut session = Session::default();
    let mut first_offer: Option<Instant> = None;
    let mut finished = false;
    while !finished {
        let Some(frame) = read_frame(recv).await? else {
            bail!("the tablet closed the link before it was done");
        };
        let now = Instant::now();
        match frame {
            Frame::Message(m) => {
                if matches!(m, Message::Offer { .. }) {
                    first_offer.get_or_insert(now);
                }
                receiver.handle_message(now, m)?
            }
            Frame::Chunk(c) => {
                session.bytes_received += c.data.len() as u64;
                receiver.handle_chunk(now, c)?
            }
        }
        while let Some(event) = receiver.poll_event() {
            match event {
                ReceiverEvent::Offered { bundle, size } => {
                    if !claimed.contains(&bundle) {
                        busy.claim(bundle, from, conn).await?;
                        claimed.push(bundle);
                    }
                    // Asked once claimed: a connection taken over may have
                    // imported the bundle just before it let go.
                    let progress = if store.bundle_imported(bundle)? {
                        Progress::Imported
                    } else {
                        let data_dir = store.dir().to_owned();
                        if let Err(no_room) =
                            inbox::admit(&store.inbox_dir(), &inbox.dir, bundle, size, || {
                                inbox::free_space(&data_dir)
                            })
                        {
                            // Nothing is lost: the tablet keeps the bundle
                            // and offers it again at the next dock.
                            write_message(
                                send,
                                Message::Refused {
                                    reason: no_room.to_string(),
                                },
                            )
                            .await?;
                            let _ = send.finish();
                            bail!("{no_room}");
                        }
                        let held = fs::metadata(inbox.path(bundle)).map_or(0, |m| m.len());
                        if held > 0 {
                            println!("resuming bundle {bundle} from byte {held}");
                        }
                        Progress::Partial(held)
                    };
                    receiver.progress(bundle, progress);
                }
                ReceiverEvent::Write(chunk) => {
                    let f = inbox.file(chunk.bundle)?;
                    f.write_all(&chunk.data)
                        .context("could not write to the inbox")?;
                    if options
                        .cut_after_bytes
                        .is_some_and(|limit| session.bytes_received >= limit)
                    {
                        bail!("the link was cut on purpose");
                    }
                }
                ReceiverEvent::Discard { bundle } => {
                    let f = inbox.file(bundle)?;
                    f.set_len(0)?;
                    f.seek(SeekFrom::Start(0))?;
                }
                ReceiverEvent::Complete {
                    bundle,
                    size,
                    sha256,
                } => {
                    if let Some(start) = first_offer {
                        session.transfer_time = start.elapsed();
                    }
                    let checking = Instant::now();
                    if let Some(f) = inbox.files.remove(&bundle) {
                        f.sync_all().context("could not write to the inbox")?;
                    }
                    let path = inbox.path(bundle);
                    let (len, hash) = file_sha256(&path).unwrap_or((0, [0; 32]));
                    let result = if len != size || hash != sha256 {
                        Err("the received file does not match its checksum".to_owned())
                    } else {
                        let file = File::open(&path)?;
                        tokio::task::block_in_place(|| store.import_bundle(file))
                            .map_err(|e| e.to_string())
                    };
                    let _ = fs::remove_file(&path);
                    session.import_time += checking.elapsed();
                    match result {
                        Ok(_) => {
                            session.imported += 1;
                            println!("imported bundle {bundle}");
                            receiver.imported(bundle);
                        }
                        Err(reason) => {
                            session.refused += 1;
                            println!("refused bundle {bundle}: {reason}");
                            receiver.rejected(bundle, reason);
                        }
                    }
                }
                ReceiverEvent::Finished => finished = true,
            }
        }
        while let Some(m) = receiver.poll_transmit() {
            write_message(send, m).await?;
        }
    }
    let _ = send.finish();
    session.summary = format!(
        "sync done: {} bundle(s) imported, {} refused",
        session.imported, session.refused
    );
    Ok(session)
}

/// The address to put in a pairing code: `listen` if it names one host,
/// else this machine's address on the local network.
pub fn advertised_address(listen: SocketAddr) -> SocketAddr {
    if !listen.ip().is_unspecified() {
        return listen;
    }
    // Asking the routing table which address would reach the network sends
    // no packet.
    let local = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into());
    SocketAddr::new(local, listen.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_gets_a_few_places_and_gives_them_back() {
        let counts = PerAddress::default();
        let stranger: std::net::IpAddr = [192, 0, 2, 7].into();
        let tablet: std::net::IpAddr = [192, 0, 2, 8].into();
        let held: Vec<Place> = (0..MAX_CONNECTIONS_PER_ADDRESS)
            .map(|_| counts.take(stranger).expect("a place"))
            .collect();
        assert!(counts.take(stranger).is_none(), "one address took more");
        assert!(counts.take(tablet).is_some(), "another address was refused");
        drop(held);
        assert!(
            counts.take(stranger).is_some(),
            "the places were not given back"
        );
    }
}
