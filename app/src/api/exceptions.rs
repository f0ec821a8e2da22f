//! Exceptions: the pending requests, the active ones and those expiring soon; approve or
//! deny (security and admin; the store refuses a decision by the requester).
use leptos::prelude::*;
use redress_types::{Exception, Page};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Days ahead that count as "expiring soon".
pub const EXPIRING_DAYS: u32 = 14;

/// The three lists of the Exceptions page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionOverview {
    /// Awaiting a decision.
    pub pending: Page<Exception>,
    /// Approved and in force.
    pub active: Page<Exception>,
    /// Approved and ending within [`EXPIRING_DAYS`].
    pub expiring: Page<Exception>,
}

/// Roles that decide exceptions.
#[cfg(feature = "ssr")]
const DECIDE_ROLES: &[redress_types::Role] =
    &[redress_types::Role::Security, redress_types::Role::Admin];

/// The Exceptions page's lists, one page each (every role reads them).
#[server(endpoint = "exceptions/lists")]
pub async fn exception_lists(page: u64) -> Result<ExceptionOverview, AppError> {
    crate::ssr::require_user().await?;
    let store = crate::ssr::state()?.store;
    Ok(ExceptionOverview {
        pending: store.pending_exceptions(page, 25).await?,
        active: store.active_exceptions(page, 25).await?,
        expiring: store.expiring_exceptions(EXPIRING_DAYS, page, 25).await?,
    })
}

/// Approves a pending exception (security and admin, not the requester).
#[server(endpoint = "exceptions/approve")]
pub async fn approve_exception(id: i64, note: Option<String>) -> Result<Exception, AppError> {
    let user = crate::ssr::require_role(DECIDE_ROLES, "approve exceptions").await?;
    let note = note.filter(|n| !n.trim().is_empty());
    Ok(crate::ssr::state()?
        .store
        .approve_exception(&user, id, note.as_deref())
        .await?)
}

/// Denies a pending exception (security and admin, not the requester).
#[server(endpoint = "exceptions/deny")]
pub async fn deny_exception(id: i64, note: Option<String>) -> Result<Exception, AppError> {
    let user = crate::ssr::require_role(DECIDE_ROLES, "deny exceptions").await?;
    let note = note.filter(|n| !n.trim().is_empty());
    Ok(crate::ssr::state()?
        .store
        .deny_exception(&user, id, note.as_deref())
        .await?)
}
