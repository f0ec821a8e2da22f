//! The store's clock for end-to-end tests: when `REDRESS_TEST_CLOCK_FILE` is set, "now" is the
//! RFC 3339 time written in that file (the real time while the file is absent or empty), so a
//! browser test can move time forward, e.g. past an exception's expiry. Without the variable
//! the real clock is used; production never sets it.
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use redress_store::{Clock, Store, system_clock};

/// The environment variable naming the clock file.
pub const TEST_CLOCK_ENV: &str = "REDRESS_TEST_CLOCK_FILE";

/// A clock that reads `path` on every call.
pub fn file_clock(path: PathBuf) -> Clock {
    std::sync::Arc::new(move || read_time(&path).unwrap_or_else(Utc::now))
}

fn read_time(path: &std::path::Path) -> Option<DateTime<Utc>> {
    let text = std::fs::read_to_string(path).ok()?;
    match DateTime::parse_from_rfc3339(text.trim()) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(e) => {
            if !text.trim().is_empty() {
                tracing::warn!("{}: {e}; using the real time", path.display());
            }
            None
        }
    }
}

/// `store` with the test clock when [`TEST_CLOCK_ENV`] is set, else with the real clock.
pub fn from_env(store: Store) -> Store {
    match std::env::var_os(TEST_CLOCK_ENV) {
        Some(path) if !path.is_empty() => {
            tracing::warn!(
                "using the test clock from {}",
                PathBuf::from(&path).display()
            );
            store.with_clock(file_clock(PathBuf::from(path)))
        }
        _ => store.with_clock(system_clock()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sets_now_and_its_absence_gives_the_real_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clock");
        let clock = file_clock(path.clone());
        let before = Utc::now();
        assert!(clock() >= before, "no file: real time");
        std::fs::write(&path, "2031-05-04T10:00:00Z\n").unwrap();
        assert_eq!(clock().to_rfc3339(), "2031-05-04T10:00:00+00:00");
        std::fs::write(&path, "not a time").unwrap();
        assert!(
            clock() >= before && clock().timestamp() < 1_900_000_000,
            "unparsable: real time"
        );
    }
}
