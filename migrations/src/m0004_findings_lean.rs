//! Findings written faster (issue 4: the first 100k-finding import within 5 s) with the
//! Findings page still served by indexes.
//!
//! * Seven of the ten secondary indexes of `findings` from m0002 go. One covering index,
//!   `idx_findings_list` (severity rank, id, then every filter column), serves the default
//!   order with any filter, every filtered count and the filter menus without reading the
//!   wide rows; `idx_findings_title` and `idx_findings_rule` join `last_seen` and
//!   `first_seen` so every sort of the page walks an index. The per-filter indexes, the
//!   status-first default-order index and `(source_id, status, last_import_id)` (full
//!   imports now close the absent findings they read by id) are dropped. What stays:
//!   the unique `(source_id, fingerprint)`, `correlation_key`, `last_seen`, `first_seen`.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Findings {
    Table,
    Id,
    Status,
    SeverityRank,
    SourceTool,
    Account,
    ResourceType,
    PolicyId,
    Title,
    RuleId,
}

/// The m0002 indexes this migration drops.
const DROPPED: [&str; 7] = [
    "idx_findings_status_severity",
    "idx_findings_severity",
    "idx_findings_source_status",
    "idx_findings_tool",
    "idx_findings_account",
    "idx_findings_resource_type",
    "idx_findings_policy",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in DROPPED {
            manager
                .drop_index(Index::drop().name(name).table(Findings::Table).to_owned())
                .await?;
        }
        use Findings as F;
        let indexes: [(&str, &[F]); 3] = [
            (
                "idx_findings_list",
                &[
                    F::SeverityRank,
                    F::Id,
                    F::Status,
                    F::SourceTool,
                    F::Account,
                    F::ResourceType,
                    F::PolicyId,
                ],
            ),
            ("idx_findings_title", &[F::Title, F::Id]),
            ("idx_findings_rule", &[F::RuleId, F::Id]),
        ];
        for (name, cols) in indexes {
            let mut index = Index::create();
            index.name(name).table(F::Table);
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index).await?;
        }

        Ok(())
    }
}
