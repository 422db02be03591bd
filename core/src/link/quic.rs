//! The link's QUIC settings (quinn), written once for both ends: the
//! companion's server configuration and the tablet's client configuration,
//! each the rustls configuration of [`super::tls`] turned into quinn's, with
//! the same transport settings.

use std::sync::Arc;
use std::time::Duration;

use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};

use super::{Fingerprint, LinkError, TlsIdentity, tls};

// The path these settings are for: the tablet on the office's Wi-Fi, about
// 100 Mbit/s with a round trip of a few to 20 ms, a percent or so of
// datagrams lost to radio noise rather than to a full queue, and now and
// then an outage of several seconds (a microwave oven, a door, a hand over
// the antenna, roaming between access points). The benchmark
// `companion/benches/link_path` measures them on such a path.

/// How long a connection may stay silent before it is given up as cut.
/// Not longer: during an outage quinn probes at doubling intervals, so a
/// connection that rides out a 10 s outage may wait as long again for its
/// next probe (measured: 14 s from the outage's end with 30 s here); one
/// given up instead is replaced by the sync within a second of the path
/// coming back, with a fresh handshake, and resumes from what the
/// companion holds.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an otherwise quiet connection is pinged, well within
/// [`IDLE_TIMEOUT`], so a slow step (sealing, importing) does not end it.
pub const KEEP_ALIVE: Duration = Duration::from_secs(3);
/// The round trip assumed before one is measured (quinn's default is
/// 333 ms): a handshake packet lost on a lossy LAN, or in an outage while
/// the sync reconnects, is sent again after about three times this, a
/// third of a second instead of a second; a LAN round trip is far below it.
pub const INITIAL_RTT: Duration = Duration::from_millis(100);
/// The most unacknowledged data one stream may receive ahead of its reader:
/// many times the path's bandwidth-delay product (100 Mbit/s × 20 ms is
/// 250 KB), so that the companion's disk writes, not the window, set the
/// pace on a fast LAN.
pub const STREAM_RECEIVE_WINDOW: u32 = 8 << 20;
/// The most unacknowledged data a connection may receive over all its
/// streams.
pub const RECEIVE_WINDOW: u32 = 16 << 20;
/// The most data a connection may have sent and not yet had acknowledged.
pub const SEND_WINDOW: u64 = 16 << 20;

/// The transport settings both ends use (the configurations below carry
/// them; a benchmark may vary one of them to compare).
///
/// Congestion is controlled by BBR rather than quinn's default, Cubic:
/// Cubic (like NewReno) reads every lost datagram as a full queue and cuts
/// its window, so one loss in a hundred, as radio noise gives, holds it to
/// a small part of the link's rate; BBR paces by the bandwidth and round
/// trip it measures, and random loss leaves those unchanged (on 100 Mbit/s
/// with 20 ms and 1 % loss: Cubic 0.7 MB/s, NewReno 0.8 MB/s, BBR
/// 11.6 MB/s). The windows are far above that path's bandwidth-delay
/// product, so they do not limit it; they are sized for a fast LAN.
pub fn transport() -> quinn::TransportConfig {
    let mut transport = quinn::TransportConfig::default();
    transport
        .max_idle_timeout(Some(IDLE_TIMEOUT.try_into().expect(
            "IDLE_TIMEOUT, 10 s, is far below an idle timeout's limit of 2^62 ms",
        )))
        .keep_alive_interval(Some(KEEP_ALIVE))
        .initial_rtt(INITIAL_RTT)
        .stream_receive_window(STREAM_RECEIVE_WINDOW.into())
        .receive_window(RECEIVE_WINDOW.into())
        .send_window(SEND_WINDOW)
        .congestion_controller_factory(Arc::new(quinn::congestion::BbrConfig::default()));
    transport
}

/// The companion's QUIC server configuration: [`tls::server_config`] for
/// `identity`, with the link's transport settings.
pub fn server_config(identity: &TlsIdentity) -> Result<quinn::ServerConfig, LinkError> {
    let quic = QuicServerConfig::try_from(tls::server_config(identity)?)?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(quic));
    config.transport_config(Arc::new(transport()));
    Ok(config)
}

/// The tablet's QUIC client configuration: [`tls::client_config`] for
/// `identity`, accepting only the companion whose certificate has the
/// fingerprint `pinned`, with the link's transport settings.
pub fn client_config(
    identity: &TlsIdentity,
    pinned: Fingerprint,
) -> Result<quinn::ClientConfig, LinkError> {
    let quic = QuicClientConfig::try_from(tls::client_config(identity, pinned)?)?;
    let mut config = quinn::ClientConfig::new(Arc::new(quic));
    config.transport_config(Arc::new(transport()));
    Ok(config)
}
