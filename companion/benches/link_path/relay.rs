//! The impairment relay: a UDP forwarder in the office's namespace that
//! stands in for the lossy, delayed part of a Wi-Fi path, since this kernel
//! has no netem. The tablet sends to the relay's address on the veth; for
//! every tablet address (one per connection) the relay opens a socket of its
//! own on the office's loopback towards the server. Each datagram, either
//! way, is dropped during an outage, else dropped with a fixed probability
//! drawn from a seeded generator, else held for a fixed delay in a queue
//! (first in, first out: the delay is the same for all) and sent on.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use crate::netns;

/// Towards the office (the data of a sync).
pub const UP: usize = 0;
/// Towards the tablet (acknowledgements).
pub const DOWN: usize = 1;

/// How the relay spoils the path, each way.
#[derive(Clone, Copy, Debug)]
pub struct Impairment {
    /// Added to every datagram that passes.
    pub delay: Duration,
    /// The chance that a datagram is dropped.
    pub loss: f64,
    /// Seeds the drops.
    pub seed: u64,
}

/// Bytes of datagram payload, per direction ([`UP`], [`DOWN`]).
#[derive(Debug, Default)]
pub struct Counters {
    /// Sent on.
    pub forwarded: [AtomicU64; 2],
    /// Dropped at random.
    pub lost: [AtomicU64; 2],
    /// Dropped in an outage.
    pub blacked_out: [AtomicU64; 2],
}

struct Shared {
    impairment: Impairment,
    target: Mutex<SocketAddr>,
    outage: Mutex<Option<(Instant, Instant)>>,
    /// splitmix64's state.
    rng: Mutex<u64>,
    counters: Counters,
    /// The first datagram sent on towards the office after an outage.
    first_after_outage: Mutex<Option<Instant>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn random(&self) -> f64 {
        let mut state = lock(&self.rng);
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Whether a datagram of `len` bytes going `dir` passes.
    fn passes(&self, dir: usize, len: usize) -> bool {
        let now = Instant::now();
        let len = len as u64;
        if let Some((start, end)) = *lock(&self.outage)
            && now >= start
        {
            if now < end {
                self.counters.blacked_out[dir].fetch_add(len, Ordering::Relaxed);
                return false;
            }
            if dir == UP {
                lock(&self.first_after_outage).get_or_insert(now);
            }
        }
        if self.random() < self.impairment.loss {
            self.counters.lost[dir].fetch_add(len, Ordering::Relaxed);
            return false;
        }
        self.counters.forwarded[dir].fetch_add(len, Ordering::Relaxed);
        true
    }
}

/// The running relay; stopped on drop.
pub struct Relay {
    /// Where the tablet sends.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

type Queue<T> = mpsc::UnboundedSender<(Instant, T, Vec<u8>)>;

impl Relay {
    /// Starts the relay in the office's namespace on `listen`, forwarding
    /// to `target` there.
    pub fn start(listen: SocketAddr, target: SocketAddr, impairment: Impairment) -> Self {
        let shared = Arc::new(Shared {
            impairment,
            target: Mutex::new(target),
            outage: Mutex::new(None),
            rng: Mutex::new(impairment.seed),
            counters: Counters::default(),
            first_after_outage: Mutex::new(None),
        });
        let (stop, stopped) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let run = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            netns::enter(netns::OFFICE);
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let outer = Arc::new(UdpSocket::bind(listen).await.expect("the relay binds"));
                ready_tx.send(()).expect("ready");
                tokio::select! {
                    () = forward(outer, run) => {}
                    _ = stopped => {}
                }
            });
        });
        ready_rx.recv().expect("the relay starts");
        Self {
            addr: listen,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// New connections go to `target` from now on.
    pub fn set_target(&self, target: SocketAddr) {
        *lock(&self.shared.target) = target;
    }

    /// Drops everything, both ways, for `length` from now; returns when it
    /// ends.
    pub fn outage(&self, length: Duration) -> Instant {
        let start = Instant::now();
        *lock(&self.shared.first_after_outage) = None;
        *lock(&self.shared.outage) = Some((start, start + length));
        start + length
    }

    /// When the first datagram after the last outage went on to the office.
    pub fn first_after_outage(&self) -> Option<Instant> {
        *lock(&self.shared.first_after_outage)
    }

    /// What went through and what was dropped so far.
    pub fn counters(&self) -> &Counters {
        &self.shared.counters
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn forward(outer: Arc<UdpSocket>, shared: Arc<Shared>) {
    let (up_tx, mut up_rx) = mpsc::unbounded_channel::<(Instant, Arc<UdpSocket>, Vec<u8>)>();
    let (down_tx, mut down_rx) = mpsc::unbounded_channel::<(Instant, SocketAddr, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((due, socket, data)) = up_rx.recv().await {
            wait(due).await;
            let _ = socket.send(&data).await;
        }
    });
    let out = Arc::clone(&outer);
    tokio::spawn(async move {
        while let Some((due, to, data)) = down_rx.recv().await {
            wait(due).await;
            let _ = out.send_to(&data, to).await;
        }
    });
    let mut flows: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((n, from)) = outer.recv_from(&mut buf).await else {
            // An ICMP error from an earlier send; nothing to forward.
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        };
        let inner = match flows.get(&from) {
            Some(s) => Arc::clone(s),
            None => {
                let s = Arc::new(
                    UdpSocket::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
                        .await
                        .expect("binds"),
                );
                let target = *lock(&shared.target);
                s.connect(target).await.expect("connects");
                tokio::spawn(backward(
                    Arc::clone(&s),
                    from,
                    Arc::clone(&shared),
                    down_tx.clone(),
                ));
                flows.insert(from, Arc::clone(&s));
                s
            }
        };
        if shared.passes(UP, n) {
            let due = Instant::now() + shared.impairment.delay;
            let _ = up_tx.send((due, inner, buf[..n].to_vec()));
        }
    }
}

async fn backward(
    inner: Arc<UdpSocket>,
    to: SocketAddr,
    shared: Arc<Shared>,
    down: Queue<SocketAddr>,
) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok(n) = inner.recv(&mut buf).await else {
            // The server's socket is gone (a port unreachable came back).
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        };
        if shared.passes(DOWN, n) {
            let due = Instant::now() + shared.impairment.delay;
            if down.send((due, to, buf[..n].to_vec())).is_err() {
                return;
            }
        }
    }
}

async fn wait(due: Instant) {
    if due > Instant::now() {
        tokio::time::sleep_until(due.into()).await;
    }
}
