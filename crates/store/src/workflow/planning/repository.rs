//! Planning one repository: read it once, locate the campaign's findings, group them by fix
//! site and attach each verified fix. Pure: no database, so it runs on a blocking thread.
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use redress_forge::{ANY_FORGE_LOCATIONS, CodeOwners, CodeOwnersSyntax};
use redress_iac::{LocateOutcome, LocateQuery, Locator, State};
use redress_policy::{Catalog, Fix, PolicyFixSiteHint, Repo, fix};
use redress_types::VerificationStatus;

use crate::workflow::{CampaignFinding, NewFixProposal, NewFixSite, repositories::relative_path};

/// Largest CODEOWNERS file read.
const MAX_CODEOWNERS_BYTES: u64 = 512 * 1024;

/// `(policy, file, line)` of a fix site found by locate alone.
type SiteKey = (String, String, u32);

/// One repository as planning reads it: where it is and its root states.
pub(super) struct RepoInput {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) root: PathBuf,
    /// `(source name, tfstate JSON)`.
    pub(super) states: Vec<(String, String)>,
}

/// A fix site found in one repository, with the fix to propose when it verified.
#[derive(Debug)]
pub(super) struct PlannedSite {
    pub(super) site: NewFixSite,
    pub(super) proposal: Option<NewFixProposal>,
}

/// What one repository gave.
#[derive(Debug, Default)]
pub(super) struct RepoPlan {
    pub(super) sites: Vec<PlannedSite>,
    /// Finding id → why it is not placed in this repository.
    pub(super) missed: BTreeMap<i64, String>,
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
pub(super) fn plan_repository(
    input: &RepoInput,
    catalog: &Catalog,
    findings: &[CampaignFinding],
) -> RepoPlan {
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
