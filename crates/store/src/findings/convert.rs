//! Conversions: a parsed finding to a row (scope, content hash, correlation key) and rows
//! back to the plain types the app shows.
use chrono::{DateTime, Utc};
use redress_ingest::{Finding, PolicyMapper, Scope, Severity};
use redress_types::{FindingRow, ImportRecord, ImportSkip};
use sea_orm::{ActiveValue::NotSet, FromQueryResult, Set};
use sha2::{Digest, Sha256};

use crate::entities::{finding, import};

/// Raw records above this are stored as a note, not in full (the import stays bounded).
pub(crate) const MAX_STORED_RAW_BYTES: usize = 1 << 20;

/// Which source a finding belongs to: its tool plus its scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SourceKey {
    pub tool: String,
    pub scope_key: String,
    pub scope_label: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub repository: Option<String>,
}

impl SourceKey {
    /// The source of `finding`: cloud findings by account and region, IaC findings by
    /// the repository the caller named (unscoped without one).
    pub fn of(finding: &Finding, repository: Option<&str>) -> SourceKey {
        let tool = finding.source_tool.as_str().to_owned();
        if finding.source_tool.is_iac_scanner() {
            return SourceKey::repository(tool, repository);
        }
        match Scope::of_cloud_finding(finding) {
            Some(Scope::Cloud {
                provider,
                account,
                region,
            }) => {
                let provider = provider.map_or("", |p| p.as_str());
                let region_text = region.as_deref().unwrap_or("");
                SourceKey {
                    tool,
                    scope_key: format!("cloud\u{1f}{provider}\u{1f}{account}\u{1f}{region_text}"),
                    scope_label: [provider, account.as_str(), region_text]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" "),
                    account: Some(account),
                    region,
                    repository: None,
                }
            }
            _ => SourceKey::unscoped(tool),
        }
    }

    /// The source of an IaC tool's findings for `repository` (or unscoped).
    pub fn repository(tool: String, repository: Option<&str>) -> SourceKey {
        match repository {
            Some(repo) => SourceKey {
                tool,
                scope_key: format!("repo\u{1f}{repo}"),
                scope_label: format!("repository {repo}"),
                account: None,
                region: None,
                repository: Some(repo.to_owned()),
            },
            None => SourceKey::unscoped(tool),
        }
    }

    fn unscoped(tool: String) -> SourceKey {
        SourceKey {
            tool,
            scope_key: String::new(),
            scope_label: "no scope".into(),
            account: None,
            region: None,
            repository: None,
        }
    }
}

/// Rank for sorting by severity (higher is worse).
pub(crate) fn severity_rank(severity: Severity) -> i16 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn short_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..16])
}

/// What identifies the resource for correlation: the first resource id, else file and lines.
fn resource_key(finding: &Finding) -> String {
    if let Some(id) = finding.resource_ids.first() {
        return id.trim().to_lowercase();
    }
    match (&finding.file, finding.start_line) {
        (Some(file), Some(line)) => format!("{}:{line}", file.trim_start_matches("./")),
        (Some(file), None) => file.trim_start_matches("./").to_owned(),
        (None, _) => String::new(),
    }
}

/// The resource shown in the list: the first id, or `file:line`.
fn primary_resource(finding: &Finding) -> Option<String> {
    finding.resource_ids.first().cloned().or_else(|| {
        finding.file.as_ref().map(|f| match finding.start_line {
            Some(line) => format!("{f}:{line}"),
            None => f.clone(),
        })
    })
}

/// Links findings about the same resource under the same canonical policy, whatever the
/// tool; a rule with no canonical policy links only with the same tool's rule.
pub(crate) fn correlation_key(finding: &Finding, policy: Option<&str>) -> String {
    let resource = resource_key(finding);
    match policy {
        Some(policy) => short_hash(&["policy", policy, &resource]),
        None => short_hash(&[
            "rule",
            finding.source_tool.as_str(),
            &finding.rule_id.to_lowercase(),
            &resource,
        ]),
    }
}

/// A finding ready to be written: the row's values and its content hash.
pub(crate) struct PreparedFinding {
    pub source_id: i64,
    pub fingerprint: String,
    pub open: bool,
    pub status: &'static str,
    pub content_hash: String,
    pub row: finding::ActiveModel,
}

fn opt_text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Builds the row for `f`; `first_seen`, `first_import_id` and `closed_at` are filled in
/// by the caller, which knows whether the row is new.
pub(crate) fn prepare(
    f: Finding,
    source_id: i64,
    mapper: &dyn PolicyMapper,
    now: DateTime<Utc>,
    import_id: i64,
) -> PreparedFinding {
    let policy = mapper.canonical_policy(f.source_tool, &f.rule_id);
    let correlation = correlation_key(&f, policy.as_deref());
    let resource_ids = serde_json::to_string(&f.resource_ids).unwrap_or_else(|_| "[]".into());
    let start = f.start_line.map(|l| l.to_string()).unwrap_or_default();
    let end = f.end_line.map(|l| l.to_string()).unwrap_or_default();
    let content_hash = short_hash(&[
        f.status.as_str(),
        opt_text(&f.status_reason),
        f.severity.as_str(),
        &f.severity_original,
        &f.rule_id,
        &f.title,
        &f.description,
        opt_text(&f.account),
        opt_text(&f.region),
        opt_text(&f.resource_type),
        &resource_ids,
        opt_text(&f.file),
        &start,
        &end,
        opt_text(&f.remediation),
        opt_text(&f.remediation_url),
        policy.as_deref().unwrap_or(""),
    ]);
    let mut raw = serde_json::to_string(&f.raw).unwrap_or_else(|_| "null".into());
    if raw.len() > MAX_STORED_RAW_BYTES {
        raw = serde_json::json!({ "redress_note": "raw record not stored: larger than 1 MiB", "bytes": raw.len() }).to_string();
    }
    let tags = serde_json::to_string(&f.tags).unwrap_or_else(|_| "{}".into());
    let primary = primary_resource(&f);
    let fingerprint = f.fingerprint.as_str().to_owned();
    let open = f.is_open();
    let status = f.status.as_str();
    let row = finding::ActiveModel {
        id: NotSet,
        source_id: Set(source_id),
        fingerprint: Set(fingerprint.clone()),
        source_tool: Set(f.source_tool.as_str().to_owned()),
        source_finding_id: Set(f.source_id),
        rule_id: Set(f.rule_id),
        title: Set(f.title),
        description: Set(f.description),
        severity: Set(f.severity.as_str().to_owned()),
        severity_rank: Set(severity_rank(f.severity)),
        severity_original: Set(f.severity_original),
        status: Set(f.status.as_str().to_owned()),
        status_reason: Set(f.status_reason),
        cloud_provider: Set(f.cloud_provider.map(|p| p.as_str().to_owned())),
        account: Set(f.account),
        region: Set(f.region),
        resource_type: Set(f.resource_type),
        resource_ids: Set(resource_ids),
        primary_resource: Set(primary),
        file: Set(f.file),
        start_line: Set(f.start_line.and_then(|l| i32::try_from(l).ok())),
        end_line: Set(f.end_line.and_then(|l| i32::try_from(l).ok())),
        tool_first_seen: Set(f.first_seen),
        tool_last_seen: Set(f.last_seen),
        first_seen: NotSet,
        last_seen: Set(now),
        closed_at: NotSet,
        remediation: Set(f.remediation),
        remediation_url: Set(f.remediation_url),
        tags: Set(tags),
        raw: Set(raw),
        policy_id: Set(policy),
        correlation_key: Set(correlation),
        content_hash: Set(content_hash.clone()),
        first_import_id: NotSet,
        last_import_id: Set(import_id),
    };
    PreparedFinding {
        source_id,
        fingerprint,
        open,
        status,
        content_hash,
        row,
    }
}

/// The list columns of a finding (no description, no raw record).
#[derive(Debug, FromQueryResult)]
pub(crate) struct RowColumns {
    pub id: i64,
    pub source_tool: String,
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub resource_type: Option<String>,
    pub primary_resource: Option<String>,
    pub policy_id: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

impl From<RowColumns> for FindingRow {
    fn from(r: RowColumns) -> Self {
        FindingRow {
            id: r.id,
            tool: r.source_tool,
            rule_id: r.rule_id,
            title: r.title,
            severity: r.severity,
            status: r.status,
            account: r.account,
            region: r.region,
            resource_type: r.resource_type,
            resource: r.primary_resource,
            policy_id: r.policy_id,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
        }
    }
}

/// The list row of a full finding model.
pub(crate) fn row_of(m: &finding::Model) -> FindingRow {
    FindingRow {
        id: m.id,
        tool: m.source_tool.clone(),
        rule_id: m.rule_id.clone(),
        title: m.title.clone(),
        severity: m.severity.clone(),
        status: m.status.clone(),
        account: m.account.clone(),
        region: m.region.clone(),
        resource_type: m.resource_type.clone(),
        resource: m.primary_resource.clone(),
        policy_id: m.policy_id.clone(),
        first_seen: m.first_seen,
        last_seen: m.last_seen,
    }
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// An import row as the history shows it.
pub(crate) fn import_record(m: import::Model, user_email: Option<String>) -> ImportRecord {
    let skips: Vec<ImportSkip> = serde_json::from_str(&m.skips).unwrap_or_default();
    ImportRecord {
        id: m.id,
        user_email,
        started_at: m.started_at,
        finished_at: m.finished_at,
        file_name: m.file_name,
        format: m.format,
        full: m.full,
        status: m.status,
        records: count(m.records),
        new: count(m.new_count),
        updated: count(m.updated_count),
        closed: count(m.closed_count),
        unchanged: count(m.unchanged_count),
        skipped: count(m.skipped_count),
        skips,
        error: m.error,
    }
}
