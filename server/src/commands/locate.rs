//! `redress locate`: map findings to the Terraform lines that define their resources.
use std::{
    collections::HashSet,
    fs::File,
    io::BufReader,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use redress_iac::{Index, LocateOutcome, LocateQuery, Locator, Modules, State};
use redress_ingest::{Finding, Format, Limits};
use redress_policy::{Catalog, PolicyFixSiteHint};
use serde_json::{Value, json};

/// Arguments of `redress locate`.
#[derive(Debug, clap::Args)]
pub struct LocateArgs {
    /// The Terraform repository (a directory).
    #[arg(long)]
    repo: PathBuf,
    /// Terraform state files (`terraform.tfstate` or `terraform show -json` output).
    #[arg(long = "state")]
    states: Vec<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Findings format, when detection from the content is not wanted.
    #[arg(long)]
    format: Option<Format>,
    /// Findings files in any supported format.
    #[arg(required = true)]
    findings: Vec<PathBuf>,
}

/// One finding with its location, as printed.
struct Row {
    finding: Finding,
    policy: Option<String>,
    outcome: LocateOutcome,
}

/// Runs the command.
pub fn run(args: LocateArgs) -> anyhow::Result<()> {
    let index = Index::build(&args.repo)
        .with_context(|| format!("cannot index {}", args.repo.display()))?;
    let modules = Modules::resolve(&index);
    let states = args
        .states
        .iter()
        .map(|p| State::from_path(p).with_context(|| format!("cannot read state {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let hint = PolicyFixSiteHint::new(Catalog::builtin().context("built-in policies")?);
    let locator = Locator::new(&index, &modules, &states).with_hint(&hint);

    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for path in &args.findings {
        for finding in read_findings(path, args.format)? {
            if !seen.insert(finding.fingerprint.clone()) {
                continue;
            }
            let policy =
                redress_policy::equivalents::lookup(finding.source_tool.as_str(), &finding.rule_id)
                    .map(|id| id.as_str().to_owned());
            let query = query_for(&finding, policy.as_deref());
            let outcome = locator.locate(&query);
            rows.push(Row {
                finding,
                policy,
                outcome,
            });
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&to_json(&rows))?);
    } else {
        print_table(&rows);
    }
    Ok(())
}

fn read_findings(path: &Path, format: Option<Format>) -> anyhow::Result<Vec<Finding>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let (findings, _summary) =
        redress_ingest::parse_to_vec(BufReader::new(file), format, &Limits::default())
            .with_context(|| path.display().to_string())?;
    Ok(findings)
}

/// What locate needs to know about a finding.
fn query_for(finding: &Finding, policy: Option<&str>) -> LocateQuery {
    LocateQuery {
        resource_ids: finding.resource_ids.clone(),
        resource_type: finding.resource_type.clone(),
        region: finding.region.clone(),
        account: finding.account.clone(),
        file: finding.file.clone(),
        start_line: finding.start_line,
        end_line: finding.end_line,
        tags: finding.tags.clone(),
        policy: policy.map(str::to_owned),
    }
}

/// The resource a finding names: its first cloud id, else its file.
fn resource_of(finding: &Finding) -> String {
    finding
        .resource_ids
        .first()
        .cloned()
        .or_else(|| finding.file.clone())
        .unwrap_or_default()
}

/// The exact `--json` shape of the locate command.
fn to_json(rows: &[Row]) -> Value {
    let findings: Vec<Value> = rows
        .iter()
        .map(|row| {
            let (location, reason) = match &row.outcome {
                LocateOutcome::Located(location) => (location.to_cli_json(), Value::Null),
                LocateOutcome::Unmapped { reason } => (Value::Null, Value::String(reason.clone())),
            };
            let mut entry = json!({
                "id": row.finding.source_id.clone().unwrap_or_else(|| row.finding.fingerprint.to_string()),
                "source": row.finding.source_tool.as_str(),
                "status": row.finding.status.as_str(),
                "policy": row.policy,
                "resource": resource_of(&row.finding),
                "location": location,
            });
            if !reason.is_null() {
                entry["reason"] = reason;
            }
            entry
        })
        .collect();
    json!({ "findings": findings })
}

fn print_table(rows: &[Row]) {
    let located = rows
        .iter()
        .filter(|r| r.outcome.location().is_some())
        .count();
    println!("{located} of {} findings located", rows.len());
    for row in rows {
        let what = format!(
            "{} {} {}",
            row.finding.source_tool.as_str(),
            row.finding.rule_id,
            row.policy.as_deref().unwrap_or("-")
        );
        match &row.outcome {
            LocateOutcome::Located(l) => println!(
                "{what}\n    {} at {}:{}-{}  fix {}:{}  ({:?}{})",
                l.address,
                l.file,
                l.start_line,
                l.end_line,
                l.fix_site.file,
                l.fix_site.line,
                l.confidence,
                if l.via.is_empty() {
                    String::new()
                } else {
                    format!(", via {}", l.via.join(" > "))
                }
            ),
            LocateOutcome::Unmapped { reason } => {
                println!(
                    "{what}\n    {}: not located: {reason}",
                    resource_of(&row.finding)
                );
            }
        }
    }
}
