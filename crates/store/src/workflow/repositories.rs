//! Repositories (a local checkout or a GitHub/GitLab remote), their root modules with states,
//! and the results of the last index run. Access tokens are stored sealed with the server's
//! key (see [`super::secrets`]), never in plain text, and never returned by a read type
//! ([`Repository::has_token`] only says one exists).
use std::path::{Component, Path};

use redress_types::{
    IndexError, IndexSummary, Page, Repository, RepositoryKind, RootModule, RootState, UserSummary,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::{
    audit::{Actor, AuditEntry, paging},
    entities::{repository, repository_index_error, repository_root},
    secrets::{SecretKey, is_sealed},
};
use crate::{Store, StoreError};

/// Largest uploaded tfstate kept in the database.
pub const MAX_UPLOADED_STATE_BYTES: usize = 64 * 1024 * 1024;
/// Syntax errors kept per index run (the count covers all of them).
pub const MAX_KEPT_INDEX_ERRORS: usize = 500;

/// Where a new repository comes from.
#[derive(Clone, Debug)]
pub enum RepositorySource {
    /// A git checkout on the server's disk (absolute path to an existing directory).
    Local {
        /// The checkout's directory.
        path: String,
    },
    /// A GitHub or GitLab remote, fetched into a local cache later.
    Remote {
        /// [`RepositoryKind::Github`] or [`RepositoryKind::Gitlab`].
        kind: RepositoryKind,
        /// `owner/repo` (GitLab: `group/sub/repo`).
        remote: String,
        /// Access token, if the repository is private; stored sealed with its key.
        token: Option<NewToken>,
    },
}

/// An access token to store, with the server key that seals it.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// The token as the forge issued it.
    pub token: String,
    /// The server's key.
    pub key: SecretKey,
}

/// The text that seals repository `id`'s token (it binds the token to that row).
fn token_context(id: i64) -> String {
    format!("repository:{id}")
}

/// What is needed to register a repository.
#[derive(Clone, Debug)]
pub struct NewRepository {
    /// Unique name (`acme/infra`); campaign repository globs match it.
    pub name: String,
    /// Local or remote.
    pub source: RepositorySource,
    /// Default branch; `main` when empty.
    pub default_branch: String,
}

/// Where a root module's state comes from, when adding or changing one.
#[derive(Clone, Debug)]
pub enum NewRootState {
    /// No state.
    None,
    /// The content of an uploaded tfstate (at most [`MAX_UPLOADED_STATE_BYTES`]).
    Uploaded(String),
    /// A tfstate path relative to the repository root.
    Path(String),
}

impl Store {
    /// Registers a repository.
    pub async fn create_repository(
        &self,
        actor: &UserSummary,
        new: NewRepository,
    ) -> Result<Repository, StoreError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.len() > 200 {
            return Err(StoreError::invalid("name", "must be 1 to 200 characters"));
        }
        let branch = match new.default_branch.trim() {
            "" => "main".to_owned(),
            b if b.len() > 200 || b.contains(char::is_whitespace) || b.contains("..") => {
                return Err(StoreError::invalid(
                    "default_branch",
                    "is not a valid branch name",
                ));
            }
            b => b.to_owned(),
        };
        let (kind, local_path, remote, token) = match new.source {
            RepositorySource::Local { path } => {
                let p = Path::new(path.trim());
                if !p.is_absolute() {
                    return Err(StoreError::invalid("path", "must be an absolute path"));
                }
                if !p.is_dir() {
                    return Err(StoreError::invalid(
                        "path",
                        format!("{} is not a directory", p.display()),
                    ));
                }
                (
                    RepositoryKind::Local,
                    Some(p.display().to_string()),
                    None,
                    None,
                )
            }
            RepositorySource::Remote {
                kind,
                remote,
                token,
            } => {
                if kind == RepositoryKind::Local {
                    return Err(StoreError::invalid("kind", "a remote is github or gitlab"));
                }
                let remote = remote.trim().trim_end_matches(".git").to_owned();
                let segments: Vec<&str> = remote.split('/').collect();
                let valid = segments.len() >= 2
                    && remote.len() <= 200
                    && segments.iter().all(|s| {
                        !s.is_empty()
                            && *s != "."
                            && *s != ".."
                            && s.chars()
                                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    });
                if !valid {
                    return Err(StoreError::invalid("remote", "must be owner/repo"));
                }
                let token = token.filter(|t| !t.token.trim().is_empty());
                if token.as_ref().is_some_and(|t| t.token.trim().len() > 4096) {
                    return Err(StoreError::invalid(
                        "token",
                        "is longer than 4096 characters",
                    ));
                }
                (kind, None, Some(remote), token)
            }
        };
        let txn = self.db.begin().await?;
        if repository::Entity::find()
            .filter(repository::Column::Name.eq(&name))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict(format!(
                "a repository named {name} already exists"
            )));
        }
        let model = repository::ActiveModel {
            name: Set(name),
            kind: Set(kind.as_str().to_owned()),
            local_path: Set(local_path),
            remote: Set(remote),
            default_branch: Set(branch),
            token: Set(None),
            created_at: Set(self.now()),
            indexed_at: Set(None),
            index_files: Set(0),
            index_resources: Set(0),
            index_modules: Set(0),
            index_skipped: Set(0),
            index_error_count: Set(0),
            index_failure: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some(NewToken { token, key }) = token {
            // Sealed once the row has its id, which the seal is bound to.
            let sealed = key.seal(token.trim(), &token_context(model.id))?;
            let mut active: repository::ActiveModel = model.clone().into();
            active.token = Set(Some(sealed));
            active.update(&txn).await?;
        }
        let created = load_repository(&txn, model.id).await?;
        AuditEntry::new("repository.create", "repository", created.id)
            .after(&created)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Sets the local checkout directory of a remote (after the fetch job cloned it).
    pub async fn set_repository_checkout(
        &self,
        actor: &UserSummary,
        id: i64,
        path: &str,
    ) -> Result<Repository, StoreError> {
        let p = Path::new(path);
        if !p.is_absolute() || !p.is_dir() {
            return Err(StoreError::invalid(
                "path",
                format!("{path} is not an absolute directory"),
            ));
        }
        let txn = self.db.begin().await?;
        let before = load_repository(&txn, id).await?;
        let mut active: repository::ActiveModel = find_repository(&txn, id).await?.into();
        active.local_path = Set(Some(p.display().to_string()));
        active.update(&txn).await?;
        let after = load_repository(&txn, id).await?;
        AuditEntry::new("repository.set_checkout", "repository", id)
            .before(&before)
            .after(&after)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Adds a root module (a directory relative to the repository root) with its state.
    pub async fn add_root_module(
        &self,
        actor: &UserSummary,
        repository_id: i64,
        path: &str,
        state: NewRootState,
    ) -> Result<Repository, StoreError> {
        let path = relative_path("path", path)?;
        let (kind, content, state_path) = state_columns(state)?;
        let txn = self.db.begin().await?;
        let before = load_repository(&txn, repository_id).await?;
        if before.roots.iter().any(|r| r.path == path) {
            return Err(StoreError::Conflict(format!(
                "repository {} already has a root module at {path}",
                before.name
            )));
        }
        repository_root::ActiveModel {
            repository_id: Set(repository_id),
            path: Set(path),
            state_kind: Set(kind.to_owned()),
            state_content: Set(content),
            state_path: Set(state_path),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let after = load_repository(&txn, repository_id).await?;
        AuditEntry::new("repository.add_root", "repository", repository_id)
            .before(&before.roots)
            .after(&after.roots)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Replaces the state of a root module.
    pub async fn set_root_state(
        &self,
        actor: &UserSummary,
        root_id: i64,
        state: NewRootState,
    ) -> Result<Repository, StoreError> {
        let (kind, content, state_path) = state_columns(state)?;
        let txn = self.db.begin().await?;
        let root = repository_root::Entity::find_by_id(root_id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("root module {root_id}")))?;
        let repository_id = root.repository_id;
        let before = load_repository(&txn, repository_id).await?;
        let mut active: repository_root::ActiveModel = root.into();
        active.state_kind = Set(kind.to_owned());
        active.state_content = Set(content);
        active.state_path = Set(state_path);
        active.update(&txn).await?;
        let after = load_repository(&txn, repository_id).await?;
        AuditEntry::new("repository.set_state", "repository", repository_id)
            .before(&before.roots)
            .after(&after.roots)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// One repository with its roots and last index summary.
    pub async fn repository(&self, id: i64) -> Result<Repository, StoreError> {
        load_repository(&self.db, id).await
    }

    /// Every repository, by name.
    pub async fn list_repositories(&self) -> Result<Vec<Repository>, StoreError> {
        let ids: Vec<i64> = repository::Entity::find()
            .order_by_asc(repository::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(load_repository(&self.db, id).await?);
        }
        Ok(out)
    }

    /// The access token of a remote, opened with the server's `key`, for fetching only;
    /// pages never get it. A token that does not open (another key) is a conflict that says
    /// to register the token again.
    pub async fn repository_access_token(
        &self,
        id: i64,
        key: &SecretKey,
    ) -> Result<Option<String>, StoreError> {
        let model = find_repository(&self.db, id).await?;
        match model.token {
            None => Ok(None),
            Some(stored) => key
                .open(
                    &stored,
                    &token_context(id),
                    &format!("repository {}", model.name),
                )
                .map(Some),
        }
    }

    /// Whether any repository still holds its token in plain text (from before tokens were
    /// sealed); the server then seals them at start with [`Store::seal_stored_tokens`].
    pub async fn has_unsealed_tokens(&self) -> Result<bool, StoreError> {
        Ok(repository::Entity::find()
            .filter(repository::Column::Token.is_not_null())
            .all(&self.db)
            .await?
            .iter()
            .any(|m| m.token.as_deref().is_some_and(|t| !is_sealed(t))))
    }

    /// Seals every token still stored in plain text, in one transaction, each with an audit
    /// event by the system; returns how many were sealed.
    pub async fn seal_stored_tokens(&self, key: &SecretKey) -> Result<u64, StoreError> {
        let txn = self.db.begin().await?;
        let rows = repository::Entity::find()
            .filter(repository::Column::Token.is_not_null())
            .order_by_asc(repository::Column::Id)
            .all(&txn)
            .await?;
        let mut sealed = 0;
        for model in rows {
            let Some(plain) = model.token.clone().filter(|t| !is_sealed(t)) else {
                continue;
            };
            let id = model.id;
            let mut active: repository::ActiveModel = model.into();
            active.token = Set(Some(key.seal(&plain, &token_context(id))?));
            active.update(&txn).await?;
            AuditEntry::new("repository.seal_token", "repository", id)
                .before(serde_json::json!({ "token": "plain text" }))
                .after(serde_json::json!({ "token": "sealed" }))
                .write(&txn, self, &Actor::system())
                .await?;
            sealed += 1;
        }
        txn.commit().await?;
        Ok(sealed)
    }

    /// The uploaded state of a root module, for locate.
    pub async fn root_state_content(&self, root_id: i64) -> Result<Option<String>, StoreError> {
        Ok(repository_root::Entity::find_by_id(root_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("root module {root_id}")))?
            .state_content)
    }

    /// The syntax errors of the last index run, by file and line, one page.
    pub async fn repository_index_errors(
        &self,
        id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Page<IndexError>, StoreError> {
        let (page, per_page) = paging(page, per_page);
        let paginator = repository_index_error::Entity::find()
            .filter(repository_index_error::Column::RepositoryId.eq(id))
            .order_by_asc(repository_index_error::Column::Id)
            .paginate(&self.db, per_page);
        let total = paginator.num_items().await?;
        let items = paginator
            .fetch_page(page - 1)
            .await?
            .into_iter()
            .map(to_index_error)
            .collect();
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Indexes the repository's checkout with `redress-iac` and stores the summary (counts,
    /// syntax errors as file:line: message). A root that cannot be read is stored as the run's
    /// failure, not returned as an error. `actor` is `None` for scheduled runs.
    pub async fn reindex_repository(
        &self,
        actor: Option<&UserSummary>,
        id: i64,
    ) -> Result<IndexSummary, StoreError> {
        let repo = find_repository(&self.db, id).await?;
        let Some(root) = repo.local_path.clone() else {
            return Err(StoreError::NotAllowed(format!(
                "repository {} has no local checkout yet: fetch it first",
                repo.name
            )));
        };
        let outcome = tokio::task::spawn_blocking(move || index_summary(Path::new(&root)))
            .await
            .map_err(|e| {
                StoreError::Conflict(format!("index run for repository {id} panicked: {e}"))
            })?;
        let at = self.now();
        let txn = self.db.begin().await?;
        let before = load_repository(&txn, id).await?.last_index;
        repository_index_error::Entity::delete_many()
            .filter(repository_index_error::Column::RepositoryId.eq(id))
            .exec(&txn)
            .await?;
        for e in &outcome.errors {
            repository_index_error::ActiveModel {
                repository_id: Set(id),
                file: Set(e.file.clone()),
                line: Set(i32::try_from(e.line).unwrap_or(i32::MAX)),
                message: Set(e.message.clone()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let mut active: repository::ActiveModel = repo.into();
        active.indexed_at = Set(Some(at));
        active.index_files = Set(count(outcome.files));
        active.index_resources = Set(count(outcome.resources));
        active.index_modules = Set(count(outcome.modules));
        active.index_skipped = Set(count(outcome.skipped));
        active.index_error_count = Set(count(outcome.error_count));
        active.index_failure = Set(outcome.failure.clone());
        active.update(&txn).await?;
        let summary = load_repository(&txn, id).await?.last_index.ok_or_else(|| {
            StoreError::Conflict(format!("repository {id}: index summary not stored"))
        })?;
        let audit_actor = actor.map_or_else(Actor::system, Actor::user);
        AuditEntry::new("repository.reindex", "repository", id)
            .before(before.map(|s| IndexSummary {
                errors: Vec::new(),
                ..s
            }))
            .after(IndexSummary {
                errors: Vec::new(),
                ..summary.clone()
            })
            .write(&txn, self, &audit_actor)
            .await?;
        txn.commit().await?;
        Ok(summary)
    }
}

/// What one index run found, before it is stored.
struct IndexOutcome {
    files: u64,
    resources: u64,
    modules: u64,
    skipped: u64,
    error_count: u64,
    errors: Vec<IndexError>,
    failure: Option<String>,
}

fn index_summary(root: &Path) -> IndexOutcome {
    match redress_iac::Index::build(root) {
        Ok(index) => {
            let mut resources = 0;
            let mut modules = 0;
            for block in index.files().flat_map(|f| f.blocks.iter()) {
                match block.kind {
                    redress_iac::BlockKind::Resource => resources += 1,
                    redress_iac::BlockKind::Module => modules += 1,
                    _ => {}
                }
            }
            let mut error_count = 0;
            let mut errors = Vec::new();
            for e in index.parse_errors() {
                error_count += 1;
                if errors.len() < MAX_KEPT_INDEX_ERRORS {
                    errors.push(IndexError {
                        file: e.file.clone(),
                        line: e.line,
                        message: e.message.clone(),
                    });
                }
            }
            IndexOutcome {
                files: index.len() as u64,
                resources,
                modules,
                skipped: index.skipped().len() as u64,
                error_count,
                errors,
                failure: None,
            }
        }
        Err(e) => IndexOutcome {
            files: 0,
            resources: 0,
            modules: 0,
            skipped: 0,
            error_count: 0,
            errors: Vec::new(),
            failure: Some(e.to_string()),
        },
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A `/`-separated path inside the repository: relative, no `..`, no absolute parts.
pub(crate) fn relative_path(field: &'static str, path: &str) -> Result<String, StoreError> {
    let path = path.trim().trim_start_matches("./");
    let path = if path.is_empty() { "." } else { path };
    if path.len() > 1024 || path.contains('\\') {
        return Err(StoreError::invalid(field, "is not a repository path"));
    }
    let p = Path::new(path);
    if !p
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(StoreError::invalid(
            field,
            format!("{path} must stay inside the repository"),
        ));
    }
    Ok(path.trim_end_matches('/').to_owned())
}

fn state_columns(
    state: NewRootState,
) -> Result<(&'static str, Option<String>, Option<String>), StoreError> {
    Ok(match state {
        NewRootState::None => ("none", None, None),
        NewRootState::Uploaded(content) => {
            if content.len() > MAX_UPLOADED_STATE_BYTES {
                return Err(StoreError::invalid(
                    "state",
                    format!(
                        "is larger than {} MiB",
                        MAX_UPLOADED_STATE_BYTES / (1024 * 1024)
                    ),
                ));
            }
            if content.trim().is_empty() {
                return Err(StoreError::invalid("state", "is empty"));
            }
            ("uploaded", Some(content), None)
        }
        NewRootState::Path(path) => ("path", None, Some(relative_path("state_path", &path)?)),
    })
}

async fn find_repository<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<repository::Model, StoreError> {
    repository::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("repository {id}")))
}

pub(crate) async fn load_repository<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Repository, StoreError> {
    let m = find_repository(db, id).await?;
    let roots = repository_root::Entity::find()
        .filter(repository_root::Column::RepositoryId.eq(id))
        .order_by_asc(repository_root::Column::Path)
        .all(db)
        .await?
        .into_iter()
        .map(|r| RootModule {
            id: r.id,
            state: match r.state_kind.as_str() {
                "uploaded" => RootState::Uploaded {
                    bytes: r.state_content.as_ref().map_or(0, |c| c.len() as u64),
                },
                "path" => RootState::Path {
                    path: r.state_path.unwrap_or_default(),
                },
                _ => RootState::None,
            },
            path: r.path,
        })
        .collect();
    let last_index = match m.indexed_at {
        Some(indexed_at) => Some(IndexSummary {
            indexed_at,
            files: m.index_files.max(0) as u64,
            resources: m.index_resources.max(0) as u64,
            modules: m.index_modules.max(0) as u64,
            skipped: m.index_skipped.max(0) as u64,
            error_count: m.index_error_count.max(0) as u64,
            errors: repository_index_error::Entity::find()
                .filter(repository_index_error::Column::RepositoryId.eq(id))
                .order_by_asc(repository_index_error::Column::Id)
                .paginate(db, 50)
                .fetch_page(0)
                .await?
                .into_iter()
                .map(to_index_error)
                .collect(),
            failure: m.index_failure.clone(),
        }),
        None => None,
    };
    let kind = m
        .kind
        .parse::<RepositoryKind>()
        .map_err(|e| StoreError::Conflict(format!("repository {id}: {e}")))?;
    Ok(Repository {
        id: m.id,
        name: m.name,
        kind,
        local_path: m.local_path,
        remote: m.remote,
        default_branch: m.default_branch,
        has_token: m.token.is_some(),
        roots,
        last_index,
    })
}

fn to_index_error(e: repository_index_error::Model) -> IndexError {
    IndexError {
        file: e.file,
        line: u32::try_from(e.line).unwrap_or(0),
        message: e.message,
    }
}
