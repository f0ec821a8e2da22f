//! Findings: importing a scanner's file (one transaction), the import history, and the
//! findings list and detail the pages show.
//!
//! # What this module owns
//!
//! The `sources`, `imports` and `findings` tables (migration `m0002_findings`). A source
//! is a tool plus a scope: cloud findings are scoped by provider, account and region,
//! IaC findings by the repository the caller names. Fingerprints are unique per source.
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
