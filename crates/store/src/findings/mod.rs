//! Findings: importing a scanner's file (one transaction), the import history, and the
//! findings list and detail the pages show.
//!
//! # What this module owns
//!
//! The `sources`, `imports` and `findings` tables (migration `m0002_findings`; the
//! findings indexes as `m0004_findings_lean` left them). A source is a tool plus a scope:
//! cloud findings are scoped by provider, account and region, IaC findings by the
//! repository the caller names. Fingerprints are unique per source.
//!
//! Every index of `findings` costs every import: it has the unique `(source_id,
//! fingerprint)` (dedupe), `correlation_key` (a finding's related findings), and one index
//! per order of the list: `idx_findings_list` (severity rank, id, then every filter
//! column, so filters and counts read that index and never the wide rows), title, rule,
//! last seen and first seen. A new query of the list should be served by these (the plan
//! test in `query.rs` checks the list's); closing on a full import needs none (the writer
//! knows which findings it did not see).
//!
//! # Public API
//!
//! * [`Store::import_findings`](crate::Store::import_findings)`(reader, ImportRequest)`
//!   → `ImportSummary` (new/updated/closed/unchanged/skipped + skip reasons), or
//!   `StoreError::Import` after a rollback, recorded as a failed import.
//!   [`Store::import_findings_with`](crate::Store::import_findings_with) takes another
//!   `PolicyMapper`; the default is [`CatalogMapper`] (the policy crate's equivalents).
//! * `list_imports(page, per_page)`, `get_import(id)`, `list_findings(&FindingQuery)`,
//!   `finding_detail(id)` (with correlated findings), `finding_facets()`,
//!   `count_findings_by_status()`.
mod convert;
mod import;
mod mapper;
mod query;
mod row;
mod writer;

pub use import::{DEFAULT_MAX_IMPORT_BYTES, ImportRequest};
pub use mapper::CatalogMapper;
