//! `Store::import_findings`: one findings file, one transaction, bounded memory.
//!
//! The parser runs on a blocking thread, serializes each finding's raw record there, and
//! hands findings in chunks through a bounded channel; the async side ([`Writer`]) decides
//! new / changed / unchanged and writes. A failed parse or write rolls everything back and
//! is then recorded in the history as a failed import with its error.
use std::collections::{HashSet, VecDeque};
use std::io::Read;

use chrono::{DateTime, Utc};
use redress_ingest::{Format, IngestError, Limits, ParseSummary, PolicyMapper, Status, parse};
use redress_types::{ImportSkip, ImportSummary};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, Set, Statement, TransactionTrait, sea_query::Expr,
};
use tokio::sync::mpsc;

use super::convert::{Incoming, SourceKey};
use super::mapper::CatalogMapper;
use super::writer::{Counts, Writer};
use crate::entities::{finding, import, source};
use crate::{Store, StoreError};

/// The default upload and file size limit: 1 GiB.
pub const DEFAULT_MAX_IMPORT_BYTES: u64 = 1 << 30;

/// Findings per chunk handed from the parser thread to the writer.
const CHUNK: usize = 256;
/// Chunks in flight between the parser thread and the writer (memory stays bounded by
/// `CHUNK × (CHANNEL_CHUNKS + 2)` findings).
const CHANNEL_CHUNKS: usize = 4;
/// Statements built but not yet run; past this the writer waits for the database.
const MAX_QUEUED_STATEMENTS: usize = 2;
/// SQLite page cache of the import's connection while it writes, in KiB (the default is
/// 2 MiB, too small for the findings indexes; it is set back afterwards).
const IMPORT_CACHE_KIB: u32 = 64 * 1024;

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

/// What the write side hands to [`Store::finish_import`].
struct Written {
    import_id: i64,
    counts: Counts,
    /// The sources the import wrote to.
    touched: HashSet<i64>,
    /// The sources whose stored findings were read (see [`Writer::absent_open`]).
    loaded: HashSet<i64>,
    /// Open findings of the loaded sources absent from this import (full imports only).
    absent: Vec<i64>,
}

/// Closed findings per UPDATE of a full import.
const CLOSE_ROWS: usize = 4000;

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
        let (sender, receiver) = mpsc::channel::<Vec<Incoming>>(CHANNEL_CHUNKS);
        let format = request.format;
        let limits = request.limits;
        let parser = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            let summary = parse(reader, format, &limits, &mut |finding| {
                chunk.push(Incoming::new(finding));
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    sender
                        .blocking_send(full)
                        .map_err(|_| "the database side of the import stopped")?;
                }
                Ok(())
            })?;
            if !chunk.is_empty() && sender.blocking_send(chunk).is_err() {
                return Err(IngestError::Sink(
                    "the database side of the import stopped".into(),
                ));
            }
            Ok(summary)
        });
        let txn = self.db.begin().await?;
        let settings = import_settings(&txn).await?;
        let written = self
            .write_import(&txn, receiver, &request, started, mapper)
            .await;
        // The receiver is gone now, so a parser still sending stops at once.
        let parsed = match parser.await {
            Ok(result) => result,
            Err(join) => {
                restore_settings(&txn, settings).await?;
                txn.rollback().await?;
                return Err(StoreError::Conflict(format!(
                    "the import parser stopped unexpectedly: {join}"
                )));
            }
        };
        let outcome = match (written, parsed) {
            (Err(store_error), _) => Err(Failure::Store(store_error)),
            (Ok(_), Err(parse_error)) => Err(Failure::Parse(parse_error)),
            (Ok(written), Ok(summary)) => self
                .finish_import(&txn, written, &summary, &request)
                .await
                .map_err(Failure::Store),
        };
        restore_settings(&txn, settings).await?;
        match outcome {
            Ok(summary) => {
                // Work items whose findings are all closed now are verified with the import.
                self.verify_work_items_in(&txn, None).await?;
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

    /// Reads every finding from `receiver` and writes it; returns the import id, the counts,
    /// the sources touched and (for a full import) the findings it leaves absent.
    async fn write_import(
        &self,
        txn: &DatabaseTransaction,
        mut receiver: mpsc::Receiver<Vec<Incoming>>,
        request: &ImportRequest,
        started: DateTime<Utc>,
        mapper: &(dyn PolicyMapper + Sync),
    ) -> Result<Written, StoreError> {
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
        let mut writer = Writer::new(
            txn,
            import_id,
            started,
            mapper,
            request.repository.as_deref(),
        );
        // The database runs one statement while the writer prepares the next ones from the
        // following chunk, so building rows and writing them overlap.
        let mut queue: VecDeque<Statement> = VecDeque::new();
        let mut receiving = true;
        while receiving || !queue.is_empty() {
            let running = queue.pop_front();
            let run = async {
                match running {
                    Some(statement) => txn.execute_raw(statement).await.map(|_| ()),
                    None => Ok(()),
                }
            };
            if !receiving || queue.len() >= MAX_QUEUED_STATEMENTS {
                run.await?;
                continue;
            }
            let take = async {
                let mut out = Vec::new();
                match receiver.recv().await {
                    Some(chunk) => writer.add_chunk(chunk, &mut out).await?,
                    None => {
                        writer.finish(&mut out);
                        receiving = false;
                    }
                }
                Ok::<_, StoreError>(out)
            };
            let (ran, took) = tokio::join!(run, take);
            ran?;
            queue.extend(took?);
        }
        let (loaded, absent) = if request.full {
            writer.absent_open()
        } else {
            (HashSet::new(), Vec::new())
        };
        Ok(Written {
            import_id,
            counts: writer.counts,
            touched: writer.touched_sources,
            loaded,
            absent,
        })
    }

    /// Closes absent findings on a full import and completes the history entry.
    async fn finish_import(
        &self,
        txn: &DatabaseTransaction,
        written: Written,
        summary: &ParseSummary,
        request: &ImportRequest,
    ) -> Result<ImportSummary, StoreError> {
        let Written {
            import_id,
            mut counts,
            mut touched,
            loaded,
            absent,
        } = written;
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
            let reason = format!("absent from full import {import_id}");
            // The sources the writer read: their absent open findings are known by id.
            for ids in absent.chunks(CLOSE_ROWS) {
                let which = finding::Column::Id.is_in(ids.iter().copied());
                counts.closed += close_open(txn, which, &reason, now).await?;
            }
            // Sources the file did not write to (a clean IaC scan): every open finding.
            let unread: Vec<i64> = touched.difference(&loaded).copied().collect();
            for chunk in unread.chunks(500) {
                let which = sea_orm::Condition::all()
                    .add(finding::Column::SourceId.is_in(chunk.iter().copied()))
                    .add(finding::Column::LastImportId.ne(import_id));
                counts.closed += close_open(txn, which, &reason, now).await?;
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

/// Connection settings an import changes on SQLite, with the values to restore.
struct SqliteSettings {
    cache_size: i64,
    temp_store: i64,
}

async fn pragma(txn: &DatabaseTransaction, name: &str) -> Result<i64, StoreError> {
    let row = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("PRAGMA {name} gave no value")))?;
    Ok(row.try_get_by_index(0)?)
}

/// On SQLite, gives the transaction's connection a page cache of [`IMPORT_CACHE_KIB`] (the
/// default 2 MiB is far smaller than the findings indexes) and keeps statement journals in
/// memory; returns what to restore. These settings belong to the pooled connection, not
/// the transaction, so [`restore_settings`] puts them back before it is returned.
async fn import_settings(txn: &DatabaseTransaction) -> Result<Option<SqliteSettings>, StoreError> {
    if txn.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let before = SqliteSettings {
        cache_size: pragma(txn, "cache_size").await?,
        temp_store: pragma(txn, "temp_store").await?,
    };
    txn.execute_unprepared(&format!(
        "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA temp_store = MEMORY"
    ))
    .await?;
    Ok(Some(before))
}

/// Puts back what [`import_settings`] changed.
async fn restore_settings(
    txn: &DatabaseTransaction,
    before: Option<SqliteSettings>,
) -> Result<(), StoreError> {
    if let Some(before) = before {
        txn.execute_unprepared(&format!(
            "PRAGMA cache_size = {}; PRAGMA temp_store = {}",
            before.cache_size, before.temp_store
        ))
        .await?;
    }
    Ok(())
}

/// The id of the source `key`, created when missing.
pub(crate) async fn source_id(
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

/// Closes the open findings that `which` selects, saying why; returns how many.
async fn close_open(
    txn: &DatabaseTransaction,
    which: impl sea_orm::sea_query::IntoCondition,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let result = finding::Entity::update_many()
        .col_expr(
            finding::Column::Status,
            Expr::value(Status::Closed.as_str()),
        )
        .col_expr(finding::Column::StatusReason, Expr::value(reason))
        .col_expr(finding::Column::ClosedAt, Expr::value(now))
        .filter(which)
        .filter(finding::Column::Status.eq(Status::Open.as_str()))
        .exec(txn)
        .await?;
    Ok(result.rows_affected)
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
