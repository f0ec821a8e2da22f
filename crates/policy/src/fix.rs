//! Fix generation: the edits that make a policy pass for one or more resource instances,
//! proven before they are offered.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::{Catalog, PolicyId};
use crate::diff;
use crate::edit::{Edit, FixKind, apply};
use crate::error::PolicyError;
use crate::eval::{EvalResult, Status, evaluate};
use crate::repo::Repo;
use crate::verify::{Verification, verify_patch};

/// The place a fix changes: the unit of work that several findings can share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FixSite {
    /// Relative path.
    pub file: String,
    /// 1-based line of the first changed line (for an insertion, the line it goes after).
    pub line: usize,
}

/// A proposed fix.
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    /// The policy fixed.
    pub policy: PolicyId,
    /// The instances asked for.
    pub targets: Vec<String>,
    /// Every resource instance the change touches or closes (count siblings, other users of
    /// a variable default, a module's resources for an input change).
    pub blast_radius: Vec<String>,
    /// Instances of this policy that fail before and pass after.
    pub closes: Vec<String>,
    /// What kinds of change the fix makes.
    pub kinds: Vec<FixKind>,
    /// One edit per changed file: the minimal replacement between old and new text.
    pub edits: Vec<Edit>,
    /// Unified diff (`git apply` accepts it).
    pub diff: String,
    /// Where the change is.
    pub fix_site: Option<FixSite>,
    /// The verification result.
    pub verification: Verification,
    /// True when the fix is verified and can be shown.
    pub offered: bool,
    /// Why it is not offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The patched texts, by path.
    #[serde(skip)]
    pub patched: BTreeMap<String, String>,
}

const MAX_ROUNDS: usize = 12;

/// Whether `address` selects the result: exact, or the address without instance key.
pub(crate) fn selects(address: &str, result_address: &str) -> bool {
    result_address == address
        || (result_address.starts_with(address) && result_address[address.len()..].starts_with('['))
}

/// Builds and verifies the fix of one policy for the instances selected by `address`
/// (`aws_s3_bucket.logs` selects every instance; `aws_s3_bucket.logs[0]` one).
pub fn propose(
    repo: &Repo,
    catalog: &Catalog,
    policy: &str,
    address: &str,
) -> Result<Fix, PolicyError> {
    let p = catalog
        .get_str(policy)
        .ok_or_else(|| PolicyError::UnknownPolicy(policy.to_string()))?;
    let only = catalog.subset(&[p.id.as_str()]);
    let before = evaluate(repo, &only);
    let targets: Vec<&EvalResult> = before
        .iter()
        .filter(|r| selects(address, &r.address))
        .collect();
    if targets.is_empty() {
        return Err(PolicyError::UnknownAddress {
            address: address.to_string(),
        });
    }
    let target_addrs: Vec<String> = targets.iter().map(|r| r.address.clone()).collect();
    let mut fix = Fix {
        policy: p.id.clone(),
        targets: target_addrs.clone(),
        blast_radius: Vec::new(),
        closes: Vec::new(),
        kinds: Vec::new(),
        edits: Vec::new(),
        diff: String::new(),
        fix_site: None,
        verification: Verification::Passes,
        offered: false,
        reason: None,
        patched: BTreeMap::new(),
    };
    if targets.iter().all(|r| r.status == Status::Pass) {
        fix.reason = Some("already passes".into());
        return Ok(fix);
    }
    if let Some(r) = targets.iter().find(|r| r.status == Status::Unknown) {
        fix.reason = Some(format!(
            "cannot evaluate {}: {}",
            r.address,
            r.reason.clone().unwrap_or_default()
        ));
        return Ok(fix);
    }
    // Rounds: apply the first available edit of the first failing target, re-evaluate.
    let mut current = repo.clone();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    let mut touched_blocks: Vec<(String, String)> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let now = evaluate(&current, &only);
        let failing: Vec<&EvalResult> = now
            .iter()
            .filter(|r| target_addrs.contains(&r.address) && r.status != Status::Pass)
            .collect();
        let Some(first) = failing.first() else { break };
        let Some(group) = first.fixes.first() else {
            fix.reason = Some(
                first
                    .no_fix
                    .first()
                    .cloned()
                    .unwrap_or_else(|| format!("no fix template for {}", first.address)),
            );
            return Ok(fix);
        };
        let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
        for (kind, edit) in group {
            kinds.insert(*kind);
            by_file.entry(edit.file.as_str()).or_default().push(edit);
        }
        for (path, edits) in by_file {
            let Some(file) = current.index().file(path) else {
                fix.reason = Some(format!("edit targets unknown file {path}"));
                return Ok(fix);
            };
            let Some(new_text) = apply(&file.content, &edits) else {
                fix.reason = Some(format!("edits do not apply to {path}"));
                return Ok(fix);
            };
            for edit in &edits {
                if let Some(b) = enclosing_block_key(file, edit.range.start) {
                    touched_blocks.push((path.to_string(), b));
                }
            }
            texts.insert(path.to_string(), new_text.clone());
            current = current.with_file(path, new_text);
        }
    }
    fix.kinds = kinds.into_iter().collect();
    let after = evaluate(&current, &only);
    let still: Vec<&EvalResult> = after
        .iter()
        .filter(|r| target_addrs.contains(&r.address) && r.status != Status::Pass)
        .collect();
    if let Some(r) = still.first() {
        fix.reason = Some(format!(
            "after {MAX_ROUNDS} rounds {} still fails at line {}",
            r.address, r.line
        ));
    }
    // Edits, diff, fix site.
    for (path, new_text) in &texts {
        let Some(orig) = repo.index().file(path) else {
            continue;
        };
        fix.diff
            .push_str(&diff::unified(path, &orig.content, new_text, 3));
        if let Some(e) = minimal_edit(path, &orig.content, new_text) {
            fix.edits.push(e);
        }
        if fix.fix_site.is_none()
            && let Some(c) = diff::changes(&orig.content, new_text).first()
        {
            let line = if c.old.is_empty() {
                c.old.start.max(1)
            } else {
                c.old.start + 1
            };
            fix.fix_site = Some(FixSite {
                file: path.clone(),
                line,
            });
        }
    }
    let failing_before: BTreeSet<&str> = before
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| r.address.as_str())
        .collect();
    fix.closes = after
        .iter()
        .filter(|r| r.status == Status::Pass && failing_before.contains(r.address.as_str()))
        .map(|r| r.address.clone())
        .collect();
    fix.blast_radius = blast_radius(repo, catalog, &texts, &fix.closes);
    fix.verification = verify_patch(
        repo,
        &current,
        catalog,
        &p.id,
        &target_addrs,
        &texts,
        &touched_blocks,
    );
    fix.offered = fix.reason.is_none() && fix.verification == Verification::Passes;
    if fix.reason.is_none() && !fix.offered {
        fix.reason = Some(format!(
            "verification failed: {}",
            fix.verification.describe()
        ));
    }
    fix.patched = texts;
    Ok(fix)
}

/// Every failing instance of the repository grouped into fix sites: one proposed fix per
/// resource (all its `count`/`for_each` instances together), and fixes whose diffs are
/// identical (several resources fed by one variable default or module input) merged into one
/// with all their targets. Unfixable failures come back as fixes that are not offered, with
/// the reason.
pub fn plan(repo: &Repo, catalog: &Catalog) -> Vec<Fix> {
    let results = evaluate(repo, catalog);
    let mut wanted: Vec<(String, String)> = Vec::new();
    for r in results.iter().filter(|r| r.status == Status::Fail) {
        let base = r
            .address
            .rfind('[')
            .filter(|_| r.address.ends_with(']'))
            .map_or(r.address.as_str(), |i| &r.address[..i]);
        let key = (r.policy.as_str().to_string(), base.to_string());
        if !wanted.contains(&key) {
            wanted.push(key);
        }
    }
    let mut fixes: Vec<Fix> = Vec::new();
    for (policy, address) in wanted {
        let Ok(f) = propose(repo, catalog, &policy, &address) else {
            continue;
        };
        if let Some(same) = fixes
            .iter_mut()
            .find(|g| g.policy == f.policy && g.offered && f.offered && g.diff == f.diff)
        {
            for t in f.targets {
                if !same.targets.contains(&t) {
                    same.targets.push(t);
                }
            }
            continue;
        }
        fixes.push(f);
    }
    fixes
}

/// Instances whose block lies on a changed line, plus the instances closed.
fn blast_radius(
    repo: &Repo,
    catalog: &Catalog,
    texts: &BTreeMap<String, String>,
    closes: &[String],
) -> Vec<String> {
    let mut out: BTreeSet<String> = closes.iter().cloned().collect();
    let changed: BTreeMap<&str, Vec<diff::Change>> = texts
        .iter()
        .filter_map(|(p, t)| {
            repo.index()
                .file(p)
                .map(|f| (p.as_str(), diff::changes(&f.content, t)))
        })
        .collect();
    for r in evaluate(repo, catalog) {
        if let Some(ch) = changed.get(r.file.as_str())
            && ch.iter().any(|c| {
                let (s, e) = (c.old.start + 1, c.old.end.max(c.old.start + 1));
                s <= r.end_line + 1 && e >= r.start_line
            })
        {
            out.insert(r.address);
        }
    }
    out.into_iter().collect()
}

/// `resource aws_s3_bucket b`-style key of the top-level block holding a byte (inclusive end).
/// A top-level attribute (in `.tfvars` files) is keyed `= name`.
pub(crate) fn enclosing_block_key(file: &redress_iac::File, byte: usize) -> Option<String> {
    file.blocks
        .iter()
        .find(|b| b.span.start_byte <= byte && byte <= b.span.end_byte)
        .map(|b| format!("{} {}", b.ident, b.labels.join(" ")))
        .or_else(|| {
            file.attributes
                .iter()
                .find(|a| a.span.start_byte <= byte && byte <= a.span.end_byte)
                .map(|a| format!("= {}", a.name))
        })
}

/// One replacement covering everything between the common prefix and suffix.
fn minimal_edit(path: &str, old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let pre = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let max_suf = old.len().min(new.len()) - pre;
    let suf = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suf)
        .take_while(|(a, b)| a == b)
        .count();
    let (mut s, mut oe, mut ne) = (pre, old.len() - suf, new.len() - suf);
    while !old.is_char_boundary(s) || !new.is_char_boundary(s) {
        s -= 1;
    }
    while !old.is_char_boundary(oe) || !new.is_char_boundary(ne) {
        oe += 1;
        ne += 1;
    }
    Some(Edit {
        file: path.to_string(),
        range: s..oe,
        text: new.get(s..ne)?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(text: &str) -> Repo {
        Repo::from_sources([("main.tf".to_string(), text.to_string())])
    }

    #[test]
    fn one_fix_closes_both_count_instances() {
        let r = repo("resource \"aws_ebs_volume\" \"v\" {\n  count = 2\n  size  = 8\n}\n");
        let catalog = Catalog::builtin().expect("catalog");
        let fix = propose(&r, &catalog, "RDX-EBS-001", "aws_ebs_volume.v").expect("fix");
        assert!(fix.offered, "{:?}", fix.reason);
        assert_eq!(
            fix.closes,
            vec!["aws_ebs_volume.v[0]", "aws_ebs_volume.v[1]"]
        );
        assert!(fix.diff.contains("+  encrypted = true\n"), "{}", fix.diff);
        assert_eq!(fix.kinds, vec![FixKind::AddAttribute]);
    }

    #[test]
    fn a_variable_default_is_fixed_where_it_is_written() {
        let r = repo(
            "variable \"enc\" {\n  default = false\n}\n\nresource \"aws_ebs_volume\" \"a\" {\n  encrypted = var.enc\n}\n\nresource \"aws_ebs_volume\" \"b\" {\n  encrypted = var.enc\n}\n",
        );
        let catalog = Catalog::builtin().expect("catalog");
        let fix = propose(&r, &catalog, "RDX-EBS-001", "aws_ebs_volume.a").expect("fix");
        assert!(fix.offered, "{:?}", fix.reason);
        assert_eq!(fix.kinds, vec![FixKind::VariableDefault]);
        assert_eq!(
            fix.fix_site,
            Some(FixSite {
                file: "main.tf".into(),
                line: 2
            })
        );
        assert_eq!(fix.closes, vec!["aws_ebs_volume.a", "aws_ebs_volume.b"]);
    }

    #[test]
    fn a_module_input_is_changed_at_the_call_site() {
        let r = Repo::from_sources([
            ("main.tf".to_string(), "module \"data\" {\n  source = \"./modules/vol\"\n  enc    = false\n}\n".to_string()),
            (
                "modules/vol/main.tf".to_string(),
                "variable \"enc\" {\n  default = true\n}\n\nresource \"aws_ebs_volume\" \"this\" {\n  encrypted = var.enc\n}\n".to_string(),
            ),
        ]);
        let catalog = Catalog::builtin().expect("catalog");
        let fix = propose(
            &r,
            &catalog,
            "RDX-EBS-001",
            "module.data.aws_ebs_volume.this",
        )
        .expect("fix");
        assert!(fix.offered, "{:?}", fix.reason);
        assert_eq!(fix.kinds, vec![FixKind::ModuleInput]);
        assert_eq!(
            fix.fix_site,
            Some(FixSite {
                file: "main.tf".into(),
                line: 3
            })
        );
        assert!(
            fix.diff.contains("-  enc    = false\n+  enc    = true\n"),
            "{}",
            fix.diff
        );
    }

    #[test]
    fn plan_merges_resources_fed_by_one_variable_default_into_one_fix_site() {
        let r = repo(
            "variable \"enc\" {\n  default = false\n}\n\nresource \"aws_ebs_volume\" \"a\" {\n  encrypted = var.enc\n}\n\nresource \"aws_ebs_volume\" \"b\" {\n  encrypted = var.enc\n}\n",
        );
        let catalog = Catalog::builtin().expect("catalog");
        let plan = plan(&r, &catalog);
        let ebs: Vec<&Fix> = plan
            .iter()
            .filter(|f| f.policy.as_str() == "RDX-EBS-001")
            .collect();
        assert_eq!(ebs.len(), 1, "{ebs:?}");
        assert_eq!(ebs[0].targets, vec!["aws_ebs_volume.a", "aws_ebs_volume.b"]);
        assert!(ebs[0].offered);
    }

    #[test]
    fn an_http_listener_that_forwards_is_turned_into_a_redirect_to_https() {
        let r = repo(
            "resource \"aws_lb_listener\" \"http\" {\n  load_balancer_arn = aws_lb.web.arn\n  port              = 80\n\n  default_action {\n    type             = \"forward\"\n    target_group_arn = aws_lb_target_group.web.arn\n  }\n}\n",
        );
        let catalog = Catalog::builtin().expect("catalog");
        let fix = propose(&r, &catalog, "RDX-ELB-001", "aws_lb_listener.http").expect("fix");
        assert!(fix.offered, "{:?}", fix.reason);
        assert_eq!(fix.kinds, vec![FixKind::ReplaceBlock]);
        let patched = &fix.patched["main.tf"];
        assert!(
            patched.ends_with(
                "  default_action {\n    type = \"redirect\"\n\n    redirect {\n      port        = \"443\"\n      protocol    = \"HTTPS\"\n      status_code = \"HTTP_301\"\n    }\n  }\n}\n"
            ),
            "{patched}"
        );
        assert!(
            !patched.contains("forward") && !patched.contains("target_group_arn"),
            "{patched}"
        );

        // An existing redirect keeps its settings: only the protocol changes.
        let r = repo(
            "resource \"aws_lb_listener\" \"http\" {\n  port = 80\n  default_action {\n    type = \"redirect\"\n    redirect {\n      host        = \"www.example.com\"\n      port        = \"443\"\n      protocol    = \"HTTP\"\n      status_code = \"HTTP_302\"\n    }\n  }\n}\n",
        );
        let fix = propose(&r, &catalog, "RDX-ELB-001", "aws_lb_listener.http").expect("fix");
        assert!(fix.offered, "{:?}", fix.reason);
        assert_eq!(fix.kinds, vec![FixKind::SetValue]);
        assert!(
            fix.diff
                .contains("-      protocol    = \"HTTP\"\n+      protocol    = \"HTTPS\"\n"),
            "{}",
            fix.diff
        );
    }

    #[test]
    fn unknown_addresses_and_policies_are_errors() {
        let r = repo("resource \"aws_ebs_volume\" \"v\" {}\n");
        let catalog = Catalog::builtin().expect("catalog");
        assert!(matches!(
            propose(&r, &catalog, "RDX-NOPE", "x"),
            Err(PolicyError::UnknownPolicy(_))
        ));
        assert!(matches!(
            propose(&r, &catalog, "RDX-EBS-001", "aws_ebs_volume.w"),
            Err(PolicyError::UnknownAddress { .. })
        ));
    }

    #[test]
    fn minimal_edit_spans_only_the_change() {
        let e = minimal_edit("f", "a = false\n", "a = true\n").expect("edit");
        assert_eq!((e.range, e.text.as_str()), (4..8, "tru"));
    }
}
