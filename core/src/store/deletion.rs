//! Deleting a case (ケースの削除): when the client asks for it, or the time
//! the office keeps records has passed. Administrators only.
//!
//! Everything about the case goes in one transaction: its sections, its
//! change history (the one exception to the append-only revisions, which
//! the schema allows only for a case recorded here as deleted), its media
//! rows (the only copies of their keys, overwritten in place by
//! `secure_delete`), its assignments and its delivery state. The media
//! files go after the commit. What stays is the case's id in
//! `deleted_cases`, with when and by whom, and the audit log's entries,
//! which never held a value of the case:
//!
//! - a tablet that sends the case again is answered "already had" and
//!   changes nothing, so a deleted case does not come back;
//! - the next research send carries a withdrawal for the case's pseudonym,
//!   so the centre deletes the record it holds.

use std::fs;

use rusqlite::{OptionalExtension as _, params};

use super::{AuditAction, Store, StoreError, now};
use crate::model::CaseId;

impl Store {
    /// Deletes `case` and everything recorded about it (see the module
    /// docs). Refused to anyone but an administrator, and for a case that
    /// does not exist.
    pub fn delete_case(&mut self, case: CaseId) -> Result<(), StoreError> {
        self.require_admin("delete cases")?;
        let id = case.to_string();
        let tx = self.conn.unchecked_transaction()?;
        let found: Option<i64> = tx
            .query_row("SELECT 1 FROM cases WHERE id = ?1", [&id], |r| r.get(0))
            .optional()?;
        if found.is_none() {
            return Err(StoreError::NoSuchCase(case));
        }
        let files: Vec<String> = {
            let mut stmt = tx.prepare("SELECT file FROM media WHERE case_id = ?1")?;
            stmt.query_map([&id], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let at = now();
        tx.execute(
            "INSERT INTO deleted_cases (case_id, deleted_at, deleted_by) VALUES (?1, ?2, ?3)
             ON CONFLICT (case_id) DO NOTHING",
            params![id, at, self.account.name],
        )?;
        for sql in [
            "DELETE FROM revisions WHERE case_id = ?1",
            "DELETE FROM media WHERE case_id = ?1",
            "DELETE FROM outgoing_cases WHERE case_id = ?1",
            "DELETE FROM outgoing_media WHERE case_id = ?1",
            "DELETE FROM refused_cases WHERE case_id = ?1",
            // Sections, assignments and the case's origin go with it.
            "DELETE FROM cases WHERE id = ?1",
        ] {
            tx.execute(sql, [&id])?;
        }
        self.audit(
            &tx,
            AuditAction::DeleteCase,
            Some(case),
            &format!("{} media", files.len()),
        )?;
        tx.commit()?;
        // As for one deleted photo: the freed pages leave the WAL.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let dir = self.media_dir();
        for file in files {
            match fs::remove_file(dir.join(&file)) {
                Ok(()) => {}
                // Without its key (gone above) the file opens nothing; the
                // media sweep removes what is left.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// The ids of the cases deleted here (any account may ask: they say
    /// nothing about a client).
    pub fn deleted_cases(&self) -> Result<Vec<CaseId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT case_id FROM deleted_cases ORDER BY deleted_at")?;
        let ids: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids.iter().filter_map(|id| id.parse().ok()).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::media::fixtures;
    use crate::model::demo_cases;
    use crate::store::{
        CaseQuery, KdfParams, Keychain, MediaDetails, MemoryKeychain, Role, StoreOptions,
    };

    const PW: &str = "correct horse battery";

    fn store() -> (tempfile::TempDir, Arc<dyn Keychain>, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
        let (store, _) = Store::create(
            dir.path(),
            Arc::clone(&keychain),
            "admin",
            PW,
            StoreOptions {
                kdf: KdfParams::INSECURE_FOR_TESTS,
            },
        )
        .expect("creates");
        (dir, keychain, store)
    }

    #[test]
    fn a_deleted_case_leaves_no_section_revision_or_media_only_its_id() {
        let (dir, _keychain, mut store) = store();
        let case = demo_cases().remove(0);
        let id = store.create_case(&case).expect("creates");
        let kept = store.create_case(&demo_cases().remove(1)).expect("creates");
        store
            .import_photo(id, &fixtures::gps_tagged_jpeg(), &MediaDetails::default())
            .expect("adds a photo");
        let media_files = || {
            fs::read_dir(dir.path().join("media"))
                .map(|d| d.count())
                .unwrap_or(0)
        };
        assert_eq!(media_files(), 1);

        store.delete_case(id).expect("deletes");

        assert!(matches!(
            store.load_case(id),
            Err(StoreError::NoSuchCase(_))
        ));
        let listed: Vec<CaseId> = store
            .list_cases(&CaseQuery::default())
            .expect("lists")
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(listed, [kept]);
        assert_eq!(media_files(), 0, "the photo's file went");
        for table in ["case_sections", "revisions", "media", "assignments"] {
            let left: i64 = store
                .conn
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE case_id = ?1"),
                    [id.to_string()],
                    |r| r.get(0),
                )
                .expect("counts");
            assert_eq!(left, 0, "{table}");
        }
        assert_eq!(store.deleted_cases().expect("lists"), [id]);
        // The other case's history is still append-only.
        let refused = store.conn.execute(
            "DELETE FROM revisions WHERE case_id = ?1",
            [kept.to_string()],
        );
        assert!(refused.is_err(), "a live case's history was deletable");
        // The audit log says so, still verifies, and holds no value.
        let log = store.audit_log(10).expect("reads");
        let entry = log
            .iter()
            .find(|e| e.action == AuditAction::DeleteCase)
            .expect("audited");
        assert_eq!(entry.case_id.as_deref(), Some(id.to_string().as_str()));
        assert_eq!(entry.detail, "1 media");
        store.verify_audit_log().expect("the log is intact");
    }

    #[test]
    fn only_an_administrator_deletes_and_only_a_case_that_exists() {
        let (_dir, keychain, mut store) = store();
        let id = store.create_case(&demo_cases().remove(0)).expect("creates");
        assert!(matches!(
            store.delete_case(CaseId::new()),
            Err(StoreError::NoSuchCase(_))
        ));
        store
            .add_account("worker", Role::SupportWorker, "a worker's long password")
            .expect("adds");
        store.assign(id, "worker").expect("assigns");
        let dir = store.dir().to_owned();
        drop(store);
        let mut worker = Store::unlock(&dir, keychain, "worker", "a worker's long password")
            .expect("the worker unlocks");
        assert!(matches!(
            worker.delete_case(id),
            Err(StoreError::NotPermitted { .. })
        ));
        assert!(worker.load_case(id).is_ok(), "the case is still there");
    }
}
