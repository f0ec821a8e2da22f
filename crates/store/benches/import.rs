//! Import benchmark (divan): 100k generated ASFF findings into a fresh SQLite file, and the
//! same file again into a database that already holds them.
//!
//! Goals (issue 4): first import ≤ 5 s end to end, re-import ≤ 5 s with zero new rows.
//! Run: `cargo bench -p redress-store --bench import`. Each sample is one whole import
//! (parse, write, commit) on its own database; making that database (and, for the
//! re-import, the first import into it) is not timed. `IMPORT_BENCH_FINDINGS` changes the
//! number of findings. The figures are in docs/BENCHMARKS.md ("import").
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark binary stops on any failure"
)]

mod common;

use common::{findings, fresh_store, import};
use divan::Bencher;

fn main() {
    divan::main();
}

/// 100k findings into an empty database: all new.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn first_import(bencher: Bencher<'_, '_>) {
    let n = findings() as u64;
    bencher
        .with_inputs(fresh_store)
        .bench_local_values(|store| {
            assert_eq!(import(&store), (n, 0));
            store
        });
}

/// The same 100k findings again: zero new rows, all unchanged.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn re_import(bencher: Bencher<'_, '_>) {
    let n = findings() as u64;
    bencher
        .with_inputs(|| {
            let store = fresh_store();
            assert_eq!(import(&store), (n, 0));
            store
        })
        .bench_local_values(|store| {
            assert_eq!(import(&store), (0, n), "re-import adds no rows");
            store
        });
}
