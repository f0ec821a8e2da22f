//! Benchmarks for the Terraform index and locate (see docs/BENCHMARKS.md, "## iac").
//!
//! Run: `cargo bench -p redress-iac --bench iac`. The corpus benchmarks read
//! `$REDRESS_CORPORA/terraform-aws-modules` (default `../shared/corpora`) and
//! do nothing when it is absent.

use std::path::PathBuf;
use std::sync::LazyLock;

use redress_iac::{Index, IndexCache, LocateQuery, Locator, Modules, State};

fn main() {
    divan::main();
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("REDRESS_CORPORA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
        PathBuf::from,
    );
    let dir = dir.join("terraform-aws-modules");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "corpus not found at {} (set REDRESS_CORPORA); skipping",
            dir.display()
        );
        None
    }
}

fn tf_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
}

static SOURCES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut files = Vec::new();
    if let Some(dir) = corpus() {
        tf_files(&dir, &mut files);
    }
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
});

/// The floor: tree-sitter-hcl parsing of every corpus file, one core, already in memory.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn raw_tree_sitter_parse_one_core(bencher: divan::Bencher<'_, '_>) {
    let sources = &*SOURCES;
    let bytes: usize = sources.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench_local(|| {
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&tree_sitter_hcl::LANGUAGE.into())
                .expect("grammar loads");
            let mut nodes = 0;
            for src in sources {
                if let Some(tree) = parser.parse(src, None) {
                    nodes += tree.root_node().descendant_count();
                }
            }
            nodes
        });
}

/// Parse + convert on one core from memory: the index's own overhead over the floor.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn index_in_memory_one_core(bencher: divan::Bencher<'_, '_>) {
    let sources: Vec<(String, String)> = SOURCES
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("f{i}.tf"), s.clone()))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    bencher
        .with_inputs(|| sources.clone())
        .bench_local_values(|inputs| {
            pool.install(|| Index::from_sources(inputs).map(|i| i.len()).unwrap_or(0))
        });
}

/// Cold index from disk: walk, read, hash, parse in parallel, convert.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn index_cold(bencher: divan::Bencher<'_, '_>) {
    let Some(dir) = corpus() else { return };
    let bytes: usize = SOURCES.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench_local(|| Index::build(&dir).map(|i| i.len()).unwrap_or(0));
}

/// Cold index from disk confined to one thread (shows the parallel speed-up).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn index_cold_one_thread(bencher: divan::Bencher<'_, '_>) {
    let Some(dir) = corpus() else { return };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    bencher.bench_local(|| pool.install(|| Index::build(&dir).map(|i| i.len()).unwrap_or(0)));
}

/// Warm re-index of a copy of the corpus after one file changed.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn reindex_warm_after_one_change(bencher: divan::Bencher<'_, '_>) {
    let Some(dir) = corpus() else { return };
    let copy = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    tf_files(&dir, &mut files);
    for f in &files {
        let rel = f.strip_prefix(&dir).expect("inside corpus");
        let target = copy.path().join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(f, &target).expect("copy");
    }
    let changed = copy
        .path()
        .join(files[0].strip_prefix(&dir).expect("inside corpus"));
    let original = std::fs::read_to_string(&changed).expect("read");
    let mut cache = IndexCache::new();
    cache.index(copy.path()).expect("first index");
    let mut n = 0u64;
    bencher
        .with_inputs(|| {
            n += 1;
            std::fs::write(&changed, format!("{original}\n# change {n}\n")).expect("write");
        })
        .bench_local_values(|()| {
            let index = cache.index(copy.path()).expect("re-index");
            assert_eq!(cache.parsed_last(), 1);
            index.len()
        });
}

struct LocateFixture {
    index: Index,
    modules: Modules,
    states: Vec<State>,
    queries: Vec<LocateQuery>,
}

/// 100 resource blocks (50 in a module called 10 times with count = 10 …),
/// a 10,000-instance state, and 100,000 findings (ARNs, ids, misses).
static LOCATE: LazyLock<LocateFixture> = LazyLock::new(|| {
    let mut root = String::new();
    for m in 0..10 {
        root.push_str(&format!(
            "module \"m{m}\" {{\n  source = \"./modules/svc\"\n  encrypt = {}\n}}\n",
            m % 2 == 0
        ));
    }
    let mut module = String::from("variable \"encrypt\" {\n  default = true\n}\n");
    for r in 0..10 {
        module.push_str(&format!(
            "resource \"aws_s3_bucket\" \"b{r}\" {{\n  count  = 100\n  bucket = \"b{r}-${{count.index}}\"\n}}\n\
             resource \"aws_s3_bucket_server_side_encryption_configuration\" \"e{r}\" {{\n  count = var.encrypt ? 1 : 0\n  bucket = aws_s3_bucket.b{r}[0].id\n}}\n"
        ));
    }
    let index =
        Index::from_sources([("main.tf", root), ("modules/svc/main.tf", module)]).expect("index");
    let modules = Modules::resolve(&index);
    let mut resources = Vec::new();
    for m in 0..10 {
        for r in 0..10 {
            let instances: Vec<String> = (0..100)
                .map(|i| {
                    let name = format!("m{m}-b{r}-{i}");
                    format!(
                        r#"{{"index_key":{i},"attributes":{{"id":"{name}","bucket":"{name}","arn":"arn:aws:s3:::{name}","tags":{{"Name":"{name}"}}}}}}"#
                    )
                })
                .collect();
            resources.push(format!(
                r#"{{"module":"module.m{m}","mode":"managed","type":"aws_s3_bucket","name":"b{r}","instances":[{}]}}"#,
                instances.join(",")
            ));
        }
    }
    let json = format!(r#"{{"version":4,"resources":[{}]}}"#, resources.join(","));
    let state = State::from_json_str("generated", &json).expect("state");
    assert_eq!(state.instances.len(), 10_000);
    let queries = (0..100_000)
        .map(|i| {
            let (m, r, n) = (i % 10, (i / 10) % 10, (i / 100) % 100);
            let id = match i % 4 {
                0 => format!("arn:aws:s3:::m{m}-b{r}-{n}"),
                1 => format!("m{m}-b{r}-{n}"),
                2 => format!("arn:aws:s3:::m{m}-b{r}-{n}/object/key"),
                _ => format!("arn:aws:s3:::missing-{i}"),
            };
            LocateQuery {
                resource_ids: vec![id],
                policy: Some("s3-encryption".into()),
                ..LocateQuery::default()
            }
        })
        .collect();
    LocateFixture {
        index,
        modules,
        states: vec![state],
        queries,
    }
});

/// Locate 100k findings against a 10k-instance state (lookups built once, parallel).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn locate_100k_findings_10k_instances(bencher: divan::Bencher<'_, '_>) {
    let f = &*LOCATE;
    bencher.bench_local(|| {
        let locator = Locator::new(&f.index, &f.modules, &f.states);
        let out = locator.locate_all(&f.queries);
        out.iter().filter(|o| o.location().is_some()).count()
    });
}

/// Stream a generated ~50 MB v4 state (20,000 instances, each with a 2 KB policy
/// and other attributes that are skipped).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn state_read_50mb(bencher: divan::Bencher<'_, '_>) {
    use std::io::Write;
    let file = tempfile::NamedTempFile::new().expect("temp file");
    {
        let mut w = std::io::BufWriter::new(file.as_file());
        let policy = "x".repeat(2000);
        write!(
            w,
            r#"{{"version":4,"terraform_version":"1.5.0","resources":["#
        )
        .expect("write");
        for r in 0..200 {
            if r > 0 {
                write!(w, ",").expect("write");
            }
            write!(w, r#"{{"mode":"managed","type":"aws_s3_bucket","name":"b{r}","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":["#).expect("write");
            for i in 0..100 {
                if i > 0 {
                    write!(w, ",").expect("write");
                }
                write!(
                    w,
                    r#"{{"index_key":{i},"attributes":{{"id":"b{r}-{i}","arn":"arn:aws:s3:::b{r}-{i}","bucket":"b{r}-{i}","policy":"{policy}","tags":{{"Name":"b{r}-{i}"}},"grants":[{{"id":"","permissions":["FULL_CONTROL"],"type":"CanonicalUser","uri":""}}],"server_side_encryption_configuration":[{{"rule":[{{"apply_server_side_encryption_by_default":[{{"kms_master_key_id":"","sse_algorithm":"AES256"}}]}}]}}]}}}}"#
                )
                .expect("write");
            }
            write!(w, "]}}").expect("write");
        }
        write!(w, "]}}").expect("write");
        w.flush().expect("flush");
    }
    let size = std::fs::metadata(file.path()).map(|m| m.len()).unwrap_or(0);
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    bencher
        .counter(divan::counter::BytesCount::new(size))
        .bench_local(|| {
            State::from_path(file.path())
                .map(|s| s.instances.len())
                .unwrap_or(0)
        });
}
