//! Bundles the companion refused (受け取りを拒否された送信).
//!
//! A refusal never blocks docking: the refused bundle is dropped, the photos
//! and videos it carried count as not sent, and its cases are sealed again.
//! When it held several cases, each goes again alone, so that the one the
//! companion cannot take is found and the others arrive; a case refused
//! alone is held back at that revision, with the companion's reason for the
//! worker to read, until it changes (an edit makes a new revision) or it is
//! delivered.

use crate::rfc3339::Timestamp;
use rusqlite::params;

use super::super::{AuditAction, Store, StoreError, now};
use crate::link::Fingerprint;
use crate::model::CaseId;
use crate::seal::BundleId;

/// A case held back because the companion refused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedCase {
    /// The case.
    pub case: CaseId,
    /// The revision refused; a later revision is sent again.
    pub revision: i64,
    /// The companion's reason, in its words (no personal data).
    pub reason: String,
    /// When (RFC 3339).
    pub refused_at: Timestamp,
}

/// How a case of a refused bundle is treated at the next seal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Held {
    /// Sent again in a bundle of its own.
    Alone,
    /// Held back at this revision.
    Back,
}

impl Store {
    /// Records that the companion refused bundle `id` for `reason`, and
    /// drops the bundle (see the module docs). Returns the cases now held
    /// back (those the bundle carried alone).
    pub fn bundle_refused(
        &mut self,
        id: BundleId,
        reason: &str,
    ) -> Result<Vec<CaseId>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let bundle: Option<(String, String)> =
            rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT peer, file FROM outgoing_bundles WHERE id = ?1 AND delivered_at IS NULL",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            ))?;
        let Some((peer, file)) = bundle else {
            return Ok(Vec::new());
        };
        let cases: Vec<(String, i64)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT case_id, revision FROM outgoing_cases WHERE bundle_id = ?1",
            )?;
            stmt.query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        let alone = cases.len() > 1;
        let at = now();
        let mut held_back = Vec::new();
        for (case, revision) in &cases {
            tx.execute(
                "INSERT INTO refused_cases (peer, case_id, revision, alone, reason, refused_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (peer, case_id) DO UPDATE SET revision = excluded.revision,
                   alone = excluded.alone, reason = excluded.reason, refused_at = excluded.refused_at",
                params![peer, case, revision, alone, reason, at],
            )?;
            if !alone {
                held_back.push(case.parse().map_err(|_| StoreError::Damaged)?);
            }
        }
        // Its cases and items count as not sent (the rows go with it).
        tx.execute(
            "DELETE FROM outgoing_bundles WHERE id = ?1",
            [id.to_string()],
        )?;
        self.audit(
            &tx,
            AuditAction::Account,
            None,
            &format!("bundle {id} refused by the companion"),
        )?;
        tx.commit()?;
        let _ = std::fs::remove_file(self.dir.join(super::OUTBOX).join(file));
        Ok(held_back)
    }

    /// The cases held back from `peer`, with the companion's reasons.
    pub fn refused_cases(&self, peer: &Fingerprint) -> Result<Vec<RefusedCase>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.case_id, r.revision, r.reason, r.refused_at FROM refused_cases r
             JOIN cases c ON c.id = r.case_id AND c.revision = r.revision
             WHERE r.peer = ?1 AND r.alone = 0 ORDER BY r.refused_at",
        )?;
        let rows = stmt.query_map([peer.to_hex()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Timestamp>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (case, revision, reason, refused_at) = row?;
            out.push(RefusedCase {
                case: case.parse().map_err(|_| StoreError::Damaged)?,
                revision,
                reason,
                refused_at,
            });
        }
        Ok(out)
    }

    /// How each case of a refused bundle for `peer` is held, by case id, at
    /// the revision refused.
    pub(super) fn held_cases(
        &self,
        peer: &str,
    ) -> Result<std::collections::HashMap<String, (i64, Held)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT case_id, revision, alone FROM refused_cases WHERE peer = ?1")?;
        let rows = stmt.query_map([peer], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (case, revision, alone) = row?;
            out.insert(
                case,
                (revision, if alone { Held::Alone } else { Held::Back }),
            );
        }
        Ok(out)
    }
}

/// Forgets the refusals of the cases delivered in bundle `id`.
pub(super) fn forget_refusals(tx: &rusqlite::Connection, id: BundleId) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM refused_cases WHERE (peer, case_id) IN
           (SELECT ob.peer, oc.case_id FROM outgoing_cases oc
            JOIN outgoing_bundles ob ON ob.id = oc.bundle_id WHERE ob.id = ?1)",
        [id.to_string()],
    )?;
    Ok(())
}
