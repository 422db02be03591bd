//! Signed reference releases (署名付きの更新版).
//!
//! A release that replaces the bundled reference is a folder holding
//! `diseases.json`, `occupations.json` and [`SIGNATURE_FILE`]: an Ed25519
//! signature by the reference's publisher over the release's version and
//! the SHA-256 of both files. The publisher's public keys are built into
//! the apps (`assets/reference/publishers.txt`); the private key is kept by
//! the publisher and is not in this repository.
//!
//! What is refused, in words, before anything is installed or used:
//!
//! - a release without a signature, or with a damaged signature file;
//! - a signature by a key that is not a built-in publisher key;
//! - a signature that does not match the files (one byte changed in either);
//! - a signature for another version than the files carry;
//! - an implausible release even if signed: a version whose leading number
//!   is a year more than one year ahead, or a publication date in the future
//!   (a version 9999 would otherwise block every genuine update for good).
//!
//! The signature is checked at install **and** every time the update folder
//! is read, so a file changed in the data folder after installing is not
//! used.
//!
//! The signed message is the fixed prefix [`MESSAGE_PREFIX`], then the
//! version, the SHA-256 of `diseases.json` and of `occupations.json` in
//! lowercase hex, each followed by a newline.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, Duration};

use super::{ReferenceDb, ReferenceError};

/// The signature file inside a release folder.
pub const SIGNATURE_FILE: &str = "release.sig";

/// Domain separation for the signed message, so that a publisher's
/// signature over a release can never be taken for anything else.
const MESSAGE_PREFIX: &str = "tsunagi reference release, format 1\n";

/// The public keys built into this build.
const BUILT_IN: &str = include_str!("../../../assets/reference/publishers.txt");

/// The publisher keys a build trusts.
#[derive(Clone, Debug)]
pub struct Publishers(Vec<VerifyingKey>);

impl Publishers {
    /// The keys built into this build.
    ///
    /// # Panics
    ///
    /// Never for a build whose `publishers.txt` parses, which the tests
    /// check.
    pub fn built_in() -> Self {
        Self::parse(BUILT_IN).expect("assets/reference/publishers.txt holds valid keys")
    }

    /// Parses one hex-encoded Ed25519 public key per line; `#` starts a
    /// comment, blank lines are ignored.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for line in text.lines() {
            let key = line.split('#').next().unwrap_or("").trim();
            if key.is_empty() {
                continue;
            }
            keys.push(parse_key(key).ok_or_else(|| format!("{key:?} is not a publisher key"))?);
        }
        Ok(Self(keys))
    }

    /// Exactly these keys.
    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Self {
        Self(keys.into_iter().collect())
    }

    /// How many keys are trusted.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no key is trusted (then no release is accepted).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, key: &VerifyingKey) -> bool {
        self.0.iter().any(|k| k == key)
    }
}

/// A publisher's private signing key, as `tsunagi-centre reference sign`
/// keeps it in a file (64 hex digits). Never printed.
pub struct PublisherKey(SigningKey);

impl PublisherKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        Self(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    /// The key from its file text.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
        Some(Self(SigningKey::from_bytes(&bytes)))
    }

    /// The key as its file text. Secret.
    pub fn to_hex(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(hex::encode(self.0.to_bytes()))
    }

    /// The public half, as it goes into `publishers.txt`.
    pub fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }

    /// The public half in hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.public().to_bytes())
    }
}

impl fmt::Debug for PublisherKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublisherKey({})", self.public_hex())
    }
}

/// The contents of [`SIGNATURE_FILE`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureFile {
    format: u32,
    version: String,
    diseases_sha256: String,
    occupations_sha256: String,
    publisher: String,
    signature: String,
}

/// The text of [`SIGNATURE_FILE`] for a release made of these two files.
///
/// The files are parsed and validated first: only a valid release is
/// signed.
pub fn sign(
    key: &PublisherKey,
    diseases: &str,
    occupations: &str,
) -> Result<String, ReferenceError> {
    let db = ReferenceDb::from_texts(diseases, occupations)?;
    let version = db.version().as_str().to_owned();
    let (d, o) = (sha256_hex(diseases), sha256_hex(occupations));
    let signature = key.0.sign(&message(&version, &d, &o));
    let file = SignatureFile {
        format: 1,
        version,
        diseases_sha256: d,
        occupations_sha256: o,
        publisher: key.public_hex(),
        signature: hex::encode(signature.to_bytes()),
    };
    Ok(serde_json::to_string_pretty(&file).expect("a signature file serialises") + "\n")
}

/// Checks that `signature` (the text of [`SIGNATURE_FILE`], `None` when the
/// file is absent) is a trusted publisher's signature over exactly these
/// files, and that the release `db` read from them is plausible on `today`.
pub(super) fn verify(
    signature: Option<&str>,
    diseases: &str,
    occupations: &str,
    db: &ReferenceDb,
    publishers: &Publishers,
    today: Date,
) -> Result<(), ReferenceError> {
    let Some(signature) = signature else {
        return Err(ReferenceError::Unsigned);
    };
    let bad = |detail: &str| ReferenceError::BadSignature {
        detail: detail.to_owned(),
    };
    let file: SignatureFile =
        serde_json::from_str(signature).map_err(|_| bad("release.sig is not a signature file"))?;
    if file.format != 1 {
        return Err(bad("release.sig has a format this build does not read"));
    }
    let publisher =
        parse_key(&file.publisher).ok_or_else(|| bad("the publisher key is damaged"))?;
    if !publishers.trusts(&publisher) {
        return Err(ReferenceError::UnknownPublisher {
            key: file.publisher,
        });
    }
    let signature: [u8; 64] = hex::decode(&file.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("the signature is damaged"))?;
    let (d, o) = (sha256_hex(diseases), sha256_hex(occupations));
    // The signature covers what the files hold now, whatever the signature
    // file claims about them.
    publisher
        .verify_strict(
            &message(db.version().as_str(), &d, &o),
            &Signature::from_bytes(&signature),
        )
        .map_err(|_| {
            if file.version != db.version().as_str() {
                bad("the signature is for another version than the files carry")
            } else if file.diseases_sha256 != d || file.occupations_sha256 != o {
                bad("the files were changed after they were signed")
            } else {
                bad("the signature does not match")
            }
        })?;
    check_plausible(db, today)
}

/// Refuses a release dated in the future or numbered as a later year.
fn check_plausible(db: &ReferenceDb, today: Date) -> Result<(), ReferenceError> {
    let implausible = |detail: String| ReferenceError::Implausible {
        version: db.version().clone(),
        detail,
    };
    if db.published() > today + Duration::days(1) {
        return Err(implausible(format!(
            "it says it was published on {}, after today",
            db.published()
        )));
    }
    let leading = db
        .version()
        .as_str()
        .split('.')
        .next()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(0);
    if leading >= 1000 && leading > i64::from(today.year()) + 1 {
        return Err(implausible(format!("its version names the year {leading}")));
    }
    Ok(())
}

fn message(version: &str, diseases_sha256: &str, occupations_sha256: &str) -> Vec<u8> {
    format!("{MESSAGE_PREFIX}{version}\n{diseases_sha256}\n{occupations_sha256}\n").into_bytes()
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn parse_key(text: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}
