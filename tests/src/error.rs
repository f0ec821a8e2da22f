//! The harness's error type.

use std::path::PathBuf;

/// Why the harness could not start or drive something.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A program or file the tests need is not there.
    #[error("{what} not found at {path}: {hint}")]
    Missing {
        /// What is missing, e.g. "chromedriver".
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
        /// How to get it.
        hint: &'static str,
    },
    /// A child process could not be started.
    #[error("could not start {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A child process exited while the harness was waiting for it to become ready.
    #[error("{program} exited early ({status}); last lines of its log {log}:\n{tail}")]
    ExitedEarly {
        /// The program.
        program: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// Its log file.
        log: PathBuf,
        /// The end of its log.
        tail: String,
    },
    /// A `redress` command run by a test failed.
    #[error("`redress {command}` failed ({status}):\n{output}")]
    CommandFailed {
        /// The arguments.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed (standard output, then standard error).
        output: String,
    },
    /// A child process did not become ready in time.
    #[error("{what} was not ready after {seconds} s; last lines of {log}:\n{tail}")]
    NotReady {
        /// What was waited for, e.g. "redress /healthz".
        what: String,
        /// How long the harness waited.
        seconds: u64,
        /// The log file of the process.
        log: PathBuf,
        /// The end of that log.
        tail: String,
    },
    /// The page the server renders loads a wasm bundle the site does not have: the server
    /// binary and `target/site` come from different builds.
    #[error(
        "{page} loads {wasm}, which answers {status}: the server binary and the site come from \
         different builds (rebuild both with `cargo leptos build`; a plain `cargo build` of the \
         server expects `<name>_bg.wasm`)"
    )]
    BundleMismatch {
        /// The page that was rendered.
        page: String,
        /// The wasm path it references.
        wasm: String,
        /// The status the server gave for that path.
        status: u16,
    },
    /// A local file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What the harness was doing.
        context: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// An HTTP response could not be read.
    #[error("bad HTTP response from {url}: {reason}")]
    Http {
        /// The URL requested.
        url: String,
        /// What was wrong with the response.
        reason: String,
    },
    /// The WebDriver session could not be created.
    #[error("could not open a WebDriver session on {url}: {source}")]
    Session {
        /// The chromedriver URL.
        url: String,
        /// fantoccini's reason.
        source: Box<fantoccini::error::NewSessionError>,
    },
    /// A WebDriver command failed.
    #[error("WebDriver command failed while {context}: {source}")]
    Command {
        /// What the test was doing.
        context: String,
        /// fantoccini's reason.
        source: Box<fantoccini::error::CmdError>,
    },
}

impl HarnessError {
    /// Wraps an I/O error with what the harness was doing.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
