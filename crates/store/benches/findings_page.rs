//! Findings page benchmark (divan): the store calls the Findings page makes, on a SQLite
//! database holding 100k imported findings (issue 4: "It must stay fast at 100k findings").
//!
//! Run: `cargo bench -p redress-store --bench findings_page`. The database is made once per
//! process (the generated ASFF file of the import benchmark, imported once, not timed).
//! Every sample is one store call: a page of 50 rows with its filtered total (the page's
//! two queries), the filter menus, or one finding's detail. Filter values come from the
//! facets, so they always match stored findings. `IMPORT_BENCH_FINDINGS` changes the size.
//! The figures and query plans are in docs/BENCHMARKS.md ("findings page").
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark binary stops on any failure"
)]

mod common;

use std::sync::OnceLock;

use common::{findings, fresh_store, import, runtime};
use redress_store::Store;
use redress_types::{FindingFacets, FindingQuery, FindingRow, FindingSort, Page};

fn main() {
    // The database is made before any sample, so no sample times the import.
    store();
    divan::main();
}

/// Rows per page, as the Findings page asks.
const PER_PAGE: u64 = 50;

/// The store with the generated findings, and its filter menus.
fn store() -> &'static (Store, FindingFacets) {
    static STORE: OnceLock<(Store, FindingFacets)> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = fresh_store();
        assert_eq!(import(&store), (findings() as u64, 0));
        let facets = runtime().block_on(store.finding_facets()).unwrap();
        (store, facets)
    })
}

/// The query of the Findings page with one filter set (`none` for none).
fn filtered(filter: &str) -> FindingQuery {
    let facets = &store().1;
    let first = |values: &[String]| values.first().cloned();
    let mut query = FindingQuery {
        per_page: PER_PAGE,
        page: 1,
        ..FindingQuery::default()
    };
    match filter {
        "none" => {}
        "tool" => query.tool = first(&facets.tools),
        "severity" => query.severity = Some("high".into()),
        "status" => query.status = Some("closed".into()),
        "account" => query.account = first(&facets.accounts),
        "resource_type" => query.resource_type = first(&facets.resource_types),
        "policy" => query.policy = first(&facets.policies),
        // (In the generated file the first account's findings are all critical.)
        "status+account+severity" => {
            query.status = Some("open".into());
            query.account = first(&facets.accounts);
            query.severity = Some("critical".into());
        }
        other => panic!("unknown filter {other}"),
    }
    query
}

/// One page of findings (the page's list and its filtered count).
fn page(query: &FindingQuery) -> Page<FindingRow> {
    let page = runtime().block_on(store().0.list_findings(query)).unwrap();
    assert!(!page.items.is_empty(), "{query:?} matched nothing");
    page
}

/// The first page in the default order (severity, newest first), per filter.
#[divan::bench(
    args = ["none", "tool", "severity", "status", "account", "resource_type", "policy", "status+account+severity"],
    sample_count = 25
)]
fn first_page_filtered(filter: &str) -> Page<FindingRow> {
    page(&filtered(filter))
}

/// The first page of all findings, per sort.
#[divan::bench(args = FindingSort::ALL.map(FindingSort::as_str), sample_count = 25)]
fn first_page_sorted(sort: &str) -> Page<FindingRow> {
    page(&FindingQuery {
        sort: FindingSort::parse(sort),
        ..filtered("none")
    })
}

/// The first page of one account's findings, per sort (a filter the sort's index does
/// not hold).
#[divan::bench(args = FindingSort::ALL.map(FindingSort::as_str), sample_count = 25)]
fn first_page_sorted_account(sort: &str) -> Page<FindingRow> {
    page(&FindingQuery {
        sort: FindingSort::parse(sort),
        ..filtered("account")
    })
}

/// The middle page of all findings (page 1,000 of 2,000 at 100k: rows 49,951 to 50,000,
/// an OFFSET of 49,950), per sort.
#[divan::bench(args = FindingSort::ALL.map(FindingSort::as_str), sample_count = 25)]
fn deep_page(sort: &str) -> Page<FindingRow> {
    page(&FindingQuery {
        sort: FindingSort::parse(sort),
        page: (findings() as u64 / 2 / PER_PAGE).max(1),
        ..filtered("none")
    })
}

/// The filter menus: tools, accounts, resource types and policies present.
#[divan::bench(sample_count = 25)]
fn facets() -> FindingFacets {
    runtime().block_on(store().0.finding_facets()).unwrap()
}

/// One finding's detail with its correlated findings (the raw record decoded).
#[divan::bench(sample_count = 25)]
fn detail() -> usize {
    let detail = runtime().block_on(store().0.finding_detail(4242)).unwrap();
    assert!(detail.raw.starts_with('{'), "{}", detail.raw);
    detail.raw.len()
}
