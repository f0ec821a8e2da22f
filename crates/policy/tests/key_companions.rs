//! Fixes that add a customer managed KMS key next to the resource (`fix_requires` with a
//! `resource` block named after the subject, `{name}`): CloudTrail trails and CloudWatch log
//! groups without `kms_key_id`. The added key must itself pass every policy.

use redress_policy::{Catalog, Status, evaluate};

mod support;
use support::{propose_in, repo};

/// Every result of every built-in policy for the resources of type `rtype` in `text`.
fn statuses(text: &str, rtype: &str) -> Vec<(String, String, Status)> {
    let catalog = Catalog::builtin().expect("catalog");
    evaluate(&repo(&[("main.tf", text)]), &catalog)
        .into_iter()
        .filter(|r| r.address.starts_with(&format!("{rtype}.")))
        .map(|r| (r.policy.to_string(), r.address, r.status))
        .collect()
}

const TRAIL: &str = "resource \"aws_cloudtrail\" \"audit\" {\n  name           = \"audit\"\n  s3_bucket_name = \"logs\"\n}\n";

const GROUP: &str = "resource \"aws_cloudwatch_log_group\" \"app\" {\n  name              = \"app\"\n  retention_in_days = 365\n}\n";

#[test]
fn a_trail_gets_its_own_rotating_key_that_cloudtrail_may_use() {
    let f = propose_in(
        &repo(&[("main.tf", TRAIL)]),
        "RDX-CT-002",
        "aws_cloudtrail.audit",
    );
    assert!(f.offered, "{:?}", f.reason);
    let out = &f.patched["main.tf"];
    assert!(
        out.contains("  kms_key_id = aws_kms_key.audit_cloudtrail.arn\n}"),
        "{out}"
    );
    assert!(
        out.contains("resource \"aws_kms_key\" \"audit_cloudtrail\" {\n"),
        "{out}"
    );
    assert!(out.contains("enable_key_rotation = true"), "{out}");
    assert!(
        out.contains("Principal = { Service = \"cloudtrail.amazonaws.com\" }"),
        "{out}"
    );
    assert!(out.contains("\"kms:EncryptionContext:aws:cloudtrail:arn\" = \"arn:aws:cloudtrail:*:${data.aws_caller_identity.current.account_id}:trail/*\""), "{out}");
    assert_eq!(
        out.matches("data \"aws_caller_identity\" \"current\" {}")
            .count(),
        1,
        "{out}"
    );
    // The trail passes, and the new key passes every policy (rotation, key policy).
    let trail = statuses(out, "aws_cloudtrail");
    assert!(
        trail
            .iter()
            .any(|(p, _, s)| p == "RDX-CT-002" && *s == Status::Pass),
        "{trail:?}"
    );
    let key = statuses(out, "aws_kms_key");
    assert!(!key.is_empty(), "the key is evaluated");
    assert!(
        key.iter().all(|(_, _, s)| *s == Status::Pass),
        "{key:?}\n{out}"
    );
}

#[test]
fn a_log_group_gets_a_key_for_the_logs_service_of_its_region() {
    let f = propose_in(
        &repo(&[("main.tf", GROUP)]),
        "RDX-CW-001",
        "aws_cloudwatch_log_group.app",
    );
    assert!(f.offered, "{:?}", f.reason);
    let out = &f.patched["main.tf"];
    assert!(
        out.contains("  kms_key_id        = aws_kms_key.app_logs.arn\n")
            || out.contains("  kms_key_id = aws_kms_key.app_logs.arn\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "Principal = { Service = \"logs.${data.aws_region.current.name}.amazonaws.com\" }"
        ),
        "{out}"
    );
    assert!(out.contains("\"kms:EncryptionContext:aws:logs:arn\" = \"arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*\""), "{out}");
    assert_eq!(
        out.matches("data \"aws_region\" \"current\" {}").count(),
        1,
        "{out}"
    );
    let key = statuses(out, "aws_kms_key");
    assert!(!key.is_empty(), "the key is evaluated");
    assert!(
        key.iter().all(|(_, _, s)| *s == Status::Pass),
        "{key:?}\n{out}"
    );
}

#[test]
fn two_log_groups_get_two_keys_and_the_data_sources_once() {
    let other = GROUP.replace("\"app\"", "\"web\"");
    let text = format!("{GROUP}\n{other}");
    let first = propose_in(
        &repo(&[("main.tf", &text)]),
        "RDX-CW-001",
        "aws_cloudwatch_log_group.app",
    );
    assert!(first.offered, "{:?}", first.reason);
    let after_first = first.patched["main.tf"].clone();
    let second = propose_in(
        &repo(&[("main.tf", &after_first)]),
        "RDX-CW-001",
        "aws_cloudwatch_log_group.web",
    );
    assert!(second.offered, "{:?}", second.reason);
    let out = &second.patched["main.tf"];
    assert!(
        out.contains("resource \"aws_kms_key\" \"app_logs\""),
        "{out}"
    );
    assert!(
        out.contains("resource \"aws_kms_key\" \"web_logs\""),
        "{out}"
    );
    assert_eq!(
        out.matches("data \"aws_region\" \"current\" {}").count(),
        1,
        "{out}"
    );
    assert_eq!(
        out.matches("data \"aws_caller_identity\" \"current\" {}")
            .count(),
        1,
        "{out}"
    );
    let groups = statuses(out, "aws_cloudwatch_log_group");
    assert!(
        groups
            .iter()
            .filter(|(p, _, _)| p == "RDX-CW-001")
            .all(|(_, _, s)| *s == Status::Pass),
        "{groups:?}"
    );
}

#[test]
fn all_instances_of_a_counted_trail_share_one_key() {
    let text = TRAIL.replace("{\n  name", "{\n  count          = 2\n  name");
    let f = propose_in(
        &repo(&[("main.tf", &text)]),
        "RDX-CT-002",
        "aws_cloudtrail.audit[0]",
    );
    assert!(f.offered, "{:?}", f.reason);
    let out = &f.patched["main.tf"];
    assert_eq!(out.matches("resource \"aws_kms_key\"").count(), 1, "{out}");
    let trails: Vec<_> = statuses(out, "aws_cloudtrail")
        .into_iter()
        .filter(|(p, _, _)| p == "RDX-CT-002")
        .collect();
    assert_eq!(trails.len(), 2, "{trails:?}");
    assert!(
        trails.iter().all(|(_, _, s)| *s == Status::Pass),
        "{trails:?}"
    );
}

#[test]
fn a_key_of_the_same_name_is_not_reused() {
    let text = format!(
        "{TRAIL}\nresource \"aws_kms_key\" \"audit_cloudtrail\" {{\n  enable_key_rotation = true\n}}\n"
    );
    let f = propose_in(
        &repo(&[("main.tf", &text)]),
        "RDX-CT-002",
        "aws_cloudtrail.audit",
    );
    assert!(!f.offered);
    assert!(
        f.reason
            .as_deref()
            .is_some_and(|r| r.contains("already has `aws_kms_key.audit_cloudtrail`")),
        "{:?}",
        f.reason
    );
}

#[test]
fn a_resource_on_another_provider_gets_no_key_from_the_default_one() {
    let text = GROUP.replace("{\n  name", "{\n  provider          = aws.west\n  name");
    let f = propose_in(
        &repo(&[("main.tf", &text)]),
        "RDX-CW-001",
        "aws_cloudwatch_log_group.app",
    );
    assert!(!f.offered);
    assert!(
        f.reason
            .as_deref()
            .is_some_and(|r| r.contains("`provider = aws.west`")),
        "{:?}",
        f.reason
    );
}

#[test]
fn a_variable_default_cannot_refer_to_the_new_key() {
    let text = "variable \"key\" {\n  default = \"\"\n}\n\nresource \"aws_cloudtrail\" \"audit\" {\n  name           = \"audit\"\n  s3_bucket_name = \"logs\"\n  kms_key_id     = var.key\n}\n";
    let f = propose_in(
        &repo(&[("main.tf", text)]),
        "RDX-CT-002",
        "aws_cloudtrail.audit",
    );
    assert!(!f.offered);
    assert!(
        f.reason
            .as_deref()
            .is_some_and(|r| r.contains("variable default")),
        "{:?}",
        f.reason
    );
}

#[test]
fn a_key_reference_passes_and_other_references_stay_unknown() {
    let catalog = Catalog::builtin().expect("catalog").subset(&["RDX-CT-002"]);
    let with_key = TRAIL.replace(
        "  s3_bucket_name",
        "  kms_key_id     = aws_kms_key.k.arn\n  s3_bucket_name",
    );
    let r = evaluate(&repo(&[("main.tf", &with_key)]), &catalog);
    assert_eq!(r[0].status, Status::Pass);
    let other = TRAIL.replace(
        "  s3_bucket_name",
        "  kms_key_id     = module.kms.key_arn\n  s3_bucket_name",
    );
    let r = evaluate(&repo(&[("main.tf", &other)]), &catalog);
    assert_ne!(r[0].status, Status::Fail);
}
