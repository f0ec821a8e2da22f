//! The policy catalog: policies as data (TOML), embedded at build time and loadable from a
//! directory at run time. The format is documented in `POLICIES.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::PolicyError;

/// A canonical policy id such as `RDX-S3-001`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PolicyId(pub String);

impl PolicyId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How bad a failure of the policy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The same rule's ids in other tools, keyed by tool name as the ingest crate spells it
/// (`checkov`, `kics`, `trivy`, `tfsec`, `securityhub`, `prowler`, `wiz`, `orca`,
/// `terrascan`, `aws-config`).
pub type Equivalents = BTreeMap<String, Vec<String>>;

/// One policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Canonical id.
    pub id: PolicyId,
    /// One-line title, phrased as the desired state.
    pub title: String,
    /// Severity of a failure.
    pub severity: Severity,
    /// What the policy checks.
    pub description: String,
    /// Why it matters.
    pub why: String,
    /// When applying the fix can break things.
    pub breaks: String,
    /// Ids of the same rule in other tools.
    #[serde(default)]
    pub equivalents: Equivalents,
    /// The KICS query folders this policy is tested against (conformance).
    #[serde(default)]
    pub kics_queries: Vec<String>,
    /// What the policy applies to and how each is checked.
    #[serde(rename = "target")]
    pub targets: Vec<Target>,
}

impl Policy {
    /// Resource types (and `data.` types) this policy applies to.
    pub fn resource_types(&self) -> impl Iterator<Item = &str> {
        self.targets.iter().filter_map(|t| t.resource.as_deref())
    }
}

/// What a policy applies to: a resource type, a data source type (`data.aws_iam_policy_document`)
/// or the calls of a registry module (whose inputs stand in for the resource's attributes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Resource type, or `data.<type>` for a data source.
    #[serde(default)]
    pub resource: Option<String>,
    /// Registry module source, e.g. `terraform-aws-modules/s3-bucket/aws`.
    #[serde(default)]
    pub module: Option<String>,
    /// The condition every instance must meet.
    pub check: Cond,
    /// Why a failure of this target has no automatic fix (given as the reason instead of a
    /// fix, for conditions without a `fix`).
    #[serde(default)]
    pub no_fix: Option<String>,
}

/// What to do when an attribute on the path is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Absent counts as a failure (the provider default is insecure).
    #[default]
    Fail,
    /// Absent counts as meeting the condition.
    Pass,
}

/// Where a failure is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Report {
    /// The resource's (or module call's) first line.
    Resource,
    /// The nested block's first line.
    Block,
    /// The offending attribute (the default).
    Attribute,
    /// The line inside a policy document where the offending value is written.
    Match,
}

/// A declarative condition. Exactly one kind is set: `attr`, `all_of`, `any_of`, `when`,
/// `each`, `companion`, `network` or `document`. See `POLICIES.md`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cond {
    /// Attribute path, dot-separated through nested blocks and object values.
    #[serde(default)]
    pub attr: Option<String>,
    /// The value must equal this.
    #[serde(default)]
    pub equals: Option<toml::Value>,
    /// The value must not equal this.
    #[serde(default)]
    pub not_equals: Option<toml::Value>,
    /// The value must be one of these.
    #[serde(default)]
    pub one_of: Option<Vec<toml::Value>>,
    /// The value must be none of these.
    #[serde(default)]
    pub not_one_of: Option<Vec<toml::Value>>,
    /// The list value must contain this.
    #[serde(default)]
    pub contains: Option<toml::Value>,
    /// The list value must not contain any of these.
    #[serde(default)]
    pub contains_none: Option<Vec<toml::Value>>,
    /// The attribute (or nested block) must be present (`true`) or absent (`false`).
    #[serde(default)]
    pub present: Option<bool>,
    /// The value must not be an empty string or list.
    #[serde(default)]
    pub non_empty: Option<bool>,
    /// What an absent attribute means.
    #[serde(default)]
    pub missing: Option<Missing>,
    /// HCL text to set the attribute to (fix: set, replace or add).
    #[serde(default)]
    pub fix: Option<String>,
    /// Where to report a failure.
    #[serde(default)]
    pub report: Option<Report>,
    /// A sibling attribute whose value the fix replaces instead of the checked one.
    #[serde(default)]
    pub fix_at: Option<String>,
    /// HCL text of a whole nested block (`name { … }`) that replaces the nested block named by
    /// the first segment of `attr` when the checked value is missing below it (a wrong value
    /// is still fixed with `fix`).
    #[serde(default)]
    pub fix_block: Option<String>,
    /// References (by prefix, e.g. `data.aws_caller_identity.`) whose values are known to meet
    /// the condition although they cannot be evaluated (such as the values a fix writes).
    #[serde(default)]
    pub accept_refs: Option<Vec<String>>,
    /// Conditions checked on the same node whose fixes go with this condition's fix, in the
    /// same round (e.g. `endpoint_private_access = true` with `endpoint_public_access = false`).
    #[serde(default)]
    pub fix_also: Option<Vec<Cond>>,
    /// Top-level blocks (HCL text, e.g. `data "aws_caller_identity" "current" {}`) that this
    /// condition's fix refers to: each is added after the block the fix changes, unless the
    /// module already has a block of the same kind and labels.
    #[serde(default)]
    pub fix_requires: Option<Vec<String>>,
    /// All must hold; the first failing one is reported.
    #[serde(default)]
    pub all_of: Option<Vec<Cond>>,
    /// At least one must hold.
    #[serde(default)]
    pub any_of: Option<Vec<Cond>>,
    /// Guard: `then` is checked only when `when` holds.
    #[serde(default)]
    pub when: Option<Box<Cond>>,
    /// The condition checked when the guard holds.
    #[serde(default)]
    pub then: Option<Box<Cond>>,
    /// Nested block name (or list-of-objects attribute): every element must meet `check`.
    #[serde(default)]
    pub each: Option<String>,
    /// Sub-condition for `each` and `companion`.
    #[serde(default)]
    pub check: Option<Box<Cond>>,
    /// Companion resource type linked to the subject by reference.
    #[serde(default)]
    pub companion: Option<String>,
    /// The companion's attribute that references the subject (e.g. `bucket`).
    #[serde(default)]
    pub link: Option<String>,
    /// HCL template of the companion resource to add: `{name}`, `{ref}` and `{meta}`.
    #[serde(default)]
    pub template: Option<String>,
    /// For a companion that exists in the code but has no instances (its `count` / `for_each`
    /// is decided by a variable that is empty): HCL values, by variable name, that a fix sets
    /// at the module call site (or where the variable's value is written).
    #[serde(default)]
    pub inputs: Option<BTreeMap<String, String>>,
    /// Security-group ingress open to the world.
    #[serde(default)]
    pub network: Option<NetworkSpec>,
    /// JSON policy document check.
    #[serde(default)]
    pub document: Option<DocumentSpec>,
}

/// An ingress rule check: open to a world CIDR on one of the ports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Ports that must not be reachable from the world; empty means any port.
    #[serde(default)]
    pub ports: Vec<u16>,
    /// CIDRs that count as "the world".
    #[serde(default = "default_world")]
    pub world: Vec<String>,
    /// Protocols checked (`tcp`, `udp`, `-1`, `all`); empty means any.
    #[serde(default)]
    pub protocols: Vec<String>,
}

fn default_world() -> Vec<String> {
    vec!["0.0.0.0/0".to_string(), "::/0".to_string()]
}

/// What a JSON policy document must not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentRule {
    /// An Allow statement for any principal (`*`, `{"AWS": "*"}`).
    AnyPrincipal,
    /// Like `any_principal`, and also a whole account's root (`arn:aws:iam::…:root`), as in
    /// a role trust policy that lets every principal of an account assume the role.
    AnyPrincipalOrAccountRoot,
    /// An Allow statement for `*` actions on `*` resources.
    FullAdmin,
    /// An Allow statement for `*` actions (any resource).
    WildcardAction,
    /// No Deny statement for requests without TLS (`aws:SecureTransport = false`).
    RequireSecureTransport,
}

/// A check on a JSON policy document held in an attribute (heredoc, string, `jsonencode`,
/// or a reference to a `data.aws_iam_policy_document`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// The attribute holding the document; empty for a `data.aws_iam_policy_document` subject.
    #[serde(default)]
    pub attr: String,
    /// What is forbidden.
    pub rule: DocumentRule,
    /// What an absent document means.
    #[serde(default)]
    pub missing: Option<Missing>,
    /// Only statements whose actions start with one of these prefixes count (empty: all).
    #[serde(default)]
    pub action_prefixes: Vec<String>,
    /// The AWS principal (JSON string content, may use `${…}` interpolation) that replaces a
    /// wildcard principal of an Allow statement (`any_principal`, in a heredoc document).
    #[serde(default)]
    pub principal_fix: Option<String>,
    /// A `var.<name>` reference (`{name}` allowed) that replaces the `Action` of the first
    /// Allow statement granting `*` on `*` (`full_admin`); pair it with `fix_requires` adding
    /// that variable with a validated shape (POLICIES.md).
    #[serde(default)]
    pub action_input: Option<String>,
    /// A `var.<name>` reference (`{name}` allowed) that replaces the first wildcard (or, for
    /// `any_principal_or_account_root`, account-root) AWS principal of an Allow statement.
    #[serde(default)]
    pub principal_input: Option<String>,
}

/// A set of policies.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    policies: Vec<Policy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    policy: Vec<Policy>,
}

const BUILTIN: &[(&str, &str)] = &[
    ("s3.toml", include_str!("../policies/s3.toml")),
    ("network.toml", include_str!("../policies/network.toml")),
    ("compute.toml", include_str!("../policies/compute.toml")),
    ("data.toml", include_str!("../policies/data.toml")),
    ("identity.toml", include_str!("../policies/identity.toml")),
    ("logging.toml", include_str!("../policies/logging.toml")),
];

impl Catalog {
    /// The built-in AWS policies.
    pub fn builtin() -> Result<Self, PolicyError> {
        let mut catalog = Catalog::default();
        for (name, text) in BUILTIN {
            catalog.add_toml(name, text)?;
        }
        Ok(catalog)
    }

    /// Parses one TOML file of policies and adds them; ids must be unique.
    pub fn add_toml(&mut self, source: &str, text: &str) -> Result<(), PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| PolicyError::Catalog {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
        for policy in file.policy {
            validate(source, &policy)?;
            if self.get(&policy.id).is_some() {
                return Err(PolicyError::Catalog {
                    source_name: source.to_string(),
                    message: format!("duplicate policy id {}", policy.id),
                });
            }
            self.policies.push(policy);
        }
        Ok(())
    }

    /// Adds every `*.toml` file of a directory (not recursive), in name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), PolicyError> {
        let io = |e: std::io::Error| PolicyError::Io {
            path: dir.display().to_string(),
            source: e,
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let meta = std::fs::metadata(&path).map_err(io)?;
            if meta.len() > MAX_POLICY_FILE {
                return Err(PolicyError::Catalog {
                    source_name: path.display().to_string(),
                    message: format!(
                        "file is {} bytes, the limit is {MAX_POLICY_FILE}",
                        meta.len()
                    ),
                });
            }
            let text = std::fs::read_to_string(&path).map_err(|e| PolicyError::Io {
                path: path.display().to_string(),
                source: e,
            })?;
            self.add_toml(&path.display().to_string(), &text)?;
        }
        Ok(())
    }

    /// All policies, in catalog order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The policy with this id.
    pub fn get(&self, id: &PolicyId) -> Option<&Policy> {
        self.policies.iter().find(|p| &p.id == id)
    }

    /// The policy with this id, by text.
    pub fn get_str(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id.as_str() == id)
    }

    /// A catalog holding only the policies with these ids (unknown ids are ignored).
    pub fn subset(&self, ids: &[&str]) -> Catalog {
        Catalog {
            policies: self
                .policies
                .iter()
                .filter(|p| ids.contains(&p.id.as_str()))
                .cloned()
                .collect(),
        }
    }
}

const MAX_POLICY_FILE: u64 = 1 << 20;

fn validate(source: &str, policy: &Policy) -> Result<(), PolicyError> {
    let err = |message: String| PolicyError::Catalog {
        source_name: source.to_string(),
        message: format!("policy {}: {message}", policy.id),
    };
    if policy.targets.is_empty() {
        return Err(err("has no [[policy.target]]".into()));
    }
    for target in &policy.targets {
        if target.resource.is_some() == target.module.is_some() {
            return Err(err(
                "a target sets exactly one of `resource` and `module`".into()
            ));
        }
        validate_cond(&target.check).map_err(&err)?;
    }
    Ok(())
}

fn validate_cond(cond: &Cond) -> Result<(), String> {
    let kinds = [
        cond.attr.is_some(),
        cond.all_of.is_some(),
        cond.any_of.is_some(),
        cond.when.is_some(),
        cond.each.is_some(),
        cond.companion.is_some(),
        cond.network.is_some(),
        cond.document.is_some(),
    ];
    let count = kinds.iter().filter(|k| **k).count();
    if count != 1 {
        return Err(format!(
            "a condition sets exactly one of attr, all_of, any_of, when, each, companion, network, document (found {count})"
        ));
    }
    if cond.when.is_some() && cond.then.is_none() {
        return Err("`when` needs `then`".into());
    }
    if (cond.each.is_some() || cond.companion.is_some()) && cond.check.is_none() {
        return Err("`each` and `companion` need `check`".into());
    }
    if cond.companion.is_some() && cond.link.is_none() {
        return Err("`companion` needs `link`".into());
    }
    if cond.inputs.is_some() && cond.companion.is_none() {
        return Err("`inputs` goes with `companion`".into());
    }
    for (name, value) in cond.inputs.iter().flatten() {
        if let Err(e) = redress_iac::parse_expression(value) {
            return Err(format!(
                "inputs.{name} `{value}` is not an HCL expression ({e})"
            ));
        }
    }
    for sub in cond.all_of.iter().chain(cond.any_of.iter()).flatten() {
        validate_cond(sub)?;
    }
    for sub in [&cond.when, &cond.then, &cond.check].into_iter().flatten() {
        validate_cond(sub)?;
    }
    if let Some(fix) = &cond.fix
        && let Err(e) = redress_iac::parse_expression(&crate::compose::placeholders_filled(fix))
    {
        return Err(format!("fix `{fix}` is not an HCL expression ({e})"));
    }
    for sub in cond.fix_also.iter().flatten() {
        validate_cond(sub)?;
    }
    for block in cond.fix_requires.iter().flatten() {
        crate::compose::required_block(&crate::compose::placeholders_filled(block))?;
    }
    if let Some(spec) = &cond.document
        && let Some(p) = &spec.principal_fix
        && (p.contains(['"', '\\']) || p.trim().is_empty() || p.contains('*'))
    {
        return Err(format!(
            "principal_fix `{p}` must be a non-empty principal without quotes, backslashes or `*`"
        ));
    }
    if let Some(spec) = &cond.document {
        for input in [&spec.action_input, &spec.principal_input]
            .into_iter()
            .flatten()
        {
            let filled = crate::compose::placeholders_filled(input);
            let is_var = redress_iac::parse_expression(&filled)
                .ok()
                .is_some_and(|e| matches!(e.var_or_local(), Some(("var", _))));
            if !is_var {
                return Err(format!("input `{input}` must be a `var.<name>` reference"));
            }
        }
    }
    if let Some(block) = &cond.fix_block {
        let first = cond.attr.as_deref().and_then(|a| a.split('.').next());
        let index = redress_iac::Index::from_sources([("fix_block.tf", block.as_str())])
            .map_err(|e| e.to_string())?;
        let file = index.file("fix_block.tf");
        let parsed = file.filter(|f| f.errors.is_empty() && f.attributes.is_empty());
        match parsed.map(|f| f.blocks.as_slice()) {
            Some([b]) if Some(b.ident.as_str()) == first => {}
            _ => {
                return Err(format!(
                    "fix_block must be one `{}` block that parses (with `attr` naming it first)",
                    first.unwrap_or("?")
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_loads_with_unique_ids_and_at_least_40_policies() {
        let catalog = Catalog::builtin().expect("builtin catalog");
        assert!(
            catalog.policies().len() >= 40,
            "{} policies",
            catalog.policies().len()
        );
        for p in catalog.policies() {
            assert!(
                !p.why.is_empty() && !p.breaks.is_empty(),
                "{} lacks why/breaks",
                p.id
            );
        }
    }

    #[test]
    fn a_condition_with_two_kinds_is_rejected_with_the_policy_id() {
        let text = r#"
[[policy]]
id = "X-1"
title = "t"
severity = "low"
description = "d"
why = "w"
breaks = "b"
[[policy.target]]
resource = "aws_s3_bucket"
check = { attr = "a", any_of = [] }
"#;
        let err = Catalog::default()
            .add_toml("x.toml", text)
            .expect_err("invalid");
        let msg = err.to_string();
        assert!(msg.contains("X-1") && msg.contains("x.toml"), "{msg}");
    }

    #[test]
    fn a_fix_that_is_not_hcl_is_rejected() {
        let text = r#"
[[policy]]
id = "X-2"
title = "t"
severity = "low"
description = "d"
why = "w"
breaks = "b"
[[policy.target]]
resource = "aws_s3_bucket"
check = { attr = "a", equals = true, fix = "tru e {" }
"#;
        assert!(Catalog::default().add_toml("x.toml", text).is_err());
    }
}
