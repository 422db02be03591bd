//! Similar cases (似た事例) from the store: who may ask, which cases are
//! compared, and the audit entry. The comparing and what is shown are
//! [`crate::similar`]'s.
//!
//! Who may ask: an administrator, from any case; a support worker, from a
//! case assigned to them (one they may open). Either sees similar cases
//! among all of the store's cases, assigned to them or not, since nothing
//! shown identifies a client and only clients who consented are shown. A
//! read-only account may not ask: it looks on at its own cases and plans no
//! support, and the view would widen what it learns beyond the cases
//! assigned to it. docs/similar-cases.md says why at more length.

use rusqlite::params;

use super::cases::read_case;
use super::{AuditAction, Role, Store, StoreError};
use crate::model::{Case, CaseId, Date};
use crate::reference::ReferenceDb;
use crate::similar::{Ranking, rank};

impl Store {
    /// The cases of this store most like `case` ([`crate::similar::rank`]),
    /// at most `limit`, with consent checked on `today`. Administrators and
    /// support workers only, from a case they may open; read-only accounts
    /// are refused ([`StoreError::NotPermitted`]). Audited as
    /// [`AuditAction::SimilarCases`] on `case`, with how many were shown,
    /// in the same transaction as the reads.
    pub fn similar_cases(
        &mut self,
        case: CaseId,
        reference: &ReferenceDb,
        today: Date,
        limit: usize,
    ) -> Result<Ranking, StoreError> {
        self.require(
            &[Role::Administrator, Role::SupportWorker],
            "see similar cases",
        )?;
        let tx = self.conn.unchecked_transaction()?;
        self.require_access(&tx, case)?;
        let source = read_case(&tx, case)?;
        // In id order: ids are random, so ties among equally similar cases
        // fall in an order that says nothing about the cases.
        let ids: Vec<String> = {
            let mut stmt = tx.prepare("SELECT id FROM cases WHERE id <> ?1 ORDER BY id")?;
            let rows = stmt.query_map(params![case.to_string()], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let others = ids
            .iter()
            .map(|id| {
                let id: CaseId = id.parse().map_err(|_| StoreError::Damaged)?;
                read_case(&tx, id)
            })
            .collect::<Result<Vec<Case>, StoreError>>()?;
        let ranking = rank(&source, &others, reference, today, limit);
        self.audit(
            &tx,
            AuditAction::SimilarCases,
            Some(case),
            &format!("{} rows", ranking.shown.len()),
        )?;
        tx.commit()?;
        Ok(ranking)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use time::macros::date;

    use super::*;
    use crate::model::{ConsentRecord, ConsentScope, Disease, SupportStage};
    use crate::reference::test_support::bundled;
    use crate::store::{KdfParams, Keychain, MemoryKeychain, StoreOptions};

    const PASSWORD: &str = "ながい合言葉 2026";
    const TODAY: Date = date!(2025 - 06 - 01);

    fn uc(consent: bool) -> Case {
        let mut case = Case::new();
        case.basic
            .diseases
            .push(Disease::new(Some("ulcerative-colitis"), "潰瘍性大腸炎"));
        case.stage = SupportStage::Negotiation;
        if consent {
            case.consents.push(ConsentRecord {
                scope: ConsentScope::CaseStudy,
                given_on: Some(date!(2025 - 01 - 01)),
                ..ConsentRecord::new()
            });
        }
        case
    }

    /// A store with admin, a support worker `sato` and a read-only `kato`;
    /// sato's case, another worker's consented case, and one without
    /// consent. Returns the folder, the keychain and sato's case.
    fn store() -> (tempfile::TempDir, Arc<dyn Keychain>, CaseId) {
        let temp = tempfile::tempdir().expect("temp dir");
        let keychain: Arc<dyn Keychain> = Arc::new(MemoryKeychain::default());
        let fast = StoreOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
        };
        let (mut admin, _) =
            Store::create(temp.path(), Arc::clone(&keychain), "admin", PASSWORD, fast)
                .expect("store");
        admin
            .add_account("sato", Role::SupportWorker, PASSWORD)
            .expect("sato");
        admin
            .add_account("kato", Role::ReadOnly, PASSWORD)
            .expect("kato");
        let mine = admin.create_case(&uc(false)).expect("case");
        admin.assign(mine, "sato").expect("assigned");
        admin.assign(mine, "kato").expect("assigned");
        admin.create_case(&uc(true)).expect("case");
        admin.create_case(&uc(false)).expect("case");
        (temp, keychain, mine)
    }

    fn open(temp: &tempfile::TempDir, keychain: &Arc<dyn Keychain>, name: &str) -> Store {
        Store::unlock(temp.path(), Arc::clone(keychain), name, PASSWORD).expect("opens")
    }

    #[test]
    fn a_worker_sees_consented_cases_not_assigned_to_them_from_their_own_case() {
        let (temp, keychain, mine) = store();
        let db = bundled();
        let mut sato = open(&temp, &keychain, "sato");
        let ranking = sato
            .similar_cases(mine, &db, TODAY, 20)
            .expect("from an assigned case");
        assert_eq!(ranking.shown.len(), 1, "the other worker's consented case");
        assert_eq!(ranking.without_consent, 1);
    }

    #[test]
    fn a_worker_may_not_start_from_a_case_not_assigned_to_them() {
        let (temp, keychain, _) = store();
        let db = bundled();
        let mut admin = open(&temp, &keychain, "admin");
        let other = admin.create_case(&uc(true)).expect("case");
        drop(admin);
        let mut sato = open(&temp, &keychain, "sato");
        assert!(matches!(
            sato.similar_cases(other, &db, TODAY, 20),
            Err(StoreError::NotAssigned)
        ));
    }

    #[test]
    fn a_read_only_account_is_refused_even_from_its_own_case() {
        let (temp, keychain, mine) = store();
        let db = bundled();
        let mut kato = open(&temp, &keychain, "kato");
        assert!(kato.load_case(mine).is_ok(), "kato may read the case");
        assert!(matches!(
            kato.similar_cases(mine, &db, TODAY, 20),
            Err(StoreError::NotPermitted { .. })
        ));
    }

    #[test]
    fn an_administrator_may_start_from_any_case_and_every_viewing_is_audited() {
        let (temp, keychain, mine) = store();
        let db = bundled();
        let mut admin = open(&temp, &keychain, "admin");
        admin.similar_cases(mine, &db, TODAY, 20).expect("allowed");
        drop(admin);
        let mut sato = open(&temp, &keychain, "sato");
        sato.similar_cases(mine, &db, TODAY, 20).expect("allowed");
        drop(sato);
        let admin = open(&temp, &keychain, "admin");
        let entries: Vec<_> = admin
            .audit_log(100)
            .expect("log")
            .into_iter()
            .filter(|e| e.action == AuditAction::SimilarCases)
            .collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].account, "sato");
        assert_eq!(entries[1].account, "admin");
        for e in &entries {
            assert_eq!(e.case_id.as_deref(), Some(mine.to_string().as_str()));
            assert_eq!(e.detail, "1 rows");
        }
        admin.verify_audit_log().expect("the chain holds");
    }
}
