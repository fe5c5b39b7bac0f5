//! Timestamps (STIX 2.1 §3.2): RFC 3339 in UTC with a literal `Z`, seconds always given, any
//! number of fractional digits. The text is kept as read, so that a round trip changes nothing
//! (`…27.000Z` stays `…27.000Z`), and its precision can be checked where the spec asks for
//! milliseconds.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::cmp::Ordering;
use std::fmt;

/// Why a text is not a STIX timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be YYYY-MM-DDTHH:MM:SS[.s+]Z in UTC")]
pub struct TimestampError;

/// A STIX timestamp: the instant and the text it was written as.
#[derive(Debug, Clone)]
pub struct Timestamp {
    at: DateTime<Utc>,
    text: String,
}

impl Timestamp {
    /// Reads a timestamp, refusing offsets other than `Z`, a lower-case `t` or `z`, and
    /// missing seconds.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let body = text.strip_suffix('Z').ok_or(TimestampError)?;
        let (main, fraction) = match body.split_once('.') {
            Some((m, f)) => (m, Some(f)),
            None => (body, None),
        };
        let shape_ok = main.len() == 19
            && main.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                10 => b == b'T',
                13 | 16 => b == b':',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok
            || fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(TimestampError);
        }
        let naive = NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| TimestampError)?;
        Ok(Timestamp {
            at: naive.and_utc(),
            text: text.to_string(),
        })
    }

    /// The timestamp of an instant, to the millisecond, as STIX writes `created` and `modified`.
    pub fn millis(at: DateTime<Utc>) -> Timestamp {
        let text = at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let at = Timestamp::parse(&text).map_or(at, |t| t.at);
        Timestamp { at, text }
    }

    /// The instant.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The digits after the decimal point as written (0 when there are none).
    pub fn fraction_digits(&self) -> usize {
        self.text
            .trim_end_matches('Z')
            .split_once('.')
            .map_or(0, |(_, f)| f.len())
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

crate::text_serde!(Timestamp);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_a_z_and_keep_their_text() {
        let t = Timestamp::parse("2016-05-12T08:17:27.000Z").expect("valid");
        assert_eq!(t.to_string(), "2016-05-12T08:17:27.000Z");
        assert_eq!(t.fraction_digits(), 3);
        assert_eq!(
            Timestamp::parse("2016-05-12T08:17:27Z")
                .expect("valid")
                .fraction_digits(),
            0
        );
        assert_eq!(
            Timestamp::parse("2016-05-12T08:17:27.123456Z")
                .expect("valid")
                .fraction_digits(),
            6
        );
        // The same instant written two ways is the same instant.
        assert_eq!(
            Timestamp::parse("2016-05-12T08:17:27Z").expect("a"),
            Timestamp::parse("2016-05-12T08:17:27.000Z").expect("b")
        );
        for bad in [
            "2016-05-12T08:17:27+09:00",
            "2016-05-12T08:17:27.000z",
            "2016-05-12t08:17:27Z",
            "2016-05-12T08:17Z",
            "2016-05-12 08:17:27Z",
            "2016-13-12T08:17:27Z",
            "2016-02-30T08:17:27Z",
            "2016-05-12T08:17:27.Z",
            "",
        ] {
            assert_eq!(Timestamp::parse(bad), Err(TimestampError), "{bad}");
        }
    }

    #[test]
    fn an_instant_is_written_to_the_millisecond() {
        let at = DateTime::parse_from_rfc3339("2026-12-03T09:30:00.123456+09:00")
            .expect("rfc3339")
            .with_timezone(&Utc);
        assert_eq!(Timestamp::millis(at).as_str(), "2026-12-03T00:30:00.123Z");
    }
}
