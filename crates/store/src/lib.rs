//! Storage: sea-orm entities and queries, transactions, and the domain operations the app calls.
//!
//! The store owns the database. Callers get a [`Store`] from [`Store::connect`] (which runs the
//! migrations), then call one operation per user action: each operation is one transaction and
//! returns plain types from `redress-types`, never sea-orm entities. Errors are [`StoreError`];
//! the app maps them to HTTP statuses and messages in one place.
//!
//! The workflow of issue 6 (audit log, teams, repositories, campaigns, work items, fix
//! proposals, exceptions) lives in the `workflow` module: its module documentation lists the
//! operations. Every one of them takes the acting user and writes its audit event in its own
//! transaction; the `audit_events` table is append-only at the database level.
#![warn(missing_docs)]

mod api_tokens;
mod db;
mod demo;
mod entities;
mod error;
mod findings;
pub mod password;
mod sessions;
#[cfg(feature = "test-support")]
pub mod testing;
mod users;
mod workflow;

pub use api_tokens::{CreatedToken, TOKEN_PREFIX};
pub use db::Store;
pub use demo::{DEMO_CAMPAIGNS, DEMO_PASSWORD, DEMO_REPOSITORY, DemoSummary, DemoUser};
pub use error::StoreError;
pub use findings::{CatalogMapper, DEFAULT_MAX_IMPORT_BYTES, ImportRequest};
pub use sessions::StoredSession;
pub use users::{FirstAdmin, NewUser};
pub use workflow::*;

/// The clock used by store operations; injectable so tests can move time.
pub type Clock = std::sync::Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// The real wall clock.
pub fn system_clock() -> Clock {
    std::sync::Arc::new(chrono::Utc::now)
}
