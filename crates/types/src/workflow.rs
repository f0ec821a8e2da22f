//! The human-in-the-loop workflow: teams, repositories, campaigns, work items, exceptions and
//! the audit log, as the pages see them. The work-item state machine lives here
//! ([`WorkItemState::can_move_to`]) so the browser can show only the actions that are allowed.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A name that is not one of an enum's stable names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}: expected one of {expected}")]
pub struct UnknownName {
    /// What was being parsed (`campaign status`, …).
    pub kind: &'static str,
    /// The value given.
    pub value: String,
    /// The accepted names, comma-separated.
    pub expected: String,
}

/// Declares a string-backed enum with `as_str`, `ALL`, `Display` and `FromStr`.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable name stored in the database and used in URLs.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s.trim()).ok_or_else(|| UnknownName {
                    kind: $kind,
                    value: s.to_owned(),
                    expected: Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                })
            }
        }
    };
}

named_enum!(
    /// Where a campaign is in its life.
    CampaignStatus, "campaign status" {
        /// Being prepared; items may be added.
        Draft = "draft",
        /// Running: people work its items.
        Active = "active",
        /// Finished.
        Completed = "completed",
        /// Hidden from the default lists.
        Archived = "archived",
    }
);

impl CampaignStatus {
    /// The allowed status changes: draft → active; active → completed; completed → active
    /// (reopen); draft, active and completed → archived; archived → draft (restore).
    pub fn can_move_to(self, to: CampaignStatus) -> bool {
        use CampaignStatus::*;
        matches!(
            (self, to),
            (Draft, Active)
                | (Active, Completed)
                | (Completed, Active)
                | (Draft | Active | Completed, Archived)
                | (Archived, Draft)
        )
    }
}

named_enum!(
    /// The state of one work item.
    WorkItemState, "work item state" {
        /// Nobody has proposed a fix yet (or the last attempt was withdrawn).
        Open = "open",
        /// A fix is proposed and awaits review.
        FixProposed = "fix_proposed",
        /// A reviewer other than the author approved the fix.
        FixApproved = "fix_approved",
        /// A change request (PR, MR or branch) carries the fix.
        ChangeRequestOpen = "change_request_open",
        /// The change request was merged.
        Merged = "merged",
        /// The next import or scan shows the item's findings closed.
        Verified = "verified",
        /// An approved exception covers the item until its expiry.
        Excepted = "excepted",
        /// Decided not to fix, with a reason.
        WontFix = "wont_fix",
    }
);

/// The allowed work-item transitions, `(from, to)`. This table is the only place the rules live.
pub const WORK_ITEM_TRANSITIONS: &[(WorkItemState, WorkItemState)] = {
    use WorkItemState::*;
    &[
        (Open, FixProposed),
        (Open, Excepted),
        (Open, WontFix),
        (Open, Verified),
        // A revised proposal replaces the previous one.
        (FixProposed, FixProposed),
        (FixProposed, FixApproved),
        (FixProposed, Open),
        (FixProposed, Excepted),
        (FixProposed, WontFix),
        (FixProposed, Verified),
        // Revising an approved fix needs a new review.
        (FixApproved, FixProposed),
        (FixApproved, ChangeRequestOpen),
        (FixApproved, Merged),
        (FixApproved, Open),
        (FixApproved, Excepted),
        (FixApproved, Verified),
        (ChangeRequestOpen, Merged),
        (ChangeRequestOpen, FixApproved),
        (ChangeRequestOpen, Verified),
        (Merged, Verified),
        (Merged, Open),
        // Findings came back.
        (Verified, Open),
        // Exception expired, revoked or rejected.
        (Excepted, Open),
        (WontFix, Open),
    ]
};

impl WorkItemState {
    /// Whether `self → to` is in [`WORK_ITEM_TRANSITIONS`].
    pub fn can_move_to(self, to: WorkItemState) -> bool {
        WORK_ITEM_TRANSITIONS.contains(&(self, to))
    }

    /// States that count as done for campaign progress.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            WorkItemState::Verified | WorkItemState::Excepted | WorkItemState::WontFix
        )
    }
}

named_enum!(
    /// What a fix proposal's verification said.
    VerificationStatus, "verification status" {
        /// Not verified yet.
        Pending = "pending",
        /// Parses and the policy passes.
        Passed = "passed",
        /// Parses but the policy still fails (or another one newly fails).
        Failed = "failed",
        /// The patched file does not parse.
        ParseError = "parse_error",
    }
);

named_enum!(
    /// Where an exception request stands.
    ExceptionStatus, "exception status" {
        /// Awaiting a decision.
        Pending = "pending",
        /// Approved and in force until its expiry.
        Approved = "approved",
        /// Denied; its items returned to open.
        Denied = "denied",
        /// Was approved, and its expiry passed; its items reopened.
        Expired = "expired",
    }
);

named_enum!(
    /// Where a repository comes from.
    RepositoryKind, "repository kind" {
        /// A git checkout on the server's disk.
        Local = "local",
        /// A GitHub remote.
        Github = "github",
        /// A GitLab remote.
        Gitlab = "gitlab",
    }
);

/// One audit-log row: who did what to which object, when, before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Database id (increasing).
    pub id: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The acting user's id; `None` for the system (expiry, imports).
    pub actor_id: Option<i64>,
    /// The acting user's e-mail at the time, or `system`.
    pub actor: String,
    /// What was done (`work_item.approve_fix`, `exception.request`, …).
    pub action: String,
    /// The kind of object (`work_item`, `campaign`, `user`, …).
    pub object_type: String,
    /// The object's id.
    pub object_id: Option<i64>,
    /// The campaign it belongs to, when any.
    pub campaign_id: Option<i64>,
    /// The work item it belongs to, when any.
    pub work_item_id: Option<i64>,
    /// The object (or the changed fields) before, as JSON text; `None` on creation.
    pub before: Option<String>,
    /// The object (or the changed fields) after, as JSON text.
    pub after: Option<String>,
}

/// Filters for the global audit log; every field narrows the result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only this user's actions.
    pub actor_id: Option<i64>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this kind of object.
    pub object_type: Option<String>,
    /// Only this object (with `object_type`).
    pub object_id: Option<i64>,
    /// Only this campaign's events.
    pub campaign_id: Option<i64>,
    /// Only this work item's events.
    pub work_item_id: Option<i64>,
    /// At or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
    /// 1-based page.
    pub page: u64,
    /// Rows per page (capped by the store).
    pub per_page: u64,
}

/// A team and its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Database id.
    pub id: i64,
    /// Name, unique; CODEOWNERS `@org/NAME` or `NAME` refers to it.
    pub name: String,
    /// Member user ids, ascending.
    pub member_ids: Vec<i64>,
}

/// Who a work item is assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Assignee {
    /// Nobody yet.
    Unassigned,
    /// A user.
    User {
        /// User id.
        id: i64,
    },
    /// A team.
    Team {
        /// Team id.
        id: i64,
    },
}

/// A root module of a repository and where its state comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootModule {
    /// Database id.
    pub id: i64,
    /// Directory relative to the repository root (`.` for the top).
    pub path: String,
    /// The state: none, an uploaded file (size only here), or a path.
    pub state: RootState,
}

/// Where a root module's state comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RootState {
    /// No state: locate falls back to code only.
    None,
    /// A tfstate uploaded into the database.
    Uploaded {
        /// Its size in bytes.
        bytes: u64,
    },
    /// A tfstate file on the server, relative to the repository root.
    Path {
        /// The path.
        path: String,
    },
}

/// One syntax error found by the last index run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexError {
    /// File relative to the repository root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// What the last index run of a repository found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSummary {
    /// When it ran.
    pub indexed_at: DateTime<Utc>,
    /// Terraform files parsed.
    pub files: u64,
    /// Resource blocks.
    pub resources: u64,
    /// Module calls.
    pub modules: u64,
    /// Files skipped (too large, unreadable).
    pub skipped: u64,
    /// Syntax errors found, all of them (the store keeps the first 500 for paging).
    pub error_count: u64,
    /// The first syntax errors (up to 50 here; the store pages through all kept ones).
    pub errors: Vec<IndexError>,
    /// Why the run failed as a whole (unreadable root), if it did.
    pub failure: Option<String>,
}

/// A registered repository. The access token is never part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    /// Database id.
    pub id: i64,
    /// Unique name (`acme/infra`), used by campaign repository globs.
    pub name: String,
    /// Local checkout or remote.
    pub kind: RepositoryKind,
    /// The checkout directory (for a remote: its local cache, once fetched).
    pub local_path: Option<String>,
    /// `owner/repo` for a remote.
    pub remote: Option<String>,
    /// The default branch.
    pub default_branch: String,
    /// Whether an access token is stored (it is never returned).
    pub has_token: bool,
    /// Root modules with their states.
    pub roots: Vec<RootModule>,
    /// The last index run, if any.
    pub last_index: Option<IndexSummary>,
}

/// Which findings a campaign is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CampaignSource {
    /// These canonical policy ids.
    PolicySet {
        /// Policy ids.
        policies: Vec<String>,
    },
    /// A saved findings filter (the Findings page's query; its paging is ignored).
    Filter {
        /// The filter.
        filter: crate::FindingQuery,
    },
}

/// What a campaign covers, crossed with its source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignScope {
    /// Repository names matching this glob (`acme/*`); `None` for all.
    pub repository_glob: Option<String>,
    /// Only these cloud accounts (empty for all).
    pub accounts: Vec<String>,
    /// Only items owned by these team ids (empty for all).
    pub teams: Vec<i64>,
    /// Only findings at or above this severity (`low` … `critical`).
    pub min_severity: Option<String>,
}

/// A campaign as lists and its page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    /// Database id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Owner user id.
    pub owner_id: i64,
    /// First day.
    pub start_date: NaiveDate,
    /// Due day.
    pub due_date: NaiveDate,
    /// Status.
    pub status: CampaignStatus,
    /// Policy set or filter.
    pub source: CampaignSource,
    /// Scope.
    pub scope: CampaignScope,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A campaign's progress, every number counted by the database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignProgress {
    /// Items per state, in [`WorkItemState::ALL`] order, states with no items included.
    pub items_by_state: Vec<(WorkItemState, u64)>,
    /// All items.
    pub items_total: u64,
    /// Items in a done state (verified, excepted, won't fix).
    pub items_done: u64,
    /// Distinct findings of the campaign's items still open.
    pub findings_open: u64,
    /// Distinct findings of the campaign's items closed or suppressed.
    pub findings_closed: u64,
    /// `items_done / items_total` as a percentage (0 when there are no items).
    pub percent_done: f64,
}

/// One work item: a fix site inside a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    /// Database id.
    pub id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// Its repository.
    pub repository_id: i64,
    /// The canonical policy the fix is for.
    pub policy_id: String,
    /// The file the fix changes, relative to the repository root.
    pub file: String,
    /// The 1-based line the fix changes.
    pub line: u32,
    /// A short title for lists.
    pub title: String,
    /// State.
    pub state: WorkItemState,
    /// Who works on it.
    pub assignee: Assignee,
    /// Until when it is excepted (state `excepted`).
    pub excepted_until: Option<DateTime<Utc>>,
    /// Why it will not be fixed (state `wont_fix`).
    pub wont_fix_reason: Option<String>,
    /// Ids of the findings this item closes, ascending.
    pub finding_ids: Vec<i64>,
    /// Resource instance addresses the fix changes (its blast radius), sorted.
    pub blast_radius: Vec<String>,
}

/// A proposed fix for a work item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixProposal {
    /// Database id.
    pub id: i64,
    /// The item.
    pub work_item_id: i64,
    /// The unified diff.
    pub patch: String,
    /// Who wrote (or accepted the generated) change.
    pub author_id: i64,
    /// What verification said.
    pub verification: VerificationStatus,
    /// Verification details (failing policy, parse error with its line).
    pub verification_detail: Option<String>,
    /// When it was proposed.
    pub created_at: DateTime<Utc>,
    /// Who approved it, when approved.
    pub approved_by: Option<i64>,
    /// When it was approved.
    pub approved_at: Option<DateTime<Utc>>,
}

/// What an exception covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExceptionScope {
    /// Only this work item's resource instances.
    WorkItem {
        /// The item.
        work_item_id: i64,
    },
    /// One policy in one repository, optionally only under a path glob.
    Policy {
        /// The canonical policy id.
        policy_id: String,
        /// The repository.
        repository_id: i64,
        /// Files matching this glob (`modules/legacy/**`); `None` for the whole repository.
        path_glob: Option<String>,
    },
}

/// An exception request or decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// Database id.
    pub id: i64,
    /// What it covers.
    pub scope: ExceptionScope,
    /// Why.
    pub justification: String,
    /// When it stops applying.
    pub expires_at: DateTime<Utc>,
    /// Where it stands.
    pub status: ExceptionStatus,
    /// Who asked.
    pub requested_by: i64,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Who decided, once decided.
    pub decided_by: Option<i64>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decider's note.
    pub decision_note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for state in WorkItemState::ALL {
            assert_eq!(state.as_str().parse::<WorkItemState>(), Ok(*state));
        }
        let err = "closed".parse::<CampaignStatus>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown campaign status \"closed\": expected one of draft, active, completed, archived"
        );
    }

    #[test]
    fn transitions_follow_the_table() {
        use WorkItemState::*;
        assert!(Open.can_move_to(FixProposed));
        assert!(FixProposed.can_move_to(FixApproved));
        assert!(Excepted.can_move_to(Open));
        assert!(
            !Open.can_move_to(FixApproved),
            "approval needs a proposal first"
        );
        assert!(!Open.can_move_to(Merged));
        assert!(!WontFix.can_move_to(Verified));
        assert!(!Open.can_move_to(Open));
        // Every state can get back to open somehow, except open itself.
        for s in WorkItemState::ALL.iter().filter(|s| **s != Open) {
            assert!(
                s.can_move_to(Open) || s.can_move_to(FixApproved),
                "{s} is a dead end"
            );
        }
    }

    #[test]
    fn campaign_status_moves() {
        use CampaignStatus::*;
        assert!(Draft.can_move_to(Active));
        assert!(!Draft.can_move_to(Completed));
        assert!(!Archived.can_move_to(Active));
        assert!(Archived.can_move_to(Draft));
    }
}
