//! Who may read a post: the one rule, written twice — as Rust
//! ([`may_read`], [`may_read_deleted`]) for one post in hand, and as an SQL
//! condition so that lists and search are filtered by the database. The
//! SQL is written once and rendered for SQLite ([`readable_condition`],
//! named parameters) or PostgreSQL ([`readable_condition_pg`], `$n`
//! parameters). The tests in this module and (on both databases)
//! `tests/tests/board_postgres.rs` check every role against every
//! visibility through both.
//!
//! The rule:
//!
//! - the centre (an administrator or a researcher) reads every post;
//! - a member of an agency reads
//!   - every [`Visibility::AllAgencies`] post;
//!   - a [`Visibility::MyAgency`] or [`Visibility::Agencies`] post written
//!     by a member of their own agency;
//!   - a [`Visibility::Agencies`] post that names their agency;
//!   - a [`Visibility::CentreOnly`] post only if they wrote it themselves.
//!     Not their agency's colleagues: "the centre only" is what a member
//!     chooses to write to the centre about something their own agency
//!     should not read (a complaint, a colleague's conduct), and they must
//!     still find what they wrote.
//! - A deleted post is read by administrators only (to moderate it), not by
//!   researchers, and not by agency members, its author included.
//!
//! A comment is read by whoever reads its post.

use rusqlite::types::Value;

use super::model::{Standing, Viewer, Visibility};

/// Whether `viewer` may read a post written by `author_login` (a member of
/// `author_agency`, or of the centre when `None`) with `visibility`, if the
/// post is not deleted ([`may_read_deleted`] says who reads it then).
pub fn may_read(
    viewer: &Viewer,
    author_login: &str,
    author_agency: Option<&str>,
    visibility: &Visibility,
) -> bool {
    let Some(agency) = viewer.agency() else {
        return true;
    };
    let own_agency = author_agency == Some(agency);
    match visibility {
        Visibility::AllAgencies => true,
        Visibility::MyAgency => own_agency,
        Visibility::Agencies(chosen) => own_agency || chosen.iter().any(|c| c == agency),
        Visibility::CentreOnly => author_login == viewer.login().as_str(),
    }
}

/// Whether `viewer` still reads a post once it is deleted (if
/// [`may_read`] lets them read it at all): administrators only.
pub fn may_read_deleted(viewer: &Viewer) -> bool {
    matches!(viewer.standing(), Standing::Admin)
}

/// Whether `viewer` may read a post hidden by a report
/// ([`super::moderation`]) and not yet reviewed: its author and the
/// centre's administrators, who review it.
pub fn may_read_hidden(viewer: &Viewer, author_login: &str) -> bool {
    matches!(viewer.standing(), Standing::Admin) || author_login == viewer.login().as_str()
}

/// An SQL condition with the named parameters it binds.
#[derive(Clone, PartialEq)]
pub struct Condition {
    /// The condition, to be put after `WHERE` or `AND` (it is
    /// parenthesised).
    pub sql: String,
    /// Each named parameter (with its leading `:`) and its value.
    pub params: Vec<(&'static str, Value)>,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Condition")
            .field("sql", &self.sql)
            .finish_non_exhaustive()
    }
}

/// The name of the parameter holding the viewer's login name.
const VIEWER_LOGIN: &str = ":board_viewer_login";
/// The name of the parameter holding the viewer's agency.
const VIEWER_AGENCY: &str = ":board_viewer_agency";

/// [`may_read`], [`may_read_deleted`] and [`may_read_hidden`] as an SQLite condition on a row
/// of `board_posts` named `p`, for `viewer`. The viewer's login name and
/// agency are bound as the named parameters `:board_viewer_login` and
/// `:board_viewer_agency`, never written into the text; a query that uses
/// the condition binds [`Condition::params`] with its own.
pub fn readable_condition(viewer: &Viewer) -> Condition {
    let rule = render(viewer, VIEWER_LOGIN, VIEWER_AGENCY);
    let mut params = Vec::new();
    if binds_login(viewer) {
        params.push((
            VIEWER_LOGIN,
            Value::Text(viewer.login().as_str().to_owned()),
        ));
    }
    if let Some(agency) = rule.agency {
        params.push((VIEWER_AGENCY, Value::Text(agency.to_owned())));
    }
    Condition {
        sql: rule.sql,
        params,
    }
}

/// An SQL condition for PostgreSQL with the positional parameters it
/// binds ([`readable_condition_pg`]).
#[derive(Clone, PartialEq)]
pub struct PgCondition {
    /// The condition, to be put after `WHERE` or `AND` (it is
    /// parenthesised); its parameters are `$first`, `$first + 1`, … in the
    /// order of [`PgCondition::params`].
    pub sql: String,
    /// The values of the parameters, in order: all text.
    pub params: Vec<String>,
}

impl std::fmt::Debug for PgCondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCondition")
            .field("sql", &self.sql)
            .finish_non_exhaustive()
    }
}

/// The same rule as [`readable_condition`], from the same clauses, for
/// PostgreSQL: the viewer's login name and agency are the positional
/// parameters numbered from `first` (a query whose own parameters are
/// `$1` to `$n` passes `n + 1`), as many as [`PgCondition::params`] holds.
/// The tables and their 0/1 columns are the same on both databases, so
/// only the parameters differ.
pub fn readable_condition_pg(viewer: &Viewer, first: usize) -> PgCondition {
    // A viewer with an agency is always bound by login too, so the agency
    // is the second parameter whenever there is one.
    let rule = render(viewer, &format!("${first}"), &format!("${}", first + 1));
    let mut params = Vec::new();
    if binds_login(viewer) {
        params.push(viewer.login().as_str().to_owned());
    }
    if let Some(agency) = rule.agency {
        params.push(agency.to_owned());
    }
    PgCondition {
        sql: rule.sql,
        params,
    }
}

/// The rule as SQL on `board_posts p` ([`render`]).
struct Rendered<'v> {
    sql: String,
    /// The viewer's agency, if its parameter appears in `sql`.
    agency: Option<&'v str>,
}

/// Whether the rule for `viewer` names their login name: for everyone but
/// an administrator, who reads hidden and deleted posts alike.
fn binds_login(viewer: &Viewer) -> bool {
    !may_read_deleted(viewer) || viewer.agency().is_some()
}

/// The rule, written once for both databases, as SQL on `board_posts p`,
/// the viewer's login name written as the parameter `login` and their
/// agency as `agency_param` (parameter names in the caller's dialect). The
/// text is the same for both but for those names: it only compares
/// `TEXT` and `INTEGER` columns, and says "true" as `1 = 1`.
fn render<'v>(viewer: &'v Viewer, login: &str, agency_param: &str) -> Rendered<'v> {
    let (deleted, hidden) = if may_read_deleted(viewer) {
        ("1 = 1", None)
    } else {
        (
            "p.deleted = 0",
            Some(format!("(p.hidden = 0 OR p.author_login = {login})")),
        )
    };
    let hidden = hidden.unwrap_or_else(|| "1 = 1".to_owned());
    let Some(agency) = viewer.agency() else {
        return Rendered {
            sql: format!("({deleted} AND {hidden})"),
            agency: None,
        };
    };
    Rendered {
        sql: format!(
            "({deleted} AND {hidden} AND (\
                p.visibility = 'all' \
                OR (p.visibility = 'centre' AND p.author_login = {login}) \
                OR (p.visibility IN ('agency', 'agencies') AND p.author_agency = {agency_param}) \
                OR (p.visibility = 'agencies' AND EXISTS (\
                    SELECT 1 FROM board_post_agencies g \
                    WHERE g.post_id = p.id AND g.agency = {agency_param}))))"
        ),
        agency: Some(agency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{LoginName, Role};

    fn viewer(login: &str, role: Role) -> Viewer {
        Viewer::of(LoginName::parse(login).expect("a valid login"), &role)
    }

    #[test]
    fn a_centre_only_post_is_read_by_its_author_but_not_by_colleagues() {
        let author = viewer("aoi", Role::Agency("north".into()));
        let colleague = viewer("ren", Role::Agency("north".into()));
        assert!(may_read(
            &author,
            "aoi",
            Some("north"),
            &Visibility::CentreOnly
        ));
        assert!(!may_read(
            &colleague,
            "aoi",
            Some("north"),
            &Visibility::CentreOnly
        ));
        assert!(may_read(
            &viewer("kei", Role::Researcher),
            "aoi",
            Some("north"),
            &Visibility::CentreOnly
        ));
    }

    #[test]
    fn only_an_administrator_reads_deleted_posts() {
        assert!(may_read_deleted(&viewer("admin", Role::Admin)));
        assert!(!may_read_deleted(&viewer("kei", Role::Researcher)));
        assert!(!may_read_deleted(&viewer(
            "aoi",
            Role::Agency("north".into())
        )));
    }

    #[test]
    fn the_condition_binds_the_viewer_and_never_writes_it_into_the_sql() {
        let sneaky = viewer("x'OR'1'='1", Role::Agency("a' OR 1=1 --".into()));
        let condition = readable_condition(&sneaky);
        assert!(!condition.sql.contains("OR 1=1"));
        assert!(!condition.sql.contains("x'OR"));
        assert_eq!(condition.params.len(), 2);
        let pg = readable_condition_pg(&sneaky, 1);
        assert!(!pg.sql.contains("OR 1=1"));
        assert!(!pg.sql.contains("x'OR"));
        assert_eq!(pg.params, ["x'OR'1'='1", "a' OR 1=1 --"]);
    }

    #[test]
    fn both_dialects_say_the_same_rule_with_their_own_parameters() {
        for v in [
            viewer("admin", Role::Admin),
            viewer("kei", Role::Researcher),
            viewer("aoi", Role::Agency("north".into())),
        ] {
            let sqlite = readable_condition(&v);
            let pg = readable_condition_pg(&v, 3);
            let renamed = sqlite
                .sql
                .replace(VIEWER_LOGIN, "$3")
                .replace(VIEWER_AGENCY, "$4");
            assert_eq!(renamed, pg.sql);
            assert_eq!(sqlite.params.len(), pg.params.len());
            assert_eq!(pg.sql.contains("$3"), !pg.params.is_empty());
            assert_eq!(pg.sql.contains("$4"), pg.params.len() == 2);
        }
    }
}
