//! The categories the centre keeps ([`Category`]): read in the order they
//! were added, and added to by the centre (`tsunagi-centre board category
//! add`). A category is never removed or renamed here: its code is in
//! every post filed under it and in addresses given out.

use rusqlite::{Connection, TransactionBehavior, params};

use super::error::BoardError;
use super::model::{Category, SEEDED_CATEGORIES};
use super::store::{BoardStore, category_exists};

/// The query for every category, in the board's order; both databases
/// read it.
pub(super) const ALL: &str =
    "SELECT code, label_ja, label_en FROM board_categories ORDER BY position, code";

impl BoardStore {
    /// Every category, in the order the board shows them.
    pub fn categories(&mut self) -> Result<Vec<Category>, BoardError> {
        read_all(&self.conn)
    }

    /// Adds `category` after the others. A code already kept is
    /// [`BoardError::CategoryExists`].
    pub fn add_category(&mut self, category: &Category) -> Result<(), BoardError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if category_exists(&tx, category.code().as_str())? {
            return Err(BoardError::CategoryExists);
        }
        tx.execute(
            "INSERT INTO board_categories (code, label_ja, label_en, position)
             VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), -1) + 1 FROM board_categories))",
            params![
                category.code().as_str(),
                category.label_ja(),
                category.label_en()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Every category on `conn`, in the board's order.
pub(super) fn read_all(conn: &Connection) -> Result<Vec<Category>, BoardError> {
    let mut stmt = conn.prepare_cached(ALL)?;
    let rows = stmt.query_map([], |row| {
        Ok(Category::stored(row.get(0)?, row.get(1)?, row.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Puts in the [`SEEDED_CATEGORIES`] that are missing, first in the
/// board's order.
pub(super) fn seed(conn: &Connection) -> Result<(), BoardError> {
    for (position, (code, ja, en)) in (0_i64..).zip(SEEDED_CATEGORIES) {
        conn.execute(
            "INSERT OR IGNORE INTO board_categories (code, label_ja, label_en, position)
             VALUES (?1, ?2, ?3, ?4)",
            params![code, ja, en, position],
        )?;
    }
    Ok(())
}
