//! Login rate limiting: failed attempts per e-mail and per client address in a sliding window.
use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// Counts failed logins; a key over its limit is refused until old failures age out.
#[derive(Debug)]
pub struct LoginRateLimiter {
    window: Duration,
    max_per_email: usize,
    max_per_client: usize,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for LoginRateLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 30)
    }
}

impl LoginRateLimiter {
    /// A limiter allowing `max_per_email` failures per e-mail and `max_per_client` per client
    /// address within `window`.
    pub fn new(window: Duration, max_per_email: usize, max_per_client: usize) -> Self {
        Self {
            window,
            max_per_email,
            max_per_client,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when this e-mail or client has failed too often recently.
    pub fn check(&self, email: &str, client: &str, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let keys = [
            (email_key(email), self.max_per_email),
            (client_key(client), self.max_per_client),
        ];
        let mut wait = None::<Duration>;
        for (key, max) in keys {
            if let Some(times) = failures.get_mut(&key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    times.pop_front();
                }
                if times.len() >= max
                    && let Some(oldest) = times.front()
                {
                    let left = self.window.saturating_sub(now.duration_since(*oldest));
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        wait.map_or(Ok(()), Err)
    }

    /// Records a failed attempt.
    pub fn record_failure(&self, email: &str, client: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in [email_key(email), client_key(client)] {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// Forgets the e-mail's failures after a successful login.
    pub fn record_success(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&email_key(email));
    }
}

fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

fn client_key(client: &str) -> String {
    format!("client:{client}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifth_failure_blocks_until_the_window_passes() {
        let limiter = LoginRateLimiter::new(Duration::from_secs(60), 3, 100);
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(limiter.check("a@x", "1.2.3.4", t0).is_ok(), "attempt {i}");
            limiter.record_failure("A@x", "1.2.3.4", t0);
        }
        let wait = limiter
            .check("a@x", "5.6.7.8", t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            limiter.check("b@x", "1.2.3.4", t0).is_ok(),
            "other e-mails unaffected"
        );
        assert!(
            limiter
                .check("a@x", "1.2.3.4", t0 + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn one_client_cannot_spray_many_emails() {
        let limiter = LoginRateLimiter::new(Duration::from_secs(60), 100, 2);
        let t0 = Instant::now();
        limiter.record_failure("a@x", "9.9.9.9", t0);
        limiter.record_failure("b@x", "9.9.9.9", t0);
        assert!(limiter.check("c@x", "9.9.9.9", t0).is_err());
        assert!(limiter.check("c@x", "8.8.8.8", t0).is_ok());
    }

    #[test]
    fn success_clears_the_email() {
        let limiter = LoginRateLimiter::new(Duration::from_secs(60), 1, 100);
        let t0 = Instant::now();
        limiter.record_failure("a@x", "1.1.1.1", t0);
        assert!(limiter.check("a@x", "2.2.2.2", t0).is_err());
        limiter.record_success("a@x");
        assert!(limiter.check("a@x", "2.2.2.2", t0).is_ok());
    }
}
