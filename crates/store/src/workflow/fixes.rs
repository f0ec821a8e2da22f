//! Fix proposals: the proposed patch, its author and verification status, and approval by
//! someone other than the author, only when verification passed.
use redress_types::{FixProposal, UserSummary, VerificationStatus, WorkItemState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::{
    audit::{Actor, AuditEntry},
    entities::fix_proposal,
    work_items::{find_item, move_item},
};
use crate::{Store, StoreError};

/// Largest proposed patch accepted.
pub const MAX_PATCH_BYTES: usize = 1024 * 1024;
/// A fix being proposed for an item.
#[derive(Clone, Debug)]
pub struct NewFixProposal {
    /// The unified diff.
    pub patch: String,
    /// What the server's verification said about it.
    pub verification: VerificationStatus,
    /// Details (failing policy, parse error with its line).
    pub verification_detail: Option<String>,
}

impl Store {
    /// Proposes (or revises) the fix of an item; the item moves to `fix_proposed`.
    pub async fn propose_fix(
        &self,
        actor: &UserSummary,
        item_id: i64,
        proposal: NewFixProposal,
    ) -> Result<FixProposal, StoreError> {
        let txn = self.db.begin().await?;
        let out = self.propose_fix_in(&txn, actor, item_id, proposal).await?;
        txn.commit().await?;
        Ok(out)
    }

    /// [`Store::propose_fix`] inside `txn`, for callers that write more in the same transaction.
    pub(crate) async fn propose_fix_in(
        &self,
        txn: &DatabaseTransaction,
        actor: &UserSummary,
        item_id: i64,
        proposal: NewFixProposal,
    ) -> Result<FixProposal, StoreError> {
        if proposal.patch.trim().is_empty() {
            return Err(StoreError::invalid("patch", "is empty"));
        }
        if proposal.patch.len() > MAX_PATCH_BYTES {
            return Err(StoreError::invalid(
                "patch",
                format!("is larger than {} KiB", MAX_PATCH_BYTES / 1024),
            ));
        }
        let item = find_item(txn, item_id).await?;
        let model = fix_proposal::ActiveModel {
            work_item_id: Set(item_id),
            patch: Set(proposal.patch),
            author_id: Set(actor.id),
            verification: Set(proposal.verification.as_str().to_owned()),
            verification_detail: Set(proposal.verification_detail),
            created_at: Set(self.now()),
            approved_by: Set(None),
            approved_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let created = to_proposal(model)?;
        move_item(
            self,
            txn,
            &Actor::user(actor),
            item,
            WorkItemState::FixProposed,
            "work_item.propose_fix",
            |_| {},
        )
        .await?;
        AuditEntry::new("fix_proposal.create", "fix_proposal", created.id)
            .work_item(item_id)
            .campaign(find_item(txn, item_id).await?.campaign_id)
            .after(serde_json::json!({
                "author_id": created.author_id,
                "verification": created.verification,
                "patch_bytes": created.patch.len(),
            }))
            .write(txn, self, &Actor::user(actor))
            .await?;
        Ok(created)
    }

    /// The latest fix proposal of an item, if any.
    pub async fn latest_fix_proposal(
        &self,
        item_id: i64,
    ) -> Result<Option<FixProposal>, StoreError> {
        latest_proposal(&self.db, item_id)
            .await?
            .map(to_proposal)
            .transpose()
    }

    /// Approves the item's latest proposal. Refused when the approver wrote it, when its
    /// verification did not pass, or when the item is not in `fix_proposed`.
    pub async fn approve_fix(
        &self,
        actor: &UserSummary,
        item_id: i64,
    ) -> Result<FixProposal, StoreError> {
        let txn = self.db.begin().await?;
        let item = find_item(&txn, item_id).await?;
        let proposal = latest_proposal(&txn, item_id).await?.ok_or_else(|| {
            StoreError::NotAllowed(format!(
                "work item {item_id} has no proposed fix to approve"
            ))
        })?;
        if proposal.author_id == actor.id {
            return Err(StoreError::NotAllowed(format!(
                "work item {item_id}: the fix must be approved by someone other than its author"
            )));
        }
        if proposal.verification != VerificationStatus::Passed.as_str() {
            return Err(StoreError::NotAllowed(format!(
                "work item {item_id}: the proposed fix did not pass verification ({}); it cannot be approved",
                proposal.verification
            )));
        }
        let mut active: fix_proposal::ActiveModel = proposal.into();
        active.approved_by = Set(Some(actor.id));
        active.approved_at = Set(Some(self.now()));
        let approved = to_proposal(active.update(&txn).await?)?;
        move_item(
            self,
            &txn,
            &Actor::user(actor),
            item,
            WorkItemState::FixApproved,
            "work_item.approve_fix",
            |_| {},
        )
        .await?;
        txn.commit().await?;
        Ok(approved)
    }
}

async fn latest_proposal<C: ConnectionTrait>(
    db: &C,
    item_id: i64,
) -> Result<Option<fix_proposal::Model>, StoreError> {
    Ok(fix_proposal::Entity::find()
        .filter(fix_proposal::Column::WorkItemId.eq(item_id))
        .order_by_desc(fix_proposal::Column::Id)
        .one(db)
        .await?)
}

fn to_proposal(m: fix_proposal::Model) -> Result<FixProposal, StoreError> {
    let verification = m
        .verification
        .parse::<VerificationStatus>()
        .map_err(|e| StoreError::Conflict(format!("fix proposal {}: {e}", m.id)))?;
    Ok(FixProposal {
        id: m.id,
        work_item_id: m.work_item_id,
        patch: m.patch,
        author_id: m.author_id,
        verification,
        verification_detail: m.verification_detail,
        created_at: m.created_at,
        approved_by: m.approved_by,
        approved_at: m.approved_at,
    })
}
