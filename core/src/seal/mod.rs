//! Sealed bundles (封をした送付データ): an `age` file (X25519 recipient) whose
//! plaintext is a signed manifest followed by its parts.
//!
//! The plaintext inside the `age` encryption is
//!
//! ```text
//! "TSNGBNDL"  u16 format (1)  u32 manifest length  manifest (JSON)
//! signature (64 bytes, Ed25519 over "tsunagi bundle manifest v1\0" ‖ manifest)
//! part 1 bytes ‖ part 2 bytes ‖ …   (lengths and SHA-256 in the manifest)
//! ```
//!
//! The manifest names the sender's signing key, the recipient, a random
//! nonce and every part with its length and SHA-256, so one signature covers
//! the whole bundle while parts stream through without being held in memory.
//! The bundle id ([`BundleId`]) is the SHA-256 of the manifest bytes.
//!
//! Nothing here touches a socket or a path: sealing writes to a [`Write`],
//! opening reads from a [`Read`]; the sealed bytes are ciphertext and may
//! live on disk.

mod manifest;
mod payload;

use std::fmt;
use std::io::{self, Read, Write};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use manifest::{FORMAT_VERSION, Manifest, PartInfo, PartKind};
pub use payload::{AuditHead, CaseRecord, MediaRecord, RevisionRecord};

/// The magic bytes at the start of a bundle's plaintext.
const MAGIC: &[u8; 8] = b"TSNGBNDL";
/// What the manifest signature is computed over, before the manifest.
const SIGNATURE_CONTEXT: &[u8] = b"tsunagi bundle manifest v1\0";
/// The largest manifest accepted (a manifest lists parts, not their data).
const MAX_MANIFEST: u32 = 16 * 1024 * 1024;
/// The largest case part held in memory on import.
pub const MAX_CASE_PART: u64 = 64 * 1024 * 1024;

/// Why sealing or opening a bundle failed. Messages are for a support worker
/// and name no personal data.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The bundle is sealed to another recipient's key.
    #[error("this bundle is not addressed to this device (送付先が違います)")]
    NotForUs,
    /// The manifest names a different recipient than the key that opened it.
    #[error("this bundle was re-addressed after signing (送付先の改ざん)")]
    WrongRecipient,
    /// The signer is not a paired or known tablet.
    #[error("this bundle is signed by an unknown device {0} (未登録の端末)")]
    UnknownSigner(String),
    /// The signature does not match the manifest.
    #[error("the bundle's signature is not valid (署名が不正です)")]
    BadSignature,
    /// The bytes were altered, cut short or are not a bundle at all.
    #[error("the bundle is damaged or incomplete (データが壊れているか不完全です): {0}")]
    Damaged(&'static str),
    /// A part's bytes do not match its SHA-256 in the manifest.
    #[error("part {0} of the bundle does not match its checksum (改ざん)")]
    PartMismatch(usize),
    /// A part given to [`seal`] did not have the length or hash it declared.
    #[error("a part to be sealed does not match its declared length or hash")]
    SourceMismatch,
    /// A part that cannot be imported here.
    #[error("the bundle holds a part this version cannot import: {0}")]
    Unsupported(String),
    /// A key or a recipient in the wrong format.
    #[error("not a valid key: {0}")]
    BadKey(&'static str),
    /// Reading or writing the bundle failed.
    #[error("the bundle could not be read or written: {0}")]
    Io(#[from] io::Error),
}

/// A bundle's id: the SHA-256 of its signed manifest. Each bundle is
/// imported at most once.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BundleId(pub [u8; 32]);

impl fmt::Display for BundleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for BundleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BundleId({self})")
    }
}

impl FromStr for BundleId {
    type Err = SealError;
    fn from_str(s: &str) -> Result<Self, SealError> {
        parse_hex32(s)
            .map(Self)
            .ok_or(SealError::BadKey("a bundle id is 64 hex digits"))
    }
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(s).ok()?;
    bytes.try_into().ok()
}

/// A device's public signing key (Ed25519), shown as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignerKey(pub VerifyingKey);

impl SignerKey {
    /// The 32 bytes of the key.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

impl fmt::Display for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Sixteen digits are enough to tell devices apart in a message.
        f.write_str(&hex::encode(&self.0.to_bytes()[..8]))
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignerKey({})", hex::encode(self.0.to_bytes()))
    }
}

impl FromStr for SignerKey {
    type Err = SealError;
    fn from_str(s: &str) -> Result<Self, SealError> {
        let bytes = parse_hex32(s).ok_or(SealError::BadKey("a signing key is 64 hex digits"))?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| SealError::BadKey("not an Ed25519 public key"))
    }
}

impl SignerKey {
    /// Whether `signature` (64 bytes) is this key's signature of `message`
    /// (strict Ed25519 verification). Bytes from a peer: never panics.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        self.0
            .verify_strict(message, &ed25519_dalek::Signature::from_bytes(&bytes))
            .is_ok()
    }

    /// The full 64 hex digits (for storing; [`Display`](fmt::Display) shortens).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }
}

/// An `age` X25519 public key (`age1…`) that bundles are sealed to.
#[derive(Clone)]
pub struct Recipient(age::x25519::Recipient);

impl Recipient {
    /// The `age1…` string.
    pub fn as_string(&self) -> String {
        self.0.to_string()
    }

    /// The `age` recipient itself, for sealing other files to it (a backup).
    pub(crate) fn as_age(&self) -> &age::x25519::Recipient {
        &self.0
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({})", self.0)
    }
}

impl PartialEq for Recipient {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl FromStr for Recipient {
    type Err = SealError;
    fn from_str(s: &str) -> Result<Self, SealError> {
        age::x25519::Recipient::from_str(s.trim())
            .map(Self)
            .map_err(|_| SealError::BadKey("an age public key starts with age1"))
    }
}

/// A device's secret keys for sealing: the Ed25519 signing key and the
/// `age` X25519 identity. Kept only inside the encrypted store.
pub struct DeviceKeys {
    signing: SigningKey,
    age: age::x25519::Identity,
}

impl fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceKeys")
            .field("signer", &self.signer())
            .finish_non_exhaustive()
    }
}

impl DeviceKeys {
    /// Fresh random keys.
    pub fn generate() -> Self {
        Self {
            signing: SigningKey::generate(&mut rand::rngs::OsRng),
            age: age::x25519::Identity::generate(),
        }
    }

    /// Keys from their stored form ([`DeviceKeys::to_secret_parts`]).
    pub fn from_secret_parts(signing: &[u8], age_identity: &str) -> Result<Self, SealError> {
        let signing: [u8; 32] = signing
            .try_into()
            .map_err(|_| SealError::BadKey("a signing key has 32 bytes"))?;
        let age = age::x25519::Identity::from_str(age_identity)
            .map_err(|_| SealError::BadKey("not an age identity"))?;
        Ok(Self {
            signing: SigningKey::from_bytes(&signing),
            age,
        })
    }

    /// The secret signing key's bytes and the `AGE-SECRET-KEY-1…` string,
    /// for storing inside the encrypted store only.
    pub fn to_secret_parts(&self) -> (Zeroizing<Vec<u8>>, Zeroizing<String>) {
        (
            Zeroizing::new(self.signing.to_bytes().to_vec()),
            Zeroizing::new(self.age.to_string().expose_secret().to_owned()),
        )
    }

    /// The public signing key.
    pub fn signer(&self) -> SignerKey {
        SignerKey(self.signing.verifying_key())
    }

    /// The public `age` key others seal to.
    pub fn recipient(&self) -> Recipient {
        Recipient(self.age.to_public())
    }

    /// The `age` identity (for [`BundleReader::open`]).
    pub fn age_identity(&self) -> &age::x25519::Identity {
        &self.age
    }

    /// Signs `message` (used by the link to bind keys to a pairing).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// One part to seal: what the manifest says of it and where its bytes come
/// from. The bytes are streamed and checked against `info` as they pass.
pub struct PartSource<'a> {
    /// Name, kind, length and SHA-256.
    pub info: PartInfo,
    /// The part's bytes.
    pub reader: Box<dyn Read + 'a>,
}

impl<'a> PartSource<'a> {
    /// A part held in memory.
    pub fn from_bytes(name: &str, kind: PartKind, bytes: &'a [u8]) -> Self {
        Self {
            info: PartInfo {
                name: name.to_owned(),
                kind,
                length: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(bytes)),
            },
            reader: Box::new(bytes),
        }
    }
}

fn signed_message(manifest: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_CONTEXT.len() + manifest.len());
    m.extend_from_slice(SIGNATURE_CONTEXT);
    m.extend_from_slice(manifest);
    m
}

/// Seals `parts` to `recipient`, signed by `keys`, writing the `age` file to
/// `out`. Returns the bundle id. On an error, what was written to `out` is
/// not a valid bundle: write to a temporary file and rename on success.
pub fn seal<W: Write>(
    out: W,
    keys: &DeviceKeys,
    recipient: &Recipient,
    parts: Vec<PartSource<'_>>,
) -> Result<(BundleId, W), SealError> {
    let mut nonce = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    let manifest = Manifest {
        format: FORMAT_VERSION,
        sender: keys.signer().to_hex(),
        recipient: recipient.as_string(),
        created_at: crate::rfc3339::Timestamp::now(),
        nonce: hex::encode(nonce),
        parts: parts.iter().map(|p| p.info.clone()).collect(),
    };
    let manifest_bytes = serde_json::to_vec(&manifest).expect("a manifest serialises");
    let id = BundleId(Sha256::digest(&manifest_bytes).into());
    let signature = keys.signing.sign(&signed_message(&manifest_bytes));

    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient.0 as &dyn age::Recipient))
            .map_err(|_| SealError::BadKey("the recipient key cannot be used"))?;
    let mut w = encryptor.wrap_output(out)?;
    w.write_all(MAGIC)?;
    w.write_all(&FORMAT_VERSION.to_be_bytes())?;
    w.write_all(&(manifest_bytes.len() as u32).to_be_bytes())?;
    w.write_all(&manifest_bytes)?;
    w.write_all(&signature.to_bytes())?;
    let mut buf = vec![0u8; 64 * 1024];
    for mut part in parts {
        let mut hasher = Sha256::new();
        let mut left = part.info.length;
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = part.reader.read(&mut buf[..want])?;
            if n == 0 {
                return Err(SealError::SourceMismatch);
            }
            hasher.update(&buf[..n]);
            w.write_all(&buf[..n])?;
            left -= n as u64;
        }
        if part.reader.read(&mut buf[..1])? != 0
            || hex::encode(hasher.finalize()) != part.info.sha256
        {
            return Err(SealError::SourceMismatch);
        }
    }
    let out = w.finish()?;
    Ok((id, out))
}

fn damaged(e: io::Error) -> SealError {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            SealError::Damaged("the encrypted data does not authenticate")
        }
        _ => SealError::Io(e),
    }
}

/// An opened, authenticated bundle whose parts are read one by one.
///
/// [`BundleReader::open`] has checked the recipient, the signature and that
/// the signer is known; each part's hash is checked as it is read, and
/// [`BundleReader::finish`] checks that the file ends where the manifest
/// says. Import nothing before `finish` returns `Ok`.
pub struct BundleReader<R: Read> {
    stream: age::stream::StreamReader<R>,
    manifest: Manifest,
    id: BundleId,
    signer: SignerKey,
    next: usize,
}

impl<R: Read> fmt::Debug for BundleReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleReader")
            .field("id", &self.id)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl<R: Read> BundleReader<R> {
    /// Decrypts with `identity`'s keys and checks the manifest's signature;
    /// `is_known` says whether a signer is a paired or known device.
    pub fn open(
        input: R,
        identity: &DeviceKeys,
        is_known: &dyn Fn(&SignerKey) -> bool,
    ) -> Result<Self, SealError> {
        let decryptor = age::Decryptor::new(input).map_err(|e| match e {
            age::DecryptError::Io(e) => damaged(e),
            _ => SealError::Damaged("not an age file"),
        })?;
        let mut stream = decryptor
            .decrypt(std::iter::once(&identity.age as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => SealError::NotForUs,
                age::DecryptError::Io(e) => damaged(e),
                _ => SealError::Damaged("the age header is not valid"),
            })?;
        let mut head = [0u8; 14];
        stream.read_exact(&mut head).map_err(damaged)?;
        if &head[..8] != MAGIC {
            return Err(SealError::Damaged("not a Tsunagi bundle"));
        }
        let format = u16::from_be_bytes([head[8], head[9]]);
        if format != FORMAT_VERSION {
            return Err(SealError::Unsupported(format!("bundle format {format}")));
        }
        let len = u32::from_be_bytes([head[10], head[11], head[12], head[13]]);
        if len > MAX_MANIFEST {
            return Err(SealError::Damaged("the manifest is too large"));
        }
        let mut manifest_bytes = vec![0u8; len as usize];
        stream.read_exact(&mut manifest_bytes).map_err(damaged)?;
        let mut sig = [0u8; 64];
        stream.read_exact(&mut sig).map_err(damaged)?;
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|_| SealError::Damaged("the manifest is not valid"))?;
        let signer = SignerKey::from_str(&manifest.sender)
            .map_err(|_| SealError::Damaged("the manifest's signer key is not valid"))?;
        signer
            .0
            .verify_strict(
                &signed_message(&manifest_bytes),
                &Signature::from_bytes(&sig),
            )
            .map_err(|_| SealError::BadSignature)?;
        if manifest.recipient != identity.recipient().as_string() {
            return Err(SealError::WrongRecipient);
        }
        if !is_known(&signer) {
            return Err(SealError::UnknownSigner(signer.to_string()));
        }
        Ok(Self {
            stream,
            id: BundleId(Sha256::digest(&manifest_bytes).into()),
            manifest,
            signer,
            next: 0,
        })
    }

    /// The bundle id.
    pub fn id(&self) -> BundleId {
        self.id
    }

    /// The signed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Who signed it (already checked to be known).
    pub fn signer(&self) -> SignerKey {
        self.signer
    }

    /// Copies the next part to `out`, checking its length and hash, and
    /// returns what the manifest says of it; `None` after the last part.
    /// On an error, what was written to `out` must be discarded.
    pub fn next_part(&mut self, out: &mut dyn Write) -> Result<Option<PartInfo>, SealError> {
        let Some(info) = self.manifest.parts.get(self.next).cloned() else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        let mut hasher = Sha256::new();
        let mut left = info.length;
        let mut buf = vec![0u8; 64 * 1024];
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = self.stream.read(&mut buf[..want]).map_err(damaged)?;
            if n == 0 {
                return Err(SealError::Damaged("the bundle ends early"));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            left -= n as u64;
        }
        if hex::encode(hasher.finalize()) != info.sha256 {
            return Err(SealError::PartMismatch(index + 1));
        }
        Ok(Some(info))
    }

    /// Checks that every part was read and the file ends there (which also
    /// authenticates the end of the `age` stream, so a truncated file fails).
    pub fn finish(mut self) -> Result<(), SealError> {
        if self.next < self.manifest.parts.len() {
            return Err(SealError::Damaged("not every part was read"));
        }
        let mut byte = [0u8; 1];
        match self.stream.read(&mut byte).map_err(damaged)? {
            0 => Ok(()),
            _ => Err(SealError::Damaged(
                "the bundle has bytes after its last part",
            )),
        }
    }

    /// Reads the next part, which must be a case record, into memory.
    pub fn next_case_record(&mut self) -> Result<CaseRecord, SealError> {
        let info = self
            .manifest
            .parts
            .get(self.next)
            .ok_or(SealError::Damaged("no part is left"))?;
        if info.kind != PartKind::Case {
            return Err(SealError::Unsupported(format!("{:?} parts", info.kind)));
        }
        if info.length > MAX_CASE_PART {
            return Err(SealError::Damaged("a case part is too large"));
        }
        let mut bytes = Vec::with_capacity(info.length as usize);
        self.next_part(&mut bytes)?;
        serde_json::from_slice(&bytes)
            .map_err(|_| SealError::Damaged("a case record does not fit the case format"))
    }

    /// Reads a bundle that holds only case records (the case JSON and its
    /// revisions), each part held in memory, and checks the whole file.
    pub fn read_case_records(
        mut self,
    ) -> Result<(BundleId, SignerKey, Vec<CaseRecord>), SealError> {
        let mut records = Vec::new();
        while self.next < self.manifest.parts.len() {
            records.push(self.next_case_record()?);
        }
        let (id, signer) = (self.id, self.signer);
        self.finish()?;
        Ok((id, signer, records))
    }
}

/// Seals case records (one part each), then `media` (each item's bytes,
/// streamed), to `recipient`.
pub fn seal_case_records<W: Write>(
    out: W,
    keys: &DeviceKeys,
    recipient: &Recipient,
    records: &[CaseRecord],
    media: Vec<PartSource<'_>>,
) -> Result<(BundleId, W), SealError> {
    let bodies: Vec<Vec<u8>> = records
        .iter()
        .map(|r| serde_json::to_vec(r).expect("a case record serialises"))
        .collect();
    let parts = records
        .iter()
        .zip(&bodies)
        .map(|(r, body)| {
            PartSource::from_bytes(&format!("case/{}", r.case.id), PartKind::Case, body)
        })
        .chain(media)
        .collect();
    seal(out, keys, recipient, parts)
}

#[cfg(test)]
mod tests;
