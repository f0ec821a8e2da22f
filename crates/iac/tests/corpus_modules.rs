//! Modules and values on the real terraform-aws-modules corpus: example roots
//! call the module with `source = "../../"`; inputs reach the module's resources.

mod common;

use redress_iac::{Evaluated, Evaluator, Index, Modules, OriginKind, Value};

#[test]
fn s3_bucket_examples_reach_module_resources() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let index = Index::build(&corpora.join("terraform-aws-modules")).unwrap();
    assert!(index.len() >= 600, "indexed {} files", index.len());
    let errors: Vec<String> = index.parse_errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:?}");

    let modules = Modules::resolve(&index);
    let roots: Vec<&str> = modules.roots().map(|r| r.dir.as_str()).collect();
    assert!(
        roots.contains(&"terraform-aws-s3-bucket/examples/complete"),
        "{roots:?}"
    );
    assert!(
        !roots.contains(&"terraform-aws-s3-bucket"),
        "the module itself is called by its examples, so it is not a root"
    );
    println!(
        "terraform-aws-modules: {} roots, {} module instances, {} resource templates, {} external calls, {} problems",
        roots.len(),
        modules.instances().len(),
        modules.resources().len(),
        modules.external().len(),
        modules.problems().len()
    );

    let template = modules
        .templates("module.log_bucket.aws_s3_bucket.this[0]")
        .into_iter()
        .find(|t| modules.instances()[t.module].root == "terraform-aws-s3-bucket/examples/complete")
        .expect("log_bucket's bucket in examples/complete");
    assert_eq!(template.file, "terraform-aws-s3-bucket/main.tf");
    let (_, block) = index.resource_block(template).unwrap();
    let eval = Evaluator::new(&index, &modules);

    // force_destroy = true at the call site (examples/complete/main.tf:92).
    let force = eval.eval_attribute(template.module, block.attribute("force_destroy").unwrap());
    assert_eq!(force.value, Evaluated::Known(Value::Bool(true)));
    let input = force.first(OriginKind::ModuleInput).unwrap();
    assert_eq!(
        (input.file.as_str(), input.line),
        ("terraform-aws-s3-bucket/examples/complete/main.tf", 92)
    );

    // count = local.create_bucket && !var.is_directory_bucket ? 1 : 0, all from defaults.
    let count = eval.repetition_value(template).unwrap();
    assert_eq!(count.value, Evaluated::Known(Value::Number("1".into())));
    assert!(count.first(OriginKind::Local).is_some());
    assert!(count.first(OriginKind::VariableDefault).is_some());

    // bucket = "logs-${random_pet.this.id}" is not computable: unknown, never guessed.
    let bucket = eval.eval_attribute(template.module, block.attribute("bucket").unwrap());
    assert_eq!(bucket.value, Evaluated::Unknown);
}
