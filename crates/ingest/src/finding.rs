//! The normalized [`Finding`] every importer produces, and its small value types.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fingerprint::Fingerprint;

/// The scanner or service a finding came from.
///
/// The string names (`as_str`, serde) are stable: the database stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceTool {
    /// AWS Security Hub (ASFF), including findings it aggregates from other AWS services.
    SecurityHub,
    /// Prowler (any version, any output format).
    Prowler,
    /// Wiz issues.
    Wiz,
    /// Orca Security alerts.
    Orca,
    /// AWS Config rule evaluations.
    AwsConfig,
    /// Checkov.
    Checkov,
    /// KICS.
    Kics,
    /// Trivy misconfiguration scanning.
    Trivy,
    /// tfsec.
    Tfsec,
    /// Terrascan.
    Terrascan,
    /// Snyk IaC (seen through SARIF).
    SnykIac,
    /// A SARIF producer Redress does not recognise; the driver name is kept in the tags.
    OtherSarif,
}

impl SourceTool {
    /// Every tool, in a fixed order.
    pub const ALL: [SourceTool; 12] = [
        SourceTool::SecurityHub,
        SourceTool::Prowler,
        SourceTool::Wiz,
        SourceTool::Orca,
        SourceTool::AwsConfig,
        SourceTool::Checkov,
        SourceTool::Kics,
        SourceTool::Trivy,
        SourceTool::Tfsec,
        SourceTool::Terrascan,
        SourceTool::SnykIac,
        SourceTool::OtherSarif,
    ];

    /// The stable machine name (`security-hub`, `prowler`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceTool::SecurityHub => "security-hub",
            SourceTool::Prowler => "prowler",
            SourceTool::Wiz => "wiz",
            SourceTool::Orca => "orca",
            SourceTool::AwsConfig => "aws-config",
            SourceTool::Checkov => "checkov",
            SourceTool::Kics => "kics",
            SourceTool::Trivy => "trivy",
            SourceTool::Tfsec => "tfsec",
            SourceTool::Terrascan => "terrascan",
            SourceTool::SnykIac => "snyk-iac",
            SourceTool::OtherSarif => "other-sarif",
        }
    }

    /// Parses a stable machine name back.
    pub fn from_name(name: &str) -> Option<SourceTool> {
        SourceTool::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether this tool scans infrastructure code (findings carry file and lines)
    /// rather than deployed cloud resources.
    pub fn is_iac_scanner(self) -> bool {
        matches!(
            self,
            SourceTool::Checkov
                | SourceTool::Kics
                | SourceTool::Trivy
                | SourceTool::Tfsec
                | SourceTool::Terrascan
                | SourceTool::SnykIac
                | SourceTool::OtherSarif
        )
    }
}

impl fmt::Display for SourceTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Normalized severity. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The stable lowercase name (`critical`, `high`, `medium`, `low`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Maps a tool's severity word to the normalized scale, case-insensitively.
    ///
    /// Knows the vocabularies of every supported tool: `CRITICAL`, `HIGH`, `MEDIUM`,
    /// `MODERATE`, `LOW`, `INFO`, `INFORMATIONAL`, `INFORMATION`, `NOTE`, `UNKNOWN`,
    /// `NONE`, tfsec's legacy `ERROR`/`WARNING`, and SARIF levels `error`/`warning`/`note`.
    pub fn from_label(label: &str) -> Option<Severity> {
        let l = label.trim().to_ascii_lowercase();
        Some(match l.as_str() {
            "critical" | "crit" | "fatal" => Severity::Critical,
            "high" | "error" | "severe" => Severity::High,
            "medium" | "moderate" | "warning" | "med" => Severity::Medium,
            "low" | "minor" => Severity::Low,
            "info" | "informational" | "information" | "note" | "none" | "unknown"
            | "negligible" => Severity::Info,
            _ => return None,
        })
    }

    /// Maps a 0–10 score (Orca score, CVSS-like) to the normalized scale.
    pub fn from_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding still needs work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The resource fails the rule now.
    Open,
    /// The resource passes, the finding was resolved, or the tool reports it as informational.
    Closed,
    /// The tool was told to ignore it (muted, suppressed, ignored, accepted risk).
    Suppressed,
}

impl Status {
    /// The stable lowercase name (`open`, `closed`, `suppressed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Suppressed => "suppressed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cloud a finding's resource lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudProvider {
    /// Amazon Web Services.
    Aws,
    /// Microsoft Azure.
    Azure,
    /// Google Cloud.
    Gcp,
    /// Kubernetes (any distribution).
    Kubernetes,
    /// Another provider (Oracle, Alibaba, GitHub, M365, …).
    Other,
}

impl CloudProvider {
    /// The stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            CloudProvider::Aws => "aws",
            CloudProvider::Azure => "azure",
            CloudProvider::Gcp => "gcp",
            CloudProvider::Kubernetes => "kubernetes",
            CloudProvider::Other => "other",
        }
    }

    /// Maps a tool's provider word (`aws`, `AWS`, `azure`, `Azure`, `gcp`, `GCP`,
    /// `google`, `kubernetes`, `k8s`, …) to a provider; empty input gives `None`.
    pub fn from_label(label: &str) -> Option<CloudProvider> {
        let l = label.trim().to_ascii_lowercase();
        Some(match l.as_str() {
            "" => return None,
            "aws" | "amazon" | "amazon web services" => CloudProvider::Aws,
            "azure" | "microsoft azure" | "azurerm" => CloudProvider::Azure,
            "gcp" | "google" | "google cloud" | "googlecloud" => CloudProvider::Gcp,
            "kubernetes" | "k8s" | "aks" | "eks" | "gke" => CloudProvider::Kubernetes,
            _ => CloudProvider::Other,
        })
    }
}

impl fmt::Display for CloudProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One tool's statement that one resource (or one place in code) breaks one rule.
///
/// Produced by the parsers in normalized form; the raw record is kept for audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The tool that reported it.
    pub source_tool: SourceTool,
    /// The tool's own id for this finding, when it has one (ASFF `Id`, Prowler finding uid,
    /// Wiz issue id, …).
    pub source_id: Option<String>,
    /// The tool's rule id (`S3.8`, `CKV_AWS_19`, `s3_bucket_default_encryption`, KICS query id, …).
    pub rule_id: String,
    /// Short title.
    pub title: String,
    /// Longer description (may be empty).
    pub description: String,
    /// Normalized severity.
    pub severity: Severity,
    /// The severity exactly as the tool wrote it.
    pub severity_original: String,
    /// Open, closed or suppressed.
    pub status: Status,
    /// Why the status is what it is, in the tool's words (`PASSED`, `muted`, `RESOLVED: ISSUE_FIXED`, …).
    pub status_reason: Option<String>,
    /// Cloud provider, for cloud findings.
    pub cloud_provider: Option<CloudProvider>,
    /// Account, subscription or project id.
    pub account: Option<String>,
    /// Region or location.
    pub region: Option<String>,
    /// Resource type in the tool's vocabulary (`AwsS3Bucket`, `aws_s3_bucket`, …).
    pub resource_type: Option<String>,
    /// Resource identifiers: ARNs or cloud ids for cloud findings, Terraform addresses
    /// (`aws_s3_bucket.logs`) for IaC findings when the tool gives one.
    pub resource_ids: Vec<String>,
    /// For IaC scanners: the file, as the tool wrote it (relative to the scanned root
    /// when the tool reports it so). Untrusted: never use it as a path without checking.
    pub file: Option<String>,
    /// First line of the flagged code, 1-based.
    pub start_line: Option<u32>,
    /// Last line of the flagged code, 1-based, inclusive.
    pub end_line: Option<u32>,
    /// When the tool first saw it, if it says.
    pub first_seen: Option<DateTime<Utc>>,
    /// When the tool last saw it, if it says.
    pub last_seen: Option<DateTime<Utc>>,
    /// How to fix it, in words.
    pub remediation: Option<String>,
    /// A link to fix guidance.
    pub remediation_url: Option<String>,
    /// Extra key/value facts (product name, check type, compliance status, tags…).
    pub tags: BTreeMap<String, String>,
    /// The record exactly as read (a CSV row becomes an object of column → value).
    pub raw: serde_json::Value,
    /// Stable identity across re-exports; see [`crate::fingerprint`] for the rule per format.
    pub fingerprint: Fingerprint,
}

impl Finding {
    /// Whether the finding is open (needs work).
    pub fn is_open(&self) -> bool {
        self.status == Status::Open
    }
}
