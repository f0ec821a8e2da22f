//! Policy documents read the values of their references (POLICIES.md, "Values in policy
//! documents"): a variable's default, a caller's module input, `terraform.tfvars`, a local,
//! used as if written literally and reported where they are written; a value that cannot be
//! computed makes the result unknown when it could decide it.

use redress_policy::{Catalog, Status, fix};

mod support;
use support::{first_violation, repo, result};

/// The status and, when failing, the `file:line` reported.
fn outcome(files: &[(&str, &str)], policy: &str, address: &str) -> (Status, String) {
    let r = result(files, policy, address);
    (r.status, first_violation(&r))
}

const ADMIN_OBJECT: &str = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = var.actions, Resource = \"*\" }] })\n}\n";

fn actions(default: &str) -> String {
    format!("variable \"actions\" {{\n  default = {default}\n}}\n")
}

#[test]
fn a_wildcard_default_in_a_jsonencode_object_fails_at_the_default() {
    let vars = actions("[\"*\"]");
    let files = [("main.tf", ADMIN_OBJECT), ("vars.tf", vars.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p"),
        (Status::Fail, "vars.tf:2".to_string())
    );
    // A narrow default passes.
    let narrow = actions("[\"s3:GetObject\"]");
    let files = [("main.tf", ADMIN_OBJECT), ("vars.tf", narrow.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Pass
    );
}

#[test]
fn terraform_tfvars_decides_over_the_default() {
    let narrow = actions("[\"s3:GetObject\"]");
    let files = [
        ("main.tf", ADMIN_OBJECT),
        ("vars.tf", narrow.as_str()),
        (
            "terraform.tfvars",
            "region  = \"eu-west-1\"\nactions = [\"*\"]\n",
        ),
    ];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p"),
        (Status::Fail, "terraform.tfvars:2".to_string())
    );
    let wide = actions("[\"*\"]");
    let files = [
        ("main.tf", ADMIN_OBJECT),
        ("vars.tf", wide.as_str()),
        ("terraform.tfvars", "actions = [\"s3:GetObject\"]\n"),
    ];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Pass
    );
}

#[test]
fn a_callers_module_input_fails_at_the_call_site() {
    let module = format!("{}{ADMIN_OBJECT}", actions("[\"s3:GetObject\"]"));
    let call =
        |value: &str| format!("module \"m\" {{\n  source  = \"./m\"\n  actions = {value}\n}}\n");
    let root = call("[\"*\"]");
    let files = [("main.tf", root.as_str()), ("m/main.tf", module.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "module.m.aws_iam_policy.p"),
        (Status::Fail, "main.tf:3".to_string())
    );
    let root = call("[\"s3:PutObject\"]");
    let files = [("main.tf", root.as_str()), ("m/main.tf", module.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "module.m.aws_iam_policy.p").0,
        Status::Pass
    );
}

#[test]
fn policy_documents_read_variables_and_locals() {
    let data = "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = var.actions\n    resources = local.everything\n  }\n}\n\nlocals {\n  everything = [\"*\"]\n}\n";
    let wide = actions("[\"*\"]");
    let files = [("main.tf", data), ("vars.tf", wide.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "data.aws_iam_policy_document.d"),
        (Status::Fail, "vars.tf:2".to_string())
    );
    let narrow = actions("[\"s3:GetObject\"]");
    let files = [("main.tf", data), ("vars.tf", narrow.as_str())];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "data.aws_iam_policy_document.d").0,
        Status::Pass
    );
    // A trust policy's identifiers from a variable default.
    let trust = "variable \"trusted\" {\n  default = [\"*\"]\n}\n\ndata \"aws_iam_policy_document\" \"assume\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = var.trusted\n    }\n  }\n}\n\nresource \"aws_iam_role\" \"r\" {\n  name               = \"r\"\n  assume_role_policy = data.aws_iam_policy_document.assume.json\n}\n";
    assert_eq!(
        outcome(&[("main.tf", trust)], "RDX-IAM-002", "aws_iam_role.r"),
        (Status::Fail, "main.tf:2".to_string())
    );
    let named = trust.replace("[\"*\"]", "[\"arn:aws:iam::123456789012:role/ci\"]");
    assert_eq!(
        outcome(&[("main.tf", &named)], "RDX-IAM-002", "aws_iam_role.r").0,
        Status::Pass
    );
}

#[test]
fn a_value_that_cannot_be_computed_is_unknown_only_where_it_could_decide() {
    // No default, no value: the actions could be `*`.
    let files = [
        ("main.tf", ADMIN_OBJECT),
        ("vars.tf", "variable \"actions\" {}\n"),
    ];
    let r = result(&files, "RDX-IAM-001", "aws_iam_policy.p");
    assert_eq!(r.status, Status::Unknown);
    assert!(
        r.reason
            .as_deref()
            .is_some_and(|w| w.contains("var.actions")),
        "{:?}",
        r.reason
    );
    // An unknown resource cannot make a Deny statement grant anything.
    let deny = ADMIN_OBJECT.replace("\"Allow\"", "\"Deny\"");
    let files = [
        ("main.tf", deny.as_str()),
        ("vars.tf", "variable \"actions\" {}\n"),
    ];
    assert_eq!(
        outcome(&files, "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Pass
    );
    // Another resource's ARN names something: it is not a wildcard, as before.
    let arn = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = [aws_s3_bucket.b.arn, \"${aws_s3_bucket.b.arn}/*\"] }] })\n}\n";
    assert_eq!(
        outcome(&[("main.tf", arn)], "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Pass
    );
    // A known wildcard fails even beside an unknown value.
    let both = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }, { Effect = \"Allow\", Action = var.more, Resource = \"*\" }] })\n}\n\nvariable \"more\" {}\n";
    assert_eq!(
        outcome(&[("main.tf", both)], "RDX-IAM-001", "aws_iam_policy.p"),
        (Status::Fail, "main.tf:2".to_string())
    );
}

#[test]
fn a_heredoc_reads_jsonencode_of_a_known_value() {
    let heredoc = "variable \"actions\" {\n  default = [\"*\"]\n}\n\nresource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": ${jsonencode(var.actions)}, \"Resource\": \"*\"}]}\nEOF\n}\n";
    assert_eq!(
        outcome(&[("main.tf", heredoc)], "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Fail
    );
    let narrow = heredoc.replace("[\"*\"]", "[\"s3:GetObject\"]");
    assert_eq!(
        outcome(&[("main.tf", &narrow)], "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Pass
    );
}

#[test]
fn the_fix_makes_the_use_a_validated_input_and_verifies() {
    let vars = actions("[\"*\"]");
    let files = [("main.tf", ADMIN_OBJECT), ("vars.tf", vars.as_str())];
    let f = fix::propose(
        &repo(&files),
        &Catalog::builtin().expect("catalog"),
        "RDX-IAM-001",
        "aws_iam_policy.p",
    )
    .expect("propose");
    assert!(f.offered, "{:?}\n{}", f.reason, f.diff);
    let out = &f.patched["main.tf"];
    assert!(out.contains("Action = var.p_allowed_actions"), "{out}");
    assert!(out.contains("variable \"p_allowed_actions\""), "{out}");
    // The default other resources may use is left alone.
    assert!(!f.patched.contains_key("vars.tf"), "{:?}", f.patched.keys());
    let after = [("main.tf", out.as_str()), ("vars.tf", vars.as_str())];
    assert_eq!(
        outcome(&after, "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Pass
    );
}

#[test]
fn trusts_and_module_inputs_from_values_get_verified_fixes_at_the_use() {
    let trust = "variable \"trusted\" {\n  default = [\"*\"]\n}\n\ndata \"aws_iam_policy_document\" \"assume\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = var.trusted\n    }\n  }\n}\n\nresource \"aws_iam_role\" \"r\" {\n  name               = \"r\"\n  assume_role_policy = data.aws_iam_policy_document.assume.json\n}\n";
    let module = format!("{}{ADMIN_OBJECT}", actions("[\"s3:GetObject\"]"));
    let root = "module \"m\" {\n  source  = \"./m\"\n  actions = [\"*\"]\n}\n";
    for (files, policy, address, file, expected) in [
        (
            vec![("main.tf", trust)],
            "RDX-IAM-002",
            "aws_iam_role.r",
            "main.tf",
            "identifiers = var.r_trusted_principals",
        ),
        (
            vec![("main.tf", root), ("m/main.tf", module.as_str())],
            "RDX-IAM-001",
            "module.m.aws_iam_policy.p",
            "m/main.tf",
            "Action = var.p_allowed_actions",
        ),
    ] {
        let f = fix::propose(
            &repo(&files),
            &Catalog::builtin().expect("catalog"),
            policy,
            address,
        )
        .expect("propose");
        assert!(f.offered, "{:?}\n{}", f.reason, f.diff);
        assert!(f.patched[file].contains(expected), "{}", f.patched[file]);
        let after: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (*p, f.patched.get(*p).map_or(*t, String::as_str)))
            .collect();
        assert_eq!(
            outcome(&after, policy, address).0,
            Status::Pass,
            "{}",
            f.diff
        );
    }
}

#[test]
fn a_heredoc_reads_known_interpolations_inside_strings() {
    let heredoc = "variable \"action\" {\n  default = \"*\"\n}\n\nresource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"${var.action}\", \"Resource\": \"*\"}]}\nEOF\n}\n";
    assert_eq!(
        outcome(&[("main.tf", heredoc)], "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Fail
    );
    let narrow = heredoc.replace("default = \"*\"", "default = \"s3:GetObject\"");
    assert_eq!(
        outcome(&[("main.tf", &narrow)], "RDX-IAM-001", "aws_iam_policy.p").0,
        Status::Pass
    );
}
