//! Running the `git` binary: no shell, a clean environment, bounded and redacted errors.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::ForgeError;

/// Longest standard-error excerpt kept in an error.
const MAX_STDERR_CHARS: usize = 2_000;

/// Environment variables that would redirect git away from the repository we name.
const INHERITED_GIT_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "GIT_TRACE",
    "GIT_TRACE_CURL",
    "GIT_TRACE_PACKET",
];

/// What a finished git process produced.
pub(crate) struct Output {
    pub(crate) success: bool,
    pub(crate) status: i32,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
}

/// One git invocation, built argument by argument.
pub(crate) struct Git<'a> {
    repo: &'a Path,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    stdin: Option<&'a [u8]>,
    secrets: Vec<String>,
}

impl<'a> Git<'a> {
    /// A command that runs inside `repo` (`git -C repo …`).
    pub(crate) fn new(repo: &'a Path) -> Git<'a> {
        Git {
            repo,
            args: Vec::new(),
            envs: Vec::new(),
            stdin: None,
            secrets: Vec::new(),
        }
    }

    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    pub(crate) fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    pub(crate) fn stdin(mut self, input: &'a [u8]) -> Self {
        self.stdin = Some(input);
        self
    }

    /// A string that must never appear in an error (it is replaced by `***`).
    pub(crate) fn secret(mut self, secret: &str) -> Self {
        if !secret.is_empty() {
            self.secrets.push(secret.to_owned());
        }
        self
    }

    fn command_line(&self) -> String {
        self.args
            .iter()
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "***");
        }
        text
    }

    /// Runs the command; a failure exit status is returned, not turned into an error.
    pub(crate) fn output(self) -> Result<Output, ForgeError> {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(self.repo)
            .args(["-c", "core.fsmonitor=false"])
            .args(&self.args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for variable in INHERITED_GIT_VARIABLES {
            command.env_remove(variable);
        }
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        let spawn_error = |source| ForgeError::Spawn {
            repo: self.repo.to_path_buf(),
            command: self.command_line(),
            source,
        };
        let mut child = command.spawn().map_err(spawn_error)?;
        let output = std::thread::scope(|scope| {
            if let (Some(input), Some(mut pipe)) = (self.stdin, child.stdin.take()) {
                // Written from a thread so a large input cannot deadlock against stdout.
                scope.spawn(move || {
                    let _ignored_broken_pipe = pipe.write_all(input);
                });
            }
            child.wait_with_output()
        })
        .map_err(spawn_error)?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut stderr = self.redact(stderr.trim());
        if stderr.chars().count() > MAX_STDERR_CHARS {
            stderr = stderr.chars().take(MAX_STDERR_CHARS).collect::<String>() + "…";
        }
        Ok(Output {
            success: output.status.success(),
            status: output.status.code().unwrap_or(-1),
            stdout: output.stdout,
            stderr,
        })
    }

    /// Runs the command and returns its standard output, or [`ForgeError::Git`].
    pub(crate) fn run(self) -> Result<Vec<u8>, ForgeError> {
        let repo: PathBuf = self.repo.to_path_buf();
        let command = self.redact(&self.command_line());
        let output = self.output()?;
        if output.success {
            Ok(output.stdout)
        } else {
            Err(ForgeError::Git {
                repo,
                command,
                status: output.status,
                stderr: output.stderr,
            })
        }
    }

    /// Runs the command and returns its standard output as one trimmed line.
    pub(crate) fn run_line(self) -> Result<String, ForgeError> {
        let stdout = self.run()?;
        Ok(String::from_utf8_lossy(&stdout).trim().to_owned())
    }
}
