//! Reassigning work items by hand, and the names pages show for assignees.
use redress_store::{StoreError, testing};
use redress_types::{Assignee, CampaignScope, Role};
use sea_orm::ConnectionTrait as _;

use crate::support::{campaign, local_repo, raw, site, user};

#[tokio::test]
async fn names_show_display_names_teams_and_unknown_ids() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let admin = user(store, "admin@example.com", Role::Admin).await;
        let dev = store
            .create_user(redress_store::NewUser {
                email: "kim@example.com".into(),
                display_name: Some("Kim Lee".into()),
                role: Role::Developer,
                password: "a long password".into(),
            })
            .await
            .unwrap();
        let data = store.create_team(&admin, "data").await.unwrap();
        let names = store
            .assignee_names(&[
                Assignee::User { id: dev.id },
                Assignee::Team { id: data.id },
                Assignee::User { id: 9_999 },
                Assignee::Unassigned,
            ])
            .await
            .unwrap();
        assert_eq!(names.user(dev.id), "Kim Lee", "{}", db.backend);
        assert_eq!(
            names.assignee(&Assignee::Team { id: data.id }),
            "data (team)"
        );
        assert_eq!(names.user(9_999), "user #9999", "unknown ids stay readable");
        assert_eq!(names.team(77), "team #77");
        assert_eq!(names.assignee(&Assignee::Unassigned), "unassigned");
        // A user without a display name shows as the e-mail.
        let plain = store.names([admin.id], []).await.unwrap();
        assert_eq!(plain.user(admin.id), admin.display_name);
    }
}

#[tokio::test]
async fn reassigning_by_hand_checks_the_assignee_and_audits_the_names() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let sec = user(store, "sec@example.com", Role::Security).await;
        let dev = user(store, "dev@example.com", Role::Developer).await;
        let gone = user(store, "gone@example.com", Role::Developer).await;
        let data = store.create_team(&sec, "data").await.unwrap();
        let (repo, _dir) = local_repo(store, &sec, "acme/infra").await;
        let c = campaign(store, &sec, &["p"], CampaignScope::default()).await;
        let mut s = site(repo.id, "p", "main.tf", 1, &[], &[]);
        s.code_owners = vec!["data".into()];
        store.add_work_items(None, c.id, vec![s]).await.unwrap();
        let item = store
            .campaign_work_items(c.id, None, 1, 10)
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(
            item.assignee,
            Assignee::Team { id: data.id },
            "{}",
            db.backend
        );

        let moved = store
            .reassign_work_item(&sec, item.id, Assignee::User { id: dev.id })
            .await
            .unwrap();
        assert_eq!(moved.assignee, Assignee::User { id: dev.id });
        assert_eq!(store.my_work(dev.id, 1, 10).await.unwrap().total, 1);

        raw(&db)
            .await
            .execute_unprepared(&format!(
                "UPDATE users SET disabled = TRUE WHERE id = {}",
                gone.id
            ))
            .await
            .unwrap();
        let err = store
            .reassign_work_item(&sec, item.id, Assignee::User { id: gone.id })
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid { field: "assignee", message } if message.contains("gone@example.com") && message.contains("disabled")),
            "{}: {err}",
            db.backend
        );
        let unchanged = store.work_item(item.id).await.unwrap();
        assert_eq!(
            unchanged.assignee,
            Assignee::User { id: dev.id },
            "a refused move changes nothing"
        );

        store
            .reassign_work_item(&sec, item.id, Assignee::Unassigned)
            .await
            .unwrap();
        let log = store.work_item_audit(item.id, 1, 10).await.unwrap();
        let last = &log.items[0];
        assert_eq!(last.action, "work_item.reassign");
        assert_eq!(last.actor, "sec@example.com");
        let before = last.before.as_deref().unwrap_or_default();
        let after = last.after.as_deref().unwrap_or_default();
        assert!(before.contains(&dev.display_name), "{before}");
        assert!(after.contains("unassigned"), "{after}");
        let first_move = &log.items[1];
        assert!(
            first_move
                .before
                .as_deref()
                .unwrap_or_default()
                .contains("data (team)"),
            "{:?}",
            first_move.before
        );
        assert_eq!(
            log.total, 3,
            "two moves and the creation, no event for the refused one"
        );
    }
}
