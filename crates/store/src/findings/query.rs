//! Reading findings and imports: server-side filters, sorting and pagination, counts from
//! the database.
use std::collections::{BTreeSet, HashMap};

use redress_ingest::Severity;
use redress_types::{
    FindingDetail, FindingFacets, FindingQuery, FindingRow, FindingSort, ImportRecord, Page,
};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::convert::{RowColumns, import_record, row_of, severity_rank};
use crate::entities::{finding, import, source, user};
use crate::{Store, StoreError};

/// Largest page the lists return.
pub const MAX_PER_PAGE: u64 = 200;
/// Page size when the caller gives none.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// Most related findings shown on a finding's detail.
const MAX_CORRELATED: u64 = 50;
/// Most values listed per filter facet.
const MAX_FACET_VALUES: u64 = 500;

fn page_bounds(page: u64, per_page: u64) -> (u64, u64) {
    let per_page = if per_page == 0 {
        DEFAULT_PER_PAGE
    } else {
        per_page.min(MAX_PER_PAGE)
    };
    (page.max(1), per_page)
}

/// A filter value, when it is given and not blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn filtered(query: &FindingQuery) -> Select<finding::Entity> {
    use finding::Column as C;
    let mut select = finding::Entity::find();
    // Severity filters on its rank, which `idx_findings_list` holds (the name it does not):
    // a normalized name matches its rank, any other text nothing, as before.
    if let Some(name) = given(&query.severity) {
        let rank = [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
        .map_or(-1, severity_rank);
        select = select.filter(C::SeverityRank.eq(rank));
    }
    let filters = [
        (C::SourceTool, given(&query.tool)),
        (C::Status, given(&query.status)),
        (C::Account, given(&query.account)),
        (C::ResourceType, given(&query.resource_type)),
        (C::PolicyId, given(&query.policy)),
    ];
    for (column, value) in filters {
        if let Some(value) = value {
            select = select.filter(column.eq(value));
        }
    }
    select
}

fn sorted(select: Select<finding::Entity>, sort: FindingSort) -> Select<finding::Entity> {
    use finding::Column as C;
    match sort {
        FindingSort::Severity => select.order_by_desc(C::SeverityRank).order_by_desc(C::Id),
        FindingSort::LastSeen => select.order_by_desc(C::LastSeen).order_by_desc(C::Id),
        FindingSort::FirstSeen => select.order_by_desc(C::FirstSeen).order_by_desc(C::Id),
        FindingSort::Title => select.order_by_asc(C::Title).order_by_asc(C::Id),
        FindingSort::Rule => select.order_by_asc(C::RuleId).order_by_asc(C::Id),
    }
}

/// One page of the list: `query`'s filters and order, the list columns.
fn page_select(query: &FindingQuery, page: u64, per_page: u64) -> Select<finding::Entity> {
    list_columns(sorted(filtered(query), query.sort))
        .offset((page - 1) * per_page)
        .limit(per_page)
}

/// The distinct combinations of the four filter columns with menus.
fn facets_select() -> Select<finding::Entity> {
    use finding::Column as C;
    finding::Entity::find()
        .select_only()
        .columns([C::SourceTool, C::Account, C::ResourceType, C::PolicyId])
        .distinct()
}

/// The findings correlated with finding `id` (same correlation key), most severe first.
fn correlated_select(correlation_key: &str, id: i64) -> Select<finding::Entity> {
    list_columns(
        finding::Entity::find()
            .filter(finding::Column::CorrelationKey.eq(correlation_key))
            .filter(finding::Column::Id.ne(id))
            .order_by_desc(finding::Column::SeverityRank)
            .order_by_asc(finding::Column::Id),
    )
    .limit(MAX_CORRELATED)
}

fn list_columns(select: Select<finding::Entity>) -> Select<finding::Entity> {
    use finding::Column as C;
    select.select_only().columns([
        C::Id,
        C::SourceTool,
        C::RuleId,
        C::Title,
        C::Severity,
        C::Status,
        C::Account,
        C::Region,
        C::ResourceType,
        C::PrimaryResource,
        C::PolicyId,
        C::FirstSeen,
        C::LastSeen,
    ])
}

impl Store {
    /// One page of the import history, newest first.
    pub async fn list_imports(
        &self,
        page: u64,
        per_page: u64,
    ) -> Result<Page<ImportRecord>, StoreError> {
        let (page, per_page) = page_bounds(page, per_page);
        let total = import::Entity::find().count(&self.db).await?;
        let models = import::Entity::find()
            .order_by_desc(import::Column::Id)
            .offset((page - 1) * per_page)
            .limit(per_page)
            .all(&self.db)
            .await?;
        let user_ids: Vec<i64> = models.iter().filter_map(|m| m.user_id).collect();
        let emails: HashMap<i64, String> = if user_ids.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::Id.is_in(user_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.email))
                .collect()
        };
        let items = models
            .into_iter()
            .map(|m| {
                let email = m.user_id.and_then(|id| emails.get(&id).cloned());
                import_record(m, email)
            })
            .collect();
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// One page of findings matching `query`'s filters, in its order; `total` is counted
    /// by the database with the same filters.
    pub async fn list_findings(
        &self,
        query: &FindingQuery,
    ) -> Result<Page<FindingRow>, StoreError> {
        let (page, per_page) = page_bounds(query.page, query.per_page);
        let total = filtered(query).count(&self.db).await?;
        let items = page_select(query, page, per_page)
            .into_model::<RowColumns>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(FindingRow::from)
            .collect();
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Everything stored about one finding, with the findings it correlates with.
    pub async fn finding_detail(&self, id: i64) -> Result<FindingDetail, StoreError> {
        let m = finding::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("finding {id}")))?;
        let scope = source::Entity::find_by_id(m.source_id)
            .one(&self.db)
            .await?
            .map(|s| s.scope_label);
        let correlated = correlated_select(&m.correlation_key, m.id)
            .into_model::<RowColumns>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(FindingRow::from)
            .collect();
        let tags: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&m.tags).unwrap_or_default();
        Ok(FindingDetail {
            row: row_of(&m),
            source_finding_id: m.source_finding_id,
            source_scope: scope.unwrap_or_default(),
            description: m.description,
            severity_original: m.severity_original,
            status_reason: m.status_reason,
            cloud_provider: m.cloud_provider,
            resource_ids: serde_json::from_str(&m.resource_ids).unwrap_or_default(),
            file: m.file,
            start_line: m.start_line.and_then(|l| u32::try_from(l).ok()),
            end_line: m.end_line.and_then(|l| u32::try_from(l).ok()),
            tool_first_seen: m.tool_first_seen,
            tool_last_seen: m.tool_last_seen,
            closed_at: m.closed_at,
            remediation: m.remediation,
            remediation_url: m.remediation_url,
            tags: tags.into_iter().collect(),
            raw: m.raw,
            fingerprint: m.fingerprint,
            correlated,
        })
    }

    /// The tools, accounts, resource types and policies present, for the filter menus
    /// (each sorted, at most [`MAX_FACET_VALUES`]). One read of `idx_findings_list` gives
    /// the distinct combinations of the four; four `DISTINCT` queries read it four times.
    pub async fn finding_facets(&self) -> Result<FindingFacets, StoreError> {
        type Combination = (String, Option<String>, Option<String>, Option<String>);
        let combinations: Vec<Combination> = facets_select().into_tuple().all(&self.db).await?;
        let mut tools = BTreeSet::new();
        let mut accounts = BTreeSet::new();
        let mut resource_types = BTreeSet::new();
        let mut policies = BTreeSet::new();
        for (tool, account, resource_type, policy) in combinations {
            tools.insert(tool);
            accounts.extend(account);
            resource_types.extend(resource_type);
            policies.extend(policy);
        }
        let menu = |values: BTreeSet<String>| -> Vec<String> {
            values
                .into_iter()
                .take(usize::try_from(MAX_FACET_VALUES).unwrap_or(usize::MAX))
                .collect()
        };
        Ok(FindingFacets {
            tools: menu(tools),
            accounts: menu(accounts),
            resource_types: menu(resource_types),
            policies: menu(policies),
        })
    }

    /// One import of the history.
    pub async fn get_import(&self, id: i64) -> Result<ImportRecord, StoreError> {
        let m = import::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("import {id}")))?;
        let email = match m.user_id {
            Some(uid) => user::Entity::find_by_id(uid)
                .one(&self.db)
                .await?
                .map(|u| u.email),
            None => None,
        };
        Ok(import_record(m, email))
    }

    /// How many findings have each status, counted by the database.
    pub async fn count_findings_by_status(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = finding::Entity::find()
            .select_only()
            .column(finding::Column::Status)
            .column_as(finding::Column::Id.count(), "n")
            .group_by(finding::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    //! The Findings page's queries are served by indexes on SQLite (which has no statistics
    //! here, so its plans do not depend on the data): no query reads the whole table, the
    //! counts and filter menus read an index only, and the default order, every sort and
    //! the default order under any one filter walk an index instead of sorting.
    use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};

    use super::*;

    /// `EXPLAIN QUERY PLAN` of `statement`, its lines joined by ` | `.
    async fn plan(store: &Store, statement: Statement) -> String {
        let values = statement.values.map(|v| v.0).unwrap_or_default();
        let explain = Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {}", statement.sql),
            values,
        );
        let rows = store.db.query_all_raw(explain).await.unwrap();
        rows.iter()
            .map(|r| r.try_get::<String>("", "detail").unwrap())
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Whether a plan reads the whole table (`SCAN findings` without an index).
    fn reads_table(plan: &str) -> bool {
        plan.split(" | ").any(|line| line.trim() == "SCAN findings")
    }

    fn query(filter: &str, sort: FindingSort) -> FindingQuery {
        let value = Some("x".to_owned());
        let mut q = FindingQuery {
            sort,
            ..FindingQuery::default()
        };
        match filter {
            "tool" => q.tool = value,
            "severity" => q.severity = value,
            "status" => q.status = value,
            "account" => q.account = value,
            "resource_type" => q.resource_type = value,
            "policy" => q.policy = value,
            _ => {}
        }
        q
    }

    const FILTERS: [&str; 7] = [
        "none",
        "tool",
        "severity",
        "status",
        "account",
        "resource_type",
        "policy",
    ];

    #[tokio::test]
    async fn every_findings_page_query_is_served_by_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/plans.db", dir.path().display());
        Store::connect(&url).await.unwrap();
        // New connections: EXPLAIN reads no table, so a pooled connection that loaded the
        // schema before the migrations would never notice it changed and name old indexes.
        let store = Store::open(&url).await.unwrap();
        let sqlite = DbBackend::Sqlite;
        // Every plan is printed (`-- --nocapture`), then every failed expectation named.
        let mut plans = Vec::new();
        let mut wrong = Vec::new();
        let mut expect = |ok: bool, what: String, p: &str| {
            if !ok {
                wrong.push(format!("{what}: {p}"));
            }
        };
        for filter in FILTERS {
            for sort in FindingSort::ALL {
                let q = query(filter, sort);
                for page in [1, 1000] {
                    let p = plan(&store, page_select(&q, page, 50).build(sqlite)).await;
                    let what = format!("page {page}, {filter}, by {}", sort.as_str());
                    expect(!reads_table(&p), format!("{what} reads the table"), &p);
                    if filter == "none" || sort == FindingSort::Severity {
                        expect(!p.contains("TEMP B-TREE"), format!("{what} sorts"), &p);
                    }
                    plans.push(format!("{what}: {p}"));
                }
            }
            // The count sea-orm's paginator runs: the filtered select as a subquery.
            let inner = filtered(&query(filter, FindingSort::Severity)).build(sqlite);
            let count = Statement::from_sql_and_values(
                sqlite,
                format!(
                    "SELECT COUNT(*) AS num_items FROM ({}) AS sub_query",
                    inner.sql
                ),
                inner.values.map(|v| v.0).unwrap_or_default(),
            );
            let p = plan(&store, count).await;
            expect(p.contains("COVERING INDEX"), format!("count, {filter}"), &p);
            plans.push(format!("count, {filter}: {p}"));
        }
        let p = plan(&store, facets_select().build(sqlite)).await;
        expect(p.contains("COVERING INDEX"), "facets".into(), &p);
        plans.push(format!("facets: {p}"));
        let p = plan(&store, correlated_select("k", 1).build(sqlite)).await;
        expect(
            p.contains("idx_findings_correlation"),
            "correlated".into(),
            &p,
        );
        plans.push(format!("correlated: {p}"));
        // `cargo test -p redress-store every_findings_page_query -- --nocapture` prints them.
        println!("{}", plans.join("\n"));
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
