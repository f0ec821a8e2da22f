//! `POST /api/v1/imports` (bearer token) and `POST /imports/upload` (session, HTML form).
use app::{error::AppError, ssr::AppState};
use axum::{
    Json,
    body::Body,
    extract::{FromRequest, Multipart, Query, State},
    http::{HeaderMap, Request, header},
    response::{IntoResponse, Redirect, Response},
};
use redress_ingest::{Format, Limits};
use redress_store::{DEFAULT_MAX_IMPORT_BYTES, ImportRequest, StoreError};
use redress_types::{ImportSummary, Role, UserSummary};
use serde::Deserialize;
use tower_sessions::Session;

use super::upload::{Spooled, clean_file_name, multipart_error, spool_body, spool_field};

/// The environment variable holding the upload size limit in bytes.
pub const MAX_IMPORT_BYTES_ENV: &str = "REDRESS_MAX_IMPORT_BYTES";

/// Roles that may import findings.
const IMPORTERS: [Role; 2] = [Role::Security, Role::Admin];

/// The upload size limit: `REDRESS_MAX_IMPORT_BYTES`, or 1 GiB. `redress serve` checks it
/// at start-up (so a bad value stops the server with this error) and every import reads
/// it again.
pub fn max_import_bytes() -> Result<u64, String> {
    match std::env::var(MAX_IMPORT_BYTES_ENV) {
        Err(std::env::VarError::NotPresent) => parse_max_import_bytes(None),
        Err(std::env::VarError::NotUnicode(raw)) => {
            parse_max_import_bytes(Some(&raw.to_string_lossy()))
        }
        Ok(text) => parse_max_import_bytes(Some(&text)),
    }
}

/// The limit a value of `REDRESS_MAX_IMPORT_BYTES` gives: unset means 1 GiB; anything but a
/// whole number of bytes above zero is a one-line error naming the variable and the value.
pub fn parse_max_import_bytes(value: Option<&str>) -> Result<u64, String> {
    let Some(text) = value else {
        return Ok(DEFAULT_MAX_IMPORT_BYTES);
    };
    match text.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{MAX_IMPORT_BYTES_ENV}={text:?} is not a positive whole number of bytes (for example 1073741824 for 1 GiB)"
        )),
    }
}

fn limit() -> Result<u64, AppError> {
    max_import_bytes().map_err(|e| AppError::Internal(app::ssr::log_internal(&e)))
}

/// Query parameters of the REST endpoint.
#[derive(Debug, Default, Deserialize)]
pub struct ImportParams {
    /// Format name; absent or `auto` to detect.
    pub format: Option<String>,
    /// `true` for a full import.
    #[serde(default)]
    pub full: bool,
    /// Repository the IaC findings belong to.
    pub repository: Option<String>,
    /// File name for the history (raw bodies have none).
    pub name: Option<String>,
}

fn parse_format(text: Option<&str>) -> Result<Option<Format>, AppError> {
    match text
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("auto"))
    {
        None => Ok(None),
        Some(t) => t
            .parse::<Format>()
            .map(Some)
            .map_err(|e| AppError::invalid("format", e.to_string())),
    }
}

fn repository(text: Option<String>) -> Option<String> {
    text.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty())
}

fn check_importer(user: &UserSummary) -> Result<(), AppError> {
    if IMPORTERS.contains(&user.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden {
            role: user.role.to_string(),
            action: "import findings".into(),
        })
    }
}

async fn bearer_user(state: &AppState, headers: &HeaderMap) -> Result<UserSummary, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.get(..7)
                .filter(|p| p.eq_ignore_ascii_case("bearer "))
                .map(|_| v[7..].trim())
        })
        .ok_or(AppError::Unauthenticated)?;
    match state.store.authenticate_token(token).await {
        Ok(user) => Ok(user),
        Err(StoreError::InvalidCredentials) => Err(AppError::Unauthenticated),
        Err(other) => Err(other.into()),
    }
}

async fn run_import(
    state: &AppState,
    spooled: Spooled,
    request: ImportRequest,
) -> Result<ImportSummary, AppError> {
    let Spooled { file, bytes, temp } = spooled;
    tracing::info!(file = %request.file_name, bytes, "importing findings");
    let result = state.store.import_findings(file, request).await;
    drop(temp);
    Ok(result?)
}

fn request_for(
    user: &UserSummary,
    file_name: String,
    format: Option<Format>,
    full: bool,
    repository: Option<String>,
    limit: u64,
) -> ImportRequest {
    let mut request = ImportRequest::new(file_name);
    request.format = format;
    request.full = full;
    request.repository = repository;
    request.user_id = Some(user.id);
    request.limits = Limits { max_bytes: limit };
    request
}

/// `POST /api/v1/imports`: a findings file as the raw body or as the multipart part `file`,
/// authenticated only by `Authorization: Bearer <token>` of a security or admin user.
/// Answers the [`ImportSummary`] as JSON, or `{"error": …}` with the status of the error.
pub async fn api_import(
    State(state): State<AppState>,
    Query(params): Query<ImportParams>,
    request: Request<Body>,
) -> Result<Json<ImportSummary>, AppError> {
    let user = bearer_user(&state, request.headers()).await?;
    check_importer(&user)?;
    let format = parse_format(params.format.as_deref())?;
    let limit = limit()?;
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (spooled, file_name) = if is_multipart {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| AppError::invalid("file", e.body_text()))?;
        let mut found = None;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| multipart_error(&e, limit))?
        {
            if field.name() == Some("file") {
                let name = clean_file_name(field.file_name().or(params.name.as_deref()));
                found = Some((spool_field(field, limit).await?, name));
                break;
            }
        }
        found.ok_or_else(|| {
            AppError::invalid("file", "the multipart body has no part named \"file\"")
        })?
    } else {
        (
            spool_body(request.into_body(), limit).await?,
            clean_file_name(params.name.as_deref()),
        )
    };
    let request = request_for(
        &user,
        file_name,
        format,
        params.full,
        repository(params.repository),
        limit,
    );
    Ok(Json(run_import(&state, spooled, request).await?))
}

/// The form fields of the browser upload, besides the file.
#[derive(Debug, Default)]
struct UploadForm {
    format: Option<String>,
    full: bool,
    repository: Option<String>,
}

/// `POST /imports/upload`: the Imports page's multipart form (`file`, `format`, `full`,
/// `repository`), for a logged-in security or admin user. Works without JavaScript: it
/// redirects back to `/imports` showing the result. With `Accept: application/json` (the
/// page's progress-bar upload) it answers JSON like the REST endpoint.
pub async fn browser_upload(
    State(state): State<AppState>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let wants_json = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let result = upload(&state, &session, request).await;
    match (result, wants_json) {
        (Ok(summary), true) => Json(summary).into_response(),
        (Err(e), true) => e.into_response(),
        (Ok(summary), false) => {
            Redirect::to(&format!("/imports?import={}", summary.import_id)).into_response()
        }
        (Err(AppError::Unauthenticated), false) => {
            Redirect::to("/login?next=/imports").into_response()
        }
        (Err(e), false) => Redirect::to(&format!(
            "/imports?error={}",
            percent_encode(&e.to_string())
        ))
        .into_response(),
    }
}

async fn upload(
    state: &AppState,
    session: &Session,
    request: Request<Body>,
) -> Result<ImportSummary, AppError> {
    let user_id: Option<i64> = session
        .get(app::ssr::SESSION_USER_ID)
        .await
        .map_err(|e| AppError::Internal(app::ssr::log_internal(&e)))?;
    let user = match user_id {
        Some(id) => state
            .store
            .active_user(id)
            .await?
            .ok_or(AppError::Unauthenticated)?,
        None => return Err(AppError::Unauthenticated),
    };
    check_importer(&user)?;
    let limit = limit()?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| AppError::invalid("file", e.body_text()))?;
    let mut form = UploadForm::default();
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, limit))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = clean_file_name(field.file_name());
            let spooled = spool_field(field, limit).await?;
            if spooled.bytes > 0 || file_name != "upload" {
                file = Some((spooled, file_name));
            }
            continue;
        }
        let value = field.text().await.map_err(|e| multipart_error(&e, limit))?;
        let value = value.chars().take(500).collect::<String>();
        match name.as_str() {
            "format" => form.format = Some(value),
            "full" => form.full = matches!(value.as_str(), "on" | "true" | "1"),
            "repository" => form.repository = Some(value),
            _ => {}
        }
    }
    let (spooled, file_name) =
        file.ok_or_else(|| AppError::invalid("file", "choose a findings file to upload"))?;
    let format = parse_format(form.format.as_deref())?;
    let request = request_for(
        &user,
        file_name,
        format,
        form.full,
        repository(form.repository),
        limit,
    );
    run_import(state, spooled, request).await
}

/// Percent-encodes a query value.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes().take(1000) {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_or_name_the_known_ones() {
        assert_eq!(parse_format(None).unwrap(), None);
        assert_eq!(parse_format(Some("auto")).unwrap(), None);
        assert_eq!(
            parse_format(Some("checkov")).unwrap(),
            Some(Format::Checkov)
        );
        let err = parse_format(Some("nessus")).unwrap_err().to_string();
        assert!(err.contains("format") && err.contains("asff"), "{err}");
    }

    #[test]
    fn the_size_limit_is_a_positive_number_of_bytes_or_a_one_line_error() {
        assert_eq!(parse_max_import_bytes(None), Ok(DEFAULT_MAX_IMPORT_BYTES));
        assert_eq!(parse_max_import_bytes(Some(" 1048576 ")), Ok(1_048_576));
        for bad in ["0", "-1", "1GB", "", "1.5", "18446744073709551616"] {
            let err = parse_max_import_bytes(Some(bad)).unwrap_err();
            assert!(
                err.starts_with(&format!("REDRESS_MAX_IMPORT_BYTES={bad:?} ")),
                "{err}"
            );
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
