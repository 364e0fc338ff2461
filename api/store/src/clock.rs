//! The one "now". Every rule, stamp and background job reads the server's [`Clock`]: the system
//! clock plus an offset that tests move forward, so that "a week later" needs no waiting. Nothing
//! else in the workspace may read the system time (clippy's `disallowed-methods`, `clippy.toml`).
//!
//! Handlers and jobs hold the clock (`state.clock`); code that only has a connection — the store's
//! `updated_at`, `revoked_at`, webhook and email stamps — reads [`now`], which is the clock of the
//! server whose `Db` (the api's handle on the pool) is running the work on this thread (every `Db::run` enters
//! its server's clock), so that one process running several servers (the tests) keeps each one's
//! time apart.
//!
//! One exception, and the only other door to the system time: [`system_time`], for the timestamps
//! that *other parties* check against their own clocks — our access tokens' `iat`/`nbf`/`exp`
//! (checked by `jsonwebtoken` against the system time), a webhook signature's timestamp (checked
//! by the receiver), the JWTs that authenticate us to FCM and APNs (checked by Google and Apple).
//! Moving those with a test's offset would only make them wrong.

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds added to the system clock.
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in UTC at microsecond precision (what both databases store).
    pub fn now(&self) -> NaiveDateTime {
        micros(system_time().naive_utc())
            + Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every copy of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Runs `f` with this clock as the one [`now`] reads on this thread.
    pub fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<Clock>);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.with(|c| *c.borrow_mut() = self.0.take());
            }
        }
        let _restore = Restore(CURRENT.with(|c| c.borrow_mut().replace(self.clone())));
        f()
    }
}

thread_local! {
    /// The clock of the server whose database work runs on this thread.
    static CURRENT: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

/// Now on the clock this thread's database work runs under (see the module's text); on a thread
/// doing none — a command-line tool, a unit test — the system clock, which is every server's
/// until a test moves it.
pub fn now() -> NaiveDateTime {
    CURRENT
        .with(|c| c.borrow().as_ref().map(Clock::now))
        .unwrap_or_else(|| Clock::default().now())
}

/// The system time, only for timestamps that other parties check against their own clocks (see
/// the module's text); everything else reads [`Clock::now`] or [`now`].
#[allow(clippy::disallowed_methods)]
pub fn system_time() -> DateTime<Utc> {
    Utc::now()
}

/// `t` cut to microseconds: PostgreSQL keeps no more, and SQLite compares times as text, so a
/// time a client sent with nanoseconds must be cut before it is stored or compared.
pub fn micros(t: NaiveDateTime) -> NaiveDateTime {
    t - std::time::Duration::from_nanos(u64::from(t.and_utc().timestamp_subsec_nanos() % 1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_is_ahead_in_every_copy() {
        let clock = Clock::default();
        let copy = clock.clone();
        let before = Clock::default().now();
        clock.advance(Duration::days(8));
        assert!(copy.now() >= before + Duration::days(8));
    }

    #[test]
    fn now_reads_the_entered_clock_and_returns_to_the_system_one_after() {
        let server = Clock::default();
        server.advance(Duration::days(30));
        let system = Clock::default().now();
        let inside = server.enter(now);
        assert!(inside >= system + Duration::days(30));
        assert!(now() < system + Duration::days(1));
        let nested = Clock::default();
        nested.advance(Duration::days(60));
        let (outer, inner) = server.enter(|| (now(), nested.enter(now)));
        assert!(inner > outer + Duration::days(29));
        assert!(now() < system + Duration::days(1));
    }

    #[test]
    fn micros_cuts_nanoseconds() {
        let t = DateTime::from_timestamp(1, 123_456_789)
            .expect("t")
            .naive_utc();
        assert_eq!(micros(t).and_utc().timestamp_subsec_nanos(), 123_456_000);
    }
}
