//! Headless Debian Chromium driven through chromedriver with fantoccini.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tempfile::TempDir;

use crate::HarnessError;
use crate::http::http_get;
use crate::process::{ChildGuard, free_port, log_tail};

/// The Chromium flags for a headless run on a machine without network or GPU.
///
/// Without the background-networking flags Chromium keeps trying to reach Google's hosts.
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// The Chromium and ChromeDriver executables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserTools {
    /// The browser, `/usr/bin/chromium` from Debian's `chromium` (or `REDRESS_CHROMIUM`).
    pub chromium: PathBuf,
    /// The driver, `/usr/bin/chromedriver` from Debian's `chromium-driver` (or `REDRESS_CHROMEDRIVER`).
    pub chromedriver: PathBuf,
}

impl BrowserTools {
    /// Finds both executables, or says which one is missing and which package has it.
    pub fn locate() -> Result<Self, HarnessError> {
        let chromium = locate_executable(
            "REDRESS_CHROMIUM",
            &["chromium", "chromium-browser"],
            "chromium",
            "install Debian's `chromium` (scripts/setup.sh does)",
        )?;
        let chromedriver = locate_executable(
            "REDRESS_CHROMEDRIVER",
            &["chromedriver"],
            "chromedriver",
            "install Debian's `chromium-driver` (scripts/setup.sh does)",
        )?;
        Ok(Self {
            chromium,
            chromedriver,
        })
    }
}

/// `$env_var` if set (it must then exist), else the first of `names` on `PATH`.
fn locate_executable(
    env_var: &str,
    names: &[&str],
    what: &'static str,
    hint: &'static str,
) -> Result<PathBuf, HarnessError> {
    if let Some(path) = std::env::var_os(env_var) {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(HarnessError::Missing { what, path, hint })
        };
    }
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path_var) {
        for name in names {
            let candidate = dir.join(name);
            if is_executable(&candidate) {
                return Ok(candidate);
            }
        }
    }
    Err(HarnessError::Missing {
        what,
        path: PathBuf::from(names.first().copied().unwrap_or(what)),
        hint,
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A WebDriver session in a fresh headless Chromium profile.
///
/// Call [`Browser::close`] at the end of a test to end the session cleanly; dropping the
/// browser without it still kills chromedriver and every browser process it started.
pub struct Browser {
    client: Client,
    driver: ChildGuard,
    // Declared last: the profile outlives the processes that use it.
    dir: TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("driver_log", &self.driver.log())
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session in headless Chromium
    /// with [`CHROMIUM_ARGS`] and a new, empty `--user-data-dir`.
    pub async fn start(tools: &BrowserTools) -> Result<Self, HarnessError> {
        let dir = tempfile::Builder::new()
            .prefix("redress-e2e-browser.")
            .tempdir()
            .map_err(|e| HarnessError::io("creating the browser's temporary directory", e))?;
        let port = free_port()?;
        let mut command = Command::new(&tools.chromedriver);
        command
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1");
        let mut driver = ChildGuard::spawn(command, &dir.path().join("chromedriver.log"))?;
        let driver_addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        wait_driver_ready(&mut driver, driver_addr, Duration::from_secs(30))?;

        let profile = dir.path().join("profile");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "chrome".into());
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": tools.chromium.to_string_lossy(),
                "args": args,
            }),
        );
        let url = format!("http://{driver_addr}");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .map_err(|source| HarnessError::Session {
                url: format!("{url} (chromedriver log:\n{})", log_tail(driver.log(), 20)),
                source: Box::new(source),
            })?;
        Ok(Self {
            client,
            driver,
            dir,
        })
    }

    /// The WebDriver client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the WebDriver session (closing Chromium), then stops chromedriver.
    pub async fn close(self) -> Result<(), HarnessError> {
        let Self {
            client,
            driver,
            dir,
        } = self;
        let closed = client
            .close()
            .await
            .map_err(|source| HarnessError::Command {
                context: "closing the browser session".into(),
                source: Box::new(source),
            });
        drop(driver);
        drop(dir);
        closed
    }

    /// Clicks the element at `css` until its text differs from `before`, and returns the new
    /// text. Before hydration a click changes nothing, so this also waits for hydration.
    pub async fn click_until_text_changes(
        &self,
        css: &str,
        before: &str,
        timeout: Duration,
    ) -> Result<String, HarnessError> {
        let start = Instant::now();
        let context = |what: &str| format!("{what} `{css}`");
        loop {
            let element = self
                .client()
                .find(Locator::Css(css))
                .await
                .map_err(|source| HarnessError::Command {
                    context: context("finding"),
                    source: Box::new(source),
                })?;
            element
                .click()
                .await
                .map_err(|source| HarnessError::Command {
                    context: context("clicking"),
                    source: Box::new(source),
                })?;
            tokio::time::sleep(Duration::from_millis(150)).await;
            let text = element
                .text()
                .await
                .map_err(|source| HarnessError::Command {
                    context: context("reading the text of"),
                    source: Box::new(source),
                })?;
            if text != before {
                return Ok(text);
            }
            if start.elapsed() > timeout {
                return Err(HarnessError::NotReady {
                    what: format!("a click on `{css}` changing its text from {before:?}"),
                    seconds: timeout.as_secs(),
                    log: self.driver.log().to_path_buf(),
                    tail: log_tail(self.driver.log(), 20),
                });
            }
        }
    }
}

fn wait_driver_ready(
    driver: &mut ChildGuard,
    addr: std::net::SocketAddr,
    timeout: Duration,
) -> Result<(), HarnessError> {
    let start = Instant::now();
    loop {
        driver.check_running()?;
        if let Ok(response) = http_get(addr, "/status")
            && response.status == 200
            && response.body.contains("\"ready\":true")
        {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(HarnessError::NotReady {
                what: format!("chromedriver on http://{addr}/status"),
                seconds: timeout.as_secs(),
                log: driver.log().to_path_buf(),
                tail: log_tail(driver.log(), 20),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_path_that_does_not_exist_is_reported() {
        let err = locate_executable(
            "REDRESS_E2E_TEST_NO_SUCH_VAR_SET_BELOW",
            &["definitely-not-a-program-xyz"],
            "xyz",
            "install xyz",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("xyz not found"), "{text}");
        assert!(text.contains("install xyz"), "{text}");
    }

    #[test]
    fn finds_a_program_on_path() {
        // `sh` is on every machine these tests run on.
        let path = locate_executable("REDRESS_E2E_TEST_UNSET_VAR", &["sh"], "sh", "").unwrap();
        assert!(path.ends_with("sh"), "{}", path.display());
        assert!(is_executable(&path));
    }

    #[test]
    fn a_plain_file_is_not_executable() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        assert!(!is_executable(&file));
        assert!(!is_executable(dir.path()));
    }
}
