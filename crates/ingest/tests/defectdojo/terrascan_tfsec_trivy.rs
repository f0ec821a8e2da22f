//! Terrascan, tfsec and Trivy fixtures.

use std::collections::BTreeSet;

use redress_ingest::{Format, Severity, SourceTool, Status};

use crate::common::load;

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
