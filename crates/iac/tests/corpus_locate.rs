//! Locate against real states with the `.tf` that produced them.

mod common;

use redress_iac::{Confidence, Index, LocateOutcome, LocateQuery, Locator, Modules, State};

fn query(id: &str) -> LocateQuery {
    LocateQuery {
        resource_ids: vec![id.to_owned()],
        ..LocateQuery::default()
    }
}

#[test]
fn terraform_json_no_changes_instances_and_modules() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let dir = corpora.join("tfstate-plan/hashicorp-terraform-json/testdata/no_changes");
    let index = Index::build(&dir).unwrap();
    let modules = Modules::resolve(&index);
    let states = [State::from_path(&dir.join("terraform.tfstate")).unwrap()];

    let expanded = modules.expand_with_state(&states[0]);
    let baz = modules
        .resources()
        .iter()
        .position(|r| r.address == "null_resource.baz")
        .unwrap();
    let instances = &expanded.iter().find(|(t, _)| *t == baz).unwrap().1;
    assert_eq!(
        instances,
        &[
            "null_resource.baz[0]",
            "null_resource.baz[1]",
            "null_resource.baz[2]"
        ]
    );

    let locator = Locator::new(&index, &modules, &states);
    let loc = locator.locate(&query("2106740714798375541"));
    let loc = loc.location().unwrap();
    assert_eq!(loc.address, "null_resource.baz[1]");
    assert_eq!(loc.file, "resources.tf");
    assert_eq!(loc.confidence, Confidence::State);

    let loc = locator.locate(&query("705267318028962447"));
    let loc = loc.location().unwrap();
    assert_eq!(loc.address, "module.foo.null_resource.foo");
    assert_eq!((loc.file.as_str(), loc.start_line), ("foo/main.tf", 9));
    assert_eq!(loc.via, ["module.foo"]);
}

#[test]
fn driftctl_states_against_their_terraform() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let base = corpora.join("tfstate-plan/snyk-driftctl/pkg/iac/terraform/state/test");

    let dir = base.join("aws_rds_cluster");
    let index = Index::build(&dir).unwrap();
    let modules = Modules::resolve(&index);
    let states = [State::from_path(&dir.join("terraform.tfstate")).unwrap()];
    let locator = Locator::new(&index, &modules, &states);
    let loc = locator.locate(&query(
        "arn:aws:rds:us-east-1:533948124879:cluster:aurora-cluster-demo",
    ));
    let loc = loc.location().unwrap();
    assert_eq!(
        (loc.address.as_str(), loc.file.as_str(), loc.start_line),
        ("aws_rds_cluster.postgresql", "terraform.tf", 15)
    );

    let dir = base.join("aws_dynamodb_table");
    let index = Index::build(&dir).unwrap();
    let modules = Modules::resolve(&index);
    let states = [State::from_path(&dir.join("terraform.tfstate")).unwrap()];
    let locator = Locator::new(&index, &modules, &states);
    let example = locator.locate(&query(
        "arn:aws:dynamodb:us-east-1:526954929923:table/example",
    ));
    assert_eq!(
        example.location().unwrap().address,
        "aws_dynamodb_table.example"
    );
    assert_eq!(example.location().unwrap().start_line, 59);
    // The state calls this table `basic-dynamodb-table`, the code `GameScores`:
    // the state match has no block, and it says so rather than guessing.
    match locator.locate(&query(
        "arn:aws:dynamodb:us-east-1:526954929923:table/GameScores",
    )) {
        LocateOutcome::Unmapped { reason } => {
            assert!(
                reason.contains("aws_dynamodb_table.basic-dynamodb-table"),
                "{reason}"
            );
        }
        other => panic!("expected unmapped, got {other:?}"),
    }
}
