use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Option<i64>,
    pub started_at: ChronoDateTimeUtc,
    pub finished_at: ChronoDateTimeUtc,
    pub file_name: String,
    pub format: Option<String>,
    pub full: bool,
    pub repository: Option<String>,
    pub status: String,
    pub bytes: i64,
    pub records: i64,
    pub new_count: i64,
    pub updated_count: i64,
    pub closed_count: i64,
    pub unchanged_count: i64,
    pub skipped_count: i64,
    pub skips: String,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
