//! Lists why results are unknown, most frequent first, with one example address each:
//! `cargo run -p redress-policy --example unknowns -- DIR`.

use std::collections::BTreeMap;
use std::path::Path;

use redress_policy::{Catalog, Repo, Status, evaluate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: unknowns DIR")?;
    let repo = Repo::load(Path::new(&dir))?;
    let catalog = Catalog::builtin()?;
    let mut reasons: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for r in evaluate(&repo, &catalog)
        .into_iter()
        .filter(|r| r.status == Status::Unknown)
    {
        let entry = reasons
            .entry(format!("{} {}", r.policy, r.reason.unwrap_or_default()))
            .or_default();
        entry.0 += 1;
        if entry.1.is_empty() {
            entry.1 = format!("{} ({}:{})", r.address, r.file, r.start_line);
        }
    }
    let mut sorted: Vec<_> = reasons.into_iter().collect();
    sorted.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    for (reason, (n, example)) in sorted.iter().take(40) {
        println!("{n:6}  {reason}  e.g. {example}");
    }
    Ok(())
}
