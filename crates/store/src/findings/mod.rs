//! Findings: importing a scanner's file (one transaction), the import history, and the
//! findings list and detail the pages show.
mod convert;
mod import;
mod mapper;
mod query;

pub use import::{DEFAULT_MAX_IMPORT_BYTES, ImportRequest};
pub use mapper::CatalogMapper;
