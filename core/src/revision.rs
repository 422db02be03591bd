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
    fn removed_field_reports_null_as_new_value() {
        let changes = diff("", &json!({"a": 1}), &json!({}));
        assert_eq!(changes[0].path, "a");
        assert_eq!(changes[0].new, Value::Null);
    }
}
