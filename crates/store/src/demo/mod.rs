//! Demo data: [`Store::load_demo`] writes a realistic Terraform git repository, registers it
//! with its two root modules and their states, imports findings from three tools through the
//! real import operation, creates the demo users and teams, and runs two campaigns planned
//! into work items by [`Store::plan_campaign`] (one fix approved, one exception pending). Every step goes through the
//! store's own operations and is skipped when its result already exists, so loading twice
//! changes nothing.
mod findings_files;
mod repository;
mod resources;

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use redress_types::{
    CampaignScope, CampaignSource, CampaignStatus, ExceptionScope, Role, UserSummary, WorkItemState,
};
use sea_orm::TransactionTrait;
use serde::Serialize;

use crate::workflow::audit::{Actor, AuditEntry};
use crate::{
    ExceptionRules, ImportRequest, NewCampaign, NewException, NewRepository, NewRootState, NewUser,
    RepositorySource, Store, StoreError,
};

/// The password every demo user shares (printed by `redress demo`).
pub const DEMO_PASSWORD: &str = "redress-demo-2026";
/// The demo repository's name.
pub const DEMO_REPOSITORY: &str = "acme/infra";
/// The two demo campaigns' names.
pub const DEMO_CAMPAIGNS: [&str; 2] = [
    "S3 buckets versioned and encrypted by 31 March",
    "No SSH open to the world",
];

/// One demo user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DemoUser {
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Team, matching the repository's CODEOWNERS.
    pub team: Option<String>,
}

/// What [`Store::load_demo`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    /// True when everything already existed and nothing was written.
    pub already_loaded: bool,
    /// The demo users (all share [`DEMO_PASSWORD`]).
    pub users: Vec<DemoUser>,
    /// The git checkout of the demo repository.
    pub checkout: String,
    /// Findings files imported by this run.
    pub imported_files: u64,
    /// New findings added by this run.
    pub new_findings: u64,
    /// Campaigns created by this run.
    pub campaigns_created: u64,
    /// Work items created by this run.
    pub work_items_created: u64,
}

struct Persona {
    email: &'static str,
    name: &'static str,
    role: Role,
    team: Option<&'static str>,
}

const PERSONAS: [Persona; 4] = [
    Persona {
        email: "sam.security@acme.example",
        name: "Sam Rivera",
        role: Role::Security,
        team: None,
    },
    Persona {
        email: "dana.dev@acme.example",
        name: "Dana Kim",
        role: Role::Developer,
        team: Some("platform"),
    },
    Persona {
        email: "lee.dev@acme.example",
        name: "Lee Okafor",
        role: Role::Developer,
        team: Some("data"),
    },
    Persona {
        email: "morgan.manager@acme.example",
        name: "Morgan Blake",
        role: Role::Manager,
        team: None,
    },
];

/// The demo users by role in the story.
struct Cast {
    security: UserSummary,
    dana: UserSummary,
    lee: UserSummary,
}

impl Store {
    /// Loads the demo dataset, writing the repository checkout under `dir` (e.g.
    /// `data/demo`). `actor` is who asked (recorded in the audit log); `None` for the CLI.
    /// Idempotent: users, teams, the repository, the imports and the campaigns are each
    /// created only when missing.
    pub async fn load_demo(
        &self,
        actor: Option<&UserSummary>,
        dir: &Path,
    ) -> Result<DemoSummary, StoreError> {
        let mut summary = DemoSummary {
            already_loaded: true,
            users: Vec::new(),
            checkout: String::new(),
            imported_files: 0,
            new_findings: 0,
            campaigns_created: 0,
            work_items_created: 0,
        };
        let cast = self.demo_users(&mut summary).await?;
        let repository_id = self
            .demo_repository(&cast.security, dir, &mut summary)
            .await?;
        self.demo_imports(&cast.security, &mut summary).await?;
        self.demo_campaigns(&cast, &mut summary).await?;
        if !summary.already_loaded {
            let txn = self.db.begin().await?;
            AuditEntry::new("demo.load", "repository", repository_id)
                .after(&summary)
                .write(&txn, self, &actor.map_or_else(Actor::system, Actor::user))
                .await?;
            txn.commit().await?;
        }
        Ok(summary)
    }

    async fn demo_users(&self, summary: &mut DemoSummary) -> Result<Cast, StoreError> {
        let mut existing = self.list_users().await?;
        let mut users = Vec::new();
        for p in &PERSONAS {
            let user = match existing.iter().find(|u| u.email == p.email) {
                Some(u) => u.clone(),
                None => {
                    summary.already_loaded = false;
                    let u = self
                        .create_user(NewUser {
                            email: p.email.to_owned(),
                            display_name: Some(p.name.to_owned()),
                            role: p.role,
                            password: DEMO_PASSWORD.to_owned(),
                        })
                        .await?;
                    existing.push(u.clone());
                    u
                }
            };
            summary.users.push(DemoUser {
                email: user.email.clone(),
                display_name: user.display_name.clone(),
                role: user.role,
                team: p.team.map(str::to_owned),
            });
            users.push(user);
        }
        let [security, dana, lee, _manager] = <[UserSummary; 4]>::try_from(users)
            .map_err(|_| StoreError::Conflict("demo data: expected four demo users".into()))?;
        for (team_name, member) in [("platform", &dana), ("data", &lee)] {
            let team = match self
                .list_teams()
                .await?
                .into_iter()
                .find(|t| t.name == team_name)
            {
                Some(t) => t,
                None => {
                    summary.already_loaded = false;
                    self.create_team(&security, team_name).await?
                }
            };
            if !team.member_ids.contains(&member.id) {
                summary.already_loaded = false;
                self.add_team_member(&security, team.id, member.id).await?;
            }
        }
        Ok(Cast {
            security,
            dana,
            lee,
        })
    }

    async fn demo_repository(
        &self,
        security: &UserSummary,
        dir: &Path,
        summary: &mut DemoSummary,
    ) -> Result<i64, StoreError> {
        let dir = dir.to_path_buf();
        let checkout = tokio::task::spawn_blocking(move || repository::write_checkout(&dir))
            .await
            .map_err(|e| {
                StoreError::Conflict(format!("demo data: writing the repository stopped: {e}"))
            })??;
        summary.checkout = checkout.display().to_string();
        if let Some(repo) = self
            .list_repositories()
            .await?
            .into_iter()
            .find(|r| r.name == DEMO_REPOSITORY)
        {
            return Ok(repo.id);
        }
        summary.already_loaded = false;
        let repo = self
            .create_repository(
                security,
                NewRepository {
                    name: DEMO_REPOSITORY.to_owned(),
                    source: RepositorySource::Local {
                        path: summary.checkout.clone(),
                    },
                    default_branch: "main".to_owned(),
                },
            )
            .await?;
        for root in repository::ROOTS {
            self.add_root_module(
                security,
                repo.id,
                root,
                NewRootState::Path(repository::state_path(root)),
            )
            .await?;
        }
        self.reindex_repository(Some(security), repo.id).await?;
        Ok(repo.id)
    }

    async fn demo_imports(
        &self,
        security: &UserSummary,
        summary: &mut DemoSummary,
    ) -> Result<(), StoreError> {
        let done: Vec<String> = self
            .list_imports(1, 200)
            .await?
            .items
            .into_iter()
            .filter(|i| i.status != "failed")
            .map(|i| i.file_name)
            .collect();
        for (file_name, content) in findings_files::all() {
            if done.iter().any(|d| d == file_name) {
                continue;
            }
            summary.already_loaded = false;
            let bytes = serde_json::to_vec(&content)
                .map_err(|e| StoreError::Conflict(format!("demo data: {file_name}: {e}")))?;
            let mut request = ImportRequest::new(file_name);
            request.user_id = Some(security.id);
            request.repository = Some(DEMO_REPOSITORY.to_owned());
            let imported = self
                .import_findings(std::io::Cursor::new(bytes), request)
                .await?;
            summary.imported_files += 1;
            summary.new_findings += imported.new;
        }
        Ok(())
    }

    async fn demo_campaigns(
        &self,
        cast: &Cast,
        summary: &mut DemoSummary,
    ) -> Result<(), StoreError> {
        let existing: Vec<String> = self
            .list_campaigns(None, 1, 200)
            .await?
            .items
            .into_iter()
            .map(|c| c.name)
            .collect();
        let today = self.now().date_naive();
        let march_31 = next_march_31(today);
        let specs: [(&str, &str, &[&str], NaiveDate); 2] = [
            (
                DEMO_CAMPAIGNS[0],
                "Every S3 bucket keeps object versions and declares default encryption, in every environment.",
                &["RDX-S3-001", "RDX-S3-009"],
                march_31,
            ),
            (
                DEMO_CAMPAIGNS[1],
                "No security group opens port 22 to 0.0.0.0/0: use SSM Session Manager or the VPN range.",
                &["RDX-SG-001"],
                today + Duration::days(45),
            ),
        ];
        for (n, (name, description, policies, due)) in specs.into_iter().enumerate() {
            if existing.iter().any(|e| e == name) {
                continue;
            }
            summary.already_loaded = false;
            let campaign = self
                .create_campaign(
                    &cast.security,
                    NewCampaign {
                        name: name.to_owned(),
                        description: description.to_owned(),
                        owner_id: cast.security.id,
                        start_date: today - Duration::days(14),
                        due_date: due,
                        source: CampaignSource::PolicySet {
                            policies: policies.iter().map(|p| (*p).to_owned()).collect(),
                        },
                        scope: CampaignScope::default(),
                    },
                )
                .await?;
            self.set_campaign_status(&cast.security, campaign.id, CampaignStatus::Active)
                .await?;
            let report = self.plan_campaign(&cast.security, campaign.id).await?;
            summary.campaigns_created += 1;
            summary.work_items_created += report.items_created;
            let items = self
                .campaign_work_items(campaign.id, None, 1, 200)
                .await?
                .items;
            if n == 0 {
                // One of the verified fixes planning proposed is approved by Lee.
                let proposed = items.iter().find(|i| i.state == WorkItemState::FixProposed);
                if let Some(item) = proposed {
                    self.approve_fix(&cast.lee, item.id).await?;
                }
            } else if let Some(item) = items
                .iter()
                .find(|i| i.file.starts_with("envs/staging/"))
                .or(items.first())
            {
                // One exception waiting for the security lead.
                self.request_exception(
                    &cast.dana,
                    NewException {
                        scope: ExceptionScope::WorkItem { work_item_id: item.id },
                        justification: "The staging build workers are reached over SSH only while debugging failed builds; \
                                        they move behind SSM Session Manager next quarter."
                            .to_owned(),
                        expires_at: Some(self.now() + Duration::days(90)),
                    },
                    &ExceptionRules::default(),
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// The next 31 March after `today` (today itself when it is 31 March).
fn next_march_31(today: NaiveDate) -> NaiveDate {
    let this_year = NaiveDate::from_ymd_opt(today.year(), 3, 31);
    match this_year {
        Some(d) if d >= today => d,
        _ => NaiveDate::from_ymd_opt(today.year() + 1, 3, 31).unwrap_or(today),
    }
}
