//! The audit log: one append-only row per state change, written inside the change's own
//! transaction by [`AuditEntry::write`]; the database refuses UPDATE and DELETE on it.
use redress_types::{AuditEvent, AuditQuery, Page, UserSummary};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::entities::audit_event;
use crate::{Store, StoreError};

/// Most rows one page of any workflow list returns.
pub(crate) const MAX_PER_PAGE: u64 = 200;

/// 1-based page and rows per page, clamped to sane values.
pub(crate) fn paging(page: u64, per_page: u64) -> (u64, u64) {
    let per_page = if per_page == 0 {
        50
    } else {
        per_page.min(MAX_PER_PAGE)
    };
    (page.max(1), per_page)
}

/// Who did something: a user, or the system (expiry jobs, imports without a user).
#[derive(Clone, Debug)]
pub(crate) struct Actor {
    pub id: Option<i64>,
    pub label: String,
}

impl Actor {
    pub fn user(user: &UserSummary) -> Self {
        Actor {
            id: Some(user.id),
            label: user.email.clone(),
        }
    }

    pub fn system() -> Self {
        Actor {
            id: None,
            label: "system".to_owned(),
        }
    }
}

/// One audit row being built: action, object, context and before/after snapshots.
#[derive(Debug)]
pub(crate) struct AuditEntry {
    action: &'static str,
    object_type: &'static str,
    object_id: Option<i64>,
    campaign_id: Option<i64>,
    work_item_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
}

impl AuditEntry {
    pub fn new(action: &'static str, object_type: &'static str, object_id: i64) -> Self {
        AuditEntry {
            action,
            object_type,
            object_id: Some(object_id),
            campaign_id: None,
            work_item_id: None,
            before: None,
            after: None,
        }
    }

    pub fn campaign(mut self, id: i64) -> Self {
        self.campaign_id = Some(id);
        self
    }

    pub fn work_item(mut self, id: i64) -> Self {
        self.work_item_id = Some(id);
        self
    }

    pub fn before(mut self, value: impl Serialize) -> Self {
        self.before = serde_json::to_string(&value).ok();
        self
    }

    pub fn after(mut self, value: impl Serialize) -> Self {
        self.after = serde_json::to_string(&value).ok();
        self
    }

    /// Appends the row using `db`, which must be the caller's open transaction.
    pub async fn write<C: ConnectionTrait>(
        self,
        db: &C,
        store: &Store,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        audit_event::ActiveModel {
            at: Set(store.now()),
            actor_id: Set(actor.id),
            actor: Set(actor.label.clone()),
            action: Set(self.action.to_owned()),
            object_type: Set(self.object_type.to_owned()),
            object_id: Set(self.object_id),
            campaign_id: Set(self.campaign_id),
            work_item_id: Set(self.work_item_id),
            before: Set(self.before),
            after: Set(self.after),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(())
    }
}

impl Store {
    /// The audit log, newest first, narrowed by every filter set in `query`, one page.
    pub async fn audit_events(&self, query: &AuditQuery) -> Result<Page<AuditEvent>, StoreError> {
        use audit_event::Column as C;
        let (page, per_page) = paging(query.page, query.per_page);
        let mut select = audit_event::Entity::find();
        if let Some(actor) = query.actor_id {
            select = select.filter(C::ActorId.eq(actor));
        }
        if let Some(action) = query.action.as_deref().filter(|a| !a.is_empty()) {
            select = select.filter(C::Action.eq(action));
        }
        if let Some(kind) = query.object_type.as_deref().filter(|a| !a.is_empty()) {
            select = select.filter(C::ObjectType.eq(kind));
        }
        if let Some(id) = query.object_id {
            select = select.filter(C::ObjectId.eq(id));
        }
        if let Some(id) = query.campaign_id {
            select = select.filter(C::CampaignId.eq(id));
        }
        if let Some(id) = query.work_item_id {
            select = select.filter(C::WorkItemId.eq(id));
        }
        if let Some(from) = query.from {
            select = select.filter(C::At.gte(from));
        }
        if let Some(until) = query.until {
            select = select.filter(C::At.lt(until));
        }
        let paginator = select.order_by_desc(C::Id).paginate(&self.db, per_page);
        let total = paginator.num_items().await?;
        let items = paginator
            .fetch_page(page - 1)
            .await?
            .into_iter()
            .map(to_event)
            .collect();
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// A campaign's audit trail (the campaign and all its items), newest first.
    pub async fn campaign_audit(
        &self,
        campaign_id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Page<AuditEvent>, StoreError> {
        self.audit_events(&AuditQuery {
            campaign_id: Some(campaign_id),
            page,
            per_page,
            ..Default::default()
        })
        .await
    }

    /// One work item's history, newest first.
    pub async fn work_item_audit(
        &self,
        work_item_id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Page<AuditEvent>, StoreError> {
        self.audit_events(&AuditQuery {
            work_item_id: Some(work_item_id),
            page,
            per_page,
            ..Default::default()
        })
        .await
    }
}

fn to_event(m: audit_event::Model) -> AuditEvent {
    AuditEvent {
        id: m.id,
        at: m.at,
        actor_id: m.actor_id,
        actor: m.actor,
        action: m.action,
        object_type: m.object_type,
        object_id: m.object_id,
        campaign_id: m.campaign_id,
        work_item_id: m.work_item_id,
        before: m.before,
        after: m.after,
    }
}
