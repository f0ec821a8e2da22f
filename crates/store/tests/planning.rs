//! Campaign planning on every backend: findings from a Security Hub import are located in a
//! small repository the test writes, grouped by fix site, proposed with a verified fix,
//! assigned from CODEOWNERS, and the unlocatable ones stay visible with their reason.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]
use chrono::NaiveDate;
use redress_store::{
    ImportRequest, NewCampaign, NewRepository, NewRootState, NewUser, RepositorySource, Store,
    testing::all_backends,
};
use redress_types::{
    Assignee, AuditQuery, CampaignScope, CampaignSource, CampaignStatus, Role, UserSummary,
    VerificationStatus, WorkItemState,
};

const MAIN_TF: &str = r#"resource "aws_db_instance" "app" {
  count             = 2
  identifier        = "app-${count.index}"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = false
}
"#;

const STATE: &str = r#"{"version":4,"terraform_version":"1.6.0","serial":1,"lineage":"x","outputs":{},
"resources":[{"mode":"managed","type":"aws_db_instance","name":"app","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]",
"instances":[
 {"index_key":0,"schema_version":0,"attributes":{"id":"app-0","identifier":"app-0","arn":"arn:aws:rds:eu-west-1:111122223333:db:app-0"}},
 {"index_key":1,"schema_version":0,"attributes":{"id":"app-1","identifier":"app-1","arn":"arn:aws:rds:eu-west-1:111122223333:db:app-1"}}
]}]}"#;

/// Security Hub RDS.3 (storage not encrypted) findings for these ARNs.
fn rds3(arns: &[&str]) -> Vec<u8> {
    let records: Vec<serde_json::Value> = arns
        .iter()
        .enumerate()
        .map(|(n, arn)| {
            serde_json::json!({
                "SchemaVersion": "2018-10-08",
                "Id": format!("finding-{n}"),
                "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
                "GeneratorId": "security-control/RDS.3",
                "AwsAccountId": "111122223333",
                "Region": "eu-west-1",
                "Title": "RDS DB instances should have encryption at-rest enabled",
                "Description": "A control failed.",
                "Severity": {"Label": "MEDIUM"},
                "Compliance": {"Status": "FAILED", "SecurityControlId": "RDS.3"},
                "Workflow": {"Status": "NEW"},
                "RecordState": "ACTIVE",
                "Resources": [{"Type": "AwsRdsDbInstance", "Id": arn, "Region": "eu-west-1"}],
                "CreatedAt": "2026-01-01T00:00:00Z",
                "UpdatedAt": "2026-01-02T00:00:00Z"
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Findings": records })).unwrap()
}

async fn user(store: &Store, email: &str, role: Role) -> UserSummary {
    store
        .create_user(NewUser {
            email: email.into(),
            display_name: None,
            role,
            password: "a long password".into(),
        })
        .await
        .unwrap()
}

fn campaign(owner: &UserSummary, glob: Option<&str>) -> NewCampaign {
    NewCampaign {
        name: "Encrypt every RDS instance".into(),
        description: String::new(),
        owner_id: owner.id,
        start_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        due_date: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        source: CampaignSource::PolicySet {
            policies: vec!["RDX-RDS-001".into()],
        },
        scope: CampaignScope {
            repository_glob: glob.map(str::to_owned),
            ..CampaignScope::default()
        },
    }
}

#[tokio::test]
async fn count_instances_become_one_item_with_a_verified_fix_and_strays_stay_unmapped() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let lead = user(store, "lead@example.com", Role::Security).await;
        let dev = user(store, "dev@example.com", Role::Developer).await;
        let team = store.create_team(&lead, "platform").await.unwrap();
        store.add_team_member(&lead, team.id, dev.id).await.unwrap();

        let _dir = repository_with_findings(
            store,
            &lead,
            &[
                "arn:aws:rds:eu-west-1:111122223333:db:app-0",
                "arn:aws:rds:eu-west-1:111122223333:db:app-1",
                "arn:aws:rds:eu-west-1:111122223333:db:elsewhere",
            ],
        )
        .await;

        let c = store
            .create_campaign(&lead, campaign(&lead, Some("acme/*")))
            .await
            .unwrap();
        let report = store.plan_campaign(&lead, c.id).await.unwrap();
        assert_eq!(report.findings, 3, "{}: {report:?}", db.backend);
        assert_eq!(report.placed, 2, "{}: {report:?}", db.backend);
        assert_eq!(
            report.items_created, 1,
            "both count instances share one fix site"
        );
        assert_eq!(report.fixes_proposed, 1);
        assert_eq!(report.unmapped_total, 1);
        assert!(
            report.unmapped[0]
                .resource
                .as_deref()
                .unwrap()
                .ends_with(":db:elsewhere"),
            "{report:?}"
        );
        assert!(!report.unmapped[0].reason.is_empty());

        let items = store.campaign_work_items(c.id, None, 1, 50).await.unwrap();
        assert_eq!(items.total, 1);
        let item = &items.items[0];
        assert_eq!(item.state, WorkItemState::FixProposed);
        assert_eq!(item.file, "main.tf");
        assert_eq!(item.line, 6, "the fix site is the offending attribute");
        assert_eq!(item.finding_ids.len(), 2);
        assert_eq!(
            item.blast_radius,
            vec![
                "aws_db_instance.app[0]".to_owned(),
                "aws_db_instance.app[1]".to_owned()
            ]
        );
        assert_eq!(
            item.assignee,
            Assignee::Team { id: team.id },
            "from CODEOWNERS"
        );
        let proposal = store.latest_fix_proposal(item.id).await.unwrap().unwrap();
        assert_eq!(proposal.verification, VerificationStatus::Passed);
        assert!(
            proposal.patch.contains("+  storage_encrypted = true"),
            "{}",
            proposal.patch
        );
        assert_eq!(proposal.author_id, lead.id);
        // The developer (not the author) can approve the generated fix.
        store.approve_fix(&dev, item.id).await.unwrap();

        // The unmapped finding stays visible on the campaign with its reason.
        let (total, unmapped) = store.campaign_unmapped(c.id).await.unwrap();
        assert_eq!((total, unmapped), (1, report.unmapped.clone()));

        // Planning again adds nothing new and leaves the approved item alone.
        let again = store.plan_campaign(&lead, c.id).await.unwrap();
        assert_eq!(
            (
                again.items_created,
                again.items_merged,
                again.fixes_proposed
            ),
            (0, 1, 0)
        );
        let item = store.work_item(item.id).await.unwrap();
        assert_eq!(item.state, WorkItemState::FixApproved);

        // A campaign whose glob matches no repository reports every finding unmapped.
        let other = store
            .create_campaign(&lead, campaign(&lead, Some("other/*")))
            .await
            .unwrap();
        let none = store.plan_campaign(&lead, other.id).await.unwrap();
        assert_eq!((none.placed, none.unmapped_total), (0, 3));
        assert!(none.unmapped[0].reason.contains("no registered repository"));
    }
}

/// The repository `acme/infra` (MAIN_TF, a CODEOWNERS giving `*.tf` to `@acme/platform`, the
/// state of both instances) and RDS.3 findings for `arns`, imported.
async fn repository_with_findings(
    store: &Store,
    lead: &UserSummary,
    arns: &[&str],
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), MAIN_TF).unwrap();
    std::fs::write(dir.path().join("CODEOWNERS"), "*.tf @acme/platform\n").unwrap();
    let repo = store
        .create_repository(
            lead,
            NewRepository {
                name: "acme/infra".into(),
                source: RepositorySource::Local {
                    path: dir.path().display().to_string(),
                },
                default_branch: String::new(),
            },
        )
        .await
        .unwrap();
    store
        .add_root_module(lead, repo.id, ".", NewRootState::Uploaded(STATE.into()))
        .await
        .unwrap();
    store
        .import_findings(
            std::io::Cursor::new(rds3(arns)),
            ImportRequest::new("hub.json"),
        )
        .await
        .unwrap();
    dir
}

/// How many audit events of this action the store holds.
async fn events(store: &Store, action: &str) -> u64 {
    store
        .audit_events(&AuditQuery {
            action: Some(action.into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn creating_and_planning_is_one_transaction() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let lead = user(store, "lead@example.com", Role::Security).await;
        let _dir = repository_with_findings(
            store,
            &lead,
            &[
                "arn:aws:rds:eu-west-1:111122223333:db:app-0",
                "arn:aws:rds:eu-west-1:111122223333:db:app-1",
            ],
        )
        .await;

        // The owner does not exist: planning was worked out, but nothing is written.
        let mut bad = campaign(&lead, None);
        bad.owner_id = lead.id + 1000;
        let err = store
            .create_and_plan_campaign(&lead, bad)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert_eq!(store.list_campaigns(None, 1, 50).await.unwrap().total, 0);
        assert_eq!(events(store, "campaign.plan").await, 0, "{}", db.backend);
        assert_eq!(events(store, "work_item.create").await, 0);

        // Valid: the campaign, its item, the verified fix and both audit events appear together.
        let (c, report) = store
            .create_and_plan_campaign(&lead, campaign(&lead, None))
            .await
            .unwrap();
        assert_eq!(c.status, CampaignStatus::Draft);
        assert_eq!(
            (report.placed, report.items_created, report.fixes_proposed),
            (2, 1, 1),
            "{}: {report:?}",
            db.backend
        );
        let items = store.campaign_work_items(c.id, None, 1, 50).await.unwrap();
        assert_eq!(items.total, 1);
        assert_eq!(items.items[0].state, WorkItemState::FixProposed);
        assert_eq!(events(store, "campaign.create").await, 1);
        assert_eq!(events(store, "campaign.plan").await, 1);

        // Planning an archived campaign is refused and records no plan run.
        store
            .set_campaign_status(&lead, c.id, CampaignStatus::Archived)
            .await
            .unwrap();
        let err = store.plan_campaign(&lead, c.id).await.unwrap_err();
        assert!(err.to_string().contains("archived"), "{err}");
        assert_eq!(events(store, "campaign.plan").await, 1, "{}", db.backend);
    }
}
