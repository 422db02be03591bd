//! What the centre's tests share: an agency, a database in a temporary
//! folder, and progress records of the demo cases.

#![allow(dead_code)]

pub mod board;
pub mod site;

use time::macros::date;
use tsunagi_centre::storage::{Agency, Database, SqliteDatabase};
use tsunagi_core::model::demo_cases;
use tsunagi_core::reference::ReferenceDb;
use tsunagi_core::research::{AgencySecret, Batch, ProgressRecord};
use tsunagi_core::seal::DeviceKeys;

/// The agency's name in every test.
pub const AGENCY: &str = "架空市難病相談支援センター";

/// The bundled disease reference.
pub fn reference() -> ReferenceDb {
    ReferenceDb::bundled().expect("the bundled reference loads")
}

/// A registered agency with its keys and a fresh SQLite database.
pub struct Fixture {
    /// The temporary data folder (dropped with the fixture).
    pub dir: tempfile::TempDir,
    /// The database in it.
    pub db: SqliteDatabase,
    /// The agency's signing keys.
    pub keys: DeviceKeys,
    /// The agency as registered.
    pub agency: Agency,
}

impl Fixture {
    /// A database with one registered agency.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut db = SqliteDatabase::open(dir.path()).expect("the database opens");
        let keys = DeviceKeys::generate();
        let agency = Agency::new(AGENCY, keys.signer());
        db.add_agency(&agency).expect("registers");
        Self {
            dir,
            db,
            keys,
            agency,
        }
    }
}

/// The records of the demo cases under one secret, `copies` times each
/// (every copy a different case with its own pseudonym).
pub fn records(copies: usize) -> Vec<ProgressRecord> {
    let secret = AgencySecret::generate();
    let reference = reference();
    let mut out = Vec::new();
    for _ in 0..copies {
        for mut case in demo_cases() {
            case.id = tsunagi_core::model::CaseId::new();
            out.push(ProgressRecord::from_case(
                &case,
                &secret,
                date!(2026 - 12 - 01),
                &reference,
                5,
            ));
        }
    }
    out
}

/// A batch of `records` made at `created_at` (RFC 3339).
pub fn batch_at(records: Vec<ProgressRecord>, created_at: &str) -> Batch {
    let mut batch = Batch::new(AGENCY, records);
    batch.created_at = tsunagi_core::rfc3339::Timestamp::parse(created_at).expect("a time");
    batch
}
