//! Who may read a post: the one rule, written twice — as Rust
//! ([`may_read`], [`may_read_deleted`]) for one post in hand, and as an SQL
//! condition ([`readable_condition`]) so that lists and search are filtered
//! by the database. The tests in this module and in
//! `centre/tests/board_visibility.rs` check every role against every
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
    let login = (
        VIEWER_LOGIN,
        Value::Text(viewer.login().as_str().to_owned()),
    );
    let (deleted, hidden) = if may_read_deleted(viewer) {
        ("1", "1".to_owned())
    } else {
        (
            "p.deleted = 0",
            format!("(p.hidden = 0 OR p.author_login = {VIEWER_LOGIN})"),
        )
    };
    let Some(agency) = viewer.agency() else {
        let params = if hidden == "1" {
            Vec::new()
        } else {
            vec![login]
        };
        return Condition {
            sql: format!("({deleted} AND {hidden})"),
            params,
        };
    };
    Condition {
        sql: format!(
            "({deleted} AND {hidden} AND (\
                p.visibility = 'all' \
                OR (p.visibility = 'centre' AND p.author_login = {VIEWER_LOGIN}) \
                OR (p.visibility IN ('agency', 'agencies') AND p.author_agency = {VIEWER_AGENCY}) \
                OR (p.visibility = 'agencies' AND EXISTS (\
                    SELECT 1 FROM board_post_agencies g \
                    WHERE g.post_id = p.id AND g.agency = {VIEWER_AGENCY}))))"
        ),
        params: vec![login, (VIEWER_AGENCY, Value::Text(agency.to_owned()))],
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
    }
}
