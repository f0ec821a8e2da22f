//! Scan the terraform-aws-modules corpus (s3-bucket and security-group) with all policies.
//! Run: `cargo bench -p redress-policy --bench scan`. Figures go to docs/BENCHMARKS.md.

use std::path::PathBuf;

use redress_iac::IndexCache;
use redress_policy::{Catalog, Repo, evaluate, fix};

fn corpus() -> Option<PathBuf> {
    let root = std::env::var_os("REDRESS_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
        });
    let dir = root.join("terraform-aws-modules");
    dir.is_dir().then_some(dir)
}

fn main() {
    if corpus().is_none() {
        eprintln!("corpus not found (set REDRESS_CORPORA); skipping the benchmark");
        return;
    }
    divan::main();
}

fn module_dir(name: &str) -> PathBuf {
    corpus().map(|c| c.join(name)).unwrap_or_default()
}

#[divan::bench(args = ["terraform-aws-s3-bucket", "terraform-aws-security-group"], sample_count = 20)]
fn load_and_scan(bencher: divan::Bencher<'_, '_>, module: &str) {
    let dir = module_dir(module);
    let catalog = Catalog::builtin().expect("catalog");
    bencher.bench(|| {
        let repo = Repo::load(&dir).expect("load");
        divan::black_box(evaluate(&repo, &catalog).len())
    });
}

#[divan::bench(args = ["terraform-aws-s3-bucket", "terraform-aws-security-group"], sample_count = 20)]
fn scan_only(bencher: divan::Bencher<'_, '_>, module: &str) {
    let dir = module_dir(module);
    let catalog = Catalog::builtin().expect("catalog");
    let repo = Repo::load(&dir).expect("load");
    bencher.bench(|| divan::black_box(evaluate(&repo, &catalog).len()));
}

/// Re-loading a checkout whose files did not change (the index cache skips the parse).
#[divan::bench(args = ["terraform-aws-s3-bucket", "terraform-aws-security-group"], sample_count = 20)]
fn load_and_scan_warm(bencher: divan::Bencher<'_, '_>, module: &str) {
    let dir = module_dir(module);
    let catalog = Catalog::builtin().expect("catalog");
    let mut cache = IndexCache::new();
    Repo::load_with(&dir, &mut cache).expect("load");
    bencher.bench_local(|| {
        let repo = Repo::load_with(&dir, &mut cache).expect("load");
        divan::black_box(evaluate(&repo, &catalog).len())
    });
}

/// Every failing instance grouped into fix sites, each fix built and verified (what campaign
/// planning runs per repository).
#[divan::bench(args = ["terraform-aws-s3-bucket", "terraform-aws-security-group"], sample_count = 5)]
fn plan_fixes(bencher: divan::Bencher<'_, '_>, module: &str) {
    let dir = module_dir(module);
    let catalog = Catalog::builtin().expect("catalog");
    let repo = Repo::load(&dir).expect("load");
    bencher.bench(|| divan::black_box(fix::plan(&repo, &catalog).len()));
}
