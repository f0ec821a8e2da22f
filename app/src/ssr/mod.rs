//! Server-only plumbing for server functions: shared state, the caller's identity and role
//! checks. Every server fn starts with [`require_user`] or [`require_role`].
mod rate_limit;

pub use rate_limit::LoginRateLimiter;

use std::sync::Arc;

use leptos::prelude::*;
use redress_store::Store;
use redress_types::{Role, UserSummary};
use tower_sessions::Session;

use crate::error::AppError;

/// The session key holding the logged-in user's id.
pub const SESSION_USER_ID: &str = "user_id";

/// What every request handler shares; provided to server fns as Leptos context.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Login attempts per e-mail and per client address.
    pub login_limiter: Arc<LoginRateLimiter>,
    /// Leptos settings (site root, output name).
    pub leptos_options: LeptosOptions,
    /// The data directory (`REDRESS_DATA_DIR`, default `data`); demo data goes under `demo/`,
    /// fetched remotes under `mirrors/`, the secret key in `secret.key`.
    pub data_dir: std::path::PathBuf,
    /// The server's key for secrets at rest, loaded on first use (see [`AppState::secret_key`]).
    pub secret_key: Arc<std::sync::OnceLock<redress_store::SecretKey>>,
    /// Where GitHub and GitLab remotes are fetched from.
    pub forge_urls: ForgeUrls,
}

/// The base addresses remotes are fetched from: github.com and gitlab.com unless
/// `REDRESS_GITHUB_URL` / `REDRESS_GITLAB_URL` name a GitHub Enterprise or self-managed
/// GitLab (or a `file://` directory of mirrors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForgeUrls {
    /// GitHub's base URL.
    pub github: String,
    /// GitLab's base URL.
    pub gitlab: String,
}

impl ForgeUrls {
    /// From `REDRESS_GITHUB_URL` and `REDRESS_GITLAB_URL`, else the public forges.
    pub fn from_env() -> ForgeUrls {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        ForgeUrls {
            github: var("REDRESS_GITHUB_URL", "https://github.com"),
            gitlab: var("REDRESS_GITLAB_URL", "https://gitlab.com"),
        }
    }
}

impl AppState {
    /// The server's secret key: `REDRESS_SECRET_KEY` (64 hex characters) when set, else
    /// `secret.key` in the data directory, generated (mode 0600) the first time a secret is
    /// stored. Loaded once.
    pub fn secret_key(&self) -> Result<redress_store::SecretKey, AppError> {
        if let Some(key) = self.secret_key.get() {
            return Ok(key.clone());
        }
        let env = std::env::var(redress_store::SECRET_KEY_ENV).ok();
        let key = redress_store::SecretKey::from_env_or_data_dir(env.as_deref(), &self.data_dir)
            .map_err(|e| AppError::Internal(log_internal(&e)))?;
        Ok(self.secret_key.get_or_init(|| key).clone())
    }
}

/// The shared state, from context.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("state missing from context".into()))
}

/// The caller's session.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| AppError::Internal(format!("session unavailable: {e}")))
}

/// The logged-in user, or `None`.
pub async fn current_user() -> Result<Option<UserSummary>, AppError> {
    let state = state()?;
    let session = session().await?;
    let id: Option<i64> = session
        .get(SESSION_USER_ID)
        .await
        .map_err(|e| AppError::Internal(format!("session read failed: {e}")))?;
    match id {
        Some(id) => Ok(state.store.active_user(id).await?),
        None => Ok(None),
    }
}

/// The logged-in user, or [`AppError::Unauthenticated`].
pub async fn require_user() -> Result<UserSummary, AppError> {
    match current_user().await? {
        Some(user) => Ok(user),
        None => {
            set_status(401);
            Err(AppError::Unauthenticated)
        }
    }
}

/// The logged-in user if their role is one of `allowed`; `action` names what is attempted
/// for the error message ("create campaigns").
pub async fn require_role(allowed: &[Role], action: &str) -> Result<UserSummary, AppError> {
    let user = require_user().await?;
    check_role(&user, allowed, action)?;
    Ok(user)
}

/// The pure role check behind [`require_role`].
pub fn check_role(user: &UserSummary, allowed: &[Role], action: &str) -> Result<(), AppError> {
    if allowed.contains(&user.role) {
        Ok(())
    } else {
        set_status(403);
        Err(AppError::Forbidden {
            role: user.role.to_string(),
            action: action.to_owned(),
        })
    }
}

/// Sets the HTTP status of the current server-fn response, when there is one.
pub fn set_status(status: u16) {
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(code) = axum::http::StatusCode::from_u16(status)
    {
        options.set_status(code);
    }
}

/// Logs an internal error with a short reference the user can quote.
pub fn log_internal(err: &dyn std::fmt::Display) -> String {
    let reference = format!("ref {:08x}", rand_ref());
    tracing::error!(%reference, "internal error: {err}");
    reference
}

fn rand_ref() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() ^ (d.as_secs() as u32))
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
