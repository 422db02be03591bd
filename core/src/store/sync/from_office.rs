//! A replaced tablet (端末の交換), the tablet's side: receiving from the paired
//! companion the cases the office handed to this tablet (事務所PCから受け取る).
//!
//! A case is taken when this tablet does not have it, when the office holds
//! a newer revision, or when this tablet's copy waits for fields to be
//! entered again after a backup without personal data (要再入力) and the
//! office's copy is as new: the office's copy is whole. A case taken is
//! assigned to the account that received it and counts as already sent to
//! the companion at that revision, with its photos and video, so the next
//! sync sends only what changes afterwards.

use std::io::Read;

use rusqlite::{OptionalExtension, params};

use super::incoming::{Opened, upsert_case};
use super::{Imported, PeerKind, SyncError, exists, media};
use crate::seal::CaseRecord;
use crate::store::{AuditAction, Role, Store, StoreError, now};

impl Store {
    /// Opens a bundle the paired companion sealed to this tablet, checks
    /// every part, and imports the cases it should take in one transaction
    /// with the bundle's id. Nothing is imported on any error; a bundle
    /// imported before changes nothing.
    pub fn import_from_office<R: Read>(&mut self, input: R) -> Result<Imported, SyncError> {
        self.require(
            &[Role::Administrator, Role::SupportWorker],
            "receive cases from the office",
        )?;
        let office = self
            .peers()?
            .into_iter()
            .find(|p| p.kind == PeerKind::Companion)
            .ok_or(StoreError::NoSuchPeer)?;
        let Some(Opened {
            id,
            signer,
            records,
            mut received,
            ..
        }) = self.open_bundle(input, &|s| *s == office.signer)?
        else {
            return Ok(Imported::Before);
        };
        let office_key = office.fingerprint.to_hex();
        let tx = self.conn.unchecked_transaction()?;
        if exists(
            &tx,
            "SELECT 1 FROM incoming_bundles WHERE id = ?1",
            [id.to_string()],
        )? {
            return Ok(Imported::Before);
        }
        let at = now();
        let mut taken = Vec::new();
        for r in &records {
            if takes(&tx, r)? {
                taken.push(r);
            }
        }
        if !taken.is_empty() {
            // Counted as sent to the office at the revision received.
            tx.execute(
                "INSERT INTO outgoing_bundles (id, peer, file, size, sha256, created_at, delivered_at)
                 VALUES (?1, ?2, '', 0, '', ?3, ?3)",
                params![id.to_string(), office_key, at],
            )?;
        }
        for r in &taken {
            let case = r.case.id.to_string();
            upsert_case(&tx, r, &self.account.name, &at)?;
            media::apply_media(&tx, &case, &r.media, &mut received)?;
            tx.execute("DELETE FROM reentry_needed WHERE case_id = ?1", [&case])?;
            tx.execute(
                "INSERT OR IGNORE INTO assignments (case_id, account) VALUES (?1, ?2)",
                params![case, self.account.name],
            )?;
            tx.execute(
                "INSERT INTO outgoing_cases (bundle_id, case_id, revision) VALUES (?1, ?2, ?3)",
                params![id.to_string(), case, r.revision],
            )?;
            Self::remember_media_sent(&tx, &office_key, id, &case, &r.media)?;
            self.audit(
                &tx,
                AuditAction::CreateCase,
                Some(r.case.id),
                &format!("received from the office in bundle {id}"),
            )?;
        }
        tx.execute(
            "INSERT INTO incoming_bundles (id, signer, received_at, cases) VALUES (?1, ?2, ?3, ?4)",
            params![id.to_string(), signer.to_hex(), at, records.len() as i64],
        )?;
        tx.commit()?;
        received.keep();
        Ok(Imported::Now(taken.len()))
    }
}

/// Whether this tablet takes the office's copy `record`: when it does not
/// hold the case, holds an older revision, or holds the same revision with
/// fields to be entered again. A case deleted here stays deleted.
fn takes(tx: &rusqlite::Connection, record: &CaseRecord) -> Result<bool, StoreError> {
    let id = record.case.id.to_string();
    if exists(tx, "SELECT 1 FROM deleted_cases WHERE case_id = ?1", [&id])? {
        return Ok(false);
    }
    let held: Option<i64> = tx
        .query_row("SELECT revision FROM cases WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match held {
        None => true,
        Some(held) if held < record.revision => true,
        Some(held) if held == record.revision => {
            exists(tx, "SELECT 1 FROM reentry_needed WHERE case_id = ?1", [&id])?
        }
        Some(_) => false,
    })
}
