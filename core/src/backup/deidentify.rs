//! Leaving the identifying fields out of a case and its history, computed
//! from the model's [`Identifying`](crate::pii::Identifying) marks alone.
//!
//! The case's content is [`pii::deidentified`]. Its history is harder: a
//! saved change is a path and two JSON values, with no type. Each value is
//! put back where its path says inside an otherwise empty [`Case`], that
//! case is de-identified, and what is left at the path is kept: so a
//! change to a name keeps its path but not the names, a whole item added
//! keeps its non-identifying fields, and a change to a disease's status
//! keeps both statuses. Whatever cannot be placed that way (a path that
//! does not read, a section that does not exist, a value that no longer
//! fits the model) is left out whole: in doubt, nothing is kept.

use serde_json::Value;

use super::BackupError;
use super::format::CaseEntry;
use crate::model::{Case, SectionName};
use crate::pii;
use crate::revision::{self, FieldChange, PathStep, holds_something, parse_path};
use crate::seal::RevisionRecord;
use crate::store::{RestoredCase, StoredCase};

/// The most fields one restored case may be marked to fill in again.
const MAX_REENTRY: usize = 100_000;
/// The longest path of a field to fill in again.
const MAX_PATH_CHARS: usize = 2_000;

/// The backup line of a stored case: content and history with every
/// identifying value left out, and the paths of the identifying fields
/// that held something.
pub fn entry_from(stored: StoredCase) -> CaseEntry {
    let plain = serde_json::to_value(&stored.case).expect("a case serialises to JSON");
    let content = pii::deidentified(&stored.case);
    let reentry = revision::diff("", &plain, &content)
        .into_iter()
        .filter(|change| holds_something(&change.old))
        .map(|change| change.path)
        .collect();
    CaseEntry {
        id: stored.case.id,
        revision: stored.revision,
        created_at: stored.created_at,
        created_by: stored.created_by,
        updated_at: stored.updated_at,
        assigned_to: stored.assigned_to,
        content,
        history: stored.history.iter().map(deidentified_revision).collect(),
        reentry,
    }
}

/// The case to restore from a backup line. Whatever the file holds, the
/// case and its history are de-identified again here, so that a restore
/// never writes an identifying value.
pub fn restored_from(entry: CaseEntry) -> Result<RestoredCase, BackupError> {
    let case: Case = serde_json::from_value(entry.content)
        .map_err(|_| BackupError::Damaged("a case does not fit the case format"))?;
    if case.id != entry.id {
        return Err(BackupError::Damaged("a case's id does not match its line"));
    }
    let case: Case = serde_json::from_value(pii::deidentified(&case))
        .map_err(|_| BackupError::Damaged("a case does not fit the case format"))?;
    if entry.reentry.len() > MAX_REENTRY
        || entry
            .reentry
            .iter()
            .any(|p| p.chars().count() > MAX_PATH_CHARS || parse_path(p).is_none())
    {
        return Err(BackupError::Damaged(
            "a field to fill in again is not a field path",
        ));
    }
    Ok(RestoredCase {
        stored: StoredCase {
            case,
            revision: entry.revision,
            created_at: entry.created_at,
            created_by: entry.created_by,
            updated_at: entry.updated_at,
            assigned_to: entry.assigned_to,
            history: entry.history.iter().map(deidentified_revision).collect(),
        },
        reentry: entry.reentry,
    })
}

/// A saved change with its identifying values left out.
pub fn deidentified_revision(r: &RevisionRecord) -> RevisionRecord {
    RevisionRecord {
        revision: r.revision,
        author: r.author.clone(),
        at: r.at,
        section: r.section.clone(),
        changes: r
            .changes
            .iter()
            .map(|c| FieldChange {
                path: c.path.clone(),
                old: deidentified_value(&r.section, &c.path, &c.old),
                new: deidentified_value(&r.section, &c.path, &c.new),
            })
            .collect(),
    }
}

/// `value`, the value at `path` of a change to `section`, with what is
/// identifying there left out (`null`); `null` whole when it cannot be
/// placed in a case.
pub fn deidentified_value(section: &str, path: &str, value: &Value) -> Value {
    if value.is_null() || SectionName::from_key(section).is_none() {
        return Value::Null;
    }
    let Some(steps) = parse_path(path) else {
        return Value::Null;
    };
    if steps.first() != Some(&PathStep::Field(section)) {
        return Value::Null;
    }
    // The value inside an otherwise empty case: a list item as the only
    // item of its list (whether a field is identifying does not depend on
    // where in its list the item is).
    let placed = steps
        .iter()
        .rev()
        .fold(value.clone(), |inner, step| match step {
            PathStep::Field(name) => {
                Value::Object(serde_json::Map::from_iter([((*name).to_owned(), inner)]))
            }
            PathStep::Index(_) | PathStep::Id(_) => Value::Array(vec![inner]),
        });
    let Ok(case) = serde_json::from_value::<Case>(placed) else {
        return Value::Null;
    };
    let left = pii::deidentified(&case);
    let found = steps.iter().try_fold(&left, |at, step| match step {
        PathStep::Field(name) => at.get(*name),
        PathStep::Index(_) | PathStep::Id(_) => at.get(0),
    });
    found.map_or(Value::Null, |left| kept(value, left))
}

/// `original` where `left` (the same value de-identified) still holds it;
/// `null` where `left` does not.
fn kept(original: &Value, left: &Value) -> Value {
    match (original, left) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Object(fields), Value::Object(left)) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), kept(v, left.get(k).unwrap_or(&Value::Null))))
                .collect(),
        ),
        (Value::Array(items), Value::Array(left)) if items.len() == left.len() => {
            Value::Array(items.iter().zip(left).map(|(v, l)| kept(v, l)).collect())
        }
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => {
            Value::Null
        }
        (_, left) => left.clone(),
    }
}
