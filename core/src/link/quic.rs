//! The link's QUIC settings (quinn), written once for both ends: the
//! companion's server configuration and the tablet's client configuration,
//! each the rustls configuration of [`super::tls`] turned into quinn's, with
//! the same transport settings.

use std::sync::Arc;
use std::time::Duration;

use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};

use super::{Fingerprint, LinkError, TlsIdentity, tls};

/// How long a connection may stay silent before it is given up as cut.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an otherwise quiet connection is pinged, well within
/// [`IDLE_TIMEOUT`], so a slow step (sealing, importing) does not end it.
pub const KEEP_ALIVE: Duration = Duration::from_secs(3);
/// The most unacknowledged data one stream may receive ahead of its reader.
pub const STREAM_RECEIVE_WINDOW: u32 = 8 << 20;
/// The most unacknowledged data a connection may receive over all its
/// streams.
pub const RECEIVE_WINDOW: u32 = 16 << 20;
/// The most data a connection may have sent and not yet had acknowledged.
pub const SEND_WINDOW: u64 = 16 << 20;

/// The transport settings both ends use.
fn transport() -> quinn::TransportConfig {
    let mut transport = quinn::TransportConfig::default();
    transport
        .max_idle_timeout(Some(IDLE_TIMEOUT.try_into().expect(
            "IDLE_TIMEOUT, 10 s, is far below an idle timeout's limit of 2^62 ms",
        )))
        .keep_alive_interval(Some(KEEP_ALIVE))
        .stream_receive_window(STREAM_RECEIVE_WINDOW.into())
        .receive_window(RECEIVE_WINDOW.into())
        .send_window(SEND_WINDOW);
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
