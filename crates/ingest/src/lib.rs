//! Findings import: format detection, one parser per format, normalization and fingerprints.
//!
//! # What this crate owns
//!
//! `redress-ingest` turns a findings file from a cloud-security or IaC scanner into
//! normalized, fingerprinted [`Finding`]s. It knows nothing of databases or the web: the
//! store wraps [`parse`] in one transaction, dedupes by [`Fingerprint`], closes absent
//! findings of a full import inside its [`Scope`], and links findings across scanners
//! through a [`PolicyMapper`].
//!
//! # Public API
//!
//! * [`detect`]`(head)` picks the [`Format`] from the first bytes (content only, never a
//!   file name); [`DetectError`] lists every format tried.
//! * [`parse`]`(reader, format, limits, sink)` streams findings into `sink` one at a time
//!   (a 300 MB export needs memory for one record, not the file) and returns a
//!   [`ParseSummary`] with counts, the [`Scope`]s seen and every [`Skip`] with its reason.
//!   [`parse_to_vec`] collects instead, for small files and tests.
//! * Errors ([`IngestError`], [`RecordError`]) name the format, the record position and
//!   the field: `asff: record 17 (Findings[16]): field "Resources": expected an array`.
//! * [`fingerprint`] documents the fingerprint rule per format; [`mapper`] holds the
//!   correlation hook and [`SmallTableMapper`].
#![warn(missing_docs)]

mod detect;
mod error;
mod finding;
pub mod fingerprint;
mod format;
mod formats;
mod jsonscan;
mod jsonstream;
pub mod mapper;
mod parse;
mod record;

pub use detect::{DETECT_HEAD_BYTES, detect};
pub use error::{DetectError, IngestError, Position, RecordError, UnknownFormat};
pub use finding::{CloudProvider, Finding, Severity, SourceTool, Status};
pub use fingerprint::Fingerprint;
pub use format::{Format, Scope};
pub use mapper::{PolicyMapper, SmallTableMapper};
pub use parse::{Limits, ParseSummary, SinkError, Skip, parse, parse_to_vec};
