//! The database schema, as sea-orm migrations run in order.
//!
//! Every migration runs inside a transaction on every backend (SQLite included), so a failed
//! migration leaves the schema as it was. Add a migration as a new `mNNNN_name.rs` module and
//! append it to [`Migrator::migrations`]; never edit one that has shipped.

#![expect(
    elided_lifetimes_in_paths,
    reason = "MigrationTrait::up is declared with an elided `&SchemaManager`; async_trait needs the same form"
)]

pub use sea_orm_migration::prelude::*;

mod m0001_accounts;
mod m0002_findings;
mod m0003_workflow;
mod m0004_findings_lean;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts::Migration),
            Box::new(m0002_findings::Migration),
            Box::new(m0003_workflow::Migration),
            Box::new(m0004_findings_lean::Migration),
        ]
    }
}
