//! Research upload (研究センターへの送付): the records that would be sent,
//! sealing a batch into the store's outbox, and delivering the outbox over
//! HTTPS to the centre, pinning its certificate, with retries and back-off.
//!
//! A batch leaves the outbox only when the centre's acknowledgement names
//! it. Until then every attempt sends the same sealed bytes, which the
//! centre recognises by batch id, so a retry is never counted twice.

use std::path::Path;
use std::time::Duration;

use tsunagi_core::consent::Refusal;
use tsunagi_core::link::tls::pinned_https_config;
use tsunagi_core::model::ConsentScope;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{Batch, BatchId, ProgressRecord, Pseudonym};
use tsunagi_core::store::research::{CentreConfig, QueuedBatch};
use tsunagi_core::store::{CaseQuery, Store, StoreError};

/// Age bands are this many years wide.
pub const BAND_WIDTH: u8 = 5;

/// Why research upload failed.
#[derive(Debug, thiserror::Error)]
pub enum ResearchSendError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The reference database does not load.
    #[error("the disease reference does not load: {0}")]
    Reference(String),
    /// No centre is configured.
    #[error("no research centre is configured: run `research configure` first")]
    NotConfigured,
    /// The centre could not be reached or did not answer; the batch stays
    /// queued.
    #[error("the research centre could not be reached ({0}); the batch stays queued")]
    Unreachable(String),
    /// The centre refused a batch for good: it is set aside (listed by
    /// `research outbox`, removed by `research discard`), the batches after
    /// it were still sent, and the next send seals a new one.
    #[error(
        "the research centre refused batch {id} ({why}); it is set aside and no longer blocks the outbox: {delivered} other batch(es) delivered"
    )]
    Refused {
        /// The batch refused.
        id: BatchId,
        /// The centre's answer.
        why: String,
        /// How many batches were delivered in the same send.
        delivered: usize,
    },
}

/// The disease reference the records name groups from.
pub fn reference(data_dir: &Path) -> Result<ReferenceDb, ResearchSendError> {
    ReferenceDb::load_installed(data_dir).map_err(|e| ResearchSendError::Reference(e.to_string()))
}

/// A case left out of research, and why (its record is withdrawn).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// The case's pseudonym: the centre deletes the record it holds under it.
    pub pseudonym: Pseudonym,
    /// Why its record is not sent.
    pub why: Refusal,
}

/// What a research send carries: the records of the cases whose research
/// consent (研究部門への提供) is in force, and a withdrawal for every other
/// case and for every case deleted here, so that a record the centre holds
/// from before a withdrawal or a deletion is deleted there. A pseudonym
/// reveals nothing about a case, and a withdrawal for a case never sent
/// deletes nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// One record per consenting case.
    pub records: Vec<ProgressRecord>,
    /// The cases left out.
    pub left_out: Vec<LeftOut>,
    /// The pseudonyms of the cases deleted here.
    pub deleted: Vec<Pseudonym>,
}

impl Selection {
    /// The pseudonyms whose records the centre must delete.
    pub fn withdrawn(&self) -> Vec<Pseudonym> {
        self.left_out
            .iter()
            .map(|l| l.pseudonym.clone())
            .chain(self.deleted.iter().cloned())
            .collect()
    }
}

/// What `research send` would send today, with disease groups from
/// `reference`. Asks [`Case::may_use`](tsunagi_core::model::Case) for the
/// research scope of every case first.
pub fn records(store: &mut Store, reference: &ReferenceDb) -> Result<Selection, ResearchSendError> {
    let keys = store.research_keys()?;
    let today = time::OffsetDateTime::now_utc().date();
    let mut out = Selection::default();
    for row in store.list_cases(&CaseQuery::default())? {
        let case = store.load_case(row.id)?;
        match case.may_use(ConsentScope::Research, today) {
            Ok(()) => out.records.push(ProgressRecord::from_case(
                &case,
                &keys.secret,
                today,
                reference,
                BAND_WIDTH,
            )),
            Err(why) => out.left_out.push(LeftOut {
                pseudonym: Pseudonym::of(&keys.secret, case.id),
                why,
            }),
        }
    }
    out.deleted = store
        .deleted_cases()?
        .into_iter()
        .map(|id| Pseudonym::of(&keys.secret, id))
        .collect();
    Ok(out)
}

/// Seals a batch of the consenting cases' records, with the withdrawals,
/// into the outbox.
pub fn queue_batch(store: &mut Store) -> Result<QueuedBatch, ResearchSendError> {
    let centre = store
        .research_centre()?
        .ok_or(ResearchSendError::NotConfigured)?;
    let selection = records(store, &reference(store.dir())?)?;
    let withdrawn = selection.withdrawn();
    let batch = Batch::new(&centre.agency, selection.records).with_withdrawn(withdrawn);
    Ok(store.queue_research_batch(&batch)?)
}

/// What [`queue_unless_waiting`] did.
#[derive(Debug)]
pub enum Queued {
    /// A new batch was sealed into the outbox.
    Sealed(QueuedBatch),
    /// This many batches wait in the outbox already; nothing was sealed.
    Waiting(usize),
}

/// Seals a new batch only when no batch waits in the outbox: waiting
/// batches go first, and a new one would carry the same cases again.
pub fn queue_unless_waiting(store: &mut Store) -> Result<Queued, ResearchSendError> {
    let waiting = store
        .research_batches()?
        .iter()
        .filter(|b| b.waiting())
        .count();
    if waiting > 0 {
        return Ok(Queued::Waiting(waiting));
    }
    Ok(Queued::Sealed(queue_batch(store)?))
}

/// How to retry.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Attempts per batch, at least one.
    pub attempts: u32,
    /// The first wait; doubled after each failure, up to a minute.
    pub first_delay: Duration,
}

/// What a delivery attempt ended in.
enum Attempt {
    Acked(String),
    Retry(String),
    Refused(String),
}

async fn post(client: &reqwest::Client, centre: &CentreConfig, batch: &QueuedBatch) -> Attempt {
    let url = format!("{}/batches", centre.url.trim_end_matches('/'));
    let response = match client
        .post(&url)
        .header("content-type", "application/octet-stream")
        .body(batch.sealed.clone())
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return Attempt::Retry(describe(&e)),
    };
    let status = response.status();
    let text = match response.text().await {
        Ok(t) => t,
        Err(e) => return Attempt::Retry(describe(&e)),
    };
    let line = text.lines().next().unwrap_or("").trim().to_owned();
    if status.is_success() {
        let acked = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("batch_id")?.as_str()?.parse::<BatchId>().ok());
        if acked == Some(batch.id) {
            Attempt::Acked(text)
        } else {
            Attempt::Retry("the centre's answer does not acknowledge this batch".into())
        }
    } else if status.is_client_error() {
        Attempt::Refused(format!("{status}: {line}"))
    } else {
        Attempt::Retry(format!("{status}: {line}"))
    }
}

/// A network error in words, with its causes (no personal data: the
/// request carries only ciphertext).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Delivers every waiting batch, oldest first, retrying each as `retry`
/// says. Returns how many were delivered. A batch the centre refuses (a
/// 4xx answer) is set aside and the next is sent; the first refusal is
/// returned as the error once the rest went. A batch that cannot be
/// delivered for now (no answer, 5xx) stops the send, leaving it and the
/// later ones queued.
pub fn deliver(store: &mut Store, retry: Retry) -> Result<usize, ResearchSendError> {
    let centre = store
        .research_centre()?
        .ok_or(ResearchSendError::NotConfigured)?;
    let tls = pinned_https_config(centre.fingerprint)
        .map_err(|e| ResearchSendError::Unreachable(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ResearchSendError::Unreachable(e.to_string()))?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| ResearchSendError::Unreachable(describe(&e)))?;
    let pending: Vec<QueuedBatch> = store
        .research_batches()?
        .into_iter()
        .filter(QueuedBatch::waiting)
        .collect();
    let mut delivered = 0;
    let mut refused = None;
    for batch in pending {
        let mut delay = retry.first_delay;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match runtime.block_on(post(&client, &centre, &batch)) {
                Attempt::Acked(ack) => {
                    store.research_batch_sent(batch.id, &ack)?;
                    eprintln!("sent batch {} ({} records)", batch.id, batch.records);
                    delivered += 1;
                    break;
                }
                Attempt::Refused(why) => {
                    store.research_batch_refused(batch.id, &why)?;
                    eprintln!("the centre refused batch {} ({why}); set aside", batch.id);
                    refused.get_or_insert((batch.id, why));
                    break;
                }
                Attempt::Retry(why) => {
                    store.research_attempt_failed(batch.id, &why)?;
                    if attempt >= retry.attempts.max(1) {
                        return Err(ResearchSendError::Unreachable(why));
                    }
                    eprintln!(
                        "could not send batch {} ({why}); trying again in {} s",
                        batch.id,
                        delay.as_secs_f32()
                    );
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_secs(60));
                }
            }
        }
    }
    match refused {
        Some((id, why)) => Err(ResearchSendError::Refused { id, why, delivered }),
        None => Ok(delivered),
    }
}
