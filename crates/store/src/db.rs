use std::{path::Path, time::Duration};

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::{Clock, StoreError, system_clock};

/// The handle every operation goes through: a connection pool plus the clock.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    pub(crate) clock: Clock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend_name())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite://path` or `postgres://…`) and runs pending
    /// migrations. For SQLite the parent directory and file are created and WAL is enabled.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = Self::open(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating (for `redress migrate` and tests of migrations).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let shown = redact(url);
        let is_sqlite = url.starts_with("sqlite:");
        if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(StoreError::BadUrl {
                url: shown,
                reason: "expected sqlite://PATH or postgres://USER@HOST/DB".into(),
            });
        }
        let url = if is_sqlite {
            prepare_sqlite(url, &shown)?
        } else {
            url.to_owned()
        };
        let mut options = ConnectOptions::new(url);
        options
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10));
        if is_sqlite {
            // One writer at a time; WAL lets readers proceed while it writes.
            options.max_connections(8).min_connections(1);
        }
        let db = Database::connect(options)
            .await
            .map_err(|source| StoreError::Unreachable {
                url: shown.clone(),
                source,
            })?;
        if is_sqlite {
            // 16 KiB pages, for a new file only (an existing one keeps its page size): a
            // finding row is ~1.8 KB, so 4 KiB pages held two and wasted the rest, and the
            // first import of 100k findings wrote 20% more pages (BENCHMARKS.md, import).
            db.execute_unprepared(
                "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
            )
            .await
            .map_err(|source| StoreError::Unreachable { url: shown, source })?;
        }
        Ok(Store {
            db,
            clock: system_clock(),
        })
    }

    /// Runs every pending migration, each in its own transaction.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None)
            .await
            .map_err(StoreError::Migration)
    }

    /// Replaces the clock (tests move time forward to expire things).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Current time according to the store's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.clock)()
    }

    /// Checks the database answers (used by `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(StoreError::Database)
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            _ => "other",
        }
    }
}

/// Creates the SQLite file's directory and asks the driver to create the file.
fn prepare_sqlite(url: &str, shown: &str) -> Result<String, StoreError> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::BadUrl {
            url: shown.to_owned(),
            reason: "no file path".into(),
        });
    }
    if path != ":memory:"
        && let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::BadUrl {
            url: shown.to_owned(),
            reason: format!("cannot create directory {}: {e}", dir.display()),
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// The URL with any password replaced by `***`, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://me:secret@db/redress"),
            "postgres://me:***@db/redress"
        );
        assert_eq!(
            redact("sqlite://data/redress.db"),
            "sqlite://data/redress.db"
        );
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/x.db", dir.path().display());
        let prepared = prepare_sqlite(&url, &url).unwrap();
        assert!(prepared.ends_with("x.db?mode=rwc"), "{prepared}");
        assert!(dir.path().join("sub").is_dir());
    }

    async fn page_size(store: &Store) -> i64 {
        let row = store
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Sqlite,
                "PRAGMA page_size",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    }

    #[tokio::test]
    async fn a_new_sqlite_file_gets_16_kib_pages_and_an_existing_one_keeps_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = format!("sqlite://{}/fresh.db", dir.path().display());
        let store = Store::connect(&fresh).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(page_size(&store).await, 16_384);

        // A database made with 4 KiB pages (as before) is opened and migrated as it is.
        let old = dir.path().join("old.db");
        let made = sea_orm::Database::connect(format!("sqlite://{}?mode=rwc", old.display()))
            .await
            .unwrap();
        made.execute_unprepared(
            "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER)",
        )
        .await
        .unwrap();
        made.close().await.unwrap();
        let store = Store::connect(&format!("sqlite://{}", old.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert_eq!(page_size(&store).await, 4_096);
    }
}
