//! Terraform index: tree-sitter-hcl parsing, spans, modules, values, state and locate.
//!
//! # What this crate owns
//! Everything Redress knows about Terraform code and state, with no web stack:
//! - [`Index`] parses every `.tf`/`.tfvars` file of a repository in parallel
//!   (tree-sitter-hcl) into plain [`File`]/[`Block`]/[`Attribute`] types with
//!   exact [`Span`]s; [`IndexCache`] re-parses only files whose content changed.
//!   Syntax errors are kept per file as [`ParseError`]s (`file:line: message`).
//!
//! tree-sitter and hcl-rs types never leave this crate.
#![warn(missing_docs)]

pub mod arn;
mod error;
pub mod eval;
mod index;
pub mod locate;
mod model;
pub mod modules;
mod parse;
mod span;
pub mod state;

pub use error::IacError;
pub use eval::{Evaluated, Evaluator, Origin, OriginKind, Traced};
pub use index::{Index, IndexCache, MAX_FILE_BYTES, MAX_FILES, SkippedFile};
pub use locate::{
    Confidence, FixSite, FixSiteHint, FixSiteKind, LocateOutcome, LocateQuery, Location, Locator,
};
pub use model::{Attribute, Block, BlockKind, File, FileKind, Item, ParseError, Value};
pub use modules::{
    ModuleCall, ModuleInstance, ModuleSource, Modules, Repetition, ResourceTemplate,
};
pub use span::Span;
pub use state::{IndexKey, ResourceMode, State, StateInstance, StateKind};
