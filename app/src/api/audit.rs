//! The global audit log with filters, and the ReportFigures page's figures.
use leptos::prelude::*;
use redress_types::{AuditEvent, Exception, Page};
use serde::{Deserialize, Serialize};

use crate::{api::campaigns::CampaignRow, error::AppError};

/// The audit log, newest first, narrowed by the filters given (every role reads it).
/// Dates are `YYYY-MM-DD` (UTC); `until` includes that whole day.
#[server(endpoint = "audit/events")]
pub async fn audit_events(
    actor_id: Option<i64>,
    campaign_id: Option<i64>,
    action: Option<String>,
    object_type: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: u64,
) -> Result<Page<AuditEvent>, AppError> {
    crate::ssr::require_user().await?;
    let day = |field: &str,
               v: Option<String>|
     -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| Some(d.and_time(chrono::NaiveTime::MIN).and_utc()))
                .map_err(|_| AppError::invalid(field, "must be a date (YYYY-MM-DD)")),
        }
    };
    let query = redress_types::AuditQuery {
        actor_id,
        campaign_id,
        action: action.filter(|s| !s.trim().is_empty()),
        object_type: object_type.filter(|s| !s.trim().is_empty()),
        from: day("from", from)?,
        until: day("until", until)?.map(|d| d + chrono::Duration::days(1)),
        page,
        per_page: 50,
        ..Default::default()
    };
    Ok(crate::ssr::state()?.store.audit_events(&query).await?)
}

/// The ReportFigures page: campaign progress, open findings by severity, exceptions ending soon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportFigures {
    /// Campaigns that are not archived, newest first (at most 100), with progress.
    pub campaigns: Vec<CampaignRow>,
    /// `(severity, open findings)`, most severe first.
    pub open_by_severity: Vec<(String, u64)>,
    /// Exceptions ending within 14 days.
    pub expiring: Page<Exception>,
}

/// Figures for the ReportFigures page, all counted by the database (every role).
#[server(endpoint = "reports/overview")]
pub async fn reports() -> Result<ReportFigures, AppError> {
    crate::ssr::require_user().await?;
    let store = crate::ssr::state()?.store;
    let mut campaigns = Vec::new();
    for c in store.list_campaigns(None, 1, 100).await?.items {
        if c.status == redress_types::CampaignStatus::Archived {
            continue;
        }
        let progress = store.campaign_progress(c.id).await?;
        let owner = store.names([c.owner_id], []).await?.user(c.owner_id);
        campaigns.push(CampaignRow {
            campaign: c,
            owner,
            progress,
        });
    }
    let mut open_by_severity = Vec::new();
    for severity in ["critical", "high", "medium", "low", "info"] {
        let query = redress_types::FindingQuery {
            status: Some("open".into()),
            severity: Some(severity.into()),
            per_page: 1,
            ..Default::default()
        };
        open_by_severity.push((
            severity.to_owned(),
            store.list_findings(&query).await?.total,
        ));
    }
    let expiring = store
        .expiring_exceptions(crate::api::exceptions::EXPIRING_DAYS, 1, 50)
        .await?;
    Ok(ReportFigures {
        campaigns,
        open_by_severity,
        expiring,
    })
}
