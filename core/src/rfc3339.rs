//! Times as the stores, bundles and batches write them: RFC 3339 in UTC
//! (`2026-12-06T09:15:00Z`), one way everywhere.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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
}
