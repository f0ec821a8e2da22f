//! Findings and imports: the lists and detail every logged-in role may read. Importing
//! itself is a plain multipart POST (`/imports/upload`), handled in the server crate.
use leptos::prelude::*;
use redress_types::{FindingDetail, FindingFacets, FindingQuery, FindingRow, ImportRecord, Page};

use crate::error::AppError;

/// One page of the import history, newest first.
#[server]
pub async fn list_imports(page: u64) -> Result<Page<ImportRecord>, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?.store.list_imports(page, 20).await?)
}

/// One import of the history (the result shown after an upload).
#[server]
pub async fn get_import(id: i64) -> Result<ImportRecord, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?.store.get_import(id).await?)
}

/// One page of findings with the query's filters and order.
#[server]
pub async fn list_findings(query: FindingQuery) -> Result<Page<FindingRow>, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?.store.list_findings(&query).await?)
}

/// Everything about one finding.
#[server]
pub async fn get_finding(id: i64) -> Result<FindingDetail, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?.store.finding_detail(id).await?)
}

/// The values the filter menus offer.
#[server]
pub async fn filter_options() -> Result<FindingFacets, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?.store.finding_facets().await?)
}
