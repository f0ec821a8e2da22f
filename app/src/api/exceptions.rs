//! Exceptions: the pending requests, the active ones and those expiring soon; approve or
//! deny (security and admin; the store refuses a decision by the requester).
use leptos::prelude::*;
use redress_types::{Exception, Page};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Days ahead that count as "expiring soon".
pub const EXPIRING_DAYS: u32 = 14;

/// An exception as the page shows it: what it covers and who asked and decided, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionRow {
    /// The exception.
    pub exception: Exception,
    /// What it covers, in words (the item's title, or the policy and repository name).
    pub scope: String,
    /// The work item's page, for an item exception.
    pub link: Option<String>,
    /// The requester's display name.
    pub requested_by: String,
    /// The decider's display name, once decided.
    pub decided_by: Option<String>,
}

/// The three lists of the Exceptions page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionOverview {
    /// Awaiting a decision.
    pub pending: Page<ExceptionRow>,
    /// Approved and in force.
    pub active: Page<ExceptionRow>,
    /// Approved and ending within [`EXPIRING_DAYS`].
    pub expiring: Page<ExceptionRow>,
}

/// `list` with scopes in words and people by name.
#[cfg(feature = "ssr")]
async fn rows(
    store: &redress_store::Store,
    list: Page<Exception>,
) -> Result<Page<ExceptionRow>, AppError> {
    use redress_types::ExceptionScope;
    let people = list
        .items
        .iter()
        .flat_map(|e| std::iter::once(e.requested_by).chain(e.decided_by));
    let names = store.names(people, []).await?;
    let mut items = Vec::with_capacity(list.items.len());
    for exception in list.items {
        let (scope, link) = match &exception.scope {
            ExceptionScope::WorkItem { work_item_id } => {
                let title = match store.work_item(*work_item_id).await {
                    Ok(item) => item.title,
                    Err(redress_store::StoreError::NotFound { .. }) => "a removed work item".into(),
                    Err(e) => return Err(e.into()),
                };
                (
                    format!("{title} (item #{work_item_id})"),
                    Some(format!("/items/{work_item_id}")),
                )
            }
            ExceptionScope::Policy {
                policy_id,
                repository_id,
                path_glob,
            } => {
                let repository = match store.repository(*repository_id).await {
                    Ok(r) => r.name,
                    Err(redress_store::StoreError::NotFound { .. }) => {
                        format!("repository #{repository_id}")
                    }
                    Err(e) => return Err(e.into()),
                };
                let under = path_glob
                    .as_deref()
                    .map(|g| format!(" under {g}"))
                    .unwrap_or_default();
                (format!("{policy_id} in {repository}{under}"), None)
            }
        };
        items.push(ExceptionRow {
            scope,
            link,
            requested_by: names.user(exception.requested_by),
            decided_by: exception.decided_by.map(|id| names.user(id)),
            exception,
        });
    }
    Ok(Page {
        items,
        total: list.total,
        page: list.page,
        per_page: list.per_page,
    })
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
        pending: rows(&store, store.pending_exceptions(page, 25).await?).await?,
        active: rows(&store, store.active_exceptions(page, 25).await?).await?,
        expiring: rows(
            &store,
            store.expiring_exceptions(EXPIRING_DAYS, page, 25).await?,
        )
        .await?,
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
