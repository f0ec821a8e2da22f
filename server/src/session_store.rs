//! tower-sessions storage backed by the Redress database, so logins survive restarts.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redress_store::{Store, StoredSession};
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, SessionStore},
};

/// Sessions in the `sessions` table.
///
/// tower-sessions sets expiry dates by the real clock, while the store compares them with
/// its own clock (the test clock in end-to-end tests, see `clock.rs`). Expiry dates are
/// therefore moved into the store's time when written and back when read: a session lasts
/// its inactivity period on the store's clock, so moving that clock a month ahead ends the
/// sessions from before and still lets people log in. With the real clock the shift is zero.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    /// A session store over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// How far the store's clock is ahead of the real one, in whole seconds.
    fn clock_shift(&self) -> chrono::Duration {
        chrono::Duration::seconds((self.store.now() - Utc::now()).num_seconds())
    }
}

fn backend(e: redress_store::StoreError) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// `record` as stored, its expiry moved by `shift` into the store's time.
fn to_stored(record: &Record, shift: chrono::Duration) -> session_store::Result<StoredSession> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let expires_at = DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .and_then(|t| t.checked_add_signed(shift))
        .ok_or_else(|| session_store::Error::Encode("expiry out of range".into()))?;
    Ok(StoredSession {
        id: record.id.to_string(),
        data,
        expires_at,
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are random 128-bit values; on the rare collision draw a new one.
        loop {
            if self
                .store
                .session_create(&to_stored(record, self.clock_shift())?)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store
            .session_save(&to_stored(record, self.clock_shift())?)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(stored) = self
            .store
            .session_load(&id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&stored.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let real_expiry = stored
            .expires_at
            .checked_sub_signed(self.clock_shift())
            .ok_or_else(|| session_store::Error::Decode("expiry out of range".into()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(real_expiry.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(expiry_unix: i64) -> Record {
        Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expiry_unix)
                .expect("a valid time"),
        }
    }

    #[test]
    fn expiry_moves_into_the_store_time_by_the_clock_shift() {
        let stored =
            to_stored(&record(1_800_000_000), chrono::Duration::days(31)).expect("encodes");
        assert_eq!(stored.expires_at.timestamp(), 1_800_000_000 + 31 * 86_400);
        let same = to_stored(&record(1_800_000_000), chrono::Duration::zero()).expect("encodes");
        assert_eq!(same.expires_at.timestamp(), 1_800_000_000);
    }

    #[tokio::test]
    async fn a_session_made_after_the_clock_moved_ahead_loads_and_older_ones_do_not() {
        let db = redress_store::testing::sqlite().await.expect("database");
        let real = DbSessionStore::new(db.store.clone());
        let week = time::Duration::days(7);
        let mut before = record((time::OffsetDateTime::now_utc() + week).unix_timestamp());
        real.create(&mut before).await.expect("created");
        let later = Utc::now() + chrono::Duration::days(31);
        let moved = DbSessionStore::new(
            db.store
                .clone()
                .with_clock(std::sync::Arc::new(move || later)),
        );
        let mut after = record((time::OffsetDateTime::now_utc() + week).unix_timestamp());
        moved.create(&mut after).await.expect("created");
        let loaded = moved.load(&after.id).await.expect("loads");
        let loaded = loaded.expect("a fresh session is valid on the moved clock");
        assert!(
            (loaded.expiry_date - after.expiry_date)
                .whole_seconds()
                .abs()
                <= 1
        );
        assert!(
            moved.load(&before.id).await.expect("loads").is_none(),
            "a session from a month ago has lapsed"
        );
    }
}
