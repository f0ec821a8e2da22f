//! The audit log: append-only at the database level, written by account operations, filtered
//! and paginated.
use chrono::Duration;
use redress_store::testing;
use redress_types::{AuditQuery, Role};
use sea_orm::ConnectionTrait;

use crate::support::{TestClock, raw, user};

#[tokio::test]
async fn audit_rows_cannot_be_updated_or_deleted_even_with_raw_sql() {
    for db in testing::all_backends().await.unwrap() {
        let admin = user(&db.store, "admin@example.com", Role::Admin).await;
        db.store.create_team(&admin, "platform").await.unwrap();
        let conn = raw(&db).await;
        let before = db.store.audit_events(&AuditQuery::default()).await.unwrap();
        assert!(
            before.total >= 2,
            "{}: user.create and team.create recorded",
            db.backend
        );

        let update = conn
            .execute_unprepared("UPDATE audit_events SET actor = 'nobody'")
            .await;
        let err = update.expect_err("update must be refused").to_string();
        assert!(err.contains("append-only"), "{}: {err}", db.backend);
        let delete = conn.execute_unprepared("DELETE FROM audit_events").await;
        let err = delete.expect_err("delete must be refused").to_string();
        assert!(err.contains("append-only"), "{}: {err}", db.backend);
        if db.backend == "postgres" {
            let truncate = conn.execute_unprepared("TRUNCATE audit_events").await;
            assert!(truncate.is_err(), "truncate must be refused");
        }

        let after = db.store.audit_events(&AuditQuery::default()).await.unwrap();
        assert_eq!(after, before, "{}: nothing changed", db.backend);
        assert!(after.items.iter().all(|e| e.actor != "nobody"));
    }
}

#[tokio::test]
async fn account_operations_are_audited_with_actor_and_before_after() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let admin = user(store, "admin@example.com", Role::Admin).await;
        let dev = store
            .create_user_by(
                Some(&admin),
                redress_store::NewUser {
                    email: "dev@example.com".into(),
                    display_name: None,
                    role: Role::Developer,
                    password: "a long password".into(),
                },
            )
            .await
            .unwrap();
        store
            .set_user_role_by(Some(&admin), dev.id, Role::Security)
            .await
            .unwrap();
        let token = store.create_api_token(dev.id, "ci").await.unwrap();
        store
            .revoke_api_token(dev.id, token.summary.id)
            .await
            .unwrap();
        store
            .revoke_api_token(dev.id, token.summary.id)
            .await
            .unwrap();

        let log = store.audit_events(&AuditQuery::default()).await.unwrap();
        let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "api_token.revoke",
                "api_token.create",
                "user.set_role",
                "user.create",
                "user.create"
            ],
            "{}: newest first, second revoke is a no-op",
            db.backend
        );
        let role_change = &log.items[2];
        assert_eq!(role_change.actor, "admin@example.com");
        assert_eq!(role_change.actor_id, Some(admin.id));
        assert_eq!(role_change.object_id, Some(dev.id));
        assert_eq!(
            role_change.before.as_deref(),
            Some(r#"{"role":"developer"}"#)
        );
        assert_eq!(role_change.after.as_deref(), Some(r#"{"role":"security"}"#));
        assert_eq!(
            log.items[4].actor, "system",
            "the first admin is created by the system"
        );
        assert!(
            log.items[1]
                .after
                .as_deref()
                .is_some_and(|a| !a.contains(&token.secret)),
            "no secret in the log"
        );
        assert_eq!(
            log.items[0].actor, "dev@example.com",
            "token owner acts on their tokens"
        );
    }
}

#[tokio::test]
async fn the_global_log_filters_by_actor_action_object_and_dates_and_paginates() {
    for db in testing::all_backends().await.unwrap() {
        let clock = TestClock::new();
        let store = clock.store(&db.store);
        let admin = user(&store, "admin@example.com", Role::Admin).await;
        let t0 = clock.now();
        for n in 0..5 {
            clock.advance(Duration::hours(1));
            store
                .create_team(&admin, &format!("team-{n}"))
                .await
                .unwrap();
        }
        let query = |q: AuditQuery| {
            let store = store.clone();
            async move { store.audit_events(&q).await.unwrap() }
        };
        let teams = query(AuditQuery {
            object_type: Some("team".into()),
            per_page: 2,
            page: 1,
            ..Default::default()
        })
        .await;
        assert_eq!(
            (teams.total, teams.items.len(), teams.page_count()),
            (5, 2, 3),
            "{}",
            db.backend
        );
        let page3 = query(AuditQuery {
            object_type: Some("team".into()),
            per_page: 2,
            page: 3,
            ..Default::default()
        })
        .await;
        assert_eq!(page3.items.len(), 1);
        assert!(teams.items[0].id > teams.items[1].id, "newest first");

        let by_actor = query(AuditQuery {
            actor_id: Some(admin.id),
            ..Default::default()
        })
        .await;
        assert_eq!(
            by_actor.total, 5,
            "the admin's own creation was by the system"
        );
        let by_action = query(AuditQuery {
            action: Some("user.create".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_action.total, 1);
        let window = query(AuditQuery {
            from: Some(t0 + Duration::minutes(90)),
            until: Some(t0 + Duration::minutes(210)),
            ..Default::default()
        })
        .await;
        assert_eq!(
            window.total, 2,
            "{}: teams created at +2h and +3h; +1h and +4h fall outside",
            db.backend
        );
        assert!(window.items.iter().all(|e| e.action == "team.create"));
    }
}
