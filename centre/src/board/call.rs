//! Running work on the board from a request: on a blocking thread, one
//! caller at a time on the board's connection. The JSON API and the pages
//! both go through [`on_board`].

use std::sync::Arc;

use super::{Board, BoardError};
use crate::server::Shared;

/// Why a call to the board did not give its answer.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The board said no, or its database failed.
    Board(BoardError),
    /// The centre was started without a board.
    NoBoard,
    /// The task panicked or the board's lock was poisoned.
    Internal,
}

impl From<BoardError> for CallError {
    fn from(e: BoardError) -> Self {
        Self::Board(e)
    }
}

/// Runs `work` on the board on a blocking thread, one caller at a time.
pub(crate) async fn on_board<T: Send + 'static>(
    centre: &Shared,
    work: impl FnOnce(&mut dyn Board) -> Result<T, BoardError> + Send + 'static,
) -> Result<T, CallError> {
    if centre.board.is_none() {
        return Err(CallError::NoBoard);
    }
    let centre = Arc::clone(centre);
    tokio::task::spawn_blocking(move || {
        let board = centre.board.as_ref().ok_or(CallError::NoBoard)?;
        let mut board = board.lock().map_err(|_| CallError::Internal)?;
        work(board.as_mut()).map_err(CallError::Board)
    })
    .await
    .map_err(|_| CallError::Internal)?
}
