//! Orca and Wiz fixtures.

use std::collections::BTreeSet;

use redress_ingest::{Format, Severity, Status};

use crate::common::{fixture, load, ymd};

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
        assert!(f.description.contains("IAM misconfigurations"));
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
