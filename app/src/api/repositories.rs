//! Repositories: register a local checkout or a GitHub/GitLab remote (the token is stored
//! sealed with the server's key, never returned), fetch a remote into the local cache, add
//! root modules with their state, and re-index.
use leptos::prelude::*;
use redress_types::{IndexError, Page, Repository};

use crate::error::AppError;

/// Roles that register and index repositories.
#[cfg(feature = "ssr")]
const REPO_ROLES: &[redress_types::Role] =
    &[redress_types::Role::Security, redress_types::Role::Admin];

/// Every registered repository with its roots and last index run (every role).
#[server(endpoint = "repositories/list")]
pub async fn list_repositories() -> Result<Vec<Repository>, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?.store.list_repositories().await?)
}

/// The syntax errors of a repository's last index run, one page (every role).
#[server(endpoint = "repositories/index_errors")]
pub async fn repository_index_errors(id: i64, page: u64) -> Result<Page<IndexError>, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?
        .store
        .repository_index_errors(id, page, 50)
        .await?)
}

/// Registers a repository (security and admin). `kind` is `local` (with `path`) or
/// `github`/`gitlab` (with `remote` and an optional `token`, which is never shown again).
#[server(endpoint = "repositories/create")]
pub async fn create_repository(
    name: String,
    kind: String,
    path: Option<String>,
    remote: Option<String>,
    token: Option<String>,
    default_branch: Option<String>,
) -> Result<Repository, AppError> {
    use redress_store::{NewRepository, NewToken, RepositorySource};
    use redress_types::RepositoryKind;
    let user = crate::ssr::require_role(REPO_ROLES, "register repositories").await?;
    let state = crate::ssr::state()?;
    let kind: RepositoryKind = kind
        .parse()
        .map_err(|e: redress_types::UnknownName| AppError::invalid("kind", e.to_string()))?;
    let source = match kind {
        RepositoryKind::Local => RepositorySource::Local {
            path: path.unwrap_or_default(),
        },
        remote_kind => RepositorySource::Remote {
            kind: remote_kind,
            remote: remote.unwrap_or_default(),
            token: match token.filter(|t| !t.trim().is_empty()) {
                Some(token) => Some(NewToken {
                    token,
                    key: state.secret_key()?,
                }),
                None => None,
            },
        },
    };
    let new = NewRepository {
        name,
        source,
        default_branch: default_branch.unwrap_or_default(),
    };
    Ok(state.store.create_repository(&user, new).await?)
}

/// Fetches a GitHub or GitLab remote into the local cache (security and admin): the mirror
/// and a work tree of the default branch under the data directory's `mirrors/`, with the
/// stored token (opened with the server's key) sent as an HTTP header; then points the
/// repository at that work tree and re-indexes it.
#[server(endpoint = "repositories/fetch")]
pub async fn fetch_repository(id: i64) -> Result<redress_types::IndexSummary, AppError> {
    use redress_forge::{AccessToken, MirrorCache, RemoteRepo};
    use redress_types::RepositoryKind;
    let user = crate::ssr::require_role(REPO_ROLES, "fetch repositories").await?;
    let state = crate::ssr::state()?;
    let fail = |e: AppError| {
        crate::ssr::set_status(e.status());
        e
    };
    let repository = state.store.repository(id).await?;
    let (Some(remote), base_url) = (
        repository.remote.clone(),
        match repository.kind {
            RepositoryKind::Github => state.forge_urls.github.clone(),
            RepositoryKind::Gitlab => state.forge_urls.gitlab.clone(),
            RepositoryKind::Local => String::new(),
        },
    ) else {
        return Err(fail(AppError::invalid(
            "id",
            format!(
                "{} is a local checkout, read in place; only remotes are fetched",
                repository.name
            ),
        )));
    };
    let (owner, name) = remote.rsplit_once('/').unwrap_or(("", remote.as_str()));
    let remote = match repository.kind {
        RepositoryKind::Gitlab => RemoteRepo::gitlab(owner, name, &repository.default_branch),
        _ => RemoteRepo::github(owner, name, &repository.default_branch),
    }
    .with_base_url(&base_url);
    let token = state
        .store
        .repository_access_token(id, &state.secret_key()?)
        .await?
        .map(AccessToken::new);
    let cache = MirrorCache::new(state.data_dir.join("mirrors"));
    let checkout = tokio::task::spawn_blocking(move || cache.checkout(&remote, token.as_ref()))
        .await
        .map_err(|e| AppError::Internal(crate::ssr::log_internal(&format!("fetch task: {e}"))))?
        .map_err(|e| {
            fail(AppError::Conflict(format!(
                "fetching {} failed: {e}",
                repository.name
            )))
        })?;
    let path = checkout.root().display().to_string();
    state
        .store
        .set_repository_checkout(&user, id, &path)
        .await?;
    Ok(state.store.reindex_repository(Some(&user), id).await?)
}

/// Adds a root module (security and admin): `state` is `none`, `path` (with `state_path`,
/// relative to the repository) or `upload` (with the tfstate JSON in `state_json`).
#[server(endpoint = "repositories/add_root")]
pub async fn add_root_module(
    repository_id: i64,
    path: String,
    state: String,
    state_path: Option<String>,
    state_json: Option<String>,
) -> Result<Repository, AppError> {
    use redress_store::NewRootState;
    let user = crate::ssr::require_role(REPO_ROLES, "change repositories").await?;
    let state = match state.as_str() {
        "none" => NewRootState::None,
        "path" => NewRootState::Path(state_path.unwrap_or_default()),
        "upload" => NewRootState::Uploaded(state_json.unwrap_or_default()),
        _ => return Err(AppError::invalid("state", "choose none, path or upload")),
    };
    Ok(crate::ssr::state()?
        .store
        .add_root_module(&user, repository_id, &path, state)
        .await?)
}

/// Re-indexes a repository's checkout now (security and admin).
#[server(endpoint = "repositories/reindex")]
pub async fn reindex_repository(id: i64) -> Result<redress_types::IndexSummary, AppError> {
    let user = crate::ssr::require_role(REPO_ROLES, "re-index repositories").await?;
    Ok(crate::ssr::state()?
        .store
        .reindex_repository(Some(&user), id)
        .await?)
}
