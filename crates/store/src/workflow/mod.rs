//! The human-in-the-loop workflow: audit log, teams, repositories, campaigns, work items and
//! exceptions. Every state-changing operation is one transaction that also appends its
//! audit event.
pub(crate) mod audit;
mod campaigns;
mod entities;
mod exceptions;
mod fixes;
mod glob;
mod repositories;
mod teams;
mod work_items;

pub use campaigns::{CampaignFinding, MAX_CANDIDATE_FINDINGS, NewCampaign};
pub use exceptions::{ExceptionRules, NewException};
pub use fixes::{MAX_PATCH_BYTES, NewFixProposal};
pub use repositories::{
    MAX_KEPT_INDEX_ERRORS, MAX_UPLOADED_STATE_BYTES, NewRepository, NewRootState, RepositorySource,
};
pub use work_items::{AddedWorkItems, NewFixSite};
