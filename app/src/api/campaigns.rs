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
    /// Owner's display name.
    pub owner: String,
    /// Progress counted by the database.
    pub progress: CampaignProgress,
}

/// A work item with its assignee's name, for lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemRow {
    /// The item.
    pub item: WorkItem,
    /// Who it is assigned to: a user's display name, `NAME (team)` or `unassigned`.
    pub assignee: String,
}

/// Someone an item can be assigned to, as the reassign control offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssigneeChoice {
    /// The form value: `user:ID`, `team:ID` or `unassigned`.
    pub value: String,
    /// What people see.
    pub label: String,
}

/// One page of a campaign's work items, and whom the caller may assign them to (empty when
/// the caller's role may not reassign).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemList {
    /// The items with their assignees' names.
    pub items: Page<WorkItemRow>,
    /// The reassign choices.
    pub assignees: Vec<AssigneeChoice>,
}

/// The form value of `assignee` (see [`AssigneeChoice::value`]).
pub fn assignee_value(assignee: &redress_types::Assignee) -> String {
    match assignee {
        redress_types::Assignee::Unassigned => "unassigned".to_owned(),
        redress_types::Assignee::User { id } => format!("user:{id}"),
        redress_types::Assignee::Team { id } => format!("team:{id}"),
    }
}

/// Parses a reassign form value (`user:ID`, `team:ID`, `unassigned`).
pub fn parse_assignee(value: &str) -> Result<redress_types::Assignee, AppError> {
    use redress_types::Assignee;
    let bad = || {
        AppError::invalid(
            "assignee",
            format!("{value:?} is not a user, a team or \"unassigned\""),
        )
    };
    match value.trim().split_once(':') {
        None if value.trim() == "unassigned" => Ok(Assignee::Unassigned),
        Some(("user", id)) => id
            .parse()
            .map(|id| Assignee::User { id })
            .map_err(|_| bad()),
        Some(("team", id)) => id
            .parse()
            .map(|id| Assignee::Team { id })
            .map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// The roles that reassign work items by hand: security and admin. They run campaigns and
/// answer for who works what; developers work the items they are given (CODEOWNERS or a
/// lead), and managers change nothing. A developer who should not own an item asks a lead.
#[cfg(feature = "ssr")]
pub(crate) const REASSIGN_ROLES: &[redress_types::Role] =
    &[redress_types::Role::Security, redress_types::Role::Admin];

/// Whom `user` may assign items to: nobody, each team, each developer, security engineer
/// and admin (managers change nothing, so no work goes to them). Empty when `user`'s role
/// may not reassign.
#[cfg(feature = "ssr")]
pub(crate) async fn assignee_choices(
    store: &redress_store::Store,
    user: &redress_types::UserSummary,
) -> Result<Vec<AssigneeChoice>, AppError> {
    use redress_types::Role;
    if !REASSIGN_ROLES.contains(&user.role) {
        return Ok(Vec::new());
    }
    let mut choices = vec![AssigneeChoice {
        value: "unassigned".into(),
        label: "nobody (unassigned)".into(),
    }];
    for team in store.list_teams().await? {
        choices.push(AssigneeChoice {
            value: format!("team:{}", team.id),
            label: format!("{} (team)", team.name),
        });
    }
    let users = store.list_users().await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let names = store.names(ids, []).await?;
    for u in users
        .into_iter()
        .filter(|u| matches!(u.role, Role::Developer | Role::Security | Role::Admin))
    {
        if store.active_user(u.id).await?.is_none() {
            continue;
        }
        choices.push(AssigneeChoice {
            value: format!("user:{}", u.id),
            label: format!("{} <{}>", names.user(u.id), u.email),
        });
    }
    Ok(choices)
}

/// `items` with their assignees' names.
#[cfg(feature = "ssr")]
pub(crate) async fn with_names(
    store: &redress_store::Store,
    items: Page<WorkItem>,
) -> Result<Page<WorkItemRow>, AppError> {
    let names = store
        .assignee_names(items.items.iter().map(|i| &i.assignee))
        .await?;
    Ok(Page {
        items: items
            .items
            .into_iter()
            .map(|item| WorkItemRow {
                assignee: names.assignee(&item.assignee),
                item,
            })
            .collect(),
        total: items.total,
        page: items.page,
        per_page: items.per_page,
    })
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
    let owner = store
        .names([campaign.owner_id], [])
        .await?
        .user(campaign.owner_id);
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
    let (campaign, report) = store.create_and_plan_campaign(&user, new).await?;
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

/// A campaign's work items, one per fix site, one page, with their assignees' names (every
/// role), and whom the caller may reassign them to (security and admin).
#[server(endpoint = "campaigns/items")]
pub async fn campaign_items(id: i64, page: u64) -> Result<WorkItemList, AppError> {
    let user = crate::ssr::require_user().await?;
    let store = crate::ssr::state()?.store;
    let items = store.campaign_work_items(id, None, page, PER_PAGE).await?;
    Ok(WorkItemList {
        items: with_names(&store, items).await?,
        assignees: assignee_choices(&store, &user).await?,
    })
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
pub async fn my_work(page: u64) -> Result<Page<WorkItemRow>, AppError> {
    let user = crate::ssr::require_user().await?;
    let store = crate::ssr::state()?.store;
    let items = store.my_work(user.id, page, PER_PAGE).await?;
    with_names(&store, items).await
}

/// Assigns a work item by hand to `assignee` (`user:ID`, `team:ID` or `unassigned`);
/// security and admin only (see [`REASSIGN_ROLES`] for why). Audited by the store with the
/// names before and after.
#[server(endpoint = "campaigns/reassign_item")]
pub async fn reassign_item(id: i64, assignee: String) -> Result<WorkItemRow, AppError> {
    let user = crate::ssr::require_role(REASSIGN_ROLES, "reassign work items").await?;
    let to = parse_assignee(&assignee).inspect_err(|e| crate::ssr::set_status(e.status()))?;
    let store = crate::ssr::state()?.store;
    let item = store.reassign_work_item(&user, id, to).await?;
    let name = store
        .assignee_names([&item.assignee])
        .await?
        .assignee(&item.assignee);
    Ok(WorkItemRow {
        item,
        assignee: name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use redress_types::Assignee;

    #[test]
    fn assignee_values_round_trip_and_bad_ones_name_the_value() {
        for a in [
            Assignee::Unassigned,
            Assignee::User { id: 3 },
            Assignee::Team { id: 12 },
        ] {
            assert_eq!(parse_assignee(&assignee_value(&a)).ok(), Some(a));
        }
        for bad in ["", "user:", "user:x", "group:1", "somebody"] {
            let err = parse_assignee(bad).expect_err(bad);
            assert!(
                matches!(&err, AppError::Invalid { field, message } if field == "assignee" && message.contains(&format!("{bad:?}"))),
                "{bad}: {err}"
            );
        }
    }
}
