//! Login throttling: accounts lock after repeated failures until an administrator lifts the lock,
//! and each client address may try only so often in a window.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// Consecutive failed logins after which an account locks.
pub const LOCK_AFTER_FAILURES: i64 = 5;

/// Whether an account with this many consecutive failures must be locked.
pub fn should_lock(consecutive_failures: i64) -> bool {
    consecutive_failures >= LOCK_AFTER_FAILURES
}

/// A sliding-window limit of attempts per key (e.g. per client address).
#[derive(Debug)]
pub struct AttemptWindow<K> {
    max: usize,
    window: Duration,
    seen: HashMap<K, VecDeque<DateTime<Utc>>>,
}

impl<K: Hash + Eq + Clone> AttemptWindow<K> {
    /// Allows `max` attempts per key in any `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        AttemptWindow {
            max,
            window,
            seen: HashMap::new(),
        }
    }

    /// Records an attempt at `now` and says whether it is within the limit.
    pub fn allow(&mut self, key: &K, now: DateTime<Utc>) -> bool {
        let cutoff = now - self.window;
        // Forget keys whose attempts are all old, so the map does not grow without bound.
        if self.seen.len() > 10_000 {
            self.seen
                .retain(|_, q| q.back().is_some_and(|t| *t > cutoff));
        }
        let q = self.seen.entry(key.clone()).or_default();
        while q.front().is_some_and(|t| *t <= cutoff) {
            q.pop_front();
        }
        if q.len() >= self.max {
            return false;
        }
        q.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_fifth_failure_locks() {
        assert!(!should_lock(4));
        assert!(should_lock(5));
    }

    #[test]
    fn a_window_refuses_the_extra_attempt_and_recovers_later() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let mut w = AttemptWindow::new(3, Duration::minutes(10));
        let ip = "192.0.2.1".to_string();
        assert!((0..3).all(|i| w.allow(&ip, t0 + Duration::seconds(i))));
        assert!(!w.allow(&ip, t0 + Duration::minutes(5)));
        assert!(w.allow(&"other".to_string(), t0 + Duration::minutes(5)));
        assert!(w.allow(&ip, t0 + Duration::minutes(11)));
    }
}
