//! Running work on the board from a request: on a blocking thread, on one
//! of the board's connections ([`BoardPool`]), each used by one caller at a
//! time. The JSON API and the pages both go through [`on_board`].

use std::sync::Mutex;

use tokio::sync::Semaphore;

use super::{Board, BoardError};
use crate::server::Shared;

/// How many connections `serve` opens to the board: readers of different
/// pages are answered side by side, while SQLite still takes one writer at
/// a time (the others wait for it, up to its busy timeout) and PostgreSQL
/// orders writes by its row locks.
pub const BOARD_CONNECTIONS: usize = 4;

/// The board's open connections. A caller waits for a free one, takes it
/// for its work and puts it back; one whose work panicked is dropped and
/// the pool has one fewer.
pub(crate) struct BoardPool {
    /// The connections not in use.
    idle: Mutex<Vec<Box<dyn Board>>>,
    /// One permit per idle connection.
    free: Semaphore,
}

impl BoardPool {
    /// A pool of `boards`, at least one.
    pub(crate) fn new(boards: Vec<Box<dyn Board>>) -> Self {
        assert!(!boards.is_empty(), "a board pool needs a connection");
        Self {
            free: Semaphore::new(boards.len()),
            idle: Mutex::new(boards),
        }
    }
}

/// Why a call to the board did not give its answer.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The board said no, or its database failed.
    Board(BoardError),
    /// The centre was started without a board.
    NoBoard,
    /// The task panicked or the pool's lock was poisoned.
    Internal,
}

impl From<BoardError> for CallError {
    fn from(e: BoardError) -> Self {
        Self::Board(e)
    }
}

/// Runs `work` on a free connection to the board, on a blocking thread.
pub(crate) async fn on_board<T: Send + 'static>(
    centre: &Shared,
    work: impl FnOnce(&mut dyn Board) -> Result<T, BoardError> + Send + 'static,
) -> Result<T, CallError> {
    let Some(pool) = centre.board.as_ref() else {
        return Err(CallError::NoBoard);
    };
    let permit = pool.free.acquire().await.map_err(|_| CallError::Internal)?;
    let mut board = pool
        .idle
        .lock()
        .map_err(|_| CallError::Internal)?
        .pop()
        .ok_or(CallError::Internal)?;
    let done = tokio::task::spawn_blocking(move || {
        let answer = work(board.as_mut());
        (board, answer)
    })
    .await;
    let Ok((board, answer)) = done else {
        // The connection went down with the panicking work: one fewer.
        permit.forget();
        return Err(CallError::Internal);
    };
    pool.idle
        .lock()
        .map_err(|_| CallError::Internal)?
        .push(board);
    drop(permit);
    answer.map_err(CallError::Board)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::time::Duration;

    use tsunagi_core::reference::ReferenceDb;
    use tsunagi_core::seal::DeviceKeys;

    use super::*;
    use crate::server::Centre;
    use crate::storage::SqliteDatabase;

    /// A centre whose board has `connections` connections to one file.
    fn centre(dir: &std::path::Path, connections: usize) -> Shared {
        let db = SqliteDatabase::open(dir).expect("the database");
        let boards = (0..connections)
            .map(|_| Box::new(crate::board::open(dir).expect("the board")) as Box<dyn Board>)
            .collect();
        Arc::new(
            Centre::new(
                DeviceKeys::generate(),
                Box::new(db),
                ReferenceDb::bundled().expect("the reference"),
            )
            .with_board_connections(boards),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_caller_is_answered_while_the_first_still_holds_a_connection() {
        let dir = tempfile::tempdir().expect("a folder");
        let centre = centre(dir.path(), 2);
        let (release, held) = mpsc::channel::<()>();
        let first = tokio::spawn({
            let centre = Arc::clone(&centre);
            async move {
                on_board(&centre, move |board| {
                    held.recv_timeout(Duration::from_secs(15))
                        .expect("the second caller was answered and let the first go");
                    board.categories()
                })
                .await
            }
        });
        // Answered while the first holds its connection: with one
        // connection this would wait for the first, which waits for this.
        let second = tokio::time::timeout(
            Duration::from_secs(10),
            on_board(&centre, |board| board.categories()),
        )
        .await
        .expect("answered while the first holds its connection")
        .expect("answered");
        assert_eq!(second.len(), 7);
        release.send(()).expect("the first is waiting");
        assert_eq!(first.await.expect("joins").expect("answered").len(), 7);
        // Both connections are back: two callers can hold them again.
        let idle = centre
            .board
            .as_ref()
            .expect("a pool")
            .idle
            .lock()
            .expect("lock")
            .len();
        assert_eq!(idle, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_that_panics_loses_its_connection_and_the_others_go_on() {
        let dir = tempfile::tempdir().expect("a folder");
        let centre = centre(dir.path(), 2);
        let failed = on_board(&centre, |_| -> Result<(), BoardError> {
            panic!("broken work")
        })
        .await;
        assert!(matches!(failed, Err(CallError::Internal)));
        let pool = centre.board.as_ref().expect("a pool");
        assert_eq!(pool.free.available_permits(), 1);
        let answered = on_board(&centre, |board| board.categories()).await;
        assert_eq!(answered.expect("the other connection answers").len(), 7);
    }

    #[tokio::test]
    async fn a_centre_without_a_board_says_so() {
        let dir = tempfile::tempdir().expect("a folder");
        let centre = Arc::new(Centre::new(
            DeviceKeys::generate(),
            Box::new(SqliteDatabase::open(dir.path()).expect("the database")),
            ReferenceDb::bundled().expect("the reference"),
        ));
        let answer = on_board(&centre, |board| board.categories()).await;
        assert!(matches!(answer, Err(CallError::NoBoard)));
    }
}
