//! SARIF from every IaC scanner, and real Checkov output.

use std::collections::BTreeSet;

use redress_ingest::{Format, PolicyMapper, Severity, SmallTableMapper, SourceTool, Status};

use crate::common::parse_fixture;

#[test]
fn sarif_from_every_iac_scanner() {
    let (findings, summary) = parse_fixture("sarif_iac.json");
    assert_eq!(summary.format, Format::Sarif);
    let tools: BTreeSet<_> = findings.iter().map(|f| f.source_tool).collect();
    for tool in [
        SourceTool::Checkov,
        SourceTool::Trivy,
        SourceTool::Tfsec,
        SourceTool::Kics,
        SourceTool::Terrascan,
        SourceTool::SnykIac,
    ] {
        assert!(tools.contains(&tool), "{tool} missing");
    }
    assert_eq!(summary.tools, tools);

    let checkov = &findings[0];
    assert_eq!(checkov.rule_id, "CKV_AWS_21");
    assert_eq!(checkov.severity, Severity::High);
    assert_eq!(checkov.file.as_deref(), Some("modules/logs/main.tf"));
    assert_eq!((checkov.start_line, checkov.end_line), (Some(3), Some(9)));
    assert_eq!(checkov.status, Status::Open);
    assert!(
        checkov
            .remediation_url
            .as_deref()
            .is_some_and(|u| u.contains("s3-16-enable-versioning"))
    );
    assert_eq!(findings[1].status, Status::Suppressed);

    let trivy = findings
        .iter()
        .find(|f| f.source_tool == SourceTool::Trivy)
        .expect("trivy");
    assert_eq!(trivy.severity, Severity::Medium, "security-severity 5.5");
    assert_eq!(trivy.title, "S3 Data should be versioned");
    assert_eq!((trivy.start_line, trivy.end_line), (Some(12), Some(20)));

    let terrascan = findings
        .iter()
        .find(|f| f.source_tool == SourceTool::Terrascan)
        .expect("terrascan");
    assert_eq!(terrascan.severity, Severity::Low);
    assert_eq!(terrascan.resource_ids, ["aws_s3_bucket.logs"]);

    let snyk: Vec<_> = findings
        .iter()
        .filter(|f| f.source_tool == SourceTool::SnykIac)
        .collect();
    assert_eq!(snyk.len(), 2);
    assert_eq!(snyk[0].severity, Severity::Low, "security-severity 3.1");
    assert_eq!(snyk[1].status, Status::Closed, "kind pass");

    // The same canonical policy across the SARIF producers and their native ids.
    for tool in [
        SourceTool::Checkov,
        SourceTool::Trivy,
        SourceTool::Tfsec,
        SourceTool::Kics,
    ] {
        let f = findings
            .iter()
            .find(|f| f.source_tool == tool)
            .expect("tool");
        assert_eq!(
            SmallTableMapper
                .canonical_policy(f.source_tool, &f.rule_id)
                .as_deref(),
            Some("aws-s3-bucket-versioning"),
            "{tool} {}",
            f.rule_id
        );
    }

    // A run whose tool came after its results is still read, producer unknown.
    let late = findings.last().expect("late run");
    assert_eq!(late.rule_id, "X1");
    assert_eq!(late.source_tool, SourceTool::OtherSarif);
    assert_eq!(late.tags["sarif_driver"], "unknown");
}

#[test]
fn real_checkov_output_keeps_module_instances_apart() {
    // Native JSON names each module instance, so three instances of one module resource
    // flagged at the same lines stay three findings.
    let (findings, summary) = parse_fixture("checkov_real.json");
    assert_eq!(summary.format, Format::Checkov);
    assert_eq!(findings.len(), 4);
    let distinct: BTreeSet<_> = findings.iter().map(|f| &f.fingerprint).collect();
    assert_eq!(distinct.len(), 4);
    let lifecycle = &findings[1];
    assert_eq!(lifecycle.rule_id, "CKV_AWS_300");
    assert_eq!(
        lifecycle.resource_ids,
        ["module.cloudfront_log_bucket.aws_s3_bucket_lifecycle_configuration.this[0]"]
    );
    assert_eq!(
        lifecycle.resource_type.as_deref(),
        Some("aws_s3_bucket_lifecycle_configuration")
    );
    assert_eq!(
        (lifecycle.start_line, lifecycle.end_line),
        (Some(297), Some(417))
    );
    assert_eq!(lifecycle.tags["scan_file_path"], "/../../main.tf");

    // SARIF drops the resource address: the three instances share rule, file and lines,
    // so they share one fingerprint (one fix site).
    let (findings, summary) = parse_fixture("checkov_real.sarif");
    assert_eq!(summary.format, Format::Sarif);
    assert_eq!(findings.len(), 4);
    assert!(
        findings
            .iter()
            .all(|f| f.source_tool == SourceTool::Checkov)
    );
    let distinct: BTreeSet<_> = findings.iter().map(|f| &f.fingerprint).collect();
    assert_eq!(distinct.len(), 2);
    assert_eq!(findings[0].rule_id, "CKV_AWS_7");
    assert_eq!(
        findings[0].title,
        "Ensure rotation for customer created CMKs is enabled"
    );
    assert_eq!(findings[0].severity, Severity::High);
    assert_eq!(
        (findings[0].start_line, findings[0].end_line),
        (Some(27), Some(30))
    );
}
