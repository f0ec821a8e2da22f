//! Findings import: sources (tool + scope), imports (the history) and findings.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sources {
    Table,
    Id,
    Tool,
    ScopeKey,
    ScopeLabel,
    Account,
    Region,
    Repository,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Imports {
    Table,
    Id,
    UserId,
    StartedAt,
    FinishedAt,
    FileName,
    Format,
    Full,
    Repository,
    Status,
    Bytes,
    Records,
    NewCount,
    UpdatedCount,
    ClosedCount,
    UnchangedCount,
    SkippedCount,
    Skips,
    Error,
}

#[derive(DeriveIden, Clone, Copy)]
enum Findings {
    Table,
    Id,
    SourceId,
    Fingerprint,
    SourceTool,
    SourceFindingId,
    RuleId,
    Title,
    Description,
    Severity,
    SeverityRank,
    SeverityOriginal,
    Status,
    StatusReason,
    CloudProvider,
    Account,
    Region,
    ResourceType,
    ResourceIds,
    PrimaryResource,
    File,
    StartLine,
    EndLine,
    ToolFirstSeen,
    ToolLastSeen,
    FirstSeen,
    LastSeen,
    ClosedAt,
    Remediation,
    RemediationUrl,
    Tags,
    Raw,
    PolicyId,
    CorrelationKey,
    ContentHash,
    FirstImportId,
    LastImportId,
}

/// An index on `table` over `cols`, named after them.
fn index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static>(
    name: &str,
    table: T,
    cols: &[C],
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(*col);
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .col(
                        ColumnDef::new(Sources::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sources::Tool).string().not_null())
                    .col(ColumnDef::new(Sources::ScopeKey).text().not_null())
                    .col(ColumnDef::new(Sources::ScopeLabel).text().not_null())
                    .col(ColumnDef::new(Sources::Account).text().null())
                    .col(ColumnDef::new(Sources::Region).text().null())
                    .col(ColumnDef::new(Sources::Repository).text().null())
                    .col(
                        ColumnDef::new(Sources::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sources_tool_scope")
                    .table(Sources::Table)
                    .col(Sources::Tool)
                    .col(Sources::ScopeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Imports::Table)
                    .col(
                        ColumnDef::new(Imports::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Imports::UserId).big_integer().null())
                    .col(
                        ColumnDef::new(Imports::StartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Imports::FinishedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Imports::FileName).text().not_null())
                    .col(ColumnDef::new(Imports::Format).string().null())
                    .col(ColumnDef::new(Imports::Full).boolean().not_null())
                    .col(ColumnDef::new(Imports::Repository).text().null())
                    .col(ColumnDef::new(Imports::Status).string().not_null())
                    .col(ColumnDef::new(Imports::Bytes).big_integer().not_null())
                    .col(ColumnDef::new(Imports::Records).big_integer().not_null())
                    .col(ColumnDef::new(Imports::NewCount).big_integer().not_null())
                    .col(
                        ColumnDef::new(Imports::UpdatedCount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Imports::ClosedCount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Imports::UnchangedCount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Imports::SkippedCount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Imports::Skips).text().not_null())
                    .col(ColumnDef::new(Imports::Error).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Imports::Table, Imports::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_imports_started_at",
                Imports::Table,
                &[Imports::StartedAt],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Findings::Table)
                    .col(
                        ColumnDef::new(Findings::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Findings::SourceId).big_integer().not_null())
                    .col(ColumnDef::new(Findings::Fingerprint).string().not_null())
                    .col(ColumnDef::new(Findings::SourceTool).string().not_null())
                    .col(ColumnDef::new(Findings::SourceFindingId).text().null())
                    .col(ColumnDef::new(Findings::RuleId).text().not_null())
                    .col(ColumnDef::new(Findings::Title).text().not_null())
                    .col(ColumnDef::new(Findings::Description).text().not_null())
                    .col(ColumnDef::new(Findings::Severity).string().not_null())
                    .col(
                        ColumnDef::new(Findings::SeverityRank)
                            .small_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Findings::SeverityOriginal).text().not_null())
                    .col(ColumnDef::new(Findings::Status).string().not_null())
                    .col(ColumnDef::new(Findings::StatusReason).text().null())
                    .col(ColumnDef::new(Findings::CloudProvider).string().null())
                    .col(ColumnDef::new(Findings::Account).text().null())
                    .col(ColumnDef::new(Findings::Region).text().null())
                    .col(ColumnDef::new(Findings::ResourceType).text().null())
                    .col(ColumnDef::new(Findings::ResourceIds).text().not_null())
                    .col(ColumnDef::new(Findings::PrimaryResource).text().null())
                    .col(ColumnDef::new(Findings::File).text().null())
                    .col(ColumnDef::new(Findings::StartLine).integer().null())
                    .col(ColumnDef::new(Findings::EndLine).integer().null())
                    .col(
                        ColumnDef::new(Findings::ToolFirstSeen)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Findings::ToolLastSeen)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Findings::FirstSeen)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Findings::LastSeen)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Findings::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Findings::Remediation).text().null())
                    .col(ColumnDef::new(Findings::RemediationUrl).text().null())
                    .col(ColumnDef::new(Findings::Tags).text().not_null())
                    .col(ColumnDef::new(Findings::Raw).text().not_null())
                    .col(ColumnDef::new(Findings::PolicyId).text().null())
                    .col(ColumnDef::new(Findings::CorrelationKey).string().not_null())
                    .col(ColumnDef::new(Findings::ContentHash).string().not_null())
                    .col(
                        ColumnDef::new(Findings::FirstImportId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Findings::LastImportId)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Findings::Table, Findings::SourceId)
                            .to(Sources::Table, Sources::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Dedupe: one row per fingerprint per source.
        manager
            .create_index(
                Index::create()
                    .name("ux_findings_source_fingerprint")
                    .table(Findings::Table)
                    .col(Findings::SourceId)
                    .col(Findings::Fingerprint)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The Findings page: default order (severity, then newest id) with and without a
        // status filter, and one index per filter column so filtered counts stay cheap.
        use Findings as F;
        let indexes: [(&str, &[F]); 10] = [
            (
                "idx_findings_status_severity",
                &[F::Status, F::SeverityRank, F::Id],
            ),
            ("idx_findings_severity", &[F::SeverityRank, F::Id]),
            (
                "idx_findings_source_status",
                &[F::SourceId, F::Status, F::LastImportId],
            ),
            ("idx_findings_tool", &[F::SourceTool, F::Status]),
            ("idx_findings_account", &[F::Account, F::Status]),
            ("idx_findings_resource_type", &[F::ResourceType, F::Status]),
            ("idx_findings_policy", &[F::PolicyId, F::Status]),
            ("idx_findings_correlation", &[F::CorrelationKey]),
            ("idx_findings_last_seen", &[F::LastSeen, F::Id]),
            ("idx_findings_first_seen", &[F::FirstSeen, F::Id]),
        ];
        for (name, cols) in indexes {
            manager.create_index(index(name, F::Table, cols)).await?;
        }
        Ok(())
    }
}
