//! A forge-neutral change request: a GitHub pull request, a GitLab merge request, or a plain
//! local branch. Types only; opening them on a forge comes later.

use serde::{Deserialize, Serialize};

/// What carries the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChangeRequestKind {
    /// A GitHub pull request.
    PullRequest,
    /// A GitLab merge request.
    MergeRequest,
    /// A branch in a local repository, for people who push it themselves.
    LocalBranch,
}

/// Where a change request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChangeRequestState {
    /// Opened as a draft (not yet ready for review).
    Draft,
    /// Open for review (for a local branch: the branch exists).
    Open,
    /// Merged into its base.
    Merged,
    /// Closed without merging (for a local branch: deleted).
    Closed,
}

/// How one file changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileChangeKind {
    /// The file is new.
    Added,
    /// The file's content changes.
    Modified,
    /// The file is removed.
    Deleted,
}

/// A file a change request touches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// Repository-relative path, `/`-separated.
    pub path: String,
    /// How it changes.
    pub change: FileChangeKind,
}

/// A PR, MR or local branch carrying approved fixes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    /// What carries the change.
    pub kind: ChangeRequestKind,
    /// One-line title.
    pub title: String,
    /// Description (Markdown).
    pub body: String,
    /// The branch holding the change.
    pub branch: String,
    /// The branch it is meant to merge into.
    pub base: String,
    /// Commit id at the tip of `branch`, once created.
    pub head_commit: Option<String>,
    /// Files the change touches.
    pub files_changed: Vec<ChangedFile>,
    /// Where it stands.
    pub state: ChangeRequestState,
    /// Number on the forge (`#12`, `!12`); `None` for a local branch.
    pub number: Option<u64>,
    /// Web address on the forge; `None` for a local branch.
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_request_round_trips_through_json_with_stable_names() {
        let request = ChangeRequest {
            kind: ChangeRequestKind::MergeRequest,
            title: "Encrypt RDS instances".to_owned(),
            body: "Closes 3 findings.".to_owned(),
            branch: "redress/rds-encryption".to_owned(),
            base: "main".to_owned(),
            head_commit: None,
            files_changed: vec![ChangedFile {
                path: "modules/rds/main.tf".to_owned(),
                change: FileChangeKind::Modified,
            }],
            state: ChangeRequestState::Draft,
            number: Some(12),
            url: None,
        };
        let json = serde_json::to_value(&request).expect("serializes");
        assert_eq!(json["kind"], "MergeRequest");
        assert_eq!(json["state"], "Draft");
        assert_eq!(json["files_changed"][0]["change"], "Modified");
        let back: ChangeRequest = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, request);
    }
}
