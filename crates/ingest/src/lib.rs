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
//!
//! # Formats and statuses
//!
//! [`Format`] lists the fifteen formats with their stable names. Each parser module
//! documents its field mapping, its status rule and its fingerprint key. Non-failing
//! states never count as open: PASS/PASSED/COMPLIANT/INFO/RESOLVED/ARCHIVED become
//! [`Status::Closed`], and muted/SUPPRESSED/IGNORED/REJECTED/skipped/EXCEPTION become
//! [`Status::Suppressed`], each with the tool's word in `status_reason`. Records that are
//! not findings of this kind (Trivy vulnerabilities and secrets, Wiz vulnerability export
//! rows) are [`Skip`]s with a reason.
//!
//! # Streaming and bounds
//!
//! JSON is cut into records by a small byte scanner and each record is parsed from a
//! slice; everything outside the records is skipped without being built. CSV goes
//! through the `csv` crate's reader row by row. The whole input is bounded by
//! [`Limits::max_bytes`] (1 GiB by default), one record by 64 MiB, one text field by
//! 64 KiB. Nothing in a finding is trusted: `file` is the scanner's string, never a path
//! this crate opens.
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
pub use parse::{Limits, MAX_LISTED_SKIPS, ParseSummary, SinkError, Skip, parse, parse_to_vec};
