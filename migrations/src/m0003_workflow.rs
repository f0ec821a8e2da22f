//! The workflow: audit log (append-only, enforced by triggers), teams, repositories with their
//! root modules and index results, campaigns, work items with their findings and blast radius,
//! fix proposals and exceptions.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Findings {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorId,
    Actor,
    Action,
    ObjectType,
    ObjectId,
    CampaignId,
    WorkItemId,
    Before,
    After,
}

#[derive(DeriveIden, Clone, Copy)]
enum Teams {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TeamMembers {
    Table,
    TeamId,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Repositories {
    Table,
    Id,
    Name,
    Kind,
    LocalPath,
    Remote,
    DefaultBranch,
    Token,
    CreatedAt,
    IndexedAt,
    IndexFiles,
    IndexResources,
    IndexModules,
    IndexSkipped,
    IndexErrorCount,
    IndexFailure,
}

#[derive(DeriveIden, Clone, Copy)]
enum RepositoryRoots {
    Table,
    Id,
    RepositoryId,
    Path,
    StateKind,
    StateContent,
    StatePath,
}

#[derive(DeriveIden, Clone, Copy)]
enum RepositoryIndexErrors {
    Table,
    Id,
    RepositoryId,
    File,
    Line,
    Message,
}

#[derive(DeriveIden, Clone, Copy)]
enum Campaigns {
    Table,
    Id,
    Name,
    Description,
    OwnerId,
    StartDate,
    DueDate,
    Status,
    Source,
    RepositoryGlob,
    Accounts,
    Teams,
    MinSeverity,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WorkItems {
    Table,
    Id,
    CampaignId,
    RepositoryId,
    PolicyId,
    File,
    Line,
    Title,
    State,
    AssigneeUserId,
    AssigneeTeamId,
    ExceptedUntil,
    ExceptionId,
    WontFixReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WorkItemFindings {
    Table,
    WorkItemId,
    FindingId,
}

#[derive(DeriveIden, Clone, Copy)]
enum WorkItemInstances {
    Table,
    WorkItemId,
    Address,
}

#[derive(DeriveIden, Clone, Copy)]
enum FixProposals {
    Table,
    Id,
    WorkItemId,
    Patch,
    AuthorId,
    Verification,
    VerificationDetail,
    CreatedAt,
    ApprovedBy,
    ApprovedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Exceptions {
    Table,
    Id,
    WorkItemId,
    PolicyId,
    RepositoryId,
    PathGlob,
    Justification,
    ExpiresAt,
    Status,
    RequestedBy,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    DecisionNote,
}

fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn fk<T: IntoIden, C: IntoIden, R: IntoIden, RC: IntoIden>(
    table: T,
    col: C,
    to: R,
    to_col: RC,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(to, to_col)
        .on_delete(on_delete)
        .to_owned()
}

fn index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static>(
    name: &str,
    table: T,
    cols: &[C],
    unique: bool,
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(*col);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

/// Triggers that make `audit_events` append-only for every client, raw SQL included.
const SQLITE_AUDIT_TRIGGERS: &str = "
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: rows cannot be updated'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: rows cannot be deleted'); END;
";

const POSTGRES_AUDIT_TRIGGERS: &str = "
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: rows cannot be %', lower(TG_OP);
END;
$$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};
        // Audit log: no foreign keys, so deleting anything never touches it.
        use AuditEvents as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(id(A::Id))
                    .col(ColumnDef::new(A::At).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(A::ActorId).big_integer().null())
                    .col(ColumnDef::new(A::Actor).string().not_null())
                    .col(ColumnDef::new(A::Action).string().not_null())
                    .col(ColumnDef::new(A::ObjectType).string().not_null())
                    .col(ColumnDef::new(A::ObjectId).big_integer().null())
                    .col(ColumnDef::new(A::CampaignId).big_integer().null())
                    .col(ColumnDef::new(A::WorkItemId).big_integer().null())
                    .col(ColumnDef::new(A::Before).text().null())
                    .col(ColumnDef::new(A::After).text().null())
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_campaign", &[A::CampaignId, A::Id][..]),
            ("idx_audit_work_item", &[A::WorkItemId, A::Id]),
            ("idx_audit_actor", &[A::ActorId, A::Id]),
            ("idx_audit_object", &[A::ObjectType, A::ObjectId, A::Id]),
            ("idx_audit_action", &[A::Action, A::Id]),
            ("idx_audit_at", &[A::At]),
        ] {
            manager
                .create_index(index(name, A::Table, cols, false))
                .await?;
        }
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => db.execute_unprepared(POSTGRES_AUDIT_TRIGGERS).await?,
            _ => db.execute_unprepared(SQLITE_AUDIT_TRIGGERS).await?,
        };

        manager
            .create_table(
                Table::create()
                    .table(Teams::Table)
                    .col(id(Teams::Id))
                    .col(ColumnDef::new(Teams::Name).string().not_null().unique_key())
                    .col(
                        ColumnDef::new(Teams::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TeamMembers::Table)
                    .col(ColumnDef::new(TeamMembers::TeamId).big_integer().not_null())
                    .col(ColumnDef::new(TeamMembers::UserId).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(TeamMembers::TeamId)
                            .col(TeamMembers::UserId),
                    )
                    .foreign_key(&mut fk(
                        TeamMembers::Table,
                        TeamMembers::TeamId,
                        Teams::Table,
                        Teams::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        TeamMembers::Table,
                        TeamMembers::UserId,
                        Users::Table,
                        Users::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_team_members_user",
                TeamMembers::Table,
                &[TeamMembers::UserId],
                false,
            ))
            .await?;

        use Repositories as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(id(R::Id))
                    .col(ColumnDef::new(R::Name).string().not_null().unique_key())
                    .col(ColumnDef::new(R::Kind).string().not_null())
                    .col(ColumnDef::new(R::LocalPath).text().null())
                    .col(ColumnDef::new(R::Remote).string().null())
                    .col(ColumnDef::new(R::DefaultBranch).string().not_null())
                    .col(ColumnDef::new(R::Token).text().null())
                    .col(
                        ColumnDef::new(R::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(R::IndexedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(R::IndexFiles)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(R::IndexResources)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(R::IndexModules)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(R::IndexSkipped)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(R::IndexErrorCount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(R::IndexFailure).text().null())
                    .to_owned(),
            )
            .await?;
        use RepositoryRoots as RR;
        manager
            .create_table(
                Table::create()
                    .table(RR::Table)
                    .col(id(RR::Id))
                    .col(ColumnDef::new(RR::RepositoryId).big_integer().not_null())
                    .col(ColumnDef::new(RR::Path).text().not_null())
                    .col(ColumnDef::new(RR::StateKind).string().not_null())
                    .col(ColumnDef::new(RR::StateContent).text().null())
                    .col(ColumnDef::new(RR::StatePath).text().null())
                    .foreign_key(&mut fk(
                        RR::Table,
                        RR::RepositoryId,
                        R::Table,
                        R::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_repository_roots_path",
                RR::Table,
                &[RR::RepositoryId, RR::Path],
                true,
            ))
            .await?;
        use RepositoryIndexErrors as RE;
        manager
            .create_table(
                Table::create()
                    .table(RE::Table)
                    .col(id(RE::Id))
                    .col(ColumnDef::new(RE::RepositoryId).big_integer().not_null())
                    .col(ColumnDef::new(RE::File).text().not_null())
                    .col(ColumnDef::new(RE::Line).integer().not_null())
                    .col(ColumnDef::new(RE::Message).text().not_null())
                    .foreign_key(&mut fk(
                        RE::Table,
                        RE::RepositoryId,
                        R::Table,
                        R::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_repository_index_errors",
                RE::Table,
                &[RE::RepositoryId, RE::Id],
                false,
            ))
            .await?;

        use Campaigns as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(id(C::Id))
                    .col(ColumnDef::new(C::Name).string().not_null())
                    .col(ColumnDef::new(C::Description).text().not_null())
                    .col(ColumnDef::new(C::OwnerId).big_integer().not_null())
                    .col(ColumnDef::new(C::StartDate).date().not_null())
                    .col(ColumnDef::new(C::DueDate).date().not_null())
                    .col(ColumnDef::new(C::Status).string().not_null())
                    .col(ColumnDef::new(C::Source).text().not_null())
                    .col(ColumnDef::new(C::RepositoryGlob).string().null())
                    .col(ColumnDef::new(C::Accounts).text().not_null())
                    .col(ColumnDef::new(C::Teams).text().not_null())
                    .col(ColumnDef::new(C::MinSeverity).string().null())
                    .col(
                        ColumnDef::new(C::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(
                        C::Table,
                        C::OwnerId,
                        Users::Table,
                        Users::Id,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_campaigns_status",
                C::Table,
                &[C::Status, C::Id],
                false,
            ))
            .await?;

        use WorkItems as W;
        manager
            .create_table(
                Table::create()
                    .table(W::Table)
                    .col(id(W::Id))
                    .col(ColumnDef::new(W::CampaignId).big_integer().not_null())
                    .col(ColumnDef::new(W::RepositoryId).big_integer().not_null())
                    .col(ColumnDef::new(W::PolicyId).string().not_null())
                    .col(ColumnDef::new(W::File).text().not_null())
                    .col(ColumnDef::new(W::Line).integer().not_null())
                    .col(ColumnDef::new(W::Title).text().not_null())
                    .col(ColumnDef::new(W::State).string().not_null())
                    .col(ColumnDef::new(W::AssigneeUserId).big_integer().null())
                    .col(ColumnDef::new(W::AssigneeTeamId).big_integer().null())
                    .col(
                        ColumnDef::new(W::ExceptedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(W::ExceptionId).big_integer().null())
                    .col(ColumnDef::new(W::WontFixReason).text().null())
                    .col(
                        ColumnDef::new(W::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(W::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut fk(W::Table, W::CampaignId, C::Table, C::Id, Cascade))
                    .foreign_key(&mut fk(W::Table, W::RepositoryId, R::Table, R::Id, Cascade))
                    .foreign_key(&mut fk(
                        W::Table,
                        W::AssigneeUserId,
                        Users::Table,
                        Users::Id,
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        W::Table,
                        W::AssigneeTeamId,
                        Teams::Table,
                        Teams::Id,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One item per fix site per campaign.
        manager
            .create_index(index(
                "ux_work_items_fix_site",
                W::Table,
                &[
                    W::CampaignId,
                    W::RepositoryId,
                    W::PolicyId,
                    W::File,
                    W::Line,
                ],
                true,
            ))
            .await?;
        for (name, cols) in [
            (
                "idx_work_items_campaign_state",
                &[W::CampaignId, W::State][..],
            ),
            ("idx_work_items_user", &[W::AssigneeUserId, W::State]),
            ("idx_work_items_team", &[W::AssigneeTeamId, W::State]),
            ("idx_work_items_exception", &[W::ExceptionId]),
            (
                "idx_work_items_policy_repo",
                &[W::PolicyId, W::RepositoryId],
            ),
        ] {
            manager
                .create_index(index(name, W::Table, cols, false))
                .await?;
        }
        use WorkItemFindings as WF;
        manager
            .create_table(
                Table::create()
                    .table(WF::Table)
                    .col(ColumnDef::new(WF::WorkItemId).big_integer().not_null())
                    .col(ColumnDef::new(WF::FindingId).big_integer().not_null())
                    .primary_key(Index::create().col(WF::WorkItemId).col(WF::FindingId))
                    .foreign_key(&mut fk(WF::Table, WF::WorkItemId, W::Table, W::Id, Cascade))
                    .foreign_key(&mut fk(
                        WF::Table,
                        WF::FindingId,
                        Findings::Table,
                        Findings::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_work_item_findings_finding",
                WF::Table,
                &[WF::FindingId],
                false,
            ))
            .await?;
        use WorkItemInstances as WI;
        manager
            .create_table(
                Table::create()
                    .table(WI::Table)
                    .col(ColumnDef::new(WI::WorkItemId).big_integer().not_null())
                    .col(ColumnDef::new(WI::Address).string().not_null())
                    .primary_key(Index::create().col(WI::WorkItemId).col(WI::Address))
                    .foreign_key(&mut fk(WI::Table, WI::WorkItemId, W::Table, W::Id, Cascade))
                    .to_owned(),
            )
            .await?;

        use FixProposals as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(id(P::Id))
                    .col(ColumnDef::new(P::WorkItemId).big_integer().not_null())
                    .col(ColumnDef::new(P::Patch).text().not_null())
                    .col(ColumnDef::new(P::AuthorId).big_integer().not_null())
                    .col(ColumnDef::new(P::Verification).string().not_null())
                    .col(ColumnDef::new(P::VerificationDetail).text().null())
                    .col(
                        ColumnDef::new(P::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(P::ApprovedBy).big_integer().null())
                    .col(
                        ColumnDef::new(P::ApprovedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(P::Table, P::WorkItemId, W::Table, W::Id, Cascade))
                    .foreign_key(&mut fk(
                        P::Table,
                        P::AuthorId,
                        Users::Table,
                        Users::Id,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        P::Table,
                        P::ApprovedBy,
                        Users::Table,
                        Users::Id,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_fix_proposals_item",
                P::Table,
                &[P::WorkItemId, P::Id],
                false,
            ))
            .await?;

        use Exceptions as E;
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .col(id(E::Id))
                    .col(ColumnDef::new(E::WorkItemId).big_integer().null())
                    .col(ColumnDef::new(E::PolicyId).string().null())
                    .col(ColumnDef::new(E::RepositoryId).big_integer().null())
                    .col(ColumnDef::new(E::PathGlob).string().null())
                    .col(ColumnDef::new(E::Justification).text().not_null())
                    .col(
                        ColumnDef::new(E::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(E::Status).string().not_null())
                    .col(ColumnDef::new(E::RequestedBy).big_integer().not_null())
                    .col(
                        ColumnDef::new(E::RequestedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(E::DecidedBy).big_integer().null())
                    .col(
                        ColumnDef::new(E::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(E::DecisionNote).text().null())
                    .foreign_key(&mut fk(E::Table, E::WorkItemId, W::Table, W::Id, Cascade))
                    .foreign_key(&mut fk(E::Table, E::RepositoryId, R::Table, R::Id, Cascade))
                    .foreign_key(&mut fk(
                        E::Table,
                        E::RequestedBy,
                        Users::Table,
                        Users::Id,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        E::Table,
                        E::DecidedBy,
                        Users::Table,
                        Users::Id,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_exceptions_status_expiry",
                E::Table,
                &[E::Status, E::ExpiresAt],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_exceptions_item",
                E::Table,
                &[E::WorkItemId],
                false,
            ))
            .await?;
        Ok(())
    }
}
