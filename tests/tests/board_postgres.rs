//! The board on PostgreSQL behaves as on SQLite: every check of
//! `tsunagi_tests::board_checks` (every role against every visibility
//! through every door, reports, unread, the audit log, the statistics) is
//! run on the SQLite board and on `PgBoard` in a private PostgreSQL
//! server, each on a new database. A check passing on SQLite shows it is
//! true to the board's tests in `centre/tests`; passing on PostgreSQL
//! shows the second backend keeps the same rules.
//!
//! Also here: what only PostgreSQL has — the `pg_trgm` index, and the
//! board's tables beside the centre's own in one database.

use tsunagi_centre::board::postgres::PgBoard;
use tsunagi_centre::board::{self, BOARD_FILE, Board};
use tsunagi_tests::board_checks::{self, Boards, Clock, Dated, TestBoard};
use tsunagi_tests::postgres::Postgres;

/// The SQL that dates a row, with the row's id as the first parameter and
/// the time as the second, in either dialect's placeholders.
fn dating_sql(what: Dated, first: &str, second: &str) -> String {
    match what {
        Dated::Post => format!(
            "UPDATE board_posts SET created_at = {second}, updated_at = {second} WHERE id = {first}"
        ),
        Dated::Comment => {
            format!("UPDATE board_comments SET created_at = {second} WHERE id = {first}")
        }
    }
}

/// SQLite boards, each `board.db` in a folder of its own.
struct Sqlite;

/// A second connection to a board's file, and the folder it is in.
struct SqliteClock {
    conn: rusqlite::Connection,
    _dir: tempfile::TempDir,
}

impl Clock for SqliteClock {
    fn set(&mut self, what: Dated, id: i64, at: &str) {
        self.conn
            .execute(&dating_sql(what, "?1", "?2"), rusqlite::params![id, at])
            .expect("dated");
    }
}

impl Boards for Sqlite {
    fn fresh(&mut self) -> TestBoard {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let board = board::open_backend(dir.path(), None).expect("the board opens");
        let conn =
            rusqlite::Connection::open(dir.path().join(BOARD_FILE)).expect("a second connection");
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .expect("a busy timeout");
        TestBoard {
            board,
            clock: Box::new(SqliteClock { conn, _dir: dir }),
        }
    }
}

/// PostgreSQL boards: one server, a new database for each board.
struct Pg {
    server: Postgres,
    made: usize,
}

impl Pg {
    fn start() -> Self {
        Self {
            server: Postgres::start(),
            made: 0,
        }
    }
}

/// A second connection to a board's database.
struct PgClock(postgres::Client);

impl Clock for PgClock {
    fn set(&mut self, what: Dated, id: i64, at: &str) {
        self.0
            .execute(&dating_sql(what, "$1", "$2"), &[&id, &at])
            .expect("dated");
    }
}

impl Boards for Pg {
    fn fresh(&mut self) -> TestBoard {
        self.made += 1;
        let name = format!("board_{}", self.made);
        let mut admin =
            postgres::Client::connect(&self.server.url(), postgres::NoTls).expect("connects");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a new database");
        let url = self.server.url_of(&name);
        let board = board::open_backend(std::path::Path::new("/nonexistent"), Some(&url))
            .expect("the board opens on PostgreSQL");
        let clock = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
        TestBoard {
            board,
            clock: Box::new(PgClock(clock)),
        }
    }
}

/// A `#[test]` on each backend for each check taking one board.
macro_rules! on_one_board {
    ($($module:ident :: $check:ident),* $(,)?) => {
        mod sqlite_board {
            use super::*;
            $(#[test]
            fn $check() {
                board_checks::$module::$check(Sqlite.fresh().board.as_mut());
            })*
        }
        mod postgres_board {
            use super::*;
            $(#[test]
            fn $check() {
                board_checks::$module::$check(Pg::start().fresh().board.as_mut());
            })*
        }
    };
}

/// A `#[test]` on each backend for each check taking its own boards.
macro_rules! on_fresh_boards {
    ($($module:ident :: $check:ident),* $(,)?) => {
        mod sqlite_boards {
            use super::*;
            $(#[test]
            fn $check() {
                board_checks::$module::$check(&mut Sqlite);
            })*
        }
        mod postgres_boards {
            use super::*;
            $(#[test]
            fn $check() {
                board_checks::$module::$check(&mut Pg::start());
            })*
        }
    };
}

on_one_board![
    categories::a_new_board_has_the_model_projects_seven_categories_in_order,
    categories::an_added_category_comes_last_and_takes_posts_lists_and_statistics,
    categories::a_taken_code_or_a_malformed_category_is_refused,
    categories::a_post_under_a_category_the_board_does_not_keep_stores_nothing,
    visibility::every_reader_sees_an_agency_members_post_as_its_visibility_says,
    visibility::every_reader_sees_a_centre_post_as_its_visibility_says,
    visibility::a_post_that_may_not_be_read_is_answered_like_one_that_does_not_exist,
    visibility::a_deleted_post_is_gone_for_agencies_and_researchers_but_not_for_administrators,
    visibility::an_edit_keeps_the_old_text_in_the_history_and_only_the_author_edits,
    visibility::a_japanese_search_finds_a_three_character_substring_and_nothing_hidden,
    visibility::a_script_in_a_title_is_kept_as_text,
    visibility::a_post_must_say_something_and_name_whom_it_is_for,
    visibility::a_list_keeps_to_its_category_and_kind_newest_first,
    visibility::a_list_pages_backwards_from_a_post_number,
    visibility::a_search_answers_the_newest_hundred_of_what_matches,
    moderation::a_report_hides_a_post_from_all_but_its_author_and_administrators_until_reviewed,
    moderation::a_post_one_may_not_read_cannot_be_reported,
    moderation::a_post_is_unread_until_opened_and_again_after_a_new_comment,
    moderation::every_change_is_in_the_audit_log_without_any_text_written,
];

on_fresh_boards![
    stats::another_agencys_hidden_posts_change_none_of_an_agency_members_numbers,
    stats::the_centre_counts_every_post_that_is_not_deleted_and_each_agency,
    stats::only_the_centre_gets_the_table_by_agency,
    stats::an_agency_member_counts_their_colleagues_my_agency_posts_but_not_their_centre_only_ones,
    stats::months_are_counted_in_japan_time,
    stats::shares_are_percent_of_the_posts_and_of_the_comments_counted,
    stats::the_csv_opens_in_a_japanese_spreadsheet_and_names_agencies_only_for_the_centre,
    stats::a_name_with_a_comma_is_quoted_and_a_name_like_a_formula_is_defused,
];

#[test]
fn the_board_sits_beside_the_centres_tables_with_a_trigram_index_on_titles_and_bodies() {
    let pg = Postgres::start();
    let url = pg.url();
    let _centre = tsunagi_centre::storage::open(std::path::Path::new("/nonexistent"), Some(&url))
        .expect("the centre's tables");
    let mut first = PgBoard::connect(&url).expect("the board's tables");
    // Connecting again finds everything made and seeds nothing twice.
    let mut second = PgBoard::connect(&url).expect("connects again");
    let author = board_checks::agency("aoi", "north");
    let id = Board::create_post(
        &mut first,
        &author,
        &board::NewPost {
            category: board_checks::category("questions"),
            kind: board::Kind::Enquiry,
            title: "就労支援".to_owned(),
            body: "職場定着の工夫".to_owned(),
            visibility: board::Visibility::AllAgencies,
        },
    )
    .expect("posts");
    assert!(
        Board::get_post(&mut second, &author, id)
            .expect("reads")
            .is_some()
    );
    let dump = pg.dump();
    for table in ["agencies", "accounts", "board_posts", "board_audit"] {
        assert!(
            dump.contains(&format!("CREATE TABLE public.{table} ")),
            "{table}"
        );
    }
    assert!(
        dump.contains("USING gin (title public.gin_trgm_ops, body public.gin_trgm_ops)"),
        "the trigram index"
    );
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    let categories: i64 = client
        .query_one("SELECT count(*) FROM board_categories", &[])
        .expect("counts")
        .get(0);
    assert_eq!(categories, 7);
}

#[test]
fn a_search_word_of_three_characters_or_more_can_use_the_trigram_index() {
    let pg = Postgres::start();
    let url = pg.url();
    drop(PgBoard::connect(&url).expect("the board's tables"));
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    // With sequential scans priced out, the planner takes the index
    // wherever it can serve the condition.
    client
        .batch_execute("SET enable_seqscan = off")
        .expect("set");
    let plan: Vec<String> = client
        .query(
            "EXPLAIN SELECT id FROM board_posts p \
             WHERE p.title ILIKE '%abc%' OR p.body ILIKE '%abc%'",
            &[],
        )
        .expect("a plan")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        plan.iter()
            .any(|line| line.contains("board_posts_trigrams")),
        "{plan:#?}"
    );
}

#[test]
fn a_failure_of_postgresql_says_only_its_code() {
    let pg = Postgres::start();
    let url = pg.url_of("no_such_database");
    let error = PgBoard::connect(&url).expect_err("there is no such database");
    let shown = error.to_string();
    assert!(shown.contains("PostgreSQL"), "{shown}");
    assert!(shown.contains("SQLSTATE 3D000"), "{shown}");
    assert!(!shown.contains("no_such_database"), "{shown}");
}
