//! A replaced tablet (端末の交換), the office's side: revoking the lost or
//! replaced tablet (使用停止) so it can never pair or send again, handing its
//! cases to the new one, and sealing for a tablet the cases handed to it,
//! with their whole history and media, to be received over the link.

use std::str::FromStr;

use rusqlite::params;

use super::{PeerKind, PendingBundle, SyncError, exists, revisions_after};
use crate::link::Fingerprint;
use crate::model::CaseId;
use crate::seal::{BundleId, CaseRecord};
use crate::store::{AuditAction, Role, Store, StoreError, now, read_case};

use super::Peer;

/// What revoking a tablet did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revoked {
    /// Cases handed over to the new tablet.
    pub handed_over: usize,
}

impl Store {
    /// Revokes the paired tablet `old` (使用停止): it is unpaired, and its
    /// certificate and signing key are kept so that neither may pair or send
    /// again. With `to`, every case `old` held is handed over to that paired
    /// tablet in the same transaction. Administrators only; audited.
    pub fn revoke_tablet(
        &mut self,
        old: &Fingerprint,
        to: Option<&Fingerprint>,
    ) -> Result<Revoked, StoreError> {
        self.require_admin("revoke a tablet")?;
        let peers = self.peers()?;
        let tablet = |fp: &Fingerprint| {
            peers
                .iter()
                .find(|p| p.kind == PeerKind::Tablet && p.fingerprint == *fp)
                .ok_or(StoreError::NoSuchPeer)
        };
        let lost = tablet(old)?;
        let new = to.map(tablet).transpose()?;
        if new.is_some_and(|n| n.fingerprint == lost.fingerprint) {
            return Err(StoreError::NoSuchPeer);
        }
        let tx = self.conn.unchecked_transaction()?;
        let handed_over = match new {
            Some(new) => tx.execute(
                "UPDATE case_origins SET signer = ?2 WHERE signer = ?1",
                params![lost.signer.to_hex(), new.signer.to_hex()],
            )?,
            None => 0,
        };
        tx.execute(
            "INSERT INTO revoked_devices (fingerprint, signer, revoked_at, revoked_by) VALUES (?1, ?2, ?3, ?4)",
            params![old.to_hex(), lost.signer.to_hex(), now(), self.account.name],
        )?;
        tx.execute("DELETE FROM peers WHERE fingerprint = ?1", [old.to_hex()])?;
        tx.execute(
            "DELETE FROM unconfirmed_peers WHERE fingerprint = ?1",
            [old.to_hex()],
        )?;
        let detail = match new {
            Some(new) => format!(
                "revoked tablet {}; {handed_over} case(s) handed over to tablet {}",
                &old.to_hex()[..16],
                &new.fingerprint.to_hex()[..16]
            ),
            None => format!("revoked tablet {}", &old.to_hex()[..16]),
        };
        self.audit(&tx, AuditAction::Account, None, &detail)?;
        tx.commit()?;
        Ok(Revoked { handed_over })
    }

    /// Whether the office revoked the device with this certificate.
    pub fn is_revoked(&self, fingerprint: &Fingerprint) -> Result<bool, StoreError> {
        Ok(exists(
            &self.conn,
            "SELECT 1 FROM revoked_devices WHERE fingerprint = ?1",
            [fingerprint.to_hex()],
        )?)
    }

    /// Seals for the paired tablet `peer` every case handed to it that it
    /// does not have yet — whole, with its full history, and with the photos
    /// and video not sent to it before — into one bundle in `outbox/`, and
    /// returns it; `None` when there is nothing to send. A case the tablet
    /// itself sent last is not sent back, nor one delivered to it at its
    /// current revision. A bundle still waiting for the tablet's
    /// acknowledgement counts as sent: it is offered first.
    pub fn seal_handed_over_for(
        &mut self,
        peer: &Peer,
    ) -> Result<Option<PendingBundle>, SyncError> {
        self.require(&[Role::Administrator, Role::SupportWorker], "send cases")?;
        let identity = self.device_identity()?;
        let peer_key = peer.fingerprint.to_hex();
        let ids: Vec<(String, i64)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id, c.revision FROM cases c JOIN case_origins o ON o.case_id = c.id
                 WHERE o.signer = ?1
                   AND NOT EXISTS (SELECT 1 FROM incoming_bundles ib
                                    WHERE ib.id = o.bundle_id AND ib.signer = o.signer
                                      AND o.revision >= c.revision)
                   AND c.revision > coalesce(
                     (SELECT max(oc.revision) FROM outgoing_cases oc
                        JOIN outgoing_bundles ob ON ob.id = oc.bundle_id
                       WHERE oc.case_id = c.id AND ob.peer = ?2), -1)
                 ORDER BY c.id",
            )?;
            stmt.query_map(params![peer.signer.to_hex(), peer_key], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?
        };
        let mut records = Vec::new();
        let mut media_parts = Vec::new();
        for (id, revision) in ids {
            let case_id = CaseId::from_str(&id).map_err(|_| StoreError::Damaged)?;
            let media = self.media_records(case_id)?;
            media_parts.extend(self.media_parts(Some(&peer_key), case_id, &media)?);
            records.push(CaseRecord {
                case: read_case(&self.conn, case_id)?,
                revision,
                revisions: revisions_after(&self.conn, &id, 0)?,
                media,
                audit_head: None,
                pending_reentry: Vec::new(),
            });
        }
        if records.is_empty() {
            return Ok(None);
        }
        self.seal_into_outbox(peer, &identity.keys, &records, media_parts)
            .map(Some)
    }

    /// Forgets a sealed bundle the other device refused, with its file, so
    /// that what it carried is sealed again next time.
    pub fn forget_bundle(&mut self, id: BundleId) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "DELETE FROM outgoing_bundles WHERE id = ?1 AND delivered_at IS NULL",
            [id.to_string()],
        )?;
        tx.commit()?;
        let _ = std::fs::remove_file(self.outbox_dir().join(format!("{id}.age")));
        Ok(())
    }
}
