//! Repositories and forges: CODEOWNERS, local git, remote mirrors and change requests.
//!
//! **What this crate owns.** Everything Redress does with a Terraform repository as a git
//! repository, with no web stack and no database:
//! - [`CodeOwners`]: parse GitHub or GitLab CODEOWNERS files and answer
//!   [`CodeOwners::owners_for`] a path, each [`Owner`] with the 1-based line of the rule that
//!   decided it; [`CodeOwnersSyntax::locations`] gives each forge's lookup order.
//! - [`LocalRepo`]: a checked local git checkout (or a bare mirror) driven through the `git`
//!   binary (no shell): [`LocalRepo::head`], [`LocalRepo::tracked_files`],
//!   [`LocalRepo::read_file`] at a revision or from the work tree with path, symlink and size
//!   checks, [`LocalRepo::find_codeowners`], [`LocalRepo::create_branch`] (a commit built in a
//!   private index, never touching the user's work tree or index), and unified patches that
//!   apply with `git apply` ([`LocalRepo::diff`], [`LocalRepo::patch_for_edits`]).
//! - [`MirrorCache`]: GitHub/GitLab repositories ([`RemoteRepo`]) fetched into a local cache;
//!   the [`AccessToken`] travels in an `http.extraHeader` passed through the environment,
//!   never in a URL, an argument, a config file or an error message.
//! - [`ChangeRequest`]: the neutral PR/MR/local-branch model (types only for now).
//!
//! Every failure is a [`ForgeError`] naming the repository, the path and, for git, the
//! command and its trimmed standard error.
#![warn(missing_docs)]

mod change_request;
mod codeowners;
mod error;
mod git;

pub use change_request::{
    ChangeRequest, ChangeRequestKind, ChangeRequestState, ChangedFile, FileChangeKind,
};
pub use codeowners::{
    ANY_FORGE_LOCATIONS, CodeOwners, CodeOwnersProblem, CodeOwnersSyntax, Owner, OwnerKind,
    OwnerRef, SectionMatch,
};
pub use error::ForgeError;
pub use git::{
    AccessToken, Author, CreatedBranch, EditChange, FileEdit, ForgeKind, HeadInfo, LocalRepo,
    MirrorCache, ReadLimits, ReadSource, RemoteRepo,
};
