//! Scan output: the `redress scan --json` shape and SARIF 2.1.0.

use serde_json::{Value, json};

use crate::catalog::{Catalog, Severity};
use crate::eval::{EvalResult, Status};

/// `{"results":[{"policy","equivalents","address","file","line","status"}]}`, one entry per
/// failing resource instance, in evaluation order; `file` and `line` are where the first
/// violation is ([`EvalResult::location`]: a module call or variable may be in another file).
pub fn scan_json(results: &[EvalResult], catalog: &Catalog) -> Value {
    let entries: Vec<Value> = results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| {
            let equivalents = catalog
                .get(&r.policy)
                .map(|p| json!(p.equivalents))
                .unwrap_or_else(|| json!({}));
            let (file, line) = r.location();
            json!({
                "policy": r.policy,
                "equivalents": equivalents,
                "address": r.address,
                "file": file,
                "line": line,
                "status": "fail",
            })
        })
        .collect();
    json!({ "results": entries })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// A stable fingerprint (FNV-1a 64) of policy and address, so code-scanning UIs track a result
/// across line moves.
fn fingerprint(policy: &str, address: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in policy.bytes().chain([0u8]).chain(address.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// SARIF 2.1.0 with one rule per policy (equivalents in `properties.equivalents`) and one
/// result per failing instance.
pub fn sarif(results: &[EvalResult], catalog: &Catalog) -> Value {
    let rules: Vec<Value> = catalog
        .policies()
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.id.as_str().replace('-', ""),
                "shortDescription": { "text": p.title },
                "fullDescription": { "text": p.description },
                "help": {
                    "text": format!("{}\n\nWhy: {}\n\nWhen the fix can break things: {}", p.description, p.why, p.breaks),
                    "markdown": format!("{}\n\n**Why:** {}\n\n**When the fix can break things:** {}", p.description, p.why, p.breaks),
                },
                "defaultConfiguration": { "level": level(p.severity) },
                "properties": {
                    "tags": ["security", "terraform", "aws"],
                    "security-severity": security_severity(p.severity),
                    "severity": p.severity.as_str(),
                    "equivalents": p.equivalents,
                },
            })
        })
        .collect();
    let index = |id: &str| catalog.policies().iter().position(|p| p.id.as_str() == id);
    let sarif_results: Vec<Value> = results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| {
            let policy = catalog.get(&r.policy);
            let message = r.violations.first().map_or_else(|| "fails the policy".to_string(), |v| v.message.clone());
            let title = policy.map_or("", |p| p.title.as_str());
            let (file, line) = r.location();
            json!({
                "ruleId": r.policy,
                "ruleIndex": index(r.policy.as_str()),
                "level": policy.map_or("warning", |p| level(p.severity)),
                "message": { "text": format!("{}: {message} ({})", r.address, title) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": line },
                    },
                    "logicalLocations": [{ "fullyQualifiedName": r.address, "kind": "resource" }],
                }],
                "partialFingerprints": { "redressPolicyAddress/v1": fingerprint(r.policy.as_str(), &r.address) },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "redress",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The scanned directory." } } },
            "results": sarif_results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::Repo;

    fn scan(text: &str) -> (Vec<EvalResult>, Catalog) {
        let repo = Repo::from_sources([("m/main.tf".to_string(), text.to_string())]);
        let catalog = Catalog::builtin().expect("catalog");
        (crate::evaluate(&repo, &catalog), catalog)
    }

    #[test]
    fn json_lists_each_failing_instance_with_equivalents() {
        let (results, catalog) =
            scan("resource \"aws_ebs_volume\" \"v\" {\n  count = 2\n  encrypted = false\n}\n");
        let v = scan_json(&results, &catalog);
        let entries: Vec<&Value> = v["results"]
            .as_array()
            .expect("array")
            .iter()
            .filter(|e| e["policy"] == "RDX-EBS-001")
            .collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["address"], "aws_ebs_volume.v[0]");
        assert_eq!(entries[0]["file"], "m/main.tf");
        assert_eq!(entries[0]["line"], 3);
        assert_eq!(entries[0]["status"], "fail");
        assert_eq!(entries[0]["equivalents"]["checkov"][0], "CKV_AWS_3");
    }

    #[test]
    fn sarif_rules_carry_equivalents_and_results_point_at_lines() {
        let (results, catalog) =
            scan("resource \"aws_ebs_volume\" \"v\" {\n  encrypted = false\n}\n");
        let v = sarif(&results, &catalog);
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), catalog.policies().len());
        let ebs = rules
            .iter()
            .find(|r| r["id"] == "RDX-EBS-001")
            .expect("rule");
        assert_eq!(ebs["properties"]["equivalents"]["securityhub"][0], "EC2.3");
        let res = run["results"].as_array().expect("results");
        let hit = res
            .iter()
            .find(|r| r["ruleId"] == "RDX-EBS-001")
            .expect("result");
        assert_eq!(
            hit["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        let idx = hit["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[idx]["id"], "RDX-EBS-001");
    }
}
