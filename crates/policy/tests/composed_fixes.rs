//! Fixes made of several edits (`fix_also`, `fix_requires`), fixes that depend on the module
//! (`{only:TYPE}`), `fix_at` for a missing attribute, `accept_refs`, and the wildcard-principal
//! replacement in policy documents.

use redress_policy::{Catalog, Status, evaluate};

mod support;
use support::{propose_in, repo};

const LAMBDA: &str = "resource \"aws_lambda_permission\" \"p\" {\n  action        = \"lambda:InvokeFunction\"\n  function_name = \"f\"\n  principal     = \"*\"\n}\n";

#[test]
fn the_caller_identity_data_source_is_added_once_per_module() {
    let f = propose_in(
        &repo(&[("main.tf", LAMBDA)]),
        "RDX-LAMBDA-002",
        "aws_lambda_permission.p",
    );
    assert!(f.offered, "{:?}", f.reason);
    let text = &f.patched["main.tf"];
    assert!(
        text.contains("principal     = data.aws_caller_identity.current.account_id\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("data \"aws_caller_identity\" \"current\" {}")
            .count(),
        1
    );

    // Already declared in another file of the module: only the principal changes.
    let r = repo(&[
        ("main.tf", LAMBDA),
        ("data.tf", "data \"aws_caller_identity\" \"current\" {}\n"),
    ]);
    let f = propose_in(&r, "RDX-LAMBDA-002", "aws_lambda_permission.p");
    assert!(f.offered, "{:?}", f.reason);
    assert!(!f.patched["main.tf"].contains("data \"aws_caller_identity\""));
    assert_eq!(f.patched.len(), 1);
}

#[test]
fn a_principal_from_the_caller_identity_passes_and_other_references_stay_unknown() {
    let catalog = Catalog::builtin()
        .expect("catalog")
        .subset(&["RDX-LAMBDA-002"]);
    let ok = LAMBDA.replace("\"*\"", "data.aws_caller_identity.current.account_id");
    let r = evaluate(&repo(&[("main.tf", &ok)]), &catalog);
    assert_eq!(r[0].status, Status::Pass);
    let other = LAMBDA.replace("\"*\"", "var.caller");
    let r = evaluate(&repo(&[("main.tf", &other)]), &catalog);
    assert_eq!(r[0].status, Status::Unknown);
}

#[test]
fn a_public_eks_endpoint_becomes_private_with_private_access_in_one_fix() {
    let text = "resource \"aws_eks_cluster\" \"c\" {\n  name = \"c\"\n  vpc_config {\n    endpoint_public_access  = true\n    endpoint_private_access = false\n    public_access_cidrs     = [\"0.0.0.0/0\"]\n  }\n}\n";
    let f = propose_in(
        &repo(&[("main.tf", text)]),
        "RDX-EKS-002",
        "aws_eks_cluster.c",
    );
    assert!(f.offered, "{:?}", f.reason);
    let out = &f.patched["main.tf"];
    assert!(out.contains("endpoint_public_access  = false\n"), "{out}");
    assert!(out.contains("endpoint_private_access = true\n"), "{out}");
    // The CIDR list is left alone: it no longer applies to a private endpoint.
    assert!(
        out.contains("public_access_cidrs     = [\"0.0.0.0/0\"]"),
        "{out}"
    );
}

#[test]
fn a_flow_log_gets_the_only_vpc_of_its_module_and_no_fix_when_there_are_two() {
    let flow = "resource \"aws_flow_log\" \"f\" {\n  traffic_type = \"ALL\"\n}\n";
    let one =
        format!("resource \"aws_vpc\" \"main\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}\n\n{flow}");
    let f = propose_in(&repo(&[("main.tf", &one)]), "RDX-VPC-001", "aws_flow_log.f");
    assert!(f.offered, "{:?}", f.reason);
    assert!(
        f.diff.contains("+  vpc_id = aws_vpc.main.id\n"),
        "{}",
        f.diff
    );

    let two = format!("resource \"aws_vpc\" \"b\" {{\n  cidr_block = \"10.1.0.0/16\"\n}}\n\n{one}");
    let f = propose_in(&repo(&[("main.tf", &two)]), "RDX-VPC-001", "aws_flow_log.f");
    assert!(!f.offered);
    assert!(
        f.reason
            .as_deref()
            .is_some_and(|r| r.contains("exactly one `aws_vpc`")),
        "{:?}",
        f.reason
    );
}

#[test]
fn a_deny_with_a_wildcard_principal_is_kept_and_the_allow_is_narrowed() {
    let text = r#"resource "aws_sqs_queue_policy" "q" {
  queue_url = "u"
  policy    = <<EOF
{
  "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "sqs:SendMessage", "Resource": "*"}
  ]
}
EOF
}
"#;
    let f = propose_in(
        &repo(&[("main.tf", text)]),
        "RDX-SQS-002",
        "aws_sqs_queue_policy.q",
    );
    assert!(f.offered, "{:?}", f.reason);
    let out = &f.patched["main.tf"];
    assert!(
        out.contains(r#"{"Effect": "Deny", "Principal": "*""#),
        "{out}"
    );
    assert!(
        out.contains(r#""Principal": {"AWS": ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]}"#),
        "{out}"
    );
}

#[test]
fn a_kms_key_without_policy_gets_the_default_key_policy() {
    let text = "resource \"aws_kms_key\" \"k\" {\n  description = \"k\"\n}\n";
    let f = propose_in(&repo(&[("main.tf", text)]), "RDX-KMS-002", "aws_kms_key.k");
    assert!(f.offered, "{:?}", f.reason);
    let out = &f.patched["main.tf"];
    assert!(out.contains("  policy = jsonencode({\n"), "{out}");
    assert!(out.contains("Action    = \"kms:*\""), "{out}");
    assert!(
        out.ends_with("}\n\ndata \"aws_caller_identity\" \"current\" {}\n"),
        "{out}"
    );
}

#[test]
fn a_wildcard_trust_limited_by_a_condition_still_fails_like_an_account_root() {
    // `*` with aws:PrincipalAccount admits every identity of the account (as the account root
    // does), aws:PrincipalOrgID every account of the organization, and sts:ExternalId is a
    // value the caller supplies, not an identity: none of them names who may assume the role.
    let catalog = Catalog::builtin()
        .expect("catalog")
        .subset(&["RDX-IAM-002"]);
    for condition in [
        r#"{"StringEquals": {"aws:PrincipalAccount": "111122223333"}}"#,
        r#"{"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}"#,
        r#"{"StringEquals": {"sts:ExternalId": "secret"}}"#,
    ] {
        let text = format!(
            "resource \"aws_iam_role\" \"r\" {{\n  assume_role_policy = <<EOF\n{{\"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"AWS\": \"*\"}}, \"Action\": \"sts:AssumeRole\", \"Condition\": {condition}}}]}}\nEOF\n}}\n"
        );
        let r = evaluate(&repo(&[("main.tf", &text)]), &catalog);
        assert_eq!(r[0].status, Status::Fail, "{condition}");
        // The fix does not rely on the condition: the principal becomes a validated input
        // naming roles, and the condition stays as written.
        let f = propose_in(
            &repo(&[("main.tf", &text)]),
            "RDX-IAM-002",
            "aws_iam_role.r",
        );
        assert!(f.offered, "{condition}: {:?}", f.reason);
        let out = &f.patched["main.tf"];
        assert!(
            out.contains(r#""Principal": {"AWS": ${jsonencode(var.r_trusted_principals)}}"#)
                && out.contains(&format!(r#""Condition": {condition}"#)),
            "{out}"
        );
    }
}

#[test]
fn a_document_in_a_variable_default_gets_no_fix_that_interpolates_into_the_default() {
    // A variable default cannot refer to a data source or another variable, so neither the
    // account-root principal (SQS) nor the validated input (IAM) may be written into it.
    let queue = "variable \"queue_policy\" {\n  default = <<EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"sqs:SendMessage\", \"Resource\": \"*\"}]}\nEOF\n}\n\nresource \"aws_sqs_queue_policy\" \"q\" {\n  queue_url = \"https://sqs.example/q\"\n  policy    = var.queue_policy\n}\n";
    let admin = "variable \"admin\" {\n  default = <<EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}\nEOF\n}\n\nresource \"aws_iam_policy\" \"p\" {\n  policy = var.admin\n}\n";
    for (text, policy, address) in [
        (queue, "RDX-SQS-002", "aws_sqs_queue_policy.q"),
        (admin, "RDX-IAM-001", "aws_iam_policy.p"),
    ] {
        let f = propose_in(&repo(&[("main.tf", text)]), policy, address);
        assert!(!f.offered, "{policy}: {}", f.diff);
        assert!(
            f.reason
                .as_deref()
                .is_some_and(|r| r.contains("variable default")),
            "{policy}: {:?}",
            f.reason
        );
    }
}
