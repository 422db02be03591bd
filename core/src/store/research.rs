//! Research upload in the encrypted store (研究センターへの送付): the agency's
//! signing key and pseudonym secret (made once, never sent), the centre to
//! send to, and the outbox of sealed batches with their delivery state.
//!
//! A batch is sealed once and kept as ciphertext until the centre
//! acknowledges it; sending again sends the same bytes, so the centre can
//! tell a retry from a new batch.

use crate::rfc3339::Timestamp;
use std::str::FromStr;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, now};
use crate::link::Fingerprint;
use crate::research::{AgencySecret, Batch, BatchId, seal_batch};
use crate::seal::{DeviceKeys, Recipient};

/// The agency's keys for research upload.
#[derive(Debug)]
pub struct AgencyKeys {
    /// The Ed25519 key batches are signed with (its public half is
    /// registered at the centre).
    pub keys: DeviceKeys,
    /// The secret pseudonyms are keyed with.
    pub secret: AgencySecret,
}

/// Where research batches go.
#[derive(Clone, Debug, PartialEq)]
pub struct CentreConfig {
    /// This agency's name, as sent in a batch.
    pub agency: String,
    /// The centre's base URL (`https://host:port`).
    pub url: String,
    /// The centre's `age` public key.
    pub recipient: Recipient,
    /// The centre's TLS certificate fingerprint, pinned.
    pub fingerprint: Fingerprint,
}

/// A batch in the outbox, sent or not.
#[derive(Clone, Debug)]
pub struct QueuedBatch {
    /// Its id.
    pub id: BatchId,
    /// When it was sealed (RFC 3339).
    pub created_at: Timestamp,
    /// How many records it holds.
    pub records: usize,
    /// The sealed bytes.
    pub sealed: Vec<u8>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// The last attempt's error, in words.
    pub last_error: Option<String>,
    /// When the centre acknowledged it.
    pub sent_at: Option<Timestamp>,
    /// When the centre refused it for good (its answer is in
    /// [`last_error`](Self::last_error)); a refused batch no longer waits.
    pub refused_at: Option<Timestamp>,
}

impl QueuedBatch {
    /// Whether it still waits to be delivered: neither acknowledged nor
    /// refused.
    pub fn waiting(&self) -> bool {
        self.sent_at.is_none() && self.refused_at.is_none()
    }
}

impl Store {
    /// The agency's research keys, made on first use. Administrators only.
    pub fn research_keys(&mut self) -> Result<AgencyKeys, StoreError> {
        self.require_admin("use the research keys")?;
        let row: Option<(Vec<u8>, String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT signing_key, age_identity, pseudonym_secret FROM research_identity WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((signing, age, secret)) = row {
            let signing = zeroize::Zeroizing::new(signing);
            let age = zeroize::Zeroizing::new(age);
            let secret = zeroize::Zeroizing::new(secret);
            return Ok(AgencyKeys {
                keys: DeviceKeys::from_secret_parts(&signing, &age)
                    .map_err(|_| StoreError::Damaged)?,
                secret: AgencySecret::from_bytes(&secret).map_err(|_| StoreError::Damaged)?,
            });
        }
        let keys = DeviceKeys::generate();
        let secret = AgencySecret::generate();
        let (signing, age) = keys.to_secret_parts();
        self.conn.execute(
            "INSERT INTO research_identity (id, signing_key, age_identity, pseudonym_secret, created_at)
             VALUES (1, ?1, ?2, ?3, ?4)",
            params![signing.as_slice(), age.as_str(), secret.as_bytes().as_slice(), now()],
        )?;
        Ok(AgencyKeys { keys, secret })
    }

    /// Sets the centre to send to. Administrators only. Batches still
    /// waiting were sealed for the centre as it was; when the centre's key,
    /// address or agency name changes they are dropped, and the next send
    /// seals the cases' current records for the new centre.
    pub fn set_research_centre(&mut self, config: &CentreConfig) -> Result<(), StoreError> {
        self.require_admin("configure the research centre")?;
        let tx = self.conn.unchecked_transaction()?;
        if self.research_centre()?.is_some_and(|old| old != *config) {
            tx.execute(
                "DELETE FROM research_batches WHERE sent_at IS NULL AND refused_at IS NULL",
                [],
            )?;
        }
        tx.execute(
            "INSERT INTO research_centre (id, agency, url, recipient, fingerprint, configured_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET agency = excluded.agency, url = excluded.url,
               recipient = excluded.recipient, fingerprint = excluded.fingerprint,
               configured_at = excluded.configured_at",
            params![
                config.agency,
                config.url,
                config.recipient.as_string(),
                config.fingerprint.to_hex(),
                now()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The centre to send to, if one is configured.
    pub fn research_centre(&self) -> Result<Option<CentreConfig>, StoreError> {
        let row: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT agency, url, recipient, fingerprint FROM research_centre WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(agency, url, recipient, fingerprint)| {
            Ok(CentreConfig {
                agency,
                url,
                recipient: Recipient::from_str(&recipient).map_err(|_| StoreError::Damaged)?,
                fingerprint: Fingerprint::from_str(&fingerprint)
                    .map_err(|_| StoreError::Damaged)?,
            })
        })
        .transpose()
    }

    /// Seals `batch` to the configured centre with the agency's key and puts
    /// it in the outbox. Administrators only.
    pub fn queue_research_batch(&mut self, batch: &Batch) -> Result<QueuedBatch, StoreError> {
        let keys = self.research_keys()?;
        let centre = self
            .research_centre()?
            .ok_or(StoreError::NoResearchCentre)?;
        let sealed =
            seal_batch(batch, &keys.keys, &centre.recipient).map_err(|_| StoreError::Damaged)?;
        self.conn.execute(
            "INSERT INTO research_batches (id, created_at, records, sealed) VALUES (?1, ?2, ?3, ?4)",
            params![
                batch.batch_id.to_string(),
                batch.created_at,
                i64::try_from(batch.records.len()).unwrap_or(i64::MAX),
                sealed
            ],
        )?;
        Ok(QueuedBatch {
            id: batch.batch_id,
            created_at: batch.created_at,
            records: batch.records.len(),
            sealed,
            attempts: 0,
            last_error: None,
            sent_at: None,
            refused_at: None,
        })
    }

    /// Every batch in the outbox and history, oldest first.
    pub fn research_batches(&self) -> Result<Vec<QueuedBatch>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, created_at, records, sealed, attempts, last_error, sent_at, refused_at
             FROM research_batches ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Timestamp>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<Timestamp>>(6)?,
                r.get::<_, Option<Timestamp>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, created_at, records, sealed, attempts, last_error, sent_at, refused_at) = row?;
            out.push(QueuedBatch {
                id: id.parse().map_err(|_| StoreError::Damaged)?,
                created_at,
                records: usize::try_from(records).unwrap_or(0),
                sealed,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                last_error,
                sent_at,
                refused_at,
            });
        }
        Ok(out)
    }

    /// Records one failed delivery attempt, with the error in words.
    pub fn research_attempt_failed(&mut self, id: BatchId, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE research_batches SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id.to_string(), error],
        )?;
        Ok(())
    }

    /// Sets a batch aside that the centre refused for good (its answer in
    /// words kept as the last error): it no longer blocks the batches after
    /// it, stays listed, and can be discarded.
    pub fn research_batch_refused(&mut self, id: BatchId, why: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE research_batches SET attempts = attempts + 1, last_error = ?2,
               refused_at = ?3 WHERE id = ?1 AND sent_at IS NULL",
            params![id.to_string(), why, now()],
        )?;
        Ok(())
    }

    /// Removes a batch that was not delivered (waiting or refused) from the
    /// outbox. Administrators only. Returns whether there was one.
    pub fn discard_research_batch(&mut self, id: BatchId) -> Result<bool, StoreError> {
        self.require_admin("discard a research batch")?;
        let n = self.conn.execute(
            "DELETE FROM research_batches WHERE id = ?1 AND sent_at IS NULL",
            params![id.to_string()],
        )?;
        Ok(n > 0)
    }

    /// Marks a batch delivered, keeping the centre's acknowledgement.
    pub fn research_batch_sent(&mut self, id: BatchId, ack: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE research_batches SET attempts = attempts + 1, last_error = NULL,
               sent_at = ?2, ack = ?3 WHERE id = ?1 AND sent_at IS NULL",
            params![id.to_string(), now(), ack],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::{KdfParams, MemoryKeychain, StoreOptions};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, _) = Store::create(
            dir.path(),
            Arc::new(MemoryKeychain::default()),
            "admin",
            "correct horse battery",
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )
        .expect("creates");
        (dir, store)
    }

    #[test]
    fn the_research_keys_are_made_once_and_kept() {
        let (_dir, mut store) = store();
        let first = store.research_keys().expect("keys");
        let again = store.research_keys().expect("keys");
        assert_eq!(first.keys.signer(), again.keys.signer());
        assert_eq!(first.secret.as_bytes(), again.secret.as_bytes());
    }

    #[test]
    fn a_queued_batch_stays_in_the_outbox_until_the_centre_acknowledges_it() {
        let (_dir, mut store) = store();
        let batch = Batch::new("架空市", Vec::new());
        assert!(matches!(
            store.queue_research_batch(&batch),
            Err(StoreError::NoResearchCentre)
        ));
        let centre = DeviceKeys::generate();
        store
            .set_research_centre(&CentreConfig {
                agency: "架空市".into(),
                url: "https://127.0.0.1:8443".into(),
                recipient: centre.recipient(),
                fingerprint: Fingerprint([7; 32]),
            })
            .expect("configures");
        let queued = store.queue_research_batch(&batch).expect("queues");
        store
            .research_attempt_failed(queued.id, "connection refused")
            .expect("records");
        let listed = store.research_batches().expect("lists");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].sent_at, None);
        assert_eq!(listed[0].attempts, 1);
        assert_eq!(listed[0].sealed, queued.sealed);
        store.research_batch_sent(queued.id, "{}").expect("marks");
        let listed = store.research_batches().expect("lists");
        assert!(listed[0].sent_at.is_some());
        assert_eq!(listed[0].last_error, None);
    }

    fn configured() -> (tempfile::TempDir, Store, CentreConfig) {
        let (dir, mut store) = store();
        let config = CentreConfig {
            agency: "架空市".into(),
            url: "https://127.0.0.1:8443".into(),
            recipient: DeviceKeys::generate().recipient(),
            fingerprint: Fingerprint([7; 32]),
        };
        store.set_research_centre(&config).expect("configures");
        (dir, store, config)
    }

    #[test]
    fn a_refused_batch_is_set_aside_and_can_be_discarded() {
        let (_dir, mut store, _) = configured();
        let first = store
            .queue_research_batch(&Batch::new("架空市", Vec::new()))
            .expect("queues");
        store
            .research_batch_refused(first.id, "400: the batch does not fit")
            .expect("records");
        let listed = store.research_batches().expect("lists");
        assert!(!listed[0].waiting(), "a refused batch no longer waits");
        assert!(listed[0].refused_at.is_some());
        assert_eq!(
            listed[0].last_error.as_deref(),
            Some("400: the batch does not fit")
        );
        assert!(store.discard_research_batch(first.id).expect("discards"));
        assert!(store.research_batches().expect("lists").is_empty());
    }

    #[test]
    fn waiting_batches_are_dropped_when_the_centre_changes() {
        let (_dir, mut store, config) = configured();
        let sent = store
            .queue_research_batch(&Batch::new("架空市", Vec::new()))
            .expect("queues");
        store.research_batch_sent(sent.id, "{}").expect("marks");
        store
            .queue_research_batch(&Batch::new("架空市", Vec::new()))
            .expect("queues");
        store
            .set_research_centre(&config)
            .expect("same centre again");
        assert_eq!(store.research_batches().expect("lists").len(), 2);
        store
            .set_research_centre(&CentreConfig {
                recipient: DeviceKeys::generate().recipient(),
                ..config
            })
            .expect("a new centre key");
        let left = store.research_batches().expect("lists");
        assert_eq!(
            left.iter().map(|b| b.id).collect::<Vec<_>>(),
            vec![sent.id],
            "only the delivered batch stays, as history"
        );
    }
}
