//! The write side of an import: decides per finding whether it is new, changed or
//! unchanged, and writes in few statements inside the import's transaction.
//!
//! When a source (tool + scope) first appears, the fingerprints, statuses and content
//! hashes of its stored findings are read ONCE into memory (under 100 bytes a finding), so
//! a finding costs one hash and one map lookup, not a query. New findings go out in
//! multi-row INSERTs; a changed finding is one UPDATE; unchanged findings only have
//! `last_seen` and `last_import_id` set, by id, many rows per statement. The writer only
//! builds statements; the import runs each one while the writer builds the next.
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use redress_ingest::{Finding, PolicyMapper, SourceTool, Status};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Statement,
};

use super::convert::{
    Incoming, SourceKey, content_hash, content_hash_bytes, fingerprint_key, into_row,
};
use super::import::source_id;
use super::row::{
    ClosedAt, INSERT_WIDTH, Row, Target, insert_sql, touch_statement, update_statement,
};
use crate::StoreError;
use crate::entities::finding;

/// New findings per INSERT statement (× [`INSERT_WIDTH`] values stays under SQLite's
/// 32,766 and PostgreSQL's 65,535 bound parameters).
pub(crate) const INSERT_ROWS: usize = 800;
/// Unchanged rows per `last_seen` UPDATE.
const TOUCH_ROWS: usize = 4000;

/// Counts kept while writing.
#[derive(Default)]
pub(crate) struct Counts {
    pub new: u64,
    pub updated: u64,
    pub closed: u64,
    pub unchanged: u64,
}

/// What the import knows about one fingerprint of one source.
struct Known {
    /// The stored row's id; `None` for a row this import inserted.
    id: Option<i64>,
    hash: [u8; 16],
    status: StoredStatus,
    /// Seen in this import already (its `last_seen` is or will be set).
    seen: bool,
}

/// A stored status: the tool's three, or something else (never matches a finding).
#[derive(Clone, Copy, PartialEq, Eq)]
enum StoredStatus {
    Tool(Status),
    Other,
}

impl StoredStatus {
    fn parse(text: &str) -> StoredStatus {
        match text {
            "open" => StoredStatus::Tool(Status::Open),
            "closed" => StoredStatus::Tool(Status::Closed),
            "suppressed" => StoredStatus::Tool(Status::Suppressed),
            _ => StoredStatus::Other,
        }
    }
}

/// One source's stored and written findings, by fingerprint.
type SourceIndex = HashMap<[u8; 32], Known>;

/// Writes the findings of one import inside its transaction.
pub(crate) struct Writer<'a> {
    /// The import's transaction (statements are run by the caller; the writer itself only
    /// reads sources and their stored findings).
    pub txn: &'a DatabaseTransaction,
    backend: DbBackend,
    import_id: i64,
    now: DateTime<Utc>,
    mapper: &'a (dyn PolicyMapper + Sync),
    repository: Option<&'a str>,
    /// Source ids by [`source_lookup_key`].
    sources: HashMap<String, i64>,
    /// Per source id, what it holds.
    index: HashMap<i64, SourceIndex>,
    /// Canonical policies by tool and rule id (a file repeats few rules many times).
    policies: HashMap<SourceTool, HashMap<String, Option<String>>>,
    /// New rows not yet written, with their keys (a repeat in the file replaces one).
    pending: Vec<Row>,
    pending_at: HashMap<(i64, [u8; 32]), usize>,
    /// Unchanged stored rows whose `last_seen` is still to be set.
    touched_ids: Vec<i64>,
    /// The full-batch INSERT text, built once.
    full_insert_sql: String,
    lookup_buf: String,
    /// The sources this import wrote to (a full import closes within them).
    pub touched_sources: HashSet<i64>,
    pub counts: Counts,
}

/// The text that identifies a finding's source for the cache: tool and scope inputs.
fn source_lookup_key(buf: &mut String, f: &Finding) {
    buf.clear();
    buf.push_str(f.source_tool.as_str());
    if f.source_tool.is_iac_scanner() {
        return;
    }
    let _ = write!(
        buf,
        "\u{1f}{}\u{1f}{}\u{1f}{}",
        f.cloud_provider.map_or("", |p| p.as_str()),
        f.account.as_deref().unwrap_or(""),
        f.region.as_deref().unwrap_or("")
    );
}

impl<'a> Writer<'a> {
    pub(crate) fn new(
        txn: &'a DatabaseTransaction,
        import_id: i64,
        now: DateTime<Utc>,
        mapper: &'a (dyn PolicyMapper + Sync),
        repository: Option<&'a str>,
    ) -> Writer<'a> {
        let backend = txn.get_database_backend();
        Writer {
            txn,
            backend,
            import_id,
            now,
            mapper,
            repository,
            sources: HashMap::new(),
            index: HashMap::new(),
            policies: HashMap::new(),
            pending: Vec::with_capacity(INSERT_ROWS),
            pending_at: HashMap::with_capacity(INSERT_ROWS),
            touched_ids: Vec::with_capacity(TOUCH_ROWS),
            full_insert_sql: insert_sql(backend, INSERT_ROWS),
            lookup_buf: String::new(),
            touched_sources: HashSet::new(),
            counts: Counts::default(),
        }
    }

    /// The source of `f`, created (and its stored findings read) on first sight.
    async fn source_of(&mut self, f: &Finding) -> Result<i64, StoreError> {
        source_lookup_key(&mut self.lookup_buf, f);
        if let Some(id) = self.sources.get(self.lookup_buf.as_str()) {
            return Ok(*id);
        }
        let key = SourceKey::of(f, self.repository);
        let id = source_id(self.txn, &key, self.now).await?;
        self.sources.insert(self.lookup_buf.clone(), id);
        if !self.index.contains_key(&id) {
            let stored = self.load(id).await?;
            self.index.insert(id, stored);
        }
        self.touched_sources.insert(id);
        Ok(id)
    }

    /// The stored findings of source `source_id`, keyed by fingerprint.
    async fn load(&self, source_id: i64) -> Result<SourceIndex, StoreError> {
        let rows: Vec<(i64, String, String, String)> = finding::Entity::find()
            .select_only()
            .column(finding::Column::Id)
            .column(finding::Column::Fingerprint)
            .column(finding::Column::Status)
            .column(finding::Column::ContentHash)
            .filter(finding::Column::SourceId.eq(source_id))
            .into_tuple()
            .all(self.txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, fingerprint, status, hash)| {
                let known = Known {
                    id: Some(id),
                    // A hash this version did not write never matches: the row is updated.
                    hash: content_hash_bytes(&hash).unwrap_or([0xff; 16]),
                    status: StoredStatus::parse(&status),
                    seen: false,
                };
                (fingerprint_key(&fingerprint), known)
            })
            .collect())
    }

    /// The canonical policy of a rule, remembered for the import (at most 10,000 rules
    /// per tool are remembered; more are looked up each time).
    fn policy(&mut self, tool: SourceTool, rule_id: &str) -> Option<String> {
        let known = self.policies.entry(tool).or_default();
        if let Some(p) = known.get(rule_id) {
            return p.clone();
        }
        let policy = self.mapper.canonical_policy(tool, rule_id);
        if known.len() < 10_000 {
            known.insert(rule_id.to_owned(), policy.clone());
        }
        policy
    }

    /// Takes a chunk of findings: counts each and appends the statements that write them
    /// to `out` (new rows go out [`INSERT_ROWS`] at a time, so most chunks add none).
    /// Only a source seen for the first time touches the database here.
    pub(crate) async fn add_chunk(
        &mut self,
        chunk: Vec<Incoming>,
        out: &mut Vec<Statement>,
    ) -> Result<(), StoreError> {
        for incoming in chunk {
            let source_id = self.source_of(&incoming.finding).await?;
            self.add(incoming, source_id, out);
        }
        Ok(())
    }

    /// Counts one finding of source `source_id` and queues what it changes.
    fn add(&mut self, incoming: Incoming, source_id: i64, out: &mut Vec<Statement>) {
        let f = &incoming.finding;
        let status = f.status;
        let policy = self.policy(f.source_tool, &f.rule_id);
        let hash = content_hash(&incoming, policy.as_deref());
        let key = fingerprint_key(f.fingerprint.as_str());
        let index = self.index.entry(source_id).or_default();
        let Some(known) = index.get_mut(&key) else {
            index.insert(
                key,
                Known {
                    id: None,
                    hash,
                    status: StoredStatus::Tool(status),
                    seen: true,
                },
            );
            self.counts.new += 1;
            self.pending_at.insert((source_id, key), self.pending.len());
            self.pending
                .push(into_row(incoming, source_id, policy, hash));
            if self.pending.len() >= INSERT_ROWS {
                out.extend(self.flush_inserts());
            }
            return;
        };
        if known.hash == hash && known.status == StoredStatus::Tool(status) {
            // Unchanged (a finding closed for being absent and now reported again has
            // changed: its stored status is no longer the tool's).
            self.counts.unchanged += 1;
            if !known.seen {
                known.seen = true;
                if let Some(id) = known.id {
                    self.touched_ids.push(id);
                    if self.touched_ids.len() >= TOUCH_ROWS {
                        out.extend(self.flush_touches());
                    }
                }
            }
            return;
        }
        // Changed. Open → not open counts as closed; everything else as updated.
        let was_open = known.status == StoredStatus::Tool(Status::Open);
        let open = status == Status::Open;
        let closed_at = if was_open && !open {
            self.counts.closed += 1;
            ClosedAt::Set(Some(self.now))
        } else {
            self.counts.updated += 1;
            if open {
                ClosedAt::Set(None)
            } else {
                ClosedAt::Keep
            }
        };
        known.hash = hash;
        known.status = StoredStatus::Tool(status);
        known.seen = true;
        let stored_id = known.id;
        let row = into_row(incoming, source_id, policy, hash);
        if let Some(&at) = self.pending_at.get(&(source_id, key)) {
            // A repeat of a finding not written yet: the row to insert changes.
            self.pending[at] = row;
            return;
        }
        let target = match stored_id {
            Some(id) => Target::Id(id),
            None => Target::Fingerprint(source_id, row.fingerprint.clone()),
        };
        out.push(update_statement(
            self.backend,
            row,
            target,
            closed_at,
            self.now,
            self.import_id,
        ));
    }

    /// The INSERT of the queued new rows, if any.
    fn flush_inserts(&mut self) -> Option<Statement> {
        if self.pending.is_empty() {
            return None;
        }
        let rows = self.pending.len();
        let mut values = Vec::with_capacity(rows * INSERT_WIDTH);
        for row in self.pending.drain(..) {
            row.push_insert(self.now, self.import_id, &mut values);
        }
        self.pending_at.clear();
        let sql = if rows == INSERT_ROWS {
            self.full_insert_sql.clone()
        } else {
            insert_sql(self.backend, rows)
        };
        Some(Statement::from_sql_and_values(self.backend, sql, values))
    }

    /// The `last_seen` UPDATE of the queued unchanged rows, if any.
    fn flush_touches(&mut self) -> Option<Statement> {
        if self.touched_ids.is_empty() {
            return None;
        }
        let statement = touch_statement(self.backend, &self.touched_ids, self.now, self.import_id);
        self.touched_ids.clear();
        Some(statement)
    }

    /// Appends the statements for everything still queued.
    pub(crate) fn finish(&mut self, out: &mut Vec<Statement>) {
        out.extend(self.flush_inserts());
        out.extend(self.flush_touches());
    }

    /// For a full import: the sources whose stored findings were read, and the ids of
    /// those findings that are open and were not in this import (the ones it closes).
    /// Every row this import wrote or touched is seen, so this is exactly what
    /// `status = 'open' AND last_import_id <> this import` selects in those sources,
    /// without reading the table again.
    pub(crate) fn absent_open(&self) -> (HashSet<i64>, Vec<i64>) {
        let loaded = self.index.keys().copied().collect();
        let ids = self
            .index
            .values()
            .flat_map(|source| source.values())
            .filter(|k| !k.seen && k.status == StoredStatus::Tool(Status::Open))
            .filter_map(|k| k.id)
            .collect();
        (loaded, ids)
    }
}
