//! Conformance with DefectDojo's parser fixtures (`$REDRESS_CORPORA/defectdojo`).
//!
//! For every fixture of a format Redress reads, the number of open findings (distinct by
//! fingerprint, which is what the store keeps) equals DefectDojo's asserted count, or the
//! test states the rule that explains the difference. The fields EXPECTED.md lists are
//! asserted where they live in Redress's model. Each fixture prints a summary line
//! (`cargo test -p redress-ingest --test defectdojo -- --nocapture`).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;

use redress_ingest::{Finding, Format, Limits, ParseSummary, Status, parse_to_vec};

/// `$REDRESS_CORPORA`, or `../shared/corpora` next to the workspace root. `None` (with a
/// message) when absent, so tests can return early.
fn corpora() -> Option<PathBuf> {
    let dir = match std::env::var_os("REDRESS_CORPORA").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "corpora not found at {}; set REDRESS_CORPORA to run this test",
            dir.display()
        );
        None
    }
}

/// A DefectDojo fixture path under `defectdojo/unittests/scans/`.
fn fixture(rel: &str) -> Option<PathBuf> {
    let path = corpora()?.join("defectdojo/unittests/scans").join(rel);
    assert!(path.is_file(), "fixture missing: {}", path.display());
    Some(path)
}

/// What one fixture produced.
struct Parsed {
    findings: Vec<Finding>,
    summary: ParseSummary,
}

impl Parsed {
    /// Distinct fingerprints (what the store keeps as rows).
    fn distinct(&self) -> usize {
        self.findings
            .iter()
            .map(|f| &f.fingerprint)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// Distinct fingerprints among open findings.
    fn distinct_open(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Open)
            .map(|f| &f.fingerprint)
            .collect::<BTreeSet<_>>()
            .len()
    }

    fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }

    /// The first finding whose title equals `title`.
    fn titled(&self, title: &str) -> &Finding {
        self.findings
            .iter()
            .find(|f| f.title == title)
            .unwrap_or_else(|| panic!("no finding titled {title:?}"))
    }
}

/// Parses a fixture (detecting the format when `format` is `None`) and prints a summary
/// line. `None` when the corpora are absent.
fn load(rel: &str, format: Option<Format>) -> Option<Parsed> {
    let path = fixture(rel)?;
    let file = File::open(&path).expect("open fixture");
    let (findings, summary) =
        parse_to_vec(file, format, &Limits::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let parsed = Parsed { findings, summary };
    println!(
        "{rel:<60} {:<13} records {:>3}  findings {:>3}  open {:>3}  closed {:>3}  suppressed {:>2}  skipped {:>2}  distinct {:>3}  distinct-open {:>3}",
        parsed.summary.format.as_str(),
        parsed.summary.records,
        parsed.summary.findings,
        parsed.summary.open,
        parsed.summary.closed,
        parsed.summary.suppressed,
        parsed.summary.skipped,
        parsed.distinct(),
        parsed.distinct_open(),
    );
    Some(parsed)
}

use redress_ingest::{Severity, SourceTool};

fn ymd(f: &Finding) -> Option<String> {
    f.first_seen.map(|t| t.format("%Y-%m-%d").to_string())
}

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

// ---------------------------------------------------------------- Prowler v2 (aws_prowler)

#[test]
fn prowler_v2_csv() {
    let Some(p) = load("aws_prowler/no_vuln.csv", None) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);
    assert_eq!(p.summary.format, Format::ProwlerCsv);

    let Some(p) = load("aws_prowler/one_vuln.csv", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 1);
    assert_eq!(
        p.findings[0].title,
        "Root user in the account wasn't accessed in the last 1 days"
    );

    let Some(p) = load("aws_prowler/many_vuln.csv", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 4);
    let expected = [
        (
            "Root user in the account wasn't accessed in the last 1 days",
            Severity::High,
        ),
        (
            "User example_user has never used access key 1 since creation and not rotated it in the past 90 days",
            Severity::Medium,
        ),
        (
            "Password Policy has weak reuse requirement (lower than 24)",
            Severity::Medium,
        ),
        // CHECK_SEVERITY "Informational": DefectDojo files it as Low, Redress as Info.
        (
            "eu-west-2: sg-01234567890qwerty is not being used!",
            Severity::Info,
        ),
    ];
    for (f, (title, severity)) in p.findings.iter().zip(expected) {
        assert_eq!((f.title.as_str(), f.severity), (title, severity));
    }

    let Some(p) = load("aws_prowler/many_vuln2.csv", None) else {
        return;
    };
    // DefectDojo: 174 = 214 rows (INFO 88, PASS 84, FAIL 42) after its dedupe on
    // severity|region|extended result, INFO and PASS kept inactive. Redress keeps INFO and
    // PASS as closed, so open = the 42 FAIL rows.
    assert_eq!(p.findings.len(), 214);
    assert_eq!(p.count(Status::Open), 42);
    assert_eq!(p.count(Status::Closed), 172);
    // 7 FAIL rows repeat the same check, account, region and message: 35 distinct open.
    assert_eq!(p.distinct_open(), 35);
    assert_eq!(
        p.findings[0].title,
        "Root user in the account wasn't accessed in the last 1 days"
    );
    // DefectDojo reports this PASS row as Info; Redress keeps the tool's severity (High)
    // and marks it closed.
    assert_eq!(p.findings[0].status, Status::Closed);
    assert_eq!(p.findings[0].severity_original, "High");
    assert_eq!(
        p.findings[4].title,
        "User example has never used access key 1 since creation and not rotated it in the past 90 days"
    );
    assert_eq!(p.findings[6].severity, Severity::Medium);

    let Some(p) = load("aws_prowler/issue4450.csv", None) else {
        return;
    };
    // DefectDojo: 4 (3 FAIL active, 1 PASS inactive). Redress: 3 open, 1 closed.
    assert_eq!(p.findings.len(), 4);
    assert_eq!(p.findings[0].status, Status::Closed);
    // DefectDojo shows the PASS row as Info; Redress keeps the tool's High, closed.
    assert_eq!(p.findings[0].severity, Severity::High);
    assert_eq!(p.findings[1].status, Status::Open);
    assert_eq!(p.findings[1].severity, Severity::High);
    assert_eq!(
        p.findings[1].title,
        "User ansible-test-user has Password enabled but MFA disabled"
    );
    assert_eq!(p.distinct_open(), 3);
}

#[test]
fn prowler_v2_json_lines() {
    // The empty file carries no format: detection refuses it, an explicit format reads 0.
    let Some(p) = load("aws_prowler/no_vuln.json", Some(Format::ProwlerJson)) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("aws_prowler/one_vuln.json", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::ProwlerJson);
    let f = &p.findings[0];
    assert_eq!(
        f.title,
        "eu-central-1: Only Virtual MFA is enabled for root"
    );
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(
        f.remediation.as_deref(),
        Some(
            "Using IAM console navigate to Dashboard and expand Activate MFA on your root account."
        )
    );
    assert_eq!(
        f.remediation_url.as_deref(),
        Some(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user_manage_mfa"
        )
    );
    assert_eq!(ymd(f).as_deref(), Some("2021-08-23"));
    assert_eq!(f.account.as_deref(), Some("012345678912"));
    assert_eq!(f.rule_id, "check114");
    assert_eq!(f.tags.get("control_id").map(String::as_str), Some("1.14"));

    let Some(p) = load("aws_prowler/many_vuln.json", None) else {
        return;
    };
    // DefectDojo: 4 (FAIL only). Redress: 6 lines, the Pass and Info lines closed, open = 4.
    assert_eq!(p.findings.len(), 6);
    assert_eq!(p.distinct_open(), 4);
    let open: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.is_open())
        .map(|f| (f.title.as_str(), f.severity))
        .collect();
    assert_eq!(
        open,
        [
            (
                "eu-central-1: Only Virtual MFA is enabled for root",
                Severity::Critical
            ),
            (
                "eu-central-1: Cluster control plane access is not restricted for EKS cluster prod",
                Severity::High
            ),
            (
                "eu-central-1: Control plane logging is not enabled for EKS cluster prod",
                Severity::Medium
            ),
            (
                "eu-central-1: prod.config_read.iam has inline policy directly attached",
                Severity::Low
            ),
        ]
    );
}

// ---------------------------------------------------------------- Prowler v3 JSON and v4 OCSF

#[test]
fn prowler_v3_json() {
    let Some(p) = load("aws_prowler_v3plus/no_vuln.json", Some(Format::ProwlerJson)) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("aws_prowler_v3plus/one_vuln.json", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::ProwlerJson);
    assert_eq!(p.distinct_open(), 1);
    let f = &p.findings[0];
    assert_eq!(
        f.source_id.as_deref(),
        Some(
            "prowler-aws-acm_certificates_expiration_check-999999999999-us-east-1-api.sandbox.partner.teste.com"
        )
    );
    assert_eq!(
        f.resource_ids,
        ["arn:aws:acm:us-east-1:999999999999:certificate/ffffffff-0000-0000-0000-000000000000"]
    );
    assert_eq!(ymd(f).as_deref(), Some("2023-04-25"));

    let Some(p) = load("aws_prowler_v3plus/many_vuln.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 3);
    let uids: Vec<_> = p
        .findings
        .iter()
        .filter_map(|f| f.source_id.as_deref())
        .collect();
    assert!(
        uids[0].contains("acm_certificates_expiration_check")
            && uids[0].ends_with("api.teste.teste.com")
    );
    assert_eq!(
        uids[1],
        "prowler-aws-accessanalyzer_enabled-999999999999-us-east-1-999999999999"
    );
    assert_eq!(
        uids[2],
        "prowler-aws-account_maintain_current_contact_details-999999999999-us-east-1-999999999999"
    );
}

#[test]
fn prowler_v4_ocsf() {
    let Some(p) = load(
        "aws_prowler_v3plus/no_vuln.ocsf.json",
        Some(Format::ProwlerOcsf),
    ) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);
    for file in [
        "aws_prowler_v3plus/one_vuln.ocsf.json",
        "aws_prowler_v3plus/one_vuln_after_4_5_0.ocsf.json",
    ] {
        let Some(p) = load(file, None) else { return };
        assert_eq!(p.summary.format, Format::ProwlerOcsf);
        assert_eq!(p.distinct_open(), 1);
        let f = &p.findings[0];
        assert_eq!(
            f.source_id.as_deref(),
            Some(
                "prowler-aws-iam_role_administratoraccess_policy_permissive_trust_relationship-123456789012-us-east-1-myAdministratorExecutionRole"
            )
        );
        assert_eq!(
            f.resource_ids,
            ["arn:aws:iam::123456789012:role/myAdministratorExecutionRole"]
        );
        assert_eq!(ymd(f).as_deref(), Some("2024-06-03"));
        assert_eq!(f.account.as_deref(), Some("123456789012"));
        assert_eq!(f.region.as_deref(), Some("us-east-1"));
    }
    for file in [
        "aws_prowler_v3plus/many_vuln.ocsf.json",
        "aws_prowler_v3plus/many_vuln_after_4_5_0.ocsf.json",
    ] {
        let Some(p) = load(file, None) else { return };
        // DefectDojo drops the muted FAIL (status Suppressed): 2. Redress keeps it as
        // suppressed, so open = 2.
        assert_eq!(p.findings.len(), 3);
        assert_eq!(p.distinct_open(), 2);
        assert_eq!(p.count(Status::Suppressed), 1);
        let open: Vec<_> = p
            .findings
            .iter()
            .filter(|f| f.is_open())
            .filter_map(|f| f.source_id.as_deref())
            .collect();
        assert!(open[0].ends_with("-myAdministratorExecutionRole"));
        assert_eq!(
            open[1],
            "prowler-aws-iam_role_cross_account_readonlyaccess_policy-123456789012-us-east-1-AuditRole"
        );
    }
}

// ---------------------------------------------------------------- Prowler v4/v5 CSV and OCSF (anonymised)

#[test]
fn prowler_v4_csv() {
    let Some(p) = load("prowler/prowler_zero_vul.csv", None) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("prowler/example_output_aws.csv", None) else {
        return;
    };
    // FAIL 2 + MANUAL 2: DefectDojo keeps MANUAL, and so does Redress (open, reason MANUAL).
    assert_eq!(p.distinct_open(), 4);
    let titles: Vec<_> = p
        .findings
        .iter()
        .map(|f| (f.tags["check_title"].as_str(), f.severity))
        .collect();
    assert_eq!(
        titles,
        [
            ("Check if IAM Access Analyzer is enabled", Severity::Low),
            ("Maintain current contact details.", Severity::Medium),
            (
                "Maintain different contact details to security, billing and operations.",
                Severity::Medium
            ),
            (
                "Ensure security contact information is registered.",
                Severity::Medium
            ),
        ]
    );
    assert!(
        p.findings[1]
            .status_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("MANUAL"))
    );
    assert!(p.findings[0].remediation_url.is_some());

    let Some(p) = load("prowler/example_output_azure.csv", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 4);
    let titles: Vec<_> = p
        .findings
        .iter()
        .map(|f| (f.tags["check_title"].as_str(), f.severity))
        .collect();
    assert_eq!(
        titles,
        [
            ("Ensure AKS RBAC is enabled", Severity::Medium),
            (
                "Ensure clusters are created with Private Nodes",
                Severity::High
            ),
            (
                "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
                Severity::High
            ),
            (
                "Ensure Network Policy is Enabled and set as appropriate",
                Severity::Medium
            ),
        ]
    );

    let Some(p) = load("prowler/example_output_gcp.csv", None) else {
        return;
    };
    // DefectDojo: 2 (PASS dropped, the two identical RDP rows merged). Redress: the PASS
    // row is closed and the RDP rows share a fingerprint, so distinct open = 2.
    assert_eq!(p.findings.len(), 4);
    assert_eq!(p.distinct_open(), 2);
    let open: BTreeSet<_> = p
        .findings
        .iter()
        .filter(|f| f.is_open())
        .map(|f| (f.tags["check_title"].as_str(), f.severity))
        .collect();
    assert!(open.contains(&(
        "Ensure Image Vulnerability Analysis using AR Container Analysis or a third-party provider",
        Severity::Medium
    )));
    assert!(open.contains(&(
        "Ensure That RDP Access Is Restricted From the Internet",
        Severity::Critical
    )));

    let Some(p) = load("prowler/example_output_kubernetes.csv", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 4);
    assert_eq!(p.findings[1].severity, Severity::High);
    assert_eq!(
        p.findings[0].cloud_provider,
        Some(redress_ingest::CloudProvider::Kubernetes)
    );
}

#[test]
fn prowler_v4_ocsf_anonymised() {
    let Some(p) = load("prowler/prowler_zero_vul.json", Some(Format::ProwlerOcsf)) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("prowler/example_output_aws.ocsf.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 3);
    let titles: Vec<_> = p
        .findings
        .iter()
        .map(|f| (f.title.as_str(), f.severity))
        .collect();
    assert_eq!(
        titles[0],
        (
            "IAM Access Analyzer in account <account_uid> is not enabled.",
            Severity::Low
        )
    );
    assert!(
        titles[1]
            .0
            .starts_with("Login to the AWS Console. Choose your account name")
    );
    assert!(
        titles[2]
            .0
            .starts_with("SECURITY, BILLING and OPERATIONS contacts not found")
    );
    assert_eq!(
        (titles[1].1, titles[2].1),
        (Severity::Medium, Severity::Medium)
    );

    let Some(p) = load("prowler/example_output_azure.ocsf.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 3);
    let titles: Vec<_> = p
        .findings
        .iter()
        .map(|f| (f.title.as_str(), f.severity))
        .collect();
    assert_eq!(
        titles,
        [
            (
                "There are no AppInsight configured in subscription <subscription_name>.",
                Severity::Low
            ),
            (
                "There is not another correct email configured for subscription <subscription_name>.",
                Severity::Medium
            ),
            (
                "Defender plan Defender for App Services from subscription <subscription_name> is set to OFF (pricing tier not standard).",
                Severity::High
            ),
        ]
    );

    let Some(p) = load("prowler/example_output_gcp.ocsf.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 3);
    assert_eq!(
        p.findings[0].title,
        "Project <project_id> does not have active API Keys."
    );
    assert_eq!(
        p.findings[2].title,
        "Firewall <resource_id> does exposes port 3389 (RDP) to the internet."
    );
    assert_eq!(p.findings[2].severity, Severity::Critical);

    let Some(p) = load("prowler/example_output_kubernetes.ocsf.json", None) else {
        return;
    };
    // DefectDojo merges the two identical apiserver_audit_log_maxbackup_set records: 3.
    // Redress gives them one fingerprint: 4 records, 3 distinct open.
    assert_eq!(p.findings.len(), 4);
    assert_eq!(p.distinct_open(), 3);
}

// ---------------------------------------------------------------- Orca

#[test]
fn orca_csv_and_json() {
    for (zero, format) in [
        ("orca_security/no_vuln.csv", None),
        ("orca_security/no_vuln.json", Some(Format::OrcaJson)),
    ] {
        let Some(p) = load(zero, format) else { return };
        assert_eq!(p.findings.len(), 0);
    }
    for file in ["orca_security/one_vuln.csv", "orca_security/one_vuln.json"] {
        let Some(p) = load(file, None) else { return };
        assert_eq!(p.distinct_open(), 1);
        let f = &p.findings[0];
        assert_eq!(f.title, "Unused role with policy found");
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.severity_original, "OrcaScore 5.1");
        assert_eq!(f.resource_ids, ["TestRole_abc123"]);
        assert_eq!(
            f.tags.get("category").map(String::as_str),
            Some("IAM misconfigurations")
        );
        assert_eq!(
            f.tags.get("labels").map(String::as_str),
            Some("CSPM, source: Orca Scan")
        );
        assert_eq!(ymd(f).as_deref(), Some("2025-01-15"));
    }
    for file in [
        "orca_security/many_vulns.csv",
        "orca_security/many_vulns.json",
    ] {
        let Some(p) = load(file, None) else { return };
        // DefectDojo: 5, the closed one inactive. Redress: 4 open, 1 closed.
        assert_eq!(p.findings.len(), 5);
        assert_eq!(p.distinct_open(), 4);
        let severities: BTreeSet<_> = p.findings.iter().map(|f| f.severity).collect();
        assert_eq!(severities.len(), 5, "all five severities: {severities:?}");
        assert_eq!(p.findings[4].status, Status::Closed);
        assert_eq!(p.findings[4].severity, Severity::Info);
    }
}

// ---------------------------------------------------------------- Wiz

#[test]
fn wiz_issues_csv() {
    let Some(p) = load("wiz/no_findings.csv", None) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("wiz/one_finding.csv", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::WizCsv);
    // DefectDojo keeps the trailing space of the title; Redress trims it.
    assert_eq!(
        p.findings[0].title,
        "AKS role/cluster role assigned permissions that contain wildcards"
    );
    assert_eq!(p.findings[0].severity, Severity::Info);

    let Some(p) = load("wiz/multiple_findings.csv", None) else {
        return;
    };
    // DefectDojo: 98 (RESOLVED mitigated, IGNORED out of scope). Redress: 98 distinct;
    // OPEN 94 + IN_PROGRESS 1 open, RESOLVED closed, IGNORED 2 suppressed.
    assert_eq!(p.distinct(), 98);
    assert_eq!(p.distinct_open(), 95);
    assert_eq!(p.count(Status::Closed), 1);
    assert_eq!(p.count(Status::Suppressed), 2);
    assert_eq!(
        p.findings[1].title,
        "Unusual activity by a principal from previously unseen country"
    );
    assert_eq!(p.findings[1].severity, Severity::High);
    assert_eq!(
        p.findings[7].title,
        "AKS user/service accounts with the privileges to create pods"
    );
    assert_eq!(p.findings[7].status, Status::Open);
    assert_eq!(
        p.findings[9].title,
        "AKS cluster contains a pod running containers with added capabilities"
    );
    assert_eq!(p.findings[9].status, Status::Closed);
    assert_eq!(
        p.findings[11].title,
        "Container using an image with high/critical severity network vulnerabilities with a known exploit"
    );
    assert_eq!(p.findings[11].status, Status::Suppressed);
    assert_eq!(
        p.findings[20].title,
        "User/service account with get/list/watch permissions on secrets in an AKS cluster"
    );
    assert_eq!(p.findings[20].severity, Severity::Info);

    let Some(p) = load("wiz/resolved_findings.csv", None) else {
        return;
    };
    assert_eq!(p.count(Status::Closed), 3);
    // The test file repeats issue 02fd8a0d… with an edited title: 3 rows, 2 fingerprints.
    assert_eq!(p.distinct(), 2);
    assert_eq!(
        p.findings[0].source_id.as_deref(),
        Some("0029ee49-c676-432f-8690-12f2862ec708")
    );
    assert_eq!(ymd(&p.findings[0]).as_deref(), Some("2023-01-25"));
    assert_eq!(
        p.findings[1].source_id.as_deref(),
        Some("02fd8a0d-16fa-4da0-aa49-a99694365d41")
    );
    assert_eq!(ymd(&p.findings[1]).as_deref(), Some("2024-01-24"));
    assert!(
        p.findings[1]
            .status_reason
            .as_deref()
            .is_some_and(|r| r.contains("CONTROL_DISABLED"))
    );
    assert!(
        p.findings[2]
            .status_reason
            .as_deref()
            .is_some_and(|r| r.contains("ISSUE_FIXED"))
    );
}

#[test]
fn wiz_vulnerability_export_rows_are_skipped_with_a_reason() {
    // sca_format.csv is Wiz's vulnerability export, not the Issues export: detection does
    // not take it for wiz-csv; forced, every row is a skip with a reason (DefectDojo: 5 vulns).
    let Some(path) = fixture("wiz/sca_format.csv") else {
        return;
    };
    let head = std::fs::read(&path).expect("read");
    assert!(redress_ingest::detect(&head).is_err());
    let Some(p) = load("wiz/sca_format.csv", Some(Format::WizCsv)) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);
    assert_eq!(p.summary.skipped, 5);
    assert!(p.summary.skips[0].reason.contains("vulnerability"));
}

// ---------------------------------------------------------------- Checkov

#[test]
fn checkov_reports() {
    for file in [
        "checkov/checkov-report-0-vuln.json",
        "checkov/checkov2-report-0-vuln.json",
    ] {
        let Some(p) = load(file, None) else { return };
        assert_eq!(p.summary.format, Format::Checkov);
        assert_eq!(p.findings.len(), 0);
    }
    let Some(p) = load("checkov/checkov-report-1-vuln.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 1);

    let Some(p) = load("checkov/checkov-report-many-vuln.json", None) else {
        return;
    };
    // DefectDojo: 3. The file holds CKV_AZURE_41, 42 and 43 on one resource (EXPECTED.md's
    // note says 42 twice; the file says otherwise): 3 distinct fingerprints, 3 open.
    assert_eq!(p.findings.len(), 3);
    assert_eq!(p.distinct_open(), 3);
    let rules: Vec<_> = p.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(rules, ["CKV_AZURE_41", "CKV_AZURE_42", "CKV_AZURE_43"]);

    let Some(p) = load("checkov/checkov-report-multiple-check_type.json", None) else {
        return;
    };
    // DefectDojo reads failed_checks only: 13 (11 terraform, 2 dockerfile). Redress also
    // keeps the 15 passed checks, as closed: open = 13.
    assert_eq!(p.distinct_open(), 13);
    assert_eq!(p.count(Status::Closed), 15);
    let open: Vec<_> = p.findings.iter().filter(|f| f.is_open()).collect();
    let terraform = open
        .iter()
        .filter(|f| f.tags["check_type"] == "terraform")
        .count();
    assert_eq!((terraform, open.len() - terraform), (11, 2));
    let f = open[0];
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.rule_id, "CKV_AWS_161");
    assert_eq!(
        f.title,
        "Ensure RDS database has IAM authentication enabled"
    );
    // Redress keeps Checkov's repository-relative path (`repo_file_path`) so findings
    // map onto the repository; DefectDojo's `file_path` (relative to the scanned
    // directory) is kept as a tag.
    assert_eq!(f.file.as_deref(), Some("/infra/terraform/aws/db-app.tf"));
    assert_eq!(f.tags["scan_file_path"], "/aws/db-app.tf");
    assert_eq!((f.start_line, f.end_line), (Some(1), Some(41)));
    assert_eq!(f.resource_ids, ["aws_db_instance.default"]);
    assert_eq!(f.resource_type.as_deref(), Some("aws_db_instance"));
    let f = open[11];
    assert_eq!(f.rule_id, "CKV_DOCKER_3");
    assert_eq!(
        f.title,
        "Ensure that a user for the container has been created"
    );
    assert_eq!(f.tags["scan_file_path"], "/aws/resources/Dockerfile");
    // Checkov writes line 0 for whole-file checks; Redress shows no line.
    assert_eq!(f.start_line, None);
    assert_eq!(f.resource_ids, ["/aws/resources/Dockerfile."]);
    assert_eq!(
        f.remediation_url.as_deref(),
        Some(
            "https://docs.bridgecrew.io/docs/ensure-that-a-user-for-the-container-has-been-created"
        )
    );
    let imds = open
        .iter()
        .find(|f| f.rule_id == "CKV_AWS_79")
        .expect("CKV_AWS_79");
    assert_eq!(imds.resource_ids, ["aws_instance.db_app"]);
    assert_eq!((imds.start_line, imds.end_line), (Some(242), Some(412)));

    let Some(p) = load("checkov/checkov-report-severity.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 4);
    let severities: Vec<_> = p.findings.iter().map(|f| f.severity).collect();
    assert_eq!(
        severities,
        [
            Severity::Medium,
            Severity::Medium,
            Severity::Low,
            Severity::High
        ]
    );
}

// ---------------------------------------------------------------- KICS

#[test]
fn kics_queries() {
    let Some(p) = load("kics/no_findings.json", None) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("kics/many_findings.json", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::Kics);
    // 18 hits; the four "RBAC Wildcard In Rule" hits at rbac.yaml:20 share a similarity
    // id but expect different values, so they stay four findings, as in DefectDojo: 18.
    assert_eq!(p.distinct_open(), 18);
    let expected = [
        (
            "Passwords And Secrets In Infrastructure Code",
            "Secret Management",
            Severity::High,
            "test/charts/example/terraform/main.tf",
            25,
            "Common",
        ),
        (
            "S3 Bucket Access to Any Principal",
            "Access Control",
            Severity::High,
            "test/charts/example/terraform/s3.tf",
            36,
            "Terraform",
        ),
        (
            "S3 Bucket Allows Get Action From All Principals",
            "Access Control",
            Severity::High,
            "test/charts/example/terraform/s3.tf",
            43,
            "Terraform",
        ),
        (
            "S3 Bucket Without Server-side-encryption",
            "Encryption",
            Severity::High,
            "test/charts/example/terraform/s3.tf",
            5,
            "Terraform",
        ),
        (
            "S3 Static Website Host Enabled",
            "Insecure Configurations",
            Severity::High,
            "test/charts/example/terraform/s3.tf",
            19,
            "Terraform",
        ),
        (
            "CPU Limits Not Set",
            "Resource Management",
            Severity::Medium,
            "test/charts/example/templates/example.yaml",
            62,
            "Kubernetes",
        ),
        (
            "Liveness Probe Is Not Defined",
            "Availability",
            Severity::Medium,
            "test/charts/example/templates/example.yaml",
            62,
            "Kubernetes",
        ),
        (
            "S3 Bucket Without Versioning",
            "Observability",
            Severity::Medium,
            "test/charts/example/terraform/s3.tf",
            5,
            "Terraform",
        ),
        (
            "Seccomp Profile Is Not Configured",
            "Insecure Configurations",
            Severity::Medium,
            "test/charts/example/templates/example.yaml",
            19,
            "Kubernetes",
        ),
        (
            "Service Account Token Automount Not Disabled",
            "Insecure Defaults",
            Severity::Medium,
            "test/charts/example/templates/example.yaml",
            22,
            "Kubernetes",
        ),
        (
            "No Drop Capabilities for Containers",
            "Best Practices",
            Severity::Low,
            "test/charts/example/templates/example.yaml",
            62,
            "Kubernetes",
        ),
        (
            "Permissive Access to Create Pods",
            "Access Control",
            Severity::Low,
            "test/charts/example/templates/rbac.yaml",
            20,
            "Kubernetes",
        ),
        (
            "Pod or Container Without Security Context",
            "Insecure Configurations",
            Severity::Low,
            "test/charts/example/templates/example.yaml",
            62,
            "Kubernetes",
        ),
    ];
    for (i, (title, category, severity, file, line, platform)) in expected.into_iter().enumerate() {
        let f = &p.findings[i];
        assert_eq!(f.title, title, "[{i}]");
        assert_eq!(f.tags["category"], category, "[{i}]");
        assert_eq!(f.severity, severity, "[{i}]");
        assert_eq!(f.file.as_deref(), Some(file), "[{i}]");
        assert_eq!(f.start_line, Some(line), "[{i}]");
        assert_eq!(f.tags["platform"], platform, "[{i}]");
    }
    assert_eq!(
        p.findings[0].remediation.as_deref(),
        Some("Hardcoded secret key should not appear in source")
    );
    assert_eq!(
        p.findings[0].remediation_url.as_deref(),
        Some("https://kics.io/")
    );
    let any_principal = &p.findings[1];
    assert_eq!(
        any_principal.remediation.as_deref(),
        Some(
            "aws_s3_bucket_policy[this].policy.Principal is not equal to, nor does it contain '*'"
        )
    );
    assert_eq!(
        any_principal.remediation_url.as_deref(),
        Some(
            "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_policy"
        )
    );
    assert!(
        any_principal
            .description
            .starts_with("S3 Buckets must not allow Actions From All Principals")
    );
    assert_eq!(
        any_principal.tags["actual_value"],
        "aws_s3_bucket_policy[this].policy.Principal is equal to or contains '*'"
    );
    assert_eq!(any_principal.tags["issue_type"], "IncorrectValue");
    assert_eq!(any_principal.resource_ids, ["aws_s3_bucket_policy.this"]);
    assert_eq!(
        p.findings[3].remediation.as_deref(),
        Some("'aws_s3_bucket.server_side_encryption_configuration' exists")
    );
    assert_eq!(
        p.findings[7].remediation.as_deref(),
        Some("'versioning' is equal 'true'")
    );
    let logging = p.titled("S3 Bucket Logging Disabled");
    assert_eq!(
        (logging.severity, logging.start_line),
        (Severity::Low, Some(5))
    );
    assert_eq!(logging.resource_ids, ["aws_s3_bucket.this"]);
}

// ---------------------------------------------------------------- Terrascan

#[test]
fn terrascan_violations() {
    let Some(p) = load("terrascan/no_findings.json", None) else {
        return;
    };
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("terrascan/many_findings.json", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::Terrascan);
    assert_eq!(p.distinct_open(), 9);
    let expected = [
        (
            "Infrastructure Security",
            "gkeControlPlaneNotPublic",
            Severity::High,
            "cluster.tf",
            52,
            "google_container_cluster",
            "k8s_cluster",
            "accurics.gcp.NS.109",
        ),
        (
            "Security Best Practices",
            "autoNodeRepairEnabled",
            Severity::Medium,
            "cluster.tf",
            14,
            "google_container_node_pool",
            "k8s_cluster_node_pool",
            "accurics.gcp.OPS.144",
        ),
        (
            "Infrastructure Security",
            "checkRequireSSLEnabled",
            Severity::High,
            "db.tf",
            5,
            "google_sql_database_instance",
            "master",
            "accurics.gcp.EKM.141",
        ),
        (
            "Logging and Monitoring",
            "stackDriverLoggingEnabled",
            Severity::High,
            "cluster.tf",
            52,
            "google_container_cluster",
            "k8s_cluster",
            "accurics.gcp.LOG.100",
        ),
        (
            "Logging and Monitoring",
            "stackDriverMonitoringEnabled",
            Severity::High,
            "cluster.tf",
            52,
            "google_container_cluster",
            "k8s_cluster",
            "accurics.gcp.MON.143",
        ),
        (
            "Security Best Practices",
            "checkRotation365Days",
            Severity::High,
            "vault.tf",
            18,
            "google_kms_crypto_key",
            "crypto_key",
            "accurics.gcp.EKM.007",
        ),
        (
            "Infrastructure Security",
            "networkPolicyEnabled",
            Severity::High,
            "cluster.tf",
            52,
            "google_container_cluster",
            "k8s_cluster",
            "accurics.gcp.NS.103",
        ),
        (
            "Security Best Practices",
            "checkRotation90Days",
            Severity::Medium,
            "vault.tf",
            18,
            "google_kms_crypto_key",
            "crypto_key",
            "accurics.gcp.EKM.139",
        ),
        (
            "Security Best Practices",
            "autoNodeUpgradeEnabled",
            Severity::High,
            "cluster.tf",
            14,
            "google_container_node_pool",
            "k8s_cluster_node_pool",
            "accurics.gcp.OPS.101",
        ),
    ];
    for (i, (category, name, severity, file, line, rtype, rname, rule)) in
        expected.into_iter().enumerate()
    {
        let f = &p.findings[i];
        assert_eq!(f.title, name, "[{i}]");
        assert_eq!(f.tags["category"], category, "[{i}]");
        assert_eq!(f.severity, severity, "[{i}]");
        assert_eq!(f.file.as_deref(), Some(file), "[{i}]");
        assert_eq!(f.start_line, Some(line), "[{i}]");
        assert_eq!(f.resource_type.as_deref(), Some(rtype), "[{i}]");
        assert_eq!(f.resource_ids, [format!("{rtype}.{rname}")], "[{i}]");
        assert_eq!(f.rule_id, rule, "[{i}]");
    }
}

// ---------------------------------------------------------------- tfsec

#[test]
fn tfsec_current_and_legacy() {
    let Some(p) = load("tfsec/no_findings.json", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::Tfsec);
    assert_eq!(p.findings.len(), 0);

    let Some(p) = load("tfsec/one_finding_legacy.json", None) else {
        return;
    };
    assert_eq!(p.distinct_open(), 1);
    let f = &p.findings[0];
    assert_eq!(
        f.title,
        "Potentially sensitive data stored in block attribute."
    );
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        f.remediation.as_deref(),
        Some("Don't include sensitive data in blocks")
    );
    assert_eq!(f.tags["impact"], "Block attribute could be leaking secrets");
    assert_eq!(f.file.as_deref(), Some("tfsec-test/identity.tf"));
    assert_eq!(f.start_line, Some(226));
    assert_eq!(f.rule_id, "GEN003");

    let Some(p) = load("tfsec/many_findings_legacy.json", None) else {
        return;
    };
    // 4 results; the GCP008 one says "passed": true, so it is closed: open = 3, as in DefectDojo.
    assert_eq!(p.findings.len(), 4);
    assert_eq!(p.distinct_open(), 3);
    let open: Vec<_> = p.findings.iter().filter(|f| f.is_open()).collect();
    assert_eq!(
        open[0].title,
        "Pod security policy enforcement not defined."
    );
    assert_eq!(
        (
            open[0].severity,
            open[0].start_line,
            open[0].rule_id.as_str()
        ),
        (Severity::High, Some(52), "GCP009")
    );
    assert_eq!(
        open[0].remediation.as_deref(),
        Some(
            "Use security policies for pods to restrict permissions to those needed to be effective"
        )
    );
    assert_eq!(open[1].title, "Shielded GKE nodes not enabled.");
    assert_eq!(
        (open[1].severity, open[1].rule_id.as_str()),
        (Severity::High, "GCP010")
    );
    assert_eq!(
        open[1].remediation.as_deref(),
        Some("Enable node shielding")
    );
    assert_eq!(
        (open[2].rule_id.as_str(), open[2].start_line),
        ("GEN003", Some(226))
    );

    let Some(p) = load("tfsec/many_findings_current.json", None) else {
        return;
    };
    // 19 results with duplicates at the same rule+file+lines: 13 distinct, as DefectDojo.
    assert_eq!(p.findings.len(), 19);
    assert_eq!(p.distinct_open(), 13);
    let f = &p.findings[0];
    assert_eq!(f.title, "An ingress Network ACL rule allows ALL ports.");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.remediation.as_deref(), Some("Set specific allowed ports"));
    assert_eq!(f.tags["impact"], "All ports exposed for egressing data");
    assert_eq!(
        f.file.as_deref(),
        Some("/tmp/aws-eks/modules/vpc-subnets/resources.tf")
    );
    assert_eq!(f.start_line, Some(155));
    assert_eq!(f.rule_id, "aws-vpc-no-excessive-port-access");
    assert!(f.remediation_url.is_some());
    let mut histogram = std::collections::BTreeMap::new();
    let mut seen = BTreeSet::new();
    for f in &p.findings {
        if seen.insert(&f.fingerprint) {
            *histogram.entry(f.severity).or_insert(0) += 1;
        }
    }
    assert_eq!(
        histogram.into_iter().collect::<Vec<_>>(),
        [
            (Severity::Low, 1),
            (Severity::Medium, 1),
            (Severity::High, 3),
            (Severity::Critical, 8)
        ]
    );
}

// ---------------------------------------------------------------- Trivy

#[test]
fn trivy_misconfigurations() {
    let Some(p) = load("trivy/issue_14136.json", None) else {
        return;
    };
    assert_eq!(p.summary.format, Format::Trivy);
    assert_eq!(p.distinct_open(), 1);
    let f = &p.findings[0];
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.rule_id, "AVD-AWS-0143");
    assert_eq!(f.file.as_deref(), Some("../../aws-credentials/main.tf"));
    // DefectDojo sets no line for misconfigurations; Redress keeps CauseMetadata's.
    assert_eq!((f.start_line, f.end_line), (Some(20), Some(24)));
    assert_eq!(f.resource_ids, ["module.aws_credentials"]);

    let Some(p) = load("trivy/misconfigurations_and_secrets.json", None) else {
        return;
    };
    // DefectDojo: 5 = 1 misconfiguration + 2 vulnerabilities + 2 secrets. Redress imports
    // misconfigurations only; the other 4 are skips with reasons: open = 1.
    assert_eq!(p.distinct_open(), 1);
    assert_eq!(p.summary.skipped, 4);
    assert!(p.summary.skips.iter().any(|s| s.reason.contains("secret")));
    assert!(
        p.summary
            .skips
            .iter()
            .any(|s| s.reason.contains("vulnerability"))
    );
    let f = &p.findings[0];
    assert_eq!(f.tags["check_id"], "DS002");
    assert_eq!(f.title, "Image user should not be 'root'");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.remediation.as_deref(),
        Some("Add 'USER <non root user name>' line to the Dockerfile")
    );
    assert_eq!(
        f.remediation_url.as_deref(),
        Some("https://avd.aquasec.com/misconfig/ds002")
    );
    assert_eq!(f.file.as_deref(), Some("Dockerfile"));

    let Some(p) = load("trivy/kubernetes.json", None) else {
        return;
    };
    // DefectDojo: 20 = 10 misconfigurations + 10 vulnerabilities. Redress: 10 open, 10 skips.
    assert_eq!(p.findings.len(), 10);
    assert_eq!(p.summary.skipped, 10);
    let f = p
        .findings
        .iter()
        .find(|f| f.tags["check_id"] == "KSV001")
        .expect("KSV001");
    assert_eq!(f.title, "Process can elevate its own privileges");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        f.remediation.as_deref(),
        Some("Set 'set containers[].securityContext.allowPrivilegeEscalation' to 'false'.")
    );
    assert_eq!(f.resource_ids, ["default/Deployment/redis-follower"]);
    let distinct_open = p.distinct_open();
    println!("trivy/kubernetes.json: distinct open {distinct_open}");

    for file in ["trivy/issue_9170.json", "trivy/issue_10991.json"] {
        let Some(p) = load(file, None) else { return };
        assert_eq!(p.findings.len(), 37);
        assert_eq!(p.count(Status::Open), 37);
    }
    let Some(p) = load("trivy/issue_9170.json", None) else {
        return;
    };
    assert_eq!(p.findings[0].severity, Severity::Low);
    assert_eq!(p.findings[0].tags["check_id"], "KSV116");
    assert_eq!(
        p.findings[0].title,
        "Runs with a root primary or supplementary GID"
    );
    assert!(
        p.findings
            .iter()
            .all(|f| f.source_tool == SourceTool::Trivy)
    );
}
