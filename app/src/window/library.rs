//! The reference database the screens share: read once, off the UI thread,
//! then kept for the life of the window.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use tsunagi_core::reference::{ReferenceDb, ReferenceError};

/// The reference database, read once (off the UI thread) and then shared.
#[derive(Default)]
pub(super) struct Library {
    db: Mutex<Option<Arc<ReferenceDb>>>,
}

impl Library {
    /// The database, read on first use from the update folder
    /// `<data>/reference` or else the bundled copy. Blocking file I/O: call
    /// from a job on the worker thread.
    pub(super) fn get_or_load(&self, data_dir: &Path) -> Result<Arc<ReferenceDb>, ReferenceError> {
        let mut slot = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(db) = slot.as_ref() {
            return Ok(Arc::clone(db));
        }
        let db = Arc::new(ReferenceDb::load_installed(data_dir)?);
        *slot = Some(Arc::clone(&db));
        Ok(db)
    }

    /// Forgets the database read, so that the next use reads the one
    /// installed now (after a release arrived at docking).
    pub(super) fn forget(&self) {
        *self.db.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The database if it has been read.
    pub(super) fn get(&self) -> Option<Arc<ReferenceDb>> {
        self.db
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
