//! Send-data between agencies (関係機関への送付用データ): a case sealed to
//! another office's `age` key, only while the client's consent to sharing
//! with a related agency is in force ([`Store::export_case`]); and, at the
//! receiving office, that file taken in as a new case that says where it
//! came from.
//!
//! The receiving office starts its own record: the case gets a new id and
//! its own history from the import on; the consents the client gave the
//! sending agency are not carried over (this office records its own), and
//! photos and video arrive unapproved for use here.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use rusqlite::{OptionalExtension, params};

use super::incoming::Opened;
use super::{SyncError, exists, media};
use crate::model::CaseId;
use crate::rfc3339::Timestamp;
use crate::seal::{BundleId, Recipient};
use crate::store::{AuditAction, Role, Store, StoreError, now};

/// The longest name of a sending agency kept.
const MAX_AGENCY: usize = 200;

/// Where a case taken in from another agency came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyOrigin {
    /// The sending agency, as the receiving office named it.
    pub agency: String,
    /// The sending device's signing key (hex).
    pub sender: String,
    /// The case's id at the sending agency.
    pub source_case: String,
    /// When it was taken in.
    pub received_at: Timestamp,
}

impl Store {
    /// Writes the send-data file of `case` sealed to `to` at `out`, through
    /// a temporary file beside it that is flushed and renamed only when
    /// whole ([`Store::export_case`]: to anyone but the paired office, only
    /// with the client's consent to sharing with a related agency).
    pub fn export_case_to_file(
        &mut self,
        case: CaseId,
        to: &Recipient,
        out: &Path,
    ) -> Result<BundleId, SyncError> {
        let tmp = out.with_extension("tmp");
        let written = (|| {
            let file = fs::File::create(&tmp)?;
            let (bundle, writer) = self.export_case(case, to, io::BufWriter::new(file))?;
            let mut file = writer.into_inner().map_err(|e| e.into_error())?;
            file.flush()?;
            file.sync_all()?;
            fs::rename(&tmp, out)?;
            Ok(bundle)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// Takes in a send-data file from another agency, addressed to this
    /// office, as new cases (one per case in the file) that record
    /// `agency` as where they came from; the new ids, or `None` when this
    /// file was taken in before. Nothing is written on any error.
    pub fn import_from_agency<R: Read>(
        &mut self,
        input: R,
        agency: &str,
    ) -> Result<Option<Vec<CaseId>>, SyncError> {
        self.require(
            &[Role::Administrator, Role::SupportWorker],
            "take in cases from another agency",
        )?;
        let agency = agency.trim();
        if agency.is_empty() || agency.chars().count() > MAX_AGENCY {
            return Err(SyncError::NoAgencyName);
        }
        let Some(Opened {
            id,
            signer,
            records,
            mut received,
            ..
        }) = self.open_bundle(input, &|_| true)?
        else {
            return Ok(None);
        };
        let tx = self.conn.unchecked_transaction()?;
        if exists(
            &tx,
            "SELECT 1 FROM incoming_bundles WHERE id = ?1",
            [id.to_string()],
        )? {
            return Ok(None);
        }
        let at = now();
        let mut created = Vec::new();
        for r in &records {
            let mut case = r.case.clone();
            case.consents.clear();
            let new = self.insert_case(&tx, &case)?;
            let mut media = r.media.clone();
            for item in &mut media {
                item.approved_at = None;
                item.approved_by = None;
            }
            media::apply_media(&tx, &new.to_string(), &media, &mut received)?;
            tx.execute(
                "INSERT INTO agency_origins (case_id, agency, sender, source_case, bundle_id, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    new.to_string(),
                    agency,
                    signer.to_hex(),
                    r.case.id.to_string(),
                    id.to_string(),
                    at
                ],
            )?;
            self.audit(
                &tx,
                AuditAction::CreateCase,
                Some(new),
                &format!("taken in from another agency's send-data file {id}"),
            )?;
            created.push(new);
        }
        tx.execute(
            "INSERT INTO incoming_bundles (id, signer, received_at, cases) VALUES (?1, ?2, ?3, ?4)",
            params![id.to_string(), signer.to_hex(), at, records.len() as i64],
        )?;
        tx.commit()?;
        received.keep();
        Ok(Some(created))
    }

    /// Where `case` came from, when it was taken in from another agency.
    pub fn agency_origin(&self, case: CaseId) -> Result<Option<AgencyOrigin>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT agency, sender, source_case, received_at FROM agency_origins WHERE case_id = ?1",
                [case.to_string()],
                |r| {
                    Ok(AgencyOrigin {
                        agency: r.get(0)?,
                        sender: r.get(1)?,
                        source_case: r.get(2)?,
                        received_at: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}
