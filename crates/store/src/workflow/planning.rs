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
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use redress_forge::{ANY_FORGE_LOCATIONS, CodeOwners, CodeOwnersSyntax};
use redress_iac::{LocateOutcome, LocateQuery, Locator, State};
use redress_policy::{Catalog, Fix, PolicyFixSiteHint, Repo, fix};
use redress_types::{
    CampaignSource, Repository, RootState, UserSummary, VerificationStatus, WorkItemState,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde::{Deserialize, Serialize};

use super::{
    AddedWorkItems, CampaignFinding, NewFixProposal, NewFixSite,
    audit::{Actor, AuditEntry},
    campaigns::{find_campaign, to_campaign},
    entities::audit_event,
    glob,
    repositories::relative_path,
};
use crate::{Store, StoreError};

/// Most unmapped findings recorded with their reasons in one plan event.
pub const MAX_RECORDED_UNMAPPED: usize = 1_000;
/// Largest CODEOWNERS file read.
const MAX_CODEOWNERS_BYTES: u64 = 512 * 1024;

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

/// `(policy, file, line)` of a fix site found by locate alone.
type SiteKey = (String, String, u32);

/// One repository as planning reads it: where it is and its root states.
struct RepoInput {
    id: i64,
    name: String,
    root: PathBuf,
    /// `(source name, tfstate JSON)`.
    states: Vec<(String, String)>,
}

/// A fix site found in one repository, with the fix to propose when it verified.
#[derive(Debug)]
struct PlannedSite {
    site: NewFixSite,
    proposal: Option<NewFixProposal>,
}

/// What one repository gave.
#[derive(Debug, Default)]
struct RepoPlan {
    sites: Vec<PlannedSite>,
    /// Finding id → why it is not placed in this repository.
    missed: BTreeMap<i64, String>,
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

impl Store {
    /// Plans a draft or active campaign: locates its findings in the repositories in scope,
    /// groups them by fix site into work items (assigned from CODEOWNERS), proposes each
    /// verified fix with `actor` as its author, and records the outcome (with the unmapped
    /// findings and their reasons) as a `campaign.plan` audit event. Running it again adds
    /// what is new and leaves items already being worked alone.
    pub async fn plan_campaign(
        &self,
        actor: &UserSummary,
        campaign_id: i64,
    ) -> Result<PlanReport, StoreError> {
        let campaign = to_campaign(find_campaign(&self.db, campaign_id).await?)?;
        let findings = self.campaign_findings(campaign_id).await?;
        let catalog = builtin_catalog()?;
        let mut policies: Vec<String> = match &campaign.source {
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
            if let Some(g) = &campaign.scope.repository_glob
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
            self.record_plan(actor, campaign_id, &report).await?;
            return Ok(report);
        }
        let repo_findings = findings.clone();
        let plans = tokio::task::spawn_blocking(move || {
            inputs
                .iter()
                .map(|input| plan_repository(input, &catalog, &repo_findings))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| {
            StoreError::Conflict(format!("planning campaign {campaign_id} stopped: {e}"))
        })?;
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

        let AddedWorkItems {
            created,
            merged,
            out_of_scope,
        } = self.add_work_items(Some(actor), campaign_id, sites).await?;
        report.items_created = created;
        report.items_merged = merged;
        report.out_of_scope = out_of_scope;

        for (site, proposal) in proposals {
            let Some(item) = self.find_site_item(campaign_id, &site).await? else {
                continue; // left out by the team scope
            };
            if item.state == WorkItemState::Open.as_str() {
                self.propose_fix(actor, item.id, proposal).await?;
                report.fixes_proposed += 1;
            }
        }
        self.record_plan(actor, campaign_id, &report).await?;
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

    async fn find_site_item(
        &self,
        campaign_id: i64,
        site: &NewFixSite,
    ) -> Result<Option<super::entities::work_item::Model>, StoreError> {
        use super::entities::work_item;
        let line =
            i32::try_from(site.line).map_err(|_| StoreError::invalid("line", "too large"))?;
        Ok(work_item::Entity::find()
            .filter(work_item::Column::CampaignId.eq(campaign_id))
            .filter(work_item::Column::RepositoryId.eq(site.repository_id))
            .filter(work_item::Column::PolicyId.eq(&site.policy_id))
            .filter(work_item::Column::File.eq(relative_path("file", &site.file)?))
            .filter(work_item::Column::Line.eq(line))
            .one(&self.db)
            .await?)
    }

    async fn record_plan(
        &self,
        actor: &UserSummary,
        campaign_id: i64,
        report: &PlanReport,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        AuditEntry::new("campaign.plan", "campaign", campaign_id)
            .campaign(campaign_id)
            .after(report)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

fn unmapped(f: &CampaignFinding, reason: String) -> UnmappedFinding {
    UnmappedFinding {
        finding_id: f.id,
        rule_id: f.rule_id.clone(),
        resource: f.resource.clone(),
        reason,
    }
}

/// The address without instance keys: `module.a["x"].aws_s3_bucket.b[0]` → `module.a.aws_s3_bucket.b`.
fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Reads one repository and places the findings it can. Never fails: a repository that
/// cannot be read gives every finding that reason.
fn plan_repository(input: &RepoInput, catalog: &Catalog, findings: &[CampaignFinding]) -> RepoPlan {
    let mut plan = RepoPlan::default();
    let miss_all = |plan: &mut RepoPlan, reason: String| {
        for f in findings {
            plan.missed.entry(f.id).or_insert_with(|| reason.clone());
        }
    };
    if input.root.as_os_str().is_empty() {
        miss_all(
            &mut plan,
            format!("repository {} has no local checkout yet", input.name),
        );
        return plan;
    }
    // One parse: the policies and the locator read the same index.
    let repo = match Repo::load(&input.root) {
        Ok(repo) => repo,
        Err(e) => {
            miss_all(
                &mut plan,
                format!("repository {} could not be read: {e}", input.name),
            );
            return plan;
        }
    };
    let (index, modules) = (repo.index(), repo.modules());
    let states: Vec<State> = input
        .states
        .iter()
        .filter_map(|(source, text)| match source.strip_prefix("path:") {
            Some(path) => relative_path("state", path)
                .ok()
                .and_then(|rel| State::from_path(&input.root.join(rel)).ok()),
            None => State::from_json_str(source, text).ok(),
        })
        .collect();
    let hint = PolicyFixSiteHint::new(catalog.clone());
    let locator = Locator::new(index, modules, &states).with_hint(&hint);
    let fixes = fix::plan(&repo, catalog);
    let owners = read_code_owners(&input.root);

    // One planned site per fix (or per located fix site when no fix covers the finding).
    let mut by_fix: BTreeMap<usize, Vec<i64>> = BTreeMap::new();
    let mut by_location: BTreeMap<SiteKey, (Vec<i64>, Vec<String>)> = BTreeMap::new();
    for f in findings {
        let Some(policy) = f.policy_id.as_deref() else {
            plan.missed.insert(
                f.id,
                format!("rule {} of {} maps to no Redress policy", f.rule_id, f.tool),
            );
            continue;
        };
        let query = LocateQuery {
            resource_ids: f.resource.iter().cloned().collect(),
            account: f.account.clone(),
            file: f.file.clone(),
            start_line: f.line.and_then(|l| u32::try_from(l).ok()),
            policy: Some(policy.to_owned()),
            ..LocateQuery::default()
        };
        let location = match locator.locate(&query) {
            LocateOutcome::Located(l) => l,
            LocateOutcome::Unmapped { reason } => {
                plan.missed
                    .insert(f.id, format!("{}: {reason}", input.name));
                continue;
            }
        };
        let wanted = without_keys(&location.address);
        let covering = fixes.iter().position(|fx| {
            fx.policy.as_str() == policy
                && (fx.targets.iter().any(|t| without_keys(t) == wanted)
                    || fx.fix_site.as_ref().is_some_and(|s| {
                        s.file == location.fix_site.file
                            && s.line == location.fix_site.line as usize
                    }))
        });
        match covering {
            Some(i) => by_fix.entry(i).or_default().push(f.id),
            None => {
                let entry = by_location
                    .entry((
                        policy.to_owned(),
                        location.fix_site.file.clone(),
                        location.fix_site.line,
                    ))
                    .or_default();
                entry.0.push(f.id);
                entry.1.push(location.address.clone());
            }
        }
    }
    for (i, finding_ids) in by_fix {
        let fx = &fixes[i];
        let Some(site) = fx.fix_site.clone() else {
            let reason = fx
                .reason
                .clone()
                .unwrap_or_else(|| "the fix has no single place to change".to_owned());
            for id in finding_ids {
                plan.missed.insert(id, format!("{}: {reason}", input.name));
            }
            continue;
        };
        let line = u32::try_from(site.line).unwrap_or(u32::MAX);
        plan.sites.push(PlannedSite {
            site: new_site(
                input,
                fx.policy.as_str(),
                &site.file,
                line,
                fx,
                finding_ids,
                &owners,
            ),
            proposal: fx.offered.then(|| NewFixProposal {
                patch: fx.diff.clone(),
                verification: VerificationStatus::Passed,
                verification_detail: Some(format!(
                    "generated fix verified: {}",
                    fx.verification.describe()
                )),
            }),
        });
    }
    for ((policy, file, line), (finding_ids, instances)) in by_location {
        let title = format!("{policy} at {file}:{line}");
        let mut instances = instances;
        instances.sort();
        instances.dedup();
        plan.sites.push(PlannedSite {
            site: NewFixSite {
                repository_id: input.id,
                policy_id: policy,
                code_owners: owners
                    .as_ref()
                    .map(|o| owner_names(o, &file))
                    .unwrap_or_default(),
                file,
                line,
                title,
                finding_ids,
                instances,
            },
            proposal: None,
        });
    }
    plan
}

fn new_site(
    input: &RepoInput,
    policy: &str,
    file: &str,
    line: u32,
    fx: &Fix,
    finding_ids: Vec<i64>,
    owners: &Option<CodeOwners>,
) -> NewFixSite {
    let mut instances: Vec<String> = fx
        .blast_radius
        .iter()
        .chain(fx.targets.iter())
        .cloned()
        .collect();
    instances.sort();
    instances.dedup();
    let count = fx.targets.len();
    let title = if count > 1 {
        format!("{policy}: {count} instances at {file}:{line}")
    } else {
        format!(
            "{policy}: {} at {file}:{line}",
            fx.targets.first().map_or("", String::as_str)
        )
    };
    NewFixSite {
        repository_id: input.id,
        policy_id: policy.to_owned(),
        file: file.to_owned(),
        line,
        title,
        finding_ids,
        instances,
        code_owners: owners
            .as_ref()
            .map(|o| owner_names(o, file))
            .unwrap_or_default(),
    }
}

fn owner_names(owners: &CodeOwners, file: &str) -> Vec<String> {
    owners
        .owners_for(file)
        .into_iter()
        .map(|o| o.name)
        .collect()
}

/// The repository's CODEOWNERS file from its work tree, in the first place any forge looks.
fn read_code_owners(root: &Path) -> Option<CodeOwners> {
    for location in ANY_FORGE_LOCATIONS {
        let path = root.join(location);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_CODEOWNERS_BYTES {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&path) {
            let syntax = CodeOwnersSyntax::detect(location, &text);
            return Some(CodeOwners::parse(&text, syntax));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::without_keys;

    #[test]
    fn instance_keys_are_dropped_even_when_quoted() {
        assert_eq!(without_keys("aws_s3_bucket.b[0]"), "aws_s3_bucket.b");
        assert_eq!(
            without_keys("module.a[\"x]y\"].aws_s3_bucket.b"),
            "module.a.aws_s3_bucket.b"
        );
        assert_eq!(without_keys("aws_s3_bucket.b"), "aws_s3_bucket.b");
    }
}
