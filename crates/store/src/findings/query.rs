//! Reading findings and imports: server-side filters, sorting and pagination, counts from
//! the database.
use std::collections::HashMap;

use redress_types::{
    FindingDetail, FindingFacets, FindingQuery, FindingRow, FindingSort, ImportRecord, Page,
};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::convert::{RowColumns, import_record, row_of};
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
    let filters = [
        (C::SourceTool, given(&query.tool)),
        (C::Severity, given(&query.severity)),
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
        let items = list_columns(sorted(filtered(query), query.sort))
            .offset((page - 1) * per_page)
            .limit(per_page)
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
        let correlated = list_columns(
            finding::Entity::find()
                .filter(finding::Column::CorrelationKey.eq(&m.correlation_key))
                .filter(finding::Column::Id.ne(m.id))
                .order_by_desc(finding::Column::SeverityRank)
                .order_by_asc(finding::Column::Id),
        )
        .limit(MAX_CORRELATED)
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

    /// The tools, accounts, resource types and policies present, for the filter menus.
    pub async fn finding_facets(&self) -> Result<FindingFacets, StoreError> {
        use finding::Column as C;
        let mut lists: Vec<Vec<String>> = Vec::with_capacity(4);
        for column in [C::SourceTool, C::Account, C::ResourceType, C::PolicyId] {
            let values: Vec<Option<String>> = finding::Entity::find()
                .select_only()
                .column(column)
                .distinct()
                .filter(column.is_not_null())
                .order_by_asc(column)
                .limit(MAX_FACET_VALUES)
                .into_tuple()
                .all(&self.db)
                .await?;
            lists.push(values.into_iter().flatten().collect());
        }
        let mut lists = lists.into_iter();
        Ok(FindingFacets {
            tools: lists.next().unwrap_or_default(),
            accounts: lists.next().unwrap_or_default(),
            resource_types: lists.next().unwrap_or_default(),
            policies: lists.next().unwrap_or_default(),
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
