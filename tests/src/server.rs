//! The real `redress serve` binary on a free port with a throwaway SQLite database.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::HarnessError;
use crate::http::{http_get, http_head};
use crate::process::{ChildGuard, free_port, log_tail};

/// The variable the server reads its test clock file from (see `server/src/clock.rs`).
const TEST_CLOCK_ENV: &str = "REDRESS_TEST_CLOCK_FILE";
/// The clock file's name in the server's directory; absent means the real time.
const CLOCK_FILE: &str = "clock";

/// Where the built server and site are, and who the first admin is.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The `redress` binary built by `cargo leptos build`.
    pub binary: PathBuf,
    /// The site root (`target/site`) holding `pkg/redress.{js,wasm,css}`.
    pub site_root: PathBuf,
    /// `REDRESS_ADMIN_EMAIL` for the first admin.
    pub admin_email: String,
    /// `REDRESS_ADMIN_PASSWORD` for the first admin.
    pub admin_password: String,
    /// How long to wait for `/healthz` to answer 200.
    pub ready_timeout: Duration,
}

impl ServerConfig {
    /// The binary next to the running test's target directory (or `REDRESS_BIN`) and the site
    /// under the workspace's `target/site` (or `REDRESS_SITE_ROOT`), checked to exist.
    pub fn from_build() -> Result<Self, HarnessError> {
        let binary = match std::env::var_os("REDRESS_BIN") {
            Some(path) => PathBuf::from(path),
            None => default_binary()?,
        };
        let site_root = match std::env::var_os("REDRESS_SITE_ROOT") {
            Some(path) => PathBuf::from(path),
            None => workspace_root().join("target").join("site"),
        };
        let config = Self {
            binary,
            site_root,
            admin_email: "admin@redress.test".into(),
            admin_password: "correct horse battery staple 42".into(),
            ready_timeout: Duration::from_secs(60),
        };
        config.check_built()?;
        Ok(config)
    }

    /// Fails with a hint when the binary or the hydrate bundle is missing.
    pub fn check_built(&self) -> Result<(), HarnessError> {
        const HINT: &str = "build it with `cargo leptos build` (`make test` does)";
        if !self.binary.is_file() {
            return Err(HarnessError::Missing {
                what: "the redress server binary",
                path: self.binary.clone(),
                hint: HINT,
            });
        }
        for file in ["redress.js", "redress.wasm"] {
            let path = self.site_root.join("pkg").join(file);
            if !path.is_file() {
                return Err(HarnessError::Missing {
                    what: "the hydrate bundle",
                    path,
                    hint: HINT,
                });
            }
        }
        Ok(())
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// `<target>/debug/redress`, found from the test executable at `<target>/debug/deps/<test>`.
fn default_binary() -> Result<PathBuf, HarnessError> {
    let exe = std::env::current_exe()
        .map_err(|e| HarnessError::io("finding the test executable's path", e))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| HarnessError::Missing {
            what: "the target directory",
            path: exe.clone(),
            hint: "set REDRESS_BIN to the redress binary",
        })?;
    Ok(profile_dir.join("redress"))
}

/// A running `redress serve`; dropping it stops the server and deletes its database.
#[derive(Debug)]
pub struct RedressServer {
    addr: SocketAddr,
    binary: PathBuf,
    database_url: String,
    admin_email: String,
    admin_password: String,
    child: ChildGuard,
    // Declared last: the directory outlives the process that writes into it.
    dir: TempDir,
}

impl RedressServer {
    /// Starts the server on a free loopback port, in a fresh temporary directory holding its
    /// SQLite database, and waits until `/healthz` answers 200.
    pub fn start(config: &ServerConfig) -> Result<Self, HarnessError> {
        let dir = tempfile::Builder::new()
            .prefix("redress-e2e-server.")
            .tempdir()
            .map_err(|e| HarnessError::io("creating the server's temporary directory", e))?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
        let database_url = format!("sqlite://{}", dir.path().join("redress.db").display());
        let mut command = Command::new(&config.binary);
        command
            .arg("serve")
            .current_dir(dir.path())
            .env(TEST_CLOCK_ENV, dir.path().join(CLOCK_FILE))
            .env("REDRESS_DATA_DIR", dir.path().join("data"))
            .env("LEPTOS_SITE_ROOT", &config.site_root)
            .env("REDRESS_ADDR", addr.to_string())
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_OUTPUT_NAME", "redress")
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("DATABASE_URL", &database_url)
            .env("REDRESS_ADMIN_EMAIL", &config.admin_email)
            .env("REDRESS_ADMIN_PASSWORD", &config.admin_password)
            .env("REDRESS_LOG", "info");
        let mut child = ChildGuard::spawn(command, &dir.path().join("server.log"))?;
        wait_healthy(&mut child, addr, config.ready_timeout)?;
        check_bundle_served(addr)?;
        Ok(Self {
            addr,
            binary: config.binary.clone(),
            database_url,
            admin_email: config.admin_email.clone(),
            admin_password: config.admin_password.clone(),
            child,
            dir,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The absolute URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The first admin's email.
    pub fn admin_email(&self) -> &str {
        &self.admin_email
    }

    /// The first admin's password.
    pub fn admin_password(&self) -> &str {
        &self.admin_password
    }

    /// The temporary directory holding the database and the server's log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sets the server's clock (through `REDRESS_TEST_CLOCK_FILE`) to `rfc3339`, e.g.
    /// `2031-01-01T00:00:00Z`; every later store operation sees that time.
    pub fn set_clock(&self, rfc3339: &str) -> Result<(), HarnessError> {
        let path = self.dir.path().join(CLOCK_FILE);
        std::fs::write(&path, rfc3339)
            .map_err(|e| HarnessError::io("writing the test clock file", e))
    }

    /// Runs `redress ARGS…` against this server's database, data directory and clock, and
    /// returns what it printed.
    pub fn run_command(&self, args: &[&str]) -> Result<String, HarnessError> {
        let output = Command::new(&self.binary)
            .args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env(TEST_CLOCK_ENV, self.dir.path().join(CLOCK_FILE))
            .env("REDRESS_DATA_DIR", self.dir.path().join("data"))
            .env("REDRESS_LOG", "warn")
            .output()
            .map_err(|source| HarnessError::Spawn {
                program: self.binary.display().to_string(),
                source,
            })?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.success() {
            Ok(text)
        } else {
            Err(HarnessError::CommandFailed {
                command: args.join(" "),
                status: output.status,
                output: text,
            })
        }
    }

    /// The last `lines` lines the server printed.
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(self.child.log(), lines)
    }
}

impl Drop for RedressServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- redress server log (last 40 lines) ---\n{}\n---",
                self.log_tail(40)
            );
        }
    }
}

fn wait_healthy(
    child: &mut ChildGuard,
    addr: SocketAddr,
    timeout: Duration,
) -> Result<(), HarnessError> {
    let start = Instant::now();
    loop {
        child.check_running()?;
        if let Ok(response) = http_get(addr, "/healthz")
            && response.status == 200
        {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(HarnessError::NotReady {
                what: format!("redress on http://{addr}/healthz"),
                seconds: timeout.as_secs(),
                log: child.log().to_path_buf(),
                tail: log_tail(child.log(), 30),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Fails when the first page (after at most one redirect) references a wasm file the server
/// does not serve, which means the binary and the site come from different builds.
fn check_bundle_served(addr: SocketAddr) -> Result<(), HarnessError> {
    let mut page = "/".to_owned();
    let mut response = http_get(addr, &page)?;
    if (300..400).contains(&response.status)
        && let Some(location) = response.header("location").filter(|l| l.starts_with('/'))
    {
        page = location.to_owned();
        response = http_get(addr, &page)?;
    }
    let Some(wasm) = wasm_reference(&response.body) else {
        // A page without hydration (an error page, say) is for the tests to judge.
        return Ok(());
    };
    let status = http_head(addr, &wasm)?.status;
    if status == 200 {
        Ok(())
    } else {
        Err(HarnessError::BundleMismatch { page, wasm, status })
    }
}

/// The path of the first `.wasm` file an HTML page references in an attribute.
fn wasm_reference(html: &str) -> Option<String> {
    let end = html.find(".wasm\"")? + ".wasm".len();
    let start = html[..end].rfind('"')? + 1;
    let path = &html[start..end];
    path.starts_with('/').then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_wasm_preload() {
        let html = r#"<link rel="modulepreload" href="/pkg/redress.js"><link rel="preload" href="/pkg/redress_bg.wasm" as="fetch">"#;
        assert_eq!(
            wasm_reference(html).as_deref(),
            Some("/pkg/redress_bg.wasm")
        );
    }

    #[test]
    fn a_page_without_wasm_has_no_reference() {
        assert_eq!(wasm_reference("<p>Page not found.</p>"), None);
        assert_eq!(wasm_reference(r#"<a href="https://x/y.wasm">"#), None);
    }
}
