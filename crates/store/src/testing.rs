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
    let dir = tempfile::tempdir().map_err(|e| StoreError::Conflict(format!("temp dir: {e}")))?;
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let store = Store::connect(&url).await?;
    Ok(TestDb {
        backend: "sqlite",
        store,
        url,
        _dir: Some(dir),
    })
}

/// A migrated store in a new PostgreSQL database, when a server is configured.
pub async fn postgres() -> Result<Option<TestDb>, StoreError> {
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
    let store = Store::connect(&url).await?;
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
