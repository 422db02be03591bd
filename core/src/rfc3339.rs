//! Times as the stores, bundles and batches write them: RFC 3339 in UTC
//! (`2026-12-06T09:15:00Z`), one way everywhere.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A moment as the stores, bundles and batches keep it: written as RFC 3339
/// in UTC, read back as a time. Public APIs hand times over as this, never
/// as text to parse again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Now, in UTC.
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    /// The time `text` writes in RFC 3339, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        parse(text).map(Self::from)
    }

    /// The time, in UTC.
    pub fn utc(self) -> OffsetDateTime {
        self.0.to_offset(UtcOffset::UTC)
    }

    /// The time in `offset` (to show it where the user is).
    pub fn to_offset(self, offset: UtcOffset) -> OffsetDateTime {
        self.0.to_offset(offset)
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Self(t.to_offset(UtcOffset::UTC))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format(self.0))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format(self.0))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom("a time that is not RFC 3339"))
    }
}

impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(format(self.0)))
    }
}

impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Self::parse(text).ok_or_else(|| FromSqlError::Other("a time that is not RFC 3339".into()))
    }
}

/// `t` as RFC 3339.
pub fn format(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .expect("a time within the years 0 to 9999 formats as RFC 3339")
}

/// Now, as RFC 3339 in UTC.
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

/// An RFC 3339 time, if `text` is one.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_back_as_it_was_written_and_nothing_else_reads() {
        let t = time::macros::datetime!(2026-12-06 09:15:00 UTC);
        assert_eq!(format(t), "2026-12-06T09:15:00Z");
        assert_eq!(parse(&format(t)), Some(t));
        assert_eq!(
            parse(&now()).map(|n| n.offset()),
            Some(time::UtcOffset::UTC)
        );
        assert_eq!(parse("2026/12/06 09:15"), None);
    }

    #[test]
    fn a_timestamp_is_written_and_read_as_rfc_3339_in_utc() {
        let t = time::macros::datetime!(2026-12-06 18:15:00 +9);
        let stamp = Timestamp::from(t);
        assert_eq!(stamp.to_string(), "2026-12-06T09:15:00Z");
        assert_eq!(stamp.utc(), t);
        let json = serde_json::to_string(&stamp).expect("serializes");
        assert_eq!(json, "\"2026-12-06T09:15:00Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).ok(), Some(stamp));
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());

        let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
        let back: Timestamp = conn
            .query_row("SELECT ?1", [stamp], |row| row.get(0))
            .expect("reads back");
        assert_eq!(back, stamp);
        let bad: rusqlite::Result<Timestamp> =
            conn.query_row("SELECT 'soon'", [], |row| row.get(0));
        assert!(bad.is_err());
    }
}
