//! Settings: the caller's API tokens, and user administration for admins.
use leptos::prelude::*;
use redress_types::{ApiTokenSummary, UserSummary};

use crate::error::AppError;

/// A token just created; the secret is shown once.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewTokenView {
    /// What Settings lists.
    pub summary: ApiTokenSummary,
    /// The secret, to copy now.
    pub secret: String,
}

/// The caller's API tokens. Any logged-in role may use tokens (managers can read via the API).
#[server(endpoint = "settings/list_my_tokens")]
pub async fn list_my_tokens() -> Result<Vec<ApiTokenSummary>, AppError> {
    let user = crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?.store.list_api_tokens(user.id).await?)
}

/// Creates an API token for the caller.
#[server(endpoint = "settings/create_my_token")]
pub async fn create_my_token(name: String) -> Result<NewTokenView, AppError> {
    let user = crate::ssr::require_user().await?;
    let created = crate::ssr::state()?
        .store
        .create_api_token(user.id, &name)
        .await?;
    Ok(NewTokenView {
        summary: created.summary,
        secret: created.secret,
    })
}

/// Revokes one of the caller's API tokens.
#[server(endpoint = "settings/revoke_my_token")]
pub async fn revoke_my_token(id: i64) -> Result<(), AppError> {
    let user = crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?
        .store
        .revoke_api_token(user.id, id)
        .await?)
}

/// Every account (admins only).
#[server(endpoint = "settings/list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    crate::ssr::require_role(&[redress_types::Role::Admin], "manage users").await?;
    Ok(crate::ssr::state()?.store.list_users().await?)
}

/// Creates an account (admins only).
#[server(endpoint = "settings/create_user")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: String,
    password: String,
) -> Result<UserSummary, AppError> {
    crate::ssr::require_role(&[redress_types::Role::Admin], "manage users").await?;
    let role: redress_types::Role = role
        .parse()
        .map_err(|e: redress_types::UnknownRole| AppError::invalid("role", e.to_string()))?;
    let new = redress_store::NewUser {
        email,
        display_name: Some(display_name),
        role,
        password,
    };
    Ok(crate::ssr::state()?.store.create_user(new).await?)
}

/// Changes an account's role (admins only).
#[server(endpoint = "settings/set_user_role")]
pub async fn set_user_role(id: i64, role: String) -> Result<UserSummary, AppError> {
    crate::ssr::require_role(&[redress_types::Role::Admin], "manage users").await?;
    let role: redress_types::Role = role
        .parse()
        .map_err(|e: redress_types::UnknownRole| AppError::invalid("role", e.to_string()))?;
    Ok(crate::ssr::state()?.store.set_user_role(id, role).await?)
}
