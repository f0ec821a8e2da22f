//! Shared set-up for the workflow tests: users, a repository, a campaign, findings rows.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up helpers: a failed set-up should panic"
)]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use redress_store::{
    NewCampaign, NewFixSite, NewRepository, NewUser, RepositorySource, Store, testing::TestDb,
};
use redress_types::{Campaign, CampaignScope, CampaignSource, Repository, Role, UserSummary};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn new() -> Self {
        TestClock(Arc::new(Mutex::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        )))
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }

    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }

    /// `store` with this clock.
    pub fn store(&self, store: &Store) -> Store {
        let inner = self.0.clone();
        store
            .clone()
            .with_clock(Arc::new(move || *inner.lock().unwrap()))
    }
}

pub async fn user(store: &Store, email: &str, role: Role) -> UserSummary {
    store
        .create_user(NewUser {
            email: email.into(),
            display_name: None,
            role,
            password: "a long password".into(),
        })
        .await
        .unwrap()
}

/// A second connection to the same database, for raw SQL.
pub async fn raw(db: &TestDb) -> DatabaseConnection {
    Database::connect(&db.url).await.unwrap()
}

pub async fn local_repo(
    store: &Store,
    actor: &UserSummary,
    name: &str,
) -> (Repository, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let repo = store
        .create_repository(
            actor,
            NewRepository {
                name: name.into(),
                source: RepositorySource::Local {
                    path: dir.path().display().to_string(),
                },
                default_branch: String::new(),
            },
        )
        .await
        .unwrap();
    (repo, dir)
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub async fn campaign(
    store: &Store,
    owner: &UserSummary,
    policies: &[&str],
    scope: CampaignScope,
) -> Campaign {
    store
        .create_campaign(
            owner,
            NewCampaign {
                name: "Encrypt every bucket".into(),
                description: "S3 at rest".into(),
                owner_id: owner.id,
                start_date: day(2026, 3, 1),
                due_date: day(2026, 3, 31),
                source: CampaignSource::PolicySet {
                    policies: policies.iter().map(|p| p.to_string()).collect(),
                },
                scope,
            },
        )
        .await
        .unwrap()
}

pub fn site(
    repository_id: i64,
    policy: &str,
    file: &str,
    line: u32,
    findings: &[i64],
    instances: &[&str],
) -> NewFixSite {
    NewFixSite {
        repository_id,
        policy_id: policy.into(),
        file: file.into(),
        line,
        title: format!("{policy} at {file}:{line}"),
        finding_ids: findings.to_vec(),
        instances: instances.iter().map(|s| s.to_string()).collect(),
        code_owners: Vec::new(),
    }
}

/// Inserts a finding row directly (the importer is tested elsewhere); returns its id.
pub async fn finding(
    conn: &DatabaseConnection,
    tool: &str,
    policy: &str,
    status: &str,
    severity: (&str, i16),
    account: &str,
) -> i64 {
    conn.execute_unprepared(
        "INSERT INTO sources (tool, scope_key, scope_label, created_at)
         SELECT 'test', 'test', 'test', '2026-01-01 00:00:00+00:00'
         WHERE NOT EXISTS (SELECT 1 FROM sources WHERE tool = 'test')",
    )
    .await
    .unwrap();
    let n: i64 = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM findings",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    let fingerprint = format!("fp{n}");
    conn.execute_unprepared(&format!(
        "INSERT INTO findings (source_id, fingerprint, source_tool, rule_id, title, description, severity,
           severity_rank, severity_original, status, account, resource_ids, first_seen, last_seen, tags, raw,
           policy_id, correlation_key, content_hash, first_import_id, last_import_id)
         VALUES ((SELECT id FROM sources WHERE tool = 'test'), '{fingerprint}', '{tool}', 'R-{policy}', 't', 'd',
           '{}', {}, '{}', '{status}', '{account}', '[]', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00',
           '{{}}', '{{}}', '{policy}', 'c{n}', 'h', 1, 1)",
        severity.0, severity.1, severity.0
    ))
    .await
    .unwrap();
    conn.query_one_raw(sea_orm::Statement::from_string(
        conn.get_database_backend(),
        format!("SELECT id FROM findings WHERE fingerprint = '{fingerprint}'"),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get("", "id")
    .unwrap()
}

pub async fn set_finding_status(conn: &DatabaseConnection, id: i64, status: &str) {
    conn.execute_unprepared(&format!(
        "UPDATE findings SET status = '{status}' WHERE id = {id}"
    ))
    .await
    .unwrap();
}
