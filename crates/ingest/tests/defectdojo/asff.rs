//! Security Hub (ASFF) fixtures.

use std::collections::BTreeSet;

use redress_ingest::{Format, Severity, Status};

use crate::common::load;

// ---------------------------------------------------------------- Security Hub (ASFF)

#[test]
fn asff_config_one_finding_passed_is_closed() {
    let Some(p) = load("awssecurityhub/config_one_finding.json", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::Asff);
    // DefectDojo: 1 finding, inactive and mitigated. Redress: 1 finding, closed, so open = 0.
    assert_eq!(p.findings.len(), 1);
    assert_eq!(p.distinct_open(), 0);
    let f = &p.findings[0];
    assert_eq!(f.status, Status::Closed);
    assert_eq!(f.status_reason.as_deref(), Some("Compliance PASSED"));
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.rule_id, "IAM.5");
    assert_eq!(
        f.remediation_url.as_deref(),
        Some("https://docs.aws.amazon.com/console/securityhub/IAM.5/remediation")
    );
    assert_eq!(
        f.source_id.as_deref(),
        Some(
            "arn:aws:securityhub:us-east-1:012345678912:subscription/aws-foundational-security-best-practices/v/1.0.0/IAM.5/finding/de861909-2d26-4e45-bd86-19d2ab6ceef1"
        )
    );
    assert_eq!(f.account.as_deref(), Some("012345678912"));
}

#[test]
fn asff_config_one_finding_active_is_open_medium() {
    let Some(p) = load("awssecurityhub/config_one_finding_active.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 1);
    assert_eq!(p.findings[0].severity, Severity::Medium);
    assert_eq!(p.findings[0].status, Status::Open);
}

#[test]
fn asff_config_many_findings_all_passed() {
    let Some(p) = load("awssecurityhub/config_many_findings.json", None) else {
        return;
    };
    // DefectDojo: 3 (all PASSED, inactive). Redress: 3 closed, open = 0.
    assert_eq!(p.findings.len(), 3);
    assert_eq!(p.count(Status::Closed), 3);
    assert_eq!(p.distinct_open(), 0);
    assert_eq!(p.findings[0].resource_type.as_deref(), Some("AwsAccount"));
    assert_eq!(p.findings[0].resource_ids, ["AWS::::Account:012345678912"]);
}

#[test]
fn asff_repeated_findings_share_one_fingerprint() {
    let Some(p) = load("awssecurityhub/config_repeated_findings.json", None) else {
        return;
    };
    // DefectDojo dedupes by Id: 1. Redress: 2 records, one fingerprint, so one row.
    assert_eq!(p.findings.len(), 2);
    assert_eq!(p.distinct(), 1);
}

#[test]
fn asff_multiple_resources_keeps_every_resource_id() {
    let Some(p) = load("awssecurityhub/config_multiple_resources.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 2);
    let mut first = p.findings[0].resource_ids.clone();
    first.sort();
    assert_eq!(
        first,
        [
            "arn:aws:ec2:us-east-1:012345678912:security-group/sg-0aaa1111cccc2222b",
            "arn:aws:ec2:us-east-1:012345678912:security-group/sg-0fff2222bbbb1111a",
            "arn:aws:ec2:us-east-1:012345678912:vpc/vpc-0bbb3333dddd4444c",
        ]
    );
    let mut second = p.findings[1].resource_ids.clone();
    second.sort();
    assert_eq!(
        second,
        [
            "arn:aws:s3:::alpha-artifacts-bucket",
            "arn:aws:s3:::zeta-reports-bucket"
        ]
    );
    // DefectDojo's test summary lists the accounts 001122334455 and 012345678912.
    let accounts: BTreeSet<_> = p
        .findings
        .iter()
        .filter_map(|f| f.account.clone())
        .collect();
    assert_eq!(
        accounts.into_iter().collect::<Vec<_>>(),
        ["001122334455", "012345678912"]
    );
    assert_eq!(p.summary.scopes.len(), 2, "{:?}", p.summary.scopes);
}

#[test]
fn asff_inspector_and_guardduty_findings() {
    let Some(p) = load("awssecurityhub/inspector_ec2_cve.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 5);
    let f = &p.findings[0];
    assert!(f.title.starts_with("CVE-2022-3643 - kernel"), "{}", f.title);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.severity_original, "CRITICAL");
    assert!(f.resource_ids[0].ends_with("i-11111111111111111"));
    assert_eq!(f.resource_type.as_deref(), Some("AwsEc2Instance"));
    assert_eq!(
        f.remediation.as_deref(),
        Some("- Update kernel-4.14.301\n\t- yum update kernel\n")
    );
    assert_eq!(f.tags["vulnerability_ids"], "CVE-2022-3643");

    let Some(p) = load(
        "awssecurityhub/inspector_ec2_cve_no_vulnerabilities.json",
        None,
    ) else {
        return;
    };
    assert_eq!(p.findings.len(), 1);
    assert_eq!(
        p.findings[0].resource_type.as_deref(),
        Some("AwsEc2Instance")
    );

    let Some(p) = load("awssecurityhub/inspector_ec2_ghsa.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 1);
    assert_eq!(p.findings[0].severity, Severity::Medium);
    assert!(p.findings[0].title.contains("GHSA-p98r-538v-jgw5"));
    assert!(p.findings[0].resource_ids[0].ends_with("instance/i-07c11cc535d830123"));

    let Some(p) = load("awssecurityhub/inspector_ecr.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 7);
    assert_eq!(p.findings[0].severity, Severity::Medium);
    assert!(
        p.findings[0].title.starts_with("CVE-2023-2650 - openssl"),
        "{}",
        p.findings[0].title
    );

    let Some(p) = load("awssecurityhub/guardduty.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 4);
    assert_eq!(p.findings[0].severity, Severity::Medium);
    assert_eq!(p.findings[3].severity, Severity::Low);
    assert!(p.findings[3].title.starts_with(
        "User AssumedRole : 123123123 is anomalously invoking APIs commonly used in Discovery tactics."
    ));
    assert_eq!(
        p.findings[0].tags.get("product").map(String::as_str),
        Some("GuardDuty")
    );

    let Some(p) = load("awssecurityhub/issue_10956.json", None) else {
        return;
    };
    assert_eq!(p.findings.len(), 1);

    let Some(p) = load("awssecurityhub/missing_account_id.json", None) else {
        return;
    };
    assert_eq!(p.findings.len(), 1);
    assert_eq!(p.findings[0].account, None);
}
