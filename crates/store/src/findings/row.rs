//! One finding as a `findings` row, and the hand-written statements the import writes it
//! with: a multi-row INSERT whose text is built once per batch size (so the driver reuses
//! the prepared statement), an UPDATE of one changed row, and the `last_seen` touch of
//! unchanged rows by id. sea-orm's builders cost more per value than the database did.
use chrono::{DateTime, Utc};
use sea_orm::{DbBackend, Statement, Value};

/// The columns every write sets from the finding itself, in statement order.
const CONTENT_COLUMNS: [&str; 31] = [
    "source_id",
    "fingerprint",
    "source_tool",
    "source_finding_id",
    "rule_id",
    "title",
    "description",
    "severity",
    "severity_rank",
    "severity_original",
    "status",
    "status_reason",
    "cloud_provider",
    "account",
    "region",
    "resource_type",
    "resource_ids",
    "primary_resource",
    "file",
    "start_line",
    "end_line",
    "tool_first_seen",
    "tool_last_seen",
    "remediation",
    "remediation_url",
    "tags",
    "raw",
    "policy_id",
    "correlation_key",
    "content_hash",
    "last_seen",
];

/// Columns an INSERT adds after [`CONTENT_COLUMNS`].
const INSERT_EXTRA: [&str; 4] = [
    "last_import_id",
    "first_seen",
    "first_import_id",
    "closed_at",
];

/// Values per inserted row.
pub(crate) const INSERT_WIDTH: usize = CONTENT_COLUMNS.len() + INSERT_EXTRA.len();

/// A finding's column values, ready to be written.
pub(crate) struct Row {
    pub source_id: i64,
    pub fingerprint: String,
    pub source_tool: &'static str,
    pub source_finding_id: Option<String>,
    pub rule_id: String,
    pub title: String,
    pub description: String,
    pub severity: &'static str,
    pub severity_rank: i16,
    pub severity_original: String,
    pub status: &'static str,
    pub status_reason: Option<String>,
    pub cloud_provider: Option<&'static str>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub resource_type: Option<String>,
    pub resource_ids: String,
    pub primary_resource: Option<String>,
    pub file: Option<String>,
    pub start_line: Option<i32>,
    pub end_line: Option<i32>,
    pub tool_first_seen: Option<DateTime<Utc>>,
    pub tool_last_seen: Option<DateTime<Utc>>,
    pub remediation: Option<String>,
    pub remediation_url: Option<String>,
    pub tags: String,
    pub raw: String,
    pub policy_id: Option<String>,
    pub correlation_key: String,
    pub content_hash: String,
}

impl Row {
    /// Appends the [`CONTENT_COLUMNS`] values (`last_seen` = `now`).
    fn push_content(self, now: DateTime<Utc>, out: &mut Vec<Value>) {
        out.extend([
            Value::BigInt(Some(self.source_id)),
            Value::String(Some(self.fingerprint)),
            Value::String(Some(self.source_tool.to_owned())),
            Value::String(self.source_finding_id),
            Value::String(Some(self.rule_id)),
            Value::String(Some(self.title)),
            Value::String(Some(self.description)),
            Value::String(Some(self.severity.to_owned())),
            Value::SmallInt(Some(self.severity_rank)),
            Value::String(Some(self.severity_original)),
            Value::String(Some(self.status.to_owned())),
            Value::String(self.status_reason),
            Value::String(self.cloud_provider.map(str::to_owned)),
            Value::String(self.account),
            Value::String(self.region),
            Value::String(self.resource_type),
            Value::String(Some(self.resource_ids)),
            Value::String(self.primary_resource),
            Value::String(self.file),
            Value::Int(self.start_line),
            Value::Int(self.end_line),
            Value::ChronoDateTimeUtc(self.tool_first_seen),
            Value::ChronoDateTimeUtc(self.tool_last_seen),
            Value::String(self.remediation),
            Value::String(self.remediation_url),
            Value::String(Some(self.tags)),
            Value::String(Some(self.raw)),
            Value::String(self.policy_id),
            Value::String(Some(self.correlation_key)),
            Value::String(Some(self.content_hash)),
            Value::ChronoDateTimeUtc(Some(now)),
        ]);
    }

    /// Appends the values of a new row seen first by import `import_id` at `now`.
    pub(crate) fn push_insert(self, now: DateTime<Utc>, import_id: i64, out: &mut Vec<Value>) {
        let closed_at = (self.status != "open").then_some(now);
        self.push_content(now, out);
        out.extend([
            Value::BigInt(Some(import_id)),
            Value::ChronoDateTimeUtc(Some(now)),
            Value::BigInt(Some(import_id)),
            Value::ChronoDateTimeUtc(closed_at),
        ]);
    }
}

/// Appends placeholder number `n` (1-based) for `backend`.
fn placeholder(backend: DbBackend, n: usize, sql: &mut String) {
    if backend == DbBackend::Postgres {
        sql.push('$');
        sql.push_str(&n.to_string());
    } else {
        sql.push('?');
    }
}

/// `INSERT INTO findings (…) VALUES (…), …` for `rows` rows.
pub(crate) fn insert_sql(backend: DbBackend, rows: usize) -> String {
    let columns: Vec<&str> = CONTENT_COLUMNS
        .iter()
        .chain(&INSERT_EXTRA)
        .copied()
        .collect();
    let mut sql = format!("INSERT INTO findings ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..INSERT_WIDTH {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            placeholder(backend, n, &mut sql);
        }
        sql.push(')');
    }
    sql
}

/// How an update treats `closed_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClosedAt {
    /// Leave the stored value (a finding that stays not open).
    Keep,
    /// Set it to this value (`Some(now)` when the finding closes, `None` when it reopens).
    Set(Option<DateTime<Utc>>),
}

/// Which stored row an update rewrites.
pub(crate) enum Target {
    /// A row read at the start of the import.
    Id(i64),
    /// A row this import inserted (its id is not known here).
    Fingerprint(i64, String),
}

/// The UPDATE of one changed finding: every content column, `last_seen`, `last_import_id`
/// and (per `closed_at`) `closed_at`.
pub(crate) fn update_statement(
    backend: DbBackend,
    row: Row,
    target: Target,
    closed_at: ClosedAt,
    now: DateTime<Utc>,
    import_id: i64,
) -> Statement {
    let mut values = Vec::with_capacity(CONTENT_COLUMNS.len() + 4);
    row.push_content(now, &mut values);
    let mut columns: Vec<&str> = CONTENT_COLUMNS.to_vec();
    columns.push("last_import_id");
    values.push(Value::BigInt(Some(import_id)));
    if let ClosedAt::Set(at) = closed_at {
        columns.push("closed_at");
        values.push(Value::ChronoDateTimeUtc(at));
    }
    let mut sql = String::from("UPDATE findings SET ");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(column);
        sql.push_str(" = ");
        placeholder(backend, i + 1, &mut sql);
    }
    let next = columns.len() + 1;
    match target {
        Target::Id(id) => {
            sql.push_str(" WHERE id = ");
            placeholder(backend, next, &mut sql);
            values.push(Value::BigInt(Some(id)));
        }
        Target::Fingerprint(source_id, fingerprint) => {
            sql.push_str(" WHERE source_id = ");
            placeholder(backend, next, &mut sql);
            sql.push_str(" AND fingerprint = ");
            placeholder(backend, next + 1, &mut sql);
            values.push(Value::BigInt(Some(source_id)));
            values.push(Value::String(Some(fingerprint)));
        }
    }
    Statement::from_sql_and_values(backend, sql, values)
}

/// Marks the rows `ids` as seen by import `import_id` at `now` (nothing else changes).
///
/// On SQLite it is `UPDATE OR FAIL`: no constraint can fail here, and a statement that
/// cannot abort halfway needs no statement journal, which saves copying every page it
/// changes (about a fifth of its time). Any error still rolls the whole import back.
pub(crate) fn touch_statement(
    backend: DbBackend,
    ids: &[i64],
    now: DateTime<Utc>,
    import_id: i64,
) -> Statement {
    let mut sql = String::from(if backend == DbBackend::Sqlite {
        "UPDATE OR FAIL findings SET last_seen = "
    } else {
        "UPDATE findings SET last_seen = "
    });
    placeholder(backend, 1, &mut sql);
    sql.push_str(", last_import_id = ");
    placeholder(backend, 2, &mut sql);
    sql.push_str(" WHERE id IN (");
    let mut values = Vec::with_capacity(ids.len() + 2);
    values.push(Value::ChronoDateTimeUtc(Some(now)));
    values.push(Value::BigInt(Some(import_id)));
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        placeholder(backend, i + 3, &mut sql);
        values.push(Value::BigInt(Some(*id)));
    }
    sql.push(')');
    Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_statements_number_postgres_placeholders_across_rows() {
        let sql = insert_sql(DbBackend::Postgres, 2);
        assert!(sql.starts_with("INSERT INTO findings (source_id, fingerprint,"));
        assert!(sql.contains(&format!("(${}, ", INSERT_WIDTH + 1)), "{sql}");
        assert!(sql.ends_with(&format!("${})", 2 * INSERT_WIDTH)), "{sql}");
        let sqlite = insert_sql(DbBackend::Sqlite, 3);
        assert_eq!(sqlite.matches('?').count(), 3 * INSERT_WIDTH);
    }

    #[test]
    fn touches_and_updates_bind_one_value_per_placeholder() {
        let now = Utc::now();
        let touch = touch_statement(DbBackend::Postgres, &[4, 5, 6], now, 9);
        assert!(
            touch.sql.ends_with("WHERE id IN ($3, $4, $5)"),
            "{}",
            touch.sql
        );
        assert_eq!(touch.values.map(|v| v.0.len()), Some(5));
    }
}
