//! `Store::import_findings`: one findings file, one transaction, bounded memory.
//!
//! The parser runs on a blocking thread and hands findings through a bounded channel; the
//! async side writes them in batches. A failed parse or write rolls everything back and is
//! then recorded in the history as a failed import with its error.
use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, Utc};
use redress_ingest::{
    Finding, Format, IngestError, Limits, ParseSummary, PolicyMapper, Status, parse,
};
use redress_types::{ImportSkip, ImportSummary};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait, sea_query::Expr,
};
use tokio::sync::mpsc;

use super::convert::{PreparedFinding, SourceKey, prepare};
use super::mapper::CatalogMapper;
use crate::entities::{finding, import, source};
use crate::{Store, StoreError};

/// The default upload and file size limit: 1 GiB.
pub const DEFAULT_MAX_IMPORT_BYTES: u64 = 1 << 30;

/// Findings written per statement.
const BATCH: usize = 400;
/// Findings in flight between the parser thread and the writer.
const CHANNEL_CAPACITY: usize = 2 * BATCH;

/// What is being imported and how.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The file name shown in the history (never opened by the store).
    pub file_name: String,
    /// The format, or `None` to detect it from the content.
    pub format: Option<Format>,
    /// A full import closes the open findings of each source it covers that it does not contain.
    pub full: bool,
    /// The repository IaC findings belong to (their scope); ignored for cloud findings.
    pub repository: Option<String>,
    /// Who imports (recorded in the history).
    pub user_id: Option<i64>,
    /// Size limit for the input.
    pub limits: Limits,
}

impl ImportRequest {
    /// A partial import of `file_name` with detection and the default limits.
    pub fn new(file_name: impl Into<String>) -> ImportRequest {
        ImportRequest {
            file_name: file_name.into(),
            format: None,
            full: false,
            repository: None,
            user_id: None,
            limits: Limits {
                max_bytes: DEFAULT_MAX_IMPORT_BYTES,
            },
        }
    }
}

/// Counts kept while writing.
#[derive(Default)]
struct Counts {
    new: u64,
    updated: u64,
    closed: u64,
    unchanged: u64,
}

/// Why the write side stopped.
enum Failure {
    /// The file is at fault (format, record, field).
    Parse(IngestError),
    /// The database refused a write.
    Store(StoreError),
}

impl Store {
    /// Imports one findings file with the policy catalog as the correlation mapper.
    /// See [`Store::import_findings_with`].
    pub async fn import_findings(
        &self,
        reader: impl Read + Send + 'static,
        request: ImportRequest,
    ) -> Result<ImportSummary, StoreError> {
        self.import_findings_with(reader, request, &CatalogMapper)
            .await
    }

    /// Imports one findings file in ONE transaction: all of it or nothing.
    ///
    /// Findings stream from the parser into batched writes (memory is bounded by a batch,
    /// never the file). A fingerprint seen before in the same source, in this file or an
    /// earlier import, updates that row and never adds one. A full import then closes the
    /// open findings of every source it covers (tool + account/region, or tool +
    /// repository) that it did not contain, recording when. Rule ids map to canonical
    /// policies through `mapper`, which also sets the correlation key.
    ///
    /// On failure nothing is written except a failed entry in the import history, and the
    /// error is [`StoreError::Import`] with the parser's message (format, record, field).
    pub async fn import_findings_with(
        &self,
        reader: impl Read + Send + 'static,
        request: ImportRequest,
        mapper: &(dyn PolicyMapper + Sync),
    ) -> Result<ImportSummary, StoreError> {
        if let Some(repo) = &request.repository
            && (repo.trim().is_empty() || repo.len() > 500)
        {
            return Err(StoreError::invalid(
                "repository",
                "must be 1 to 500 characters",
            ));
        }
        let started = self.now();
        let (sender, receiver) = mpsc::channel::<Finding>(CHANNEL_CAPACITY);
        let format = request.format;
        let limits = request.limits;
        let parser = tokio::task::spawn_blocking(move || {
            parse(reader, format, &limits, &mut |finding| {
                sender
                    .blocking_send(finding)
                    .map_err(|_| "the database side of the import stopped".into())
            })
        });
        let txn = self.db.begin().await?;
        let written = self
            .write_import(&txn, receiver, &request, started, mapper)
            .await;
        // The receiver is gone now, so a parser still sending stops at once.
        let parsed = match parser.await {
            Ok(result) => result,
            Err(join) => {
                txn.rollback().await?;
                return Err(StoreError::Conflict(format!(
                    "the import parser stopped unexpectedly: {join}"
                )));
            }
        };
        let outcome = match (written, parsed) {
            (Err(store_error), _) => Err(Failure::Store(store_error)),
            (Ok(_), Err(parse_error)) => Err(Failure::Parse(parse_error)),
            (Ok((import_id, counts, sources)), Ok(summary)) => self
                .finish_import(&txn, import_id, counts, sources, &summary, &request)
                .await
                .map_err(Failure::Store),
        };
        match outcome {
            Ok(summary) => {
                txn.commit().await?;
                Ok(summary)
            }
            Err(failure) => {
                txn.rollback().await?;
                let message = match &failure {
                    Failure::Parse(e) => e.to_string(),
                    Failure::Store(e) => format!("the import could not be stored: {e}"),
                };
                let import_id = self
                    .record_failed_import(&request, started, &message)
                    .await?;
                Err(StoreError::Import { import_id, message })
            }
        }
    }

    /// Reads every finding from `receiver` and writes it; returns the import id, the counts
    /// and the sources touched.
    async fn write_import(
        &self,
        txn: &DatabaseTransaction,
        mut receiver: mpsc::Receiver<Finding>,
        request: &ImportRequest,
        started: DateTime<Utc>,
        mapper: &(dyn PolicyMapper + Sync),
    ) -> Result<(i64, Counts, HashSet<i64>), StoreError> {
        let import_id = import::ActiveModel {
            user_id: Set(request.user_id),
            started_at: Set(started),
            finished_at: Set(started),
            file_name: Set(request.file_name.clone()),
            format: Set(request.format.map(|f| f.as_str().to_owned())),
            full: Set(request.full),
            repository: Set(request.repository.clone()),
            status: Set("running".into()),
            bytes: Set(0),
            records: Set(0),
            new_count: Set(0),
            updated_count: Set(0),
            closed_count: Set(0),
            unchanged_count: Set(0),
            skipped_count: Set(0),
            skips: Set("[]".into()),
            error: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?
        .id;
        let mut writer = BatchWriter {
            txn,
            import_id,
            now: started,
            mapper,
            repository: request.repository.as_deref(),
            sources: HashMap::new(),
            touched: HashSet::new(),
            counts: Counts::default(),
        };
        let mut batch = Vec::with_capacity(BATCH);
        while receiver.recv_many(&mut batch, BATCH).await > 0 {
            writer.write_batch(std::mem::take(&mut batch)).await?;
            batch.reserve(BATCH);
        }
        Ok((import_id, writer.counts, writer.touched))
    }

    /// Closes absent findings on a full import and completes the history entry.
    async fn finish_import(
        &self,
        txn: &DatabaseTransaction,
        import_id: i64,
        mut counts: Counts,
        mut touched: HashSet<i64>,
        summary: &ParseSummary,
        request: &ImportRequest,
    ) -> Result<ImportSummary, StoreError> {
        let now = self.now();
        if request.full {
            // An IaC scan of a named repository covers it even when it found nothing.
            if request.repository.is_some() {
                let mut tools: Vec<_> = summary
                    .tools
                    .iter()
                    .copied()
                    .filter(|t| t.is_iac_scanner())
                    .collect();
                if summary.format.default_tool().is_iac_scanner() {
                    tools.push(summary.format.default_tool());
                }
                for tool in tools {
                    let key = SourceKey::repository(
                        tool.as_str().to_owned(),
                        request.repository.as_deref(),
                    );
                    touched.insert(source_id(txn, &key, now).await?);
                }
            }
            let touched: Vec<i64> = touched.into_iter().collect();
            for chunk in touched.chunks(500) {
                let result = finding::Entity::update_many()
                    .col_expr(
                        finding::Column::Status,
                        Expr::value(Status::Closed.as_str()),
                    )
                    .col_expr(
                        finding::Column::StatusReason,
                        Expr::value(format!("absent from full import {import_id}")),
                    )
                    .col_expr(finding::Column::ClosedAt, Expr::value(now))
                    .filter(finding::Column::SourceId.is_in(chunk.iter().copied()))
                    .filter(finding::Column::Status.eq(Status::Open.as_str()))
                    .filter(finding::Column::LastImportId.ne(import_id))
                    .exec(txn)
                    .await?;
                counts.closed += result.rows_affected;
            }
        }
        let skips: Vec<ImportSkip> = summary
            .skips
            .iter()
            .map(|s| ImportSkip {
                position: s.position.to_string(),
                reason: s.reason.clone(),
            })
            .collect();
        let out = ImportSummary {
            import_id,
            file_name: request.file_name.clone(),
            format: summary.format.as_str().to_owned(),
            detected: summary.detected,
            full: request.full,
            records: summary.records,
            new: counts.new,
            updated: counts.updated,
            closed: counts.closed,
            unchanged: counts.unchanged,
            skipped: summary.skipped,
            skips,
            bytes: summary.bytes,
        };
        let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        import::ActiveModel {
            id: Set(import_id),
            finished_at: Set(now),
            format: Set(Some(out.format.clone())),
            status: Set("ok".into()),
            bytes: Set(as_i64(out.bytes)),
            records: Set(as_i64(out.records)),
            new_count: Set(as_i64(out.new)),
            updated_count: Set(as_i64(out.updated)),
            closed_count: Set(as_i64(out.closed)),
            unchanged_count: Set(as_i64(out.unchanged)),
            skipped_count: Set(as_i64(out.skipped)),
            skips: Set(serde_json::to_string(&out.skips).unwrap_or_else(|_| "[]".into())),
            ..Default::default()
        }
        .update(txn)
        .await?;
        Ok(out)
    }

    /// Records a failed import in the history (after the rollback); `None` when even that fails.
    async fn record_failed_import(
        &self,
        request: &ImportRequest,
        started: DateTime<Utc>,
        message: &str,
    ) -> Result<Option<i64>, StoreError> {
        let result = import::ActiveModel {
            user_id: Set(request.user_id),
            started_at: Set(started),
            finished_at: Set(self.now()),
            file_name: Set(request.file_name.clone()),
            format: Set(request.format.map(|f| f.as_str().to_owned())),
            full: Set(request.full),
            repository: Set(request.repository.clone()),
            status: Set("failed".into()),
            bytes: Set(0),
            records: Set(0),
            new_count: Set(0),
            updated_count: Set(0),
            closed_count: Set(0),
            unchanged_count: Set(0),
            skipped_count: Set(0),
            skips: Set("[]".into()),
            error: Set(Some(message.to_owned())),
            ..Default::default()
        }
        .insert(&self.db)
        .await;
        match result {
            Ok(model) => Ok(Some(model.id)),
            Err(e) => {
                tracing::error!(
                    "cannot record the failed import of {}: {e}",
                    request.file_name
                );
                Ok(None)
            }
        }
    }
}

/// The id of the source `key`, created when missing.
async fn source_id(
    txn: &impl ConnectionTrait,
    key: &SourceKey,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let found = source::Entity::find()
        .filter(source::Column::Tool.eq(&key.tool))
        .filter(source::Column::ScopeKey.eq(&key.scope_key))
        .one(txn)
        .await?;
    if let Some(found) = found {
        return Ok(found.id);
    }
    let model = source::ActiveModel {
        tool: Set(key.tool.clone()),
        scope_key: Set(key.scope_key.clone()),
        scope_label: Set(key.scope_label.clone()),
        account: Set(key.account.clone()),
        region: Set(key.region.clone()),
        repository: Set(key.repository.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(model.id)
}

/// The stored state of a finding that matters for the write.
struct Existing {
    id: i64,
    status: String,
    content_hash: String,
}

/// Writes batches of findings inside the import's transaction.
struct BatchWriter<'a> {
    txn: &'a DatabaseTransaction,
    import_id: i64,
    now: DateTime<Utc>,
    mapper: &'a (dyn PolicyMapper + Sync),
    repository: Option<&'a str>,
    sources: HashMap<SourceKey, i64>,
    touched: HashSet<i64>,
    counts: Counts,
}

impl BatchWriter<'_> {
    async fn write_batch(&mut self, findings: Vec<Finding>) -> Result<(), StoreError> {
        // Prepare, and keep the last of several findings with one fingerprint in this batch.
        let mut prepared: Vec<PreparedFinding> = Vec::with_capacity(findings.len());
        let mut position: HashMap<(i64, String), usize> = HashMap::with_capacity(findings.len());
        for f in findings {
            let key = SourceKey::of(&f, self.repository);
            let source = match self.sources.get(&key) {
                Some(id) => *id,
                None => {
                    let id = source_id(self.txn, &key, self.now).await?;
                    self.sources.insert(key, id);
                    id
                }
            };
            self.touched.insert(source);
            let p = prepare(f, source, self.mapper, self.now, self.import_id);
            match position.get(&(source, p.fingerprint.clone())) {
                Some(&at) => {
                    // A repeat inside the file: it updates the earlier one, never adds a row.
                    if prepared[at].content_hash == p.content_hash {
                        self.counts.unchanged += 1;
                    } else {
                        self.counts.updated += 1;
                    }
                    prepared[at] = p;
                }
                None => {
                    position.insert((source, p.fingerprint.clone()), prepared.len());
                    prepared.push(p);
                }
            }
        }
        let existing = self.existing(&prepared).await?;
        let mut inserts = Vec::new();
        let mut unchanged_ids = Vec::new();
        for mut p in prepared {
            match existing.get(&(p.source_id, p.fingerprint.clone())) {
                None => {
                    p.row.first_seen = Set(self.now);
                    p.row.first_import_id = Set(self.import_id);
                    p.row.closed_at = Set((!p.open).then_some(self.now));
                    self.counts.new += 1;
                    inserts.push(p.row);
                }
                // Unchanged: same content and the stored status is still the tool's (a
                // finding closed for being absent and now reported again has changed).
                Some(old) if old.content_hash == p.content_hash && old.status == p.status => {
                    self.counts.unchanged += 1;
                    unchanged_ids.push(old.id);
                }
                Some(old) => {
                    // Open → not open counts as closed; everything else as updated.
                    if old.status == Status::Open.as_str() && !p.open {
                        self.counts.closed += 1;
                        p.row.closed_at = Set(Some(self.now));
                    } else {
                        self.counts.updated += 1;
                        if p.open {
                            p.row.closed_at = Set(None);
                        }
                    }
                    finding::Entity::update_many()
                        .set(p.row)
                        .filter(finding::Column::Id.eq(old.id))
                        .exec(self.txn)
                        .await?;
                }
            }
        }
        if !inserts.is_empty() {
            finding::Entity::insert_many(inserts).exec(self.txn).await?;
        }
        if !unchanged_ids.is_empty() {
            finding::Entity::update_many()
                .col_expr(finding::Column::LastSeen, Expr::value(self.now))
                .col_expr(finding::Column::LastImportId, Expr::value(self.import_id))
                .filter(finding::Column::Id.is_in(unchanged_ids))
                .exec(self.txn)
                .await?;
        }
        Ok(())
    }

    /// The stored rows with the batch's fingerprints, keyed by (source, fingerprint).
    async fn existing(
        &self,
        prepared: &[PreparedFinding],
    ) -> Result<HashMap<(i64, String), Existing>, StoreError> {
        let sources: HashSet<i64> = prepared.iter().map(|p| p.source_id).collect();
        let fingerprints: HashSet<&str> = prepared.iter().map(|p| p.fingerprint.as_str()).collect();
        let rows: Vec<(i64, i64, String, String, String)> = finding::Entity::find()
            .select_only()
            .column(finding::Column::Id)
            .column(finding::Column::SourceId)
            .column(finding::Column::Fingerprint)
            .column(finding::Column::Status)
            .column(finding::Column::ContentHash)
            .filter(finding::Column::SourceId.is_in(sources))
            .filter(finding::Column::Fingerprint.is_in(fingerprints))
            .into_tuple()
            .all(self.txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, source_id, fingerprint, status, content_hash)| {
                (
                    (source_id, fingerprint),
                    Existing {
                        id,
                        status,
                        content_hash,
                    },
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use redress_ingest::Format;

    #[test]
    fn the_upload_form_offers_exactly_the_formats_the_parser_knows() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, redress_types::IMPORT_FORMATS);
    }
}
