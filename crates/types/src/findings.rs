//! Findings and imports as the pages, the REST API and the CLI see them.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One skipped record of an import and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSkip {
    /// Where the record was (`record 3 (Results[0])`, `record 7 (line 8)`).
    pub position: String,
    /// Why no finding came from it.
    pub reason: String,
}

/// What one import did. Every count comes from the import itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// The import's id in the history.
    pub import_id: i64,
    /// The file name as uploaded or given.
    pub file_name: String,
    /// The format's stable name (`asff`, `checkov`, …).
    pub format: String,
    /// Whether the format was detected (not given).
    pub detected: bool,
    /// Whether this was a full import (absent findings of the same scope were closed).
    pub full: bool,
    /// Records read (findings plus skips).
    pub records: u64,
    /// Findings never seen before: rows added.
    pub new: u64,
    /// Findings seen before whose content or status changed (including reopened ones).
    pub updated: u64,
    /// Open findings closed by this import: absent from a full import, or now reported
    /// as passing or suppressed by the tool.
    pub closed: u64,
    /// Findings seen before and unchanged (only their last-seen time moved).
    pub unchanged: u64,
    /// Records that gave no finding.
    pub skipped: u64,
    /// The skips with their reasons (the first 1000).
    pub skips: Vec<ImportSkip>,
    /// Bytes read.
    pub bytes: u64,
}

/// One import in the history, successful or failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// Database id.
    pub id: i64,
    /// Who imported it (e-mail), when known.
    pub user_email: Option<String>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// File name as uploaded or given.
    pub file_name: String,
    /// The format, when it was known or detected.
    pub format: Option<String>,
    /// Full (closes absent findings) or partial.
    pub full: bool,
    /// `ok` or `failed`.
    pub status: String,
    /// Records read.
    pub records: u64,
    /// Rows added.
    pub new: u64,
    /// Rows changed.
    pub updated: u64,
    /// Open findings closed.
    pub closed: u64,
    /// Rows seen again unchanged.
    pub unchanged: u64,
    /// Records skipped.
    pub skipped: u64,
    /// The skips with their reasons.
    pub skips: Vec<ImportSkip>,
    /// Why it failed (format, record and field), for failed imports.
    pub error: Option<String>,
}

/// How the findings list is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingSort {
    /// Most severe first (then newest).
    #[default]
    Severity,
    /// Most recently seen first.
    LastSeen,
    /// Most recently first seen first.
    FirstSeen,
    /// By title, A to Z.
    Title,
    /// By tool rule id, A to Z.
    Rule,
}

impl FindingSort {
    /// Every sort, in the order the page offers them.
    pub const ALL: [FindingSort; 5] = [
        FindingSort::Severity,
        FindingSort::LastSeen,
        FindingSort::FirstSeen,
        FindingSort::Title,
        FindingSort::Rule,
    ];

    /// The query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingSort::Severity => "severity",
            FindingSort::LastSeen => "last_seen",
            FindingSort::FirstSeen => "first_seen",
            FindingSort::Title => "title",
            FindingSort::Rule => "rule",
        }
    }

    /// Parses a query-string value; unknown values give the default.
    pub fn parse(value: &str) -> FindingSort {
        FindingSort::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .unwrap_or_default()
    }

    /// What the page calls it.
    pub fn label(self) -> &'static str {
        match self {
            FindingSort::Severity => "Severity",
            FindingSort::LastSeen => "Last seen",
            FindingSort::FirstSeen => "First seen",
            FindingSort::Title => "Title",
            FindingSort::Rule => "Rule",
        }
    }
}

/// Server-side filters, sort and page of the findings list. Empty strings mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingQuery {
    /// Source tool (`security-hub`, `checkov`, …).
    pub tool: Option<String>,
    /// Normalized severity (`critical` … `info`).
    pub severity: Option<String>,
    /// `open`, `closed` or `suppressed`.
    pub status: Option<String>,
    /// Account, subscription or project id.
    pub account: Option<String>,
    /// Resource type as the tool names it.
    pub resource_type: Option<String>,
    /// Canonical policy id.
    pub policy: Option<String>,
    /// Sort order.
    pub sort: FindingSort,
    /// 1-based page.
    pub page: u64,
    /// Rows per page (capped by the store).
    pub per_page: u64,
}

/// One row of the findings list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    /// Database id.
    pub id: i64,
    /// Source tool.
    pub tool: String,
    /// The tool's rule id.
    pub rule_id: String,
    /// Short title.
    pub title: String,
    /// Normalized severity.
    pub severity: String,
    /// `open`, `closed` or `suppressed`.
    pub status: String,
    /// Account, when a cloud finding.
    pub account: Option<String>,
    /// Region, when a cloud finding.
    pub region: Option<String>,
    /// Resource type.
    pub resource_type: Option<String>,
    /// The first resource id, or `file:line` for IaC findings.
    pub resource: Option<String>,
    /// Canonical policy, when the rule maps to one.
    pub policy_id: Option<String>,
    /// When Redress first saw it.
    pub first_seen: DateTime<Utc>,
    /// When Redress last saw it.
    pub last_seen: DateTime<Utc>,
}

/// Everything stored about one finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDetail {
    /// The list row.
    pub row: FindingRow,
    /// The tool's own id.
    pub source_finding_id: Option<String>,
    /// Scope of the source (`aws 123456789012 eu-west-1`, `repository infra`).
    pub source_scope: String,
    /// Longer description.
    pub description: String,
    /// Severity as the tool wrote it.
    pub severity_original: String,
    /// Why the status is what it is.
    pub status_reason: Option<String>,
    /// Cloud provider.
    pub cloud_provider: Option<String>,
    /// Every resource id.
    pub resource_ids: Vec<String>,
    /// File, for IaC findings (untrusted text from the scanner).
    pub file: Option<String>,
    /// First line, 1-based.
    pub start_line: Option<u32>,
    /// Last line, 1-based.
    pub end_line: Option<u32>,
    /// When the tool says it first saw it.
    pub tool_first_seen: Option<DateTime<Utc>>,
    /// When the tool says it last saw it.
    pub tool_last_seen: Option<DateTime<Utc>>,
    /// When it was closed, if closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// How to fix it.
    pub remediation: Option<String>,
    /// Link to fix guidance.
    pub remediation_url: Option<String>,
    /// Extra facts.
    pub tags: Vec<(String, String)>,
    /// The raw record as imported (JSON text).
    pub raw: String,
    /// Fingerprint (hex).
    pub fingerprint: String,
    /// Findings of other sources or tools about the same resource under the same policy.
    pub correlated: Vec<FindingRow>,
}

/// The distinct values present in the findings table, for the filter menus.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFacets {
    /// Tools with findings.
    pub tools: Vec<String>,
    /// Accounts with findings.
    pub accounts: Vec<String>,
    /// Resource types with findings.
    pub resource_types: Vec<String>,
    /// Canonical policies with findings.
    pub policies: Vec<String>,
}

/// The format names `--format`, `?format=` and the upload form accept (detection when absent).
pub const IMPORT_FORMATS: [&str; 15] = [
    "asff",
    "prowler-ocsf",
    "prowler-csv",
    "prowler-json",
    "wiz-csv",
    "wiz-json",
    "orca-csv",
    "orca-json",
    "aws-config",
    "checkov",
    "kics",
    "trivy",
    "tfsec",
    "terrascan",
    "sarif",
];
