//! Policy documents behind `count` / `for_each` indexes and in `dynamic` blocks (POLICIES.md,
//! "Indexed documents and dynamic blocks"): `data.aws_iam_policy_document.d[INDEX].json` reads
//! the instance the index selects (every instance, when the index cannot be computed, whose
//! common verdict is used), and `dynamic "statement"` / `dynamic "principals"` blocks are
//! expanded from their `for_each`.

use redress_policy::{Catalog, Status, fix};

mod support;
use support::{first_violation, repo, result};

/// The status and, when failing, the `file:line` reported.
fn outcome(files: &[(&str, &str)], policy: &str, address: &str) -> (Status, String) {
    let r = result(files, policy, address);
    (r.status, first_violation(&r))
}

fn fails_at(at: &str) -> (Status, String) {
    (Status::Fail, at.to_string())
}

fn passes() -> (Status, String) {
    (Status::Pass, String::new())
}

const COUNTED: &str = r#"data "aws_iam_policy_document" "d" {
  count = 2
  statement {
    actions   = count.index == 0 ? ["s3:GetObject"] : ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "p" {
  count  = 2
  policy = data.aws_iam_policy_document.d[count.index].json
}

resource "aws_iam_policy" "first" {
  policy = data.aws_iam_policy_document.d[0].json
}

resource "aws_iam_policy" "second" {
  policy = data.aws_iam_policy_document.d[1].json
}
"#;

#[test]
fn a_count_index_reads_the_instance_it_selects() {
    let files = [("main.tf", COUNTED)];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p[0]"),
        passes()
    );
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p[1]"),
        fails_at("main.tf:11")
    );
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.first"),
        passes()
    );
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.second"),
        fails_at("main.tf:19")
    );
}

#[test]
fn a_known_index_of_unknown_instances_is_read_as_that_instance() {
    let src = r#"variable "n" {}

data "aws_iam_policy_document" "d" {
  count = var.n
  statement {
    actions   = count.index == 1 ? ["*"] : ["s3:GetObject"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "zero" {
  policy = data.aws_iam_policy_document.d[0].json
}

resource "aws_iam_policy" "one" {
  policy = data.aws_iam_policy_document.d[1].json
}
"#;
    let files = [("main.tf", src)];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.zero"),
        passes()
    );
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.one"),
        fails_at("main.tf:16")
    );
}

fn keyed(all: &str, read: &str, index: &str) -> String {
    format!(
        r#"variable "docs" {{
  default = {{ all = {all}, read = {read} }}
}}

variable "which" {{}}

data "aws_iam_policy_document" "d" {{
  for_each = var.docs
  statement {{
    actions   = each.value
    resources = ["*"]
  }}
}}

resource "aws_iam_policy" "p" {{
  for_each = var.docs
  policy   = data.aws_iam_policy_document.d[each.key].json
}}

resource "aws_iam_policy" "one" {{
  policy = data.aws_iam_policy_document.d[{index}].json
}}
"#
    )
}

#[test]
fn a_for_each_key_reads_the_instance_it_selects() {
    let src = keyed(r#"["*"]"#, r#"["s3:GetObject"]"#, r#""read""#);
    let files = [("main.tf", src.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p[\"all\"]"),
        fails_at("main.tf:17")
    );
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p[\"read\"]"),
        passes()
    );
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.one"),
        passes()
    );
    let src = keyed(r#"["*"]"#, r#"["s3:GetObject"]"#, r#""all""#);
    let files = [("main.tf", src.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.one"),
        fails_at("main.tf:21")
    );
}

#[test]
fn an_unknown_index_uses_the_verdict_every_instance_gives() {
    let cases = [
        (r#"["s3:GetObject"]"#, r#"["s3:PutObject"]"#, Status::Pass),
        (r#"["*"]"#, r#"["iam:*", "*"]"#, Status::Fail),
        (r#"["*"]"#, r#"["s3:GetObject"]"#, Status::Unknown),
    ];
    for (all, read, expected) in cases {
        let src = keyed(all, read, "var.which");
        let files = [("main.tf", src.as_str())];
        let r = result(&files, "RDX-IAM-001", "aws_iam_policy.one");
        assert_eq!(r.status, expected, "{all} / {read}: {:?}", r.reason);
        if expected == Status::Unknown {
            let reason = r.reason.unwrap_or_default();
            assert!(reason.contains("instances"), "{reason}");
        }
    }
}

/// The SQS notification policy of terraform-aws-modules/s3-bucket: the documents' instances
/// come from a variable without value, the principal is a literal service.
#[test]
fn unknown_instances_pass_when_whatever_they_are_passes() {
    let src = |kind: &str, id: &str| {
        format!(
            r#"variable "queues" {{}}

data "aws_iam_policy_document" "sqs" {{
  for_each = var.queues
  statement {{
    actions   = ["sqs:SendMessage"]
    resources = [each.value.queue_arn]
    principals {{
      type        = "{kind}"
      identifiers = ["{id}"]
    }}
  }}
}}

resource "aws_sqs_queue_policy" "allow" {{
  for_each  = var.queues
  queue_url = each.value.queue_id
  policy    = data.aws_iam_policy_document.sqs[each.key].json
}}
"#
        )
    };
    let ok = src("Service", "s3.amazonaws.com");
    let r = result(
        &[("main.tf", ok.as_str())],
        "RDX-SQS-002",
        "aws_sqs_queue_policy.allow[*]",
    );
    assert_eq!(r.status, Status::Pass, "{:?}", r.reason);
    let open = src("AWS", "*");
    assert_eq!(
        outcome(
            &[("main.tf", open.as_str())],
            "RDX-SQS-002",
            "aws_sqs_queue_policy.allow[*]"
        ),
        fails_at("main.tf:18")
    );
}

fn dynamic_statements(statements: &str) -> String {
    format!(
        r#"variable "statements" {{
  default = {statements}
}}

data "aws_iam_policy_document" "d" {{
  statement {{
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }}

  dynamic "statement" {{
    for_each = var.statements
    content {{
      effect    = lookup(statement.value, "effect", "Allow")
      actions   = statement.value.actions
      resources = ["*"]
    }}
  }}
}}
"#
    )
}

#[test]
fn dynamic_statements_are_expanded_and_reported_at_the_for_each_value() {
    const DOC: &str = "data.aws_iam_policy_document.d";
    let wide = dynamic_statements(r#"[{ actions = ["s3:PutObject"] }, { actions = ["*"] }]"#);
    assert_eq!(
        outcome(&[("main.tf", wide.as_str())], "RDX-IAM-001", DOC),
        fails_at("main.tf:2")
    );
    let denied =
        dynamic_statements(r#"[{ actions = ["*"], effect = "Deny" }, { actions = ["s3:*"] }]"#);
    assert_eq!(
        outcome(&[("main.tf", denied.as_str())], "RDX-IAM-001", DOC),
        passes()
    );
    let none = dynamic_statements("[]");
    assert_eq!(
        outcome(&[("main.tf", none.as_str())], "RDX-IAM-001", DOC),
        passes()
    );
}

fn iterated(for_each: &str, actions: &str) -> String {
    format!(
        r#"variable "unset" {{}}

data "aws_iam_policy_document" "d" {{
  dynamic "statement" {{
    for_each = {for_each}
    iterator = grant
    content {{
      sid       = grant.key
      actions   = {actions}
      resources = ["*"]
    }}
  }}
}}
"#
    )
}

#[test]
fn an_iterator_name_and_literal_content_are_read() {
    const DOC: &str = "data.aws_iam_policy_document.d";
    let check = |for_each: &str, actions: &str| {
        let src = iterated(for_each, actions);
        let r = result(&[("main.tf", src.as_str())], "RDX-IAM-001", DOC);
        let at = r
            .violations
            .first()
            .map(|v| format!("{}:{}", v.file, v.line))
            .unwrap_or_default();
        (r.status, at, r.reason.unwrap_or_default())
    };
    // `grant.value`, from a map written in place: reported at the `for_each` value.
    let (status, at, _) = check(r#"{ admin = ["*"] }"#, "grant.value");
    assert_eq!((status, at.as_str()), (Status::Fail, "main.tf:5"));
    let (status, _, why) = check(r#"{ read = ["s3:GetObject"] }"#, "grant.value");
    assert_eq!(status, Status::Pass, "{why}");
    // A wildcard written in `content`: reported at the `content` block.
    let (status, at, _) = check(r#"["a"]"#, r#"["*"]"#);
    assert_eq!((status, at.as_str()), (Status::Fail, "main.tf:7"));
    // `for_each` unknown: the content passes whatever it is, or the result is unknown (it
    // may generate the statement, or not).
    let (status, _, why) = check("var.unset", r#"["s3:GetObject"]"#);
    assert_eq!(status, Status::Pass, "{why}");
    let (status, _, why) = check("var.unset", "grant.value");
    assert_eq!(status, Status::Unknown);
    assert!(why.contains("grant.value"), "{why}");
    let (status, _, why) = check("var.unset", r#"["*"]"#);
    assert_eq!(status, Status::Unknown);
    assert!(why.contains("dynamic"), "{why}");
}

fn queue(principals: &str) -> String {
    format!(
        r#"variable "principals" {{
  default = {principals}
}}

data "aws_iam_policy_document" "q" {{
  statement {{
    actions   = ["sqs:SendMessage"]
    resources = ["*"]
    dynamic "principals" {{
      for_each = var.principals
      content {{
        type        = principals.value.type
        identifiers = principals.value.identifiers
      }}
    }}
  }}
}}

resource "aws_sqs_queue_policy" "q" {{
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/q"
  policy    = data.aws_iam_policy_document.q.json
}}
"#
    )
}

#[test]
fn dynamic_principals_are_expanded_and_get_no_fix() {
    const QUEUE: &str = "aws_sqs_queue_policy.q";
    let service = queue(r#"[{ type = "Service", identifiers = ["s3.amazonaws.com"] }]"#);
    assert_eq!(
        outcome(&[("main.tf", service.as_str())], "RDX-SQS-002", QUEUE),
        passes()
    );
    // Two principals blocks of one type: both lists count.
    let open = queue(
        r#"[{ type = "AWS", identifiers = ["arn:aws:iam::123456789012:role/r"] }, { type = "AWS", identifiers = ["*"] }]"#,
    );
    let files = [("main.tf", open.as_str())];
    assert_eq!(outcome(&files, "RDX-SQS-002", QUEUE), fails_at("main.tf:2"));
    let f = fix::propose(
        &repo(&files),
        &Catalog::builtin().expect("catalog"),
        "RDX-SQS-002",
        QUEUE,
    )
    .expect("propose");
    assert!(!f.offered, "{}", f.diff);
    let reason = f.reason.unwrap_or_default();
    assert!(reason.contains("dynamic"), "{reason}");
    let anyone = queue(r#"[{ type = "*", identifiers = ["*"] }]"#);
    assert_eq!(
        outcome(&[("main.tf", anyone.as_str())], "RDX-SQS-002", QUEUE),
        fails_at("main.tf:2")
    );
}

fn tls(for_each: &str) -> String {
    format!(
        r#"variable "unset" {{}}

data "aws_iam_policy_document" "b" {{
  dynamic "statement" {{
    for_each = {for_each}
    content {{
      effect    = statement.value
      actions   = ["s3:*"]
      resources = ["arn:aws:s3:::b/*"]
      principals {{
        type        = "*"
        identifiers = ["*"]
      }}
      condition {{
        test     = "Bool"
        variable = "aws:SecureTransport"
        values   = ["false"]
      }}
    }}
  }}
}}

resource "aws_s3_bucket_policy" "b" {{
  bucket = "b"
  policy = data.aws_iam_policy_document.b.json
}}
"#
    )
}

#[test]
fn a_generated_deny_counts_for_secure_transport_only_when_it_is_known_to_be_there() {
    const POLICY: &str = "aws_s3_bucket_policy.b";
    let deny = tls(r#"["Deny"]"#);
    assert_eq!(
        outcome(&[("main.tf", deny.as_str())], "RDX-S3-008", POLICY),
        passes()
    );
    let allow = tls(r#"["Allow"]"#);
    assert_eq!(
        outcome(&[("main.tf", allow.as_str())], "RDX-S3-008", POLICY).0,
        Status::Fail
    );
    // It may be there or not, a Deny or not.
    let unknown = tls("var.unset");
    let r = result(&[("main.tf", unknown.as_str())], "RDX-S3-008", POLICY);
    assert_eq!(r.status, Status::Unknown, "{:?}", r.violations);
}
