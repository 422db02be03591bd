//! [`super::super::categories`] on PostgreSQL.

use postgres::GenericClient;

use super::super::categories::ALL;
use super::super::model::Category;
use super::super::store::BoardError;
use super::PgBoard;

/// The `board_categories` lock taken by [`PgBoard::add_category`], so that
/// two additions at once do not take the same position.
const ADD_LOCK: i64 = 0x7473_6e67_6361_7401;

impl PgBoard {
    /// [`super::super::BoardStore::categories`].
    pub(super) fn categories(&mut self) -> Result<Vec<Category>, BoardError> {
        read_all(&mut self.client)
    }

    /// [`super::super::BoardStore::add_category`].
    pub(super) fn add_category(&mut self, category: &Category) -> Result<(), BoardError> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ADD_LOCK])?;
        if exists(&mut tx, category.code().as_str())? {
            return Err(BoardError::CategoryExists);
        }
        tx.execute(
            "INSERT INTO board_categories (code, label_ja, label_en, position)
             VALUES ($1, $2, $3, (SELECT coalesce(max(position), -1) + 1 FROM board_categories))",
            &[
                &category.code().as_str(),
                &category.label_ja(),
                &category.label_en(),
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Every category, in the board's order.
pub(super) fn read_all(client: &mut impl GenericClient) -> Result<Vec<Category>, BoardError> {
    client
        .query(ALL, &[])?
        .iter()
        .map(|row| {
            Ok(Category::stored(
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
            ))
        })
        .collect()
}

/// Whether `code` is a category kept.
pub(super) fn exists(client: &mut impl GenericClient, code: &str) -> Result<bool, BoardError> {
    Ok(client
        .query_opt("SELECT 1 FROM board_categories WHERE code = $1", &[&code])?
        .is_some())
}
