//! Exceptions: requested with a justification, a scope and a required expiry (at most
//! [`ExceptionRules::max_duration`] ahead); approved or denied by someone other than the
//! requester; approval marks the covered items excepted until the expiry; a denial returns
//! them to open; [`Store::expire_exceptions`] reopens items whose exception expired.
use chrono::{DateTime, Duration, Utc};
use redress_types::{Exception, ExceptionScope, ExceptionStatus, Page, UserSummary, WorkItemState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::{
    audit::{Actor, AuditEntry, paging},
    entities::{exception, repository, work_item},
    glob,
    work_items::{find_item, move_item},
};
use crate::{Store, StoreError};

/// Limits on exception requests (configurable per installation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionRules {
    /// Longest time an exception may run, from the request.
    pub max_duration: Duration,
}

impl Default for ExceptionRules {
    /// 180 days.
    fn default() -> Self {
        ExceptionRules {
            max_duration: Duration::days(180),
        }
    }
}

/// An exception being requested.
#[derive(Clone, Debug)]
pub struct NewException {
    /// What it covers.
    pub scope: ExceptionScope,
    /// Why (required).
    pub justification: String,
    /// When it ends (required).
    pub expires_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Records an exception request (status `pending`); items keep their state until a decision.
    pub async fn request_exception(
        &self,
        actor: &UserSummary,
        new: NewException,
        rules: &ExceptionRules,
    ) -> Result<Exception, StoreError> {
        let justification = new.justification.trim().to_owned();
        if justification.is_empty() {
            return Err(StoreError::invalid("justification", "is required"));
        }
        if justification.len() > 10_000 {
            return Err(StoreError::invalid(
                "justification",
                "is longer than 10000 characters",
            ));
        }
        let now = self.now();
        let Some(expires_at) = new.expires_at else {
            return Err(StoreError::invalid("expires_at", "is required"));
        };
        if expires_at <= now {
            return Err(StoreError::invalid("expires_at", "must be in the future"));
        }
        if expires_at > now + rules.max_duration {
            return Err(StoreError::invalid(
                "expires_at",
                format!(
                    "must be at most {} days from now",
                    rules.max_duration.num_days()
                ),
            ));
        }
        let txn = self.db.begin().await?;
        let mut row = exception::ActiveModel {
            justification: Set(justification),
            expires_at: Set(expires_at),
            status: Set(ExceptionStatus::Pending.as_str().to_owned()),
            requested_by: Set(actor.id),
            requested_at: Set(now),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_note: Set(None),
            work_item_id: Set(None),
            policy_id: Set(None),
            repository_id: Set(None),
            path_glob: Set(None),
            ..Default::default()
        };
        let mut campaign_id = None;
        match &new.scope {
            ExceptionScope::WorkItem { work_item_id } => {
                let item = find_item(&txn, *work_item_id).await?;
                campaign_id = Some(item.campaign_id);
                row.work_item_id = Set(Some(item.id));
                row.policy_id = Set(Some(item.policy_id));
                row.repository_id = Set(Some(item.repository_id));
            }
            ExceptionScope::Policy {
                policy_id,
                repository_id,
                path_glob,
            } => {
                let policy = policy_id.trim();
                if policy.is_empty() {
                    return Err(StoreError::invalid("policy_id", "is required"));
                }
                if repository::Entity::find_by_id(*repository_id)
                    .one(&txn)
                    .await?
                    .is_none()
                {
                    return Err(StoreError::not_found(format!("repository {repository_id}")));
                }
                let path_glob = match path_glob.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(g) => Some(glob::validate("path_glob", g)?),
                };
                row.policy_id = Set(Some(policy.to_owned()));
                row.repository_id = Set(Some(*repository_id));
                row.path_glob = Set(path_glob);
            }
        }
        let created = to_exception(row.insert(&txn).await?)?;
        let mut entry =
            AuditEntry::new("exception.request", "exception", created.id).after(&created);
        if let ExceptionScope::WorkItem { work_item_id } = created.scope {
            entry = entry.work_item(work_item_id);
        }
        if let Some(c) = campaign_id {
            entry = entry.campaign(c);
        }
        entry.write(&txn, self, &Actor::user(actor)).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Approves a pending exception: every covered item that can be excepted becomes
    /// `excepted` until the expiry. The approver must not be the requester.
    pub async fn approve_exception(
        &self,
        actor: &UserSummary,
        id: i64,
        note: Option<&str>,
    ) -> Result<Exception, StoreError> {
        let txn = self.db.begin().await?;
        let model = pending(&txn, actor, id, "approve").await?;
        if model.expires_at <= self.now() {
            return Err(StoreError::NotAllowed(format!(
                "exception {id} expired before it was approved"
            )));
        }
        let expires_at = model.expires_at;
        let decided = decide(self, &txn, actor, model, ExceptionStatus::Approved, note).await?;
        let audit_actor = Actor::user(actor);
        for item in covered_items(&txn, &decided).await? {
            let from: WorkItemState = item
                .state
                .parse()
                .map_err(|e| StoreError::Conflict(format!("work item {}: {e}", item.id)))?;
            if from.can_move_to(WorkItemState::Excepted) {
                move_item(
                    self,
                    &txn,
                    &audit_actor,
                    item,
                    WorkItemState::Excepted,
                    "work_item.except",
                    |a| {
                        a.excepted_until = Set(Some(expires_at));
                        a.exception_id = Set(Some(id));
                    },
                )
                .await?;
            }
        }
        txn.commit().await?;
        Ok(decided)
    }

    /// Denies a pending exception; the item it was requested for returns to open. The decider
    /// must not be the requester.
    pub async fn deny_exception(
        &self,
        actor: &UserSummary,
        id: i64,
        note: Option<&str>,
    ) -> Result<Exception, StoreError> {
        let txn = self.db.begin().await?;
        let model = pending(&txn, actor, id, "deny").await?;
        let decided = decide(self, &txn, actor, model, ExceptionStatus::Denied, note).await?;
        if let ExceptionScope::WorkItem { work_item_id } = decided.scope {
            let item = find_item(&txn, work_item_id).await?;
            let from: WorkItemState = item
                .state
                .parse()
                .map_err(|e| StoreError::Conflict(format!("work item {}: {e}", item.id)))?;
            if from != WorkItemState::Open && from.can_move_to(WorkItemState::Open) {
                move_item(
                    self,
                    &txn,
                    &Actor::user(actor),
                    item,
                    WorkItemState::Open,
                    "work_item.exception_denied",
                    |a| {
                        a.excepted_until = Set(None);
                        a.exception_id = Set(None);
                    },
                )
                .await?;
            }
        }
        txn.commit().await?;
        Ok(decided)
    }

    /// Expires every approved exception whose expiry has passed by the store's clock and
    /// reopens its excepted items, with audit events by `system`. Returns how many expired.
    pub async fn expire_exceptions(&self) -> Result<u64, StoreError> {
        let now = self.now();
        let txn = self.db.begin().await?;
        let due = exception::Entity::find()
            .filter(exception::Column::Status.eq(ExceptionStatus::Approved.as_str()))
            .filter(exception::Column::ExpiresAt.lte(now))
            .order_by_asc(exception::Column::Id)
            .all(&txn)
            .await?;
        let count = due.len() as u64;
        let system = Actor::system();
        for model in due {
            let id = model.id;
            let before = to_exception(model.clone())?;
            let mut active: exception::ActiveModel = model.into();
            active.status = Set(ExceptionStatus::Expired.as_str().to_owned());
            let after = to_exception(active.update(&txn).await?)?;
            AuditEntry::new("exception.expire", "exception", id)
                .before(serde_json::json!({ "status": before.status }))
                .after(serde_json::json!({ "status": after.status }))
                .write(&txn, self, &system)
                .await?;
            let items = work_item::Entity::find()
                .filter(work_item::Column::ExceptionId.eq(id))
                .filter(work_item::Column::State.eq(WorkItemState::Excepted.as_str()))
                .order_by_asc(work_item::Column::Id)
                .all(&txn)
                .await?;
            for item in items {
                move_item(
                    self,
                    &txn,
                    &system,
                    item,
                    WorkItemState::Open,
                    "work_item.exception_expired",
                    |a| {
                        a.excepted_until = Set(None);
                        a.exception_id = Set(None);
                    },
                )
                .await?;
            }
        }
        txn.commit().await?;
        Ok(count)
    }

    /// One exception.
    pub async fn exception(&self, id: i64) -> Result<Exception, StoreError> {
        to_exception(find(&self.db, id).await?)
    }

    /// Requests awaiting a decision, oldest first.
    pub async fn pending_exceptions(
        &self,
        page: u64,
        per_page: u64,
    ) -> Result<Page<Exception>, StoreError> {
        let select = exception::Entity::find()
            .filter(exception::Column::Status.eq(ExceptionStatus::Pending.as_str()))
            .order_by_asc(exception::Column::Id);
        self.exception_page(select, page, per_page).await
    }

    /// Approved exceptions still in force, soonest expiry first.
    pub async fn active_exceptions(
        &self,
        page: u64,
        per_page: u64,
    ) -> Result<Page<Exception>, StoreError> {
        let select = exception::Entity::find()
            .filter(exception::Column::Status.eq(ExceptionStatus::Approved.as_str()))
            .filter(exception::Column::ExpiresAt.gt(self.now()))
            .order_by_asc(exception::Column::ExpiresAt)
            .order_by_asc(exception::Column::Id);
        self.exception_page(select, page, per_page).await
    }

    /// Approved exceptions in force that expire within `days` days, soonest first.
    pub async fn expiring_exceptions(
        &self,
        days: u32,
        page: u64,
        per_page: u64,
    ) -> Result<Page<Exception>, StoreError> {
        let now = self.now();
        let select = exception::Entity::find()
            .filter(exception::Column::Status.eq(ExceptionStatus::Approved.as_str()))
            .filter(exception::Column::ExpiresAt.gt(now))
            .filter(exception::Column::ExpiresAt.lte(now + Duration::days(i64::from(days))))
            .order_by_asc(exception::Column::ExpiresAt)
            .order_by_asc(exception::Column::Id);
        self.exception_page(select, page, per_page).await
    }

    async fn exception_page(
        &self,
        select: sea_orm::Select<exception::Entity>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<Exception>, StoreError> {
        let (page, per_page) = paging(page, per_page);
        let paginator = select.paginate(&self.db, per_page);
        let total = paginator.num_items().await?;
        let items = paginator
            .fetch_page(page - 1)
            .await?
            .into_iter()
            .map(to_exception)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }
}

async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<exception::Model, StoreError> {
    exception::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("exception {id}")))
}

/// The exception, if it is pending and `actor` is not its requester.
async fn pending(
    txn: &DatabaseTransaction,
    actor: &UserSummary,
    id: i64,
    verb: &str,
) -> Result<exception::Model, StoreError> {
    let model = find(txn, id).await?;
    if model.status != ExceptionStatus::Pending.as_str() {
        return Err(StoreError::Conflict(format!(
            "exception {id} is {}, not pending",
            model.status
        )));
    }
    if model.requested_by == actor.id {
        return Err(StoreError::NotAllowed(format!(
            "exception {id}: the requester cannot {verb} their own request"
        )));
    }
    Ok(model)
}

async fn decide(
    store: &Store,
    txn: &DatabaseTransaction,
    actor: &UserSummary,
    model: exception::Model,
    to: ExceptionStatus,
    note: Option<&str>,
) -> Result<Exception, StoreError> {
    let id = model.id;
    let work_item_id = model.work_item_id;
    let mut active: exception::ActiveModel = model.into();
    active.status = Set(to.as_str().to_owned());
    active.decided_by = Set(Some(actor.id));
    active.decided_at = Set(Some(store.now()));
    active.decision_note = Set(note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(10_000).collect()));
    let decided = to_exception(active.update(txn).await?)?;
    let action = if to == ExceptionStatus::Approved {
        "exception.approve"
    } else {
        "exception.deny"
    };
    let mut entry = AuditEntry::new(action, "exception", id)
        .before(serde_json::json!({ "status": ExceptionStatus::Pending }))
        .after(serde_json::json!({ "status": decided.status, "note": decided.decision_note }));
    if let Some(item_id) = work_item_id {
        entry = entry
            .work_item(item_id)
            .campaign(find_item(txn, item_id).await?.campaign_id);
    }
    entry.write(txn, store, &Actor::user(actor)).await?;
    Ok(decided)
}

/// The work items an exception covers: its item, or every item of the policy in the
/// repository whose file matches the path glob.
async fn covered_items(
    txn: &DatabaseTransaction,
    e: &Exception,
) -> Result<Vec<work_item::Model>, StoreError> {
    match &e.scope {
        ExceptionScope::WorkItem { work_item_id } => Ok(vec![find_item(txn, *work_item_id).await?]),
        ExceptionScope::Policy {
            policy_id,
            repository_id,
            path_glob,
        } => Ok(work_item::Entity::find()
            .filter(work_item::Column::PolicyId.eq(policy_id))
            .filter(work_item::Column::RepositoryId.eq(*repository_id))
            .order_by_asc(work_item::Column::Id)
            .all(txn)
            .await?
            .into_iter()
            .filter(|item| {
                path_glob
                    .as_deref()
                    .is_none_or(|g| glob::matches(g, &item.file))
            })
            .collect()),
    }
}

fn to_exception(m: exception::Model) -> Result<Exception, StoreError> {
    let corrupt =
        |what: &str| StoreError::Conflict(format!("exception {}: stored {what} is invalid", m.id));
    let status = m
        .status
        .parse::<ExceptionStatus>()
        .map_err(|_| corrupt("status"))?;
    let scope = match (m.work_item_id, &m.policy_id, m.repository_id) {
        (Some(work_item_id), _, _) => ExceptionScope::WorkItem { work_item_id },
        (None, Some(policy_id), Some(repository_id)) => ExceptionScope::Policy {
            policy_id: policy_id.clone(),
            repository_id,
            path_glob: m.path_glob.clone(),
        },
        _ => return Err(corrupt("scope")),
    };
    Ok(Exception {
        id: m.id,
        scope,
        justification: m.justification,
        expires_at: m.expires_at,
        status,
        requested_by: m.requested_by,
        requested_at: m.requested_at,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        decision_note: m.decision_note,
    })
}
