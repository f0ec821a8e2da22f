//! Campaigns, work items grouped by fix site, assignment, fix proposals and progress.
use redress_store::{NewCampaign, NewFixProposal, StoreError, testing};
use redress_types::{
    Assignee, CampaignScope, CampaignSource, CampaignStatus, Role, VerificationStatus,
    WorkItemState,
};

use crate::support::{campaign, day, finding, local_repo, raw, site, user};

fn proposal(verification: VerificationStatus) -> NewFixProposal {
    NewFixProposal {
        patch: "--- a/main.tf\n+++ b/main.tf\n@@ -1 +1 @@\n-a\n+b\n".into(),
        verification,
        verification_detail: None,
    }
}

#[tokio::test]
async fn campaign_status_moves_only_along_allowed_transitions() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let sec = user(store, "sec@example.com", Role::Security).await;
        let c = campaign(store, &sec, &["s3-encryption"], CampaignScope::default()).await;
        assert_eq!(c.status, CampaignStatus::Draft);
        let err = store
            .set_campaign_status(&sec, c.id, CampaignStatus::Completed)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotAllowed(_)), "{err}");
        assert!(
            err.to_string()
                .contains("cannot move from draft to completed"),
            "{err}"
        );
        for to in [
            CampaignStatus::Active,
            CampaignStatus::Completed,
            CampaignStatus::Archived,
            CampaignStatus::Draft,
        ] {
            assert_eq!(
                store
                    .set_campaign_status(&sec, c.id, to)
                    .await
                    .unwrap()
                    .status,
                to,
                "{}",
                db.backend
            );
        }
        let log = store.campaign_audit(c.id, 1, 50).await.unwrap();
        assert_eq!(log.total, 5, "create + four moves");
        assert_eq!(log.items[0].after.as_deref(), Some(r#"{"status":"draft"}"#));
        assert_eq!(
            log.items[0].before.as_deref(),
            Some(r#"{"status":"archived"}"#)
        );

        let list = store
            .list_campaigns(Some(CampaignStatus::Draft), 1, 10)
            .await
            .unwrap();
        assert_eq!(list.total, 1);
        assert_eq!(
            store
                .list_campaigns(Some(CampaignStatus::Active), 1, 10)
                .await
                .unwrap()
                .total,
            0
        );

        let new = |due, policies: Vec<String>| NewCampaign {
            name: "x".into(),
            description: String::new(),
            owner_id: sec.id,
            start_date: day(2026, 3, 1),
            due_date: due,
            source: CampaignSource::PolicySet { policies },
            scope: CampaignScope::default(),
        };
        let err = store
            .create_campaign(&sec, new(day(2026, 2, 1), vec!["p".into()]))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "due_date",
                    ..
                }
            ),
            "{err}"
        );
        let err = store
            .create_campaign(&sec, new(day(2026, 4, 1), vec![" ".into()]))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "policies",
                    ..
                }
            ),
            "{err}"
        );
        let mut bad_sev = new(day(2026, 4, 1), vec!["p".into()]);
        bad_sev.scope.min_severity = Some("urgent".into());
        let err = store.create_campaign(&sec, bad_sev).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "min_severity",
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[tokio::test]
async fn one_fix_site_is_one_item_across_scanners_and_instances() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let conn = raw(&db).await;
        let sec = user(store, "sec@example.com", Role::Security).await;
        let (repo, _dir) = local_repo(store, &sec, "acme/infra").await;
        let c = campaign(store, &sec, &["s3-encryption"], CampaignScope::default()).await;
        let hub0 = finding(
            &conn,
            "security-hub",
            "s3-encryption",
            "open",
            ("high", 3),
            "111",
        )
        .await;
        let hub1 = finding(
            &conn,
            "security-hub",
            "s3-encryption",
            "open",
            ("high", 3),
            "111",
        )
        .await;
        let checkov = finding(&conn, "checkov", "s3-encryption", "open", ("medium", 2), "").await;
        let other = finding(&conn, "checkov", "s3-encryption", "open", ("medium", 2), "").await;

        // Both count instances from Security Hub, and Checkov's finding on the same line.
        let added = store
            .add_work_items(
                Some(&sec),
                c.id,
                vec![
                    site(
                        repo.id,
                        "s3-encryption",
                        "main.tf",
                        4,
                        &[hub0],
                        &["aws_s3_bucket.logs[0]"],
                    ),
                    site(
                        repo.id,
                        "s3-encryption",
                        "./main.tf",
                        4,
                        &[hub1],
                        &["aws_s3_bucket.logs[1]"],
                    ),
                    site(
                        repo.id,
                        "s3-encryption",
                        "main.tf",
                        4,
                        &[checkov, hub0],
                        &["aws_s3_bucket.logs[0]"],
                    ),
                    site(
                        repo.id,
                        "s3-encryption",
                        "modules/b/main.tf",
                        9,
                        &[other],
                        &["module.b.aws_s3_bucket.this"],
                    ),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            (added.created, added.merged, added.out_of_scope),
            (2, 2, 0),
            "{}",
            db.backend
        );
        let items = store.campaign_work_items(c.id, None, 1, 50).await.unwrap();
        assert_eq!(items.total, 2);
        let first = &items.items[0];
        assert_eq!(
            (first.file.as_str(), first.line, first.state),
            ("main.tf", 4, WorkItemState::Open)
        );
        let mut expected = vec![hub0, hub1, checkov];
        expected.sort();
        assert_eq!(first.finding_ids, expected);
        assert_eq!(
            first.blast_radius,
            ["aws_s3_bucket.logs[0]", "aws_s3_bucket.logs[1]"]
        );
        let history = store.work_item_audit(first.id, 1, 50).await.unwrap();
        let actions: Vec<&str> = history
            .items
            .iter()
            .rev()
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "work_item.create",
                "work_item.add_fix_site",
                "work_item.add_fix_site"
            ]
        );

        // Adding the same site again later (next import) merges into the same item.
        let again = store
            .add_work_items(
                None,
                c.id,
                vec![site(repo.id, "s3-encryption", "main.tf", 4, &[hub0], &[])],
            )
            .await
            .unwrap();
        assert_eq!((again.created, again.merged), (0, 1));
        let bad = store
            .add_work_items(
                None,
                c.id,
                vec![site(repo.id, "p", "../etc/passwd", 1, &[], &[])],
            )
            .await;
        assert!(
            matches!(bad, Err(StoreError::Invalid { field: "file", .. })),
            "{bad:?}"
        );
        let bad = store
            .add_work_items(None, c.id, vec![site(repo.id, "p", "main.tf", 0, &[], &[])])
            .await;
        assert!(
            matches!(bad, Err(StoreError::Invalid { field: "line", .. })),
            "{bad:?}"
        );
        let bad = store
            .add_work_items(
                None,
                c.id,
                vec![site(repo.id, "p", "main.tf", 2, &[hub0, 987_654], &[])],
            )
            .await
            .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "finding_ids: fix site 0: finding 987654 does not exist"
        );
        assert_eq!(
            store
                .campaign_work_items(c.id, None, 1, 50)
                .await
                .unwrap()
                .total,
            2,
            "nothing added"
        );

        store
            .set_campaign_status(&sec, c.id, CampaignStatus::Active)
            .await
            .unwrap();
        store
            .set_campaign_status(&sec, c.id, CampaignStatus::Completed)
            .await
            .unwrap();
        let closed = store
            .add_work_items(None, c.id, vec![site(repo.id, "p", "x.tf", 1, &[], &[])])
            .await;
        assert!(
            matches!(closed, Err(StoreError::NotAllowed(_))),
            "{closed:?}"
        );
    }
}

#[tokio::test]
async fn scope_globs_teams_and_code_owners_decide_items_and_my_work() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let admin = user(store, "admin@example.com", Role::Admin).await;
        let dev = user(store, "dev@example.com", Role::Developer).await;
        let other = user(store, "other@example.com", Role::Developer).await;
        let platform = store.create_team(&admin, "platform").await.unwrap();
        let data = store.create_team(&admin, "data").await.unwrap();
        store
            .add_team_member(&admin, platform.id, dev.id)
            .await
            .unwrap();
        let (infra, _d1) = local_repo(store, &admin, "acme/infra").await;
        let (legacy, _d2) = local_repo(store, &admin, "legacy/old").await;
        let scope = CampaignScope {
            repository_glob: Some("acme/*".into()),
            teams: vec![platform.id, data.id],
            ..Default::default()
        };
        let c = campaign(store, &admin, &["p"], scope).await;
        let owned = |repo: i64, file: &str, owners: &[&str]| {
            let mut s = site(repo, "p", file, 1, &[], &[]);
            s.code_owners = owners.iter().map(|o| o.to_string()).collect();
            s
        };
        let added = store
            .add_work_items(
                None,
                c.id,
                vec![
                    owned(infra.id, "net/main.tf", &["@ghost", "@acme/platform"]),
                    owned(infra.id, "data/main.tf", &["data"]),
                    owned(infra.id, "app/main.tf", &["@dev"]),
                    owned(legacy.id, "main.tf", &["@acme/platform"]),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            (added.created, added.out_of_scope),
            (2, 2),
            "{}: user-owned and legacy repo are out of scope",
            db.backend
        );
        let items = store
            .campaign_work_items(c.id, None, 1, 10)
            .await
            .unwrap()
            .items;
        assert_eq!(
            items[0].assignee,
            Assignee::Team { id: platform.id },
            "first owner that resolves wins"
        );
        assert_eq!(items[1].assignee, Assignee::Team { id: data.id });

        let mine = store.my_work(dev.id, 1, 10).await.unwrap();
        assert_eq!(
            mine.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            [items[0].id],
            "through the team"
        );
        assert_eq!(store.my_work(other.id, 1, 10).await.unwrap().total, 0);
        store
            .reassign_work_item(&admin, items[1].id, Assignee::User { id: other.id })
            .await
            .unwrap();
        assert_eq!(store.my_work(other.id, 1, 10).await.unwrap().total, 1);
        let err = store
            .reassign_work_item(&admin, items[1].id, Assignee::Team { id: 999 })
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "assignee",
                    ..
                }
            ),
            "{err}"
        );
        let moved = store
            .assign_from_code_owners(None, items[1].id, &["@nobody".into(), "@dev".into()])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.assignee, Assignee::User { id: dev.id });
        assert_eq!(store.my_work(dev.id, 1, 10).await.unwrap().total, 2);
        assert!(
            store
                .assign_from_code_owners(None, items[1].id, &["@nobody".into()])
                .await
                .unwrap()
                .is_none()
        );
        // Done items leave My work.
        store
            .mark_wont_fix(&dev, items[1].id, "decommissioned next sprint")
            .await
            .unwrap();
        assert_eq!(store.my_work(dev.id, 1, 10).await.unwrap().total, 1);
        let log = store.work_item_audit(items[1].id, 1, 10).await.unwrap();
        assert_eq!(log.items[0].action, "work_item.wont_fix");
        assert_eq!(log.items[1].action, "work_item.assign_code_owners");
        assert_eq!(log.items[2].action, "work_item.reassign");
    }
}

#[tokio::test]
async fn fixes_are_approved_by_someone_other_than_the_author_and_only_when_verified() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let sec = user(store, "sec@example.com", Role::Security).await;
        let dev = user(store, "dev@example.com", Role::Developer).await;
        let reviewer = user(store, "rev@example.com", Role::Developer).await;
        let (repo, _dir) = local_repo(store, &sec, "acme/infra").await;
        let c = campaign(store, &sec, &["p"], CampaignScope::default()).await;
        store
            .add_work_items(None, c.id, vec![site(repo.id, "p", "main.tf", 3, &[], &[])])
            .await
            .unwrap();
        let item = store
            .campaign_work_items(c.id, None, 1, 1)
            .await
            .unwrap()
            .items
            .remove(0);

        let err = store.approve_fix(&reviewer, item.id).await.unwrap_err();
        assert!(err.to_string().contains("no proposed fix"), "{err}");
        let err = store
            .propose_fix(
                &dev,
                item.id,
                NewFixProposal {
                    patch: " ".into(),
                    ..proposal(VerificationStatus::Passed)
                },
            )
            .await;
        assert!(matches!(
            err,
            Err(StoreError::Invalid { field: "patch", .. })
        ));

        store
            .propose_fix(&dev, item.id, proposal(VerificationStatus::Failed))
            .await
            .unwrap();
        let err = store.approve_fix(&reviewer, item.id).await.unwrap_err();
        assert!(
            err.to_string().contains("did not pass verification"),
            "{}: {err}",
            db.backend
        );
        let p = store
            .propose_fix(&dev, item.id, proposal(VerificationStatus::Passed))
            .await
            .unwrap();
        assert_eq!(
            store.work_item(item.id).await.unwrap().state,
            WorkItemState::FixProposed
        );
        let err = store.approve_fix(&dev, item.id).await.unwrap_err();
        assert!(matches!(err, StoreError::NotAllowed(_)), "{err}");
        assert!(
            err.to_string().contains("someone other than its author"),
            "{err}"
        );
        assert_eq!(
            store.work_item(item.id).await.unwrap().state,
            WorkItemState::FixProposed,
            "refusal changes nothing"
        );

        let approved = store.approve_fix(&reviewer, item.id).await.unwrap();
        assert_eq!(
            (approved.id, approved.approved_by),
            (p.id, Some(reviewer.id))
        );
        assert_eq!(
            store.work_item(item.id).await.unwrap().state,
            WorkItemState::FixApproved
        );
        let err = store.approve_fix(&sec, item.id).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot move from fix_approved to fix_approved"),
            "{err}"
        );
        let latest = store.latest_fix_proposal(item.id).await.unwrap().unwrap();
        assert_eq!(
            (latest.author_id, latest.verification),
            (dev.id, VerificationStatus::Passed)
        );

        // A won't-fix item cannot be approved or verified directly; reopening is allowed.
        store.reopen_work_item(&dev, item.id).await.unwrap();
        store
            .mark_wont_fix(&dev, item.id, "accepted risk")
            .await
            .unwrap();
        let wf = store.work_item(item.id).await.unwrap();
        assert_eq!(
            (wf.state, wf.wont_fix_reason.as_deref()),
            (WorkItemState::WontFix, Some("accepted risk"))
        );
        assert!(matches!(
            store.mark_wont_fix(&dev, item.id, "again").await,
            Err(StoreError::NotAllowed(_))
        ));
        let err = store.mark_wont_fix(&dev, item.id, "  ").await.unwrap_err();
        assert!(matches!(
            err,
            StoreError::Invalid {
                field: "reason",
                ..
            }
        ));
        let reopened = store.reopen_work_item(&dev, item.id).await.unwrap();
        assert_eq!(
            (reopened.state, reopened.wont_fix_reason),
            (WorkItemState::Open, None)
        );
        assert!(
            matches!(
                store.reopen_work_item(&dev, item.id).await,
                Err(StoreError::NotAllowed(_))
            ),
            "open → open refused"
        );
    }
}
