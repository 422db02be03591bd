//! Pairing (ペアリング): the one-time code the companion shows, the proof the
//! tablet gives of its secret, bound to the TLS session, and the short code
//! both screens show.
//!
//! The code is `TSUNAGI1-` followed by unpadded base64url of
//!
//! ```text
//! family (4 or 6) ‖ IP address (4 or 16 bytes) ‖ port (u16 BE)
//! ‖ certificate fingerprint (32) ‖ secret (16) ‖ check (4)
//! ```
//!
//! where `check` is the first four bytes of SHA-256 over everything before
//! it, so a mistyped code is caught before any connection.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{Fingerprint, LinkError};
use crate::seal::{Recipient, SignerKey};

/// The text before every pairing code.
pub const CODE_PREFIX: &str = "TSUNAGI1-";
/// How long a pairing code is valid.
pub const CODE_LIFETIME: time::Duration = time::Duration::minutes(10);
/// The TLS exporter label both sides derive the session binding with.
pub const EXPORTER_LABEL: &[u8] = b"EXPORTER-tsunagi-pairing-v1";
/// The bytes of exporter keying material used.
pub const EXPORTER_LEN: usize = 32;

/// The pairing code's secret (16 random bytes). Never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingSecret(pub Zeroizing<[u8; 16]>);

impl PairingSecret {
    /// A fresh random secret.
    pub fn generate() -> Self {
        let mut s = Zeroizing::new([0u8; 16]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, s.as_mut());
        Self(s)
    }

    /// The secret as hex, for the companion's encrypted store.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// From [`PairingSecret::to_hex`].
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes: [u8; 16] = hex::decode(s).ok()?.try_into().ok()?;
        Some(Self(Zeroizing::new(bytes)))
    }
}

impl fmt::Debug for PairingSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PairingSecret(‹redacted›)")
    }
}

/// What the companion shows and the tablet types in: where to connect, which
/// certificate to expect, and the one-time secret.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// The companion's address.
    pub addr: SocketAddr,
    /// The companion's certificate fingerprint, pinned on connecting.
    pub fingerprint: Fingerprint,
    /// The one-time secret.
    pub secret: PairingSecret,
}

impl fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairingCode")
            .field("addr", &self.addr)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Zeroizing::new(Vec::with_capacity(72));
        match self.addr.ip() {
            IpAddr::V4(ip) => {
                bytes.push(4);
                bytes.extend_from_slice(&ip.octets());
            }
            IpAddr::V6(ip) => {
                bytes.push(6);
                bytes.extend_from_slice(&ip.octets());
            }
        }
        bytes.extend_from_slice(&self.addr.port().to_be_bytes());
        bytes.extend_from_slice(&self.fingerprint.0);
        bytes.extend_from_slice(self.secret.0.as_ref());
        let check = Sha256::digest(bytes.as_slice());
        bytes.extend_from_slice(&check[..4]);
        write!(
            f,
            "{CODE_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes.as_slice())
        )
    }
}

impl FromStr for PairingCode {
    type Err = LinkError;
    fn from_str(s: &str) -> Result<Self, LinkError> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let body = s.strip_prefix(CODE_PREFIX).ok_or(LinkError::BadCode)?;
        let bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(body)
                .map_err(|_| LinkError::BadCode)?,
        );
        let (ip, rest): (IpAddr, &[u8]) = match bytes.first() {
            Some(4) if bytes.len() == 1 + 4 + 2 + 32 + 16 + 4 => {
                let o: [u8; 4] = bytes[1..5].try_into().expect("length checked");
                (Ipv4Addr::from(o).into(), &bytes[5..])
            }
            Some(6) if bytes.len() == 1 + 16 + 2 + 32 + 16 + 4 => {
                let o: [u8; 16] = bytes[1..17].try_into().expect("length checked");
                (Ipv6Addr::from(o).into(), &bytes[17..])
            }
            _ => return Err(LinkError::BadCode),
        };
        let (signed, check) = bytes.split_at(bytes.len() - 4);
        if Sha256::digest(signed)[..4] != *check {
            return Err(LinkError::BadCode);
        }
        let port = u16::from_be_bytes([rest[0], rest[1]]);
        let fingerprint = Fingerprint(rest[2..34].try_into().expect("length checked"));
        let secret: [u8; 16] = rest[34..50].try_into().expect("length checked");
        Ok(Self {
            addr: SocketAddr::new(ip, port),
            fingerprint,
            secret: PairingSecret(Zeroizing::new(secret)),
        })
    }
}

fn proof_input(exporter: &[u8], signer: &SignerKey, recipient: &Recipient) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(b"tsunagi pairing proof v1\0");
    m.extend_from_slice(exporter);
    m.extend_from_slice(&signer.to_bytes());
    m.extend_from_slice(recipient.as_string().as_bytes());
    m
}

/// The tablet's proof that it holds the code's secret, bound to this TLS
/// session (`exporter`: [`EXPORTER_LEN`] bytes of keying material exported
/// with [`EXPORTER_LABEL`]) and to the keys it asks to be trusted with:
/// HMAC-SHA256(secret, context ‖ exporter ‖ signer ‖ recipient).
pub fn proof(
    secret: &PairingSecret,
    exporter: &[u8],
    signer: &SignerKey,
    recipient: &Recipient,
) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.0.as_ref()).expect("HMAC takes any key");
    mac.update(&proof_input(exporter, signer, recipient));
    mac.finalize().into_bytes().into()
}

/// What a tablet signs with the signing key it asks to be trusted with,
/// to show it holds that key: the TLS session (`exporter`) and its `age`
/// key, so the signature cannot be replayed in another session.
pub fn possession_message(exporter: &[u8], recipient: &Recipient) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(b"tsunagi pairing possession v1\0");
    m.extend_from_slice(exporter);
    m.extend_from_slice(recipient.as_string().as_bytes());
    m
}

/// Checks that `signature` is `signer`'s signature of
/// [`possession_message`] for this session.
pub fn verify_possession(
    exporter: &[u8],
    signer: &SignerKey,
    recipient: &Recipient,
    signature: &[u8],
) -> bool {
    signer.verifies(&possession_message(exporter, recipient), signature)
}

/// Checks a proof in constant time.
pub fn verify_proof(
    secret: &PairingSecret,
    exporter: &[u8],
    signer: &SignerKey,
    recipient: &Recipient,
    proof: &[u8],
) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.0.as_ref()).expect("HMAC takes any key");
    mac.update(&proof_input(exporter, signer, recipient));
    mac.verify_slice(proof).is_ok()
}

/// The six-digit code both screens show after pairing (確認コード), derived
/// from the TLS session: equal on both sides only if no one sits between.
pub fn verification_code(exporter: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"tsunagi verification code v1\0");
    h.update(exporter);
    let d = h.finalize();
    let n = u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 1_000_000;
    format!("{:03} {:03}", n / 1000, n % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::DeviceKeys;

    fn code() -> PairingCode {
        PairingCode {
            addr: "192.168.1.20:47800".parse().expect("addr"),
            fingerprint: Fingerprint([9; 32]),
            secret: PairingSecret::generate(),
        }
    }

    #[test]
    fn a_code_reads_back_as_itself_for_ipv4_and_ipv6() {
        let a = code();
        assert_eq!(a.to_string().parse::<PairingCode>().expect("parses"), a);
        let b = PairingCode {
            addr: "[fe80::1]:9".parse().expect("addr"),
            ..code()
        };
        assert_eq!(b.to_string().parse::<PairingCode>().expect("parses"), b);
    }

    #[test]
    fn a_mistyped_code_is_refused() {
        let text = code().to_string();
        for i in CODE_PREFIX.len()..text.len() {
            let mut chars: Vec<char> = text.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let typo: String = chars.into_iter().collect();
            if typo != text {
                assert!(typo.parse::<PairingCode>().is_err(), "typo at {i} accepted");
            }
        }
        assert!(text[..text.len() - 2].parse::<PairingCode>().is_err());
    }

    #[test]
    fn the_debug_form_of_a_code_hides_the_secret() {
        let c = code();
        let hexed = hex::encode(c.secret.0.as_ref());
        assert!(!format!("{c:?}").contains(&hexed));
    }

    #[test]
    fn a_proof_only_verifies_for_the_same_session_secret_and_keys() {
        let keys = DeviceKeys::generate();
        let other = DeviceKeys::generate();
        let secret = PairingSecret::generate();
        let p = proof(&secret, &[1; 32], &keys.signer(), &keys.recipient());
        assert!(verify_proof(
            &secret,
            &[1; 32],
            &keys.signer(),
            &keys.recipient(),
            &p
        ));
        assert!(!verify_proof(
            &secret,
            &[2; 32],
            &keys.signer(),
            &keys.recipient(),
            &p
        ));
        assert!(!verify_proof(
            &PairingSecret::generate(),
            &[1; 32],
            &keys.signer(),
            &keys.recipient(),
            &p
        ));
        assert!(!verify_proof(
            &secret,
            &[1; 32],
            &other.signer(),
            &keys.recipient(),
            &p
        ));
    }

    #[test]
    fn only_the_holder_of_a_signing_key_can_show_possession_in_this_session() {
        use crate::seal::DeviceKeys;
        let tablet = DeviceKeys::generate();
        let thief = DeviceKeys::generate();
        let exporter = [7u8; 32];
        let recipient = tablet.recipient();
        let signed = tablet.sign(&possession_message(&exporter, &recipient));
        assert!(verify_possession(
            &exporter,
            &tablet.signer(),
            &recipient,
            &signed
        ));
        // Another key's signature, another session, a cut signature: no.
        let forged = thief.sign(&possession_message(&exporter, &recipient));
        assert!(!verify_possession(
            &exporter,
            &tablet.signer(),
            &recipient,
            &forged
        ));
        assert!(!verify_possession(
            &[8u8; 32],
            &tablet.signer(),
            &recipient,
            &signed
        ));
        assert!(!verify_possession(
            &exporter,
            &tablet.signer(),
            &recipient,
            &signed[..63]
        ));
    }
}
