//! `GET /items/{id}/patch`: a work item's fix as a unified diff to download (session login,
//! any role may read). The latest stored proposal when it passed verification, else the
//! policy engine's verified fix; either applies with `git apply` at the repository root.
use app::{error::AppError, ssr::AppState};
use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

/// Answers the patch as `text/x-diff` with `Content-Disposition: attachment`.
pub async fn item_patch(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    match patch(&state, &session, id).await {
        Ok(diff) => {
            let disposition = format!("attachment; filename=\"redress-item-{id}.patch\"");
            let mut response = diff.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/x-diff; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn patch(state: &AppState, session: &Session, id: i64) -> Result<String, AppError> {
    let user_id: Option<i64> = session
        .get(app::ssr::SESSION_USER_ID)
        .await
        .map_err(|e| AppError::Internal(app::ssr::log_internal(&e)))?;
    match user_id {
        Some(uid) => state
            .store
            .active_user(uid)
            .await?
            .ok_or(AppError::Unauthenticated)?,
        None => return Err(AppError::Unauthenticated),
    };
    app::api::items::workspace::item_patch(&state.store, id).await
}
