//! Detection from content, and the errors bad input gets.

use redress_ingest::{Format, IngestError, Limits, Severity, detect, parse_to_vec};

use crate::common::{fixture_path, parse_bytes};

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
fn clean_reports_parse_to_no_findings() {
    // Trivy omits `Results` when nothing was found.
    let trivy = br#"{"SchemaVersion": 2, "CreatedAt": "2026-01-21T10:19:22+01:00", "ArtifactName": "infra", "ArtifactType": "filesystem", "Metadata": {}}"#;
    let (findings, summary) = parse_bytes(trivy, None).expect("trivy");
    assert_eq!((summary.format, findings.len()), (Format::Trivy, 0));
    let sarif = br#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{"tool": {"driver": {"name": "tfsec"}}, "results": []}]}"#;
    let (findings, summary) = parse_bytes(sarif, None).expect("sarif");
    assert_eq!((summary.format, findings.len()), (Format::Sarif, 0));
}
