//! Per-user API tokens for pipelines (`Authorization: Bearer …`), stored as SHA-256 hashes.
use redress_types::{ApiTokenSummary, UserSummary};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::{
    Store, StoreError,
    entities::{api_token, user},
    password::random_secret,
    workflow::audit::{Actor, AuditEntry},
};

/// Every token starts with this, so leaked tokens are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "rdx_";

/// A token just created: the summary plus the secret, shown to the user once.
#[derive(Clone, Debug)]
pub struct CreatedToken {
    /// What Settings lists.
    pub summary: ApiTokenSummary,
    /// The full secret; not stored anywhere.
    pub secret: String,
}

impl Store {
    /// Creates a token for `user_id`.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
    ) -> Result<CreatedToken, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(StoreError::invalid("name", "must be 1 to 100 characters"));
        }
        let secret = format!("{TOKEN_PREFIX}{}", random_secret(40));
        let txn = self.db.begin().await?;
        let model = api_token::ActiveModel {
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            prefix: Set(secret[..TOKEN_PREFIX.len() + 6].to_owned()),
            token_hash: Set(hash_token(&secret)),
            created_at: Set(self.now()),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let summary = to_summary(model);
        AuditEntry::new("api_token.create", "api_token", summary.id)
            .after(&summary)
            .write(&txn, self, &token_owner(&txn, user_id).await?)
            .await?;
        txn.commit().await?;
        Ok(CreatedToken { summary, secret })
    }

    /// The user's tokens, newest first.
    pub async fn list_api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenSummary>, StoreError> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .order_by_desc(api_token::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_summary)
            .collect())
    }

    /// Revokes one of the user's tokens; revoking twice is not an error.
    pub async fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let model = api_token::Entity::find_by_id(token_id)
            .filter(api_token::Column::UserId.eq(user_id))
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("API token {token_id}")))?;
        if model.revoked_at.is_none() {
            let mut active: api_token::ActiveModel = model.into();
            active.revoked_at = Set(Some(self.now()));
            let revoked = to_summary(active.update(&txn).await?);
            AuditEntry::new("api_token.revoke", "api_token", token_id)
                .after(&revoked)
                .write(&txn, self, &token_owner(&txn, user_id).await?)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The active user a bearer token belongs to; records the use.
    pub async fn authenticate_token(&self, secret: &str) -> Result<UserSummary, StoreError> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Err(StoreError::InvalidCredentials);
        }
        let txn = self.db.begin().await?;
        let model = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(hash_token(secret)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&txn)
            .await?
            .ok_or(StoreError::InvalidCredentials)?;
        let user_id = model.user_id;
        let mut active: api_token::ActiveModel = model.into();
        active.last_used_at = Set(Some(self.now()));
        active.update(&txn).await?;
        txn.commit().await?;
        self.active_user(user_id)
            .await?
            .ok_or(StoreError::InvalidCredentials)
    }
}

/// The token's owner as the audit log names them.
async fn token_owner<C: sea_orm::ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<Actor, StoreError> {
    let owner = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("user {user_id}")))?;
    Ok(Actor {
        id: Some(owner.id),
        label: owner.email,
    })
}

fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn to_summary(m: api_token::Model) -> ApiTokenSummary {
    ApiTokenSummary {
        id: m.id,
        name: m.name,
        prefix: m.prefix,
        created_at: m.created_at,
        last_used_at: m.last_used_at,
        revoked_at: m.revoked_at,
    }
}
