//! What the policy crate's integration tests share: a repository from in-memory files, the
//! results of one policy, one instance's result, where it fails, and a proposed fix.
#![allow(
    dead_code,
    reason = "each test file is its own crate and uses a different part of this module"
)]

use redress_policy::{Catalog, EvalResult, Repo, evaluate, fix};

/// A repository of `(path, text)` files.
pub fn repo(files: &[(&str, &str)]) -> Repo {
    Repo::from_sources(files.iter().map(|(p, t)| (p.to_string(), t.to_string())))
}

/// Every result of the built-in `policy` over `files`.
pub fn results(files: &[(&str, &str)], policy: &str) -> Vec<EvalResult> {
    let catalog = Catalog::builtin().expect("catalog").subset(&[policy]);
    evaluate(&repo(files), &catalog)
}

/// The result of `policy` for the instance at `address`; panics listing the addresses
/// evaluated when there is none.
pub fn result(files: &[(&str, &str)], policy: &str, address: &str) -> EvalResult {
    let results = results(files, policy);
    let addresses: Vec<String> = results.iter().map(|r| r.address.clone()).collect();
    results
        .into_iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("no result for {address} in {addresses:?}"))
}

/// `file:line` of the first violation, or empty when there is none.
pub fn first_violation(r: &EvalResult) -> String {
    r.violations
        .first()
        .map(|v| format!("{}:{}", v.file, v.line))
        .unwrap_or_default()
}

/// The fix the built-in catalog proposes for `policy` at `address` in `repo`.
pub fn propose_in(repo: &Repo, policy: &str, address: &str) -> fix::Fix {
    fix::propose(repo, &Catalog::builtin().expect("catalog"), policy, address).expect("propose")
}

/// The fix the built-in catalog proposes for `policy` at `address` in `files`.
pub fn propose(files: &[(&str, &str)], policy: &str, address: &str) -> fix::Fix {
    propose_in(&repo(files), policy, address)
}
