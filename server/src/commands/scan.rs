//! `redress scan`: the built-in scanner over a Terraform directory.
use std::{path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use redress_policy::cli::{ScanFormat, scan_dir};

/// Arguments of `redress scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// The Terraform directory to scan.
    dir: PathBuf,
    /// Print `{"results":[…]}` JSON, one entry per failing resource instance.
    #[arg(long, conflicts_with = "sarif")]
    json: bool,
    /// Print SARIF 2.1.0 for code-scanning tools.
    #[arg(long)]
    sarif: bool,
    /// Exit 0 even when policies fail (by default failures exit 1, like other scanners).
    #[arg(long)]
    soft_fail: bool,
}

/// Runs the command; exit code 1 when any resource fails a policy (unless `--soft-fail`).
pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let format = if args.json {
        ScanFormat::Json
    } else if args.sarif {
        ScanFormat::Sarif
    } else {
        ScanFormat::Text
    };
    let report = scan_dir(&args.dir, format)
        .with_context(|| format!("cannot scan {}", args.dir.display()))?;
    for error in &report.errors {
        eprintln!(
            "warning: {}:{}: {} (the rest was scanned)",
            error.file, error.line, error.message
        );
    }
    print!("{}", report.output);
    Ok(if report.failing > 0 && !args.soft_fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
