//! RDX-IAM-001 and RDX-IAM-002 fixed through a validated Terraform input: the wildcard action
//! (or trusted principal) becomes a variable with no default whose `validation` refuses
//! wildcards (and account roots), in heredocs, `jsonencode` objects and policy documents; and
//! the policies' reading of such variables (pass only while the validation has the documented
//! shape and no known value breaks it).

use redress_policy::Status;

mod support;
use support::{propose, result};

fn status(files: &[(&str, &str)], policy: &str, address: &str) -> Status {
    result(files, policy, address).status
}

const ACTIONS_VALIDATION: &str = "  validation {\n    condition     = length(var.a) > 0 && alltrue([for x in var.a : x != \"*\" && !endswith(x, \":*\")])\n    error_message = \"no wildcards\"\n  }\n";

fn actions_variable(default: Option<&str>) -> String {
    let default = default.map_or(String::new(), |d| format!("  default = {d}\n"));
    format!("variable \"a\" {{\n  type = list(string)\n{default}{ACTIONS_VALIDATION}}}\n")
}

fn heredoc_policy(action: &str) -> String {
    format!(
        "resource \"aws_iam_policy\" \"p\" {{\n  policy = <<EOF\n{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Action\": {action},\n      \"Resource\": \"*\"\n    }}\n  ]\n}}\nEOF\n}}\n"
    )
}

/// The fix is offered, writes `expected` and the variable once, and the result passes.
fn assert_fixed(files: &[(&str, &str)], policy: &str, address: &str, expected: &str, var: &str) {
    let f = propose(files, policy, address);
    assert!(f.offered, "{:?}\n{}", f.reason, f.diff);
    let out = &f.patched["main.tf"];
    assert!(out.contains(expected), "{out}");
    assert_eq!(
        out.matches(&format!("variable \"{var}\" {{")).count(),
        1,
        "{out}"
    );
    assert!(!out.contains("default"), "no default: plan must ask\n{out}");
    assert!(
        out.contains(&format!("condition     = length(var.{var}) > 0")),
        "{out}"
    );
    assert_eq!(
        status(&[("main.tf", out.as_str())], policy, address),
        Status::Pass,
        "{out}"
    );
}

#[test]
fn full_admin_becomes_a_validated_actions_input_in_every_document_form() {
    let heredoc = heredoc_policy("[\"*\"]");
    assert_fixed(
        &[("main.tf", &heredoc)],
        "RDX-IAM-001",
        "aws_iam_policy.p",
        "\"Action\": ${jsonencode(var.p_allowed_actions)},",
        "p_allowed_actions",
    );
    let object = "resource \"aws_iam_role_policy\" \"rp\" {\n  role   = \"r\"\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [\n      { Effect = \"Deny\", Action = \"*\", Resource = \"*\" },\n      { Effect = \"Allow\", Action = \"*\", Resource = \"*\" },\n    ]\n  })\n}\n";
    assert_fixed(
        &[("main.tf", object)],
        "RDX-IAM-001",
        "aws_iam_role_policy.rp",
        "{ Effect = \"Allow\", Action = var.rp_allowed_actions, Resource = \"*\" }",
        "rp_allowed_actions",
    );
    let data = "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"*\"]\n    resources = [\"*\"]\n  }\n}\n";
    assert_fixed(
        &[("main.tf", data)],
        "RDX-IAM-001",
        "data.aws_iam_policy_document.d",
        "    actions   = var.d_allowed_actions\n",
        "d_allowed_actions",
    );
}

#[test]
fn two_admin_statements_share_the_one_variable() {
    let text = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n  {\"Effect\": \"Allow\", \"Action\": \"*:*\", \"Resource\": \"*\"}\n]}\nEOF\n}\n";
    let f = propose(&[("main.tf", text)], "RDX-IAM-001", "aws_iam_policy.p");
    assert!(f.offered, "{:?}", f.reason);
    let out = &f.patched["main.tf"];
    assert_eq!(
        out.matches("${jsonencode(var.p_allowed_actions)}").count(),
        2,
        "{out}"
    );
    assert_eq!(out.matches("variable \"p_allowed_actions\"").count(), 1);
}

#[test]
fn a_validated_variable_passes_only_while_no_known_value_breaks_it() {
    let uses_var = heredoc_policy("${jsonencode(var.a)}");
    // No value anywhere: Terraform asks for one and refuses wildcards.
    let none = actions_variable(None);
    assert_eq!(
        status(
            &[("main.tf", &uses_var), ("vars.tf", &none)],
            "RDX-IAM-001",
            "aws_iam_policy.p"
        ),
        Status::Pass
    );
    // A default is read: a wildcard default still fails, a narrow one passes.
    let star = actions_variable(Some("[\"*\"]"));
    assert_eq!(
        status(
            &[("main.tf", &uses_var), ("vars.tf", &star)],
            "RDX-IAM-001",
            "aws_iam_policy.p"
        ),
        Status::Fail
    );
    let narrow = actions_variable(Some("[\"s3:GetObject\"]"));
    assert_eq!(
        status(
            &[("main.tf", &uses_var), ("vars.tf", &narrow)],
            "RDX-IAM-001",
            "aws_iam_policy.p"
        ),
        Status::Pass
    );
    // So is terraform.tfvars.
    assert_eq!(
        status(
            &[
                ("main.tf", &uses_var),
                ("vars.tf", &none),
                ("terraform.tfvars", "a = [\"*\"]\n")
            ],
            "RDX-IAM-001",
            "aws_iam_policy.p"
        ),
        Status::Fail
    );
    // A validation of another shape proves nothing: the document cannot be read.
    let weak = none.replace(" && !endswith(x, \":*\")", "");
    assert_eq!(
        status(
            &[("main.tf", &uses_var), ("vars.tf", &weak)],
            "RDX-IAM-001",
            "aws_iam_policy.p"
        ),
        Status::Unknown
    );
    let untyped = none.replace("  type = list(string)\n", "");
    assert_eq!(
        status(
            &[("main.tf", &uses_var), ("vars.tf", &untyped)],
            "RDX-IAM-001",
            "aws_iam_policy.p"
        ),
        Status::Unknown
    );
}

#[test]
fn a_validated_input_of_a_module_is_read_from_the_caller() {
    let module = format!(
        "{}\n{}",
        actions_variable(None),
        heredoc_policy("${jsonencode(var.a)}")
    );
    let call =
        |value: &str| format!("module \"m\" {{\n  source = \"./m\"\n  a      = {value}\n}}\n");
    for (value, want) in [
        ("[\"*\"]", Status::Fail),
        ("[\"s3:GetObject\"]", Status::Pass),
        ("var.actions", Status::Pass),
    ] {
        let root = format!("{}variable \"actions\" {{}}\n", call(value));
        assert_eq!(
            status(
                &[("main.tf", &root), ("m/main.tf", &module)],
                "RDX-IAM-001",
                "module.m.aws_iam_policy.p"
            ),
            want,
            "{value}"
        );
    }
}

fn trust(principal: &str) -> String {
    format!(
        "resource \"aws_iam_role\" \"r\" {{\n  assume_role_policy = <<EOF\n{{\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {principal},\n      \"Action\": \"sts:AssumeRole\"\n    }}\n  ]\n}}\nEOF\n}}\n"
    )
}

#[test]
fn an_account_root_or_wildcard_trust_becomes_a_validated_principals_input() {
    for (principal, expected) in [
        (
            "{\"AWS\": \"arn:aws:iam::123456789012:root\"}",
            "\"Principal\": {\"AWS\": ${jsonencode(var.r_trusted_principals)}},",
        ),
        (
            "{\"AWS\": [\"*\", \"111122223333\"]}",
            "\"Principal\": {\"AWS\": ${jsonencode(var.r_trusted_principals)}},",
        ),
        (
            "\"*\"",
            "\"Principal\": {\"AWS\": ${jsonencode(var.r_trusted_principals)}},",
        ),
    ] {
        let text = trust(principal);
        assert_eq!(
            status(&[("main.tf", &text)], "RDX-IAM-002", "aws_iam_role.r"),
            Status::Fail
        );
        assert_fixed(
            &[("main.tf", &text)],
            "RDX-IAM-002",
            "aws_iam_role.r",
            expected,
            "r_trusted_principals",
        );
    }
    // A list that also names a role is left to a person: the role would be lost.
    let mixed = trust("{\"AWS\": [\"arn:aws:iam::123456789012:role/ci\", \"*\"]}");
    let f = propose(&[("main.tf", &mixed)], "RDX-IAM-002", "aws_iam_role.r");
    assert!(!f.offered);
    assert!(
        f.reason
            .as_deref()
            .is_some_and(|r| r.contains("other principals")),
        "{:?}",
        f.reason
    );
}

#[test]
fn a_trust_of_a_variable_validated_as_actions_is_not_proven() {
    let text = format!(
        "{}\n{}",
        actions_variable(None),
        trust("{\"AWS\": ${jsonencode(var.a)}}")
    );
    assert_eq!(
        status(&[("main.tf", &text)], "RDX-IAM-002", "aws_iam_role.r"),
        Status::Unknown
    );
}

#[test]
fn trusts_written_with_jsonencode_or_a_policy_document_get_the_input_too() {
    let object = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({\n    Statement = [{\n      Effect    = \"Allow\"\n      Action    = \"sts:AssumeRole\"\n      Principal = \"*\"\n    }]\n  })\n}\n";
    assert_fixed(
        &[("main.tf", object)],
        "RDX-IAM-002",
        "aws_iam_role.r",
        "      Principal = { AWS = var.r_trusted_principals }\n",
        "r_trusted_principals",
    );
    let object_root = object.replace(
        "Principal = \"*\"",
        "Principal = { AWS = \"arn:aws:iam::123456789012:root\" }",
    );
    assert_fixed(
        &[("main.tf", &object_root)],
        "RDX-IAM-002",
        "aws_iam_role.r",
        "      Principal = { AWS = var.r_trusted_principals }\n",
        "r_trusted_principals",
    );
    let data = "data \"aws_iam_policy_document\" \"trust\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"*\"\n      identifiers = [\"*\"]\n    }\n  }\n}\n\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n";
    assert_fixed(
        &[("main.tf", data)],
        "RDX-IAM-002",
        "aws_iam_role.r",
        "    principals {\n      type        = \"AWS\"\n      identifiers = var.r_trusted_principals\n    }\n",
        "r_trusted_principals",
    );
    let data_root = data
        .replace("type        = \"*\"", "type        = \"AWS\"")
        .replace("[\"*\"]", "[\"arn:aws:iam::123456789012:root\"]");
    assert_fixed(
        &[("main.tf", &data_root)],
        "RDX-IAM-002",
        "aws_iam_role.r",
        "      identifiers = var.r_trusted_principals\n",
        "r_trusted_principals",
    );
}
