//! Locate: state ids and ARNs, scanner lines, tags, names, and fix sites.

use std::collections::BTreeMap;
use std::path::Path;

use redress_iac::{
    Confidence, FixSiteHint, FixSiteKind, Index, LocateOutcome, LocateQuery, Locator, Modules,
    State,
};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }
}

const MAIN: &str = r#"module "reports_bucket" {
  source     = "./modules/bucket"
  name       = "acme-reports"
  versioning = false
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = var.sse
  tags = {
    yor_trace = "4f1c-trace"
  }
}

variable "sse" {
  default = false
}
"#;

const BUCKET: &str = r#"variable "name" {}

variable "versioning" {
  default = true
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}
"#;

const STATE: &str = r#"{"version":4,"resources":[
 {"module":"module.reports_bucket","mode":"managed","type":"aws_s3_bucket","name":"this",
  "instances":[{"attributes":{"id":"acme-reports","bucket":"acme-reports","arn":"arn:aws:s3:::acme-reports"}}]},
 {"module":"module.reports_bucket","mode":"managed","type":"aws_s3_bucket_versioning","name":"this",
  "instances":[{"attributes":{"id":"acme-reports","bucket":"acme-reports"}}]},
 {"mode":"managed","type":"aws_security_group","name":"web",
  "instances":[{"attributes":{"id":"sg-0123","arn":"arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123","name":"web"}}]},
 {"mode":"managed","type":"aws_sqs_queue","name":"orders",
  "instances":[{"attributes":{"id":"https://sqs.eu-west-1.amazonaws.com/111122223333/orders","arn":"arn:aws:sqs:eu-west-1:111122223333:orders","name":"orders"}}]},
 {"mode":"managed","type":"aws_iam_role","name":"gone","instances":[{"attributes":{"id":"gone-role"}}]}
]}"#;

struct Hint;

impl FixSiteHint for Hint {
    fn offending_attribute(
        &self,
        resource_type: &str,
        policy: Option<&str>,
    ) -> Option<Vec<String>> {
        match (resource_type, policy) {
            ("aws_s3_bucket_versioning", Some("s3-versioning")) => {
                Some(vec!["versioning_configuration".into(), "status".into()])
            }
            ("aws_sqs_queue", _) => Some(vec!["sqs_managed_sse_enabled".into()]),
            ("aws_security_group", _) => Some(vec!["ingress".into(), "cidr_blocks".into()]),
            _ => None,
        }
    }
}

fn setup() -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[("main.tf", MAIN), ("modules/bucket/main.tf", BUCKET)],
    );
    let index = Index::build(dir.path()).expect("index");
    (dir, index)
}

fn ids(ids: &[&str]) -> LocateQuery {
    LocateQuery {
        resource_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        ..LocateQuery::default()
    }
}

#[test]
fn state_match_by_arn_and_derived_ids() {
    let (_dir, index) = setup();
    let modules = Modules::resolve(&index);
    let states = [State::from_json_str("s", STATE).unwrap()];
    let locator = Locator::new(&index, &modules, &states);

    // S3 ARN → bucket; the bucket lives in a module: via is the call chain.
    let loc = locator.locate(&ids(&["arn:aws:s3:::acme-reports"]));
    let loc = loc.location().expect("located");
    assert_eq!(loc.address, "module.reports_bucket.aws_s3_bucket.this");
    assert_eq!(
        (loc.file.as_str(), loc.start_line, loc.end_line),
        ("modules/bucket/main.tf", 7, 9)
    );
    assert_eq!(loc.confidence, Confidence::State);
    assert_eq!(loc.via, ["module.reports_bucket"]);
    assert_eq!(loc.fix_site.kind, FixSiteKind::Block, "no hint: block line");
    assert_eq!(loc.fix_site.line, 7);

    // The bucket name is also the id of aws_s3_bucket_versioning: the base type
    // wins without a type, and an ASFF-style type picks it too.
    let loc = locator.locate(&ids(&["acme-reports"]));
    assert_eq!(
        loc.location().unwrap().address,
        "module.reports_bucket.aws_s3_bucket.this"
    );
    let asff = LocateQuery {
        resource_ids: vec!["arn:aws:s3:::acme-reports".into()],
        resource_type: Some("AwsS3Bucket".into()),
        ..LocateQuery::default()
    };
    assert_eq!(
        locator.locate(&asff).location().unwrap().address,
        "module.reports_bucket.aws_s3_bucket.this"
    );

    // Security-group ARN → sg id.
    let sg = locator.locate(&ids(&[
        "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123",
    ]));
    assert_eq!(sg.location().unwrap().address, "aws_security_group.web");
    // SQS ARN → queue URL.
    let q = LocateQuery {
        resource_ids: vec!["arn:aws:sqs:eu-west-1:111122223333:orders".into()],
        resource_type: Some("aws_sqs_queue".into()),
        ..LocateQuery::default()
    };
    assert_eq!(
        locator.locate(&q).location().unwrap().address,
        "aws_sqs_queue.orders"
    );

    // A wrong account excludes the instance.
    let wrong = LocateQuery {
        resource_ids: vec!["sg-0123".into()],
        account: Some("999999999999".into()),
        ..LocateQuery::default()
    };
    assert!(matches!(
        locator.locate(&wrong),
        LocateOutcome::Unmapped { .. }
    ));

    // In state but not in code: unmapped with a reason naming the address.
    match locator.locate(&ids(&["gone-role"])) {
        LocateOutcome::Unmapped { reason } => {
            assert!(reason.contains("aws_iam_role.gone"), "{reason}")
        }
        other => panic!("expected unmapped, got {other:?}"),
    }
    match locator.locate(&ids(&["arn:aws:s3:::nope"])) {
        LocateOutcome::Unmapped { reason } => {
            assert!(reason.contains("no state instance"), "{reason}")
        }
        other => panic!("expected unmapped, got {other:?}"),
    }
}

#[test]
fn fix_sites_follow_values_to_where_they_are_written() {
    let (_dir, index) = setup();
    let modules = Modules::resolve(&index);
    let states = [State::from_json_str("s", STATE).unwrap()];
    let locator = Locator::new(&index, &modules, &states).with_hint(&Hint);

    // versioning comes from the caller: the call-site input line.
    let q = LocateQuery {
        resource_ids: vec!["acme-reports".into()],
        resource_type: Some("aws_s3_bucket_versioning".into()),
        policy: Some("s3-versioning".into()),
        ..LocateQuery::default()
    };
    let loc = locator.locate(&q);
    let loc = loc.location().unwrap();
    assert_eq!(
        loc.address,
        "module.reports_bucket.aws_s3_bucket_versioning.this"
    );
    assert_eq!(
        (
            loc.fix_site.file.as_str(),
            loc.fix_site.line,
            loc.fix_site.kind
        ),
        ("main.tf", 4, FixSiteKind::ModuleInput)
    );

    // sse comes from a root variable default.
    let loc = locator.locate(&ids(&["arn:aws:sqs:eu-west-1:111122223333:orders"]));
    let fix = &loc.location().unwrap().fix_site;
    assert_eq!(
        (fix.file.as_str(), fix.line, fix.kind),
        ("main.tf", 23, FixSiteKind::VariableDefault)
    );

    // A literal in the block: the attribute line itself.
    let loc = locator.locate(&ids(&["sg-0123"]));
    let fix = &loc.location().unwrap().fix_site;
    assert_eq!(
        (fix.file.as_str(), fix.line, fix.kind),
        ("main.tf", 10, FixSiteKind::Attribute)
    );

    // The hint names a nested block, or an attribute missing inside one.
    struct NestedHint(Vec<String>);
    impl FixSiteHint for NestedHint {
        fn offending_attribute(&self, _: &str, _: Option<&str>) -> Option<Vec<String>> {
            Some(self.0.clone())
        }
    }
    for path in [
        vec!["ingress".to_owned()],
        vec!["ingress".to_owned(), "ipv6_cidr_blocks".to_owned()],
    ] {
        let hint = NestedHint(path);
        let locator = Locator::new(&index, &modules, &states).with_hint(&hint);
        let loc = locator.locate(&ids(&["sg-0123"]));
        let fix = &loc.location().unwrap().fix_site;
        assert_eq!((fix.line, fix.kind), (9, FixSiteKind::NestedBlock));
    }
    // Through a dynamic block's content.
    let dynamic = "resource \"aws_security_group\" \"d\" {\n  dynamic \"ingress\" {\n    for_each = var.rules\n    content {\n      cidr_blocks = [\"0.0.0.0/0\"]\n    }\n  }\n}\n";
    let dyn_index = Index::from_sources([("sg.tf", dynamic)]).unwrap();
    let dyn_modules = Modules::resolve(&dyn_index);
    let hint = NestedHint(vec!["ingress".to_owned(), "cidr_blocks".to_owned()]);
    let locator = Locator::new(&dyn_index, &dyn_modules, &[]).with_hint(&hint);
    let q = LocateQuery {
        file: Some("sg.tf".into()),
        start_line: Some(1),
        ..LocateQuery::default()
    };
    let fix = locator.locate(&q).location().unwrap().fix_site.clone();
    assert_eq!((fix.line, fix.kind), (5, FixSiteKind::Attribute));

    // A missing top-level attribute: the block line (add it there).
    let hint = NestedHint(vec!["revoke_rules_on_delete".to_owned()]);
    let locator = Locator::new(&index, &modules, &states).with_hint(&hint);
    let loc = locator.locate(&ids(&["sg-0123"]));
    let fix = &loc.location().unwrap().fix_site;
    assert_eq!((fix.line, fix.kind), (7, FixSiteKind::Block));
    // A path into a map attribute stops at the deepest entry.
    let hint = NestedHint(vec!["tags".to_owned(), "yor_trace".to_owned()]);
    let locator = Locator::new(&index, &modules, &states).with_hint(&hint);
    let loc = locator.locate(&ids(&["arn:aws:sqs:eu-west-1:111122223333:orders"]));
    let fix = &loc.location().unwrap().fix_site;
    assert_eq!((fix.line, fix.kind), (18, FixSiteKind::Attribute));
}

#[test]
fn scanner_lines_tags_and_names() {
    let (dir, index) = setup();
    let modules = Modules::resolve(&index);
    let no_state: [State; 0] = [];
    let locator = Locator::new(&index, &modules, &no_state);

    // Checkov-style absolute path, line of an attribute inside the block.
    let abs = dir.path().join("main.tf").display().to_string();
    let q = LocateQuery {
        file: Some(abs),
        start_line: Some(10),
        ..LocateQuery::default()
    };
    let loc = locator.locate(&q);
    let loc = loc.location().unwrap();
    assert_eq!(loc.address, "aws_security_group.web");
    assert_eq!(loc.confidence, Confidence::Scanner);
    assert_eq!((loc.start_line, loc.end_line), (7, 12));
    assert_eq!(
        (loc.fix_site.line, loc.fix_site.kind),
        (10, FixSiteKind::Attribute)
    );

    // A scanner hit on a module block.
    let q = LocateQuery {
        file: Some("/main.tf".into()),
        start_line: Some(4),
        ..LocateQuery::default()
    };
    let loc = locator.locate(&q);
    assert_eq!(loc.location().unwrap().address, "module.reports_bucket");
    assert_eq!(loc.location().unwrap().fix_site.line, 4);

    let outside = LocateQuery {
        file: Some("main.tf".into()),
        start_line: Some(6),
        ..LocateQuery::default()
    };
    assert!(
        matches!(locator.locate(&outside), LocateOutcome::Unmapped { .. }),
        "line 6 is blank"
    );

    // yor_trace tag in code.
    let q = LocateQuery {
        tags: BTreeMap::from([("yor_trace".to_owned(), "4f1c-trace".to_owned())]),
        ..LocateQuery::default()
    };
    let loc = locator.locate(&q);
    assert_eq!(loc.location().unwrap().address, "aws_sqs_queue.orders");
    assert_eq!(loc.location().unwrap().confidence, Confidence::Tag);

    // git_file + yor_name.
    let q = LocateQuery {
        tags: BTreeMap::from([
            ("git_file".to_owned(), "modules/bucket/main.tf".to_owned()),
            ("yor_name".to_owned(), "this".to_owned()),
        ]),
        resource_type: Some("aws_s3_bucket".into()),
        ..LocateQuery::default()
    };
    assert_eq!(
        locator.locate(&q).location().unwrap().address,
        "module.reports_bucket.aws_s3_bucket.this"
    );

    // No state: a name derived from the ARN, through the module input, low confidence.
    let loc = locator.locate(&ids(&["arn:aws:s3:::acme-reports"]));
    let loc = loc.location().unwrap();
    assert_eq!(loc.address, "module.reports_bucket.aws_s3_bucket.this");
    assert_eq!(loc.confidence, Confidence::Name);

    match locator.locate(&LocateQuery::default()) {
        LocateOutcome::Unmapped { reason } => {
            assert!(reason.contains("no resource id"), "{reason}")
        }
        other => panic!("expected unmapped, got {other:?}"),
    }
}

#[test]
fn locate_all_keeps_order_and_serializes() {
    let (_dir, index) = setup();
    let modules = Modules::resolve(&index);
    let states = [State::from_json_str("s", STATE).unwrap()];
    let locator = Locator::new(&index, &modules, &states);
    let out = locator.locate_all(&[ids(&["sg-0123"]), ids(&["nothing"]), ids(&["acme-reports"])]);
    assert_eq!(out[0].location().unwrap().address, "aws_security_group.web");
    assert!(out[1].location().is_none());
    assert!(
        out[2]
            .location()
            .unwrap()
            .address
            .starts_with("module.reports_bucket.")
    );
    let json = serde_json::to_value(&out[0]).unwrap();
    assert_eq!(json["outcome"], "located");
    assert_eq!(json["confidence"], "state");
    assert_eq!(json["fix_site"]["line"], 7);
    let cli = out[0].location().unwrap().to_cli_json();
    let keys: Vec<&str> = cli
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "address",
            "confidence",
            "end_line",
            "file",
            "fix_site",
            "start_line",
            "via"
        ]
    );
    assert_eq!(
        cli["fix_site"],
        serde_json::json!({"file": "main.tf", "line": 7})
    );
    assert_eq!(cli["confidence"], "state");
}

#[test]
fn scanner_hit_in_a_module_traces_the_fix_to_the_caller() {
    let (_dir, index) = setup();
    let modules = Modules::resolve(&index);
    let locator = Locator::new(&index, &modules, &[]);
    let q = LocateQuery {
        file: Some("modules/bucket/main.tf".into()),
        start_line: Some(14),
        ..LocateQuery::default()
    };
    let loc = locator.locate(&q);
    let loc = loc.location().unwrap();
    assert_eq!(
        loc.address,
        "module.reports_bucket.aws_s3_bucket_versioning.this"
    );
    assert_eq!(loc.via, ["module.reports_bucket"]);
    // The scanner's line is the status attribute; its value comes from the caller.
    assert_eq!(
        (
            loc.fix_site.file.as_str(),
            loc.fix_site.line,
            loc.fix_site.kind
        ),
        ("main.tf", 4, FixSiteKind::ModuleInput)
    );
}
