//! What is due across the cases an account may see (期限・予定), for the
//! case list and the command lines: [`crate::model::due_items`] of each
//! case, read (and audited) as any case is.

use time::{Date, Duration};

use super::{CaseQuery, Store, StoreError};
use crate::model::{CaseId, DueItem, due_by, due_items};
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
    /// account may see, overdue first (oldest first), then by case.
    pub fn due(&mut self, today: Date, within: Duration) -> Result<Vec<DueRow>, StoreError> {
        let mut rows = Vec::new();
        for summary in self.list_cases(&CaseQuery::default())? {
            let case = self.load_case(summary.id)?;
            for item in due_by(due_items(&case), today, within) {
                rows.push(DueRow {
                    case: summary.id,
                    name: summary.name.clone(),
                    item,
                });
            }
        }
        rows.sort_by_key(|r| (r.item.on, r.case));
        Ok(rows)
    }
}
