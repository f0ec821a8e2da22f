//! `redress fix`: the verified fix for one policy on one resource, as a unified diff.
use std::{fs::File, io::BufReader, path::PathBuf, process::ExitCode};

use anyhow::{Context as _, bail};
use redress_iac::{Index, LocateQuery, Locator, Modules};
use redress_ingest::Limits;
use redress_policy::{Catalog, PolicyFixSiteHint, cli::fix_dir};

/// Arguments of `redress fix`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["policy", "finding"]))]
pub struct FixArgs {
    /// The Terraform repository.
    #[arg(long)]
    repo: PathBuf,
    /// Policy id (with --address).
    #[arg(long, requires = "address")]
    policy: Option<String>,
    /// Resource address, e.g. `module.logs.aws_s3_bucket.this[0]`.
    #[arg(long)]
    address: Option<String>,
    /// A finding instead: FILE:ID, the findings file and the tool's finding id.
    #[arg(long, conflicts_with_all = ["policy", "address"])]
    finding: Option<String>,
    /// Write the patched files (only when the fix passes verification).
    #[arg(long)]
    apply: bool,
}

/// Runs the command; exit code 1 when no verified fix could be offered.
pub fn run(args: FixArgs) -> anyhow::Result<ExitCode> {
    let (policy, address) = match (&args.policy, &args.address, &args.finding) {
        (Some(policy), Some(address), None) => (policy.clone(), address.clone()),
        (None, None, Some(spec)) => target_of_finding(&args.repo, spec)?,
        _ => bail!("give either --policy and --address, or --finding FILE:ID"),
    };
    let report = fix_dir(&args.repo, &policy, &address, args.apply)
        .with_context(|| format!("cannot fix {policy} on {address}"))?;
    print!("{}", report.output);
    Ok(if report.fix.offered {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The policy and resource address a finding points at.
fn target_of_finding(repo: &std::path::Path, spec: &str) -> anyhow::Result<(String, String)> {
    let (file, id) = spec
        .rsplit_once(':')
        .with_context(|| format!("--finding {spec:?}: expected FILE:ID"))?;
    let reader = BufReader::new(File::open(file).with_context(|| format!("cannot open {file}"))?);
    let (findings, _) = redress_ingest::parse_to_vec(reader, None, &Limits::default())
        .with_context(|| file.to_owned())?;
    let finding = findings
        .into_iter()
        .find(|f| f.source_id.as_deref() == Some(id) || f.fingerprint.to_string() == id)
        .with_context(|| format!("{file}: no finding with id {id:?}"))?;
    let policy =
        redress_policy::equivalents::lookup(finding.source_tool.as_str(), &finding.rule_id)
            .with_context(|| {
                format!(
                    "{} rule {} maps to no Redress policy",
                    finding.source_tool, finding.rule_id
                )
            })?
            .as_str()
            .to_owned();
    let index = Index::build(repo).with_context(|| format!("cannot index {}", repo.display()))?;
    let modules = Modules::resolve(&index);
    let hint = PolicyFixSiteHint::new(Catalog::builtin()?);
    let locator = Locator::new(&index, &modules, &[]).with_hint(&hint);
    let query = LocateQuery {
        resource_ids: finding.resource_ids.clone(),
        resource_type: finding.resource_type.clone(),
        file: finding.file.clone(),
        start_line: finding.start_line,
        end_line: finding.end_line,
        tags: finding.tags.clone(),
        policy: Some(policy.clone()),
        ..LocateQuery::default()
    };
    match locator.locate(&query) {
        redress_iac::LocateOutcome::Located(location) => Ok((policy, location.address)),
        redress_iac::LocateOutcome::Unmapped { reason } => {
            bail!("finding {id} is not in {}: {reason}", repo.display())
        }
    }
}
