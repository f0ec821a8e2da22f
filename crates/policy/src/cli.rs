//! Entry points for `redress scan` and `redress fix`: they take a directory and arguments and
//! return the text to print; the server crate only wires arguments and exit codes.

use std::path::Path;

use crate::catalog::Catalog;
use crate::error::PolicyError;
use crate::eval::{Status, evaluate};
use crate::fix::{Fix, propose};
use crate::output::{sarif, scan_json};
use crate::repo::{FileError, Repo, safe_relative};

/// Output format of `redress scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanFormat {
    /// A readable table.
    Text,
    /// `--json`.
    Json,
    /// `--sarif`.
    Sarif,
}

/// What `redress scan` prints and returns.
#[derive(Debug, Clone)]
pub struct ScanReport {
    /// Text for standard output.
    pub output: String,
    /// Number of failing resource instances.
    pub failing: usize,
    /// Files that did not parse (for standard error); the rest was scanned.
    pub errors: Vec<FileError>,
}

/// Scans a directory with the built-in policies.
pub fn scan_dir(dir: &Path, format: ScanFormat) -> Result<ScanReport, PolicyError> {
    let catalog = Catalog::builtin()?;
    let repo = Repo::load(dir)?;
    let results = evaluate(&repo, &catalog);
    let failing = results.iter().filter(|r| r.status == Status::Fail).count();
    let output = match format {
        ScanFormat::Json => format!("{}\n", scan_json(&results, &catalog)),
        ScanFormat::Sarif => format!("{:#}\n", sarif(&results, &catalog)),
        ScanFormat::Text => {
            let mut out = String::new();
            for r in results.iter().filter(|r| r.status == Status::Fail) {
                let msg = r.violations.first().map_or("", |v| v.message.as_str());
                let (file, line) = r.location();
                out.push_str(&format!(
                    "FAIL  {:<14} {}  {file}:{line}  {msg}\n",
                    r.policy, r.address
                ));
            }
            let unknown = results
                .iter()
                .filter(|r| r.status == Status::Unknown)
                .count();
            out.push_str(&format!(
                "{} checks: {} failing, {} passing, {} unknown\n",
                results.len(),
                failing,
                results.iter().filter(|r| r.status == Status::Pass).count(),
                unknown
            ));
            out
        }
    };
    Ok(ScanReport {
        output,
        failing,
        errors: repo.errors().to_vec(),
    })
}

/// What `redress fix` prints and did.
#[derive(Debug, Clone)]
pub struct FixReport {
    /// Unified diff followed by the verification result.
    pub output: String,
    /// The fix.
    pub fix: Fix,
    /// True when the patched files were written.
    pub applied: bool,
}

/// Builds the fix of `policy` for `address` in the repository at `dir`; with `apply`, writes
/// the patched files when (and only when) the fix is verified.
pub fn fix_dir(
    dir: &Path,
    policy: &str,
    address: &str,
    apply: bool,
) -> Result<FixReport, PolicyError> {
    let catalog = Catalog::builtin()?;
    let repo = Repo::load(dir)?;
    let fix = propose(&repo, &catalog, policy, address)?;
    let mut output = fix.diff.clone();
    output.push_str(&format!("verification: {}\n", fix.verification.describe()));
    if let Some(reason) = &fix.reason {
        output.push_str(&format!("not offered: {reason}\n"));
    }
    if !fix.blast_radius.is_empty() {
        output.push_str(&format!("blast radius: {}\n", fix.blast_radius.join(", ")));
    }
    let mut applied = false;
    if apply && fix.offered {
        for (path, text) in &fix.patched {
            let rel = safe_relative(path)?;
            let target = dir.join(&rel);
            let meta = std::fs::symlink_metadata(&target).map_err(|e| PolicyError::Io {
                path: target.display().to_string(),
                source: e,
            })?;
            if !meta.is_file() {
                return Err(PolicyError::Path {
                    path: rel,
                    message: "not a regular file".into(),
                });
            }
            std::fs::write(&target, text).map_err(|e| PolicyError::Io {
                path: target.display().to_string(),
                source: e,
            })?;
        }
        applied = true;
        output.push_str("applied\n");
    }
    Ok(FixReport {
        output,
        fix,
        applied,
    })
}

/// `redress fix --finding`: maps another tool's rule id to its policy through the
/// equivalents table, then builds the fix for the located resource `address`.
pub fn fix_finding(
    dir: &Path,
    tool: &str,
    rule_id: &str,
    address: &str,
    apply: bool,
) -> Result<FixReport, PolicyError> {
    let policy = crate::equivalents::lookup(tool, rule_id).ok_or_else(|| {
        PolicyError::UnknownPolicy(format!("{tool} rule {rule_id} has no equivalent policy"))
    })?;
    fix_dir(dir, policy.as_str(), address, apply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_applies_only_verified_changes_and_scan_reports_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let main = dir.path().join("main.tf");
        std::fs::write(
            &main,
            "resource \"aws_ebs_volume\" \"v\" {\n  size = 8\n}\n",
        )
        .expect("write");
        let scan = scan_dir(dir.path(), ScanFormat::Json).expect("scan");
        assert!(
            scan.output.contains("\"policy\":\"RDX-EBS-001\""),
            "{}",
            scan.output
        );
        let report =
            fix_finding(dir.path(), "checkov", "CKV_AWS_3", "aws_ebs_volume.v", true).expect("fix");
        assert!(report.applied, "{}", report.output);
        assert!(
            report.output.contains("+  encrypted = true"),
            "{}",
            report.output
        );
        let text = std::fs::read_to_string(&main).expect("read");
        assert_eq!(
            text,
            "resource \"aws_ebs_volume\" \"v\" {\n  size = 8\n  encrypted = true\n}\n"
        );
        let again = scan_dir(dir.path(), ScanFormat::Text).expect("scan");
        assert!(!again.output.contains("RDX-EBS-001"), "{}", again.output);
        assert!(fix_finding(dir.path(), "checkov", "CKV_NOPE", "aws_ebs_volume.v", false).is_err());
    }
}
