//! Paired devices and pairing: the peers this store knows, the office's
//! confirmation of a tablet's verification code, and one-time pairing
//! codes.

use super::*;
use crate::rfc3339::Timestamp;

impl Store {
    /// Every paired device.
    pub fn peers(&self) -> Result<Vec<Peer>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT fingerprint, kind, signer, recipient, address, paired_at FROM peers ORDER BY paired_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Timestamp>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (fp, kind, signer, recipient, address, paired_at) = row?;
            out.push(Peer {
                fingerprint: Fingerprint::from_str(&fp).map_err(|_| StoreError::Damaged)?,
                kind: match kind.as_str() {
                    "tablet" => PeerKind::Tablet,
                    _ => PeerKind::Companion,
                },
                signer: SignerKey::from_str(&signer).map_err(|_| StoreError::Damaged)?,
                recipient: Recipient::from_str(&recipient).map_err(|_| StoreError::Damaged)?,
                address,
                paired_at,
            });
        }
        Ok(out)
    }

    /// The paired device with this certificate, if any.
    pub fn peer(&self, fingerprint: &Fingerprint) -> Result<Option<Peer>, StoreError> {
        Ok(self
            .peers()?
            .into_iter()
            .find(|p| p.fingerprint == *fingerprint))
    }

    /// Records where a paired device is now reached (found on the LAN after
    /// its address changed). Returns whether it is paired. Any account: a
    /// sync does this, and the certificate pin, not the address, decides
    /// whom the tablet talks to.
    pub fn set_peer_address(
        &mut self,
        fingerprint: &Fingerprint,
        address: &str,
    ) -> Result<bool, StoreError> {
        let changed = self.conn.execute(
            "UPDATE peers SET address = ?2 WHERE fingerprint = ?1",
            params![fingerprint.to_hex(), address],
        )?;
        Ok(changed == 1)
    }

    /// Records a paired device (replacing one with the same certificate).
    /// Administrators only.
    pub fn add_peer(&mut self, peer: &Peer) -> Result<(), StoreError> {
        self.require_admin("pair devices")?;
        let tx = self.conn.unchecked_transaction()?;
        insert_peer(&tx, peer)?;
        self.audit(&tx, AuditAction::Account, None, "paired a device")?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets a paired device: it is refused from now on. Returns whether it
    /// was paired. Administrators only.
    pub fn remove_peer(&mut self, fingerprint: &Fingerprint) -> Result<bool, StoreError> {
        self.require_admin("unpair devices")?;
        let tx = self.conn.unchecked_transaction()?;
        let n = tx.execute(
            "DELETE FROM peers WHERE fingerprint = ?1",
            [fingerprint.to_hex()],
        )?;
        self.audit(&tx, AuditAction::Account, None, "unpaired a device")?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// Confirms the pairing whose verification code (確認コード) is
    /// `verification` (spaces ignored), as the office reads it off the
    /// tablet: from now on that tablet may send. Returns the tablet, or
    /// `None` when no pairing waits with that code. Administrators only.
    pub fn confirm_pairing(
        &mut self,
        verification: &str,
    ) -> Result<Option<Fingerprint>, StoreError> {
        self.require_admin("pair devices")?;
        let tx = self.conn.unchecked_transaction()?;
        let found: Option<String> = tx
            .query_row(
                "SELECT fingerprint FROM unconfirmed_peers WHERE verification = ?1",
                [digits(verification)],
                |r| r.get(0),
            )
            .optional()?;
        let Some(fp) = found else {
            return Ok(None);
        };
        tx.execute(
            "DELETE FROM unconfirmed_peers WHERE fingerprint = ?1",
            [&fp],
        )?;
        audit_as(&tx, self, "confirmed a pairing")?;
        tx.commit()?;
        Ok(Some(
            Fingerprint::from_str(&fp).map_err(|_| StoreError::Damaged)?,
        ))
    }

    /// Whether the paired device `fingerprint` waits for the office to
    /// confirm its verification code.
    pub fn awaits_confirmation(&self, fingerprint: &Fingerprint) -> Result<bool, StoreError> {
        Ok(exists(
            &self.conn,
            "SELECT 1 FROM unconfirmed_peers WHERE fingerprint = ?1",
            [fingerprint.to_hex()],
        )?)
    }

    /// Issues a one-time pairing secret valid for ten minutes from `now`.
    /// Administrators only.
    pub fn issue_pairing_secret(
        &mut self,
        now: OffsetDateTime,
    ) -> Result<PairingSecret, StoreError> {
        self.require_admin("pair devices")?;
        purge_pairing_codes(&self.conn, now)?;
        let secret = PairingSecret::generate();
        self.conn.execute(
            "INSERT INTO pairing_codes (secret, issued_at, expires_at) VALUES (?1, ?2, ?3)",
            params![
                secret.to_hex().as_str(),
                format_time(now),
                format_time(now + CODE_LIFETIME)
            ],
        )?;
        Ok(secret)
    }

    /// Finds the issued secret `matches` accepts (the proof checker) and, if
    /// it is unused and not expired at `now`, marks it used and pairs `peer`
    /// in one transaction. The peer stays unconfirmed (it may not send)
    /// until the office confirms `verification`, the code both screens show
    /// ([`Store::confirm_pairing`]).
    pub fn redeem_pairing_code(
        &mut self,
        now: OffsetDateTime,
        matches: &dyn Fn(&PairingSecret) -> bool,
        peer: &Peer,
        verification: &str,
    ) -> Result<Redeem, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        purge_pairing_codes(&tx, now)?;
        let codes: Vec<(String, String, Option<String>)> = {
            let mut stmt =
                tx.prepare_cached("SELECT secret, expires_at, used_at FROM pairing_codes")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?
        };
        let mut outcome = Redeem::Unknown;
        for (hexed, expires, used) in codes {
            let secret = zeroize::Zeroizing::new(hexed);
            let Some(s) = PairingSecret::from_hex(&secret) else {
                continue;
            };
            if !matches(&s) {
                continue;
            }
            outcome = if used.is_some() {
                Redeem::AlreadyUsed
            } else if parse_time(&expires)? <= now {
                Redeem::Expired
            } else {
                tx.execute(
                    "UPDATE pairing_codes SET used_at = ?2 WHERE secret = ?1",
                    params![secret.as_str(), format_time(now)],
                )?;
                insert_peer(&tx, peer)?;
                tx.execute(
                    "INSERT INTO unconfirmed_peers (fingerprint, verification) VALUES (?1, ?2)",
                    params![peer.fingerprint.to_hex(), digits(verification)],
                )?;
                audit_as(&tx, self, "paired a device, to be confirmed")?;
                Redeem::Paired
            };
            break;
        }
        tx.commit()?;
        Ok(outcome)
    }

    // ───────────────────────────── outgoing ──────────────────────────────
}

/// Pairs `peer`, replacing only an earlier pairing of the same device (its
/// certificate). A signing key another paired device holds is refused:
/// naming it must never unpair that device.
fn insert_peer(tx: &rusqlite::Connection, peer: &Peer) -> Result<(), StoreError> {
    let taken = exists(
        tx,
        "SELECT 1 FROM peers WHERE signer = ?1 AND fingerprint <> ?2",
        params![peer.signer.to_hex(), peer.fingerprint.to_hex()],
    )?;
    if taken {
        return Err(StoreError::SignerTaken);
    }
    if exists(
        tx,
        "SELECT 1 FROM revoked_devices WHERE fingerprint = ?1 OR signer = ?2",
        params![peer.fingerprint.to_hex(), peer.signer.to_hex()],
    )? {
        return Err(StoreError::Revoked);
    }
    tx.execute(
        "DELETE FROM peers WHERE fingerprint = ?1",
        params![peer.fingerprint.to_hex()],
    )?;
    tx.execute(
        "INSERT INTO peers (fingerprint, kind, signer, recipient, address, paired_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            peer.fingerprint.to_hex(),
            peer.kind.as_str(),
            peer.signer.to_hex(),
            peer.recipient.as_string(),
            peer.address,
            peer.paired_at
        ],
    )?;
    Ok(())
}

/// The digits of a verification code, as stored and compared.
fn digits(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

/// How long a used or expired pairing code is kept, so that a late try
/// hears "used" or "expired" rather than "wrong"; then it is deleted.
pub const SPENT_CODE_KEPT: time::Duration = time::Duration::days(1);

/// Deletes the pairing codes that expired more than [`SPENT_CODE_KEPT`]
/// before `now`, and those used that long ago.
fn purge_pairing_codes(conn: &rusqlite::Connection, now: OffsetDateTime) -> Result<(), StoreError> {
    let codes: Vec<(String, String, Option<String>)> = {
        let mut stmt =
            conn.prepare_cached("SELECT secret, expires_at, used_at FROM pairing_codes")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?
    };
    let cutoff = now - SPENT_CODE_KEPT;
    for (secret, expires, used) in codes {
        let secret = zeroize::Zeroizing::new(secret);
        let spent = match used {
            Some(used) => parse_time(&used)? < cutoff,
            None => parse_time(&expires)? < cutoff,
        };
        if spent {
            conn.execute(
                "DELETE FROM pairing_codes WHERE secret = ?1",
                params![secret.as_str()],
            )?;
        }
    }
    Ok(())
}
