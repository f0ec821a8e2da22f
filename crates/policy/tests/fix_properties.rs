//! Property test: many generated variants of resources (attribute missing, wrong or right;
//! nested blocks; count; values from a variable default or from a local module's call site;
//! registry-module inputs; `terraform.tfvars` values; different indentation and comments). For every failing instance
//! the generated fix must be offered, leave every file parsable, and make the policy pass;
//! right values must not fail.

use proptest::prelude::*;
use redress_policy::{Catalog, Repo, Status, Verification, evaluate, fix};

/// (resource type, policy, attribute path, right value, wrong value, missing fails)
const TEMPLATES: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "aws_ebs_volume",
        "RDX-EBS-001",
        "encrypted",
        "true",
        "false",
        true,
    ),
    (
        "aws_db_instance",
        "RDX-RDS-002",
        "publicly_accessible",
        "false",
        "true",
        false,
    ),
    (
        "aws_cloudtrail",
        "RDX-CT-001",
        "enable_log_file_validation",
        "true",
        "false",
        true,
    ),
    (
        "aws_dynamodb_table",
        "RDX-DDB-002",
        "point_in_time_recovery.enabled",
        "true",
        "false",
        true,
    ),
    (
        "aws_instance",
        "RDX-EC2-002",
        "metadata_options.http_tokens",
        "\"required\"",
        "\"optional\"",
        true,
    ),
    (
        "aws_lambda_function",
        "RDX-LAMBDA-001",
        "tracing_config.mode",
        "\"Active\"",
        "\"PassThrough\"",
        true,
    ),
    (
        "aws_s3_bucket",
        "RDX-S3-001",
        "versioning.enabled",
        "true",
        "false",
        true,
    ),
    (
        "aws_eks_cluster",
        "RDX-EKS-001",
        "vpc_config.endpoint_public_access",
        "false",
        "true",
        true,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setting {
    Missing,
    Wrong,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Literal,
    VariableDefault,
    ModuleInput,
    RegistryModule,
    Tfvars,
}

#[derive(Debug, Clone)]
struct Case {
    template: usize,
    setting: Setting,
    source: Source,
    count: Option<u8>,
    indent: usize,
    comment: bool,
    name: String,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..TEMPLATES.len(),
        prop_oneof![
            Just(Setting::Missing),
            Just(Setting::Wrong),
            Just(Setting::Right)
        ],
        prop_oneof![
            3 => Just(Source::Literal),
            1 => Just(Source::VariableDefault),
            1 => Just(Source::ModuleInput),
            1 => Just(Source::RegistryModule),
            1 => Just(Source::Tfvars),
        ],
        proptest::option::of(0u8..3),
        prop_oneof![Just(2usize), Just(4usize)],
        any::<bool>(),
        "[a-z][a-z0-9_]{0,10}",
    )
        .prop_map(
            |(template, setting, source, count, indent, comment, name)| Case {
                template,
                setting,
                source,
                count,
                indent,
                comment,
                name,
            },
        )
}

/// `a.b = v` as nested blocks (`a { b = v }`) or, in object style, `a = { b = v }`.
fn render_attr(path: &str, value: &str, indent: usize, depth: usize, object_style: bool) -> String {
    let pad = " ".repeat(indent * depth);
    match path.split_once('.') {
        None => format!("{pad}{path} = {value}\n"),
        Some((head, rest)) => {
            let open = if object_style {
                format!("{pad}{head} = {{\n")
            } else {
                format!("{pad}{head} {{\n")
            };
            format!(
                "{open}{}{pad}}}\n",
                render_attr(rest, value, indent, depth + 1, object_style)
            )
        }
    }
}

/// The files of a case and the address whose instances are checked.
fn build(c: &Case) -> (Vec<(String, String)>, String) {
    let (rtype, _, path, right, wrong, _) = TEMPLATES[c.template];
    let value = match c.setting {
        Setting::Missing => None,
        Setting::Wrong => Some(wrong),
        Setting::Right => Some(right),
    };
    let pad = " ".repeat(c.indent);
    let comment = if c.comment {
        format!("{pad}# owned by the platform team\n")
    } else {
        String::new()
    };
    let count = c
        .count
        .map(|n| format!("{pad}count = {n}\n"))
        .unwrap_or_default();
    let single = !path.contains('.');
    match c.source {
        Source::RegistryModule if rtype == "aws_s3_bucket" => {
            let body = value
                .map(|v| render_attr(path, v, c.indent, 1, true))
                .unwrap_or_default();
            let text = format!(
                "module \"{n}\" {{\n{pad}source = \"terraform-aws-modules/s3-bucket/aws\"\n{count}{comment}{pad}bucket = \"{n}\"\n{body}}}\n",
                n = c.name
            );
            (vec![("main.tf".into(), text)], format!("module.{}", c.name))
        }
        Source::VariableDefault if single && value.is_some() => {
            let v = value.unwrap_or("null");
            let text = format!(
                "variable \"setting\" {{\n{pad}default = {v}\n}}\n\nresource \"{rtype}\" \"{n}\" {{\n{count}{comment}{pad}{path} = var.setting\n}}\n",
                n = c.name
            );
            (
                vec![("main.tf".into(), text)],
                format!("{rtype}.{}", c.name),
            )
        }
        Source::Tfvars if single && value.is_some() => {
            let v = value.unwrap_or("null");
            // The default says the opposite; terraform.tfvars decides.
            let default = if c.setting == Setting::Right {
                wrong
            } else {
                right
            };
            let text = format!(
                "variable \"setting\" {{\n{pad}default = {default}\n}}\n\nresource \"{rtype}\" \"{n}\" {{\n{count}{comment}{pad}{path} = var.setting\n}}\n",
                n = c.name
            );
            (
                vec![
                    ("main.tf".into(), text),
                    ("terraform.tfvars".into(), format!("setting = {v}\n")),
                ],
                format!("{rtype}.{}", c.name),
            )
        }
        Source::ModuleInput if single && value.is_some() => {
            let v = value.unwrap_or("null");
            let call = format!(
                "module \"inner\" {{\n{pad}source  = \"./modules/inner\"\n{comment}{pad}setting = {v}\n}}\n"
            );
            let module = format!(
                "variable \"setting\" {{\n{pad}default = {right}\n}}\n\nresource \"{rtype}\" \"{n}\" {{\n{count}{pad}{path} = var.setting\n}}\n",
                n = c.name
            );
            (
                vec![
                    ("main.tf".into(), call),
                    ("modules/inner/main.tf".into(), module),
                ],
                format!("module.inner.{rtype}.{}", c.name),
            )
        }
        _ => {
            let body = value
                .map(|v| render_attr(path, v, c.indent, 1, false))
                .unwrap_or_default();
            let text = format!(
                "resource \"{rtype}\" \"{n}\" {{\n{count}{comment}{pad}tags = {{}}\n{body}}}\n",
                n = c.name
            );
            (
                vec![("main.tf".into(), text)],
                format!("{rtype}.{}", c.name),
            )
        }
    }
}

fn selects(address: &str, result: &str) -> bool {
    result == address || (result.starts_with(address) && result[address.len()..].starts_with('['))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn generated_fixes_parse_and_pass(c in case()) {
        let catalog = Catalog::builtin().expect("catalog");
        let (_, policy, _, _, _, missing_fails) = TEMPLATES[c.template];
        let only = catalog.subset(&[policy]);
        let (files, address) = build(&c);
        let repo = Repo::from_sources(files.clone());
        prop_assert!(repo.errors().is_empty(), "generated input does not parse: {:?}\n{files:?}", repo.errors());
        let results: Vec<_> = evaluate(&repo, &only).into_iter().filter(|r| selects(&address, &r.address)).collect();
        prop_assert_eq!(results.len(), c.count.map_or(1, usize::from), "instances of {}", address);
        let should_fail = match c.setting {
            Setting::Right => false,
            Setting::Wrong => true,
            Setting::Missing => missing_fails,
        };
        for r in &results {
            let expected = if should_fail { Status::Fail } else { Status::Pass };
            prop_assert_eq!(r.status, expected, "{} {:?}\n{:?}", r.address, r.violations, files);
        }
        if !should_fail || results.is_empty() {
            return Ok(());
        }
        let f = fix::propose(&repo, &catalog, policy, &address).expect("propose");
        prop_assert!(f.offered, "fix not offered: {:?}\n{:?}\n{}", f.reason, files, f.diff);
        prop_assert_eq!(&f.verification, &Verification::Passes);
        let mut patched = files.clone();
        for (path, text) in &f.patched {
            let reparsed = Repo::from_sources([(path.clone(), text.clone())]);
            prop_assert!(reparsed.errors().is_empty(), "{path} does not parse after the fix: {:?}\n{text}", reparsed.errors());
            prop_assert!(hcl::edit::parser::parse_body(text).is_ok(), "{path} is refused by hcl-rs after the fix:\n{text}");
            match patched.iter_mut().find(|(p, _)| p == path) {
                Some(slot) => slot.1 = text.clone(),
                None => patched.push((path.clone(), text.clone())),
            }
        }
        let after = evaluate(&Repo::from_sources(patched), &only);
        for r in after.iter().filter(|r| selects(&address, &r.address)) {
            prop_assert_eq!(r.status, Status::Pass, "{} still fails: {:?}\n{}", r.address, r.violations, f.diff);
        }
        prop_assert_eq!(f.closes.len(), results.len(), "closes {:?}", f.closes);
    }
}

/// IAM documents: (form, wildcard or right action / principal, deny statement first, count).
#[derive(Debug, Clone)]
struct IamCase {
    form: usize,
    value: usize,
    rtype: usize,
    deny_first: bool,
    count: Option<u8>,
    name: String,
}

const IAM_TYPES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
];

/// (JSON action in heredocs, HCL action elsewhere, offends)
const IAM_ACTIONS: &[(&str, &str, bool)] = &[
    ("\"*\"", "\"*\"", true),
    ("[\"*\"]", "[\"*\"]", true),
    ("\"*:*\"", "\"*:*\"", true),
    (
        "[\"s3:GetObject\", \"*\"]",
        "[\"s3:GetObject\", \"*\"]",
        true,
    ),
    ("[\"s3:GetObject\"]", "[\"s3:GetObject\"]", false),
    ("\"iam:*\"", "\"iam:*\"", false),
];

/// (JSON principal of a trust policy, offends)
const IAM_PRINCIPALS: &[(&str, bool)] = &[
    ("\"*\"", true),
    ("{\"AWS\": \"*\"}", true),
    ("{\"AWS\": \"arn:aws:iam::123456789012:root\"}", true),
    ("{\"AWS\": [\"123456789012\"]}", true),
    (
        "{\"AWS\": \"arn:aws:iam::123456789012:role/deploy\"}",
        false,
    ),
    ("{\"Service\": \"ec2.amazonaws.com\"}", false),
];

fn iam_case() -> impl Strategy<Value = IamCase> {
    (
        0..4usize,
        0..IAM_ACTIONS.len().max(IAM_PRINCIPALS.len()),
        0..IAM_TYPES.len(),
        any::<bool>(),
        proptest::option::of(1u8..3),
        "[a-z][a-z0-9_-]{0,10}",
    )
        .prop_map(|(form, value, rtype, deny_first, count, name)| IamCase {
            form,
            value,
            rtype,
            deny_first,
            count,
            name,
        })
}

/// The file, policy, address and whether the instance must fail.
fn build_iam(c: &IamCase) -> (String, &'static str, String, bool) {
    let count = c
        .count
        .map(|n| format!("  count = {n}\n"))
        .unwrap_or_default();
    let n = &c.name;
    let (json_action, hcl_action, offends) = IAM_ACTIONS[c.value % IAM_ACTIONS.len()];
    let deny_json = if c.deny_first {
        "    {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\", \"Principal\": \"*\"},\n"
    } else {
        ""
    };
    match c.form {
        0 => {
            let rtype = IAM_TYPES[c.rtype];
            let text = format!(
                "resource \"{rtype}\" \"{n}\" {{\n{count}  policy = <<EOF\n{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{deny_json}    {{\n      \"Effect\": \"Allow\",\n      \"Action\": {json_action},\n      \"Resource\": \"*\"\n    }}\n  ]\n}}\nEOF\n}}\n"
            );
            (text, "RDX-IAM-001", format!("{rtype}.{n}"), offends)
        }
        1 => {
            let rtype = IAM_TYPES[c.rtype];
            let deny = if c.deny_first {
                "      { Effect = \"Deny\", Action = \"*\", Resource = \"*\" },\n"
            } else {
                ""
            };
            let text = format!(
                "resource \"{rtype}\" \"{n}\" {{\n{count}  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n{deny}      {{\n        Effect   = \"Allow\"\n        Action   = {hcl_action}\n        Resource = \"*\"\n      }},\n    ]\n  }})\n}}\n"
            );
            (text, "RDX-IAM-001", format!("{rtype}.{n}"), offends)
        }
        2 => {
            let deny = if c.deny_first {
                "  statement {\n    effect    = \"Deny\"\n    actions   = [\"*\"]\n    resources = [\"*\"]\n  }\n\n"
            } else {
                ""
            };
            let list = if hcl_action.starts_with('[') {
                hcl_action.to_string()
            } else {
                format!("[{hcl_action}]")
            };
            let text = format!(
                "data \"aws_iam_policy_document\" \"{n}\" {{\n{count}{deny}  statement {{\n    actions   = {list}\n    resources = [\"*\"]\n  }}\n}}\n"
            );
            (
                text,
                "RDX-IAM-001",
                format!("data.aws_iam_policy_document.{n}"),
                offends,
            )
        }
        _ => {
            let (principal, offends) = IAM_PRINCIPALS[c.value % IAM_PRINCIPALS.len()];
            let text = format!(
                "resource \"aws_iam_role\" \"{n}\" {{\n{count}  assume_role_policy = <<EOF\n{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {principal},\n      \"Action\": \"sts:AssumeRole\"\n    }}\n  ]\n}}\nEOF\n}}\n"
            );
            (text, "RDX-IAM-002", format!("aws_iam_role.{n}"), offends)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Full-admin statements and wildcard / account-root trusts, in heredocs, `jsonencode`
    /// objects and policy documents, with and without `count` or a Deny statement: every
    /// failing one gets a verified fix (a validated input) that parses and passes.
    #[test]
    fn generated_iam_fixes_parse_and_pass(c in iam_case()) {
        let catalog = Catalog::builtin().expect("catalog");
        let (text, policy, address, should_fail) = build_iam(&c);
        let only = catalog.subset(&[policy]);
        let files = vec![("main.tf".to_string(), text.clone())];
        let repo = Repo::from_sources(files.clone());
        prop_assert!(repo.errors().is_empty(), "generated input does not parse: {:?}\n{text}", repo.errors());
        let results: Vec<_> = evaluate(&repo, &only).into_iter().filter(|r| selects(&address, &r.address)).collect();
        prop_assert_eq!(results.len(), c.count.map_or(1, usize::from), "instances of {}", address);
        let expected = if should_fail { Status::Fail } else { Status::Pass };
        for r in &results {
            prop_assert_eq!(r.status, expected, "{} {:?} {:?}\n{}", r.address, r.violations, r.reason, text);
        }
        if !should_fail {
            return Ok(());
        }
        let f = fix::propose(&repo, &catalog, policy, &address).expect("propose");
        prop_assert!(f.offered, "fix not offered: {:?}\n{}\n{}", f.reason, text, f.diff);
        let patched = f.patched.get("main.tf").cloned().unwrap_or_default();
        let reparsed = Repo::from_sources([("main.tf".to_string(), patched.clone())]);
        prop_assert!(reparsed.errors().is_empty(), "does not parse after the fix: {:?}\n{patched}", reparsed.errors());
        prop_assert!(hcl::edit::parser::parse_body(&patched).is_ok(), "refused by hcl-rs after the fix:\n{patched}");
        for r in evaluate(&reparsed, &only).iter().filter(|r| selects(&address, &r.address)) {
            prop_assert_eq!(r.status, Status::Pass, "{} still fails: {:?}\n{}", r.address, r.violations, f.diff);
        }
        prop_assert_eq!(f.closes.len(), results.len(), "closes {:?}", f.closes);
    }
}
