//! Behaviour on hand-built fixtures (`tests/fixtures`, shapes from official docs) and
//! on bad input: detection, statuses, error messages, limits, fingerprints, streaming.

use std::collections::BTreeSet;
use std::io::{self, Read};
use std::path::PathBuf;

use redress_ingest::{
    CloudProvider, Finding, Format, IngestError, Limits, ParseSummary, PolicyMapper, Scope,
    Severity, SmallTableMapper, SourceTool, Status, detect, parse, parse_to_vec,
};

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn parse_bytes(
    bytes: &[u8],
    format: Option<Format>,
) -> Result<(Vec<Finding>, ParseSummary), IngestError> {
    parse_to_vec(bytes, format, &Limits::default())
}

fn parse_fixture(name: &str) -> (Vec<Finding>, ParseSummary) {
    let bytes = std::fs::read(fixture_path(name)).expect("read fixture");
    parse_bytes(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

// ------------------------------------------------------------------ detection

#[test]
fn detection_reads_content_not_file_names() {
    // The same bytes under misleading names (and no name at all) detect the same.
    let dir = std::env::temp_dir().join(format!("redress-ingest-detect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cases = [
        ("sarif_iac.json", Format::Sarif, "findings.csv"),
        (
            "wiz_issues_graphql.json",
            Format::WizJson,
            "prowler-output.ocsf.json",
        ),
        (
            "aws_config_rule_details.json",
            Format::AwsConfig,
            "checkov.json",
        ),
        ("asff_eventbridge.json", Format::Asff, "noextension"),
    ];
    for (name, format, renamed) in cases {
        let target = dir.join(renamed);
        std::fs::copy(fixture_path(name), &target).expect("copy");
        let bytes = std::fs::read(&target).expect("read");
        assert_eq!(detect(&bytes), Ok(format), "{name} renamed to {renamed}");
        let (_, summary) = parse_to_vec(
            std::fs::File::open(&target).expect("open"),
            None,
            &Limits::default(),
        )
        .expect("parse");
        assert_eq!(summary.format, format);
        assert!(summary.detected);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn garbage_lists_every_format_tried() {
    for garbage in [
        &b"\x00\x01\x02 binary junk"[..],
        b"hello, world\nthis is not a report\n",
        b"{\"foo\": {\"bar\": 1}}",
    ] {
        let err = parse_bytes(garbage, None).unwrap_err();
        let IngestError::Detect(detect_error) = &err else {
            panic!("expected a detection error, got {err}")
        };
        assert_eq!(detect_error.tried, Format::ALL.to_vec());
        let text = err.to_string();
        for format in Format::ALL {
            assert!(text.contains(format.as_str()), "{text} lacks {format}");
        }
    }
}

#[test]
fn forced_format_overrides_detection() {
    let bytes = std::fs::read(fixture_path("asff_eventbridge.json")).expect("read");
    let (findings, summary) = parse_bytes(&bytes, Some(Format::Asff)).expect("parse");
    assert_eq!(findings.len(), 1);
    assert!(!summary.detected);
    // Forcing the wrong format is an error naming the format, not a silent empty import.
    let err = parse_bytes(&bytes, Some(Format::Checkov)).unwrap_err();
    assert!(err.to_string().starts_with("checkov: "), "{err}");
}

// ------------------------------------------------------------------ ASFF

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

// ------------------------------------------------------------------ errors

#[test]
fn record_errors_name_format_record_and_field() {
    let doc = r#"{"Findings": [
        {"Id": "ok", "Title": "fine", "Resources": []},
        {"Id": "bad", "Title": "broken", "Resources": {"Id": "not-a-list"}}
    ]}"#;
    let err = parse_bytes(doc.as_bytes(), Some(Format::Asff)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "asff: record 2 (Findings[1]): field \"Resources\": expected an array, found an object"
    );
    let IngestError::Record(record) = err else {
        panic!("expected a record error")
    };
    assert_eq!(record.position.record, 2);
    assert_eq!(record.field, "Resources");

    let doc = r#"{"Findings": [{"Title": "no id"}]}"#;
    let err = parse_bytes(doc.as_bytes(), Some(Format::Asff)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "asff: record 1 (Findings[0]): field \"Id\": missing (required)"
    );

    let doc = r#"{"Findings": [{"Id": "x", "Resources": [{"Type": "AwsS3Bucket"}]}]}"#;
    let err = parse_bytes(doc.as_bytes(), Some(Format::Asff)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "asff: record 1 (Findings[0]): field \"Resources[0].Id\": missing (required)"
    );
}

#[test]
fn csv_errors_name_the_line() {
    let csv = "Created At,Title,Severity,Status,Issue ID\n2024-01-01T00:00:00Z,ok,HIGH,OPEN,id-1\n2024-01-01T00:00:00Z,no id,HIGH,OPEN,\n";
    let err = parse_bytes(csv.as_bytes(), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wiz-csv: record 2 (line 3): field \"Issue ID\": missing (required)"
    );
}

#[test]
fn malformed_json_names_the_line() {
    let doc = "{\"Findings\": [\n {\"Id\": \"a\", \"Title\": \"t\"},\n {\"Id\": \"b\" \"Title\": \"t\"}\n]}";
    let err = parse_bytes(doc.as_bytes(), Some(Format::Asff)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("asff: malformed input at line 3 (Findings[1]): "),
        "{text}"
    );
}

#[test]
fn wrong_top_level_shape_is_a_clear_error() {
    let err = parse_bytes(br#"{"Findings": "none"}"#, Some(Format::Asff)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "asff: field \"Findings\": expected an array, found a string"
    );
    let err = parse_bytes(br#"{"Something": []}"#, Some(Format::Asff)).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a top-level key Findings or findings"),
        "{err}"
    );
}

// ------------------------------------------------------------------ limits and streaming

#[test]
fn size_limit_is_enforced() {
    let doc = br#"{"Findings": [{"Id": "a", "Title": "t", "Resources": []}]}"#;
    let at_limit = Limits {
        max_bytes: doc.len() as u64,
    };
    assert!(parse_to_vec(&doc[..], None, &at_limit).is_ok());
    let below = Limits {
        max_bytes: doc.len() as u64 - 1,
    };
    let err = parse_to_vec(&doc[..], None, &below).unwrap_err();
    assert!(
        matches!(err, IngestError::TooLarge { limit } if limit == doc.len() as u64 - 1),
        "{err}"
    );
    // Also when the limit falls inside the detection head and the format is given.
    let tiny = Limits { max_bytes: 10 };
    assert!(matches!(
        parse_to_vec(&doc[..], Some(Format::Asff), &tiny),
        Err(IngestError::TooLarge { .. })
    ));
    assert_eq!(Limits::default().max_bytes, 1 << 30);
}

/// An endless ASFF document, generated on demand.
struct EndlessAsff {
    pending: Vec<u8>,
    produced: u64,
    bytes: u64,
}

impl Read for EndlessAsff {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.pending = if self.produced == 0 {
                b"{\"Findings\": [".to_vec()
            } else {
                b",".to_vec()
            };
            let n = self.produced;
            self.pending.extend_from_slice(
                format!(r#"{{"Id": "id-{n}", "Title": "t", "Severity": {{"Label": "LOW"}}, "Resources": [{{"Id": "arn:aws:s3:::b{n}", "Type": "AwsS3Bucket"}}]}}"#)
                    .as_bytes(),
            );
            self.produced += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.bytes += n as u64;
        Ok(n)
    }
}

#[test]
fn findings_stream_before_the_input_ends() {
    // The input never ends: the sink sees findings while reading, and stopping it stops
    // the parse. A parser that buffered the file would never return.
    let mut reader = EndlessAsff {
        pending: Vec::new(),
        produced: 0,
        bytes: 0,
    };
    let mut seen = 0u32;
    let err = parse(&mut reader, None, &Limits::default(), &mut |f| {
        assert_eq!(f.source_id.as_deref(), Some(format!("id-{seen}").as_str()));
        seen += 1;
        if seen == 1000 {
            Err("enough".into())
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert!(matches!(err, IngestError::Sink(_)), "{err}");
    assert_eq!(seen, 1000);
    assert!(
        reader.bytes < 1 << 20,
        "read {} bytes for 1000 findings",
        reader.bytes
    );
}

// ------------------------------------------------------------------ fingerprints

#[test]
fn duplicates_share_a_fingerprint_and_reexports_keep_it() {
    let doc = r#"{"Findings": [
        {"Id": "same", "Title": "first", "UpdatedAt": "2024-01-01T00:00:00Z", "Severity": {"Label": "LOW"}, "Resources": []},
        {"Id": "same", "Title": "second export", "UpdatedAt": "2024-02-01T00:00:00Z", "Severity": {"Label": "HIGH"}, "Resources": []},
        {"Id": "other", "Title": "first", "Resources": []}
    ]}"#;
    let (findings, _) = parse_bytes(doc.as_bytes(), Some(Format::Asff)).expect("parse");
    assert_eq!(findings[0].fingerprint, findings[1].fingerprint);
    assert_ne!(findings[0].fingerprint, findings[2].fingerprint);
    assert_eq!(findings[0].fingerprint.as_str().len(), 64);

    // Prowler: the same check on the same resource fingerprints the same in CSV and OCSF.
    let csv = "FINDING_UID;PROVIDER;CHECK_ID;CHECK_TITLE;STATUS;STATUS_EXTENDED;MUTED;SEVERITY;RESOURCE_UID;REGION;ACCOUNT_UID\n\
               u1;aws;s3_bucket_object_versioning;Check versioning;FAIL;Bucket b has no versioning;False;medium;arn:aws:s3:::b;eu-west-1;111122223333\n";
    let ocsf = r#"[{"metadata": {"event_code": "s3_bucket_object_versioning"}, "finding_info": {"uid": "u1", "title": "Check versioning"},
        "status_code": "FAIL", "status": "New", "severity": "Medium", "cloud": {"provider": "aws", "region": "eu-west-1", "account": {"uid": "111122223333"}},
        "resources": [{"uid": "arn:aws:s3:::b", "type": "AwsS3Bucket", "region": "eu-west-1"}]}]"#;
    let (from_csv, _) = parse_bytes(csv.as_bytes(), None).expect("csv");
    let (from_ocsf, _) = parse_bytes(ocsf.as_bytes(), None).expect("ocsf");
    assert_eq!(from_csv[0].fingerprint, from_ocsf[0].fingerprint);
    assert_eq!(from_csv[0].severity, Severity::Medium);
}

// ------------------------------------------------------------------ Wiz JSON, AWS Config, SARIF

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
fn findings_serialize_round_trip() {
    let (findings, summary) = parse_fixture("sarif_iac.json");
    let text = serde_json::to_string(&findings).expect("serialize");
    let back: Vec<Finding> = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, findings);
    let summary_text = serde_json::to_string(&summary).expect("summary");
    assert!(
        summary_text.contains("\"format\":\"sarif\""),
        "{summary_text}"
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
fn byte_order_marks_are_tolerated() {
    let mut doc = b"\xEF\xBB\xBF".to_vec();
    doc.extend_from_slice(br#"{"Findings": [{"Id": "a", "Title": "t", "Resources": []}]}"#);
    let (findings, summary) = parse_bytes(&doc, None).expect("parse");
    assert_eq!((summary.format, findings.len()), (Format::Asff, 1));
    let mut csv = b"\xEF\xBB\xBF".to_vec();
    csv.extend_from_slice(b"OrcaScore,Title,Status\n7.5,Public bucket,open\n");
    let (findings, _) = parse_bytes(&csv, None).expect("parse csv");
    assert_eq!(findings[0].severity, Severity::High);
}

#[test]
fn skips_are_counted_in_full_and_listed_up_to_the_cap() {
    let vulns: Vec<String> = (0..1500)
        .map(|i| format!(r#"{{"VulnerabilityID": "CVE-2024-{i}", "Severity": "LOW"}}"#))
        .collect();
    let doc = format!(
        r#"{{"SchemaVersion": 2, "ArtifactName": ".", "Results": [{{"Target": "go.mod", "Class": "lang-pkgs", "Vulnerabilities": [{}]}}]}}"#,
        vulns.join(",")
    );
    let (findings, summary) = parse_bytes(doc.as_bytes(), None).expect("parse");
    assert_eq!(summary.format, Format::Trivy);
    assert!(findings.is_empty());
    assert_eq!(summary.skipped, 1500);
    assert_eq!(summary.records, 1500);
    assert_eq!(summary.skips.len(), redress_ingest::MAX_LISTED_SKIPS);
    assert_eq!(
        summary.skips[1].position.path.as_deref(),
        Some("Results[0].Vulnerabilities[1]")
    );
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

#[test]
fn clean_reports_parse_to_no_findings() {
    // Trivy omits `Results` when nothing was found.
    let trivy = br#"{"SchemaVersion": 2, "CreatedAt": "2026-01-21T10:19:22+01:00", "ArtifactName": "infra", "ArtifactType": "filesystem", "Metadata": {}}"#;
    let (findings, summary) = parse_bytes(trivy, None).expect("trivy");
    assert_eq!((summary.format, findings.len()), (Format::Trivy, 0));
    let sarif = br#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{"tool": {"driver": {"name": "tfsec"}}, "results": []}]}"#;
    let (findings, summary) = parse_bytes(sarif, None).expect("sarif");
    assert_eq!((summary.format, findings.len()), (Format::Sarif, 0));
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
