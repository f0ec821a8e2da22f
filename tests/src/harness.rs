//! A server and a browser together, with the skip-or-fail policy for missing prerequisites.

use crate::{Browser, BrowserTools, HarnessError, RedressServer, ServerConfig};

/// A running Redress server and a headless browser session, for one test.
#[derive(Debug)]
pub struct Harness {
    /// The server under test.
    pub server: RedressServer,
    /// The browser session.
    pub browser: Browser,
}

impl Harness {
    /// Starts the built server and a browser.
    ///
    /// Returns `Ok(None)` after printing why, when Chromium, ChromeDriver or the built site is
    /// missing and `CI` is not set; under CI a missing prerequisite is an error, so the test
    /// fails instead of passing without running.
    pub async fn start() -> Result<Option<Self>, HarnessError> {
        let ci = running_under_ci();
        let tools = match BrowserTools::locate() {
            Ok(tools) => tools,
            Err(missing) => return skip_or_fail(ci, missing),
        };
        let config = match ServerConfig::from_build() {
            Ok(config) => config,
            Err(missing) => return skip_or_fail(ci, missing),
        };
        let server = RedressServer::start(&config)?;
        let browser = Browser::start(&tools).await?;
        Ok(Some(Self { server, browser }))
    }

    /// Closes the browser session cleanly, then stops the server.
    pub async fn close(self) -> Result<(), HarnessError> {
        let Self { server, browser } = self;
        let closed = browser.close().await;
        drop(server);
        closed
    }
}

/// `CI` set to anything but empty, `0` or `false`.
fn running_under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

fn skip_or_fail<T>(ci: bool, missing: HarnessError) -> Result<Option<T>, HarnessError> {
    if ci {
        return Err(missing);
    }
    eprintln!("SKIPPED browser test: {missing} (under CI this fails)");
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn missing() -> HarnessError {
        HarnessError::Missing {
            what: "chromedriver",
            path: PathBuf::from("/usr/bin/chromedriver"),
            hint: "install chromium-driver",
        }
    }

    #[test]
    fn a_missing_prerequisite_skips_outside_ci() {
        let outcome: Option<()> = skip_or_fail(false, missing()).unwrap();
        assert!(outcome.is_none());
    }

    #[test]
    fn a_missing_prerequisite_fails_under_ci() {
        let err = skip_or_fail::<()>(true, missing()).unwrap_err();
        assert!(err.to_string().contains("chromedriver not found"), "{err}");
    }
}
