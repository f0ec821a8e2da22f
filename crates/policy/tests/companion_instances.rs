//! Companion resources with their own `count` / `for_each`: a companion whose instance set is
//! empty for the subject is absent (the subject fails as if it had none), reported where the
//! value that empties it is written (the module call when the caller leaves the input at its
//! empty default), with a verified fix at the call site when the policy knows the input's value.

use redress_policy::{Catalog, EvalResult, Status, output};

mod support;
use support::{propose, results};

fn only(files: &[(&str, &str)], policy: &str) -> EvalResult {
    let mut r = results(files, policy);
    assert_eq!(r.len(), 1, "{r:?}");
    r.remove(0)
}

const MISSING: &str =
    "no `aws_s3_bucket_server_side_encryption_configuration` refers to this resource";

fn plain(count: &str) -> String {
    format!(
        "resource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b\"\n}}\n\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"b\" {{\n  count  = {count}\n  bucket = aws_s3_bucket.b.id\n\n  rule {{\n    apply_server_side_encryption_by_default {{\n      sse_algorithm = \"aws:kms\"\n    }}\n  }}\n}}\n"
    )
}

#[test]
fn a_companion_with_count_zero_is_absent_and_reported_at_its_count() {
    let text = plain("0");
    let r = only(&[("main.tf", &text)], "RDX-S3-009");
    assert_eq!(r.status, Status::Fail);
    assert!(r.violations[0].message.starts_with(MISSING), "{r:?}");
    assert!(
        r.violations[0].message.contains("`count = 0`"),
        "{:?}",
        r.violations[0]
    );
    // A literal `count = 0` is decided where it is written: the count line.
    assert_eq!((r.violations[0].file.as_str(), r.line), ("main.tf", 6));
    let f = propose(&[("main.tf", &text)], "RDX-S3-009", "aws_s3_bucket.b");
    assert!(!f.offered);
    assert!(
        f.reason.as_deref().is_some_and(|w| w.contains("by hand")),
        "{:?}",
        f.reason
    );
    // The same companion with one instance is present and passes.
    let one = plain("1");
    assert_eq!(
        only(&[("main.tf", &one)], "RDX-S3-009").status,
        Status::Pass
    );
}

#[test]
fn an_empty_root_variable_is_reported_at_its_default_naming_the_variable() {
    // `!var.off` is true: a false `var.off` is not what leaves the companion out.
    let text = format!(
        "variable \"encrypt\" {{\n  default = false\n}}\n\nvariable \"off\" {{\n  default = false\n}}\n\n{}",
        plain("!var.off && var.encrypt ? 1 : 0")
    );
    let r = only(&[("main.tf", &text)], "RDX-S3-009");
    assert_eq!(r.status, Status::Fail);
    assert!(r.violations[0].message.starts_with(MISSING), "{r:?}");
    assert_eq!(r.line, 2, "the default of var.encrypt: {r:?}");
    let f = propose(&[("main.tf", &text)], "RDX-S3-009", "aws_s3_bucket.b");
    assert!(!f.offered);
    assert!(
        f.reason
            .as_deref()
            .is_some_and(|w| w.contains("var.encrypt")),
        "{:?}",
        f.reason
    );
}

#[test]
fn an_unknown_count_is_unknown_unless_the_companion_fails_anyway() {
    let text = format!("variable \"n\" {{}}\n\n{}", plain("var.n"));
    let r = only(&[("main.tf", &text)], "RDX-S3-009");
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(
        r.reason
            .as_deref()
            .is_some_and(|w| w.contains("aws_s3_bucket_server_side_encryption_configuration.b")),
        "{:?}",
        r.reason
    );
    // Present or not, a companion with the wrong algorithm fails.
    let wrong = text.replace("\"aws:kms\"", "\"none\"");
    let r = only(&[("main.tf", &wrong)], "RDX-S3-009");
    assert_eq!(r.status, Status::Fail, "{r:?}");
}

#[test]
fn companion_instances_pair_with_subject_instances_through_count_index() {
    let text = "resource \"aws_s3_bucket\" \"b\" {\n  count  = 2\n  bucket = \"b${count.index}\"\n}\n\nresource \"aws_s3_bucket_versioning\" \"b\" {\n  count  = 1\n  bucket = aws_s3_bucket.b[count.index].id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n";
    let status: Vec<(String, Status)> = results(&[("main.tf", text)], "RDX-S3-001")
        .into_iter()
        .map(|r| (r.address, r.status))
        .collect();
    assert_eq!(
        status,
        vec![
            ("aws_s3_bucket.b[0]".to_string(), Status::Pass),
            ("aws_s3_bucket.b[1]".to_string(), Status::Fail),
        ]
    );
}

const MODULE: &str = "variable \"server_side_encryption_configuration\" {\n  type    = any\n  default = {}\n}\n\nvariable \"versioning\" {\n  type    = map(string)\n  default = {}\n}\n\nresource \"aws_s3_bucket\" \"this\" {\n  bucket = \"b\"\n}\n\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"this\" {\n  count = length(keys(var.server_side_encryption_configuration)) > 0 ? 1 : 0\n\n  bucket = aws_s3_bucket.this.id\n\n  dynamic \"rule\" {\n    for_each = try(flatten([var.server_side_encryption_configuration[\"rule\"]]), [])\n\n    content {\n      dynamic \"apply_server_side_encryption_by_default\" {\n        for_each = try([rule.value.apply_server_side_encryption_by_default], [])\n\n        content {\n          sse_algorithm = apply_server_side_encryption_by_default.value.sse_algorithm\n        }\n      }\n    }\n  }\n}\n\nresource \"aws_s3_bucket_versioning\" \"this\" {\n  count = length(keys(var.versioning)) > 0 ? 1 : 0\n\n  bucket = aws_s3_bucket.this.id\n\n  versioning_configuration {\n    status = try(var.versioning[\"enabled\"] ? \"Enabled\" : \"Suspended\", \"Enabled\")\n  }\n}\n";

const CALL: &str = "module \"logs\" {\n  source = \"./bucket\"\n\n  force_destroy = true\n}\n";

#[test]
fn a_module_input_the_caller_omits_is_reported_and_fixed_at_the_call() {
    let files = [("main.tf", CALL), ("bucket/main.tf", MODULE)];
    let r = only(&files, "RDX-S3-009");
    assert_eq!(r.status, Status::Fail);
    assert!(r.violations[0].message.starts_with(MISSING), "{r:?}");
    assert_eq!(
        (r.violations[0].file.as_str(), r.line),
        ("main.tf", 1),
        "the module call: {r:?}"
    );
    // The scan output points at the call, in the caller's file.
    let json = output::scan_json(
        std::slice::from_ref(&r),
        &Catalog::builtin().expect("catalog"),
    );
    assert_eq!(json["results"][0]["file"], "main.tf");
    assert_eq!(json["results"][0]["line"], 1);

    let f = propose(&files, "RDX-S3-009", "module.logs.aws_s3_bucket.this");
    assert!(f.offered, "{:?} {:?}", f.reason, f.verification);
    assert_eq!(f.edits.len(), 1);
    assert_eq!(f.edits[0].file, "main.tf");
    let out = &f.patched["main.tf"];
    assert!(
        out.contains("  server_side_encryption_configuration = { rule = { apply_server_side_encryption_by_default = { sse_algorithm = \"aws:kms\" } } }\n}"),
        "{out}"
    );
    let after = only(
        &[("main.tf", out), ("bucket/main.tf", MODULE)],
        "RDX-S3-009",
    );
    assert_eq!(after.status, Status::Pass, "{after:?}");
}

#[test]
fn an_empty_input_the_caller_passes_is_reported_and_replaced_where_written() {
    let call = "module \"logs\" {\n  source = \"./bucket\"\n\n  server_side_encryption_configuration = {}\n}\n";
    let files = [("main.tf", call), ("bucket/main.tf", MODULE)];
    let r = only(&files, "RDX-S3-009");
    assert_eq!(r.status, Status::Fail);
    assert_eq!((r.violations[0].file.as_str(), r.line), ("main.tf", 4));
    let f = propose(&files, "RDX-S3-009", "module.logs.aws_s3_bucket.this");
    assert!(f.offered, "{:?}", f.reason);
    assert!(
        f.patched["main.tf"].contains("  server_side_encryption_configuration = { rule = { apply_server_side_encryption_by_default = { sse_algorithm = \"aws:kms\" } } }\n"),
        "{}",
        f.patched["main.tf"]
    );
    // With the input set, the companion exists and its rule is read from it.
    let set = call.replace(
        "{}",
        "{\n    rule = {\n      apply_server_side_encryption_by_default = { sse_algorithm = \"AES256\" }\n    }\n  }",
    );
    let r = only(
        &[("main.tf", &set), ("bucket/main.tf", MODULE)],
        "RDX-S3-009",
    );
    assert_eq!(r.status, Status::Pass, "{r:?}");
}

#[test]
fn a_companion_without_instances_does_not_pass_on_its_content() {
    // The versioning companion's status computes to "Enabled" even for `{}`: with no
    // instance it must not count.
    let files = [("main.tf", CALL), ("bucket/main.tf", MODULE)];
    let r = only(&files, "RDX-S3-001");
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(
        r.violations[0]
            .message
            .starts_with("no `aws_s3_bucket_versioning` refers to this resource"),
        "{r:?}"
    );
    let f = propose(&files, "RDX-S3-001", "module.logs.aws_s3_bucket.this");
    assert!(f.offered, "{:?}", f.reason);
    assert!(
        f.patched["main.tf"].contains("  versioning = { enabled = true }\n"),
        "{}",
        f.patched["main.tf"]
    );
    let with = CALL.replace("force_destroy = true", "versioning = { enabled = true }");
    let r = only(
        &[("main.tf", &with), ("bucket/main.tf", MODULE)],
        "RDX-S3-001",
    );
    assert_eq!(r.status, Status::Pass, "{r:?}");
}
