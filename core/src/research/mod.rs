//! Progress data for the research centre (研究センターへの進捗データ).
//!
//! One [`ProgressRecord`] per case, derived from the case model by
//! [`ProgressRecord::from_case`]: a pseudonymous id (HMAC-SHA256 under the
//! agency's secret, stable across sends), an age band, sex, disease groups,
//! certificates held, stages reached by month, counts of consultations and
//! follow-ups by kind, programme enrolments with their coded review outcomes,
//! the months their periods start and end and their goals were all met, and
//! the employment outcome.
//!
//! A record is built only from fields the model does **not** mark
//! [`Identifying`](crate::pii::Identifying), and from those only enums,
//! counts, months and reference ids: never a name, kana, address, contact,
//! full birth date, free text, photo or video. Strings the model keeps as
//! plain text (a disease's displayed name, a certificate's grade as written,
//! a job title) are not copied either: a disease goes by its reference
//! group, a grade by a short code parsed from it, a programme by its
//! [`ProgrammeKind`](crate::model::ProgrammeKind) code (its name, which may
//! name the municipality, stays in the office).
//!
//! The record is the wire type: it is separate from the case model, refuses
//! unknown fields, parses its values (months, bands, pseudonyms) on reading,
//! and travels in a versioned [`Batch`] sealed with [`crate::seal`]: `age` to
//! the centre's key, signed with the agency's Ed25519 key.

mod batch;
mod record;
mod values;

#[cfg(test)]
mod tests;

pub use batch::{BATCH_FORMAT, Batch, BatchId, OpenedBatch, open_batch, seal_batch};
pub use record::{
    CertificateHeld, EmploymentRecord, KindCount, ProgrammeRecord, ProgressRecord, ReviewRecord,
    StageReached, UNLISTED_GROUP,
};
pub use values::{AgeBand, AgencySecret, CertificateGrade, Month, Pseudonym};

/// Why progress data could not be read, sealed or opened. The messages name
/// what is wrong, never a value from a record.
#[derive(Debug, thiserror::Error)]
pub enum ResearchError {
    /// The sealed envelope was refused (wrong key, bad signature, damage).
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    /// The batch was signed by a key the centre has not registered.
    #[error("the batch is signed by an agency the centre does not know (未登録の機関) {0}")]
    UnknownAgency(String),
    /// The batch inside the envelope does not fit the batch format.
    #[error("the batch does not fit the progress-record format: {0}")]
    Malformed(String),
    /// The batch is from a newer format than this version reads.
    #[error("the batch has format {0}, which this version cannot read")]
    Unsupported(u16),
    /// A value does not parse (a month, an age band, a pseudonym, a key).
    #[error("not a valid {0}")]
    BadValue(&'static str),
}
