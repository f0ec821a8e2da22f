//! Size limits, streaming, skips and fingerprints.

use std::io::{self, Read};

use redress_ingest::{Finding, Format, IngestError, Limits, Severity, parse, parse_to_vec};

use crate::common::{parse_bytes, parse_fixture};

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
