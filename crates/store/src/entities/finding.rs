use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub fingerprint: String,
    pub source_tool: String,
    pub source_finding_id: Option<String>,
    pub rule_id: String,
    pub title: String,
    pub description: String,
    pub severity: String,
    pub severity_rank: i16,
    pub severity_original: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub cloud_provider: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub resource_type: Option<String>,
    pub resource_ids: String,
    pub primary_resource: Option<String>,
    pub file: Option<String>,
    pub start_line: Option<i32>,
    pub end_line: Option<i32>,
    pub tool_first_seen: Option<ChronoDateTimeUtc>,
    pub tool_last_seen: Option<ChronoDateTimeUtc>,
    pub first_seen: ChronoDateTimeUtc,
    pub last_seen: ChronoDateTimeUtc,
    pub closed_at: Option<ChronoDateTimeUtc>,
    pub remediation: Option<String>,
    pub remediation_url: Option<String>,
    pub tags: String,
    pub raw: String,
    pub policy_id: Option<String>,
    pub correlation_key: String,
    pub content_hash: String,
    pub first_import_id: i64,
    pub last_import_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
