//! Time enters the core only through this trait, so rules are testable at any instant.

use chrono::{DateTime, FixedOffset, Offset, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn midnight_utc_is_nine_in_the_morning_in_tokyo() {
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 15, 30, 0).single();
        assert_eq!(at.map(format_jst).as_deref(), Some("2026-04-01 00:30"));
    }
}
