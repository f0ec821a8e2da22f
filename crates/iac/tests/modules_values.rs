//! Modules, address templates, count/for_each, and value evaluation on small
//! repositories written to temp directories.

use std::path::Path;

use redress_iac::{
    Evaluated, Evaluator, Index, ModuleSource, Modules, OriginKind, Repetition, State, Value,
};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().expect("file has a parent"))
            .expect("create test dir");
        std::fs::write(full, content).expect("write test file");
    }
}

const ROOT_MAIN: &str = r#"
module "reports_bucket" {
  source  = "./modules/bucket"
  encrypt = false
  name    = "${local.prefix}-reports"
}

module "logs" {
  source   = "./modules/bucket"
  for_each = toset(["eu", "us"])
  name     = "logs-${each.key}"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
}

module "remote" {
  source = "git::https://example.com/x.git"
}

module "escape" {
  source = "../../outside"
}

locals {
  prefix = var.env == "prod" ? "p" : "np"
}

variable "env" {
  default = "dev"
}
"#;

const BUCKET: &str = r#"
variable "encrypt" {
  type    = bool
  default = true
}

variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_kms_key" "this" {
  count = var.encrypt ? 1 : 0
}

module "inner" {
  source = "../inner"
  flag   = var.encrypt
}
"#;

const INNER: &str = r#"
variable "flag" {
  default = true
}

resource "aws_sqs_queue" "q" {
  for_each = { a = 1 }
  sqs_managed_sse_enabled = var.flag
}
"#;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[
            ("main.tf", ROOT_MAIN),
            ("modules/bucket/main.tf", BUCKET),
            ("modules/inner/main.tf", INNER),
            ("prod.tfvars", "env = \"prod\"\n"),
        ],
    );
    dir
}

#[test]
fn local_modules_resolve_recursively_with_address_templates() {
    let dir = repo();
    let index = Index::build(dir.path()).unwrap();
    let modules = Modules::resolve(&index);
    let roots: Vec<&str> = modules.roots().map(|r| r.dir.as_str()).collect();
    assert_eq!(
        roots,
        [""],
        "modules/* are called, so only the root is a root"
    );

    let mut addresses: Vec<&str> = modules
        .resources()
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    addresses.sort_unstable();
    assert_eq!(
        addresses,
        [
            "module.logs.aws_kms_key.this",
            "module.logs.aws_s3_bucket.this",
            "module.logs.module.inner.aws_sqs_queue.q",
            "module.reports_bucket.aws_kms_key.this",
            "module.reports_bucket.aws_s3_bucket.this",
            "module.reports_bucket.module.inner.aws_sqs_queue.q",
        ]
    );
    let kms = modules.templates("module.reports_bucket.aws_kms_key.this[0]");
    assert_eq!(kms.len(), 1);
    assert_eq!(kms[0].repetition, Some(Repetition::Count));
    assert_eq!(kms[0].file, "modules/bucket/main.tf");
    assert_eq!(kms[0].span.start_line, 15);
    let logs = modules.templates(r#"module.logs["eu"].aws_s3_bucket.this"#);
    assert_eq!(logs[0].repetition, None);
    assert!(logs[0].repeated, "the module call has for_each");
    let inner = &modules.instances()
        [modules.templates("module.reports_bucket.module.inner.aws_sqs_queue.q")[0].module];
    assert_eq!(inner.via(), ["module.reports_bucket", "module.inner"]);
    assert_eq!(inner.dir, "modules/inner");

    let external: Vec<&ModuleSource> = modules.external().iter().map(|(_, c)| &c.source).collect();
    assert!(external.contains(&&ModuleSource::Registry {
        address: "terraform-aws-modules/vpc/aws".into(),
        version: Some("~> 5.0".into())
    }));
    assert!(
        external
            .iter()
            .any(|s| matches!(s, ModuleSource::Remote { source } if source.starts_with("git::")))
    );
    assert!(
        modules
            .problems()
            .iter()
            .any(|p| p.contains("escape") && p.contains("leaves the repository root")),
        "{:?}",
        modules.problems()
    );
}

#[test]
fn module_cycles_are_reported_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("main.tf", "module \"a\" {\n  source = \"./a\"\n}\n"),
            (
                "a/main.tf",
                "module \"b\" {\n  source = \"../b\"\n}\nresource \"null_resource\" \"x\" {}\n",
            ),
            ("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
        ],
    );
    let index = Index::build(dir.path()).unwrap();
    let modules = Modules::resolve(&index);
    assert!(
        modules.problems().iter().any(|p| p.contains("cycle")),
        "{:?}",
        modules.problems()
    );
    assert_eq!(modules.templates("module.a.null_resource.x").len(), 1);
}

#[test]
fn state_expands_templates_to_instances() {
    let dir = repo();
    let index = Index::build(dir.path()).unwrap();
    let modules = Modules::resolve(&index);
    let state = State::from_json_str(
        "s",
        r#"{"version":4,"resources":[
        {"module":"module.logs[\"eu\"]","mode":"managed","type":"aws_s3_bucket","name":"this","instances":[{"attributes":{"id":"logs-eu"}}]},
        {"module":"module.logs[\"us\"]","mode":"managed","type":"aws_s3_bucket","name":"this","instances":[{"attributes":{"id":"logs-us"}}]},
        {"module":"module.reports_bucket","mode":"managed","type":"aws_kms_key","name":"this","instances":[{"index_key":0,"attributes":{"id":"k"}}]}]}"#,
    )
    .unwrap();
    let expanded = modules.expand_with_state(&state);
    let find = |addr: &str| {
        let i = modules
            .resources()
            .iter()
            .position(|r| r.address == addr)
            .unwrap();
        expanded.iter().find(|(t, _)| *t == i).unwrap().1.clone()
    };
    assert_eq!(
        find("module.logs.aws_s3_bucket.this"),
        [
            r#"module.logs["eu"].aws_s3_bucket.this"#,
            r#"module.logs["us"].aws_s3_bucket.this"#
        ]
    );
    assert_eq!(
        find("module.reports_bucket.aws_kms_key.this"),
        ["module.reports_bucket.aws_kms_key.this[0]"]
    );
    assert!(find("module.reports_bucket.aws_s3_bucket.this").is_empty());
}

#[test]
fn call_site_inputs_reach_module_conditionals() {
    let dir = repo();
    let index = Index::build(dir.path()).unwrap();
    let modules = Modules::resolve(&index);
    let eval = Evaluator::new(&index, &modules);

    // encrypt = false at the call site reaches count = var.encrypt ? 1 : 0.
    let kms = modules.templates("module.reports_bucket.aws_kms_key.this")[0];
    let count = eval.repetition_value(kms).unwrap();
    assert_eq!(count.value, Evaluated::Known(Value::Number("0".into())));
    let input = count.first(OriginKind::ModuleInput).unwrap();
    assert_eq!((input.file.as_str(), input.line), ("main.tf", 4));

    // The `logs` call does not set encrypt: the variable default applies.
    let kms_logs = modules.templates("module.logs.aws_kms_key.this")[0];
    let count = eval.repetition_value(kms_logs).unwrap();
    assert_eq!(count.value, Evaluated::Known(Value::Number("1".into())));
    let default = count.first(OriginKind::VariableDefault).unwrap();
    assert_eq!(
        (default.file.as_str(), default.line),
        ("modules/bucket/main.tf", 4)
    );
    assert!(count.first(OriginKind::ModuleInput).is_none());

    // Two levels down: inner.flag = var.encrypt = false (from the root call).
    let q = modules.templates("module.reports_bucket.module.inner.aws_sqs_queue.q")[0];
    let (_, block) = index.resource_block(q).unwrap();
    let sse = eval.eval_attribute(
        q.module,
        block.attribute("sqs_managed_sse_enabled").unwrap(),
    );
    assert_eq!(sse.value, Evaluated::Known(Value::Bool(false)));
    let hops: Vec<(&str, u32)> = sse
        .steps
        .iter()
        .map(|s| (s.file.as_str(), s.line))
        .collect();
    assert_eq!(hops, [("modules/bucket/main.tf", 21), ("main.tf", 4)]);
}

#[test]
fn locals_tfvars_and_unknowns() {
    let dir = repo();
    let index = Index::build(dir.path()).unwrap();
    let modules = Modules::resolve(&index);
    let root = modules.roots().next().unwrap().id;

    // Without a var file: env = "dev" (default) → prefix "np".
    let eval = Evaluator::new(&index, &modules);
    let reports = modules.templates("module.reports_bucket.aws_s3_bucket.this")[0];
    let (_, bucket) = index.resource_block(reports).unwrap();
    let name = eval.eval_attribute(reports.module, bucket.attribute("bucket").unwrap());
    assert_eq!(
        name.value,
        Evaluated::Known(Value::String("np-reports".into()))
    );
    assert!(name.first(OriginKind::Local).is_some());

    // prod.tfvars is not automatic; passed explicitly it wins over the default.
    let prod = Evaluator::new(&index, &modules).with_var_files(["prod.tfvars".to_owned()]);
    let env = prod.variable(root, "env");
    assert_eq!(env.value, Evaluated::Known(Value::String("prod".into())));
    assert_eq!(env.steps[0].kind, OriginKind::Tfvars);
    assert_eq!(env.steps[0].file, "prod.tfvars");
    let name = prod.eval_attribute(reports.module, bucket.attribute("bucket").unwrap());
    assert_eq!(
        name.value,
        Evaluated::Known(Value::String("p-reports".into()))
    );

    // for_each keys → each.key is unknown here; never guessed.
    let logs = modules.templates("module.logs.aws_s3_bucket.this")[0];
    let name = eval.eval_attribute(logs.module, bucket.attribute("bucket").unwrap());
    assert_eq!(name.value, Evaluated::Unknown);
    // Function calls and resource references are unknown.
    assert_eq!(
        eval.eval_text(root, "timestamp()").value,
        Evaluated::Unknown,
        "impure and unknown functions stay unknown"
    );
    assert_eq!(
        eval.eval_text(root, "toset([\"b\", \"a\", \"b\"])").value,
        Evaluated::Known(Value::List(vec![
            Value::String("a".into()),
            Value::String("b".into())
        ]))
    );
    assert_eq!(
        eval.eval_text(root, "length(merge({ a = 1 }, { b = 2, a = 3 }))")
            .value,
        Evaluated::Known(Value::Number("2".into()))
    );
    assert_eq!(
        eval.eval_text(root, "lookup({ a = \"x\" }, \"b\", upper(var.env))")
            .value,
        Evaluated::Known(Value::String("DEV".into()))
    );
    assert_eq!(
        eval.eval_text(root, "toset([aws_kms_key.k.arn])").value,
        Evaluated::Unknown
    );
    assert_eq!(
        eval.eval_text(root, "aws_kms_key.k.arn").value,
        Evaluated::Unknown
    );
    // A required variable with no value is unknown.
    assert_eq!(eval.variable(root, "missing").value, Evaluated::Unknown);
    assert_eq!(
        eval.eval_text(root, "1 + 2 * 3").value,
        Evaluated::Known(Value::Number("7".into()))
    );
    assert_eq!(
        eval.eval_text(root, "{ a = [true, !false] }.a[1]").value,
        Evaluated::Known(Value::Bool(true))
    );
}

#[test]
fn auto_tfvars_override_terraform_tfvars() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("main.tf", "variable \"x\" {\n  default = 1\n}\n"),
            ("terraform.tfvars", "x = 2\n"),
            ("b.auto.tfvars", "\n\nx = 4\n"),
            ("a.auto.tfvars", "x = 3\n"),
        ],
    );
    let index = Index::build(dir.path()).unwrap();
    let modules = Modules::resolve(&index);
    let eval = Evaluator::new(&index, &modules);
    let x = eval.variable(0, "x");
    assert_eq!(x.value, Evaluated::Known(Value::Number("4".into())));
    assert_eq!(
        (x.steps[0].file.as_str(), x.steps[0].line),
        ("b.auto.tfvars", 3)
    );
}

#[test]
fn instance_addresses_without_state() {
    let dir = repo();
    let index = Index::build(dir.path()).unwrap();
    let modules = Modules::resolve(&index);
    let eval = Evaluator::new(&index, &modules);
    let addresses = |addr: &str| eval.instance_addresses(modules.templates(addr)[0]);

    assert_eq!(
        addresses("module.logs.aws_s3_bucket.this").unwrap(),
        [
            r#"module.logs["eu"].aws_s3_bucket.this"#,
            r#"module.logs["us"].aws_s3_bucket.this"#
        ]
    );
    // encrypt = false at the call site: count = 0, no instance.
    assert_eq!(
        addresses("module.reports_bucket.aws_kms_key.this").unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        addresses("module.logs.aws_kms_key.this").unwrap(),
        [
            r#"module.logs["eu"].aws_kms_key.this[0]"#,
            r#"module.logs["us"].aws_kms_key.this[0]"#
        ]
    );
    assert_eq!(
        addresses("module.reports_bucket.module.inner.aws_sqs_queue.q").unwrap(),
        [r#"module.reports_bucket.module.inner.aws_sqs_queue.q["a"]"#]
    );

    let unknown = Index::from_sources([(
        "main.tf",
        "resource \"null_resource\" \"n\" {\n  count = length(data.x.y.ids)\n}\n",
    )])
    .unwrap();
    let unknown_modules = Modules::resolve(&unknown);
    let eval = Evaluator::new(&unknown, &unknown_modules);
    assert_eq!(
        eval.instance_addresses(&unknown_modules.resources()[0]),
        None
    );
}
