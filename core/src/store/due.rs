//! What is due across the cases an account may see (期限・予定), for the
//! case list and the command lines: [`crate::model::due_items`] of each
//! case the account may see.

use time::{Date, Duration};

use super::{Role, Store, StoreError};
use crate::model::{CaseId, DueItem, due_by};
use crate::pii::Identifying;

/// One thing due for one case.
#[derive(Clone)]
pub struct DueRow {
    /// The case.
    pub case: CaseId,
    /// The client's name, as the case list shows it.
    pub name: Identifying<String>,
    /// What is due, and when.
    pub item: DueItem,
}

impl Store {
    /// What falls due by `today` plus `within` across the cases this
    /// account may see, overdue first (oldest first), then by case. Worked
    /// out from the store's index of the cases (see `case_index`), so the
    /// cases are not read again each time the list is shown; audited as a
    /// list of cases is, at most once every
    /// [`LIST_AUDIT_EVERY`](super::LIST_AUDIT_EVERY).
    pub fn due(&mut self, today: Date, within: Duration) -> Result<Vec<DueRow>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let mine = (self.account.role != Role::Administrator).then_some(self.account.name.as_str());
        let mut rows = Vec::new();
        for (summary, items) in self.case_index.due(&tx, mine)? {
            for item in due_by(items, today, within) {
                rows.push(DueRow {
                    case: summary.id,
                    name: summary.name.clone(),
                    item,
                });
            }
        }
        rows.sort_by_key(|r| (r.item.on, r.case));
        self.audit_list(&tx, &format!("{} due", rows.len()))?;
        // Nothing written but the audit entry, if any: no sync otherwise.
        tx.commit()?;
        Ok(rows)
    }
}
