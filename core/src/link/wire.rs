//! The frames on the link's stream. Wire types only: they are parsed into
//! domain values ([`BundleId`], [`SignerKey`], …) where they enter the state
//! machines, and nothing here is trusted before that.
//!
//! A frame is `u32 length (big-endian, of what follows) ‖ u8 version ‖ u8
//! kind ‖ body`. Kind 1 is a control [`Message`] as JSON; kind 2 is a
//! [`Chunk`]: `32-byte bundle id ‖ u64 offset ‖ data`.

use serde::{Deserialize, Serialize};

use super::LinkError;
use crate::seal::BundleId;

/// The protocol version this build speaks (in every frame).
pub const PROTOCOL_VERSION: u8 = 1;
/// The bytes of data in a full chunk.
pub const CHUNK_SIZE: u64 = 256 * 1024;
/// The largest frame accepted (a chunk and its header, with room to spare).
pub const MAX_FRAME: u32 = 1024 * 1024;

const KIND_MESSAGE: u8 = 1;
const KIND_CHUNK: u8 = 2;
/// The bytes of a chunk frame's header (bundle id and offset) after its
/// version and kind.
pub const CHUNK_HEADER: usize = 32 + 8;

/// A control message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// Tablet → companion, first on a new connection from a paired tablet.
    Hello,
    /// Tablet → companion, first on a new connection from a paired tablet
    /// that asks for the cases the office handed to it (a replaced tablet,
    /// 事務所PCから受け取る): after `Welcome` the roles turn, and the
    /// companion offers bundles that the tablet acknowledges.
    Fetch,
    /// Tablet → companion, first on a new connection from a paired tablet
    /// that asks for the companion's reference release: after `Welcome`,
    /// the companion sends its files in `ReferencePiece`s, then `Done`.
    ReferenceWanted,
    /// Companion → tablet: a piece of one file of a reference release.
    ReferencePiece {
        /// `diseases.json`, `occupations.json` or `release.sig`.
        file: String,
        /// Where in the file the piece starts.
        offset: u64,
        /// The file's whole length.
        total: u64,
        /// The bytes, base64.
        data: String,
    },
    /// Tablet → companion, first on a connection made with a pairing code:
    /// the proof of the code's secret bound to this TLS session, and the
    /// tablet's public keys.
    Pair {
        /// HMAC-SHA256 (hex) — see [`super::pairing::proof`].
        proof: String,
        /// The tablet's Ed25519 public key (hex).
        signer: String,
        /// The tablet's `age1…` key.
        recipient: String,
        /// The tablet's Ed25519 signature (hex) of
        /// [`super::pairing::possession_message`]: it holds `signer`.
        possession: String,
    },
    /// Companion → tablet: the connection is accepted.
    Welcome {
        /// The companion's Ed25519 public key (hex).
        signer: String,
        /// The companion's `age1…` key that bundles are sealed to.
        recipient: String,
        /// The version of the signed reference release the companion uses
        /// and can give, when it is not the one built into the apps: a
        /// tablet with an older one asks for it (`ReferenceWanted`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// Either way: the connection is refused; it closes after this.
    Refused {
        /// Why, in plain words.
        reason: String,
    },
    /// Tablet → companion: a bundle is ready to send.
    Offer {
        /// The bundle id (hex).
        bundle: String,
        /// The sealed file's size in bytes.
        size: u64,
        /// The sealed file's SHA-256 (hex), checked before import.
        sha256: String,
    },
    /// Companion → tablet: how many bytes of the offered bundle it already has.
    Have {
        /// The bundle id (hex).
        bundle: String,
        /// Bytes already received; send from here.
        offset: u64,
    },
    /// Companion → tablet: the bundle is imported (or was before). Only this
    /// marks a bundle delivered.
    Ack {
        /// The bundle id (hex).
        bundle: String,
    },
    /// Companion → tablet: the bundle was received but refused.
    Reject {
        /// The bundle id (hex).
        bundle: String,
        /// Why, in plain words.
        reason: String,
    },
    /// Tablet → companion: nothing more to send.
    Done,
    /// Either way: forget the other device; it closes after this.
    Unpair,
}

/// A piece of a sealed bundle's file.
#[derive(Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Which bundle.
    pub bundle: BundleId,
    /// Where in the file the data starts.
    pub offset: u64,
    /// The bytes.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunk")
            .field("bundle", &self.bundle)
            .field("offset", &self.offset)
            .field("len", &self.data.len())
            .finish()
    }
}

/// One frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A control message.
    Message(Message),
    /// A piece of a bundle.
    Chunk(Chunk),
}

impl Frame {
    /// The frame's bytes, length prefix included.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Frame::Message(m) => {
                let body = serde_json::to_vec(m).expect("a message serialises");
                let mut out = Vec::with_capacity(6 + body.len());
                out.extend_from_slice(&((body.len() + 2) as u32).to_be_bytes());
                out.push(PROTOCOL_VERSION);
                out.push(KIND_MESSAGE);
                out.extend_from_slice(&body);
                out
            }
            Frame::Chunk(c) => {
                let mut out = chunk_header(c.bundle, c.offset, c.data.len());
                out.extend_from_slice(&c.data);
                out
            }
        }
    }

    /// Parses a frame's body (what follows the length prefix).
    pub fn decode(body: &[u8]) -> Result<Frame, LinkError> {
        let [version, kind, rest @ ..] = body else {
            return Err(LinkError::Protocol("a frame is too short"));
        };
        if *version != PROTOCOL_VERSION {
            return Err(LinkError::Version(*version));
        }
        match *kind {
            KIND_MESSAGE => serde_json::from_slice(rest)
                .map(Frame::Message)
                .map_err(|_| LinkError::Protocol("a message is not valid")),
            KIND_CHUNK => {
                if rest.len() < CHUNK_HEADER {
                    return Err(LinkError::Protocol("a chunk is too short"));
                }
                let (head, data) = rest.split_at(CHUNK_HEADER);
                let head: [u8; CHUNK_HEADER] = head.try_into().expect("split at its length");
                Ok(Frame::Chunk(Chunk::from_parts(&head, data.to_vec())))
            }
            _ => Err(LinkError::Protocol("unknown frame kind")),
        }
    }

    /// Whether a body starting with `start` (its version and kind) is a
    /// chunk, so that a driver can read the chunk's data straight into its
    /// own buffer ([`Chunk::from_parts`]) rather than copy it out of a body.
    pub fn is_chunk(start: [u8; 2]) -> Result<bool, LinkError> {
        if start[0] != PROTOCOL_VERSION {
            return Err(LinkError::Version(start[0]));
        }
        Ok(start[1] == KIND_CHUNK)
    }
}

impl Chunk {
    /// A chunk from its header (as on the wire) and its data.
    pub fn from_parts(head: &[u8; CHUNK_HEADER], data: Vec<u8>) -> Self {
        let mut id = [0u8; 32];
        id.copy_from_slice(&head[..32]);
        let mut offset = [0u8; 8];
        offset.copy_from_slice(&head[32..]);
        Self {
            bundle: BundleId(id),
            offset: u64::from_be_bytes(offset),
            data,
        }
    }
}

/// The length prefix, version, kind and chunk header of a chunk of `len`
/// bytes, so a driver can write the data from its own buffer after it.
pub fn chunk_header(bundle: BundleId, offset: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 2 + CHUNK_HEADER);
    out.extend_from_slice(&((2 + CHUNK_HEADER + len) as u32).to_be_bytes());
    out.push(PROTOCOL_VERSION);
    out.push(KIND_CHUNK);
    out.extend_from_slice(&bundle.0);
    out.extend_from_slice(&offset.to_be_bytes());
    out
}

/// Reads a length prefix: the length of the body that follows, refused if
/// it is larger than [`MAX_FRAME`].
pub fn body_len(prefix: [u8; 4]) -> Result<usize, LinkError> {
    let len = u32::from_be_bytes(prefix);
    if !(2..=MAX_FRAME).contains(&len) {
        return Err(LinkError::Protocol("a frame has an impossible length"));
    }
    Ok(len as usize)
}

/// Splits a byte stream into frames (for in-memory use; the QUIC drivers
/// read the prefix and the body directly).
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: Vec<u8>,
}

impl FrameDecoder {
    /// Adds bytes received.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, if one has arrived.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, LinkError> {
        if self.buf.len() < 4 {
            return Ok(None);
        }
        let len = body_len([self.buf[0], self.buf[1], self.buf[2], self.buf[3]])?;
        if self.buf.len() < 4 + len {
            return Ok(None);
        }
        let frame = Frame::decode(&self.buf[4..4 + len])?;
        self.buf.drain(..4 + len);
        Ok(Some(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn frames_survive_encoding_split_at_any_point() {
        let frames = vec![
            Frame::Message(Message::Offer {
                bundle: "ab".into(),
                size: 7,
                sha256: "cd".into(),
            }),
            Frame::Chunk(Chunk {
                bundle: BundleId([7; 32]),
                offset: 99,
                data: vec![1, 2, 3],
            }),
            Frame::Message(Message::Done),
        ];
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        for split in 0..bytes.len() {
            let mut d = FrameDecoder::default();
            d.push(&bytes[..split]);
            let mut got = Vec::new();
            while let Some(f) = d.next_frame().expect("decodes") {
                got.push(f);
            }
            d.push(&bytes[split..]);
            while let Some(f) = d.next_frame().expect("decodes") {
                got.push(f);
            }
            assert_eq!(got, frames);
        }
    }

    #[test]
    fn a_frame_of_another_version_is_refused_with_the_version() {
        let mut bytes = Frame::Message(Message::Done).encode();
        bytes[4] = 9;
        assert!(matches!(
            Frame::decode(&bytes[4..]),
            Err(LinkError::Version(9))
        ));
    }

    #[test]
    fn an_oversized_length_is_refused_before_reading() {
        assert!(body_len((MAX_FRAME + 1).to_be_bytes()).is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut d = FrameDecoder::default();
            d.push(&bytes);
            while let Ok(Some(_)) = d.next_frame() {}
        }
    }
}
