//! Conversions: a parsed finding to a row (scope, content hash, correlation key) and rows
//! back to the plain types the app shows.
use chrono::{DateTime, Utc};
use redress_ingest::{Finding, Scope, Severity};
use redress_types::{FindingRow, ImportRecord, ImportSkip};
use sea_orm::FromQueryResult;
use sha2::{Digest, Sha256};

use super::row::Row;
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

/// A parsed finding with its JSON texts already made. Built on the parser's thread, so
/// that thread also frees the raw record's tree; the writer gets flat strings.
pub(crate) struct Incoming {
    pub finding: Finding,
    /// The raw record as compact JSON (or a note when it is over [`MAX_STORED_RAW_BYTES`]).
    pub raw: String,
    /// The tags as a JSON object.
    pub tags: String,
    /// The resource ids as a JSON array.
    pub resource_ids: String,
}

impl Incoming {
    /// Serializes the raw record, tags and resource ids, and drops the raw tree and tags.
    pub fn new(mut finding: Finding) -> Incoming {
        let mut raw = serde_json::to_string(&finding.raw).unwrap_or_else(|_| "null".into());
        if raw.len() > MAX_STORED_RAW_BYTES {
            raw = serde_json::json!({ "redress_note": "raw record not stored: larger than 1 MiB", "bytes": raw.len() }).to_string();
        }
        finding.raw = serde_json::Value::Null;
        let tags = serde_json::to_string(&std::mem::take(&mut finding.tags))
            .unwrap_or_else(|_| "{}".into());
        let resource_ids =
            serde_json::to_string(&finding.resource_ids).unwrap_or_else(|_| "[]".into());
        Incoming {
            finding,
            raw,
            tags,
            resource_ids,
        }
    }
}

/// The 32 bytes a fingerprint's hex stands for: the key of the import's in-memory index.
/// Text that is not 64 hex characters (never written by this version) is hashed instead,
/// which keeps it a distinct, stable key.
pub(crate) fn fingerprint_key(text: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    if hex::decode_to_slice(text, &mut key).is_ok() {
        key
    } else {
        Sha256::digest(text.as_bytes()).into()
    }
}

/// The stored content hash (32 hex characters) as bytes; `None` when it is not one.
pub(crate) fn content_hash_bytes(text: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    hex::decode_to_slice(text, &mut out).ok().map(|()| out)
}

/// What decides whether a stored finding changed: everything the tool says about it except
/// timestamps, tags and the raw record, plus the canonical policy.
pub(crate) fn content_hash(incoming: &Incoming, policy: Option<&str>) -> [u8; 16] {
    let f = &incoming.finding;
    let start = f.start_line.map(|l| l.to_string()).unwrap_or_default();
    let end = f.end_line.map(|l| l.to_string()).unwrap_or_default();
    let mut hasher = Sha256::new();
    for part in [
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
        &incoming.resource_ids,
        opt_text(&f.file),
        &start,
        &end,
        opt_text(&f.remediation),
        opt_text(&f.remediation_url),
        policy.unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    let digest = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

fn opt_text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Most bytes of a title or rule id stored in the finding's row. Both are index keys
/// (`idx_findings_title`, `idx_findings_rule`), and PostgreSQL refuses a B-tree entry over
/// about 2.7 KB, which would fail the whole import; the raw record keeps the full text.
pub(crate) const MAX_INDEXED_TEXT_BYTES: usize = 1024;

/// `text` cut to [`MAX_INDEXED_TEXT_BYTES`] at a character boundary, ending in `…` when cut.
fn indexable(text: String) -> String {
    if text.len() <= MAX_INDEXED_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_INDEXED_TEXT_BYTES - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// The row of a finding of source `source_id` whose content hash is `hash`.
pub(crate) fn into_row(
    incoming: Incoming,
    source_id: i64,
    policy: Option<String>,
    hash: [u8; 16],
) -> Row {
    let Incoming {
        finding: f,
        raw,
        tags,
        resource_ids,
    } = incoming;
    let correlation_key = correlation_key(&f, policy.as_deref());
    let primary_resource = primary_resource(&f);
    Row {
        source_id,
        fingerprint: f.fingerprint.as_str().to_owned(),
        source_tool: f.source_tool.as_str(),
        source_finding_id: f.source_id,
        rule_id: indexable(f.rule_id),
        title: indexable(f.title),
        description: f.description,
        severity: f.severity.as_str(),
        severity_rank: severity_rank(f.severity),
        severity_original: f.severity_original,
        status: f.status.as_str(),
        status_reason: f.status_reason,
        cloud_provider: f.cloud_provider.map(|p| p.as_str()),
        account: f.account,
        region: f.region,
        resource_type: f.resource_type,
        resource_ids,
        primary_resource,
        file: f.file,
        start_line: f.start_line.and_then(|l| i32::try_from(l).ok()),
        end_line: f.end_line.and_then(|l| i32::try_from(l).ok()),
        tool_first_seen: f.first_seen,
        tool_last_seen: f.last_seen,
        remediation: f.remediation,
        remediation_url: f.remediation_url,
        tags,
        raw,
        policy_id: policy,
        correlation_key,
        content_hash: hex::encode(hash),
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
