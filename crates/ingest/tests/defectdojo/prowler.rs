//! Prowler fixtures: v2 CSV/JSON lines, v3 JSON, v4 OCSF, v4/v5 CSV and OCSF.

use std::collections::BTreeSet;

use redress_ingest::{Format, Severity, Status};

use crate::common::{load, ymd};

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
    let f = &p.findings[0];
    assert_eq!(f.description, "Check if IAM Access Analyzer is enabled");
    assert!(
        f.remediation
            .as_deref()
            .is_some_and(|r| r.starts_with("Enable IAM Access Analyzer for all accounts"))
    );
    assert_eq!(
        f.remediation_url.as_deref(),
        Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html")
    );
    assert_eq!(
        f.tags["remediation_cli"],
        "aws accessanalyzer create-analyzer --analyzer-name <NAME> --type <ACCOUNT|ORGANIZATION>"
    );
    assert!(f.tags["risk"].starts_with("AWS IAM Access Analyzer helps you identify"));

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
    // `remediation.references` lists the CLI snippet first; the URL is the link.
    assert_eq!(
        p.findings[0].remediation_url.as_deref(),
        Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html")
    );
    assert!(
        p.findings[0]
            .description
            .starts_with("Check if IAM Access Analyzer is enabled")
    );
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
