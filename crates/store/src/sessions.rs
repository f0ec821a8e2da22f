//! Login sessions, stored in the database so they survive restarts.
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};

use crate::{Store, StoreError, entities::session};

/// One session as the session layer stores it: an opaque id, its JSON data and expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    /// The session id (the cookie value).
    pub id: String,
    /// The session's data, serialized by the session layer.
    pub data: String,
    /// When the session stops being valid.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Inserts a new session; returns `false` if the id is already taken.
    pub async fn session_create(&self, s: &StoredSession) -> Result<bool, StoreError> {
        let inserted = session::Entity::insert(active(s))
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(inserted == 1)
    }

    /// Inserts or replaces a session.
    pub async fn session_save(&self, s: &StoredSession) -> Result<(), StoreError> {
        session::Entity::insert(active(s))
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// The session with this id, unless it is missing or expired.
    pub async fn session_load(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        let now = self.now();
        Ok(session::Entity::find_by_id(id.to_owned())
            .filter(session::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?
            .map(|m| StoredSession {
                id: m.id,
                data: m.data,
                expires_at: m.expires_at,
            }))
    }

    /// Deletes a session (logout).
    pub async fn session_delete(&self, id: &str) -> Result<(), StoreError> {
        session::Entity::delete_by_id(id.to_owned())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes every expired session; returns how many.
    pub async fn session_delete_expired(&self) -> Result<u64, StoreError> {
        let now = self.now();
        let result = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}

fn active(s: &StoredSession) -> session::ActiveModel {
    session::ActiveModel {
        id: Set(s.id.clone()),
        data: Set(s.data.clone()),
        expires_at: Set(s.expires_at),
    }
}
