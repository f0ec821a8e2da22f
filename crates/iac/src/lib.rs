//! Terraform index: tree-sitter-hcl parsing, spans, modules, values, state and locate.
//!
//! # What this crate owns
//! Everything Redress knows about Terraform code and state, with no web stack:
//! - **Index**: [`Index::build`] parses every `.tf`/`.tfvars` file of a repository
//!   in parallel (tree-sitter-hcl, rayon) into plain [`File`]/[`Block`]/[`Attribute`]
//!   types with exact [`Span`]s (bytes + 1-based lines/columns); object entries and
//!   heredoc JSON keys are attribute-like items too. [`IndexCache`] re-parses only
//!   files whose content hash changed. Syntax errors are kept per file as
//!   [`ParseError`]s (`file:line: message`) and the rest is still indexed. Line
//!   lookups: [`Index::block_at`], [`Index::attribute_at`], [`Index::item_starting_at`],
//!   [`Index::resource`].
//! - **Modules**: [`Modules::resolve`] follows local module sources recursively
//!   (cycles and root escapes refused), records registry/remote sources, and gives
//!   every resource an address template ([`ResourceTemplate`], with count/for_each);
//!   [`Modules::expand_with_state`] expands templates to instance addresses.
//! - **Expressions**: every attribute's value is also an [`Expr`] tree with
//!   spans inside (list elements, object items, arguments), from the same parse.
//! - **Values**: [`Evaluator`] follows literals, call-site inputs, tfvars,
//!   variable defaults, locals, `count.index` / `each.*`, conditionals and
//!   common pure functions over those trees; anything else is
//!   [`Evaluated::Unknown`]. Every hop is an [`Origin`] (file, line).
//!   [`Evaluator::scopes`] expands module calls by `count` / `for_each`, and
//!   [`Evaluator::resolve`] follows `var.*` / `local.*` to the expression that
//!   writes a value.
//! - **State**: [`State::from_path`] streams tfstate v4, `show -json` state and
//!   a plan's `prior_state` into [`StateInstance`]s with identifying attributes.
//! - **Locate**: [`Locator`] maps a [`LocateQuery`] (ids/ARNs, scanner file:line,
//!   tags) to a [`Location`] (address, block lines, [`FixSite`], [`Confidence`],
//!   module chain) or an unmapped reason; [`FixSiteHint`] is the policy crate's hook.
//! - **Highlighting**: [`highlight()`] / [`highlight_lines`] give class ranges for
//!   the code view (bundled HCL highlights query, compiled once).
//!
//! tree-sitter types never leave this crate.
//!
//! # Driving locate (what `redress locate` does)
//! ```
//! use redress_iac::{Index, LocateQuery, Locator, Modules, State};
//!
//! let index = Index::from_sources([(
//!     "main.tf",
//!     "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n",
//! )])?;
//! let modules = Modules::resolve(&index);
//! let states = [State::from_json_str(
//!     "terraform.tfstate",
//!     r#"{"version":4,"resources":[{"mode":"managed","type":"aws_s3_bucket","name":"logs",
//!        "instances":[{"attributes":{"id":"acme-logs","arn":"arn:aws:s3:::acme-logs"}}]}]}"#,
//! )?];
//! let locator = Locator::new(&index, &modules, &states);
//! let query = LocateQuery {
//!     resource_ids: vec!["arn:aws:s3:::acme-logs".into()],
//!     ..LocateQuery::default()
//! };
//! let location = locator.locate(&query);
//! let location = location.location().expect("found in state");
//! assert_eq!(location.address, "aws_s3_bucket.logs");
//! assert_eq!((location.file.as_str(), location.start_line, location.end_line), ("main.tf", 1, 3));
//! # Ok::<(), redress_iac::IacError>(())
//! ```
#![warn(missing_docs)]

pub mod arn;
mod error;
pub mod eval;
pub mod expr;
pub mod highlight;
mod index;
pub mod locate;
mod model;
pub mod modules;
mod parse;
mod span;
pub mod state;

pub use error::IacError;
pub use eval::{
    Context, DynamicIterator, EvalCache, Evaluated, Evaluator, InstanceKey, Origin, OriginKind,
    Resolved, Scope, Traced,
};
pub use expr::{Expr, ExprKind, parse_expression};
pub use highlight::{HighlightSpan, LineSpan, highlight, highlight_lines};
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
