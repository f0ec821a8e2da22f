//! ASFF, Prowler, Wiz JSON and AWS Config on hand-built fixtures.

use redress_ingest::{
    CloudProvider, Format, PolicyMapper, Scope, Severity, SmallTableMapper, SourceTool, Status,
};

use crate::common::{parse_bytes, parse_fixture};

#[test]
fn asff_eventbridge_envelope() {
    let (findings, summary) = parse_fixture("asff_eventbridge.json");
    assert_eq!(summary.format, Format::Asff);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.rule_id, "S3.14");
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.status, Status::Open);
    assert_eq!(f.resource_ids, ["arn:aws:s3:::example-logs"]);
    assert_eq!(f.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        SmallTableMapper
            .canonical_policy(f.source_tool, &f.rule_id)
            .as_deref(),
        Some("aws-s3-bucket-versioning")
    );
    assert_eq!(
        summary.scopes.into_iter().collect::<Vec<_>>(),
        [Scope::Cloud {
            provider: Some(CloudProvider::Aws),
            account: "123456789012".to_owned(),
            region: Some("eu-west-1".to_owned()),
        }]
    );
}

#[test]
fn asff_states_never_count_non_failing_as_open() {
    let (findings, _) = parse_fixture("asff_states.json");
    let by_id = |id: &str| {
        findings
            .iter()
            .find(|f| f.source_id.as_deref() == Some(id))
            .expect(id)
    };
    assert_eq!(by_id("f-open").status, Status::Open);
    assert_eq!(by_id("f-warning").status, Status::Open);
    assert_eq!(by_id("f-suppressed").status, Status::Suppressed);
    assert_eq!(by_id("f-resolved").status, Status::Closed);
    assert_eq!(by_id("f-archived").status, Status::Closed);
    assert_eq!(
        by_id("f-archived").status_reason.as_deref(),
        Some("RecordState ARCHIVED")
    );
    assert_eq!(by_id("f-passed").status, Status::Closed);
    assert_eq!(by_id("f-not-available").status, Status::Closed);
}

#[test]
fn asff_bare_array_is_read() {
    let doc = r#"[{"Id": "a", "Title": "t", "Severity": {"Label": "HIGH"}, "Resources": [{"Id": "r", "Type": "AwsS3Bucket"}]}]"#;
    let (findings, _) = parse_bytes(doc.as_bytes(), Some(Format::Asff)).expect("parse");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::High);
}

#[test]
fn asff_severity_without_a_label_uses_the_numbers() {
    let doc = r#"{"Findings": [
        {"Id": "a", "Resources": [], "Severity": {"Original": "8.5"}},
        {"Id": "b", "Resources": [], "Severity": {"Normalized": 40}},
        {"Id": "c", "Resources": [], "Severity": {"Label": "CRITICAL", "Normalized": 10}}
    ]}"#;
    let (findings, _) = parse_bytes(doc.as_bytes(), Some(Format::Asff)).expect("parse");
    let severities: Vec<_> = findings
        .iter()
        .map(|f| (f.severity, f.severity_original.as_str()))
        .collect();
    assert_eq!(
        severities,
        [
            (Severity::High, "8.5"),
            (Severity::Medium, "Normalized 40"),
            (Severity::Critical, "CRITICAL")
        ]
    );
}

#[test]
fn prowler_v3_csv_columns_and_muted_rows() {
    // Prowler v3 CSV column names (`;`-separated), with a muted v4-style row mixed in.
    let csv = "ASSESSMENT_START_TIME;FINDING_UNIQUE_ID;PROVIDER;CHECK_ID;CHECK_TITLE;CHECK_TYPE;STATUS;STATUS_EXTENDED;SERVICE_NAME;SUBSERVICE_NAME;SEVERITY;RESOURCE_TYPE;RESOURCE_DETAILS;RESOURCE_TAGS;DESCRIPTION;RISK;RELATED_URL;REMEDIATION_RECOMMENDATION_TEXT;REMEDIATION_RECOMMENDATION_URL;PROFILE;ACCOUNT_ID;ACCOUNT_NAME;REGION;RESOURCE_ID;RESOURCE_ARN;MUTED\n\
2023-04-25T23:49:42.744599;prowler-aws-s3_bucket_default_encryption-111122223333-eu-west-1-logs;aws;s3_bucket_default_encryption;Check if S3 buckets have default encryption (SSE) enabled;Data Protection;FAIL;S3 Bucket logs does not have default encryption enabled.;s3;;medium;AwsS3Bucket;;;Check encryption;Data at rest;https://example.invalid/doc;Enable SSE.;https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html;default;111122223333;;eu-west-1;logs;arn:aws:s3:::logs;False\n\
2023-04-25T23:49:42.744599;prowler-aws-s3_bucket_default_encryption-111122223333-eu-west-1-data;aws;s3_bucket_default_encryption;Check if S3 buckets have default encryption (SSE) enabled;Data Protection;FAIL;S3 Bucket data does not have default encryption enabled.;s3;;medium;AwsS3Bucket;;;Check encryption;Data at rest;;Enable SSE.;;default;111122223333;;eu-west-1;data;arn:aws:s3:::data;True\n";
    let (findings, summary) = parse_bytes(csv.as_bytes(), None).expect("parse");
    assert_eq!(summary.format, Format::ProwlerCsv);
    let f = &findings[0];
    assert_eq!(f.rule_id, "s3_bucket_default_encryption");
    assert_eq!(f.account.as_deref(), Some("111122223333"));
    assert_eq!(f.resource_ids, ["arn:aws:s3:::logs"]);
    assert_eq!(f.status, Status::Open);
    assert_eq!(f.remediation.as_deref(), Some("Enable SSE."));
    assert_eq!(
        SmallTableMapper
            .canonical_policy(f.source_tool, &f.rule_id)
            .as_deref(),
        Some("aws-s3-bucket-encryption")
    );
    assert_eq!(findings[1].status, Status::Suppressed);
    assert!(
        findings[1]
            .status_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("muted"))
    );
    assert_eq!((summary.open, summary.suppressed), (1, 1));
}

#[test]
fn wiz_graphql_issues() {
    let (findings, summary) = parse_fixture("wiz_issues_graphql.json");
    assert_eq!(summary.format, Format::WizJson);
    assert_eq!(findings.len(), 3);
    let f = &findings[0];
    assert_eq!(f.source_tool, SourceTool::Wiz);
    assert_eq!(f.title, "S3 bucket should have versioning enabled");
    assert_eq!(f.rule_id, "wc-id-1");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.status, Status::Open);
    assert_eq!(f.cloud_provider, Some(CloudProvider::Aws));
    assert_eq!(f.account.as_deref(), Some("123456789012"));
    assert_eq!(f.resource_ids, ["arn:aws:s3:::example-logs"]);
    assert_eq!(f.resource_type.as_deref(), Some("AWS::S3::Bucket"));
    assert_eq!(
        f.remediation.as_deref(),
        Some("Enable versioning on the bucket.")
    );
    assert_eq!(findings[1].status, Status::Closed);
    assert_eq!(
        findings[1].status_reason.as_deref(),
        Some("RESOLVED: ISSUE_FIXED")
    );
    assert_eq!(findings[1].severity, Severity::Critical);
    assert_eq!(findings[2].status, Status::Suppressed);
    assert_eq!(findings[2].cloud_provider, Some(CloudProvider::Gcp));
}

#[test]
fn aws_config_both_commands() {
    let (findings, summary) = parse_fixture("aws_config_rule_details.json");
    assert_eq!(summary.format, Format::AwsConfig);
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].rule_id, "s3-bucket-versioning-enabled");
    assert_eq!(findings[0].resource_ids, ["example-logs"]);
    assert_eq!(
        findings[0].resource_type.as_deref(),
        Some("AWS::S3::Bucket")
    );
    assert_eq!(findings[0].status, Status::Open);
    assert_eq!(findings[0].description, "Versioning is not enabled.");
    assert!(findings[0].last_seen.is_some());
    assert_eq!(findings[1].status, Status::Closed);
    assert_eq!(findings[1].status_reason.as_deref(), Some("COMPLIANT"));

    let (findings, _) = parse_fixture("aws_config_by_resource.json");
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].rule_id, "resource-compliance");
    assert_eq!(findings[0].status, Status::Open);
    assert_eq!(findings[0].resource_ids, ["sg-0123456789abcdef0"]);
    assert_eq!(findings[1].status, Status::Closed);
    assert_eq!(
        findings[1].status_reason.as_deref(),
        Some("INSUFFICIENT_DATA")
    );
}
