//! Sealing a backup with `age`: to an X25519 recipient (`age1…`, e.g. the
//! office companion's key) or with a passphrase (scrypt), and opening it
//! again with an identity file or the passphrase. Any `age` tool opens a
//! backup: `age -d -i key.txt` or `age -d` with the passphrase.

use std::io::{BufRead, BufReader, Read, Write};
use std::str::FromStr;

use age::secrecy::SecretString;

use super::format::{CaseEntry, Header, PlainReader};
use super::{BackupError, MIN_PASSPHRASE_CHARS};
use crate::seal::{DeviceKeys, Recipient};

/// What a new backup is sealed to.
pub enum SealTo {
    /// An `age` X25519 public key: whoever holds its identity opens it.
    Key(Recipient),
    /// A passphrase (age's scrypt): whoever knows it opens it.
    Passphrase(SecretString),
}

impl std::fmt::Debug for SealTo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Key(r) => write!(f, "SealTo::Key({r})"),
            Self::Passphrase(_) => f.write_str("SealTo::Passphrase(‹redacted›)"),
        }
    }
}

impl SealTo {
    /// A passphrase for a new backup, refused when shorter than
    /// [`MIN_PASSPHRASE_CHARS`].
    pub fn passphrase(text: String) -> Result<Self, BackupError> {
        if text.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(BackupError::PassphraseTooShort);
        }
        Ok(Self::Passphrase(SecretString::from(text)))
    }
}

/// Starts the `age` encryption of a backup into `out`; what is written to
/// the returned stream is sealed, and its `finish` ends the file.
pub(crate) fn seal<W: Write>(
    out: W,
    to: &SealTo,
) -> Result<age::stream::StreamWriter<W>, BackupError> {
    let encryptor = match to {
        SealTo::Key(recipient) => age::Encryptor::with_recipients(std::iter::once(
            recipient.as_age() as &dyn age::Recipient,
        ))
        .map_err(|_| BackupError::Damaged("the recipient key cannot be used"))?,
        SealTo::Passphrase(passphrase) => age::Encryptor::with_user_passphrase(passphrase.clone()),
    };
    Ok(encryptor.wrap_output(out)?)
}

/// What opens a backup.
pub enum Unseal {
    /// `age` X25519 identities (`AGE-SECRET-KEY-1…`).
    Identities(Vec<age::x25519::Identity>),
    /// The passphrase it was sealed with.
    Passphrase(SecretString),
}

impl std::fmt::Debug for Unseal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Identities(ids) => write!(f, "Unseal::Identities({} keys)", ids.len()),
            Self::Passphrase(_) => f.write_str("Unseal::Passphrase(‹redacted›)"),
        }
    }
}

impl Unseal {
    /// The identities of an identity file as `age-keygen` writes it: one
    /// `AGE-SECRET-KEY-1…` a line, with `#` comments and blank lines.
    /// Refused when a line is neither, or there is no identity; the
    /// message never repeats the file's text.
    pub fn identity_file(text: &str) -> Result<Self, BackupError> {
        let mut identities = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let identity =
                age::x25519::Identity::from_str(line).map_err(|_| BackupError::BadIdentityFile)?;
            identities.push(identity);
        }
        if identities.is_empty() {
            return Err(BackupError::BadIdentityFile);
        }
        Ok(Self::Identities(identities))
    }

    /// The passphrase a backup was sealed with.
    pub fn passphrase(text: String) -> Self {
        Self::Passphrase(SecretString::from(text))
    }

    /// This device's own `age` identity (the companion's office key).
    pub fn device(keys: &DeviceKeys) -> Self {
        Self::Identities(vec![keys.age_identity().clone()])
    }
}

/// How a backup file was sealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealedWith {
    /// With a passphrase.
    Passphrase,
    /// To a key (`age1…`).
    Key,
}

/// The start of every binary `age` file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";

/// A backup file whose `age` header has been read, not yet opened.
pub struct BackupFile<R: Read> {
    decryptor: age::Decryptor<BufReader<R>>,
}

impl<R: Read> std::fmt::Debug for BackupFile<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupFile")
            .field("sealed_with", &self.sealed_with())
            .finish_non_exhaustive()
    }
}

impl<R: Read> BackupFile<R> {
    /// Reads the `age` header of `input`: [`BackupError::NotABackup`] for
    /// a file that is not `age` at all, [`BackupError::Damaged`] for one
    /// whose header is cut short or altered.
    pub fn open(input: R) -> Result<Self, BackupError> {
        let mut input = BufReader::new(input);
        let head = input.fill_buf()?;
        let n = head.len().min(AGE_MAGIC.len());
        if head.is_empty() {
            return Err(BackupError::Damaged("the file is empty"));
        }
        if head[..n] != AGE_MAGIC[..n] {
            return Err(BackupError::NotABackup);
        }
        let decryptor = age::Decryptor::new(input).map_err(|e| match e {
            age::DecryptError::Io(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => {
                BackupError::Io(e)
            }
            _ => BackupError::Damaged("the age header does not read"),
        })?;
        Ok(Self { decryptor })
    }

    /// Whether it was sealed with a passphrase or to a key.
    pub fn sealed_with(&self) -> SealedWith {
        if self.decryptor.is_scrypt() {
            SealedWith::Passphrase
        } else {
            SealedWith::Key
        }
    }

    /// Decrypts with `key` and reads the backup's first line.
    pub fn unseal(self, key: &Unseal) -> Result<BackupReader<R>, BackupError> {
        let stream = self.decrypt(key)?;
        Ok(BackupReader(PlainReader::open(BufReader::new(stream))?))
    }

    /// Decrypts with `key`: the plaintext stream, not read yet (a full
    /// backup's, or any kind's first line, is read by its own reader).
    pub(crate) fn decrypt(
        self,
        key: &Unseal,
    ) -> Result<age::stream::StreamReader<BufReader<R>>, BackupError> {
        let sealed_with = self.sealed_with();
        let stream = match (key, sealed_with) {
            (Unseal::Passphrase(_), SealedWith::Key) => return Err(BackupError::SealedToKey),
            (Unseal::Identities(_), SealedWith::Passphrase) => {
                return Err(BackupError::SealedWithPassphrase);
            }
            (Unseal::Passphrase(passphrase), SealedWith::Passphrase) => {
                let identity = age::scrypt::Identity::new(passphrase.clone());
                self.decryptor
                    .decrypt(std::iter::once(&identity as &dyn age::Identity))
            }
            (Unseal::Identities(identities), SealedWith::Key) => self
                .decryptor
                .decrypt(identities.iter().map(|i| i as &dyn age::Identity)),
        }
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BackupError::WrongIdentity,
            age::DecryptError::DecryptionFailed if sealed_with == SealedWith::Passphrase => {
                BackupError::WrongPassphrase
            }
            age::DecryptError::ExcessiveWork { .. } => BackupError::Damaged(
                "the passphrase seal asks for more work than this device allows",
            ),
            age::DecryptError::Io(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => {
                BackupError::Io(e)
            }
            _ => BackupError::Damaged("the age header does not authenticate"),
        })?;
        Ok(stream)
    }
}

/// An opened backup, read case by case.
#[derive(Debug)]
pub struct BackupReader<R: Read>(PlainReader<BufReader<age::stream::StreamReader<BufReader<R>>>>);

impl<R: Read> BackupReader<R> {
    /// What its first line says.
    pub fn header(&self) -> &Header {
        self.0.header()
    }

    /// The next case; `None` after the last, once the end has been
    /// checked (count, nothing after it, the `age` stream's end).
    pub fn next_case(&mut self) -> Result<Option<CaseEntry>, BackupError> {
        self.0.next_case()
    }
}
