//! Identifying data (個人を特定できる情報) marked in the type system.
//!
//! Every field of the case model that identifies a person — name, kana,
//! address, phone, e-mail, a birth date finer than the year, photos and video
//! of the face, free-text notes — has the type [`Identifying<T>`]. Two things
//! follow from that mark alone, with no hand-kept list of fields:
//!
//! - `Debug` prints `‹redacted›`, so a name or a note never reaches a log, a
//!   panic message or an error's text;
//! - [`deidentified`] serialises any model value with every identifying field
//!   replaced by `null`: backups without PII and research exports are computed
//!   from it.

use std::cell::Cell;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that identifies a person (個人情報). Serialises transparently, but
/// prints as `‹redacted›` in `Debug` and is dropped by [`deidentified`].
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identifying<T>(pub T);

impl<T> Identifying<T> {
    /// Wraps an identifying value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The identifying value itself. Callers must not log it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Mutable access to the identifying value.
    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Unwraps the identifying value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Identifying<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Identifying<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Identifying<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹redacted›")
    }
}

thread_local! {
    static DEIDENTIFYING: Cell<bool> = const { Cell::new(false) };
}

impl<T: Serialize> Serialize for Identifying<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if DEIDENTIFYING.with(Cell::get) {
            serializer.serialize_none()
        } else {
            self.0.serialize(serializer)
        }
    }
}

/// `null` reads as the empty value, so a de-identified export reads back in
/// with its identifying fields blank.
impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Identifying<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|v| Self(v.unwrap_or_default()))
    }
}

/// Serialises `value` to JSON with every [`Identifying`] field replaced by
/// `null`. The mark travels with the type, so a field added to the model
/// later is covered as soon as it is declared identifying.
pub fn deidentified<T: Serialize + ?Sized>(value: &T) -> serde_json::Value {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            DEIDENTIFYING.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(DEIDENTIFYING.with(|flag| flag.replace(true)));
    serde_json::to_value(value).expect("model values serialise to JSON without failing")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Person {
        name: Identifying<String>,
        birth_year: u16,
    }

    #[test]
    fn a_deidentified_value_reads_back_with_blank_identifying_fields() {
        let v: Identifying<String> =
            serde_json::from_value(serde_json::Value::Null).expect("null reads");
        assert_eq!(v.expose(), "");
    }

    #[test]
    fn debug_never_shows_an_identifying_value() {
        let name: Identifying<String> = "山田花子".into();
        assert_eq!(format!("{name:?}"), "‹redacted›");
    }

    #[test]
    fn deidentified_drops_marked_fields_and_keeps_the_rest() {
        let p = Person {
            name: "山田花子".into(),
            birth_year: 1980,
        };
        let v = deidentified(&p);
        assert_eq!(v, serde_json::json!({"name": null, "birth_year": 1980}));
        // Ordinary serialisation still carries the value.
        assert_eq!(
            serde_json::to_value(&p).expect("serialises")["name"],
            "山田花子"
        );
    }
}
