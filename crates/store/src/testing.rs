//! Test support: a fresh store on every backend the test run has.
//!
//! SQLite always (a temp file). PostgreSQL when `REDRESS_TEST_PG_URL` points at a server
//! (`make test` starts a throwaway one): each call creates a new database on it. Under CI
//! (`CI` set) a missing PostgreSQL URL is an error, so the Postgres run cannot be skipped silently.
use sea_orm::{ConnectionTrait, Database};

use crate::{Store, StoreError};

/// A store for one test, plus what keeps its database alive.
pub struct TestDb {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The store, migrated.
    pub store: Store,
    /// The database URL (for tests that start the server binary).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A migrated SQLite store in a fresh temp directory.
pub async fn sqlite() -> Result<TestDb, StoreError> {
    sqlite_at(true).await
}

/// A SQLite store in a fresh temp directory, migrated or not.
async fn sqlite_at(migrate: bool) -> Result<TestDb, StoreError> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::Conflict(format!("temp dir: {e}")))?;
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let store = Store::open(&url).await?;
    if migrate {
        store.migrate().await?;
    }
    Ok(TestDb {
        backend: "sqlite",
        store,
        url,
        _dir: Some(dir),
    })
}

/// A migrated store in a new PostgreSQL database, when a server is configured.
pub async fn postgres() -> Result<Option<TestDb>, StoreError> {
    postgres_at(true).await
}

/// A store in a new PostgreSQL database, migrated or not, when a server is configured.
async fn postgres_at(migrate: bool) -> Result<Option<TestDb>, StoreError> {
    let Ok(admin_url) = std::env::var("REDRESS_TEST_PG_URL") else {
        if std::env::var_os("CI").is_some() {
            return Err(StoreError::Conflict(
                "REDRESS_TEST_PG_URL is not set under CI: run the tests through `make test`".into(),
            ));
        }
        eprintln!(
            "REDRESS_TEST_PG_URL not set: PostgreSQL half of this test skipped (make test sets it)"
        );
        return Ok(None);
    };
    let name = format!(
        "redress_test_{}",
        crate::password::random_secret(12).to_lowercase()
    );
    let admin = Database::connect(&admin_url)
        .await
        .map_err(|source| StoreError::Unreachable {
            url: admin_url.clone(),
            source,
        })?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    let url = format!("{base}/{name}");
    let store = Store::open(&url).await?;
    if migrate {
        store.migrate().await?;
    }
    Ok(Some(TestDb {
        backend: "postgres",
        store,
        url,
        _dir: None,
    }))
}

/// Every backend available to this test run: SQLite, and PostgreSQL when configured.
pub async fn all_backends() -> Result<Vec<TestDb>, StoreError> {
    let mut dbs = vec![sqlite().await?];
    dbs.extend(postgres().await?);
    Ok(dbs)
}

/// Every backend available, with an empty schema (for tests of migrations: run the first
/// ones with [`migrate_first`], write data, then [`Store::migrate`]).
pub async fn all_backends_unmigrated() -> Result<Vec<TestDb>, StoreError> {
    let mut dbs = vec![sqlite_at(false).await?];
    dbs.extend(postgres_at(false).await?);
    Ok(dbs)
}

/// Runs the first `count` migrations that have not run yet.
pub async fn migrate_first(store: &Store, count: u32) -> Result<(), StoreError> {
    use migrations::{Migrator, MigratorTrait};
    Migrator::up(&store.db, Some(count))
        .await
        .map_err(StoreError::Migration)
}

/// The names of the indexes on `table`, sorted (SQLite's automatic ones and PostgreSQL's
/// primary key index left out).
pub async fn index_names(store: &Store, table: &str) -> Result<Vec<String>, StoreError> {
    use sea_orm::{DbBackend, Statement};
    let backend = store.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT indexname AS name FROM pg_indexes WHERE tablename = $1 \
             AND indexname NOT LIKE '%_pkey' ORDER BY indexname"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? \
             AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name"
        }
    };
    let rows = store
        .db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "name").map_err(StoreError::from))
        .collect()
}
