//! Verification: a fix is offered only when the patched files parse, the policy passes for
//! every target, no other policy newly fails in the touched files, and the diff stays on the
//! intended blocks.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::{Catalog, PolicyId};
use crate::diff;
use crate::error::PolicyError;
use crate::eval::{Status, evaluate};
use crate::fix::selects;
use crate::repo::{Repo, safe_relative};

/// The outcome of verifying a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verification {
    /// Everything holds.
    Passes,
    /// A patched file does not parse.
    ParseError {
        /// Relative path.
        file: String,
        /// 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// The policy still fails (or cannot be evaluated) for a target instance.
    FailsPolicy {
        /// The instance.
        address: String,
        /// 1-based line of the remaining violation.
        line: usize,
        /// What is still wrong.
        message: String,
    },
    /// Another policy fails after the change where it did not before.
    NewFailure {
        /// The other policy.
        policy: PolicyId,
        /// The instance.
        address: String,
        /// 1-based line.
        line: usize,
    },
    /// The diff changes a line outside the blocks the fix meant to change.
    OutsideIntendedLines {
        /// Relative path.
        file: String,
        /// 1-based line in the original file.
        line: usize,
    },
}

impl Verification {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Verification::Passes => "passes".into(),
            Verification::ParseError {
                file,
                line,
                message,
            } => format!("{file}:{line}: does not parse: {message}"),
            Verification::FailsPolicy {
                address,
                line,
                message,
            } => {
                format!("{address} still fails at line {line}: {message}")
            }
            Verification::NewFailure {
                policy,
                address,
                line,
            } => {
                format!("{policy} newly fails for {address} at line {line}")
            }
            Verification::OutsideIntendedLines { file, line } => {
                format!("{file}:{line} changed outside the intended blocks")
            }
        }
    }
}

/// Parse check of one file's text: the index's tree-sitter parse must have no ERROR or
/// MISSING node, and hcl-rs must accept it.
fn parse_check(path: &str, text: &str) -> Option<Verification> {
    match redress_iac::Index::from_sources([(path.to_string(), text.to_string())]) {
        Ok(index) => {
            if let Some(e) = index.parse_errors().next() {
                return Some(Verification::ParseError {
                    file: path.to_string(),
                    line: e.line as usize,
                    message: format!("tree-sitter: {}", e.message),
                });
            }
        }
        Err(e) => {
            return Some(Verification::ParseError {
                file: path.to_string(),
                line: 0,
                message: e.to_string(),
            });
        }
    }
    hcl::edit::parser::parse_body(text)
        .err()
        .map(|e| Verification::ParseError {
            file: path.to_string(),
            line: e.location().line(),
            message: format!("hcl-rs: {}", e.message()),
        })
}

fn policy_check(
    patched: &Repo,
    catalog: &Catalog,
    policy: &PolicyId,
    targets: &[String],
) -> Option<Verification> {
    let only = catalog.subset(&[policy.as_str()]);
    let results = evaluate(patched, &only);
    for t in targets {
        let mine: Vec<_> = results.iter().filter(|r| selects(t, &r.address)).collect();
        if mine.is_empty() {
            return Some(Verification::FailsPolicy {
                address: t.clone(),
                line: 0,
                message: "the instance no longer exists".into(),
            });
        }
        if let Some(r) = mine.iter().find(|r| r.status != Status::Pass) {
            let message = r
                .violations
                .first()
                .map(|v| v.message.clone())
                .or_else(|| r.reason.clone())
                .unwrap_or_default();
            return Some(Verification::FailsPolicy {
                address: r.address.clone(),
                line: r.line,
                message,
            });
        }
    }
    None
}

/// Full verification of a patch built by the fix generator.
pub(crate) fn verify_patch(
    original: &Repo,
    patched: &Repo,
    catalog: &Catalog,
    policy: &PolicyId,
    targets: &[String],
    texts: &BTreeMap<String, String>,
    touched_blocks: &[(String, String)],
) -> Verification {
    for (path, text) in texts {
        if let Some(v) = parse_check(path, text) {
            return v;
        }
    }
    if let Some(v) = policy_check(patched, catalog, policy, targets) {
        return v;
    }
    // No other policy newly fails in the touched files.
    let touched: BTreeSet<&str> = texts.keys().map(String::as_str).collect();
    let failing = |repo: &Repo| -> BTreeSet<(PolicyId, String)> {
        evaluate(repo, catalog)
            .into_iter()
            .filter(|r| r.status == Status::Fail && touched.contains(r.file.as_str()))
            .map(|r| (r.policy, r.address))
            .collect()
    };
    let before = failing(original);
    for r in evaluate(patched, catalog) {
        if r.status == Status::Fail
            && touched.contains(r.file.as_str())
            && !before.contains(&(r.policy.clone(), r.address.clone()))
        {
            return Verification::NewFailure {
                policy: r.policy,
                address: r.address,
                line: r.line,
            };
        }
    }
    // The diff touches only the intended blocks.
    for (path, text) in texts {
        let Some(indexed) = original.index().file(path) else {
            continue;
        };
        let wanted = |key: String| touched_blocks.iter().any(|(f, k)| f == path && *k == key);
        let line = |l: u32| l as usize;
        let mut allowed: Vec<(usize, usize)> = indexed
            .blocks
            .iter()
            .filter(|b| wanted(format!("{} {}", b.ident, b.labels.join(" "))))
            .map(|b| (line(b.span.start_line), line(b.span.end_line) + 1))
            .collect();
        allowed.extend(
            indexed
                .attributes
                .iter()
                .filter(|a| wanted(format!("= {}", a.name)))
                .map(|a| (line(a.span.start_line), line(a.span.end_line))),
        );
        for c in diff::changes(&indexed.content, text) {
            let (first, last) = if c.old.is_empty() {
                (c.old.start, c.old.start)
            } else {
                (c.old.start + 1, c.old.end)
            };
            if !allowed.iter().any(|(s, e)| *s <= first && last <= *e) {
                return Verification::OutsideIntendedLines {
                    file: path.clone(),
                    line: first.max(1),
                };
            }
        }
    }
    Verification::Passes
}

/// Re-verifies a human-edited file (the web IDE's live check): the new text must parse and the
/// policy must pass for every target instance (addresses, or address templates without key).
pub fn verify_edit(
    repo: &Repo,
    catalog: &Catalog,
    file: &str,
    new_text: &str,
    policy: &str,
    targets: &[String],
) -> Result<Verification, PolicyError> {
    let path = safe_relative(file)?;
    let p = catalog
        .get_str(policy)
        .ok_or_else(|| PolicyError::UnknownPolicy(policy.to_string()))?;
    if let Some(v) = parse_check(&path, new_text) {
        return Ok(v);
    }
    let patched = repo.with_file(&path, new_text.to_string());
    Ok(policy_check(&patched, catalog, &p.id, targets).unwrap_or(Verification::Passes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Repo, Catalog) {
        let repo = Repo::from_sources([(
            "main.tf".to_string(),
            "resource \"aws_ebs_volume\" \"v\" {\n  encrypted = false\n}\n".to_string(),
        )]);
        (repo, Catalog::builtin().expect("catalog"))
    }

    #[test]
    fn a_good_human_edit_passes() {
        let (repo, catalog) = setup();
        let v = verify_edit(
            &repo,
            &catalog,
            "main.tf",
            "resource \"aws_ebs_volume\" \"v\" {\n  encrypted = true\n}\n",
            "RDX-EBS-001",
            &["aws_ebs_volume.v".into()],
        )
        .expect("verifies");
        assert_eq!(v, Verification::Passes);
    }

    #[test]
    fn a_broken_edit_reports_the_parse_error_line() {
        let (repo, catalog) = setup();
        let v = verify_edit(
            &repo,
            &catalog,
            "main.tf",
            "resource \"aws_ebs_volume\" \"v\" {\n  encrypted = \n}\n",
            "RDX-EBS-001",
            &["aws_ebs_volume.v".into()],
        )
        .expect("verifies");
        assert!(
            matches!(v, Verification::ParseError { line, .. } if line >= 2),
            "{v:?}"
        );
    }

    #[test]
    fn an_edit_that_keeps_the_violation_fails_the_policy() {
        let (repo, catalog) = setup();
        let v = verify_edit(
            &repo,
            &catalog,
            "main.tf",
            "resource \"aws_ebs_volume\" \"v\" {\n  # still off\n  encrypted = false\n}\n",
            "RDX-EBS-001",
            &["aws_ebs_volume.v".into()],
        )
        .expect("verifies");
        assert!(
            matches!(v, Verification::FailsPolicy { line: 3, .. }),
            "{v:?}"
        );
    }

    #[test]
    fn paths_outside_the_repository_are_refused() {
        let (repo, catalog) = setup();
        assert!(verify_edit(&repo, &catalog, "../x.tf", "", "RDX-EBS-001", &[]).is_err());
    }
}
