//! Every state and plan sample of the shared corpora is read.

mod common;

use std::path::{Path, PathBuf};

use redress_iac::{IndexKey, ResourceMode, State, StateKind};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("corpus dir is readable") {
        let path = entry.expect("corpus dir entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn all_tfstate_plan_samples_parse() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let mut all = Vec::new();
    files(&corpora.join("tfstate-plan"), &mut all);
    all.sort();
    let (mut v4, mut show, mut prior, mut plans_without_prior, mut instances) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &all {
        let name = path.file_name().unwrap().to_string_lossy();
        let is_state = name.ends_with(".tfstate");
        let is_json = name.ends_with(".json") && name != "results.golden.json";
        if !is_state && !is_json {
            continue;
        }
        match State::from_path(path) {
            Ok(state) => {
                match state.kind {
                    StateKind::TfstateV4 => v4 += 1,
                    StateKind::ShowJson => show += 1,
                    StateKind::PlanPriorState => prior += 1,
                }
                instances += state.instances.len();
                for inst in &state.instances {
                    assert!(
                        inst.address
                            .contains(&format!("{}.{}", inst.resource_type, inst.name)),
                        "{inst:?}"
                    );
                    assert!(
                        inst.module.is_empty()
                            || inst.address.starts_with(&format!("{}.", inst.module)),
                        "{inst:?}"
                    );
                }
            }
            Err(e) if e.to_string().contains("plan without a prior_state") => {
                plans_without_prior += 1
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    println!(
        "tfstate-plan: {v4} v4 states, {show} show-json states, {prior} plans read for prior_state, \
         {plans_without_prior} plans without prior_state recognised, {instances} instances"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(v4 >= 25, "v4 states: {v4}");
    assert!(show >= 4, "show-json states: {show}");
    assert!(instances > 100);
}

#[test]
fn v4_state_addresses_include_module_and_keys() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let path = corpora.join(
        "tfstate-plan/hashicorp-terraform-json/testdata/110_sensitive_values/terraform.tfstate",
    );
    let state = State::from_path(&path).unwrap();
    assert_eq!(state.kind, StateKind::TfstateV4);
    let addresses: Vec<&str> = state.instances.iter().map(|i| i.address.as_str()).collect();
    assert!(addresses.contains(&"null_resource.baz[0]"), "{addresses:?}");
    assert!(
        addresses.iter().any(|a| a.starts_with("module.foo.")),
        "{addresses:?}"
    );
    let baz = state
        .instances
        .iter()
        .find(|i| i.address == "null_resource.baz[0]")
        .unwrap();
    assert_eq!(baz.index_key, Some(IndexKey::Int(0)));
    assert!(baz.attributes.contains_key("id"));
}

#[test]
fn driftctl_state_keeps_identifying_attributes_only() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let path = corpora.join(
        "tfstate-plan/snyk-driftctl/pkg/iac/terraform/state/test/aws_db_instance/terraform.tfstate",
    );
    let state = State::from_path(&path).unwrap();
    let db = &state.instances[0];
    assert_eq!(db.address, "aws_db_instance.default");
    assert_eq!(db.provider, "provider.aws");
    assert_eq!(
        db.attributes.get("arn").map(String::as_str),
        Some("arn:aws:rds:eu-west-3:929327065333:db:terraform-20201015115018309600000001")
    );
    assert!(
        !db.attributes.contains_key("engine"),
        "non-identifying attributes are dropped"
    );
}

#[test]
fn inline_states_of_each_kind() {
    let v4 = r#"{"version":4,"terraform_version":"1.5.0","resources":[
      {"module":"module.logs[\"eu\"]","mode":"managed","type":"aws_s3_bucket","name":"this",
       "provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","each":"map",
       "instances":[{"index_key":"public","attributes":{"id":"b1","bucket":"b1","arn":"arn:aws:s3:::b1",
          "tags":{"Name":"x"},"tags_all":{"Name":"ignored","env":"prod"},"policy":"{}"}}]},
      {"mode":"data","type":"aws_caller_identity","name":"me","instances":[{"attributes":{"id":"1"}}]}]}"#;
    let state = State::from_json_str("inline", v4).unwrap();
    assert_eq!(
        state.instances[0].address,
        r#"module.logs["eu"].aws_s3_bucket.this["public"]"#
    );
    assert_eq!(
        state.instances[0].template_address(),
        "module.logs.aws_s3_bucket.this"
    );
    assert_eq!(
        state.instances[0].tags.get("Name").map(String::as_str),
        Some("x")
    );
    assert_eq!(
        state.instances[0].tags.get("env").map(String::as_str),
        Some("prod")
    );
    assert!(!state.instances[0].attributes.contains_key("policy"));
    assert_eq!(state.instances[1].address, "data.aws_caller_identity.me");
    assert_eq!(state.instances[1].mode, ResourceMode::Data);

    let show = r#"{"format_version":"1.0","values":{"root_module":{"child_modules":[{"resources":[
      {"address":"module.a.aws_sqs_queue.q[1]","mode":"managed","type":"aws_sqs_queue","name":"q","index":1,
       "provider_name":"registry.terraform.io/hashicorp/aws","values":{"id":"https://sqs/q","name":"q","tags":null}}],
      "address":"module.a"}]}}}"#;
    let state = State::from_json_str("show", show).unwrap();
    assert_eq!(state.kind, StateKind::ShowJson);
    assert_eq!(state.instances[0].module, "module.a");
    assert_eq!(state.instances[0].index_key, Some(IndexKey::Int(1)));

    let plan = r#"{"format_version":"1.2","planned_values":{},"resource_changes":[]}"#;
    let err = State::from_json_str("plan.json", plan)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("plan.json") && err.contains("plan without a prior_state"),
        "{err}"
    );

    let v3 = r#"{"version":3,"modules":[]}"#;
    assert!(
        State::from_json_str("old", v3)
            .unwrap_err()
            .to_string()
            .contains("version 3")
    );
    let broken = r#"{"version":4,"resources":[{"type":"x""#;
    assert!(
        State::from_json_str("broken", broken)
            .unwrap_err()
            .to_string()
            .starts_with("state broken:")
    );
}

#[test]
fn index_keys_are_stripped_and_printed_like_terraform() {
    use redress_iac::state::strip_index_keys;
    assert_eq!(
        strip_index_keys(r#"module.a["x[1]"].b.c[0]"#),
        "module.a.b.c"
    );
    assert_eq!(strip_index_keys(r#"module.a["q\"]"].b.c"#), "module.a.b.c");
    assert_eq!(
        strip_index_keys("data.aws_iam_policy_document.p"),
        "data.aws_iam_policy_document.p"
    );
    assert_eq!(IndexKey::Int(3).to_string(), "[3]");
    assert_eq!(IndexKey::Str("a\"b".into()).to_string(), r#"["a\"b"]"#);
}
