//! Evaluation: every policy over every resource instance, with the exact offending span.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{Catalog, Policy, PolicyId, Target};
use crate::cond::{Ctx, Node, Verdict};
use crate::edit::{Edit, FixKind};
use crate::interp::{Inst, Interp, V};
use crate::repo::{Repo, Scope};
use crate::syntax::{Block, ValKind};

/// Whether an instance meets a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The instance meets the policy.
    Pass,
    /// The instance breaks the policy.
    Fail,
    /// The values involved could not be evaluated (never guessed).
    Unknown,
}

/// One offending place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Relative path of the file.
    pub file: String,
    /// 1-based line: the attribute, or the block line when the attribute is missing.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The result of one policy on one resource instance.
#[derive(Debug, Clone, Serialize)]
pub struct EvalResult {
    /// The policy.
    pub policy: PolicyId,
    /// Resource address with module path and instance key, e.g. `module.logs.aws_s3_bucket.this[0]`.
    pub address: String,
    /// The root module directory the instance is evaluated from (addresses are relative to
    /// it; a repository with several roots can repeat an address).
    pub root: String,
    /// The resource (or module call) block's file.
    pub file: String,
    /// First line of the resource block.
    pub start_line: usize,
    /// Last line of the resource block.
    pub end_line: usize,
    /// Pass, fail or unknown.
    pub status: Status,
    /// The offending line (first violation) when failing, else the block's first line.
    pub line: usize,
    /// Every offending place, first one first.
    pub violations: Vec<Violation>,
    /// Why the result is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Edits that address the violations (first round of the fix).
    #[serde(skip)]
    pub(crate) fixes: Vec<(FixKind, Edit)>,
    /// Why some violation has no automatic fix.
    #[serde(skip)]
    pub(crate) no_fix: Vec<String>,
}

/// Evaluates every policy of the catalog over the repository.
pub fn evaluate(repo: &Repo, catalog: &Catalog) -> Vec<EvalResult> {
    let mut by_type: BTreeMap<&str, Vec<(&Policy, &Target)>> = BTreeMap::new();
    let mut by_module: BTreeMap<&str, Vec<(&Policy, &Target)>> = BTreeMap::new();
    for policy in catalog.policies() {
        for target in &policy.targets {
            if let Some(t) = &target.resource {
                by_type
                    .entry(t.as_str())
                    .or_default()
                    .push((policy, target));
            }
            if let Some(m) = &target.module {
                by_module
                    .entry(m.as_str())
                    .or_default()
                    .push((policy, target));
            }
        }
    }
    let mut out = Vec::new();
    for scope in repo.scopes() {
        let prefix = repo.address_prefix(&scope);
        for (fi, file) in repo.files_in(&scope.dir) {
            for block in &file.body.blocks {
                let Some(subject) = Subject::of(repo, fi, block, &scope, &prefix) else {
                    continue;
                };
                let targets = if subject.is_module {
                    by_module.get(subject.rtype.as_str())
                } else {
                    by_type.get(subject.rtype.as_str())
                };
                for (policy, target) in targets.into_iter().flatten() {
                    out.extend(evaluate_subject(repo, policy, target, &subject));
                }
            }
        }
    }
    out
}

/// A resource, data source or registry module call that policies look at.
pub(crate) struct Subject<'r> {
    pub file: usize,
    pub block: &'r Block,
    /// Resource type, `data.<type>`, or the module source for module calls.
    pub rtype: String,
    pub name: String,
    pub is_module: bool,
    pub scope: Scope,
    pub address: String,
}

impl<'r> Subject<'r> {
    fn of(
        repo: &'r Repo,
        file: usize,
        block: &'r Block,
        scope: &Scope,
        prefix: &str,
    ) -> Option<Self> {
        let (rtype, name, is_module, address) = match block.ident.as_str() {
            "resource" => {
                let t = block.labels.first()?;
                let n = block.labels.get(1)?;
                (t.clone(), n.clone(), false, format!("{prefix}{t}.{n}"))
            }
            "data" => {
                let t = block.labels.first()?;
                let n = block.labels.get(1)?;
                (
                    format!("data.{t}"),
                    n.clone(),
                    false,
                    format!("{prefix}data.{t}.{n}"),
                )
            }
            "module" => {
                let n = block.labels.first()?;
                let source = match &block.body.attr("source")?.value.kind {
                    ValKind::Str(s) => s.clone(),
                    _ => return None,
                };
                let source = normalize_module_source(&source);
                (source, n.clone(), true, format!("{prefix}module.{n}"))
            }
            _ => return None,
        };
        let _ = repo;
        Some(Subject {
            file,
            block,
            rtype,
            name,
            is_module,
            scope: scope.clone(),
            address,
        })
    }
}

/// `terraform-aws-modules/s3-bucket/aws//modules/x` and `…/aws?ref=` keep only the registry part.
fn normalize_module_source(source: &str) -> String {
    let s = source.split("//").next().unwrap_or(source);
    s.split('?')
        .next()
        .unwrap_or(s)
        .trim_end_matches('/')
        .to_string()
}

fn evaluate_subject(
    repo: &Repo,
    policy: &Policy,
    target: &Target,
    subject: &Subject<'_>,
) -> Vec<EvalResult> {
    let file = &repo.files[subject.file];
    let start_line = file.line(subject.block.span.start);
    let end_line = file.line(subject.block.span.end.saturating_sub(1));
    let root = match subject.scope.chain.first() {
        Some(c) => repo.files[repo.calls[*c].file].dir.clone(),
        None => subject.scope.dir.clone(),
    };
    let mut out = Vec::new();
    for (suffix, inst) in instances(repo, subject) {
        let ctx = Ctx {
            repo,
            subject,
            inst,
        };
        let (status, hits, reason) = match ctx.eval(&target.check, Node::root(subject)) {
            Verdict::Holds | Verdict::NotApplicable => (Status::Pass, Vec::new(), None),
            Verdict::Fails(hits) => (Status::Fail, hits, None),
            Verdict::Unknown(why) => (Status::Unknown, Vec::new(), Some(why)),
        };
        let violations: Vec<Violation> = hits
            .iter()
            .map(|h| Violation {
                file: repo.files[h.file].path.clone(),
                line: repo.files[h.file].line(h.span.start),
                message: h.message.clone(),
            })
            .collect();
        out.push(EvalResult {
            policy: policy.id.clone(),
            address: format!("{}{suffix}", subject.address),
            root: root.clone(),
            file: file.path.clone(),
            start_line,
            end_line,
            status,
            line: violations.first().map_or(start_line, |v| v.line),
            violations,
            reason,
            fixes: hits.iter().filter_map(|h| h.fix.clone()).collect(),
            no_fix: hits.iter().filter_map(|h| h.no_fix.clone()).collect(),
        });
    }
    out
}

/// The instances of a subject: address suffix and evaluation context. Literal `count` /
/// `for_each` first; computed ones through the interpreter; `[*]` when unknown.
fn instances(repo: &Repo, subject: &Subject<'_>) -> Vec<(String, Inst)> {
    match repo.instance_keys(subject.block, subject.file, &subject.scope) {
        None => vec![(String::new(), Inst::None)],
        Some(Some(keys)) if subject.block.body.attr("count").is_some() => keys
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, Inst::Count(i)))
            .collect(),
        Some(keys) => {
            let interp = Interp {
                repo,
                scope: subject.scope.clone(),
                inst: Inst::None,
            };
            let computed = if let Some(count) = subject.block.body.attr("count") {
                match interp.eval_val(&count.value, subject.file) {
                    Ok(V::Num(n)) if n >= 0.0 && n.fract() == 0.0 && n <= 10_000.0 => Some(
                        (0..n as usize)
                            .map(|i| (format!("[{i}]"), Inst::Count(i)))
                            .collect(),
                    ),
                    _ => None,
                }
            } else if let Some(fe) = subject.block.body.attr("for_each") {
                match interp.eval_val(&fe.value, subject.file) {
                    Ok(V::Map(m)) => Some(
                        m.into_iter()
                            .map(|(k, v)| (format!("[\"{k}\"]"), Inst::Each { key: k, value: v }))
                            .collect(),
                    ),
                    Ok(V::List(l)) => l
                        .into_iter()
                        .map(|v| match v {
                            V::Str(k) => Some((
                                format!("[\"{k}\"]"),
                                Inst::Each {
                                    key: k.clone(),
                                    value: V::Str(k),
                                },
                            )),
                            _ => None,
                        })
                        .collect(),
                    _ => None,
                }
            } else {
                None
            };
            match (computed, keys) {
                (Some(c), _) => c,
                (None, Some(keys)) => keys.into_iter().map(|k| (k, Inst::None)).collect(),
                (None, None) => vec![("[*]".to_string(), Inst::None)],
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(policy: &str, files: &[(&str, &str)]) -> Vec<EvalResult> {
        let repo = Repo::from_sources(files.iter().map(|(p, t)| (p.to_string(), t.to_string())));
        let catalog = Catalog::builtin().expect("catalog").subset(&[policy]);
        evaluate(&repo, &catalog)
    }

    #[test]
    fn dynamic_blocks_make_the_result_unknown_not_failing() {
        let r = run(
            "RDX-DDB-002",
            &[(
                "m.tf",
                "resource \"aws_dynamodb_table\" \"t\" {\n  dynamic \"point_in_time_recovery\" {\n    for_each = var.pitr\n    content {\n      enabled = true\n    }\n  }\n}\n",
            )],
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, Status::Unknown);
        assert!(
            r[0].reason
                .as_deref()
                .is_some_and(|w| w.contains("dynamic")),
            "{:?}",
            r[0].reason
        );
    }

    #[test]
    fn split_s3_resources_are_linked_by_reference_across_files() {
        let bucket = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
        let suspended = "resource \"aws_s3_bucket_versioning\" \"logs\" {\n  bucket = aws_s3_bucket.logs.id\n  versioning_configuration {\n    status = \"Suspended\"\n  }\n}\n";
        let r = run(
            "RDX-S3-001",
            &[("main.tf", bucket), ("versioning.tf", suspended)],
        );
        assert_eq!(r[0].status, Status::Fail);
        assert_eq!(
            (r[0].violations[0].file.as_str(), r[0].violations[0].line),
            ("versioning.tf", 4)
        );
        let enabled = suspended.replace("Suspended", "Enabled");
        let r = run(
            "RDX-S3-001",
            &[("main.tf", bucket), ("versioning.tf", &enabled)],
        );
        assert_eq!(r[0].status, Status::Pass);
    }

    #[test]
    fn computed_rules_are_evaluated_per_instance_through_module_calls() {
        let module = "variable \"rules\" {\n  default = {\n    ssh-tcp = [22, 22, \"tcp\"]\n    https-443-tcp = [443, 443, \"tcp\"]\n  }\n}\nvariable \"ingress_rules\" {\n  default = []\n}\nvariable \"ingress_cidr_blocks\" {\n  default = []\n}\nresource \"aws_security_group_rule\" \"ingress_rules\" {\n  count       = length(var.ingress_rules)\n  type        = \"ingress\"\n  cidr_blocks = var.ingress_cidr_blocks\n  from_port   = var.rules[var.ingress_rules[count.index]][0]\n  to_port     = var.rules[var.ingress_rules[count.index]][1]\n  protocol    = var.rules[var.ingress_rules[count.index]][2]\n}\n";
        let call = "module \"sg\" {\n  source              = \"./sg\"\n  ingress_rules       = [\"https-443-tcp\", \"ssh-tcp\"]\n  ingress_cidr_blocks = [\"0.0.0.0/0\"]\n}\n";
        let r = run("RDX-SG-001", &[("main.tf", call), ("sg/main.tf", module)]);
        let status: Vec<(&str, Status)> =
            r.iter().map(|x| (x.address.as_str(), x.status)).collect();
        assert_eq!(
            status,
            vec![
                (
                    "module.sg.aws_security_group_rule.ingress_rules[0]",
                    Status::Pass
                ),
                (
                    "module.sg.aws_security_group_rule.ingress_rules[1]",
                    Status::Fail
                ),
            ]
        );
        let repo = Repo::from_sources([
            ("main.tf".to_string(), call.to_string()),
            ("sg/main.tf".to_string(), module.to_string()),
        ]);
        let fix = crate::fix::propose(
            &repo,
            &Catalog::builtin().expect("catalog"),
            "RDX-SG-001",
            "module.sg.aws_security_group_rule.ingress_rules[1]",
        )
        .expect("fix");
        assert!(fix.offered, "{:?}", fix.reason);
        assert!(
            fix.diff.contains("+  ingress_cidr_blocks = []"),
            "{}",
            fix.diff
        );
    }

    #[test]
    fn results_name_their_root_module() {
        let r = run(
            "RDX-EBS-001",
            &[
                (
                    "envs/prod/main.tf",
                    "module \"v\" {\n  source = \"../../modules/v\"\n}\n",
                ),
                (
                    "modules/v/main.tf",
                    "resource \"aws_ebs_volume\" \"this\" {\n  encrypted = false\n}\n",
                ),
            ],
        );
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].root.as_str(), r[0].address.as_str()),
            ("envs/prod", "module.v.aws_ebs_volume.this")
        );
        assert_eq!(r[0].file, "modules/v/main.tf");
    }

    #[test]
    fn module_sources_are_normalized() {
        assert_eq!(
            normalize_module_source("terraform-aws-modules/s3-bucket/aws//modules/notification"),
            "terraform-aws-modules/s3-bucket/aws"
        );
    }
}
