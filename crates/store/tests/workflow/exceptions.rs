//! Exceptions: required and bounded expiry, requester ≠ approver, approval excepts items,
//! denial reopens, expiry with a moved clock reopens and is audited; the three lists.
use chrono::Duration;
use redress_store::{ExceptionRules, NewException, StoreError, testing};
use redress_types::{
    AuditQuery, CampaignScope, ExceptionScope, ExceptionStatus, Role, WorkItemState,
};

use crate::support::{TestClock, campaign, local_repo, site, user};

fn for_item(work_item_id: i64, days: i64, clock: &TestClock) -> NewException {
    NewException {
        scope: ExceptionScope::WorkItem { work_item_id },
        justification: "compensating control: bucket is behind a VPC endpoint policy".into(),
        expires_at: Some(clock.now() + Duration::days(days)),
    }
}

#[tokio::test]
async fn expiry_is_required_and_bounded_and_the_error_names_the_field() {
    for db in testing::all_backends().await.unwrap() {
        let clock = TestClock::new();
        let store = clock.store(&db.store);
        let dev = user(&store, "dev@example.com", Role::Developer).await;
        let (repo, _dir) = local_repo(&store, &dev, "acme/infra").await;
        let c = campaign(&store, &dev, &["p"], CampaignScope::default()).await;
        store
            .add_work_items(None, c.id, vec![site(repo.id, "p", "main.tf", 1, &[], &[])])
            .await
            .unwrap();
        let item = store
            .campaign_work_items(c.id, None, 1, 1)
            .await
            .unwrap()
            .items
            .remove(0);
        let rules = ExceptionRules::default();

        let missing = NewException {
            expires_at: None,
            ..for_item(item.id, 1, &clock)
        };
        let err = store
            .request_exception(&dev, missing, &rules)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "expires_at: is required", "{}", db.backend);
        let err = store
            .request_exception(&dev, for_item(item.id, 181, &clock), &rules)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "expires_at: must be at most 180 days from now"
        );
        let err = store
            .request_exception(&dev, for_item(item.id, -1, &clock), &rules)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::Invalid {
                field: "expires_at",
                ..
            }
        ));
        let strict = ExceptionRules {
            max_duration: Duration::days(30),
        };
        let err = store
            .request_exception(&dev, for_item(item.id, 31, &clock), &strict)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "expires_at: must be at most 30 days from now"
        );
        let no_reason = NewException {
            justification: "  ".into(),
            ..for_item(item.id, 10, &clock)
        };
        let err = store
            .request_exception(&dev, no_reason, &rules)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::Invalid {
                field: "justification",
                ..
            }
        ));

        let ok = store
            .request_exception(&dev, for_item(item.id, 180, &clock), &rules)
            .await
            .unwrap();
        assert_eq!(ok.status, ExceptionStatus::Pending);
        assert_eq!(
            store.work_item(item.id).await.unwrap().state,
            WorkItemState::Open,
            "pending changes nothing"
        );
        assert_eq!(store.pending_exceptions(1, 10).await.unwrap().total, 1);
    }
}

#[tokio::test]
async fn approval_by_another_user_excepts_and_expiry_reopens_with_audit() {
    for db in testing::all_backends().await.unwrap() {
        let clock = TestClock::new();
        let store = clock.store(&db.store);
        let dev = user(&store, "dev@example.com", Role::Developer).await;
        let sec = user(&store, "sec@example.com", Role::Security).await;
        let (repo, _dir) = local_repo(&store, &sec, "acme/infra").await;
        let c = campaign(&store, &sec, &["p"], CampaignScope::default()).await;
        store
            .add_work_items(
                None,
                c.id,
                vec![
                    site(repo.id, "p", "main.tf", 1, &[], &[]),
                    site(repo.id, "p", "other.tf", 1, &[], &[]),
                ],
            )
            .await
            .unwrap();
        let items = store
            .campaign_work_items(c.id, None, 1, 10)
            .await
            .unwrap()
            .items;
        let rules = ExceptionRules::default();
        let e = store
            .request_exception(&dev, for_item(items[0].id, 20, &clock), &rules)
            .await
            .unwrap();

        let err = store.approve_exception(&dev, e.id, None).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotAllowed(_)),
            "{}: {err}",
            db.backend
        );
        assert!(
            err.to_string().contains("requester cannot approve"),
            "{err}"
        );
        let err = store.deny_exception(&dev, e.id, None).await.unwrap_err();
        assert!(err.to_string().contains("requester cannot deny"), "{err}");

        let approved = store
            .approve_exception(&sec, e.id, Some("ok until the migration"))
            .await
            .unwrap();
        assert_eq!(
            (approved.status, approved.decided_by),
            (ExceptionStatus::Approved, Some(sec.id))
        );
        let item = store.work_item(items[0].id).await.unwrap();
        assert_eq!(
            (item.state, item.excepted_until),
            (WorkItemState::Excepted, Some(e.expires_at))
        );
        assert_eq!(
            store.work_item(items[1].id).await.unwrap().state,
            WorkItemState::Open,
            "other item untouched"
        );
        assert!(
            matches!(
                store.approve_exception(&sec, e.id, None).await,
                Err(StoreError::Conflict(_))
            ),
            "decided once"
        );
        assert_eq!(store.active_exceptions(1, 10).await.unwrap().total, 1);
        assert_eq!(
            store.expiring_exceptions(14, 1, 10).await.unwrap().total,
            0,
            "20 days left"
        );

        clock.advance(Duration::days(7));
        assert_eq!(
            store.expiring_exceptions(14, 1, 10).await.unwrap().total,
            1,
            "13 days left"
        );
        assert_eq!(store.expire_exceptions().await.unwrap(), 0, "not yet");
        assert_eq!(
            store.work_item(items[0].id).await.unwrap().state,
            WorkItemState::Excepted
        );

        clock.advance(Duration::days(13));
        assert_eq!(store.expire_exceptions().await.unwrap(), 1);
        let item = store.work_item(items[0].id).await.unwrap();
        assert_eq!(
            (item.state, item.excepted_until),
            (WorkItemState::Open, None),
            "{}",
            db.backend
        );
        assert_eq!(
            store.exception(e.id).await.unwrap().status,
            ExceptionStatus::Expired
        );
        assert_eq!(store.active_exceptions(1, 10).await.unwrap().total, 0);
        assert_eq!(store.expire_exceptions().await.unwrap(), 0, "idempotent");

        let history = store.work_item_audit(items[0].id, 1, 20).await.unwrap();
        let actions: Vec<(&str, &str)> = history
            .items
            .iter()
            .map(|ev| (ev.action.as_str(), ev.actor.as_str()))
            .collect();
        assert_eq!(
            actions[..4],
            [
                ("work_item.exception_expired", "system"),
                ("work_item.except", "sec@example.com"),
                ("exception.approve", "sec@example.com"),
                ("exception.request", "dev@example.com"),
            ]
        );
        assert_eq!(
            history.items[0].at,
            clock.now(),
            "stamped with the injected clock"
        );
        let expired = store
            .audit_events(&AuditQuery {
                action: Some("exception.expire".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!((expired.total, expired.items[0].object_id), (1, Some(e.id)));
    }
}

#[tokio::test]
async fn a_denied_exception_returns_its_item_to_open() {
    for db in testing::all_backends().await.unwrap() {
        let clock = TestClock::new();
        let store = clock.store(&db.store);
        let dev = user(&store, "dev@example.com", Role::Developer).await;
        let sec = user(&store, "sec@example.com", Role::Security).await;
        let (repo, _dir) = local_repo(&store, &sec, "acme/infra").await;
        let c = campaign(&store, &sec, &["p"], CampaignScope::default()).await;
        store
            .add_work_items(None, c.id, vec![site(repo.id, "p", "main.tf", 1, &[], &[])])
            .await
            .unwrap();
        let item = store
            .campaign_work_items(c.id, None, 1, 1)
            .await
            .unwrap()
            .items
            .remove(0);
        store.mark_wont_fix(&dev, item.id, "maybe").await.unwrap();
        let e = store
            .request_exception(
                &dev,
                for_item(item.id, 30, &clock),
                &ExceptionRules::default(),
            )
            .await
            .unwrap();
        let denied = store
            .deny_exception(&sec, e.id, Some("fix it instead"))
            .await
            .unwrap();
        assert_eq!(
            (denied.status, denied.decision_note.as_deref()),
            (ExceptionStatus::Denied, Some("fix it instead"))
        );
        assert_eq!(
            store.work_item(item.id).await.unwrap().state,
            WorkItemState::Open,
            "{}",
            db.backend
        );
        assert_eq!(store.pending_exceptions(1, 10).await.unwrap().total, 0);
        assert!(matches!(
            store.approve_exception(&sec, e.id, None).await,
            Err(StoreError::Conflict(_))
        ));
    }
}

#[tokio::test]
async fn a_policy_exception_covers_the_repository_items_under_its_path_glob() {
    for db in testing::all_backends().await.unwrap() {
        let clock = TestClock::new();
        let store = clock.store(&db.store);
        let dev = user(&store, "dev@example.com", Role::Developer).await;
        let sec = user(&store, "sec@example.com", Role::Security).await;
        let (repo, _dir) = local_repo(&store, &sec, "acme/infra").await;
        let (other_repo, _dir2) = local_repo(&store, &sec, "acme/other").await;
        let c = campaign(&store, &sec, &["p", "q"], CampaignScope::default()).await;
        store
            .add_work_items(
                None,
                c.id,
                vec![
                    site(repo.id, "p", "modules/legacy/a.tf", 1, &[], &[]),
                    site(repo.id, "p", "modules/legacy/sub/b.tf", 1, &[], &[]),
                    site(repo.id, "p", "modules/new/c.tf", 1, &[], &[]),
                    site(repo.id, "q", "modules/legacy/a.tf", 2, &[], &[]),
                    site(other_repo.id, "p", "modules/legacy/a.tf", 1, &[], &[]),
                ],
            )
            .await
            .unwrap();
        let e = store
            .request_exception(
                &dev,
                NewException {
                    scope: ExceptionScope::Policy {
                        policy_id: "p".into(),
                        repository_id: repo.id,
                        path_glob: Some("modules/legacy/**".into()),
                    },
                    justification: "legacy stack is being retired".into(),
                    expires_at: Some(clock.now() + Duration::days(60)),
                },
                &ExceptionRules::default(),
            )
            .await
            .unwrap();
        store.approve_exception(&sec, e.id, None).await.unwrap();
        let states: Vec<WorkItemState> = store
            .campaign_work_items(c.id, None, 1, 10)
            .await
            .unwrap()
            .items
            .iter()
            .map(|i| i.state)
            .collect();
        use WorkItemState::{Excepted, Open};
        assert_eq!(
            states,
            [Excepted, Excepted, Open, Open, Open],
            "{}",
            db.backend
        );
        clock.advance(Duration::days(61));
        assert_eq!(store.expire_exceptions().await.unwrap(), 1);
        let open = store
            .campaign_work_items(c.id, Some(Open), 1, 10)
            .await
            .unwrap();
        assert_eq!(open.total, 5);
    }
}
