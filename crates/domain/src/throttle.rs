//! Login throttling (NIST SP 800-63B §5.2.2): an account that keeps failing waits longer before
//! each next try, and an address that keeps failing is refused for a while. Both end by
//! themselves, so that nobody can lock a colleague (or the only administrator) out for good.

use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

/// Consecutive failed logins after which an account must wait.
pub const LOCK_AFTER_FAILURES: i64 = 5;

/// The first wait, doubled by every further failure.
pub const FIRST_LOCKOUT_MINUTES: i64 = 1;

/// The longest wait: about 24 guesses a day at most, while the owner is never shut out for long.
pub const LONGEST_LOCKOUT_MINUTES: i64 = 60;

/// How long an account with this many consecutive failures must wait before the next try, if at
/// all: one minute at the fifth, doubling up to an hour.
pub fn lockout_after(consecutive_failures: i64) -> Option<Duration> {
    let beyond = consecutive_failures.checked_sub(LOCK_AFTER_FAILURES)?;
    if beyond < 0 {
        return None;
    }
    let factor = 1_i64.checked_shl(u32::try_from(beyond.min(32)).unwrap_or(32));
    let minutes = factor
        .and_then(|f| f.checked_mul(FIRST_LOCKOUT_MINUTES))
        .map_or(LONGEST_LOCKOUT_MINUTES, |m| m.min(LONGEST_LOCKOUT_MINUTES));
    Some(Duration::minutes(minutes))
}

/// How many failed logins one client address may have in a window before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressLimit {
    /// Failures allowed in a window.
    pub failures: i64,
    /// The window's length.
    pub window: Duration,
}

impl AddressLimit {
    /// A limit of `failures` per ten minutes.
    pub fn per_ten_minutes(failures: i64) -> AddressLimit {
        AddressLimit {
            failures,
            window: Duration::minutes(10),
        }
    }

    /// Whether a window that opened at `start` still counts at `now`.
    pub fn is_open(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        start > now - self.window
    }

    /// Whether an address whose current window opened at `start` with `failures` may try again.
    pub fn allows(&self, window: Option<(DateTime<Utc>, i64)>, now: DateTime<Utc>) -> bool {
        match window {
            Some((start, failures)) if self.is_open(start, now) => failures < self.failures,
            _ => true,
        }
    }
}

/// What failures are counted under: the address itself for IPv4, its /64 network for IPv6, as one
/// subscriber is usually given a whole /64 and could otherwise try from each of its addresses.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn waits_start_at_the_fifth_failure_double_and_stop_growing_at_an_hour() {
        assert_eq!(lockout_after(0), None);
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(Duration::minutes(1)));
        assert_eq!(lockout_after(6), Some(Duration::minutes(2)));
        assert_eq!(lockout_after(9), Some(Duration::minutes(16)));
        assert_eq!(lockout_after(11), Some(Duration::minutes(60)));
        assert_eq!(lockout_after(500), Some(Duration::minutes(60)));
        assert_eq!(lockout_after(i64::MAX), Some(Duration::minutes(60)));
        assert_eq!(lockout_after(i64::MIN), None);
    }

    #[test]
    fn an_address_is_refused_after_its_failures_until_the_window_closes() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let limit = AddressLimit::per_ten_minutes(3);
        assert!(limit.allows(None, t0));
        assert!(limit.allows(Some((t0, 2)), t0 + Duration::minutes(5)));
        assert!(!limit.allows(Some((t0, 3)), t0 + Duration::minutes(5)));
        assert!(limit.allows(Some((t0, 3)), t0 + Duration::minutes(10)));
    }

    #[test]
    fn ipv6_addresses_count_by_their_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        let b: IpAddr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(address_key(a), "2001:db8:1:2::/64");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(address_key(mapped), "192.0.2.7");
    }
}
