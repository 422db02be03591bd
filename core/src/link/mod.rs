//! The link to the companion (連携), as state machines that do no I/O.
//!
//! Like `quinn-proto`, everything here takes bytes and the time in and gives
//! messages and events out; the tablet (`app/src/sync.rs`) and the companion
//! (`companion/src/link.rs`) move the bytes over QUIC and the files on disk.
//! This lets loss, duplication, reordering and cuts be tested
//! deterministically in memory.
//!
//! - [`wire`]: the frames on the stream (length-prefixed, versioned);
//! - [`pairing`]: the one-time pairing code, the proof bound to the TLS
//!   session, the short verification code;
//! - [`identity`]: a device's TLS certificate and its fingerprint;
//! - [`discovery`]: the names under which a companion is found on the LAN;
//! - [`tls`]: rustls configurations that pin certificates by fingerprint;
//! - [`quic`]: the QUIC (quinn) configurations of both ends, with their
//!   transport settings;
//! - [`transfer`]: offer → have → chunks → ack, for the sender and the
//!   receiver.
//!
//! See `docs/link.md` for the protocol and its threat model.

pub mod discovery;
pub mod identity;
pub mod pairing;
pub mod quic;
pub mod reference;
pub mod tls;
pub mod transfer;
pub mod wire;

pub use identity::{Fingerprint, TlsIdentity};
pub use pairing::{PairingCode, PairingSecret};
pub use transfer::{Outgoing, Progress, Receiver, ReceiverEvent, Sender, SenderEvent, Transmit};

/// Why the link failed or refused a peer. Messages are for a support worker
/// and name no personal data.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The peer sent bytes that are not a frame of this protocol.
    #[error("the other device sent data this version does not understand: {0}")]
    Protocol(&'static str),
    /// The peer speaks another version of the protocol.
    #[error("the other device uses link protocol version {0}; update both to the same version")]
    Version(u8),
    /// The pairing code is malformed or mistyped.
    #[error("that is not a valid pairing code (ペアリングコードが正しくありません)")]
    BadCode,
    /// The peer refused us.
    #[error("the companion refused this tablet: {0}")]
    Refused(String),
    /// Nothing came back after every retry.
    #[error("the other device stopped answering (応答がありません)")]
    Timeout,
    /// This device's TLS configuration could not be made (e.g. its
    /// certificate or key is unusable).
    #[error(transparent)]
    Tls(#[from] rustls::Error),
    /// The TLS configuration lacks the cipher suite QUIC starts with.
    #[error("the TLS configuration does not suit QUIC")]
    NotForQuic(#[from] quinn::crypto::rustls::NoInitialCipherSuite),
}
