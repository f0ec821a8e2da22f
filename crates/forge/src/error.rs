//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong while reading or changing a repository.
///
/// Every variant names the repository it concerns; variants about a file also name the
/// repository-relative path, and a failed git command carries its arguments and its trimmed
/// standard error (with any access token redacted).
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    /// The `git` binary could not be started at all.
    #[error("could not run `git {command}` for {repo}: {source}")]
    Spawn {
        /// Repository the command was meant for.
        repo: PathBuf,
        /// The git arguments, joined by spaces.
        command: String,
        /// Why the process could not start.
        source: std::io::Error,
    },
    /// A git command ran and exited with a failure status.
    #[error("`git {command}` failed in {repo} (exit {status}): {stderr}")]
    Git {
        /// Repository the command ran in.
        repo: PathBuf,
        /// The git arguments, joined by spaces.
        command: String,
        /// Exit code, or -1 when killed by a signal.
        status: i32,
        /// Standard error, trimmed, shortened and with secrets redacted.
        stderr: String,
    },
    /// The given path is not a directory.
    #[error("{repo} is not a directory")]
    NotADirectory {
        /// The path given.
        repo: PathBuf,
    },
    /// The given directory is not inside a git work tree.
    #[error("{repo} is not a git work tree: {reason}")]
    NotAWorkTree {
        /// The path given.
        repo: PathBuf,
        /// What git said.
        reason: String,
    },
    /// The repository has no commit yet, so HEAD cannot be resolved.
    #[error("{repo} has no commits yet (HEAD does not resolve)")]
    NoCommits {
        /// The repository.
        repo: PathBuf,
    },
    /// A repository-relative path was malformed or tried to leave the repository.
    #[error("path {path:?} in {repo} is not allowed: {reason}")]
    InvalidPath {
        /// The repository.
        repo: PathBuf,
        /// The path as given.
        path: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A symbolic link points outside the repository root (or loops).
    #[error("{path:?} in {repo} is a symbolic link that leads outside the repository")]
    SymlinkOutsideRoot {
        /// The repository.
        repo: PathBuf,
        /// The link's repository-relative path.
        path: String,
    },
    /// The path names nothing in the requested revision or work tree.
    #[error("{path:?} does not exist in {repo} at {revision}")]
    NotFound {
        /// The repository.
        repo: PathBuf,
        /// The repository-relative path.
        path: String,
        /// The revision, or `work tree`.
        revision: String,
    },
    /// The path names a directory, submodule or other non-regular file.
    #[error("{path:?} in {repo} is not a regular file ({kind})")]
    NotAFile {
        /// The repository.
        repo: PathBuf,
        /// The repository-relative path.
        path: String,
        /// What it is instead.
        kind: String,
    },
    /// The file is larger than the configured bound.
    #[error("{path:?} in {repo} is {size} bytes, over the {limit}-byte limit")]
    FileTooLarge {
        /// The repository.
        repo: PathBuf,
        /// The repository-relative path.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// The bound in bytes.
        limit: u64,
    },
    /// Reading or writing a local file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A revision string was refused before reaching git.
    #[error("revision {revision:?} for {repo} is not allowed: {reason}")]
    InvalidRevision {
        /// The repository.
        repo: PathBuf,
        /// The revision as given.
        revision: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A branch name is not a valid git branch name.
    #[error("{name:?} is not a valid branch name for {repo}")]
    InvalidBranchName {
        /// The repository.
        repo: PathBuf,
        /// The name as given.
        name: String,
    },
    /// The branch to create already exists.
    #[error("branch {name:?} already exists in {repo}")]
    BranchExists {
        /// The repository.
        repo: PathBuf,
        /// The branch name.
        name: String,
    },
    /// A set of edits leaves the tree unchanged.
    #[error("the edits change nothing in {repo} relative to {base}")]
    NothingToCommit {
        /// The repository.
        repo: PathBuf,
        /// The base revision.
        base: String,
    },
    /// A remote repository description was refused.
    #[error("remote repository {remote:?} is not allowed: {reason}")]
    InvalidRemote {
        /// The remote as the user described it (never includes a token).
        remote: String,
        /// Why it was refused.
        reason: String,
    },
    /// Git printed something this crate could not understand.
    #[error("unexpected output from `git {command}` in {repo}: {detail}")]
    UnexpectedOutput {
        /// The repository.
        repo: PathBuf,
        /// The git arguments.
        command: String,
        /// What was wrong.
        detail: String,
    },
}
