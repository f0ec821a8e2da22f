//! The human-in-the-loop workflow: audit log, teams, repositories, campaigns, work items and
//! exceptions. Every state-changing operation takes the acting user, is one transaction, and
//! appends its audit event in that same transaction.
//!
//! # Public API (all methods on [`Store`](crate::Store), returning `redress-types` values)
//! - **Audit**: `audit_events(&AuditQuery)` (actor, action, object, campaign, item, date
//!   range; newest first, paged), `campaign_audit`, `work_item_audit`. The `audit_events`
//!   table refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) by trigger.
//! - **Teams**: `create_team`, `add_team_member`, `remove_team_member`, `list_teams`,
//!   `user_team_ids`, `resolve_code_owner` (`@org/team`/name → team, `@user`/e-mail → user),
//!   `names` / `assignee_names` ([`Names`]: display names of users and teams for pages).
//! - **Repositories**: `create_repository` ([`NewRepository`]: local path or GitHub/GitLab
//!   remote with a [`NewToken`], stored sealed with the server's [`SecretKey`]
//!   (ChaCha20-Poly1305, bound to the row); the token is never in a read type),
//!   `set_repository_checkout`,
//!   `add_root_module`/`set_root_state` ([`NewRootState`]), `repository`,
//!   `list_repositories`, `reindex_repository` (runs `redress_iac::Index::build`, stores
//!   counts and file:line errors), `repository_index_errors`, `repository_access_token`
//!   (opens the sealed token with the key, for fetching), `has_unsealed_tokens` /
//!   `seal_stored_tokens` (tokens stored in plain text before sealing), `root_state_content`.
//! - **Campaigns**: `create_campaign` ([`NewCampaign`], starts as draft),
//!   `create_and_plan_campaign` (creates and plans in one transaction), `plan_campaign`
//!   (locates, groups by fix site, proposes verified fixes; one transaction),
//!   `set_campaign_status` (only along `CampaignStatus::can_move_to`), `campaign`,
//!   `list_campaigns`, `campaign_findings` (open findings of the policy set or saved filter
//!   within accounts and minimum severity), `campaign_progress` (counted by the database).
//! - **Work items**: `add_work_items` ([`NewFixSite`]s; one item per repository + policy +
//!   file + line, findings and blast radius merged; repository-glob and team scope applied;
//!   assigned from CODEOWNERS owners), `work_item`, `campaign_work_items`, `my_work`,
//!   `reassign_work_item` (to an active user, a team or nobody; audited with the names),
//!   `assign_from_code_owners`, `mark_wont_fix`, `reopen_work_item`,
//!   `verify_work_items` (items whose findings are all closed). Every state change goes
//!   through the table `redress_types::WORK_ITEM_TRANSITIONS`.
//! - **Fixes**: `propose_fix` ([`NewFixProposal`]: patch, verification status),
//!   `latest_fix_proposal`, `approve_fix` (not by the author; only a passing proposal).
//! - **Exceptions**: `request_exception` ([`NewException`], expiry required and at most
//!   [`ExceptionRules::max_duration`], default 180 days), `approve_exception` /
//!   `deny_exception` (not by the requester), `expire_exceptions` (by the store's clock),
//!   `exception`, `pending_exceptions`, `active_exceptions`, `expiring_exceptions`.
pub(crate) mod audit;
mod campaigns;
mod entities;
mod exceptions;
mod fixes;
mod glob;
mod planning;
mod repositories;
mod secrets;
mod teams;
mod work_items;

pub use campaigns::{CampaignFinding, MAX_CANDIDATE_FINDINGS, NewCampaign};
pub use exceptions::{ExceptionRules, NewException};
pub use fixes::{MAX_PATCH_BYTES, NewFixProposal};
pub use planning::{
    MAX_RECORDED_UNMAPPED, PlanReport, PolicyChoice, UnmappedFinding, policy_choices,
};
pub use repositories::{
    MAX_KEPT_INDEX_ERRORS, MAX_UPLOADED_STATE_BYTES, NewRepository, NewRootState, NewToken,
    RepositorySource,
};
pub use secrets::{SECRET_KEY_ENV, SECRET_KEY_FILE, SecretKey};
pub use teams::Names;
pub use work_items::{AddedWorkItems, NewFixSite};
