//! Local git through the `git` binary, and remote mirrors.

mod command;
mod commit;
mod paths;
mod remote;
mod repo;

pub use commit::{Author, CreatedBranch, EditChange, FileEdit};
pub use remote::{AccessToken, ForgeKind, MirrorCache, RemoteRepo};
pub use repo::{HeadInfo, LocalRepo, ReadLimits, ReadSource};
