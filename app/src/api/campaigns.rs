//! Campaigns: the list, the new-campaign form (which also plans the work items), one
//! campaign's detail, its status moves and audit log, and "My work".
#![expect(
    clippy::too_many_arguments,
    reason = "create_campaign takes one argument per form field, so the form works without JavaScript"
)]
use leptos::prelude::*;
use redress_types::{AuditEvent, Campaign, CampaignProgress, Page, Team, UserSummary, WorkItem};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Rows per page in the campaign lists.
pub const PER_PAGE: u64 = 25;

/// A campaign with its progress, for lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignRow {
    /// The campaign.
    pub campaign: Campaign,
    /// Owner's e-mail.
    pub owner: String,
    /// Progress counted by the database.
    pub progress: CampaignProgress,
}

/// A policy the form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOption {
    /// Canonical id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity name.
    pub severity: String,
}

/// What the new-campaign form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignFormOptions {
    /// The built-in policies.
    pub policies: Vec<PolicyOption>,
    /// Possible owners.
    pub users: Vec<UserSummary>,
    /// Teams for the scope.
    pub teams: Vec<Team>,
    /// Today on the server's clock: the default start date (the browser has no clock in wasm).
    pub today: chrono::NaiveDate,
}

/// A finding planning could not place, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmappedView {
    /// Finding id.
    pub finding_id: i64,
    /// The tool's rule id.
    pub rule_id: String,
    /// Resource id, ARN or file.
    pub resource: Option<String>,
    /// Why.
    pub reason: String,
}

/// One campaign's page: the campaign, progress and the unmapped findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignView {
    /// The campaign, owner and progress.
    pub row: CampaignRow,
    /// All unmapped findings of the last planning run.
    pub unmapped_total: u64,
    /// The first of them, with reasons.
    pub unmapped: Vec<UnmappedView>,
}

/// What planning did, for the message after creating or re-planning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// The campaign.
    pub campaign_id: i64,
    /// Findings covered.
    pub findings: u64,
    /// Findings placed on items.
    pub placed: u64,
    /// Items created.
    pub items_created: u64,
    /// Verified fixes proposed.
    pub fixes_proposed: u64,
    /// Findings left unmapped.
    pub unmapped: u64,
}

/// Roles that run campaigns.
#[cfg(feature = "ssr")]
const CAMPAIGN_ROLES: &[redress_types::Role] =
    &[redress_types::Role::Security, redress_types::Role::Admin];

#[cfg(feature = "ssr")]
async fn row(store: &redress_store::Store, campaign: Campaign) -> Result<CampaignRow, AppError> {
    let progress = store.campaign_progress(campaign.id).await?;
    let owner = match store.active_user(campaign.owner_id).await? {
        Some(u) => u.email,
        None => format!("user {}", campaign.owner_id),
    };
    Ok(CampaignRow {
        campaign,
        owner,
        progress,
    })
}

#[cfg(feature = "ssr")]
fn summary(campaign_id: i64, r: &redress_store::PlanReport) -> PlanSummary {
    PlanSummary {
        campaign_id,
        findings: r.findings,
        placed: r.placed,
        items_created: r.items_created,
        fixes_proposed: r.fixes_proposed,
        unmapped: r.unmapped_total,
    }
}

/// Campaigns, newest first, with progress (every role reads them).
#[server(endpoint = "campaigns/list")]
pub async fn list_campaigns(page: u64) -> Result<Page<CampaignRow>, AppError> {
    crate::ssr::require_user().await?;
    let store = crate::ssr::state()?.store;
    let campaigns = store.list_campaigns(None, page, PER_PAGE).await?;
    let mut items = Vec::with_capacity(campaigns.items.len());
    for c in campaigns.items {
        items.push(row(&store, c).await?);
    }
    Ok(Page {
        items,
        total: campaigns.total,
        page: campaigns.page,
        per_page: campaigns.per_page,
    })
}

/// Policies, users and teams for the new-campaign form (security and admin).
#[server(endpoint = "campaigns/form_choices")]
pub async fn campaign_form_choices() -> Result<CampaignFormOptions, AppError> {
    crate::ssr::require_role(CAMPAIGN_ROLES, "create campaigns").await?;
    let store = crate::ssr::state()?.store;
    let policies = redress_store::policy_choices()?
        .into_iter()
        .map(|p| PolicyOption {
            id: p.id,
            title: p.title,
            severity: p.severity,
        })
        .collect();
    Ok(CampaignFormOptions {
        policies,
        users: store.list_users().await?,
        teams: store.list_teams().await?,
        today: store.now().date_naive(),
    })
}

/// Creates a campaign (security and admin) and plans its work items; answers what planning did.
/// `source` is `policies` (the checked `policies`) or `filter` (the `filter_*` fields).
#[server(endpoint = "campaigns/create")]
pub async fn create_campaign(
    name: String,
    description: String,
    owner_id: i64,
    start_date: String,
    due_date: String,
    source: String,
    policies: Option<Vec<String>>,
    filter_tool: Option<String>,
    filter_severity: Option<String>,
    filter_account: Option<String>,
    filter_policy: Option<String>,
    repository_glob: Option<String>,
    accounts: Option<String>,
    teams: Option<Vec<i64>>,
    min_severity: Option<String>,
) -> Result<PlanSummary, AppError> {
    use redress_types::{CampaignScope, CampaignSource, FindingQuery};
    let user = crate::ssr::require_role(CAMPAIGN_ROLES, "create campaigns").await?;
    let date = |field: &str, v: &str| {
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid(field, "must be a date (YYYY-MM-DD)"))
    };
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let source = match source.as_str() {
        "policies" => CampaignSource::PolicySet {
            policies: policies.unwrap_or_default(),
        },
        "filter" => CampaignSource::Filter {
            filter: FindingQuery {
                tool: nonempty(filter_tool),
                severity: nonempty(filter_severity),
                account: nonempty(filter_account),
                policy: nonempty(filter_policy),
                status: Some("open".into()),
                ..FindingQuery::default()
            },
        },
        _ => {
            return Err(AppError::invalid(
                "source",
                "choose a policy set or a findings filter",
            ));
        }
    };
    let new = redress_store::NewCampaign {
        name,
        description,
        owner_id,
        start_date: date("start_date", &start_date)?,
        due_date: date("due_date", &due_date)?,
        source,
        scope: CampaignScope {
            repository_glob: nonempty(repository_glob),
            accounts: accounts
                .unwrap_or_default()
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            teams: teams.unwrap_or_default(),
            min_severity: nonempty(min_severity),
        },
    };
    let store = crate::ssr::state()?.store;
    let campaign = store.create_campaign(&user, new).await?;
    let report = store.plan_campaign(&user, campaign.id).await?;
    leptos_axum::redirect(&format!("/campaigns/{}", campaign.id));
    Ok(summary(campaign.id, &report))
}

/// One campaign with progress and its unmapped findings (every role).
#[server(endpoint = "campaigns/detail")]
pub async fn campaign_detail(id: i64) -> Result<CampaignView, AppError> {
    crate::ssr::require_user().await?;
    let store = crate::ssr::state()?.store;
    let campaign = store.campaign(id).await?;
    let (unmapped_total, unmapped) = store.campaign_unmapped(id).await?;
    Ok(CampaignView {
        row: row(&store, campaign).await?,
        unmapped_total,
        unmapped: unmapped
            .into_iter()
            .take(200)
            .map(|u| UnmappedView {
                finding_id: u.finding_id,
                rule_id: u.rule_id,
                resource: u.resource,
                reason: u.reason,
            })
            .collect(),
    })
}

/// A campaign's work items, one per fix site, one page (every role).
#[server(endpoint = "campaigns/items")]
pub async fn campaign_items(id: i64, page: u64) -> Result<Page<WorkItem>, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?
        .store
        .campaign_work_items(id, None, page, PER_PAGE)
        .await?)
}

/// Moves a campaign along draft → active → completed → archived (security and admin).
#[server(endpoint = "campaigns/set_status")]
pub async fn set_campaign_status(id: i64, status: String) -> Result<Campaign, AppError> {
    let user = crate::ssr::require_role(CAMPAIGN_ROLES, "change campaigns").await?;
    let to: redress_types::CampaignStatus = status
        .parse()
        .map_err(|e: redress_types::UnknownName| AppError::invalid("status", e.to_string()))?;
    Ok(crate::ssr::state()?
        .store
        .set_campaign_status(&user, id, to)
        .await?)
}

/// Plans a campaign again after new imports or repositories (security and admin).
#[server(endpoint = "campaigns/plan")]
pub async fn plan_campaign(id: i64) -> Result<PlanSummary, AppError> {
    let user = crate::ssr::require_role(CAMPAIGN_ROLES, "plan campaigns").await?;
    let report = crate::ssr::state()?.store.plan_campaign(&user, id).await?;
    Ok(summary(id, &report))
}

/// A campaign's audit log, newest first, one page (every role).
#[server(endpoint = "campaigns/audit")]
pub async fn campaign_audit(id: i64, page: u64) -> Result<Page<AuditEvent>, AppError> {
    crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?
        .store
        .campaign_audit(id, page, PER_PAGE)
        .await?)
}

/// The caller's open items and their teams' (every role; managers usually have none).
#[server(endpoint = "campaigns/my_work")]
pub async fn my_work(page: u64) -> Result<Page<WorkItem>, AppError> {
    let user = crate::ssr::require_user().await?;
    Ok(crate::ssr::state()?
        .store
        .my_work(user.id, page, PER_PAGE)
        .await?)
}
