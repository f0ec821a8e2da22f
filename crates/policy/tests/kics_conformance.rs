//! Conformance against the KICS Terraform/AWS queries in the shared corpora: for every policy
//! and its KICS queries, every expected line of `positive_expected_result.json` is reported,
//! negatives report nothing, and every failing instance of a positive case gets a verified fix
//! (checked with a real `git apply --check`) that makes it pass; applying the fixes one after
//! the other, the whole file then scans clean for the policy. No instance is left without a
//! fix: a policy whose fix needs a human decision (RDX-IAM-001's actions, RDX-IAM-002's trusted
//! roles) asks for it as a validated Terraform input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use redress_policy::{Catalog, Repo, Status, evaluate, fix};

fn corpora() -> Option<PathBuf> {
    let root = std::env::var_os("REDRESS_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
        });
    let dir = root.join("kics/assets/queries/terraform/aws");
    dir.is_dir().then_some(dir)
}

fn expected_lines(query: &Path) -> BTreeMap<String, BTreeSet<usize>> {
    let text = std::fs::read_to_string(query.join("test/positive_expected_result.json"))
        .expect("expected results");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
    let mut out: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for e in entries {
        let file = e
            .get("fileName")
            .or_else(|| e.get("filename"))
            .and_then(|f| f.as_str())
            .unwrap_or("positive.tf")
            .to_string();
        let line = e["line"].as_u64().expect("line") as usize;
        out.entry(file).or_default().insert(line);
    }
    out
}

fn test_files(query: &Path, prefix: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(query.join("test"))
        .expect("test dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".tf"))
        .map(|n| {
            let text = std::fs::read_to_string(query.join("test").join(&n)).expect("read");
            (n, text)
        })
        .collect();
    files.sort();
    files
}

fn git_apply_check(original: &str, name: &str, diff: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let init = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .output()
        .map_err(|e| e.to_string())?;
    if !init.status.success() {
        return Err(String::from_utf8_lossy(&init.stderr).into_owned());
    }
    std::fs::write(dir.path().join(name), original).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("fix.diff"), diff).map_err(|e| e.to_string())?;
    let out = Command::new("git")
        .args(["apply", "--check", "fix.diff"])
        .current_dir(dir.path())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[derive(Default)]
struct Counts {
    expected: usize,
    found: usize,
    extra: usize,
    negatives: usize,
    negative_hits: usize,
    fixes: usize,
    cases: usize,
    clean: usize,
}

/// Applies the fixes of every failing instance one after the other (each proposed on the file
/// as the previous fixes left it). `Ok(())` when the file then scans clean for the policy,
/// `Err` with the first problem otherwise.
fn fix_all(catalog: &Catalog, policy: &str, name: &str, text: &str) -> Result<(), String> {
    let only = catalog.subset(&[policy]);
    let mut current = text.to_string();
    for _ in 0..50 {
        let repo = Repo::from_sources([(name.to_string(), current.clone())]);
        let failing: Vec<String> = evaluate(&repo, &only)
            .into_iter()
            .filter(|r| r.status == Status::Fail)
            .map(|r| r.address)
            .collect();
        let Some(address) = failing.first() else {
            return Ok(());
        };
        let f = fix::propose(&repo, catalog, policy, address).map_err(|e| e.to_string())?;
        if !f.offered {
            return Err(format!(
                "{address}: no verified fix on the patched file: {:?}",
                f.reason
            ));
        }
        match f.patched.get(name) {
            Some(next) => current = next.clone(),
            None => return Err(format!("{address}: the fix does not change {name}")),
        }
    }
    Err("more than 50 fixes".into())
}

#[test]
fn kics_positives_negatives_and_fixes() {
    let Some(queries) = corpora() else {
        eprintln!("KICS corpus not found (set REDRESS_CORPORA): skipping conformance");
        return;
    };
    let catalog = Catalog::builtin().expect("catalog");
    let mut failures: Vec<String> = Vec::new();
    let mut covered_queries = BTreeSet::new();
    println!(
        "{:<15} {:<48} {:>9} {:>6} {:>9} {:>6} {:>11}",
        "policy", "kics query", "expected", "extra", "neg-hits", "fixes", "clean/cases"
    );
    let mut totals = Counts::default();
    for policy in catalog.policies() {
        let only = catalog.subset(&[policy.id.as_str()]);
        for query_name in &policy.kics_queries {
            covered_queries.insert(query_name.clone());
            let query = queries.join(query_name);
            let meta: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(query.join("metadata.json")).expect("metadata"),
            )
            .expect("json");
            let kics_id = meta["id"].as_str().expect("query id");
            if !policy
                .equivalents
                .get("kics")
                .is_some_and(|ids| ids.iter().any(|i| i == kics_id))
            {
                failures.push(format!(
                    "{} lists query {query_name} but not its id {kics_id} under equivalents.kics",
                    policy.id
                ));
            }
            let mut c = Counts::default();
            let expected = expected_lines(&query);
            for (name, text) in test_files(&query, "positive") {
                let repo = Repo::from_sources([(name.clone(), text.clone())]);
                assert!(
                    repo.errors().is_empty(),
                    "{query_name}/{name} does not parse: {:?}",
                    repo.errors()
                );
                let results = evaluate(&repo, &only);
                let reported: BTreeSet<usize> = results
                    .iter()
                    .filter(|r| r.status == Status::Fail)
                    .flat_map(|r| r.violations.iter().map(|v| v.line))
                    .collect();
                let want = expected.get(&name).cloned().unwrap_or_default();
                c.expected += want.len();
                c.found += want.intersection(&reported).count();
                c.extra += reported.difference(&want).count();
                for line in want.difference(&reported) {
                    let unknown: Vec<_> = results.iter().filter_map(|r| r.reason.clone()).collect();
                    failures.push(format!("{} {query_name}/{name}: expected line {line} not reported (reported {reported:?}; unknown: {unknown:?})", policy.id));
                }
                // Fixes for every failing instance.
                let failing: BTreeSet<String> = results
                    .iter()
                    .filter(|r| r.status == Status::Fail)
                    .map(|r| r.address.clone())
                    .collect();
                for address in failing {
                    let f = fix::propose(&repo, &catalog, policy.id.as_str(), &address)
                        .expect("propose");
                    if !f.offered {
                        failures.push(format!(
                            "{} {query_name}/{name} {address}: no verified fix: {:?}",
                            policy.id, f.reason
                        ));
                        continue;
                    }
                    if let Err(e) = git_apply_check(&text, &name, &f.diff) {
                        failures.push(format!(
                            "{} {query_name}/{name} {address}: git apply --check: {e}\n{}",
                            policy.id, f.diff
                        ));
                        continue;
                    }
                    let patched = f
                        .patched
                        .get(&name)
                        .cloned()
                        .unwrap_or_else(|| text.clone());
                    let after = evaluate(&Repo::from_sources([(name.clone(), patched)]), &only);
                    if let Some(r) = after
                        .iter()
                        .find(|r| r.address == address && r.status != Status::Pass)
                    {
                        failures.push(format!(
                            "{} {query_name}/{name} {address}: still {:?} after fix",
                            policy.id, r.status
                        ));
                        continue;
                    }
                    c.fixes += 1;
                }
                c.cases += 1;
                match fix_all(&catalog, policy.id.as_str(), &name, &text) {
                    Ok(()) => c.clean += 1,
                    Err(e) => failures.push(format!(
                        "{} {query_name}/{name}: fixing every instance in turn: {e}",
                        policy.id
                    )),
                }
            }
            for (name, text) in test_files(&query, "negative") {
                c.negatives += 1;
                let repo = Repo::from_sources([(name.clone(), text)]);
                for r in evaluate(&repo, &only)
                    .iter()
                    .filter(|r| r.status == Status::Fail)
                {
                    c.negative_hits += 1;
                    failures.push(format!(
                        "{} {query_name}/{name}: negative reports {} at line {}",
                        policy.id, r.address, r.line
                    ));
                }
            }
            println!(
                "{:<15} {:<48} {:>4}/{:<4} {:>6} {:>4}/{:<4} {:>6} {:>6}/{}",
                policy.id.as_str(),
                query_name,
                c.found,
                c.expected,
                c.extra,
                c.negative_hits,
                c.negatives,
                c.fixes,
                c.clean,
                c.cases
            );
            totals.expected += c.expected;
            totals.found += c.found;
            totals.negative_hits += c.negative_hits;
            totals.negatives += c.negatives;
            totals.fixes += c.fixes;
            totals.cases += c.cases;
            totals.clean += c.clean;
        }
    }
    println!(
        "total: {}/{} expected lines, {} hits in {} negative files, {} verified fixes (every failing instance); {}/{} positive files scan clean after fixing every instance",
        totals.found,
        totals.expected,
        totals.negative_hits,
        totals.negatives,
        totals.fixes,
        totals.clean,
        totals.cases
    );
    let all_queries: BTreeSet<String> = std::fs::read_dir(&queries)
        .expect("queries")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<_> = all_queries.difference(&covered_queries).collect();
    assert!(
        missing.is_empty(),
        "KICS queries without a policy: {missing:?}"
    );
    assert!(
        failures.is_empty(),
        "{} conformance failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
