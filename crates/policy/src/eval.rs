//! Evaluation: every policy over every resource instance, with the exact offending span.
//!
//! The resources, their module instances (module calls expanded by `count` / `for_each`) and
//! their own instances come from the index and its evaluator ([`redress_iac::Evaluator`]).

use std::collections::BTreeMap;
use std::rc::Rc;

use redress_iac::{Block, Context, Evaluator, File, InstanceKey, Scope};
use serde::Serialize;

use crate::catalog::{Catalog, Policy, PolicyId, Target};
use crate::cond::{Ctx, Node, Verdict};
use crate::edit::{Edit, FixKind};
use crate::repo::Repo;

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
    /// Resource address with module path and instance keys, e.g.
    /// `module.logs["eu"].aws_s3_bucket.this[0]`; `[*]` stands for a `count` / `for_each`
    /// whose instances are not known.
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
    /// Edits that address the violations (first round of the fix): one group per violation,
    /// its main edit first, then the edits that must go with it.
    #[serde(skip)]
    pub(crate) fixes: Vec<Vec<(FixKind, Edit)>>,
    /// Why some violation has no automatic fix.
    #[serde(skip)]
    pub(crate) no_fix: Vec<String>,
}

impl EvalResult {
    /// Where the result points: the first violation's file and line when failing (a module
    /// call or a variable may be in another file than the resource), else the block's.
    #[must_use]
    pub fn location(&self) -> (&str, usize) {
        self.violations
            .first()
            .map_or((self.file.as_str(), self.line), |v| {
                (v.file.as_str(), v.line)
            })
    }
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
    let ev = repo.evaluator();
    let mut out = Vec::new();
    for scope in ev.scopes() {
        let Some(inst) = repo.modules().instance(scope.module) else {
            continue;
        };
        let prefix = ev.scope_address(&scope);
        for file in repo.index().files_in_dir(&inst.dir) {
            for block in &file.blocks {
                let Some(subject) = Subject::of(file, block, &scope, &inst.dir, &prefix) else {
                    continue;
                };
                let targets = if subject.is_module {
                    by_module.get(subject.rtype.as_str())
                } else {
                    by_type.get(subject.rtype.as_str())
                };
                let Some(targets) = targets else {
                    continue;
                };
                let instances = instances(&ev, &subject);
                for (policy, target) in targets {
                    out.extend(evaluate_subject(
                        repo, &ev, policy, target, &subject, &inst.root, &instances,
                    ));
                }
            }
        }
    }
    out
}

/// A resource, data source or registry module call that policies look at, in one module
/// instance.
pub(crate) struct Subject<'r> {
    /// The file holding the block.
    pub file: &'r str,
    pub block: &'r Block,
    /// Resource type, `data.<type>`, or the module source for module calls.
    pub rtype: String,
    pub name: String,
    pub is_module: bool,
    /// The module instance.
    pub scope: Scope,
    /// The module's directory.
    pub dir: &'r str,
    /// Address without the block's own instance key.
    pub address: String,
}

impl<'r> Subject<'r> {
    fn of(
        file: &'r File,
        block: &'r Block,
        scope: &Scope,
        dir: &'r str,
        prefix: &str,
    ) -> Option<Self> {
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}.")
        };
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
                let source = block.attribute("source")?.value.as_str()?;
                (
                    normalize_module_source(source),
                    n.clone(),
                    true,
                    format!("{prefix}module.{n}"),
                )
            }
            _ => return None,
        };
        Some(Subject {
            file: file.path.as_str(),
            block,
            rtype,
            name,
            is_module,
            scope: scope.clone(),
            dir,
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

/// The instances of a subject (its `count` / `for_each`): one `[*]` instance when they are
/// not known.
fn instances(ev: &Evaluator<'_>, subject: &Subject<'_>) -> Vec<Rc<Context>> {
    let keys = ev
        .block_keys(&subject.scope, subject.block)
        .unwrap_or_else(|| vec![InstanceKey::Unknown]);
    keys.into_iter()
        .map(|key| Rc::new(Context::new(subject.scope.clone(), key)))
        .collect()
}

fn evaluate_subject(
    repo: &Repo,
    ev: &Evaluator<'_>,
    policy: &Policy,
    target: &Target,
    subject: &Subject<'_>,
    root: &str,
    instances: &[Rc<Context>],
) -> Vec<EvalResult> {
    let start_line = subject.block.span.start_line as usize;
    let end_line = subject.block.span.end_line as usize;
    let mut out = Vec::with_capacity(instances.len());
    for at in instances {
        let ctx = Ctx {
            repo,
            ev,
            subject,
            at: Rc::clone(at),
        };
        let (status, hits, reason) =
            match ctx.eval(&target.check, &Node::root(subject, Rc::clone(at))) {
                Verdict::Holds | Verdict::NotApplicable => (Status::Pass, Vec::new(), None),
                Verdict::Fails(hits) => (Status::Fail, hits, None),
                Verdict::Unknown(why) => (Status::Unknown, Vec::new(), Some(why)),
            };
        let violations: Vec<Violation> = hits
            .iter()
            .map(|h| Violation {
                file: h.file.clone(),
                line: h.span.start_line as usize,
                message: h.message.clone(),
            })
            .collect();
        out.push(EvalResult {
            policy: policy.id.clone(),
            address: format!("{}{}", subject.address, at.key.suffix()),
            root: root.to_string(),
            file: subject.file.to_string(),
            start_line,
            end_line,
            status,
            line: violations.first().map_or(start_line, |v| v.line),
            violations,
            reason,
            fixes: hits
                .iter()
                .filter_map(|h| {
                    let main = h.fix.clone()?;
                    Some(
                        std::iter::once(main)
                            .chain(h.also.iter().cloned())
                            .collect(),
                    )
                })
                .collect(),
            no_fix: hits
                .iter()
                .filter(|h| h.fix.is_none())
                .filter_map(|h| match (&h.withheld, &target.no_fix) {
                    (Some(why), _) | (None, Some(why)) => Some(format!("{}: {why}", h.message)),
                    (None, None) => h.no_fix.clone(),
                })
                .collect(),
        });
    }
    out
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
    fn module_calls_with_for_each_are_evaluated_per_instance() {
        let module = "variable \"enc\" {}\n\nresource \"aws_ebs_volume\" \"this\" {\n  encrypted = var.enc\n}\n";
        let call = "module \"vol\" {\n  for_each = { a = true, b = false }\n  source   = \"./vol\"\n  enc      = each.value\n}\n\nmodule \"none\" {\n  for_each = {}\n  source   = \"./vol\"\n  enc      = false\n}\n";
        let files = [("main.tf", call), ("vol/main.tf", module)];
        let r = run("RDX-EBS-001", &files);
        let status: Vec<(&str, Status)> =
            r.iter().map(|x| (x.address.as_str(), x.status)).collect();
        assert_eq!(
            status,
            vec![
                ("module.vol[\"a\"].aws_ebs_volume.this", Status::Pass),
                ("module.vol[\"b\"].aws_ebs_volume.this", Status::Fail),
            ],
            "module.none has no instances"
        );
        assert_eq!(
            (r[1].violations[0].file.as_str(), r[1].violations[0].line),
            ("vol/main.tf", 4)
        );
        let repo = Repo::from_sources(files.iter().map(|(p, t)| (p.to_string(), t.to_string())));
        let fix = crate::fix::propose(
            &repo,
            &Catalog::builtin().expect("catalog"),
            "RDX-EBS-001",
            "module.vol[\"b\"].aws_ebs_volume.this",
        )
        .expect("fix");
        assert!(!fix.offered);
        assert!(
            fix.reason
                .as_deref()
                .is_some_and(|r| r.contains("computed")),
            "{:?}",
            fix.reason
        );
    }

    #[test]
    fn module_call_count_indexes_reach_the_inputs() {
        let module = "variable \"size\" {}\n\nresource \"aws_db_instance\" \"this\" {\n  publicly_accessible = var.size > 1\n}\n";
        let call =
            "module \"db\" {\n  count  = 3\n  source = \"./db\"\n  size   = count.index\n}\n";
        let r = run("RDX-RDS-002", &[("main.tf", call), ("db/main.tf", module)]);
        let status: Vec<(&str, Status)> =
            r.iter().map(|x| (x.address.as_str(), x.status)).collect();
        assert_eq!(
            status,
            vec![
                ("module.db[0].aws_db_instance.this", Status::Pass),
                ("module.db[1].aws_db_instance.this", Status::Pass),
                ("module.db[2].aws_db_instance.this", Status::Fail),
            ]
        );
    }

    #[test]
    fn a_policy_document_passed_into_a_module_is_read_where_it_is_written() {
        let root = "data \"aws_iam_policy_document\" \"admin\" {\n  statement {\n    actions   = [\"*\"]\n    resources = [\"*\"]\n  }\n}\n\nmodule \"role\" {\n  source      = \"./role\"\n  policy_json = data.aws_iam_policy_document.admin.json\n}\n";
        let module = "variable \"policy_json\" {}\n\nresource \"aws_iam_policy\" \"this\" {\n  policy = var.policy_json\n}\n";
        let r = run(
            "RDX-IAM-001",
            &[("main.tf", root), ("role/main.tf", module)],
        );
        let this = r
            .iter()
            .find(|x| x.address == "module.role.aws_iam_policy.this")
            .expect("result");
        assert_eq!(this.status, Status::Fail, "{:?}", this.reason);
    }

    #[test]
    fn module_sources_are_normalized() {
        assert_eq!(
            normalize_module_source("terraform-aws-modules/s3-bucket/aws//modules/notification"),
            "terraform-aws-modules/s3-bucket/aws"
        );
    }
}
