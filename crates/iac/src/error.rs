//! Errors of the Terraform index, state reader and evaluator.

use std::path::PathBuf;

/// Everything that can go wrong while indexing a repository or reading a state.
///
/// Syntax errors inside `.tf` files are *not* errors of this type: they are
/// recorded per file in [`crate::File::errors`] and the rest of the repository
/// is still indexed.
#[derive(Debug, thiserror::Error)]
pub enum IacError {
    /// The repository root does not exist or is not a directory.
    #[error("repository root {path} is not a readable directory: {source}")]
    Root {
        /// The root that was given.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A directory or file inside the repository could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The tree-sitter HCL grammar could not be loaded (version mismatch).
    #[error("cannot load the HCL grammar: {0}")]
    Grammar(String),
    /// A state or plan file is not valid JSON or not of the expected shape.
    #[error("state {file}: {message}")]
    State {
        /// The state file (as given by the caller).
        file: String,
        /// What was wrong, with the JSON line/column when known.
        message: String,
    },
    /// A state file was too large to read.
    #[error("state {file} is {size} bytes, more than the limit of {limit} bytes")]
    StateTooLarge {
        /// The state file.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A highlight query failed to compile (a bug in the bundled query).
    #[error("cannot build the HCL highlighter: {0}")]
    Highlight(String),
}
