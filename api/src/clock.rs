//! The one "now" that time-dependent rules and background jobs read (quote expiry, and the jobs
//! to come: renewals, scheduled pushes). It is the system clock plus an offset that tests move
//! forward, so that "a week later" needs no waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds added to the system clock.
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in UTC at microsecond precision (what both databases store).
    pub fn now(&self) -> NaiveDateTime {
        crate::db::now() + Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every copy of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_is_ahead_in_every_copy() {
        let clock = Clock::default();
        let copy = clock.clone();
        let before = crate::db::now();
        clock.advance(Duration::days(8));
        assert!(copy.now() >= before + Duration::days(8));
    }
}
