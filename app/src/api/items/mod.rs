//! The work-item IDE view: what one item looks like (file tree, highlighted file, offending
//! lines with the policy's notes, the suggested fix as a diff and as editable text), the live
//! re-verification of an edited fix, and the item's actions (propose, approve, request an
//! exception). Server fns are thin: a role check, then one store operation or one read of the
//! repository through [`workspace`].
#[cfg(any(feature = "ssr", test))]
pub mod diff;
mod types;
#[cfg(feature = "ssr")]
pub mod workspace;

pub use types::*;

use leptos::prelude::*;
use redress_types::{Exception, FixProposal};

use crate::error::AppError;

/// The roles that work items: propose and approve fixes, request exceptions.
#[cfg(feature = "ssr")]
const WORKERS: &[redress_types::Role] = &[
    redress_types::Role::Developer,
    redress_types::Role::Security,
    redress_types::Role::Admin,
];

/// Sets the HTTP status of an error made here (store errors set theirs when converted).
#[cfg(feature = "ssr")]
fn answered<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        crate::ssr::set_status(e.status());
    }
    result
}

/// Everything the IDE view shows for item `id`, with `file` (default: the fix-site file)
/// open in the code view. Any logged-in role.
#[server(endpoint = "items/view")]
pub async fn load_item_view(id: i64, file: Option<String>) -> Result<ItemView, AppError> {
    let user = crate::ssr::require_user().await?;
    let state = crate::ssr::state()?;
    answered(workspace::load_view(&state.store, &user, id, file).await)
}

/// Re-verifies an edited fix-site file on the server (the editor's live status). Any
/// logged-in role: it reads and changes nothing.
#[server(endpoint = "items/verify_edit")]
pub async fn verify_item_edit(id: i64, file: String, text: String) -> Result<EditStatus, AppError> {
    crate::ssr::require_user().await?;
    let state = crate::ssr::state()?;
    answered(workspace::verify(&state.store, id, &file, text).await)
}

/// Stores the (possibly edited) fix text as a new proposal by the caller, only when the
/// server's verification passes.
#[server(endpoint = "items/propose_fix")]
pub async fn propose_item_fix(
    id: i64,
    file: String,
    text: String,
) -> Result<FixProposal, AppError> {
    let user = crate::ssr::require_role(WORKERS, "propose fixes").await?;
    let state = crate::ssr::state()?;
    let proposal = answered(workspace::checked_proposal(&state.store, id, &file, text).await)?;
    Ok(state.store.propose_fix(&user, id, proposal).await?)
}

/// Approves the item's latest proposal (the store refuses the author and unverified fixes).
#[server(endpoint = "items/approve_fix")]
pub async fn approve_item_fix(id: i64) -> Result<FixProposal, AppError> {
    let user = crate::ssr::require_role(WORKERS, "approve fixes").await?;
    Ok(crate::ssr::state()?.store.approve_fix(&user, id).await?)
}

/// Requests an exception for the item (`scope` = `item`) or for its policy in its repository,
/// optionally under `path_glob` (`scope` = `policy`), until `expires_on` (`YYYY-MM-DD`, end of
/// that day UTC).
#[server(endpoint = "items/request_exception")]
pub async fn request_item_exception(
    id: i64,
    justification: String,
    scope: String,
    #[server(default)] path_glob: Option<String>,
    expires_on: String,
) -> Result<Exception, AppError> {
    let user = crate::ssr::require_role(WORKERS, "request exceptions").await?;
    let store = crate::ssr::state()?.store;
    let new = answered(
        workspace::exception_request(&store, id, justification, &scope, path_glob, &expires_on)
            .await,
    )?;
    Ok(store
        .request_exception(&user, new, &redress_store::ExceptionRules::default())
        .await?)
}
