//! Time enters the core only through the `Clock` trait, so rules are testable at any instant;
//! and Japan time (JST) is read and written here, in one place.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};

/// A source of the current instant.
pub trait Clock: Send + Sync {
    /// The current instant in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock of the machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Japan Standard Time: UTC+9 all year (Japan observes no daylight saving).
pub fn jst() -> FixedOffset {
    // 9 h is always within FixedOffset's ±24 h range; the fallback is never taken.
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Formats an instant as Japan time, `YYYY-MM-DD HH:MM`, the way users read it on pages.
pub fn format_jst(at: DateTime<Utc>) -> String {
    at.with_timezone(&jst())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Parses a `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds optional) as Japan time.
pub fn parse_local_jst(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    jst()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Formats an instant as a `datetime-local` value in Japan time.
pub fn format_local_jst(at: DateTime<Utc>) -> String {
    at.with_timezone(&jst())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The Japan date of an instant.
pub fn jst_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&jst()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_utc_is_nine_in_the_morning_in_tokyo() {
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 15, 30, 0).single();
        assert_eq!(at.map(format_jst).as_deref(), Some("2026-04-01 00:30"));
    }

    #[test]
    fn local_times_are_japan_time() {
        let t = parse_local_jst("2026-11-23T08:30").unwrap_or_default();
        assert_eq!(t.to_rfc3339(), "2026-11-22T23:30:00+00:00");
        assert_eq!(format_local_jst(t), "2026-11-23T08:30");
        assert_eq!(jst_date(t).to_string(), "2026-11-23");
        assert!(parse_local_jst("23/11/2026").is_none());
    }
}
