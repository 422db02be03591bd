//! The link's bookkeeping in the encrypted store (連携): this device's keys,
//! paired devices, pairing codes, sealed bundles sent and received, and the
//! upsert of received cases.
//!
//! Every secret key lives in the database, never in a plain file. Sealed
//! bundle files are ciphertext and live in the data folder (`outbox/`,
//! `inbox/`).

use crate::rfc3339::Timestamp;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{AuditAction, Role, Store, StoreError, now, read_case};
use crate::link::pairing::{CODE_LIFETIME, PairingSecret};
use crate::link::{Fingerprint, Outgoing, TlsIdentity};
use crate::model::{CaseId, ConsentScope};
use crate::seal::{
    self, BundleId, CaseRecord, DeviceKeys, Recipient, RevisionRecord, SealError, SignerKey,
};

mod agency;
mod from_office;
mod handover;
mod incoming;
mod media;
mod peers;
mod refused;

pub use peers::SPENT_CODE_KEPT;

pub use agency::AgencyOrigin;
pub use handover::Revoked;
pub use incoming::MAX_CASE_BYTES_PER_BUNDLE;
pub use refused::RefusedCase;

/// The folder of sealed bundles waiting to be delivered.
pub const OUTBOX: &str = "outbox";
/// The folder of bundles being received.
pub const INBOX: &str = "inbox";

/// Why a sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The bundle was refused.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The client's consents do not allow this use of the case.
    #[error("{} ({})", .0.message_ja(), .0.message_en())]
    NoConsent(crate::consent::Refusal),
    /// A case in the bundle belongs to another tablet (or was made on this
    /// device); only its owner may send it, until the office hands it over.
    #[error(
        "case {0} is held by another device: only the tablet it was handed to may send it (ask the office to hand the case over)"
    )]
    NotOwner(String),
    /// A file from another agency was taken in without naming the agency.
    #[error(
        "送付元の機関名を入れてください（200字まで） (name the agency the file came from, at most 200 characters)"
    )]
    NoAgencyName,
    /// A case's revision list does not fit the case (numbers out of order or
    /// beyond the case's revision, an unknown section, a time that does not
    /// read); the whole bundle is refused.
    #[error("case {case} carries a revision list that does not fit: {why}")]
    BadRevisions {
        /// The case, by its short id.
        case: String,
        /// What does not fit.
        why: &'static str,
    },
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<io::Error> for SyncError {
    fn from(e: io::Error) -> Self {
        Self::Store(e.into())
    }
}

/// This device's identity: sealing keys and TLS certificate.
#[derive(Debug)]
pub struct DeviceIdentity {
    /// Signing and `age` keys.
    pub keys: DeviceKeys,
    /// The TLS certificate and key for the link.
    pub tls: TlsIdentity,
}

/// What a paired device is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerKind {
    /// A tablet that sends cases (タブレット).
    Tablet,
    /// A companion that receives them (事務所PC).
    Companion,
}

impl PeerKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Tablet => "tablet",
            Self::Companion => "companion",
        }
    }
}

/// A paired device (ペアリング済みの端末).
#[derive(Clone, Debug)]
pub struct Peer {
    /// Its certificate's fingerprint, pinned on every connection.
    pub fingerprint: Fingerprint,
    /// What it is.
    pub kind: PeerKind,
    /// Its signing key.
    pub signer: SignerKey,
    /// Its `age` key.
    pub recipient: Recipient,
    /// Where to reach it (a companion's `IP:port`).
    pub address: Option<String>,
    /// When it was paired (RFC 3339).
    pub paired_at: Timestamp,
}

/// The outcome of redeeming a pairing code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redeem {
    /// The code was valid: the peer is now paired.
    Paired,
    /// No code issued here matches the proof.
    Unknown,
    /// The code matched but is more than ten minutes old.
    Expired,
    /// The code matched but was used already.
    AlreadyUsed,
}

/// A sealed bundle waiting for delivery, with its file.
#[derive(Clone, Debug)]
pub struct PendingBundle {
    /// Its id, size and hash.
    pub outgoing: Outgoing,
    /// The sealed file.
    pub file: PathBuf,
}

/// What importing a bundle did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imported {
    /// The bundle was imported now: how many of its cases were new or
    /// newer than held (the others were already had and changed nothing).
    Now(usize),
    /// The bundle had been imported before; nothing changed.
    Before,
}

fn parse_time(s: &str) -> Result<OffsetDateTime, StoreError> {
    crate::rfc3339::parse(s).ok_or(StoreError::Damaged)
}

fn format_time(t: OffsetDateTime) -> String {
    crate::rfc3339::format(t)
}

/// Signing key, age identity, certificate, certificate key.
type IdentityRow = (Vec<u8>, String, Vec<u8>, Vec<u8>);

struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Store {
    /// This device's identity, made on first use and kept in the encrypted
    /// store.
    pub fn device_identity(&mut self) -> Result<DeviceIdentity, StoreError> {
        let row: Option<IdentityRow> = self
            .conn
            .query_row(
                "SELECT signing_key, age_identity, tls_cert, tls_key FROM device_identity WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        if let Some((signing, age, cert, key)) = row {
            let signing = zeroize::Zeroizing::new(signing);
            let age = zeroize::Zeroizing::new(age);
            return Ok(DeviceIdentity {
                keys: DeviceKeys::from_secret_parts(&signing, &age)
                    .map_err(|_| StoreError::Damaged)?,
                tls: TlsIdentity {
                    cert_der: cert,
                    key_der: zeroize::Zeroizing::new(key),
                },
            });
        }
        let keys = DeviceKeys::generate();
        let tls = TlsIdentity::generate("tsunagi");
        let (signing, age) = keys.to_secret_parts();
        self.conn.execute(
            "INSERT INTO device_identity (id, signing_key, age_identity, tls_cert, tls_key, created_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            params![signing.as_slice(), age.as_str(), tls.cert_der, tls.key_der.as_slice(), now()],
        )?;
        Ok(DeviceIdentity { keys, tls })
    }

    // ─────────────────────────────── peers ───────────────────────────────

    /// Seals the changes of every case this account may see since they were
    /// last sent to `peer` into one bundle in `outbox/`, records it, and
    /// returns it; `None` when nothing changed. A bundle still waiting for
    /// delivery counts as sent: it goes first.
    pub fn seal_changes_for(&mut self, peer: &Peer) -> Result<Option<PendingBundle>, SyncError> {
        self.require(&[Role::Administrator, Role::SupportWorker], "send cases")?;
        let identity = self.device_identity()?;
        let peer_key = peer.fingerprint.to_hex();
        // Per case: the current revision and the last revision sent (in a
        // delivered or pending bundle) and the last acknowledged one.
        let mine = (self.account.role != Role::Administrator).then(|| self.account.name.clone());
        let rows: Vec<(String, i64, Option<i64>, Option<i64>)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id, c.revision,
                   (SELECT max(oc.revision) FROM outgoing_cases oc JOIN outgoing_bundles ob ON ob.id = oc.bundle_id
                     WHERE oc.case_id = c.id AND ob.peer = ?1),
                   (SELECT max(oc.revision) FROM outgoing_cases oc JOIN outgoing_bundles ob ON ob.id = oc.bundle_id
                     WHERE oc.case_id = c.id AND ob.peer = ?1 AND ob.delivered_at IS NOT NULL)
                 FROM cases c
                 WHERE ?2 IS NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.account = ?2)
                 ORDER BY c.id",
            )?;
            stmt.query_map(params![peer_key, mine], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?
        };
        let media_changed = self.media_changed_cases(&peer_key)?;
        let held = self.held_cases(&peer_key)?;
        let mut chosen = Vec::new();
        let mut alone = None;
        for (id, revision, sent, acked) in rows {
            if sent.is_some_and(|s| s >= revision) && !media_changed.contains(&id) {
                continue;
            }
            match held.get(&id) {
                Some(&(r, refused::Held::Back)) if r == revision => continue,
                Some(&(r, refused::Held::Alone)) if r == revision => {
                    alone.get_or_insert((id, revision, acked));
                }
                _ => chosen.push((id, revision, acked)),
            }
        }
        // A case of a refused bundle goes first, in a bundle of its own.
        if let Some(first) = alone {
            chosen = vec![first];
        }
        let mut records = Vec::new();
        let mut media_parts = Vec::new();
        for (id, revision, acked) in chosen {
            let case_id: CaseId = id.parse().map_err(|_| StoreError::Damaged)?;
            let case = read_case(&self.conn, case_id)?;
            let revisions = revisions_after(&self.conn, &id, acked.unwrap_or(0))?;
            let media = self.media_records(case_id)?;
            media_parts.extend(self.media_parts(Some(&peer_key), case_id, &media)?);
            records.push(CaseRecord {
                case,
                revision,
                revisions,
                media,
                audit_head: None,
                pending_reentry: super::reentry::paths(&self.conn, case_id)?,
            });
        }
        if records.is_empty() {
            return Ok(None);
        }
        // The log as it stands once every read above is in it, once for
        // the bundle.
        let head = super::audit::head(&self.conn)?;
        for r in &mut records {
            r.audit_head = head.clone();
        }
        self.seal_into_outbox(peer, &identity.keys, &records, media_parts)
            .map(Some)
    }

    /// Seals `records` and `media_parts` from this device to `peer` into a
    /// file in `outbox/`, and records it as a bundle waiting for `peer`'s
    /// acknowledgement, with the revisions and media it carries, in one
    /// transaction. A failed sealing leaves no file.
    fn seal_into_outbox(
        &mut self,
        peer: &Peer,
        keys: &DeviceKeys,
        records: &[CaseRecord],
        media_parts: Vec<seal::PartSource<'static>>,
    ) -> Result<PendingBundle, SyncError> {
        let peer_key = peer.fingerprint.to_hex();
        let outbox = self.dir.join(OUTBOX);
        fs::create_dir_all(&outbox)?;
        let tmp = outbox.join(format!("sealing-{}.tmp", uuid::Uuid::new_v4()));
        let result = (|| -> Result<(BundleId, u64, [u8; 32]), SyncError> {
            let file = fs::File::create(&tmp)?;
            let writer = HashingWriter {
                inner: io::BufWriter::new(file),
                hasher: Sha256::new(),
                len: 0,
            };
            let (id, mut w) =
                seal::seal_case_records(writer, keys, &peer.recipient, records, media_parts)?;
            w.flush()?;
            let file = w.inner.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            Ok((id, w.len, w.hasher.finalize().into()))
        })();
        let (id, size, sha256) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        };
        let file = outbox.join(format!("{id}.age"));
        fs::rename(&tmp, &file)?;
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO outgoing_bundles (id, peer, file, size, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id.to_string(), peer_key, format!("{id}.age"), size as i64, hex::encode(sha256), now()],
        )?;
        for r in records {
            tx.execute(
                "INSERT INTO outgoing_cases (bundle_id, case_id, revision) VALUES (?1, ?2, ?3)",
                params![id.to_string(), r.case.id.to_string(), r.revision],
            )?;
            Self::remember_media_sent(&tx, &peer_key, id, &r.case.id.to_string(), &r.media)?;
            self.audit(
                &tx,
                AuditAction::ReadCase,
                Some(r.case.id),
                &format!("sealed into bundle {id}"),
            )?;
        }
        tx.commit()?;
        Ok(PendingBundle {
            outgoing: Outgoing { id, size, sha256 },
            file,
        })
    }

    /// Bundles sealed for `peer` and not yet acknowledged, oldest first.
    pub fn pending_bundles(&self, peer: &Fingerprint) -> Result<Vec<PendingBundle>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, file, size, sha256 FROM outgoing_bundles
             WHERE peer = ?1 AND delivered_at IS NULL ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([peer.to_hex()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, file, size, sha) = row?;
            out.push(PendingBundle {
                outgoing: Outgoing {
                    id: BundleId::from_str(&id).map_err(|_| StoreError::Damaged)?,
                    size: size as u64,
                    sha256: hex::decode(&sha)
                        .ok()
                        .and_then(|b| b.try_into().ok())
                        .ok_or(StoreError::Damaged)?,
                },
                file: self.dir.join(OUTBOX).join(file),
            });
        }
        Ok(out)
    }

    /// How many cases this account may see have changed since they were
    /// last sealed for `peer`: what the next sync will seal.
    pub fn unsent_cases(&self, peer: &Fingerprint) -> Result<usize, StoreError> {
        let mine = (self.account.role != Role::Administrator).then(|| self.account.name.clone());
        let peer_key = peer.to_hex();
        let media_changed = self.media_changed_cases(&peer_key)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.revision > coalesce(
                 (SELECT max(oc.revision) FROM outgoing_cases oc JOIN outgoing_bundles ob ON ob.id = oc.bundle_id
                   WHERE oc.case_id = c.id AND ob.peer = ?1), 0)
             FROM cases c
             WHERE ?2 IS NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.account = ?2)",
        )?;
        let held_back: std::collections::HashSet<String> = self
            .refused_cases(peer)?
            .into_iter()
            .map(|r| r.case.to_string())
            .collect();
        let mut n = 0;
        for row in stmt.query_map(params![peer_key, mine], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
        })? {
            let (id, changed) = row?;
            if (changed || media_changed.contains(&id)) && !held_back.contains(&id) {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Marks a bundle delivered (on the companion's acknowledgement only)
    /// and deletes its sealed file.
    pub fn mark_delivered(&mut self, id: BundleId) -> Result<(), StoreError> {
        let file: Option<String> = self
            .conn
            .query_row(
                "SELECT file FROM outgoing_bundles WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "UPDATE outgoing_bundles SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NULL",
            params![id.to_string(), now()],
        )?;
        refused::forget_refusals(&tx, id)?;
        tx.commit()?;
        if let Some(file) = file {
            let _ = fs::remove_file(self.dir.join(OUTBOX).join(file));
        }
        Ok(())
    }

    /// Seals one case (whole, with its full history) to `to`, writing the
    /// `age` file to `out`: the send-data file (送付用データ). Nothing is marked
    /// as sent. To anyone but the paired companion (this office), only while
    /// the client's consent to sharing with a related agency is in force;
    /// otherwise [`SyncError::NoConsent`] and nothing is written.
    pub fn export_case<W: Write>(
        &mut self,
        case: CaseId,
        to: &Recipient,
        out: W,
    ) -> Result<(BundleId, W), SyncError> {
        let identity = self.device_identity()?;
        let to_office = self
            .peers()?
            .iter()
            .any(|p| p.kind == PeerKind::Companion && p.recipient.as_string() == to.as_string());
        if !to_office {
            // Another agency (関係機関への情報提供): only with that consent
            // in force today.
            let consents = {
                let tx = self.conn.unchecked_transaction()?;
                self.require_access(&tx, case)?;
                read_case(&tx, case)?.consents
            };
            let today = OffsetDateTime::now_utc().date();
            crate::consent::may_use(&consents, ConsentScope::AgencySharing, today)
                .map_err(SyncError::NoConsent)?;
        }
        // Opening each item checks access and is audited as a read.
        let media = self.media_records(case)?;
        let parts = self.media_parts(None, case, &media)?;
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let loaded = read_case(&tx, case)?;
        let revision: i64 = tx.query_row(
            "SELECT revision FROM cases WHERE id = ?1",
            [case.to_string()],
            |r| r.get(0),
        )?;
        let revisions = revisions_after(&tx, &case.to_string(), 0)?;
        let record = CaseRecord {
            case: loaded,
            revision,
            revisions,
            media,
            audit_head: super::audit::head(&tx)?,
            pending_reentry: Vec::new(),
        };
        let (id, out) = seal::seal_case_records(out, &identity.keys, to, &[record], parts)?;
        self.audit(
            &tx,
            AuditAction::ReadCase,
            Some(case),
            &format!("exported in bundle {id}"),
        )?;
        tx.commit()?;
        Ok((id, out))
    }

    /// Where received bundles are kept while they arrive.
    pub fn inbox_dir(&self) -> PathBuf {
        self.dir.join(INBOX)
    }

    /// The data folder's outbox.
    pub fn outbox_dir(&self) -> PathBuf {
        self.dir.join(OUTBOX)
    }
}

/// Whether `sql` (a `SELECT 1 …`) finds a row.
pub(super) fn exists(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(sql, params, |_| Ok(()))
        .optional()?
        .is_some())
}

fn audit_as(tx: &rusqlite::Connection, store: &Store, detail: &str) -> Result<(), StoreError> {
    store.audit(tx, AuditAction::Account, None, detail)
}

pub(super) fn revisions_after(
    conn: &rusqlite::Connection,
    case: &str,
    after: i64,
) -> Result<Vec<RevisionRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT revision, author, at, section, changes FROM revisions
         WHERE case_id = ?1 AND revision > ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![case, after], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Timestamp>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (revision, author, at, section, changes) = row?;
        out.push(RevisionRecord {
            revision,
            author,
            at,
            section,
            changes: serde_json::from_str(&changes).map_err(|_| StoreError::Damaged)?,
        });
    }
    Ok(out)
}

/// The SHA-256 and length of a file, read in pieces.
pub fn file_sha256(path: &Path) -> io::Result<(u64, [u8; 32])> {
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let n = io::copy(&mut f, &mut h)?;
    Ok((n, h.finalize().into()))
}

#[cfg(test)]
mod tests;
