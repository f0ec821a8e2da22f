//! The demo's findings files, in the exact shapes the importers parse: AWS Security Hub
//! (ASFF), Prowler (OCSF JSON) and Checkov (JSON). Some checks fail, some pass, and one
//! failure (versioning of `acme-prod-invoices`) is reported by both Security Hub and Prowler.
use serde_json::{Value, json};

use super::resources::{ACCOUNT, DemoResource, REGION, by_id};

/// When the demo scans ran.
const SCANNED_AT: &str = "2026-11-20T08:00:00Z";

/// One cloud check result: tool rule id, resource id, pass or fail, title.
struct CloudCheck {
    rule: &'static str,
    resource: &'static str,
    passed: bool,
    title: &'static str,
    severity: &'static str,
}

const fn check(
    rule: &'static str,
    resource: &'static str,
    passed: bool,
    title: &'static str,
    severity: &'static str,
) -> CloudCheck {
    CloudCheck {
        rule,
        resource,
        passed,
        title,
        severity,
    }
}

const SECURITY_HUB: &[CloudCheck] = &[
    check(
        "S3.14",
        "acme-prod-invoices",
        false,
        "S3 general purpose buckets should have versioning enabled",
        "LOW",
    ),
    check(
        "S3.14",
        "acme-staging-scratch",
        false,
        "S3 general purpose buckets should have versioning enabled",
        "LOW",
    ),
    check(
        "S3.14",
        "acme-prod-logs",
        true,
        "S3 general purpose buckets should have versioning enabled",
        "LOW",
    ),
    check(
        "S3.8",
        "acme-prod-invoices",
        true,
        "S3 general purpose buckets should block public access",
        "HIGH",
    ),
    check(
        "EC2.13",
        "sg-0b22prodbastion001",
        false,
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        "HIGH",
    ),
    check(
        "EC2.13",
        "sg-0e55stagbastion001",
        true,
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        "HIGH",
    ),
    check(
        "RDS.3",
        "acme-prod-orders",
        false,
        "RDS DB instances should have encryption at-rest enabled",
        "MEDIUM",
    ),
];

const PROWLER: &[CloudCheck] = &[
    check(
        "s3_bucket_object_versioning",
        "acme-prod-invoices",
        false,
        "Check if S3 buckets have object versioning enabled",
        "medium",
    ),
    check(
        "s3_bucket_object_versioning",
        "acme-prod-uploads-eu",
        false,
        "Check if S3 buckets have object versioning enabled",
        "medium",
    ),
    check(
        "s3_bucket_object_versioning",
        "acme-prod-uploads-us",
        false,
        "Check if S3 buckets have object versioning enabled",
        "medium",
    ),
    check(
        "s3_bucket_default_encryption",
        "acme-prod-uploads-eu",
        false,
        "Check if S3 buckets have default encryption (SSE) enabled",
        "medium",
    ),
    check(
        "s3_bucket_default_encryption",
        "acme-prod-uploads-us",
        false,
        "Check if S3 buckets have default encryption (SSE) enabled",
        "medium",
    ),
    check(
        "s3_bucket_default_encryption",
        "acme-prod-invoices",
        false,
        "Check if S3 buckets have default encryption (SSE) enabled",
        "medium",
    ),
    check(
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
        "sg-0a77stagbuild00001",
        false,
        "Ensure no security groups allow ingress from 0.0.0.0/0 or ::/0 to SSH port 22",
        "high",
    ),
    check(
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
        "sg-0a88stagbuild00002",
        false,
        "Ensure no security groups allow ingress from 0.0.0.0/0 or ::/0 to SSH port 22",
        "high",
    ),
    check(
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
        "sg-0c33prodweb0000001",
        true,
        "Ensure no security groups allow ingress from 0.0.0.0/0 or ::/0 to SSH port 22",
        "high",
    ),
];

/// One Checkov result: check id, resource address, file, lines, pass or fail.
struct IacCheck {
    rule: &'static str,
    name: &'static str,
    resource: &'static str,
    file: &'static str,
    lines: [u32; 2],
    passed: bool,
}

const CHECKOV: &[IacCheck] = &[
    IacCheck {
        rule: "CKV_AWS_21",
        name: "Ensure all data stored in the S3 bucket have versioning enabled",
        resource: "aws_s3_bucket.uploads[\"eu\"]",
        file: "/envs/prod/data.tf",
        lines: [2, 6],
        passed: false,
    },
    IacCheck {
        rule: "CKV_AWS_21",
        name: "Ensure all data stored in the S3 bucket have versioning enabled",
        resource: "aws_s3_bucket.uploads[\"us\"]",
        file: "/envs/prod/data.tf",
        lines: [2, 6],
        passed: false,
    },
    IacCheck {
        rule: "CKV_AWS_16",
        name: "Ensure all data stored in the RDS is securely encrypted at rest",
        resource: "aws_db_instance.orders",
        file: "/envs/prod/data.tf",
        lines: [8, 18],
        passed: false,
    },
    IacCheck {
        rule: "CKV_AWS_24",
        name: "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
        resource: "aws_security_group.build_worker[0]",
        file: "/envs/staging/main.tf",
        lines: [30, 42],
        passed: false,
    },
    IacCheck {
        rule: "CKV_AWS_24",
        name: "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
        resource: "aws_security_group.build_worker[1]",
        file: "/envs/staging/main.tf",
        lines: [30, 42],
        passed: false,
    },
    IacCheck {
        rule: "CKV_AWS_53",
        name: "Ensure S3 bucket has block public ACLS enabled",
        resource: "module.logs_bucket.aws_s3_bucket_public_access_block.this",
        file: "/modules/bucket/main.tf",
        lines: [17, 24],
        passed: true,
    },
];

/// The Security Hub export: `{"Findings": [...]}`.
pub(crate) fn security_hub_asff() -> Value {
    let findings: Vec<Value> = SECURITY_HUB
        .iter()
        .filter_map(|c| by_id(c.resource).map(|r| asff_finding(c, r)))
        .collect();
    json!({ "Findings": findings })
}

fn asff_finding(c: &CloudCheck, r: &DemoResource) -> Value {
    let arn = r.arn();
    let status = if c.passed { "PASSED" } else { "FAILED" };
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:security-control/{}/finding/{}", c.rule, r.id),
        "ProductArn": format!("arn:aws:securityhub:{REGION}::product/aws/securityhub"),
        "ProductName": "Security Hub",
        "CompanyName": "AWS",
        "GeneratorId": format!("security-control/{}", c.rule),
        "AwsAccountId": ACCOUNT,
        "Region": REGION,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "FirstObservedAt": SCANNED_AT,
        "LastObservedAt": SCANNED_AT,
        "CreatedAt": SCANNED_AT,
        "UpdatedAt": SCANNED_AT,
        "Severity": { "Label": if c.passed { "INFORMATIONAL" } else { c.severity }, "Original": c.severity },
        "Title": c.title,
        "Description": c.title,
        "Remediation": { "Recommendation": {
            "Text": "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
            "Url": format!("https://docs.aws.amazon.com/console/securityhub/{}/remediation", c.rule),
        } },
        "Resources": [{ "Type": r.cloud_type(), "Id": arn, "Partition": "aws", "Region": REGION }],
        "Compliance": { "Status": status, "SecurityControlId": c.rule },
        "WorkflowState": "NEW",
        "Workflow": { "Status": if c.passed { "RESOLVED" } else { "NEW" } },
        "RecordState": "ACTIVE",
    })
}

/// The Prowler OCSF export: a top-level array of Detection Findings.
pub(crate) fn prowler_ocsf() -> Value {
    Value::Array(
        PROWLER
            .iter()
            .filter_map(|c| by_id(c.resource).map(|r| ocsf_finding(c, r)))
            .collect(),
    )
}

fn ocsf_finding(c: &CloudCheck, r: &DemoResource) -> Value {
    let status = if c.passed { "PASS" } else { "FAIL" };
    json!({
        "metadata": {
            "event_code": c.rule,
            "product": { "name": "Prowler", "vendor_name": "Prowler", "version": "5.4.0" },
            "version": "1.4.0",
        },
        "severity_id": 3,
        "severity": c.severity,
        "status": "New",
        "status_code": status,
        "status_detail": format!("{} {}: {}", r.cloud_type(), r.id, if c.passed { "passes" } else { "fails" }),
        "status_id": 1,
        "activity_name": "Create",
        "activity_id": 1,
        "finding_info": {
            "uid": format!("prowler-aws-{}-{ACCOUNT}-{REGION}-{}", c.rule, r.id),
            "title": c.title,
            "desc": c.title,
            "created_time_dt": SCANNED_AT,
        },
        "resources": [{
            "uid": r.arn(),
            "name": r.id,
            "type": r.cloud_type(),
            "region": REGION,
            "cloud_partition": "aws",
        }],
        "category_name": "Findings",
        "class_name": "Detection Finding",
        "class_uid": 2004,
        "cloud": {
            "provider": "aws",
            "account": { "uid": ACCOUNT, "type": "AWS Account" },
            "region": REGION,
        },
        "time_dt": SCANNED_AT,
        "remediation": { "desc": "See the Prowler check documentation.", "references": [] },
        "risk_details": c.title,
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
    })
}

/// The Checkov export for the repository (one `terraform` report).
pub(crate) fn checkov_json() -> Value {
    let entry = |c: &IacCheck| {
        json!({
            "check_id": c.rule,
            "bc_check_id": null,
            "check_name": c.name,
            "check_result": { "result": if c.passed { "PASSED" } else { "FAILED" } },
            "file_path": c.file,
            "repo_file_path": c.file,
            "file_line_range": c.lines,
            "resource": c.resource,
            "check_class": "checkov.terraform.checks.resource.aws",
            "guideline": format!("https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies/{}", c.rule.to_lowercase()),
        })
    };
    let failed: Vec<Value> = CHECKOV.iter().filter(|c| !c.passed).map(entry).collect();
    let passed: Vec<Value> = CHECKOV.iter().filter(|c| c.passed).map(entry).collect();
    json!({
        "check_type": "terraform",
        "results": { "passed_checks": passed, "failed_checks": failed, "skipped_checks": [], "parsing_errors": [] },
        "summary": { "passed": passed.len(), "failed": failed.len(), "skipped": 0, "parsing_errors": 0, "resource_count": 14, "checkov_version": "3.2.0" },
    })
}

/// Every demo findings file: (file name, content).
pub(crate) fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("demo/securityhub-findings.json", security_hub_asff()),
        ("demo/prowler-output.ocsf.json", prowler_ocsf()),
        ("demo/checkov-acme-infra.json", checkov_json()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_check_names_a_demo_resource() {
        for c in SECURITY_HUB.iter().chain(PROWLER) {
            assert!(
                by_id(c.resource).is_some(),
                "{} names unknown resource {}",
                c.rule,
                c.resource
            );
        }
    }

    #[test]
    fn files_parse_with_the_expected_formats_and_counts() {
        let expected = [
            ("asff", SECURITY_HUB.len()),
            ("prowler-ocsf", PROWLER.len()),
            ("checkov", CHECKOV.len()),
        ];
        for ((name, value), (format, count)) in all().into_iter().zip(expected) {
            let bytes = serde_json::to_vec(&value).expect("serializes");
            let limits = redress_ingest::Limits { max_bytes: 1 << 20 };
            let (found, summary) = redress_ingest::parse_to_vec(&bytes[..], None, &limits)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(summary.format.as_str(), format, "{name}");
            assert_eq!(found.len(), count, "{name}: every record gives a finding");
            assert!(
                found
                    .iter()
                    .any(|f| f.status == redress_ingest::Status::Open),
                "{name} has failures"
            );
            assert!(
                found
                    .iter()
                    .any(|f| f.status == redress_ingest::Status::Closed),
                "{name} has passes"
            );
        }
    }
}
