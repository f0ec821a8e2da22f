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
    /// The data directory (`REDRESS_DATA_DIR`, default `data`); demo data goes under `demo/`.
    pub data_dir: std::path::PathBuf,
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
