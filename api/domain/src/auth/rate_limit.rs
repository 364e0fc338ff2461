//! Fixed-window rate limiting in memory, per key.
//!
//! Kept per process: with N replicas the effective limit is N times higher, which still stops
//! brute force; a shared store can replace it without changing callers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit on `key`; `Err(seconds)` says how long to wait when over the limit.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        self.check(key)?;
        self.count(key);
        Ok(())
    }

    /// Whether `key` is still under the limit, without counting: `Err(seconds)` to wait.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let hits = self.lock();
        match hits.get(key) {
            Some((start, n)) if *n >= self.limit && now.duration_since(*start) < self.window => {
                let left = self.window.saturating_sub(now.duration_since(*start));
                Err(left.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts one against `key` (a failed sign-in, say), refusing nothing.
    pub fn count(&self, key: &str) {
        let now = Instant::now();
        let mut hits = self.lock();
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    /// Forgets what was counted against `key`.
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, u32)>> {
        self.hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hit_over_the_limit_is_refused_with_a_wait() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert!(limiter.hit("a").is_ok());
        assert!(limiter.hit("a").is_ok());
        let wait = limiter.hit("a").expect_err("third hit refused");
        assert!((1..=60).contains(&wait));
        assert!(limiter.hit("b").is_ok(), "other keys are counted apart");
    }

    #[test]
    fn counted_failures_refuse_once_at_the_limit_and_clearing_forgets_them() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        limiter.count("a");
        assert!(limiter.check("a").is_ok(), "checking does not count");
        assert!(limiter.check("a").is_ok());
        limiter.count("a");
        assert!(limiter.check("a").is_err());
        assert!(limiter.check("b").is_ok());
        limiter.clear("a");
        assert!(limiter.check("a").is_ok());
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let limiter = RateLimiter::new(1, Duration::ZERO);
        assert!(limiter.hit("a").is_ok());
        assert!(limiter.hit("a").is_ok());
    }
}
