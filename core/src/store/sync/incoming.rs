//! Receiving cases (受信): importing a sealed bundle from a paired tablet,
//! under the rule of who may change a case and in what order. A case has
//! one owning tablet at a time (the one that first sent it, or the one the
//! office handed it to) and a revision that only grows: a bundle's case is
//! taken only from its owner and only when newer than what is held; an
//! equal or older one is already had and changes nothing, so an old
//! send-data file can never roll a case back.

use std::io::Read;

use rusqlite::{OptionalExtension, params};

use super::media;
use super::{Imported, PeerKind, SyncError, exists};
use crate::link::Fingerprint;
use crate::model::{Case, CaseId, Section, SectionName};
use crate::revision::{holds_something, value_at, value_at_mut};
use crate::rfc3339::Timestamp;
use crate::seal::{AuditHead, BundleId, BundleReader, CaseRecord, PartKind, SealError, SignerKey};
use crate::store::{AuditAction, Role, Store, StoreError, now, stage_key};

/// A bundle opened and checked, not yet imported.
pub(super) struct Opened {
    pub(super) id: BundleId,
    pub(super) signer: SignerKey,
    pub(super) sealed_at: Timestamp,
    pub(super) records: Vec<CaseRecord>,
    pub(super) received: media::ReceivedMedia,
}

impl Store {
    /// When each case received from a tablet last arrived, by case id.
    /// Cases made on this device are not listed.
    pub fn received_at(&self) -> Result<std::collections::HashMap<CaseId, Timestamp>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT case_id, received_at FROM case_origins")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Timestamp>(1)?))
        })?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (id, at) = row?;
            out.insert(id.parse().map_err(|_| StoreError::Damaged)?, at);
        }
        Ok(out)
    }

    /// Whether a bundle was imported here.
    pub fn bundle_imported(&self, id: BundleId) -> Result<bool, StoreError> {
        Ok(exists(
            &self.conn,
            "SELECT 1 FROM incoming_bundles WHERE id = ?1",
            [id.to_string()],
        )?)
    }

    /// Opens a sealed bundle addressed to this device, signed by a paired
    /// tablet, checks every part, and only then imports its cases in one
    /// transaction with the bundle's id, so a bundle is imported at most
    /// once. Nothing is imported on any error.
    pub fn import_bundle<R: Read>(&mut self, input: R) -> Result<Imported, SyncError> {
        self.require(&[Role::Administrator, Role::SupportWorker], "import cases")?;
        let mut tablets: Vec<SignerKey> = Vec::new();
        for p in self.peers()? {
            if p.kind == PeerKind::Tablet && !self.awaits_confirmation(&p.fingerprint)? {
                tablets.push(p.signer);
            }
        }
        let Some(Opened {
            id,
            signer,
            sealed_at,
            records,
            mut received,
        }) = self.open_bundle(input, &|s| tablets.contains(s))?
        else {
            return Ok(Imported::Before);
        };
        let tx = self.conn.unchecked_transaction()?;
        if exists(
            &tx,
            "SELECT 1 FROM incoming_bundles WHERE id = ?1",
            [id.to_string()],
        )? {
            return Ok(Imported::Before);
        }
        let at = now();
        let mut newer = Vec::new();
        for r in &records {
            if is_newer(&tx, r, &signer)? {
                newer.push(r);
            }
        }
        let taken = newer.len();
        for r in newer {
            let r = &*keeping_held_values(&tx, r)?;
            upsert_case(&tx, r, &self.account.name, &at)?;
            media::apply_media(&tx, &r.case.id.to_string(), &r.media, &mut received)?;
            tx.execute(
                "INSERT INTO case_origins (case_id, signer, bundle_id, revision, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (case_id) DO UPDATE SET signer = excluded.signer,
                   bundle_id = excluded.bundle_id, revision = excluded.revision,
                   received_at = excluded.received_at",
                params![
                    r.case.id.to_string(),
                    signer.to_hex(),
                    id.to_string(),
                    r.revision,
                    at
                ],
            )?;
            self.audit(
                &tx,
                AuditAction::CreateCase,
                Some(r.case.id),
                &format!("imported from bundle {id}"),
            )?;
        }
        if let Some(head) = records
            .iter()
            .filter_map(|r| r.audit_head.as_ref())
            .max_by_key(|h| h.entries)
        {
            check_audit_head(&tx, &signer, head, sealed_at, &at)?;
        }
        tx.execute(
            "INSERT INTO incoming_bundles (id, signer, received_at, cases) VALUES (?1, ?2, ?3, ?4)",
            params![id.to_string(), signer.to_hex(), at, records.len() as i64],
        )?;
        tx.commit()?;
        received.keep();
        Ok(Imported::Now(taken))
    }

    /// Opens a sealed bundle addressed to this device and signed by a key
    /// `accept`s, reads every part (media into new files under this
    /// store's key, removed unless kept) and checks each case; `None` when
    /// it was imported before. Nothing is written to the database.
    pub(super) fn open_bundle<R: Read>(
        &mut self,
        input: R,
        accept: &dyn Fn(&SignerKey) -> bool,
    ) -> Result<Option<Opened>, SyncError> {
        let identity = self.device_identity()?;
        let mut reader = BundleReader::open(input, &identity.keys, accept)?;
        let (id, signer) = (reader.id(), reader.signer());
        if self.bundle_imported(id)? {
            return Ok(None);
        }
        let parts = reader.manifest().parts.clone();
        let sealed_at = reader.manifest().created_at;
        let case_bytes: u64 = parts
            .iter()
            .filter(|p| p.kind == PartKind::Case)
            .map(|p| p.length)
            .fold(0, u64::saturating_add);
        if case_bytes > MAX_CASE_BYTES_PER_BUNDLE {
            return Err(SealError::Unsupported(format!(
                "cases of {case_bytes} bytes in one bundle (at most {MAX_CASE_BYTES_PER_BUNDLE})"
            ))
            .into());
        }
        let mut records = Vec::new();
        let mut received = media::ReceivedMedia::new(self.media_dir());
        for info in &parts {
            match info.kind {
                PartKind::Case => records.push(reader.next_case_record()?),
                PartKind::Media => {
                    received.receive(info, |writer| reader.next_part(writer).map(|_| ()))?;
                }
                PartKind::Research | PartKind::Unknown => {
                    return Err(SealError::Unsupported(format!("the part {}", info.name)).into());
                }
            }
        }
        reader.finish()?;
        for r in &records {
            r.case.validate().map_err(StoreError::from)?;
            check_revisions(r)?;
        }
        Ok(Some(Opened {
            id,
            signer,
            sealed_at,
            records,
            received,
        }))
    }

    /// The tablets whose audit log a later bundle showed cut short or
    /// rewritten: (the tablet's fingerprint when it is still paired, else
    /// its signing key; when it was noticed; what was seen).
    pub fn audit_log_warnings(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let peers = self.peers()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT signer, cut_at, cut_detail FROM peer_audit_heads WHERE cut_at IS NOT NULL ORDER BY cut_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (signer, at, detail) = row?;
            let who = peers
                .iter()
                .find(|p| p.signer.to_hex() == signer)
                .map_or(signer, |p| p.fingerprint.to_hex());
            out.push((who, at, detail));
        }
        Ok(out)
    }

    /// Hands a received case over to the paired tablet `to`: from now on
    /// only that tablet's bundles may change it, and the revision it held
    /// stays the one to beat. Administrators only; audited.
    pub fn hand_over_case(&mut self, case: CaseId, to: Fingerprint) -> Result<(), StoreError> {
        self.require_admin("hand a case over to another tablet")?;
        let tablet = self
            .peers()?
            .into_iter()
            .find(|p| p.kind == PeerKind::Tablet && p.fingerprint == to)
            .ok_or(StoreError::NoSuchPeer)?;
        let tx = self.conn.unchecked_transaction()?;
        let id = case.to_string();
        if !exists(&tx, "SELECT 1 FROM cases WHERE id = ?1", [&id])? {
            return Err(StoreError::NoSuchCase(case));
        }
        let revision: i64 =
            tx.query_row("SELECT revision FROM cases WHERE id = ?1", [&id], |r| {
                r.get(0)
            })?;
        tx.execute(
            "INSERT INTO case_origins (case_id, signer, bundle_id, revision, received_at)
             VALUES (?1, ?2, '', ?3, ?4)
             ON CONFLICT (case_id) DO UPDATE SET signer = excluded.signer",
            params![id, tablet.signer.to_hex(), revision, now()],
        )?;
        self.audit(
            &tx,
            AuditAction::Account,
            Some(case),
            &format!("case handed over to tablet {}", &to.to_hex()[..16]),
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Compares the audit-log head a tablet's bundle carries with the newest
/// one seen from that tablet. A bundle sealed later whose log is shorter
/// (or as long with another hash) shows the tablet's log was cut short or
/// rewritten: that is recorded, with when, for the office to see
/// ([`Store::audit_log_warnings`]), and the bundle is still taken (its
/// cases are the client's, whatever happened to the log). A bundle sealed
/// earlier (an old send-data file) is not compared.
fn check_audit_head(
    tx: &rusqlite::Connection,
    signer: &SignerKey,
    head: &AuditHead,
    sealed_at: Timestamp,
    noticed_at: &str,
) -> Result<(), StoreError> {
    let key = signer.to_hex();
    let seen: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT entries, hash, sealed_at FROM peer_audit_heads WHERE signer = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let cut = match &seen {
        Some((entries, hash, seen_at)) => {
            let later = Timestamp::parse(seen_at).is_some_and(|old| sealed_at > old);
            if !later {
                return Ok(());
            }
            if head.entries < *entries {
                Some(format!(
                    "the tablet's audit log has {} entries, fewer than the {entries} an earlier bundle showed",
                    head.entries
                ))
            } else if head.entries == *entries && head.hash != *hash {
                Some(format!(
                    "the tablet's audit log ends differently at entry {entries} than an earlier bundle showed"
                ))
            } else {
                None
            }
        }
        None => None,
    };
    tx.execute(
        "INSERT INTO peer_audit_heads (signer, entries, hash, sealed_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (signer) DO UPDATE SET entries = excluded.entries, hash = excluded.hash,
           sealed_at = excluded.sealed_at",
        params![key, head.entries, head.hash, sealed_at],
    )?;
    if let Some(detail) = cut {
        tx.execute(
            "UPDATE peer_audit_heads SET cut_at = ?2, cut_detail = ?3 WHERE signer = ?1",
            params![key, noticed_at, detail],
        )?;
    }
    Ok(())
}

/// The most bytes of case records one bundle may carry: each is read whole
/// into memory before the import, so their sum is bounded, not just each
/// one ([`crate::seal::MAX_CASE_PART`]).
pub const MAX_CASE_BYTES_PER_BUNDLE: u64 = 256 * 1024 * 1024;

/// Whether `record` from `signer` is newer than what this store holds of
/// its case: yes for a case not here yet; no (already had, nothing
/// changes) for an equal or older revision from its owner, and for a case
/// deleted here ([`Store::delete_case`]); an error for a
/// case owned by another device (or made on this one).
fn is_newer(
    tx: &rusqlite::Connection,
    record: &CaseRecord,
    signer: &SignerKey,
) -> Result<bool, SyncError> {
    let id = record.case.id.to_string();
    if exists(tx, "SELECT 1 FROM deleted_cases WHERE case_id = ?1", [&id])? {
        // Deleted at the office: already had, and it stays deleted.
        return Ok(false);
    }
    let held = exists(tx, "SELECT 1 FROM cases WHERE id = ?1", [&id])?;
    let origin: Option<(String, i64)> = tx
        .query_row(
            "SELECT signer, revision FROM case_origins WHERE case_id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match origin {
        None if held => Err(SyncError::NotOwner(short(&id))),
        None => Ok(true),
        Some((owner, _)) if owner != signer.to_hex() => Err(SyncError::NotOwner(short(&id))),
        Some((_, held)) => Ok(record.revision > held),
    }
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// `record` with the values this store holds put back at the paths its
/// sender holds empty for re-entry (要再入力, after a backup without
/// personal data): a restored tablet's emptied fields never replace what
/// the office holds.
fn keeping_held_values<'r>(
    tx: &rusqlite::Connection,
    record: &'r CaseRecord,
) -> Result<std::borrow::Cow<'r, CaseRecord>, SyncError> {
    use std::borrow::Cow;
    let id = record.case.id;
    if record.pending_reentry.is_empty()
        || !exists(tx, "SELECT 1 FROM cases WHERE id = ?1", [id.to_string()])?
    {
        return Ok(Cow::Borrowed(record));
    }
    let damaged = |_| SealError::Damaged("a received case does not read");
    let held = serde_json::to_value(crate::store::read_case(tx, id)?).map_err(damaged)?;
    let mut incoming = serde_json::to_value(&record.case).map_err(damaged)?;
    for path in &record.pending_reentry {
        if let (Some(kept), Some(slot)) = (value_at(&held, path), value_at_mut(&mut incoming, path))
            && !holds_something(slot)
        {
            *slot = kept.clone();
        }
    }
    let case: Case = serde_json::from_value(incoming).map_err(damaged)?;
    case.validate().map_err(StoreError::from)?;
    Ok(Cow::Owned(CaseRecord {
        case,
        ..record.clone()
    }))
}

/// Checks a received case's revision list against the case: numbers that
/// grow, none beyond the case's revision, known sections, readable times.
pub(super) fn check_revisions(record: &CaseRecord) -> Result<(), SyncError> {
    let bad = |why| SyncError::BadRevisions {
        case: short(&record.case.id.to_string()),
        why,
    };
    if record.revision < 0 {
        return Err(bad("the case's revision is negative"));
    }
    let mut last = 0;
    for r in &record.revisions {
        if r.revision <= last || r.revision > record.revision {
            return Err(bad("revision numbers out of order"));
        }
        last = r.revision;
        if SectionName::from_key(&r.section).is_none()
            && r.section != crate::store::MEDIA_REVISION_SECTION
        {
            return Err(bad("an unknown section"));
        }
        if r.author.chars().count() > MAX_AUTHOR {
            return Err(bad("an author name too long"));
        }
    }
    Ok(())
}

/// The longest account name accepted in a received revision.
const MAX_AUTHOR: usize = 200;

/// Writes a received case under the sender's id: its sections replace the
/// stored ones, and its revisions newer than the stored revision are
/// appended with their original author and time.
pub(super) fn upsert_case(
    tx: &rusqlite::Connection,
    record: &CaseRecord,
    account: &str,
    at: &str,
) -> Result<(), StoreError> {
    let case: &Case = &record.case;
    let id = case.id.to_string();
    let stored: Option<i64> = tx
        .query_row("SELECT revision FROM cases WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .optional()?;
    if stored.is_none() {
        tx.execute(
            "INSERT INTO cases (id, created_at, created_by, updated_at, stage) VALUES (?1, ?2, ?3, ?2, ?4)",
            params![id, at, account, stage_key(case.stage)],
        )?;
    }
    let stored = stored.unwrap_or(0);
    for section in case.sections() {
        tx.execute(
            "INSERT INTO case_sections (case_id, section, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (case_id, section) DO UPDATE SET body = excluded.body",
            params![id, section.name().key(), section.to_json().to_string()],
        )?;
        if let Section::Basic(basic) = &section {
            tx.execute(
                "UPDATE cases SET name = ?2, kana = ?3 WHERE id = ?1",
                params![id, basic.name.expose(), basic.kana.expose()],
            )?;
        }
    }
    for r in record.revisions.iter().filter(|r| r.revision > stored) {
        tx.execute(
            "INSERT INTO revisions (case_id, revision, author, at, section, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, r.revision, r.author, r.at, r.section, serde_json::to_string(&r.changes).expect("changes serialise")],
        )?;
    }
    let updated = record
        .revisions
        .last()
        .map_or(at.to_owned(), |r| r.at.to_string());
    tx.execute(
        "UPDATE cases SET stage = ?2, revision = max(revision, ?3), updated_at = ?4 WHERE id = ?1",
        params![id, stage_key(case.stage), record.revision, updated],
    )?;
    Ok(())
}
