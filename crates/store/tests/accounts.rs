//! Accounts, sessions and API tokens on every configured backend (SQLite, PostgreSQL).
use std::sync::{Arc, Mutex};

use chrono::{Duration, TimeZone, Utc};
use redress_store::{NewUser, StoreError, StoredSession, testing};
use redress_types::Role;

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: None,
        role,
        password: "a long password".into(),
    }
}

#[tokio::test]
async fn users_log_in_with_the_right_password_only() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let dev = store
            .create_user(new_user(" Dev@Example.com ", Role::Developer))
            .await
            .unwrap();
        assert_eq!(dev.email, "dev@example.com", "{}", db.backend);
        assert_eq!(dev.display_name, "dev");
        let logged = store
            .authenticate("DEV@example.com", "a long password")
            .await
            .unwrap();
        assert_eq!(logged, dev);
        assert!(matches!(
            store
                .authenticate("dev@example.com", "wrong password")
                .await,
            Err(StoreError::InvalidCredentials)
        ));
        assert!(matches!(
            store
                .authenticate("nobody@example.com", "a long password")
                .await,
            Err(StoreError::InvalidCredentials)
        ));
        let dup = store
            .create_user(new_user("dev@example.com", Role::Manager))
            .await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(_))),
            "{}: {dup:?}",
            db.backend
        );
        let weak = store
            .create_user(NewUser {
                password: "short".into(),
                ..new_user("x@example.com", Role::Manager)
            })
            .await;
        assert!(matches!(
            weak,
            Err(StoreError::Invalid {
                field: "password",
                ..
            })
        ));
        let promoted = store.set_user_role(dev.id, Role::Security).await.unwrap();
        assert_eq!(promoted.role, Role::Security);
        assert_eq!(store.list_users().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn first_admin_is_created_once_with_a_generated_password() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let first = store
            .ensure_first_admin(None, None)
            .await
            .unwrap()
            .expect("created");
        let password = first.generated_password.expect("generated");
        let admin = store.authenticate(&first.email, &password).await.unwrap();
        assert_eq!(admin.role, Role::Admin, "{}", db.backend);
        assert_eq!(
            store
                .ensure_first_admin(Some("other@example.com"), Some("whatever123"))
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.count_users().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn sessions_expire_by_the_store_clock() {
    for db in testing::all_backends().await.unwrap() {
        let now = Arc::new(Mutex::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        ));
        let clock_now = now.clone();
        let store = db
            .store
            .clone()
            .with_clock(Arc::new(move || *clock_now.lock().unwrap()));
        let session = StoredSession {
            id: "abc".into(),
            data: "{\"user\":1}".into(),
            expires_at: *now.lock().unwrap() + Duration::hours(1),
        };
        assert!(store.session_create(&session).await.unwrap());
        assert!(
            !store.session_create(&session).await.unwrap(),
            "duplicate id refused"
        );
        assert_eq!(
            store.session_load("abc").await.unwrap(),
            Some(session.clone())
        );
        store
            .session_save(&StoredSession {
                data: "{}".into(),
                ..session.clone()
            })
            .await
            .unwrap();
        assert_eq!(store.session_load("abc").await.unwrap().unwrap().data, "{}");
        *now.lock().unwrap() += Duration::hours(2);
        assert_eq!(
            store.session_load("abc").await.unwrap(),
            None,
            "{}",
            db.backend
        );
        assert_eq!(store.session_delete_expired().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let user = store
            .create_user(new_user("ci@example.com", Role::Security))
            .await
            .unwrap();
        let token = store.create_api_token(user.id, "pipeline").await.unwrap();
        assert!(token.secret.starts_with("rdx_"));
        assert!(token.secret.starts_with(&token.summary.prefix));
        assert_eq!(store.authenticate_token(&token.secret).await.unwrap(), user);
        let listed = store.list_api_tokens(user.id).await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "{}", db.backend);
        store
            .revoke_api_token(user.id, token.summary.id)
            .await
            .unwrap();
        assert!(matches!(
            store.authenticate_token(&token.secret).await,
            Err(StoreError::InvalidCredentials)
        ));
        assert!(store.create_api_token(user.id, "  ").await.is_err());
    }
}

#[tokio::test]
async fn bad_urls_and_unreachable_servers_give_one_line_errors() {
    let err = redress_store::Store::connect("mysql://x")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("invalid database URL") && !err.contains('\n'),
        "{err}"
    );
    let err = redress_store::Store::connect("postgres://nobody@127.0.0.1:1/none")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot open database postgres://nobody@127.0.0.1:1/none"),
        "{err}"
    );
}
