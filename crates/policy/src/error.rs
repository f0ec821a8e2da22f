//! Errors of the policy crate.

/// Everything that can go wrong while loading policies, scanning or fixing.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A policy file is not valid.
    #[error("policy file {source_name}: {message}")]
    Catalog {
        /// The file (or built-in name) that failed.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A path given by the caller is outside the repository root or otherwise unusable.
    #[error("path {path}: {message}")]
    Path {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The repository could not be indexed (its root is unreadable).
    #[error("{0}")]
    Index(#[from] redress_iac::IacError),
    /// The policy id is not in the catalog.
    #[error("unknown policy {0}")]
    UnknownPolicy(String),
    /// No resource instance has this address.
    #[error("no resource {address} in the repository")]
    UnknownAddress {
        /// The address that was asked for.
        address: String,
    },
}
