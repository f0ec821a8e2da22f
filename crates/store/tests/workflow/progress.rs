//! Campaign progress and verification counted by the database; a campaign's candidate
//! findings from its policy set or saved filter, within its scope.
use redress_store::{NewCampaign, testing};
use redress_types::{CampaignScope, CampaignSource, FindingQuery, Role, WorkItemState};

use crate::support::{campaign, day, finding, local_repo, raw, set_finding_status, site, user};

#[tokio::test]
async fn progress_and_verification_are_counted_by_the_database() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let conn = raw(&db).await;
        let sec = user(store, "sec@example.com", Role::Security).await;
        let dev = user(store, "dev@example.com", Role::Developer).await;
        let (repo, _dir) = local_repo(store, &sec, "acme/infra").await;
        let c = campaign(store, &sec, &["p"], CampaignScope::default()).await;
        let empty = store.campaign_progress(c.id).await.unwrap();
        assert_eq!((empty.items_total, empty.percent_done), (0, 0.0));
        let f: Vec<i64> = open_findings(&conn, 5).await;
        store
            .add_work_items(
                None,
                c.id,
                vec![
                    site(repo.id, "p", "a.tf", 1, &[f[0], f[1]], &[]),
                    site(repo.id, "p", "b.tf", 1, &[f[2]], &[]),
                    site(repo.id, "p", "c.tf", 1, &[f[3]], &[]),
                    site(repo.id, "p", "d.tf", 1, &[f[4]], &[]),
                ],
            )
            .await
            .unwrap();
        let items = store
            .campaign_work_items(c.id, None, 1, 10)
            .await
            .unwrap()
            .items;
        store
            .mark_wont_fix(&dev, items[3].id, "out of support")
            .await
            .unwrap();
        // Item a: one of two findings closed → not verified; item b: all closed → verified.
        set_finding_status(&conn, f[0], "closed").await;
        set_finding_status(&conn, f[2], "closed").await;
        set_finding_status(&conn, f[4], "closed").await;
        assert_eq!(
            store.verify_work_items(Some(c.id)).await.unwrap(),
            1,
            "{}",
            db.backend
        );
        assert_eq!(
            store.work_item(items[1].id).await.unwrap().state,
            WorkItemState::Verified
        );
        assert_eq!(
            store.work_item(items[0].id).await.unwrap().state,
            WorkItemState::Open
        );
        assert_eq!(
            store.work_item(items[3].id).await.unwrap().state,
            WorkItemState::WontFix,
            "won't-fix is not verified"
        );
        assert_eq!(
            store.verify_work_items(None).await.unwrap(),
            0,
            "idempotent"
        );

        let p = store.campaign_progress(c.id).await.unwrap();
        let count = |s: WorkItemState| p.items_by_state.iter().find(|(x, _)| *x == s).unwrap().1;
        assert_eq!(p.items_by_state.len(), WorkItemState::ALL.len());
        assert_eq!(
            (
                count(WorkItemState::Open),
                count(WorkItemState::Verified),
                count(WorkItemState::WontFix)
            ),
            (2, 1, 1)
        );
        assert_eq!((p.items_total, p.items_done), (4, 2));
        assert_eq!((p.findings_open, p.findings_closed), (2, 3));
        assert!((p.percent_done - 50.0).abs() < 1e-9, "{}", p.percent_done);
        let log = store.work_item_audit(items[1].id, 1, 10).await.unwrap();
        assert_eq!(
            (log.items[0].action.as_str(), log.items[0].actor.as_str()),
            ("work_item.verify", "system")
        );
    }
}

async fn open_findings(conn: &sea_orm::DatabaseConnection, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.push(finding(conn, "checkov", "p", "open", ("high", 3), "").await);
    }
    ids
}

#[tokio::test]
async fn campaign_findings_cross_the_source_with_accounts_and_minimum_severity() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let conn = raw(&db).await;
        let sec = user(store, "sec@example.com", Role::Security).await;
        let high = finding(
            &conn,
            "security-hub",
            "s3-encryption",
            "open",
            ("high", 3),
            "111",
        )
        .await;
        let _low = finding(
            &conn,
            "security-hub",
            "s3-encryption",
            "open",
            ("low", 1),
            "111",
        )
        .await;
        let _other_account = finding(
            &conn,
            "security-hub",
            "s3-encryption",
            "open",
            ("critical", 4),
            "222",
        )
        .await;
        let _closed = finding(
            &conn,
            "security-hub",
            "s3-encryption",
            "closed",
            ("high", 3),
            "111",
        )
        .await;
        let _other_policy = finding(
            &conn,
            "security-hub",
            "rds-encryption",
            "open",
            ("high", 3),
            "111",
        )
        .await;
        let scope = CampaignScope {
            accounts: vec!["111".into()],
            min_severity: Some("medium".into()),
            ..Default::default()
        };
        let c = campaign(store, &sec, &["s3-encryption"], scope.clone()).await;
        let found = store.campaign_findings(c.id).await.unwrap();
        assert_eq!(
            found.iter().map(|f| f.id).collect::<Vec<_>>(),
            [high],
            "{}",
            db.backend
        );
        assert_eq!(found[0].policy_id.as_deref(), Some("s3-encryption"));

        let by_filter = store
            .create_campaign(
                &sec,
                NewCampaign {
                    name: "RDS".into(),
                    description: String::new(),
                    owner_id: sec.id,
                    start_date: day(2026, 3, 1),
                    due_date: day(2026, 3, 2),
                    source: CampaignSource::Filter {
                        filter: FindingQuery {
                            policy: Some("rds-encryption".into()),
                            tool: Some("security-hub".into()),
                            ..Default::default()
                        },
                    },
                    scope: CampaignScope::default(),
                },
            )
            .await
            .unwrap();
        let found = store.campaign_findings(by_filter.id).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].policy_id.as_deref(), Some("rds-encryption"));
    }
}

#[tokio::test]
async fn an_import_verifies_the_items_whose_findings_are_all_closed() {
    for db in testing::all_backends().await.unwrap() {
        let store = &db.store;
        let conn = raw(&db).await;
        let sec = user(store, "sec@example.com", Role::Security).await;
        let (repo, _dir) = local_repo(store, &sec, "acme/infra").await;
        let c = campaign(store, &sec, &["p"], CampaignScope::default()).await;
        let f: Vec<i64> = open_findings(&conn, 2).await;
        store
            .add_work_items(
                None,
                c.id,
                vec![
                    site(repo.id, "p", "a.tf", 1, &[f[0]], &[]),
                    site(repo.id, "p", "b.tf", 1, &[f[1]], &[]),
                ],
            )
            .await
            .unwrap();
        let items = store
            .campaign_work_items(c.id, None, 1, 10)
            .await
            .unwrap()
            .items;
        set_finding_status(&conn, f[0], "closed").await;
        // Closing alone changes no item; the next import verifies it.
        assert_eq!(
            store.work_item(items[0].id).await.unwrap().state,
            WorkItemState::Open
        );
        let empty = serde_json::to_vec(&serde_json::json!({ "Findings": [] })).unwrap();
        store
            .import_findings(
                std::io::Cursor::new(empty),
                redress_store::ImportRequest::new("findings.json"),
            )
            .await
            .unwrap();
        assert_eq!(
            store.work_item(items[0].id).await.unwrap().state,
            WorkItemState::Verified,
            "{}",
            db.backend
        );
        assert_eq!(
            store.work_item(items[1].id).await.unwrap().state,
            WorkItemState::Open,
            "{}",
            db.backend
        );
    }
}
