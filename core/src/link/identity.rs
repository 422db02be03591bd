//! A device's TLS identity for the link: a self-signed certificate made with
//! `rcgen`, pinned by the peer through its SHA-256 fingerprint.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::LinkError;

/// The SHA-256 of a certificate's DER bytes (証明書の指紋), shown as hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of(cert_der: &[u8]) -> Self {
        Self(Sha256::digest(cert_der).into())
    }

    /// Every digit, for storing.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Fingerprint {
    /// The first 16 hex digits in groups of four (enough to compare by eye).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = hex::encode(&self.0[..8]);
        write!(f, "{}-{}-{}-{}", &h[0..4], &h[4..8], &h[8..12], &h[12..16])
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.to_hex())
    }
}

impl FromStr for Fingerprint {
    type Err = LinkError;
    fn from_str(s: &str) -> Result<Self, LinkError> {
        let bytes = hex::decode(s).map_err(|_| LinkError::Protocol("a fingerprint is hex"))?;
        Ok(Self(bytes.try_into().map_err(|_| {
            LinkError::Protocol("a fingerprint has 32 bytes")
        })?))
    }
}

/// A certificate and its private key (PKCS#8 DER). Kept only inside the
/// encrypted store; the key never reaches `Debug`.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 DER.
    pub key_der: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// A fresh self-signed certificate (ECDSA P-256) for `name`.
    pub fn generate(name: &str) -> Self {
        let certified = rcgen::generate_simple_self_signed(vec![name.to_owned()])
            .expect("rcgen makes a self-signed certificate for a plain DNS name");
        Self {
            cert_der: certified.cert.der().to_vec(),
            key_der: Zeroizing::new(certified.signing_key.serialize_der()),
        }
    }

    /// The certificate's fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.cert_der)
    }
}
