//! Which of the disease screen's fields a restore left empty (要再入力):
//! a field is marked when one of the case's marked paths leads to it, list
//! items named by id or, where a list has no ids, by position.

use std::collections::BTreeSet;

use tsunagi_core::revision::{PathStep, parse_path};

/// One step a path takes to a field.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step<'a> {
    /// A field of an object.
    Field(&'a str),
    /// An item of a list: its id and its position.
    Item(&'a str, usize),
}

/// Whether one of `marked` leads along `steps`.
pub(super) fn is_marked(marked: &BTreeSet<String>, steps: &[Step<'_>]) -> bool {
    marked.iter().any(|path| {
        parse_path(path).is_some_and(|taken| {
            taken.len() == steps.len()
                && taken.iter().zip(steps).all(|(t, s)| match (t, s) {
                    (PathStep::Field(a), Step::Field(b)) => a == b,
                    (PathStep::Id(a), Step::Item(id, _)) => !id.is_empty() && a == id,
                    (PathStep::Index(a), Step::Item(_, n)) => a == n,
                    _ => false,
                })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_marks_the_field_it_leads_to_by_id_or_by_position() {
        let marked: BTreeSet<String> = [
            "basic.diseases[id=d1].status_history[id=s2].note".to_owned(),
            "case_management.vocational_issues[id=v1].accommodations[3].text".to_owned(),
        ]
        .into();
        let note = |disease, status| {
            [
                Step::Field("basic"),
                Step::Field("diseases"),
                disease,
                Step::Field("status_history"),
                status,
                Step::Field("note"),
            ]
        };
        assert!(is_marked(
            &marked,
            &note(Step::Item("d1", 0), Step::Item("s2", 1))
        ));
        assert!(!is_marked(
            &marked,
            &note(Step::Item("d1", 0), Step::Item("s3", 1))
        ));
        assert!(!is_marked(
            &marked,
            &note(Step::Item("d2", 0), Step::Item("s2", 1))
        ));
        let own = |k| {
            [
                Step::Field("case_management"),
                Step::Field("vocational_issues"),
                Step::Item("v1", 0),
                Step::Field("accommodations"),
                Step::Item("", k),
                Step::Field("text"),
            ]
        };
        assert!(is_marked(&marked, &own(3)));
        assert!(!is_marked(&marked, &own(2)));
        // A shorter path (the whole list) marks no single field.
        assert!(!is_marked(&marked, &own(3)[..4]));
    }
}
