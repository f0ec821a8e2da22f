//! Index behaviour on small in-memory and on-disk repositories.

use redress_iac::{BlockKind, Index, IndexCache, Item, Value};

const MAIN: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "my-logs"
  tags = {
    Name = "logs"
  }
  versioning {
    enabled = false
  }
}

module "reports_bucket" {
  source = "./modules/bucket"
  count  = var.enabled ? 1 : 0
  names  = ["a", "b"]
  kms    = aws_kms_key.k.arn
}

locals {
  prefix = "${var.env}-x"
}
"#;

#[test]
fn blocks_labels_and_spans_are_recorded() {
    let index = Index::from_sources([("main.tf", MAIN)]).unwrap();
    let file = index.file("./main.tf").unwrap();
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let kinds: Vec<BlockKind> = file.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [BlockKind::Resource, BlockKind::Module, BlockKind::Locals]
    );

    let bucket = &file.blocks[0];
    assert_eq!(bucket.type_label(), Some("aws_s3_bucket"));
    assert_eq!(bucket.name_label(), Some("logs"));
    assert_eq!((bucket.span.start_line, bucket.span.end_line), (1, 9));
    assert_eq!(bucket.body_span.start_line, 1);
    assert_eq!(file.text(&bucket.span).unwrap().lines().last(), Some("}"));

    let name = bucket.attribute("bucket").unwrap();
    assert_eq!(name.value, Value::String("my-logs".into()));
    assert_eq!(name.span.start_line, 2);
    assert_eq!(name.raw, "\"my-logs\"");
    assert_eq!(file.text(&name.value_span), Some("\"my-logs\""));

    let enabled = bucket.attribute_path(&["versioning", "enabled"]).unwrap();
    assert_eq!(enabled.value, Value::Bool(false));
    assert_eq!(enabled.span.start_line, 7);
    assert_eq!(enabled.span.start_column, 5);

    let tags = bucket.attribute("tags").unwrap();
    assert_eq!(
        tags.value,
        Value::Map(vec![("Name".into(), Value::String("logs".into()))])
    );

    let module = &file.blocks[1];
    assert_eq!(module.name_label(), Some("reports_bucket"));
    assert_eq!(module.type_label(), None);
    assert_eq!(module.attribute("count").unwrap().value, Value::Expression);
    assert_eq!(
        module.attribute("names").unwrap().value,
        Value::List(vec![Value::String("a".into()), Value::String("b".into())])
    );
    assert_eq!(
        module.attribute("kms").unwrap().value,
        Value::Reference("aws_kms_key.k.arn".into())
    );
    let locals = &file.blocks[2];
    assert_eq!(locals.attribute("prefix").unwrap().value, Value::Expression);
}

#[test]
fn line_lookups_find_innermost_items() {
    let index = Index::from_sources([("main.tf", MAIN)]).unwrap();
    assert_eq!(
        index.block_at("main.tf", 7).and_then(|b| b.name_label()),
        Some("logs")
    );
    assert_eq!(
        index.attribute_at("main.tf", 4).map(|a| a.name.as_str()),
        Some("Name"),
        "map entries are found as attribute-like items"
    );
    match index.item_starting_at("main.tf", 6) {
        Some(Item::Block(b)) => assert_eq!(b.ident, "versioning"),
        other => panic!("expected the versioning block, got {other:?}"),
    }
    match index.item_starting_at("main.tf", 1) {
        Some(Item::Block(b)) => assert_eq!(b.kind, BlockKind::Resource),
        other => panic!("expected the resource block, got {other:?}"),
    }
    assert!(
        index.item_starting_at("main.tf", 10).is_none(),
        "line 10 is blank"
    );
    let (file, block) = index.resource("", "aws_s3_bucket", "logs").unwrap();
    assert_eq!((file.path.as_str(), block.span.start_line), ("main.tf", 1));
    assert!(index.resource("", "aws_s3_bucket", "nope").is_none());
}

#[test]
fn syntax_errors_are_reported_and_the_rest_is_indexed() {
    let broken = "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \n}\n\nresource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}\n";
    let index = Index::from_sources([("bad.tf", broken), ("good.tf", MAIN)]).unwrap();
    let errors: Vec<String> = index.parse_errors().map(ToString::to_string).collect();
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|e| e.starts_with("bad.tf:")),
        "{errors:?}"
    );
    assert!(index.resource("", "aws_s3_bucket", "logs").is_some());
    assert!(
        index.resource("", "aws_sqs_queue", "q").is_some(),
        "block after the error is kept"
    );
}

#[test]
fn build_walks_the_tree_and_the_cache_reparses_only_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("modules/bucket")).unwrap();
    std::fs::create_dir_all(root.join(".terraform/modules/x")).unwrap();
    std::fs::write(root.join("main.tf"), MAIN).unwrap();
    std::fs::write(root.join("terraform.tfvars"), "enabled = true\n").unwrap();
    std::fs::write(
        root.join("modules/bucket/main.tf"),
        "resource \"aws_s3_bucket\" \"this\" {}\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".terraform/modules/x/main.tf"),
        "resource \"a\" \"b\" {}\n",
    )
    .unwrap();
    std::fs::write(root.join("README.md"), "# not terraform").unwrap();
    std::fs::create_dir_all(root.join("locked")).unwrap();
    std::fs::write(root.join("locked/x.tf"), "resource \"a\" \"b\" {}\n").unwrap();
    let big = format!(
        "# {}\n",
        "x".repeat(usize::try_from(redress_iac::MAX_FILE_BYTES).unwrap())
    );
    std::fs::write(root.join("huge.tf"), big).unwrap();
    std::os::unix::fs::symlink("/etc", root.join("escape")).unwrap();
    std::os::unix::fs::symlink(root.join("main.tf"), root.join("linked.tf")).unwrap();
    let set_mode = |mode: u32| {
        let mut perms = std::fs::metadata(root.join("locked"))
            .unwrap()
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, mode);
        std::fs::set_permissions(root.join("locked"), perms).unwrap();
    };
    set_mode(0o000);
    // Root ignores directory permissions; only expect the skip when they bite.
    let locked_readable = std::fs::read_dir(root.join("locked")).is_ok();

    let mut cache = IndexCache::new();
    let index = cache.index(root).unwrap();
    let skipped: Vec<&str> = index.skipped().iter().map(|s| s.path.as_str()).collect();
    assert!(skipped.contains(&"huge.tf"), "{skipped:?}");
    assert_eq!(skipped.contains(&"locked"), !locked_readable, "{skipped:?}");
    let paths: Vec<&str> = index
        .files()
        .map(|f| f.path.as_str())
        .filter(|p| !p.starts_with("locked/"))
        .collect();
    assert_eq!(
        paths,
        ["main.tf", "modules/bucket/main.tf", "terraform.tfvars"],
        "no symlinks, hidden directories or oversized files"
    );
    assert_eq!(cache.parsed_last(), if locked_readable { 4 } else { 3 });
    set_mode(0o755);
    std::fs::remove_dir_all(root.join("locked")).unwrap();
    std::fs::remove_file(root.join("huge.tf")).unwrap();
    assert_eq!(index.tfvars_in_dir("").count(), 1);
    assert!(
        index
            .resource("modules/bucket", "aws_s3_bucket", "this")
            .is_some()
    );

    let again = cache.index(root).unwrap();
    assert_eq!(cache.parsed_last(), 0);
    assert_eq!(again.len(), 3);

    std::fs::write(
        root.join("modules/bucket/main.tf"),
        "resource \"aws_s3_bucket\" \"that\" {}\n",
    )
    .unwrap();
    let changed = cache.index(root).unwrap();
    assert_eq!(cache.parsed_last(), 1);
    assert!(
        changed
            .resource("modules/bucket", "aws_s3_bucket", "that")
            .is_some()
    );
    assert!(
        changed
            .resource("modules/bucket", "aws_s3_bucket", "this")
            .is_none()
    );
}

#[test]
fn build_fails_clearly_on_a_missing_root() {
    let err = Index::build(std::path::Path::new("/nonexistent/redress-iac-root")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/redress-iac-root"),
        "{err}"
    );
}

#[test]
fn hostile_nesting_does_not_crash_the_index_or_the_evaluator() {
    let depth = 20_000;
    let nested = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    let index_src = format!(
        "resource \"a\" \"b\" {{\n  v = {}1{}\n  w = a{}\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth),
        "[b".repeat(2000) + &"]".repeat(2000)
    );
    let index = Index::from_sources([
        ("main.tf", index_src.as_str()),
        ("vars.tfvars", nested.as_str()),
    ])
    .unwrap();
    let block = index.resource("", "a", "b").unwrap().1;
    assert!(block.attribute("v").is_some());
    let modules = redress_iac::Modules::resolve(&index);
    let eval = redress_iac::Evaluator::new(&index, &modules);
    let v = eval.eval_attribute(0, block.attribute("v").unwrap());
    assert_eq!(v.value, redress_iac::Evaluated::Unknown);
    let w = eval.eval_attribute(0, block.attribute("w").unwrap());
    assert_eq!(w.value, redress_iac::Evaluated::Unknown);
    assert!(redress_iac::highlight(&index_src).is_ok());

    // Unclosed and broken blocks nested thousands deep.
    let broken = "a {\n b = = \n".repeat(5000);
    let index = Index::from_sources([("broken.tf", broken.as_str())]).unwrap();
    assert!(index.parse_errors().count() > 0);
    assert!(redress_iac::highlight(&broken).is_ok());
}

#[test]
fn heredocs_and_negative_numbers_have_values() {
    let src = "x = <<-EOT\n    {\n      \"a\": 1\n    }\n    EOT\ny = -1\nz = <<EOT\nhi ${var.x}\nEOT\nw = <<EOT\nplain $${x}\nEOT\n";
    let index = Index::from_sources([("vals.tfvars", src)]).unwrap();
    let file = index.file("vals.tfvars").unwrap();
    let value = |name: &str| {
        file.attributes
            .iter()
            .find(|a| a.name == name)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(value("x"), Value::String("{\n  \"a\": 1\n}\n".into()));
    assert_eq!(value("y"), Value::Number("-1".into()));
    assert_eq!(
        value("z"),
        Value::Expression,
        "interpolation is not a literal"
    );
    assert_eq!(value("w"), Value::String("plain ${x}\n".into()));
}
