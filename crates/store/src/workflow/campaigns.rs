//! Campaigns: a policy set or a saved findings filter crossed with a scope, with owner, dates
//! and a status that moves only along [`CampaignStatus::can_move_to`]; their candidate
//! findings and their progress, counted by the database.
use chrono::NaiveDate;
use redress_types::{
    Campaign, CampaignProgress, CampaignScope, CampaignSource, CampaignStatus, Page, UserSummary,
    WorkItemState,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use super::{
    audit::{Actor, AuditEntry, paging},
    entities::{campaign, work_item},
    glob,
};
use crate::{Store, StoreError, entities::user};

/// Normalized severities, lowest first; the index is the findings table's `severity_rank`.
const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];
/// Most policies one campaign can name.
const MAX_POLICIES: usize = 500;
/// Most candidate findings returned for one campaign run.
pub const MAX_CANDIDATE_FINDINGS: u64 = 100_000;

/// What is needed to create a campaign (it starts as a draft).
#[derive(Clone, Debug)]
pub struct NewCampaign {
    /// Name, 1 to 200 characters.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// The owner's user id.
    pub owner_id: i64,
    /// First day.
    pub start_date: NaiveDate,
    /// Due day, not before the start.
    pub due_date: NaiveDate,
    /// Policy set or saved filter.
    pub source: CampaignSource,
    /// Scope.
    pub scope: CampaignScope,
}

/// An open finding a campaign covers, for the job that locates findings and adds work items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignFinding {
    /// Finding id.
    pub id: i64,
    /// Canonical policy, when mapped.
    pub policy_id: Option<String>,
    /// The tool's rule id.
    pub rule_id: String,
    /// The tool.
    pub tool: String,
    /// Cloud account, for cloud findings.
    pub account: Option<String>,
    /// The primary resource (id, ARN or file).
    pub resource: Option<String>,
    /// Scanner file, for IaC findings.
    pub file: Option<String>,
    /// Scanner line (1-based), for IaC findings.
    pub line: Option<i32>,
}

impl Store {
    /// Creates a campaign in `draft`.
    pub async fn create_campaign(
        &self,
        actor: &UserSummary,
        new: NewCampaign,
    ) -> Result<Campaign, StoreError> {
        let new = validate_new_campaign(new)?;
        let txn = self.db.begin().await?;
        let created = self.create_campaign_in(&txn, actor, new).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Inserts a validated campaign (see [`validate_new_campaign`]) and its audit event
    /// inside `txn`.
    pub(crate) async fn create_campaign_in(
        &self,
        txn: &DatabaseTransaction,
        actor: &UserSummary,
        new: NewCampaign,
    ) -> Result<Campaign, StoreError> {
        if user::Entity::find_by_id(new.owner_id)
            .one(txn)
            .await?
            .is_none()
        {
            return Err(StoreError::invalid(
                "owner",
                format!("user {} does not exist", new.owner_id),
            ));
        }
        let model = campaign::ActiveModel {
            name: Set(new.name),
            description: Set(new.description),
            owner_id: Set(new.owner_id),
            start_date: Set(new.start_date),
            due_date: Set(new.due_date),
            status: Set(CampaignStatus::Draft.as_str().to_owned()),
            source: Set(to_json(&new.source)?),
            repository_glob: Set(new.scope.repository_glob.clone()),
            accounts: Set(to_json(&new.scope.accounts)?),
            teams: Set(to_json(&new.scope.teams)?),
            min_severity: Set(new.scope.min_severity.clone()),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let created = to_campaign(model)?;
        AuditEntry::new("campaign.create", "campaign", created.id)
            .campaign(created.id)
            .after(&created)
            .write(txn, self, &Actor::user(actor))
            .await?;
        Ok(created)
    }

    /// One campaign.
    pub async fn campaign(&self, id: i64) -> Result<Campaign, StoreError> {
        to_campaign(find_campaign(&self.db, id).await?)
    }

    /// Campaigns, newest first, optionally only those in `status`, one page.
    pub async fn list_campaigns(
        &self,
        status: Option<CampaignStatus>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<Campaign>, StoreError> {
        let (page, per_page) = paging(page, per_page);
        let mut select = campaign::Entity::find();
        if let Some(status) = status {
            select = select.filter(campaign::Column::Status.eq(status.as_str()));
        }
        let paginator = select
            .order_by_desc(campaign::Column::Id)
            .paginate(&self.db, per_page);
        let total = paginator.num_items().await?;
        let items = paginator
            .fetch_page(page - 1)
            .await?
            .into_iter()
            .map(to_campaign)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Moves a campaign to `to`; refused unless [`CampaignStatus::can_move_to`] allows it.
    pub async fn set_campaign_status(
        &self,
        actor: &UserSummary,
        id: i64,
        to: CampaignStatus,
    ) -> Result<Campaign, StoreError> {
        let txn = self.db.begin().await?;
        let model = find_campaign(&txn, id).await?;
        let before = to_campaign(model.clone())?;
        if !before.status.can_move_to(to) {
            return Err(StoreError::NotAllowed(format!(
                "campaign {id} ({}): cannot move from {} to {to}",
                before.name, before.status
            )));
        }
        let mut active: campaign::ActiveModel = model.into();
        active.status = Set(to.as_str().to_owned());
        let after = to_campaign(active.update(&txn).await?)?;
        AuditEntry::new("campaign.set_status", "campaign", id)
            .campaign(id)
            .before(serde_json::json!({ "status": before.status }))
            .after(serde_json::json!({ "status": after.status }))
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// The open findings the campaign covers: its policy set or saved filter, narrowed by the
    /// scope's accounts and minimum severity (repository and team scope apply to work items).
    /// At most [`MAX_CANDIDATE_FINDINGS`], by id.
    pub async fn campaign_findings(&self, id: i64) -> Result<Vec<CampaignFinding>, StoreError> {
        let c = to_campaign(find_campaign(&self.db, id).await?)?;
        campaign_findings_in(&self.db, &c.source, &c.scope).await
    }

    /// Items per state, findings open and closed, and percent done, all counted by the database.
    pub async fn campaign_progress(&self, id: i64) -> Result<CampaignProgress, StoreError> {
        find_campaign(&self.db, id).await?;
        let by_state: Vec<(String, i64)> = work_item::Entity::find()
            .select_only()
            .column(work_item::Column::State)
            .column_as(work_item::Column::Id.count(), "n")
            .filter(work_item::Column::CampaignId.eq(id))
            .group_by(work_item::Column::State)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut progress = CampaignProgress::default();
        for state in WorkItemState::ALL {
            let n = by_state
                .iter()
                .find(|(s, _)| s == state.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            progress.items_total += n;
            if state.is_done() {
                progress.items_done += n;
            }
            progress.items_by_state.push((*state, n));
        }
        // Distinct findings of this campaign's items, by finding status.
        let findings = Alias::new("findings");
        let wif = Alias::new("work_item_findings");
        let wi = Alias::new("work_items");
        let status_col = Expr::col((findings.clone(), Alias::new("status")));
        let q = Query::select()
            .expr_as(status_col.clone(), Alias::new("status"))
            .expr_as(
                Expr::col((findings.clone(), Alias::new("id"))).count_distinct(),
                Alias::new("n"),
            )
            .from(findings.clone())
            .inner_join(
                wif.clone(),
                Expr::col((wif.clone(), Alias::new("finding_id")))
                    .equals((findings.clone(), Alias::new("id"))),
            )
            .inner_join(
                wi.clone(),
                Expr::col((wi.clone(), Alias::new("id"))).equals((wif, Alias::new("work_item_id"))),
            )
            .and_where(Expr::col((wi, Alias::new("campaign_id"))).eq(id))
            .add_group_by([status_col])
            .to_owned();
        let backend = self.db.get_database_backend();
        for row in self.db.query_all_raw(backend.build(&q)).await? {
            let status: String = row.try_get("", "status")?;
            let n: i64 = row.try_get("", "n")?;
            if status == "open" {
                progress.findings_open += u64::try_from(n).unwrap_or(0);
            } else {
                progress.findings_closed += u64::try_from(n).unwrap_or(0);
            }
        }
        progress.percent_done = if progress.items_total == 0 {
            0.0
        } else {
            100.0 * progress.items_done as f64 / progress.items_total as f64
        };
        Ok(progress)
    }
}

/// The open findings a campaign with this source and scope covers (see
/// [`Store::campaign_findings`]).
pub(crate) async fn campaign_findings_in<C: ConnectionTrait>(
    db: &C,
    source: &CampaignSource,
    scope: &CampaignScope,
) -> Result<Vec<CampaignFinding>, StoreError> {
    let f = Alias::new("findings");
    let col = |name: &str| Expr::col((Alias::new("findings"), Alias::new(name)));
    let mut q = Query::select();
    q.from(f.clone())
        .columns(
            [
                "id",
                "policy_id",
                "rule_id",
                "source_tool",
                "account",
                "primary_resource",
                "file",
                "start_line",
            ]
            .map(|c| (Alias::new("findings"), Alias::new(c))),
        )
        .and_where(col("status").eq("open"))
        .order_by((f, Alias::new("id")), sea_orm::Order::Asc)
        .limit(MAX_CANDIDATE_FINDINGS);
    match source {
        CampaignSource::PolicySet { policies } => {
            q.and_where(col("policy_id").is_in(policies.iter().cloned()));
        }
        CampaignSource::Filter { filter } => {
            let nonempty = |v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            if let Some(v) = nonempty(&filter.tool) {
                q.and_where(col("source_tool").eq(v));
            }
            if let Some(v) = nonempty(&filter.severity) {
                q.and_where(col("severity").eq(v));
            }
            if let Some(v) = nonempty(&filter.account) {
                q.and_where(col("account").eq(v));
            }
            if let Some(v) = nonempty(&filter.resource_type) {
                q.and_where(col("resource_type").eq(v));
            }
            if let Some(v) = nonempty(&filter.policy) {
                q.and_where(col("policy_id").eq(v));
            }
        }
    }
    if !scope.accounts.is_empty() {
        q.and_where(col("account").is_in(scope.accounts.iter().cloned()));
    }
    if let Some(rank) = scope
        .min_severity
        .as_deref()
        .and_then(|s| SEVERITIES.iter().position(|x| *x == s))
    {
        q.and_where(col("severity_rank").gte(rank as i32));
    }
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(backend.build(&q)).await?;
    rows.into_iter()
        .map(|r| {
            Ok(CampaignFinding {
                id: r.try_get("", "id")?,
                policy_id: r.try_get("", "policy_id")?,
                rule_id: r.try_get("", "rule_id")?,
                tool: r.try_get("", "source_tool")?,
                account: r.try_get("", "account")?,
                resource: r.try_get("", "primary_resource")?,
                file: r.try_get("", "file")?,
                line: r.try_get("", "start_line")?,
            })
        })
        .collect()
}

/// Checks and normalizes a new campaign: trimmed name and policies, a valid repository
/// glob and severity, dates in order. Touches no database.
pub(crate) fn validate_new_campaign(new: NewCampaign) -> Result<NewCampaign, StoreError> {
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.len() > 200 {
        return Err(StoreError::invalid("name", "must be 1 to 200 characters"));
    }
    if new.description.len() > 10_000 {
        return Err(StoreError::invalid(
            "description",
            "is longer than 10000 characters",
        ));
    }
    if new.due_date < new.start_date {
        return Err(StoreError::invalid("due_date", "is before the start date"));
    }
    let source = match new.source {
        CampaignSource::PolicySet { policies } => {
            let mut policies: Vec<String> = policies
                .into_iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            policies.sort();
            policies.dedup();
            if policies.is_empty() {
                return Err(StoreError::invalid("policies", "name at least one policy"));
            }
            if policies.len() > MAX_POLICIES {
                return Err(StoreError::invalid(
                    "policies",
                    format!("name at most {MAX_POLICIES}"),
                ));
            }
            CampaignSource::PolicySet { policies }
        }
        CampaignSource::Filter { mut filter } => {
            filter.page = 1;
            CampaignSource::Filter { filter }
        }
    };
    let mut scope = new.scope;
    scope.repository_glob = match scope.repository_glob.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(g) => Some(glob::validate("repository_glob", g)?),
    };
    if let Some(sev) = &scope.min_severity
        && !SEVERITIES.contains(&sev.as_str())
    {
        return Err(StoreError::invalid(
            "min_severity",
            format!("must be one of {}", SEVERITIES.join(", ")),
        ));
    }
    scope.accounts.retain(|a| !a.trim().is_empty());
    Ok(NewCampaign {
        name,
        source,
        scope,
        ..new
    })
}

pub(crate) async fn find_campaign<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<campaign::Model, StoreError> {
    campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("campaign {id}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Conflict(format!("cannot encode campaign field: {e}")))
}

pub(crate) fn to_campaign(m: campaign::Model) -> Result<Campaign, StoreError> {
    let corrupt = |field: &str, e: &dyn std::fmt::Display| {
        StoreError::Conflict(format!("campaign {}: stored {field} is invalid: {e}", m.id))
    };
    let status = m
        .status
        .parse::<CampaignStatus>()
        .map_err(|e| corrupt("status", &e))?;
    let source: CampaignSource =
        serde_json::from_str(&m.source).map_err(|e| corrupt("source", &e))?;
    let accounts: Vec<String> =
        serde_json::from_str(&m.accounts).map_err(|e| corrupt("accounts", &e))?;
    let teams: Vec<i64> = serde_json::from_str(&m.teams).map_err(|e| corrupt("teams", &e))?;
    Ok(Campaign {
        id: m.id,
        name: m.name,
        description: m.description,
        owner_id: m.owner_id,
        start_date: m.start_date,
        due_date: m.due_date,
        status,
        source,
        scope: CampaignScope {
            repository_glob: m.repository_glob,
            accounts,
            teams,
            min_severity: m.min_severity,
        },
        created_at: m.created_at,
    })
}
