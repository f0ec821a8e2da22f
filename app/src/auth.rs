//! Login, logout and "who am I": the server functions behind the login page and the shell.
use leptos::prelude::*;
use redress_types::UserSummary;

use crate::error::AppError;

/// Logs in with e-mail and password; rotates the session id and redirects to `next` (a local
/// path) or the dashboard. Failed attempts are rate-limited per e-mail and per client address.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{self, SESSION_USER_ID};
    use redress_store::StoreError;
    use std::time::Instant;

    let state = ssr::state()?;
    let client = client_address().await;
    let now = Instant::now();
    if let Err(wait) = state.login_limiter.check(&email, &client, now) {
        ssr::set_status(429);
        return Err(AppError::RateLimited(format!(
            "Too many failed logins. Try again in {} minute(s).",
            wait.as_secs().div_ceil(60).max(1)
        )));
    }
    match state.store.authenticate(&email, &password).await {
        Ok(user) => {
            state.login_limiter.record_success(&email);
            let session = ssr::session().await?;
            session
                .cycle_id()
                .await
                .map_err(|e| AppError::Internal(format!("session: {e}")))?;
            session
                .insert(SESSION_USER_ID, user.id)
                .await
                .map_err(|e| AppError::Internal(format!("session: {e}")))?;
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        Err(StoreError::InvalidCredentials) => {
            state.login_limiter.record_failure(&email, &client, now);
            ssr::set_status(401);
            Err(AppError::invalid("password", "wrong e-mail or password"))
        }
        Err(other) => Err(other.into()),
    }
}

/// Ends the session (the cookie is removed and the stored session deleted).
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = crate::ssr::session().await?;
    session
        .flush()
        .await
        .map_err(|e| AppError::Internal(format!("session: {e}")))?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The logged-in user, if any. Any visitor may ask; it reveals only their own account.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<UserSummary>, AppError> {
    crate::ssr::current_user().await
}

#[cfg(feature = "ssr")]
async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map_or_else(
            |_| "unknown".to_owned(),
            |ConnectInfo(addr)| addr.ip().to_string(),
        )
}

/// Only local absolute paths are followed after login, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/findings?page=2")), "/findings?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
