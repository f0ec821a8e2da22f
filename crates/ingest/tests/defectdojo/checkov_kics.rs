//! Checkov and KICS fixtures.

use redress_ingest::{Format, Severity, Status};

use crate::common::load;

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
