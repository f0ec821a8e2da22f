//! What the IDE view receives: plain serializable types, built on the server.
use redress_types::{FixProposal, WorkItem};
use serde::{Deserialize, Serialize};

/// The policy's texts shown beside the offending lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyNotes {
    /// Canonical id (`RDX-S3-001`).
    pub id: String,
    /// Title.
    pub title: String,
    /// `low` … `critical`.
    pub severity: String,
    /// Why it matters.
    pub why: String,
    /// When the fix can break things.
    pub breaks: String,
}

/// One file of the repository tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    /// Path relative to the repository root.
    pub path: String,
    /// A `.tf` or `.tfvars` file (shown emphasized).
    pub terraform: bool,
}

/// A run of text with one highlight class (`None` for plain text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// CSS class suffix (`keyword`, `variable-builtin`, …).
    pub class: Option<String>,
    /// The text (shown escaped).
    pub text: String,
}

/// The file open in the code view, highlighted line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFile {
    /// Path relative to the repository root.
    pub path: String,
    /// `lines[i]` is line `i + 1`.
    pub lines: Vec<Vec<Token>>,
    /// Lines left out after the shown ones (a very long file).
    pub more_lines: usize,
}

/// A failing resource instance of the item's policy: the lines to highlight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offending {
    /// The instance address.
    pub address: String,
    /// Its file.
    pub file: String,
    /// First line of its block (1-based).
    pub start_line: u32,
    /// Last line of its block.
    pub end_line: u32,
    /// The violating line.
    pub line: u32,
    /// What is wrong there.
    pub message: String,
}

/// Where the suggested fix comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FixOrigin {
    /// The item's latest stored proposal.
    Stored {
        /// The proposal.
        proposal: FixProposal,
        /// Its author's e-mail.
        author: String,
    },
    /// Generated now by the policy engine (nothing stored yet).
    Generated,
}

/// The suggested fix as the view shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixView {
    /// Stored or generated.
    pub origin: FixOrigin,
    /// The unified diff (what Download patch returns).
    pub patch: String,
    /// The fix-site file the editor edits.
    pub file: String,
    /// The diff rows of every file in the patch: `(file, rows)`.
    pub files: Vec<(String, Vec<super::RowView>)>,
    /// The fix-site file with the fix applied, for the editor; `None` when the patch does
    /// not apply to the current file (the repository moved on).
    pub patched_text: Option<String>,
    /// True when verification passed.
    pub passes: bool,
    /// What verification said, for people.
    pub verification: String,
}

/// One diff row (see `diff::DiffRow`), repeated here so the browser build has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowView {
    /// `hunk`, `context`, `added` or `removed`.
    pub kind: RowKindView,
    /// Line in the old text.
    pub old: Option<u32>,
    /// Line in the new text.
    pub new: Option<u32>,
    /// The line.
    pub text: String,
}

/// What a diff row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowKindView {
    /// A hunk header.
    Hunk,
    /// Unchanged.
    Context,
    /// Only in the new text.
    Added,
    /// Only in the old text.
    Removed,
}

/// Everything the IDE view shows for one work item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    /// The item.
    pub item: WorkItem,
    /// Its repository's name.
    pub repository: String,
    /// Its campaign's name.
    pub campaign: String,
    /// The policy's notes, when the catalog knows the policy.
    pub policy: Option<PolicyNotes>,
    /// Tracked files (at most [`MAX_TREE_FILES`]).
    pub tree: Vec<TreeEntry>,
    /// Files left out of `tree`.
    pub tree_more: usize,
    /// The open file.
    pub file: Option<CodeFile>,
    /// Failing instances of the item's policy that the item covers.
    pub offending: Vec<Offending>,
    /// The suggested fix.
    pub fix: Option<FixView>,
    /// Why there is no fix, or why the repository could not be read.
    pub notice: Option<String>,
    /// Whether the caller may propose, approve and request exceptions.
    pub can_work: bool,
    /// Whether the caller wrote the latest stored proposal (and so may not approve it).
    pub you_proposed: bool,
    /// Who the item is assigned to: a user's display name, `NAME (team)` or `unassigned`.
    pub assignee: String,
    /// Whom the caller may reassign the item to; empty unless security or admin.
    pub assignees: Vec<crate::api::campaigns::AssigneeChoice>,
    /// Earliest expiry date an exception request accepts (`YYYY-MM-DD`).
    pub exception_earliest: String,
    /// Latest expiry date an exception request accepts (`YYYY-MM-DD`).
    pub exception_latest: String,
}

/// Most tree entries sent to the page.
pub const MAX_TREE_FILES: usize = 2_000;
/// Most lines of one file shown in the code view.
pub const MAX_CODE_LINES: usize = 20_000;

/// The live status of an edited fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EditStatus {
    /// It parses and the policy passes.
    Passes,
    /// It parses but the policy still fails.
    FailsPolicy {
        /// What still fails.
        message: String,
    },
    /// It does not parse.
    ParseError {
        /// 1-based line.
        line: u32,
        /// The parser's message.
        message: String,
    },
}

impl EditStatus {
    /// One line for the live status region.
    pub fn describe(&self) -> String {
        match self {
            EditStatus::Passes => "passes policy".to_owned(),
            EditStatus::FailsPolicy { message } => format!("fails policy: {message}"),
            EditStatus::ParseError { line, message } => {
                format!("parse error at line {line}: {message}")
            }
        }
    }
}
