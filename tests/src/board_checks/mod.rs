//! The board's behaviour as checks that run on any [`Board`]: the SQLite
//! board and the PostgreSQL one must pass the same ones
//! (`tests/tests/board_postgres.rs` runs each on both), and these are the
//! only copies of the board's store-level checks.
//!
//! - [`categories`]: the seven the board starts with and those the
//!   centre adds;
//! - [`visibility`]: every role against every visibility, through every
//!   door (list, address, comments, history, search);
//! - [`moderation`]: reports, what each reader has read, the audit log;
//! - [`stats`]: what each reader's statistics count.

pub mod categories;
pub mod moderation;
pub mod stats;
pub mod visibility;

use tsunagi_centre::accounts::{LoginName, Role};
use tsunagi_centre::board::{Board, CategoryCode, Viewer};

/// Which kind of row [`Clock::set`] dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dated {
    /// A post: its `created_at` and `updated_at`.
    Post,
    /// A comment: its `created_at`.
    Comment,
}

/// Sets when a row was made, behind the board's back (the board stamps
/// what it stores with the present time): for the statistics' months and
/// periods.
pub trait Clock {
    /// Dates the post or comment `id` at `at` (RFC 3339).
    fn set(&mut self, what: Dated, id: i64, at: &str);
}

/// A new, empty board and its [`Clock`]; whatever keeps it (a folder, a
/// database) lives as long as it does.
pub struct TestBoard {
    /// The board.
    pub board: Box<dyn Board>,
    /// Its clock.
    pub clock: Box<dyn Clock>,
}

/// Where checks that need more than one board, or a clock, get them.
pub trait Boards {
    /// A new, empty board.
    fn fresh(&mut self) -> TestBoard;
}

/// The category code `code`.
pub fn category(code: &str) -> CategoryCode {
    CategoryCode::parse(code).expect("a well-formed category code")
}

/// A reader of `role`.
pub fn viewer(login: &str, role: Role) -> Viewer {
    Viewer::of(LoginName::parse(login).expect("a valid login"), &role)
}

/// A member of the agency `name`.
pub fn agency(login: &str, name: &str) -> Viewer {
    viewer(login, Role::Agency(name.to_owned()))
}
