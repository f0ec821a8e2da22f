//! sea-orm entities of the workflow tables. Private to the store.

/// `audit_events`: append-only (database triggers refuse UPDATE and DELETE).
pub mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: ChronoDateTimeUtc,
        pub actor_id: Option<i64>,
        pub actor: String,
        pub action: String,
        pub object_type: String,
        pub object_id: Option<i64>,
        pub campaign_id: Option<i64>,
        pub work_item_id: Option<i64>,
        pub before: Option<String>,
        pub after: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `teams`.
pub mod team {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "teams")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `team_members`.
pub mod team_member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "team_members")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub team_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `repositories`.
pub mod repository {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "repositories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub kind: String,
        pub local_path: Option<String>,
        pub remote: Option<String>,
        pub default_branch: String,
        pub token: Option<String>,
        pub created_at: ChronoDateTimeUtc,
        pub indexed_at: Option<ChronoDateTimeUtc>,
        pub index_files: i64,
        pub index_resources: i64,
        pub index_modules: i64,
        pub index_skipped: i64,
        pub index_error_count: i64,
        pub index_failure: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `repository_roots`.
pub mod repository_root {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "repository_roots")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub repository_id: i64,
        pub path: String,
        pub state_kind: String,
        pub state_content: Option<String>,
        pub state_path: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `repository_index_errors`.
pub mod repository_index_error {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "repository_index_errors")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub repository_id: i64,
        pub file: String,
        pub line: i32,
        pub message: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `campaigns`.
pub mod campaign {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "campaigns")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub description: String,
        pub owner_id: i64,
        pub start_date: ChronoDate,
        pub due_date: ChronoDate,
        pub status: String,
        pub source: String,
        pub repository_glob: Option<String>,
        pub accounts: String,
        pub teams: String,
        pub min_severity: Option<String>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `work_items`.
pub mod work_item {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "work_items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub campaign_id: i64,
        pub repository_id: i64,
        pub policy_id: String,
        pub file: String,
        pub line: i32,
        pub title: String,
        pub state: String,
        pub assignee_user_id: Option<i64>,
        pub assignee_team_id: Option<i64>,
        pub excepted_until: Option<ChronoDateTimeUtc>,
        pub exception_id: Option<i64>,
        pub wont_fix_reason: Option<String>,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `work_item_findings`: the findings one item closes.
pub mod work_item_finding {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "work_item_findings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub work_item_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub finding_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `work_item_instances`: an item's blast radius.
pub mod work_item_instance {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "work_item_instances")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub work_item_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub address: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `fix_proposals`.
pub mod fix_proposal {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fix_proposals")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub work_item_id: i64,
        pub patch: String,
        pub author_id: i64,
        pub verification: String,
        pub verification_detail: Option<String>,
        pub created_at: ChronoDateTimeUtc,
        pub approved_by: Option<i64>,
        pub approved_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `exceptions`.
pub mod exception {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "exceptions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub work_item_id: Option<i64>,
        pub policy_id: Option<String>,
        pub repository_id: Option<i64>,
        pub path_glob: Option<String>,
        pub justification: String,
        pub expires_at: ChronoDateTimeUtc,
        pub status: String,
        pub requested_by: i64,
        pub requested_at: ChronoDateTimeUtc,
        pub decided_by: Option<i64>,
        pub decided_at: Option<ChronoDateTimeUtc>,
        pub decision_note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
