//! `dynamic "X"` blocks in every policy condition (POLICIES.md, "Dynamic blocks in
//! conditions"): a known `for_each` gives one `X` per element with its `content` evaluated
//! under the iterator, an empty one none, one that cannot be computed keeps the verdict only
//! when it is the same with no block and with the content; failures are reported where the
//! offending value is written; no fix edits through a `dynamic` block.

use redress_policy::Status;

mod support;
use support::{propose, result};

/// The status and, when failing, every `file:line` reported.
fn outcome(files: &[(&str, &str)], policy: &str, address: &str) -> (Status, Vec<String>) {
    let r = result(files, policy, address);
    let at = r
        .violations
        .iter()
        .map(|v| format!("{}:{}", v.file, v.line))
        .collect();
    (r.status, at)
}

fn fails_at(at: &[&str]) -> (Status, Vec<String>) {
    (Status::Fail, at.iter().map(ToString::to_string).collect())
}

fn passes() -> (Status, Vec<String>) {
    (Status::Pass, Vec::new())
}

fn unknown(files: &[(&str, &str)], policy: &str, address: &str) -> String {
    let r = result(files, policy, address);
    assert_eq!(r.status, Status::Unknown, "{:?}", r.violations);
    r.reason.unwrap_or_default()
}

/// The fix is not offered, and says why: the `dynamic` block.
fn no_fix_through_dynamic(files: &[(&str, &str)], policy: &str, address: &str) {
    let f = propose(files, policy, address);
    assert!(!f.offered, "{}", f.diff);
    let reason = f.reason.unwrap_or_default();
    assert!(reason.contains("dynamic"), "{reason}");
}

/// An instance whose `metadata_options` come from a `dynamic` block over `for_each`, its
/// `http_tokens` written as `content`; `iterator` names the iterator when set.
fn instance(vars: &str, for_each: &str, iterator: Option<&str>, content: &str) -> String {
    let iterator = iterator.map_or(String::new(), |i| format!("    iterator = {i}\n"));
    format!(
        "{vars}resource \"aws_instance\" \"web\" {{\n  ami = \"ami-1\"\n\n  dynamic \"metadata_options\" {{\n    for_each = {for_each}\n{iterator}    content {{\n      http_tokens = {content}\n    }}\n  }}\n}}\n"
    )
}

const IMDS: &str = "RDX-EC2-002";
const WEB: &str = "aws_instance.web";

#[test]
fn a_known_list_generates_one_block_per_element_read_through_the_iterator() {
    // Lines: 1 variable, 2 default, 3 }, 4 resource, ..., 7 dynamic, 8 for_each, 10 http_tokens.
    let vars = |v: &str| format!("variable \"mo\" {{\n  default = [{{ tokens = \"{v}\" }}]\n}}\n");
    let required = instance(
        &vars("required"),
        "var.mo",
        None,
        "metadata_options.value.tokens",
    );
    assert_eq!(outcome(&[("main.tf", &required)], IMDS, WEB), passes());
    // The offending value is written in the variable's default, the `for_each` value's source.
    let optional = instance(
        &vars("optional"),
        "var.mo",
        None,
        "metadata_options.value.tokens",
    );
    assert_eq!(
        outcome(&[("main.tf", &optional)], IMDS, WEB),
        fails_at(&["main.tf:2"])
    );
    no_fix_through_dynamic(&[("main.tf", &optional)], IMDS, WEB);
}

#[test]
fn a_known_map_with_an_iterator_name_and_every_element_checked() {
    let required = instance(
        "",
        "{ a = \"required\", b = \"required\" }",
        Some("m"),
        "m.value",
    );
    assert_eq!(outcome(&[("main.tf", &required)], IMDS, WEB), passes());
    // One element out of two is wrong: reported at the `for_each` expression (line 5).
    let mixed = instance(
        "",
        "{ a = \"required\", b = \"optional\" }",
        Some("m"),
        "m.value",
    );
    assert_eq!(
        outcome(&[("main.tf", &mixed)], IMDS, WEB),
        fails_at(&["main.tf:5"])
    );
    // The iterator's key is in scope too.
    let by_key = instance("", "{ required = 1 }", Some("m"), "m.key");
    assert_eq!(outcome(&[("main.tf", &by_key)], IMDS, WEB), passes());
}

#[test]
fn a_wrong_literal_in_content_is_reported_in_content_with_no_fix() {
    let literal = instance("", "[1]", None, "\"optional\"");
    assert_eq!(
        outcome(&[("main.tf", &literal)], IMDS, WEB),
        fails_at(&["main.tf:7"])
    );
    no_fix_through_dynamic(&[("main.tf", &literal)], IMDS, WEB);
    // Two elements, two generated blocks, each offending.
    let twice = instance("", "[1, 2]", None, "\"optional\"");
    assert_eq!(
        outcome(&[("main.tf", &twice)], IMDS, WEB),
        fails_at(&["main.tf:7", "main.tf:7"])
    );
}

#[test]
fn an_empty_for_each_generates_no_block() {
    // No `metadata_options` at all: missing, reported at the resource; no fix is written
    // beside the `dynamic` block.
    let empty = instance("", "[]", None, "\"required\"");
    assert_eq!(
        outcome(&[("main.tf", &empty)], IMDS, WEB),
        fails_at(&["main.tf:1"])
    );
    no_fix_through_dynamic(&[("main.tf", &empty)], IMDS, WEB);
    let empty_map = instance("", "{}", Some("m"), "\"required\"");
    assert_eq!(
        outcome(&[("main.tf", &empty_map)], IMDS, WEB),
        fails_at(&["main.tf:1"])
    );
    // `each` over no generated block holds.
    let lc = "resource \"aws_launch_configuration\" \"lc\" {\n  root_block_device {\n    encrypted = true\n  }\n  dynamic \"ebs_block_device\" {\n    for_each = []\n    content {\n      encrypted = false\n    }\n  }\n}\n";
    assert_eq!(
        outcome(
            &[("main.tf", lc)],
            "RDX-ASG-001",
            "aws_launch_configuration.lc"
        ),
        passes()
    );
}

#[test]
fn an_unknown_for_each_decides_only_when_every_block_count_agrees() {
    let var = "variable \"mo\" {}\n";
    // Zero blocks: missing (fails); one or more: holds. Unknown.
    let required = instance(var, "var.mo", None, "\"required\"");
    let why = unknown(&[("main.tf", &required)], IMDS, WEB);
    assert!(why.contains("dynamic"), "{why}");
    // Zero blocks fail, and so does every generated one: fails, at the content.
    let optional = instance(var, "var.mo", None, "\"optional\"");
    assert_eq!(
        outcome(&[("main.tf", &optional)], IMDS, WEB),
        fails_at(&["main.tf:8"])
    );
    // The content depends on the unknown elements.
    let iterated = instance(var, "var.mo", None, "metadata_options.value");
    unknown(&[("main.tf", &iterated)], IMDS, WEB);
    // `each`: no block holds, and a generated block holds whatever the elements are.
    let lc = |enc: &str| {
        format!(
            "variable \"disks\" {{}}\nresource \"aws_launch_configuration\" \"lc\" {{\n  dynamic \"ebs_block_device\" {{\n    for_each = var.disks\n    content {{\n      encrypted = {enc}\n    }}\n  }}\n}}\n"
        )
    };
    let asg = "RDX-ASG-001";
    let lca = "aws_launch_configuration.lc";
    assert_eq!(outcome(&[("main.tf", &lc("true"))], asg, lca), passes());
    unknown(&[("main.tf", &lc("false"))], asg, lca);
    unknown(&[("main.tf", &lc("ebs_block_device.value"))], asg, lca);
}

/// The split encryption resource of terraform-aws-modules/s3-bucket: a `dynamic "rule"` with a
/// nested `dynamic "apply_server_side_encryption_by_default"` over its iterator.
fn sse(default: &str) -> String {
    format!(
        "variable \"sse\" {{\n  default = {default}\n}}\n\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b\"\n}}\n\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"b\" {{\n  bucket = aws_s3_bucket.b.id\n\n  dynamic \"rule\" {{\n    for_each = try(flatten([var.sse[\"rule\"]]), [])\n\n    content {{\n      dynamic \"apply_server_side_encryption_by_default\" {{\n        for_each = try([rule.value.apply_server_side_encryption_by_default], [])\n\n        content {{\n          sse_algorithm = apply_server_side_encryption_by_default.value.sse_algorithm\n        }}\n      }}\n    }}\n  }}\n}}\n"
    )
}

#[test]
fn nested_dynamic_blocks_read_the_outer_iterator_and_report_where_the_value_is_written() {
    let s3 = "RDX-S3-009";
    let b = "aws_s3_bucket.b";
    let kms = sse(
        "{ rule = { apply_server_side_encryption_by_default = { sse_algorithm = \"aws:kms\" } } }",
    );
    assert_eq!(outcome(&[("main.tf", &kms)], s3, b), passes());
    // A wrong algorithm: reported at the outer `for_each` expression (line 13), which reads
    // the variable through `try(flatten(...))`.
    let wrong = sse(
        "{ rule = { apply_server_side_encryption_by_default = { sse_algorithm = \"AES128\" } } }",
    );
    assert_eq!(
        outcome(&[("main.tf", &wrong)], s3, b),
        fails_at(&["main.tf:13"])
    );
    no_fix_through_dynamic(&[("main.tf", &wrong)], s3, b);
    // No rule at all (the module's default `{}`): reported at the configuration (line 9).
    assert_eq!(
        outcome(&[("main.tf", &sse("{}"))], s3, b),
        fails_at(&["main.tf:9"])
    );
    // A rule without a default encryption block: reported at the rule's `content` (line 15).
    assert_eq!(
        outcome(
            &[("main.tf", &sse("{ rule = { bucket_key_enabled = true } }"))],
            s3,
            b
        ),
        fails_at(&["main.tf:15"])
    );
}

#[test]
fn security_group_ingress_generated_by_a_dynamic_block() {
    let sg = |for_each: &str| {
        format!(
            "resource \"aws_security_group\" \"sg\" {{\n  name = \"sg\"\n\n  dynamic \"ingress\" {{\n    for_each = {for_each}\n    content {{\n      from_port   = ingress.value.port\n      to_port     = ingress.value.port\n      protocol    = \"tcp\"\n      cidr_blocks = ingress.value.cidrs\n    }}\n  }}\n}}\n"
        )
    };
    let ssh = "RDX-SG-001";
    let at = "aws_security_group.sg";
    let open =
        sg("[{ port = 443, cidrs = [\"0.0.0.0/0\"] }, { port = 22, cidrs = [\"0.0.0.0/0\"] }]");
    // Port 22 only, its CIDRs read through the iterator: reported at the `for_each` (line 5).
    assert_eq!(
        outcome(&[("main.tf", &open)], ssh, at),
        fails_at(&["main.tf:5"])
    );
    no_fix_through_dynamic(&[("main.tf", &open)], ssh, at);
    // A world CIDR written in `content`: reported there (line 10).
    let literal = sg("[{ port = 22, cidrs = [] }]").replace(
        "cidr_blocks = ingress.value.cidrs",
        "cidr_blocks = [\"0.0.0.0/0\"]",
    );
    assert_eq!(
        outcome(&[("main.tf", &literal)], ssh, at),
        fails_at(&["main.tf:10"])
    );
    no_fix_through_dynamic(&[("main.tf", &literal)], ssh, at);
    let closed = sg("[{ port = 22, cidrs = [\"10.0.0.0/8\"] }]");
    assert_eq!(outcome(&[("main.tf", &closed)], ssh, at), passes());
    assert_eq!(outcome(&[("main.tf", &sg("[]"))], ssh, at), passes());
    let why = unknown(&[("main.tf", &sg("var.rules"))], ssh, at);
    assert!(!why.is_empty());
}
