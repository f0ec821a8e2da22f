//! Policies, the equivalents table, evaluation, fix generation and verification.
//!
//! **What this crate owns.** Redress's canonical AWS Terraform policies, kept as data
//! (`policies/*.toml`, embedded; more can be loaded from a directory, format in `POLICIES.md`),
//! the equivalents table that maps other tools' rule ids (Checkov, KICS, Trivy/tfsec,
//! Security Hub, Prowler, Wiz, Orca, AWS Config) to them, evaluation of every policy over
//! every resource instance of a repository (count/for_each, variable defaults, local module
//! inputs, registry-module inputs, AWS provider v4 split S3 resources), fix generation as
//! minimal text edits, fix verification, and SARIF / JSON output. Where no narrower value can
//! be guessed (`*` on `*`, a trust of any principal or an account root), the fix makes the
//! privilege an explicit input: a variable with no default whose `validation` Terraform
//! enforces, which evaluation recognises by its shape (`validated`, `input_fix`, `heredoc`).
//! Values that are not literals inside policy documents are computed by the index's evaluator
//! and read as if written there, reported where they are written; a value that cannot be
//! computed makes the result unknown wherever it could decide it (`doc_values`).
//!
//! **Public API.**
//! - [`Catalog::builtin`], [`Catalog::add_dir`]: the policies.
//! - [`equivalents::lookup`]`(tool, rule_id) -> Option<&PolicyId>`: for the import correlation hook.
//! - [`Repo::load`] / [`Repo::load_with`] (through an `IndexCache`) / [`Repo::from_sources`] /
//!   [`Repo::from_index`] (an index already built, e.g. for locate), then
//!   [`evaluate`]`(&repo, &catalog) -> Vec<EvalResult>`.
//! - [`fix::propose`]`(&repo, &catalog, policy, address) -> Fix` (edits, blast radius, closed
//!   instances, fix site, unified diff, verification), [`fix::plan`] (every failing instance
//!   grouped into fix sites, for campaigns) and [`verify::verify_edit`] for a human-edited file.
//! - [`PolicyFixSiteHint`]: the index crate's `FixSiteHint`, for `Locator::with_hint`.
//! - [`output::scan_json`], [`output::sarif`], and the CLI entry points [`cli::scan_dir`] /
//!   [`cli::fix_dir`] that return the text `redress scan` / `redress fix` print.
//!
//! Evaluation runs over redress-iac's index: its blocks, attributes and expression trees (with
//! spans inside values: object items, list elements, heredoc bodies), its module instances
//! (calls expanded by `count` / `for_each`), and its evaluator, which follows `var.*` (call-site
//! input, `terraform.tfvars` / `*.auto.tfvars`, default) and `local.*` and computes values per
//! instance. Fix verification re-parses patched files with tree-sitter (no ERROR or MISSING
//! node) and with hcl-rs, and the index receives the fix-site hint.
#![warn(missing_docs)]

pub mod catalog;
pub mod cli;
mod companion;
mod compare;
mod compose;
mod cond;
mod data_doc;
pub mod diff;
mod doc_values;
mod document;
mod dynamic;
pub mod edit;
pub mod equivalents;
mod error;
pub mod eval;
pub mod fix;
mod heredoc;
pub mod hint;
mod input_fix;
mod network;
mod node;
pub mod output;
mod principal;
pub mod repo;
mod validated;
pub mod verify;

pub use catalog::{Catalog, Policy, PolicyId, Severity};
pub use error::PolicyError;
pub use eval::{EvalResult, Status, Violation, evaluate};
pub use fix::Fix;
pub use hint::PolicyFixSiteHint;
pub use repo::Repo;
pub use verify::Verification;
