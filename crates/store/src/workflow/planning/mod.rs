//! Campaign planning: turns a campaign's findings into work items.
//!
//! For every repository in the campaign's scope, the repository is read once from its
//! checkout: the policy crate groups every failing instance of the campaign's policies into
//! fix sites and proves each fix ([`redress_policy::fix::plan`]); the index crate locates each
//! finding (state ids/ARNs, scanner file:line, tags) with the policy-aware fix-site hint.
//! Findings are then attached to the fix that covers their resource, so one item carries
//! both `count` instances, every caller of one module input, and the same finding reported
//! by two scanners. Items get the CODEOWNERS owners of their file and, when the generated fix
//! verified, a fix proposal. Findings that cannot be placed are reported as unmapped with the
//! reason, and the whole outcome is recorded as a `campaign.plan` audit event, which is where
//! [`Store::campaign_unmapped`] reads the reasons back from.
use std::{path::PathBuf, sync::OnceLock};

use redress_policy::Catalog;
use redress_types::{
    Campaign, CampaignScope, CampaignSource, Repository, RootState, UserSummary, WorkItemState,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::{
    AddedWorkItems, CampaignFinding, NewCampaign, NewFixProposal, NewFixSite,
    audit::{Actor, AuditEntry},
    campaigns::{campaign_findings_in, find_campaign, to_campaign, validate_new_campaign},
    entities::audit_event,
    glob,
    repositories::relative_path,
};
use crate::{Store, StoreError};

mod repository;

use repository::{RepoInput, plan_repository};

/// Most unmapped findings recorded with their reasons in one plan event.
pub const MAX_RECORDED_UNMAPPED: usize = 1_000;

/// A finding that planning could not turn into a work item, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmappedFinding {
    /// The finding.
    pub finding_id: i64,
    /// The tool's rule id, for the list.
    pub rule_id: String,
    /// The finding's resource (id, ARN or file), when it has one.
    pub resource: Option<String>,
    /// A sentence for people.
    pub reason: String,
}

/// What [`Store::plan_campaign`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReport {
    /// Open findings the campaign covers.
    pub findings: u64,
    /// Findings attached to a work item.
    pub placed: u64,
    /// Repositories read.
    pub repositories: u64,
    /// Items created.
    pub items_created: u64,
    /// Fix sites that joined an existing item.
    pub items_merged: u64,
    /// Fix sites left out by the repository glob or team scope.
    pub out_of_scope: u64,
    /// Verified fixes proposed on items.
    pub fixes_proposed: u64,
    /// Findings not placed, with the reason (at most [`MAX_RECORDED_UNMAPPED`] kept).
    pub unmapped: Vec<UnmappedFinding>,
    /// All findings not placed (the list above may be cut).
    pub unmapped_total: u64,
}

/// A policy of the built-in catalog, as the campaign form lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyChoice {
    /// Canonical id (`RDX-RDS-001`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// `info` … `critical`.
    pub severity: String,
}

/// Every policy of the built-in catalog, by id, for choosing a campaign's policy set.
pub fn policy_choices() -> Result<Vec<PolicyChoice>, StoreError> {
    let mut out: Vec<PolicyChoice> = builtin_catalog()?
        .policies()
        .iter()
        .map(|p| PolicyChoice {
            id: p.id.as_str().to_owned(),
            title: p.title.clone(),
            severity: p.severity.as_str().to_owned(),
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn builtin_catalog() -> Result<&'static Catalog, StoreError> {
    static CATALOG: OnceLock<Result<Catalog, String>> = OnceLock::new();
    CATALOG
        .get_or_init(|| Catalog::builtin().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| StoreError::Conflict(format!("the policy catalog cannot be loaded: {e}")))
}

/// A plan worked out but not yet written: the fix sites to add, the verified fixes to
/// propose on them, and the report so far (items and proposals are counted when written).
struct ComputedPlan {
    sites: Vec<NewFixSite>,
    proposals: Vec<(NewFixSite, NewFixProposal)>,
    report: PlanReport,
}

impl Store {
    /// Plans a draft or active campaign: locates its findings in the repositories in scope,
    /// groups them by fix site into work items (assigned from CODEOWNERS), proposes each
    /// verified fix with `actor` as its author, and records the outcome (with the unmapped
    /// findings and their reasons) as a `campaign.plan` audit event. Running it again adds
    /// what is new and leaves items already being worked alone. Everything it writes is one
    /// transaction: a planning run that fails leaves the campaign as it was.
    pub async fn plan_campaign(
        &self,
        actor: &UserSummary,
        campaign_id: i64,
    ) -> Result<PlanReport, StoreError> {
        let campaign = to_campaign(find_campaign(&self.db, campaign_id).await?)?;
        let computed = self
            .compute_plan(
                &campaign.source,
                &campaign.scope,
                &format!("campaign {campaign_id}"),
            )
            .await?;
        let txn = self.db.begin().await?;
        let report = self.write_plan(&txn, actor, campaign_id, computed).await?;
        txn.commit().await?;
        Ok(report)
    }

    /// Creates a campaign (in `draft`, like [`Store::create_campaign`]) and plans it, in one
    /// transaction: when planning cannot be written, no campaign is left behind.
    pub async fn create_and_plan_campaign(
        &self,
        actor: &UserSummary,
        new: NewCampaign,
    ) -> Result<(Campaign, PlanReport), StoreError> {
        let new = validate_new_campaign(new)?;
        let computed = self
            .compute_plan(&new.source, &new.scope, &format!("campaign {:?}", new.name))
            .await?;
        let txn = self.db.begin().await?;
        let campaign = self.create_campaign_in(&txn, actor, new).await?;
        let report = self.write_plan(&txn, actor, campaign.id, computed).await?;
        txn.commit().await?;
        Ok((campaign, report))
    }

    /// Reads the findings and repositories a campaign with this source and scope covers and
    /// plans every repository (on a blocking thread). Writes nothing.
    async fn compute_plan(
        &self,
        source: &CampaignSource,
        scope: &CampaignScope,
        what: &str,
    ) -> Result<ComputedPlan, StoreError> {
        let findings = campaign_findings_in(&self.db, source, scope).await?;
        let catalog = builtin_catalog()?;
        let mut policies: Vec<String> = match source {
            CampaignSource::PolicySet { policies } => policies.clone(),
            CampaignSource::Filter { .. } => findings
                .iter()
                .filter_map(|f| f.policy_id.clone())
                .collect(),
        };
        policies.sort();
        policies.dedup();
        let policy_refs: Vec<&str> = policies.iter().map(String::as_str).collect();
        let catalog = catalog.subset(&policy_refs);

        let mut inputs = Vec::new();
        for repo in self.list_repositories().await? {
            if let Some(g) = &scope.repository_glob
                && !glob::matches(g, &repo.name)
            {
                continue;
            }
            inputs.push(self.repo_input(&repo).await?);
        }
        let mut report = PlanReport {
            findings: findings.len() as u64,
            ..PlanReport::default()
        };
        if inputs.is_empty() {
            let reason = "no registered repository matches the campaign's scope".to_owned();
            report.unmapped_total = findings.len() as u64;
            report.unmapped = findings
                .iter()
                .take(MAX_RECORDED_UNMAPPED)
                .map(|f| unmapped(f, reason.clone()))
                .collect();
            return Ok(ComputedPlan {
                sites: Vec::new(),
                proposals: Vec::new(),
                report,
            });
        }
        let repo_findings = findings.clone();
        let plans = tokio::task::spawn_blocking(move || {
            inputs
                .iter()
                .map(|input| plan_repository(input, &catalog, &repo_findings))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| StoreError::Conflict(format!("planning {what} stopped: {e}")))?;
        report.repositories = plans.len() as u64;

        // A finding goes to the first repository that placed it.
        let mut placed = std::collections::BTreeSet::new();
        let mut sites = Vec::new();
        let mut proposals: Vec<(NewFixSite, NewFixProposal)> = Vec::new();
        for plan in &plans {
            for planned in &plan.sites {
                let mut site = planned.site.clone();
                site.finding_ids.retain(|id| !placed.contains(id));
                if site.finding_ids.is_empty() {
                    continue;
                }
                placed.extend(site.finding_ids.iter().copied());
                if let Some(p) = &planned.proposal {
                    proposals.push((site.clone(), p.clone()));
                }
                sites.push(site);
            }
        }
        report.placed = placed.len() as u64;
        for f in &findings {
            if placed.contains(&f.id) {
                continue;
            }
            let reason = plans
                .iter()
                .find_map(|p| p.missed.get(&f.id).cloned())
                .unwrap_or_else(|| "not found in any repository in scope".to_owned());
            report.unmapped_total += 1;
            if report.unmapped.len() < MAX_RECORDED_UNMAPPED {
                report.unmapped.push(unmapped(f, reason));
            }
        }
        Ok(ComputedPlan {
            sites,
            proposals,
            report,
        })
    }

    /// Writes a computed plan inside `txn`: the work items, the fix proposals on items still
    /// open, and the `campaign.plan` audit event with the final report.
    async fn write_plan(
        &self,
        txn: &DatabaseTransaction,
        actor: &UserSummary,
        campaign_id: i64,
        computed: ComputedPlan,
    ) -> Result<PlanReport, StoreError> {
        let ComputedPlan {
            sites,
            proposals,
            mut report,
        } = computed;
        let AddedWorkItems {
            created,
            merged,
            out_of_scope,
        } = self
            .add_work_items_in(txn, Some(actor), campaign_id, sites)
            .await?;
        report.items_created = created;
        report.items_merged = merged;
        report.out_of_scope = out_of_scope;

        for (site, proposal) in proposals {
            let Some(item) = find_site_item(txn, campaign_id, &site).await? else {
                continue; // left out by the team scope
            };
            if item.state == WorkItemState::Open.as_str() {
                self.propose_fix_in(txn, actor, item.id, proposal).await?;
                report.fixes_proposed += 1;
            }
        }
        AuditEntry::new("campaign.plan", "campaign", campaign_id)
            .campaign(campaign_id)
            .after(&report)
            .write(txn, self, &Actor::user(actor))
            .await?;
        Ok(report)
    }

    /// The unmapped findings of the campaign's last planning run, with their reasons.
    pub async fn campaign_unmapped(
        &self,
        campaign_id: i64,
    ) -> Result<(u64, Vec<UnmappedFinding>), StoreError> {
        find_campaign(&self.db, campaign_id).await?;
        let last = audit_event::Entity::find()
            .filter(audit_event::Column::CampaignId.eq(campaign_id))
            .filter(audit_event::Column::Action.eq("campaign.plan"))
            .order_by_desc(audit_event::Column::Id)
            .one(&self.db)
            .await?;
        let Some(event) = last else {
            return Ok((0, Vec::new()));
        };
        let report: PlanReport = event
            .after
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| {
                StoreError::Conflict(format!(
                    "campaign {campaign_id}: stored plan event is invalid: {e}"
                ))
            })?
            .unwrap_or_default();
        Ok((report.unmapped_total, report.unmapped))
    }

    async fn repo_input(&self, repo: &Repository) -> Result<RepoInput, StoreError> {
        let mut states = Vec::new();
        for root in &repo.roots {
            match &root.state {
                RootState::None => {}
                RootState::Uploaded { .. } => {
                    if let Some(text) = self.root_state_content(root.id).await? {
                        states.push((
                            format!("{} (uploaded state of {})", repo.name, root.path),
                            text,
                        ));
                    }
                }
                RootState::Path { path } => states.push((format!("path:{path}"), String::new())),
            }
        }
        Ok(RepoInput {
            id: repo.id,
            name: repo.name.clone(),
            root: repo
                .local_path
                .clone()
                .map(PathBuf::from)
                .unwrap_or_default(),
            states,
        })
    }
}

/// The item of the campaign at the site's repository, policy, file and line, if any.
async fn find_site_item<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
    site: &NewFixSite,
) -> Result<Option<super::entities::work_item::Model>, StoreError> {
    use super::entities::work_item;
    let line = i32::try_from(site.line).map_err(|_| StoreError::invalid("line", "too large"))?;
    Ok(work_item::Entity::find()
        .filter(work_item::Column::CampaignId.eq(campaign_id))
        .filter(work_item::Column::RepositoryId.eq(site.repository_id))
        .filter(work_item::Column::PolicyId.eq(&site.policy_id))
        .filter(work_item::Column::File.eq(relative_path("file", &site.file)?))
        .filter(work_item::Column::Line.eq(line))
        .one(db)
        .await?)
}

fn unmapped(f: &CampaignFinding, reason: String) -> UnmappedFinding {
    UnmappedFinding {
        finding_id: f.id,
        rule_id: f.rule_id.clone(),
        resource: f.resource.clone(),
        reason,
    }
}
