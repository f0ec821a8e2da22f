//! `Store::load_demo` on every backend: the populated app, and loading twice adds nothing.
use redress_store::{DEMO_CAMPAIGNS, DEMO_PASSWORD, DEMO_REPOSITORY, testing::all_backends};
use redress_types::{
    Assignee, ExceptionScope, FindingQuery, Role, VerificationStatus, WorkItemState,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_loads_a_populated_app_once() {
    for db in all_backends().await.expect("backends") {
        let store = &db.store;
        let dir = tempfile::tempdir().expect("tempdir");
        let first = store
            .load_demo(None, dir.path())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.backend));
        assert!(!first.already_loaded);
        assert_eq!(first.imported_files, 3, "{}", db.backend);
        assert_eq!(first.campaigns_created, 2);
        assert!(first.work_items_created >= 3, "{first:?}");

        // Users for each role can log in with the shared password.
        let roles: Vec<Role> = first.users.iter().map(|u| u.role).collect();
        assert_eq!(
            roles,
            [
                Role::Security,
                Role::Developer,
                Role::Developer,
                Role::Manager
            ]
        );
        for u in &first.users {
            store
                .authenticate(&u.email, DEMO_PASSWORD)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", u.email));
        }

        // The repository is indexed with its two roots.
        let repo = store
            .list_repositories()
            .await
            .expect("repos")
            .into_iter()
            .find(|r| r.name == DEMO_REPOSITORY)
            .expect("demo repo");
        assert_eq!(repo.roots.len(), 2);
        let index = repo.last_index.expect("indexed");
        assert!(index.resources >= 8 && index.modules >= 5, "{index:?}");
        assert_eq!(index.error_count, 0);

        // Findings from three tools, correlated to policies.
        let findings = store
            .list_findings(&FindingQuery::default())
            .await
            .expect("findings");
        assert!(findings.total >= 20, "{}", findings.total);
        let facets = store.finding_facets().await.expect("facets");
        assert!(facets.tools.len() >= 3, "{:?}", facets.tools);

        // Two active campaigns; items assigned from CODEOWNERS; one approved fix, one pending exception.
        let campaigns = store
            .list_campaigns(None, 1, 50)
            .await
            .expect("campaigns")
            .items;
        for name in DEMO_CAMPAIGNS {
            assert!(
                campaigns
                    .iter()
                    .any(|c| c.name == name && c.status.as_str() == "active"),
                "{name}"
            );
        }
        let mut all_items = Vec::new();
        for c in &campaigns {
            all_items.extend(
                store
                    .campaign_work_items(c.id, None, 1, 200)
                    .await
                    .expect("items")
                    .items,
            );
        }
        assert!(
            all_items
                .iter()
                .all(|i| !i.finding_ids.is_empty() || i.state == WorkItemState::Open)
        );
        assert!(
            all_items.iter().any(|i| !i.finding_ids.is_empty()),
            "findings are attached to items"
        );
        assert!(
            all_items
                .iter()
                .all(|i| matches!(i.assignee, Assignee::Team { .. })),
            "CODEOWNERS teams resolve"
        );
        let approved: Vec<_> = all_items
            .iter()
            .filter(|i| i.state == WorkItemState::FixApproved)
            .collect();
        assert_eq!(approved.len(), 1);
        let proposal = store
            .latest_fix_proposal(approved[0].id)
            .await
            .expect("proposal")
            .expect("has one");
        assert_eq!(proposal.verification, VerificationStatus::Passed);
        assert!(
            proposal.patch.starts_with("--- a/") || proposal.patch.starts_with("diff --git"),
            "{}",
            proposal.patch
        );
        let pending = store.pending_exceptions(1, 50).await.expect("pending");
        assert_eq!(pending.total, 1);
        assert!(matches!(
            pending.items[0].scope,
            ExceptionScope::WorkItem { .. }
        ));

        // Twice: nothing new.
        let audit_before = store
            .audit_events(&Default::default())
            .await
            .expect("audit")
            .total;
        let second = store
            .load_demo(None, dir.path())
            .await
            .expect("second load");
        assert!(second.already_loaded, "{second:?}");
        assert_eq!(
            (
                second.imported_files,
                second.campaigns_created,
                second.work_items_created
            ),
            (0, 0, 0)
        );
        assert_eq!(
            store
                .list_findings(&FindingQuery::default())
                .await
                .expect("findings")
                .total,
            findings.total
        );
        assert_eq!(
            store
                .list_campaigns(None, 1, 50)
                .await
                .expect("campaigns")
                .total,
            2
        );
        assert_eq!(store.list_users().await.expect("users").len(), 4);
        assert_eq!(
            store
                .audit_events(&Default::default())
                .await
                .expect("audit")
                .total,
            audit_before
        );
    }
}
