//! Scan the terraform-aws-modules corpus (s3-bucket and security-group) with all policies.
//! Run: `cargo bench -p redress-policy --bench scan`. Figures go to docs/BENCHMARKS.md.

use std::path::PathBuf;

use redress_policy::{Catalog, Repo, evaluate};

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
