//! Field-level change lists (変更履歴).
//!
//! Every save of a section is compared with what was stored before it, and
//! each changed field becomes a [`FieldChange`] with a path such as
//! `basic.diseases[id=…].status_history[2].status`. Items of a list that carry
//! an `id` are matched by id, so that reordering a list is not reported as
//! every item changing, and the history of one consultation record or one
//! employer can be followed through time.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field that changed in a save.
///
/// Identifying: `old` and `new` may hold identifying values; they live only in
/// the encrypted store and are never logged.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Where the field is, e.g. `career_plan.discovery.strengths[0]`.
    pub path: String,
    /// The value before, `null` if the field was added.
    pub old: Value,
    /// The value after, `null` if the field was removed.
    pub new: Value,
}

impl std::fmt::Debug for FieldChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldChange")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Lists every leaf that differs between `old` and `new`, under `prefix`.
pub fn diff(prefix: &str, old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    walk(prefix, old, new, &mut changes);
    changes
}

fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, av) in a {
                let child = join(path, key);
                walk(&child, av, b.get(key).unwrap_or(&Value::Null), out);
            }
            for (key, bv) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                walk(&join(path, key), &Value::Null, bv, out);
            }
        }
        (Value::Array(a), Value::Array(b)) if all_have_ids(a) && all_have_ids(b) => {
            let after: HashMap<&str, &Value> = b.iter().map(|bv| (item_id(bv), bv)).collect();
            let before: HashSet<&str> = a.iter().map(item_id).collect();
            for av in a {
                let id = item_id(av);
                let bv = after.get(id).copied().unwrap_or(&Value::Null);
                walk(&format!("{path}[id={id}]"), av, bv, out);
            }
            for bv in b.iter().filter(|bv| !before.contains(item_id(bv))) {
                walk(
                    &format!("{path}[id={}]", item_id(bv)),
                    &Value::Null,
                    bv,
                    out,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let av = a.get(i).unwrap_or(&Value::Null);
                let bv = b.get(i).unwrap_or(&Value::Null);
                walk(&format!("{path}[{i}]"), av, bv, out);
            }
        }
        _ => out.push(FieldChange {
            path: path.to_owned(),
            old: old.clone(),
            new: new.clone(),
        }),
    }
}

/// One step of a change's path, as [`diff`] writes it: a field name, a
/// position in a list (`[2]`) or a list item found by its id (`[id=…]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStep<'a> {
    /// A field of an object.
    Field(&'a str),
    /// The item at this position of a list.
    Index(usize),
    /// The item of a list whose `id` is this.
    Id(&'a str),
}

/// Reads a path that [`diff`] wrote (e.g. `basic.diseases[id=…].note`)
/// into its steps; `None` when it does not read as one. An id holding `]`
/// followed by `.` or `[` cannot be told apart from the steps after it:
/// such a path reads as the first way, or not at all.
pub fn parse_path(path: &str) -> Option<Vec<PathStep<'_>>> {
    let mut steps = Vec::new();
    let mut rest = path;
    let mut expect_field = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[id=") {
            // The id ends at the first `]` that ends the path or is
            // followed by another step.
            let end = after.char_indices().find_map(|(i, c)| {
                let next = &after[i + c.len_utf8()..];
                (c == ']' && (next.is_empty() || next.starts_with(['.', '[']))).then_some(i)
            })?;
            steps.push(PathStep::Id(&after[..end]));
            rest = &after[end + 1..];
            expect_field = false;
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let digits = &after[..end];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            steps.push(PathStep::Index(digits.parse().ok()?));
            rest = &after[end + 1..];
            expect_field = false;
        } else {
            if !expect_field {
                rest = rest.strip_prefix('.')?;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            steps.push(PathStep::Field(&rest[..end]));
            rest = &rest[end..];
            expect_field = false;
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// The value at `path` (as [`diff`] writes it) inside `value`: list items
/// named by id are found by id, others by position. `None` when the path
/// does not read or leads nowhere.
pub fn value_at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    parse_path(path)?
        .into_iter()
        .try_fold(value, |at, step| match step {
            PathStep::Field(name) => at.as_object()?.get(name),
            PathStep::Index(i) => at.as_array()?.get(i),
            PathStep::Id(id) => at.as_array()?.iter().find(|v| item_id(v) == id),
        })
}

/// The value at `path` inside `value`, to change it; as [`value_at`].
pub fn value_at_mut<'v>(value: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    parse_path(path)?
        .into_iter()
        .try_fold(value, |at, step| match step {
            PathStep::Field(name) => at.as_object_mut()?.get_mut(name),
            PathStep::Index(i) => at.as_array_mut()?.get_mut(i),
            PathStep::Id(id) => at.as_array_mut()?.iter_mut().find(|v| item_id(v) == id),
        })
}

/// Whether `value` holds anything: not `null`, an empty text, an empty
/// list or an empty object.
pub fn holds_something(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn item_id(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or("")
}

fn all_have_ids(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|v| !item_id(v).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unchanged_values_produce_no_changes() {
        let v = json!({"a": 1, "b": [1, 2]});
        assert!(diff("x", &v, &v).is_empty());
    }

    #[test]
    fn changed_leaf_is_reported_with_its_path_and_both_values() {
        let old = json!({"name": "甲", "hours": 20});
        let new = json!({"name": "乙", "hours": 20});
        let changes = diff("basic", &old, &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "basic.name");
        assert_eq!(changes[0].old, json!("甲"));
        assert_eq!(changes[0].new, json!("乙"));
    }

    #[test]
    fn list_items_with_ids_are_matched_by_id_not_position() {
        let old = json!([{"id": "a", "v": 1}, {"id": "b", "v": 2}]);
        let new = json!([{"id": "b", "v": 2}, {"id": "a", "v": 3}, {"id": "c", "v": 4}]);
        let paths: Vec<_> = diff("l", &old, &new).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            ["l[id=a].v", "l[id=c]"],
            "an added item is one change holding the whole item"
        );
    }

    #[test]
    fn every_path_diff_writes_reads_back_to_the_value_it_names() {
        let old = json!({"a": {"l": [{"id": "x", "v": [1, 2]}], "s": "甲"}});
        let new = json!({"a": {"l": [{"id": "x", "v": [1, 3]}, {"id": "y", "v": []}], "s": "乙"}});
        let changes = diff("", &old, &new);
        assert_eq!(changes.len(), 3);
        for change in &changes {
            let at = value_at(&new, &change.path).expect("the path leads to the value");
            assert_eq!(at, &change.new, "{}", change.path);
        }
    }

    #[test]
    fn a_path_reads_into_fields_positions_and_ids() {
        assert_eq!(
            parse_path("basic.diseases[id=d-1].status_history[2].status"),
            Some(vec![
                PathStep::Field("basic"),
                PathStep::Field("diseases"),
                PathStep::Id("d-1"),
                PathStep::Field("status_history"),
                PathStep::Index(2),
                PathStep::Field("status"),
            ])
        );
        assert_eq!(
            parse_path("consultations[id=a]b]"),
            Some(vec![PathStep::Field("consultations"), PathStep::Id("a]b")])
        );
        for bad in ["", ".a", "a..b", "a[x]", "a[1", "a[id=x", "a[]"] {
            assert_eq!(parse_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn removed_field_reports_null_as_new_value() {
        let changes = diff("", &json!({"a": 1}), &json!({}));
        assert_eq!(changes[0].path, "a");
        assert_eq!(changes[0].new, Value::Null);
    }
}
