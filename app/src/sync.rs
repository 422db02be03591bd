//! The tablet's end of the link: pairing with a companion and sending it
//! sealed bundles over QUIC (quinn), driving the sans-IO [`Sender`] from
//! `tsunagi_core::link`.
//!
//! A sync seals the changes since the last acknowledged bundle, then offers
//! every undelivered bundle; a cut link is retried with growing waits and
//! resumes where the companion's copy ends. A bundle is marked delivered only
//! on the companion's acknowledgement.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use tsunagi_core::link::pairing::{self, EXPORTER_LABEL, EXPORTER_LEN, PairingCode};
use tsunagi_core::link::wire::{self, Frame, Message};
use tsunagi_core::link::{
    Fingerprint, Sender, SenderEvent, TlsIdentity, Transmit, quic, reference, tls,
};
use tsunagi_core::reference::Trust;
use tsunagi_core::seal::{BundleId, Recipient, SignerKey};
use tsunagi_core::store::Store;
use tsunagi_core::store::sync::{Peer, PeerKind};

/// How many times a cut link is retried in one sync.
pub const RETRIES: u32 = 6;
/// How many times an unanswered connection is retried in one sync: the
/// companion may be starting, but a worker should not wait long to hear
/// that it is off.
pub const RETRIES_TO_CONNECT: u32 = 2;
/// How long a connection may take to be answered.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
/// The first wait before a retry; it doubles each time.
pub const FIRST_WAIT: Duration = Duration::from_millis(500);
/// The most bundles one sync seals (cases sent alone after a refusal each
/// take one); the rest wait for the next sync.
pub const MAX_BUNDLES_PER_SYNC: usize = 64;

/// What a sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Bundles the companion acknowledged.
    pub delivered: usize,
    /// Bundles the companion refused, with its reasons. A refused bundle is
    /// dropped; its cases go again at the next sync, each alone, and a case
    /// refused alone is held back until it changes
    /// ([`Store::bundle_refused`]).
    pub refused: Vec<String>,
    /// The reference release the office offered and this tablet installed
    /// (共有データベースの更新): its version.
    pub reference: Option<String>,
    /// Why a newer release the office offered was not installed; the
    /// sync itself succeeded.
    pub reference_problem: Option<String>,
}

/// How far a sync has come: bytes of sealed data the companion has of all
/// that this sync sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes the companion has (sent now, or kept from a cut transfer).
    pub sent: u64,
    /// Bytes of every bundle this sync sends.
    pub total: u64,
}

/// What a sync has done so far, and whom to tell.
struct Tally<'a> {
    report: SyncReport,
    /// Per bundle: its size and how far the companion has it.
    bundles: HashMap<BundleId, (u64, u64)>,
    on_progress: &'a mut dyn FnMut(Progress),
    /// The reference version the companion's `Welcome` named.
    offered_reference: Option<String>,
}

impl Tally<'_> {
    fn reached(&mut self, bundle: BundleId, offset: u64) {
        if let Some((size, high)) = self.bundles.get_mut(&bundle) {
            *high = (*high).max(offset).min(*size);
        }
        let progress = Progress {
            sent: self.bundles.values().map(|(_, high)| high).sum(),
            total: self.bundles.values().map(|(size, _)| size).sum(),
        };
        (self.on_progress)(progress);
    }
}

pub(crate) enum Failure {
    /// Worth retrying: the link was cut.
    Cut(anyhow::Error),
    /// Worth a retry or two: the companion did not answer at all.
    Unreachable(anyhow::Error),
    /// Not worth retrying: refused, wrong certificate, bad protocol.
    Fatal(anyhow::Error),
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the network runtime")
}

pub(crate) fn endpoint(
    identity: &TlsIdentity,
    pinned: Fingerprint,
    to: SocketAddr,
) -> anyhow::Result<quinn::Endpoint> {
    let config = quic::client_config(identity, pinned)?;
    let bind: SocketAddr = if to.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let mut endpoint = quinn::Endpoint::client(bind).context("could not open a UDP socket")?;
    endpoint.set_default_client_config(config);
    Ok(endpoint)
}

pub(crate) async fn connect(
    endpoint: &quinn::Endpoint,
    to: SocketAddr,
) -> Result<quinn::Connection, Failure> {
    let connecting = endpoint
        .connect(to, tls::SERVER_NAME)
        .map_err(|e| Failure::Fatal(anyhow!("cannot connect to {to}: {e}")))?;
    let unreachable = |e: &dyn std::fmt::Display| {
        Failure::Unreachable(anyhow!(
            "事務所PC（{to}）に接続できません。同じネットワークにつながっていて、事務所PCが受信中か確かめてください (could not reach the companion at {to}: {e})"
        ))
    };
    let Ok(answered) = tokio::time::timeout(CONNECT_TIMEOUT, connecting).await else {
        return Err(unreachable(&"timed out"));
    };
    match answered {
        Ok(c) => Ok(c),
        Err(quinn::ConnectionError::TransportError(e)) => Err(Failure::Fatal(anyhow!(
            "接続先（{to}）はペアリングした事務所PCではないか、この端末を受け付けませんでした。もう一度ペアリングしてください (the companion at {to} is not the paired one, or refused this tablet's certificate: {e})"
        ))),
        Err(e) => Err(unreachable(&e)),
    }
}

pub(crate) async fn read_frame(recv: &mut quinn::RecvStream) -> anyhow::Result<Option<Frame>> {
    let mut prefix = [0u8; 4];
    match recv.read_exact(&mut prefix).await {
        Ok(()) => {}
        Err(quinn::ReadExactError::FinishedEarly(0)) => return Ok(None),
        Err(e) => return Err(e).context("通信が切れました (the link was cut)"),
    }
    let len = wire::body_len(prefix)?;
    let mut body = vec![0u8; len];
    recv.read_exact(&mut body)
        .await
        .context("通信が切れました (the link was cut)")?;
    Ok(Some(Frame::decode(&body)?))
}

pub(crate) async fn write(send: &mut quinn::SendStream, bytes: &[u8]) -> Result<(), Failure> {
    send.write_all(bytes).await.map_err(link_cut)
}

/// The link failed under a write or a stream's opening: a cut, so retried.
pub(crate) fn link_cut(e: impl std::fmt::Display) -> Failure {
    Failure::Cut(anyhow!("通信が切れました (the link was cut: {e})"))
}

pub(crate) fn companion(store: &Store) -> anyhow::Result<(Peer, SocketAddr)> {
    let peer = store
        .peers()?
        .into_iter()
        .find(|p| p.kind == PeerKind::Companion)
        .context("この端末は事務所PCとペアリングされていません (this tablet is not paired with a companion: pair first)")?;
    let addr = peer
        .address
        .as_deref()
        .and_then(|a| a.parse().ok())
        .context("the paired companion's address is not known: pair again")?;
    Ok((peer, addr))
}

/// Pairs with the companion that issued `code`. Returns the six-digit
/// verification code, which the companion shows too.
pub fn pair(store: &mut Store, code: &PairingCode) -> anyhow::Result<String> {
    let identity = store.device_identity()?;
    let signer = identity.keys.signer();
    let recipient = identity.keys.recipient();
    let rt = runtime()?;
    let (peer, verification) = rt.block_on(async {
        let endpoint = endpoint(&identity.tls, code.fingerprint, code.addr)?;
        let conn = connect(&endpoint, code.addr).await.map_err(|f| match f {
            Failure::Cut(e) | Failure::Unreachable(e) | Failure::Fatal(e) => e,
        })?;
        let mut exporter = [0u8; EXPORTER_LEN];
        conn.export_keying_material(&mut exporter, EXPORTER_LABEL, b"")
            .map_err(|_| anyhow!("could not bind the pairing to the session"))?;
        let proof = pairing::proof(&code.secret, &exporter, &signer, &recipient);
        let (mut send, mut recv) = conn.open_bi().await.context("通信が切れました (the link was cut)")?;
        let possession = identity
            .keys
            .sign(&pairing::possession_message(&exporter, &recipient));
        let hello = Frame::Message(Message::Pair {
            proof: hex::encode(proof),
            signer: signer.to_hex(),
            recipient: recipient.as_string(),
            possession: hex::encode(possession),
        });
        send.write_all(&hello.encode())
            .await
            .context("通信が切れました (the link was cut)")?;
        let answer = read_frame(&mut recv).await?;
        conn.close(0u32.into(), b"bye");
        endpoint.wait_idle().await;
        match answer {
            Some(Frame::Message(Message::Welcome { signer, recipient, .. })) => {
                let peer = Peer {
                    fingerprint: code.fingerprint,
                    kind: PeerKind::Companion,
                    signer: signer
                        .parse::<SignerKey>()
                        .map_err(|_| anyhow!("the companion sent a malformed key"))?,
                    recipient: recipient
                        .parse::<Recipient>()
                        .map_err(|_| anyhow!("the companion sent a malformed key"))?,
                    address: Some(code.addr.to_string()),
                    paired_at: tsunagi_core::rfc3339::Timestamp::now(),
                };
                Ok((peer, pairing::verification_code(&exporter)))
            }
            Some(Frame::Message(Message::Refused { reason })) => {
                Err(anyhow!("事務所PCがペアリングを受け付けませんでした (the companion refused the pairing): {reason}"))
            }
            _ => Err(anyhow!("事務所PCからペアリングの返事がありません (the companion did not answer the pairing)")),
        }
    })?;
    // A tablet sends to one companion: a new pairing replaces the old.
    for old in store.peers()? {
        if old.kind == PeerKind::Companion {
            store.remove_peer(&old.fingerprint)?;
        }
    }
    store.add_peer(&peer)?;
    Ok(verification)
}

/// Forgets the paired companion, telling it when it can be reached.
pub fn unpair(store: &mut Store) -> anyhow::Result<()> {
    let (peer, addr) = companion(store)?;
    let identity = store.device_identity()?;
    let rt = runtime()?;
    let told = rt.block_on(async {
        let endpoint = endpoint(&identity.tls, peer.fingerprint, addr).ok()?;
        let attempt = async {
            let conn = connect(&endpoint, addr).await.ok()?;
            let (mut send, _recv) = conn.open_bi().await.ok()?;
            send.write_all(&Frame::Message(Message::Unpair).encode())
                .await
                .ok()?;
            send.finish().ok()?;
            let _ = tokio::time::timeout(Duration::from_secs(2), conn.closed()).await;
            Some(())
        };
        tokio::time::timeout(Duration::from_secs(5), attempt)
            .await
            .ok()
            .flatten()
    });
    store.remove_peer(&peer.fingerprint)?;
    if told.is_none() {
        eprintln!(
            "tsunagi: warning: the companion could not be told; unpair this tablet there too (`tsunagi-companion unpair`)"
        );
    }
    Ok(())
}

/// Seals what changed and sends every undelivered bundle to the paired
/// companion, retrying a cut link [`RETRIES`] times with doubling waits.
pub fn sync(store: &mut Store) -> anyhow::Result<SyncReport> {
    sync_with(store, &mut |_| {})
}

/// [`sync`], telling `on_progress` after every chunk and acknowledgement.
pub fn sync_with(
    store: &mut Store,
    on_progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<SyncReport> {
    sync_trusting(store, &Trust::built_in(), on_progress)
}

/// [`sync_with`], installing a reference release the office offers only
/// when it is signed by a publisher `trust` accepts.
pub fn sync_trusting(
    store: &mut Store,
    trust: &Trust,
    on_progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<SyncReport> {
    let (peer, paired_addr) = companion(store)?;
    let mut addr = paired_addr;
    // Sealed until nothing is left: the cases of a refused bundle go one
    // per bundle, the rest together.
    for _ in 0..MAX_BUNDLES_PER_SYNC {
        if store.seal_changes_for(&peer)?.is_none() {
            break;
        }
    }
    let identity = store.device_identity()?;
    let bundles = store
        .pending_bundles(&peer.fingerprint)?
        .iter()
        .map(|p| (p.outgoing.id, (p.outgoing.size, 0)))
        .collect();
    let mut tally = Tally {
        report: SyncReport::default(),
        bundles,
        on_progress,
        offered_reference: None,
    };
    let rt = runtime()?;
    rt.block_on(async {
        let mut backoff = Backoff::new();
        // Where LAN discovery says the companion is, once asked.
        let mut found: Option<Vec<SocketAddr>> = None;
        loop {
            let pending = store.pending_bundles(&peer.fingerprint)?;
            let e = match session(store, &identity.tls, &peer, addr, pending, &mut tally).await {
                Ok(()) => {
                    if addr != paired_addr {
                        store.set_peer_address(&peer.fingerprint, &addr.to_string())?;
                        eprintln!("tsunagi: the companion's new address {addr} is kept for next time");
                    }
                    let mut report = tally.report;
                    let in_use = crate::reference_sync::in_use(store.dir(), trust)?;
                    let offered = tally.offered_reference.as_deref();
                    if reference::wanted(offered, &in_use) {
                        let fetched = crate::reference_sync::fetch_and_install(
                            &identity.tls,
                            peer.fingerprint,
                            addr,
                            store.dir(),
                            trust,
                        )
                        .await;
                        match fetched {
                            Ok(version) => report.reference = Some(version.as_str().to_owned()),
                            Err(e) => {
                                eprintln!("tsunagi: warning: {e:#}");
                                report.reference_problem = Some(format!("{e:#}"));
                            }
                        }
                    }
                    return Ok(report);
                }
                Err(Failure::Unreachable(e)) if found.as_ref().is_none_or(|f| !f.is_empty()) => {
                    let candidates = match &mut found {
                        Some(candidates) => candidates,
                        None => {
                            let fingerprint = peer.fingerprint;
                            let mut answered = tokio::task::spawn_blocking(move || {
                                crate::discovery::find_companion(
                                    &fingerprint,
                                    crate::discovery::LOOK_FOR,
                                )
                            })
                            .await
                            .unwrap_or_default();
                            answered.retain(|a| *a != addr);
                            // Tried from the end: the preferred address last.
                            answered.reverse();
                            found.insert(answered)
                        }
                    };
                    match candidates.pop() {
                        Some(next) => {
                            eprintln!(
                                "tsunagi: {e:#}; the companion answered on the LAN at {next}: trying there"
                            );
                            addr = next;
                            continue;
                        }
                        None => e,
                    }
                }
                Err(failure) => backoff.counted(failure)?,
            };
            backoff.pause(&e).await;
        }
    })
}

/// How a run of connections to the companion retries: cut links and
/// unanswered connections each counted against their own limit
/// ([`RETRIES`], [`RETRIES_TO_CONNECT`]), the wait between tries doubling
/// from [`FIRST_WAIT`] to at most 30 s.
pub(crate) struct Backoff {
    cuts: u32,
    unanswered: u32,
    wait: Duration,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        Self {
            cuts: 0,
            unanswered: 0,
            wait: FIRST_WAIT,
        }
    }

    /// Counts `failure`: its error to try again after, or to give up with
    /// (`Err`) when it is fatal or its kind has used up its tries.
    pub(crate) fn counted(&mut self, failure: Failure) -> anyhow::Result<anyhow::Error> {
        let (count, limit, e) = match failure {
            Failure::Fatal(e) => return Err(e),
            Failure::Cut(e) => (&mut self.cuts, RETRIES, e),
            Failure::Unreachable(e) => (&mut self.unanswered, RETRIES_TO_CONNECT, e),
        };
        *count += 1;
        if *count > limit { Err(e) } else { Ok(e) }
    }

    /// Says why, and waits before the next try.
    pub(crate) async fn pause(&mut self, e: &anyhow::Error) {
        eprintln!("tsunagi: {e:#}; retrying in {} ms", self.wait.as_millis());
        tokio::time::sleep(self.wait).await;
        self.wait = (self.wait * 2).min(Duration::from_secs(30));
    }
}

async fn session(
    store: &mut Store,
    identity: &TlsIdentity,
    peer: &Peer,
    addr: SocketAddr,
    pending: Vec<tsunagi_core::store::sync::PendingBundle>,
    tally: &mut Tally<'_>,
) -> Result<(), Failure> {
    let endpoint = endpoint(identity, peer.fingerprint, addr).map_err(Failure::Fatal)?;
    let conn = connect(&endpoint, addr).await?;
    let result = transfer(store, &conn, pending, tally).await;
    conn.close(0u32.into(), b"bye");
    let _ = tokio::time::timeout(Duration::from_secs(2), endpoint.wait_idle()).await;
    result
}

async fn transfer(
    store: &mut Store,
    conn: &quinn::Connection,
    pending: Vec<tsunagi_core::store::sync::PendingBundle>,
    tally: &mut Tally<'_>,
) -> Result<(), Failure> {
    let cut = |e: anyhow::Error| Failure::Cut(e);
    let (mut send, mut recv) = conn.open_bi().await.map_err(link_cut)?;
    write(&mut send, &Frame::Message(Message::Hello).encode()).await?;
    match read_frame(&mut recv).await.map_err(cut)? {
        Some(Frame::Message(Message::Welcome { reference, .. })) => {
            tally.offered_reference = reference;
        }
        Some(Frame::Message(Message::Refused { reason })) => {
            return Err(Failure::Fatal(anyhow!(
                "事務所PCがこの端末を受け付けませんでした (the companion refused this tablet): {reason}"
            )));
        }
        None => return Err(cut(anyhow!("the companion closed the link"))),
        Some(_) => {
            return Err(Failure::Fatal(anyhow!(
                "the companion answered with something unexpected"
            )));
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        loop {
            let item = read_frame(&mut recv).await;
            let end = !matches!(item, Ok(Some(_)));
            if tx.send(item).is_err() || end {
                break;
            }
        }
    });
    let files: HashMap<BundleId, std::path::PathBuf> = pending
        .iter()
        .map(|p| (p.outgoing.id, p.file.clone()))
        .collect();
    let mut open: HashMap<BundleId, File> = HashMap::new();
    let mut sender = Sender::new(pending.iter().map(|p| p.outgoing).collect(), Instant::now());
    let result = loop {
        while let Some(event) = sender.poll_event() {
            match event {
                SenderEvent::Delivered(id) => {
                    store
                        .mark_delivered(id)
                        .map_err(|e| Failure::Fatal(e.into()))?;
                    open.remove(&id);
                    tally.report.delivered += 1;
                    tally.reached(id, u64::MAX);
                }
                SenderEvent::Rejected(id, reason) => {
                    eprintln!("tsunagi: the companion refused bundle {id}: {reason}");
                    store
                        .bundle_refused(id, &reason)
                        .map_err(|e| Failure::Fatal(e.into()))?;
                    open.remove(&id);
                    tally.report.refused.push(reason);
                }
                SenderEvent::Finished => {}
            }
        }
        // `Done` is sent: the companion may close the link at once, and a
        // read cut short by that is no failure.
        if sender.is_finished() {
            break Ok(());
        }
        // Take what has arrived without waiting.
        let mut incoming = Vec::new();
        while let Ok(item) = rx.try_recv() {
            incoming.push(item);
        }
        for item in incoming {
            handle(&mut sender, item)?;
        }
        if let Some(t) = sender.poll_transmit(Instant::now()) {
            match t {
                Transmit::Message(m) => {
                    write(&mut send, &Frame::Message(m).encode()).await?;
                }
                Transmit::Chunk {
                    bundle,
                    offset,
                    len,
                } => {
                    let file = match open.entry(bundle) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            let path = files
                                .get(&bundle)
                                .expect("the sender names pending bundles");
                            e.insert(File::open(path).map_err(|e| {
                                Failure::Fatal(anyhow!(
                                    "a sealed bundle is missing from the outbox ({e})"
                                ))
                            })?)
                        }
                    };
                    // A buffer per chunk, handed to quinn as it is: no copy.
                    let mut data = vec![0u8; len as usize];
                    file.seek(SeekFrom::Start(offset))
                        .and_then(|_| file.read_exact(&mut data))
                        .map_err(|e| {
                            Failure::Fatal(anyhow!("could not read a sealed bundle ({e})"))
                        })?;
                    write(&mut send, &wire::chunk_header(bundle, offset, data.len())).await?;
                    send.write_chunk(bytes::Bytes::from(data))
                        .await
                        .map_err(link_cut)?;
                    tally.reached(bundle, offset + len);
                }
            }
            continue;
        }
        if sender.is_finished() {
            break Ok(());
        }
        let deadline = sender.poll_timeout();
        tokio::select! {
            item = rx.recv() => match item {
                Some(item) => handle(&mut sender, item)?,
                None => break Err(cut(anyhow!("通信が切れました (the link was cut)"))),
            },
            () = sleep_until(deadline) => {
                sender
                    .handle_timeout(Instant::now())
                    .map_err(|e| cut(e.into()))?;
            }
        }
    };
    let _ = send.finish();
    // Let the companion read `Done` and close its side.
    let _ = tokio::time::timeout(Duration::from_secs(5), reader).await;
    result
}

pub(crate) async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

fn handle(sender: &mut Sender, item: anyhow::Result<Option<Frame>>) -> Result<(), Failure> {
    match item {
        Ok(Some(Frame::Message(m))) => sender
            .handle_message(Instant::now(), m)
            .map_err(|e| Failure::Fatal(e.into())),
        Ok(Some(Frame::Chunk(_))) => Err(Failure::Fatal(anyhow!(
            "the companion sent data it should not"
        ))),
        Ok(None) => Err(Failure::Cut(anyhow!("the companion closed the link"))),
        Err(e) => Err(Failure::Cut(e)),
    }
}
