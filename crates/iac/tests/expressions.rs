//! Expression trees with spans inside values, evaluation per module and resource instance
//! (count / for_each), following references to where values are written, and re-indexing
//! one changed file.

use redress_iac::{
    Context, DynamicIterator, Evaluated, Evaluator, Expr, ExprKind, Index, InstanceKey, Modules,
    OriginKind, Value,
    expr::{BinaryOp, TemplatePart, TraversalOp, UnaryOp},
    parse_expression,
};

fn text<'a>(src: &'a str, e: &Expr) -> &'a str {
    &src[e.span.start_byte..e.span.end_byte]
}

#[test]
fn object_items_list_elements_and_arguments_have_spans() {
    let src = "module \"m\" {\n  versioning = {\n    enabled = false\n  }\n  rules = [\n    { port = 22 },\n    { port = 443 },\n  ]\n  policy = jsonencode({ a = [\"x\"] })\n}\n";
    let index = Index::from_sources([("main.tf", src)]).unwrap();
    let block = &index.file("main.tf").unwrap().blocks[0];

    let versioning = &block.attribute("versioning").unwrap().expr;
    let enabled = versioning.item("enabled").unwrap();
    assert_eq!(enabled.span.start_line, 3);
    assert_eq!(text(src, &enabled.value), "false");
    assert_eq!(enabled.value.kind, ExprKind::Bool(false));

    let ExprKind::List(rules) = &block.attribute("rules").unwrap().expr.kind else {
        panic!("rules is a list");
    };
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1].span.start_line, 7);
    assert_eq!(text(src, &rules[1].item("port").unwrap().value), "443");

    let ExprKind::Call(call) = &block.attribute("policy").unwrap().expr.kind else {
        panic!("policy is a call");
    };
    assert_eq!(call.name, "jsonencode");
    assert_eq!(text(src, &call.args[0]), "{ a = [\"x\"] }");
    assert_eq!(
        call.args[0].literal(),
        Value::Map(vec![(
            "a".into(),
            Value::List(vec![Value::String("x".into())])
        )])
    );
}

#[test]
fn traversals_operators_and_templates_keep_their_structure() {
    let e = parse_expression("var.rules[var.x[count.index]][0]").unwrap();
    let ExprKind::Traversal { base, ops } = &e.kind else {
        panic!("{e:?}");
    };
    assert_eq!(base.kind, ExprKind::Variable("var".into()));
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[0], TraversalOp::GetAttr("rules".into()));
    let TraversalOp::Index(inner) = &ops[1] else {
        panic!("{:?}", ops[1]);
    };
    assert_eq!(inner.span.start_byte, 10, "spans are relative to the text");
    assert_eq!(
        parse_expression("aws_s3_bucket.b.id")
            .unwrap()
            .reference()
            .as_deref(),
        Some("aws_s3_bucket.b.id")
    );

    // The grammar attaches `.b` to the whole operation; traversals bind tighter.
    let e = parse_expression("var.a && !var.b").unwrap();
    let ExprKind::Binary(BinaryOp::And, _, rhs) = &e.kind else {
        panic!("{e:?}");
    };
    let ExprKind::Unary(UnaryOp::Not, operand) = &rhs.kind else {
        panic!("{rhs:?}");
    };
    assert_eq!(operand.var_or_local(), Some(("var", "b")));
    // …but not into parentheses.
    let e = parse_expression("(x || y).z").unwrap();
    assert!(matches!(e.kind, ExprKind::Traversal { .. }), "{e:?}");

    let e = parse_expression("\"  ${var.a}  b  \"").unwrap();
    let ExprKind::Template(parts) = &e.kind else {
        panic!("{e:?}");
    };
    assert_eq!(parts[0], TemplatePart::Literal("  ".into()));
    assert_eq!(parts[2], TemplatePart::Literal("  b  ".into()));
    assert_eq!(
        parse_expression("\"  padded \\\"q\\\" \"").unwrap().kind,
        ExprKind::String("  padded \"q\" ".into())
    );
    assert!(parse_expression("tru e {").is_err());
    assert!(parse_expression("1\ny = 2").is_err());
}

#[test]
fn heredoc_bodies_are_spans_of_the_raw_lines() {
    let src = "resource \"a\" \"b\" {\n  policy = <<-EOT\n    {\"Statement\": []}\n    EOT\n}\n";
    let index = Index::from_sources([("main.tf", src)]).unwrap();
    let attr = index.file("main.tf").unwrap().blocks[0]
        .attribute("policy")
        .unwrap();
    let ExprKind::Heredoc(h) = &attr.expr.kind else {
        panic!("{:?}", attr.expr);
    };
    assert!(h.indented);
    assert_eq!(
        &src[h.body.start_byte..h.body.end_byte],
        "    {\"Statement\": []}\n"
    );
    assert_eq!((h.body.start_line, h.body.end_line), (3, 4));
    let modules = Modules::resolve(&index);
    let ev = Evaluator::new(&index, &modules);
    assert_eq!(
        ev.eval_attribute(0, attr).value,
        Evaluated::Known(Value::String("{\"Statement\": []}\n".into()))
    );
}

const ROOT: &str = r#"
module "sg" {
  for_each = { web = 80, ssh = 22 }
  source   = "./sg"
  port     = each.value
  name     = "sg-${each.key}"
}

module "off" {
  count  = 0
  source = "./sg"
}

module "unknown" {
  for_each = data.x.y.ids
  source   = "./sg"
}

module "inputs" {
  source   = "./sg"
  port     = var.default_port
  ports    = [443, local.extra]
}

variable "default_port" {
  default = 8443
}

variable "required" {}

locals {
  extra = 8080
}
"#;

const SG: &str = r#"
variable "port" {
  default = 1
}
variable "name" {
  default = "x"
}
variable "ports" {
  default = []
}

resource "aws_security_group_rule" "r" {
  count     = 2
  from_port = var.port + count.index
  name      = var.name
}

resource "aws_security_group_rule" "each" {
  for_each  = toset(["b", "a"])
  from_port = try(var.missing_map["k"], length(var.ports))
  tag       = each.key
}
"#;

fn sg_repo() -> (Index, Modules) {
    let index = Index::from_sources([("main.tf", ROOT), ("sg/main.tf", SG)]).expect("indexes");
    let modules = Modules::resolve(&index);
    (index, modules)
}

#[test]
fn module_calls_expand_to_keyed_instances() {
    let (index, modules) = sg_repo();
    let ev = Evaluator::new(&index, &modules);
    let addresses: Vec<String> = ev.scopes().iter().map(|s| ev.scope_address(s)).collect();
    assert_eq!(
        addresses,
        [
            "",
            "module.sg[\"ssh\"]",
            "module.sg[\"web\"]",
            "module.unknown[*]",
            "module.inputs",
        ],
        "count = 0 gives no instance; an unknown for_each gives one [*] scope"
    );

    let rule = index
        .resource("sg", "aws_security_group_rule", "r")
        .unwrap()
        .1;
    let from_port = &rule.attribute("from_port").unwrap().expr;
    let scopes = ev.scopes();
    let web = &scopes[2];
    let keys = ev.block_keys(web, rule).unwrap();
    assert_eq!(keys, [InstanceKey::Count(0), InstanceKey::Count(1)]);
    let port = |scope: &redress_iac::Scope, key: InstanceKey| {
        ev.eval_expr(&Context::new(scope.clone(), key), from_port)
            .value
    };
    assert_eq!(
        port(web, InstanceKey::Count(1)),
        Evaluated::Known(Value::Number("81".into()))
    );
    assert_eq!(
        port(&scopes[1], InstanceKey::Count(0)),
        Evaluated::Known(Value::Number("22".into()))
    );
    // module.unknown does not set `port`: the default applies whatever its instances are.
    assert_eq!(
        port(&scopes[3], InstanceKey::Count(0)),
        Evaluated::Known(Value::Number("1".into()))
    );
    let name = &rule.attribute("name").unwrap().expr;
    assert_eq!(
        ev.eval_expr(&Context::new(web.clone(), InstanceKey::Count(0)), name)
            .value,
        Evaluated::Known(Value::String("sg-web".into()))
    );

    // Without keys (the old API), each.* stays unknown: never guessed.
    assert_eq!(
        ev.eval_attribute(web.module, rule.attribute("name").unwrap())
            .value,
        Evaluated::Unknown
    );
    let template = modules
        .templates("module.sg.aws_security_group_rule.r")
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(
        ev.instance_addresses(template).unwrap(),
        [
            "module.sg[\"ssh\"].aws_security_group_rule.r[0]",
            "module.sg[\"ssh\"].aws_security_group_rule.r[1]",
            "module.sg[\"web\"].aws_security_group_rule.r[0]",
            "module.sg[\"web\"].aws_security_group_rule.r[1]",
        ]
    );
}

#[test]
fn sets_try_and_partly_known_values() {
    let (index, modules) = sg_repo();
    let ev = Evaluator::new(&index, &modules);
    let each = index
        .resource("sg", "aws_security_group_rule", "each")
        .unwrap()
        .1;
    let inputs = ev
        .scopes()
        .into_iter()
        .find(|s| ev.scope_address(s) == "module.inputs")
        .unwrap();
    let keys = ev.block_keys(&inputs, each).unwrap();
    assert_eq!(
        keys.iter().map(InstanceKey::suffix).collect::<Vec<_>>(),
        ["[\"a\"]", "[\"b\"]"],
        "sets iterate in lexical order"
    );
    // An undeclared variable is unknown, and try() does not absorb unknowns (only errors).
    let from_port = &each.attribute("from_port").unwrap().expr;
    let ctx = Context::new(inputs.clone(), keys[0].clone());
    assert_eq!(ev.compute(&ctx, from_port), None);
    let ports = parse_expression("length(var.ports)").unwrap();
    assert_eq!(ev.compute(&ctx, &ports), Some(Value::Number("2".into())));
    let tried = parse_expression("try({ a = 1 }[\"b\"], \"fallback\")").unwrap();
    assert_eq!(
        ev.compute(&ctx, &tried),
        Some(Value::String("fallback".into()))
    );
    let partial = parse_expression("[1, aws_instance.x.id]").unwrap();
    assert_eq!(
        ev.compute(&ctx, &partial),
        Some(Value::List(vec![
            Value::Number("1".into()),
            Value::Expression
        ]))
    );
    assert_eq!(ev.eval_expr(&ctx, &partial).value, Evaluated::Unknown);
    let can = parse_expression("can(var.nope.x)").unwrap();
    assert_eq!(ev.compute(&ctx, &can), None, "unknown, not false");
}

#[test]
fn dynamic_block_iterators_are_in_scope_of_their_content() {
    let (index, modules) = sg_repo();
    let ev = Evaluator::new(&index, &modules);
    let scope = ev.scopes().into_iter().next().unwrap();
    let ctx = Context::new(scope, InstanceKey::None);
    let read = parse_expression("lookup(statement.value, \"actions\", [statement.key])").unwrap();
    assert_eq!(
        ev.compute(&ctx, &read),
        None,
        "no iterator outside a dynamic block"
    );
    let inner = ctx.with_iterator(DynamicIterator {
        name: "statement".into(),
        key: Value::String("k".into()),
        value: Value::Map(vec![(
            "actions".into(),
            Value::List(vec![Value::String("*".into())]),
        )]),
    });
    assert_eq!(
        ev.compute(&inner, &read),
        Some(Value::List(vec![Value::String("*".into())]))
    );
    let key = parse_expression("[statement.key, statement.nope]").unwrap();
    assert_eq!(ev.compute(&inner, &key), None, "only .key and .value");
    // An inner iterator with the same name hides the outer one.
    let shadowed = inner.with_iterator(DynamicIterator {
        name: "statement".into(),
        key: Value::Number("0".into()),
        value: Value::Null,
    });
    let k = parse_expression("statement.key").unwrap();
    assert_eq!(ev.compute(&shadowed, &k), Some(Value::Number("0".into())));
    assert_eq!(ev.compute(&inner, &k), Some(Value::String("k".into())));
}

#[test]
fn references_resolve_to_where_the_value_is_written() {
    let (index, modules) = sg_repo();
    let ev = Evaluator::new(&index, &modules);
    let scopes = ev.scopes();
    let inputs = scopes
        .iter()
        .find(|s| ev.scope_address(s) == "module.inputs")
        .unwrap();
    let rule = index
        .resource("sg", "aws_security_group_rule", "r")
        .unwrap()
        .1;
    let ctx = Context::new(inputs.clone(), InstanceKey::Count(0));
    let port = parse_expression("var.port").unwrap();
    let r = ev.resolve(&ctx, "sg/main.tf", &port);
    assert!(r.followed);
    assert_eq!(r.file, "main.tf");
    assert_eq!(r.expr.kind, ExprKind::Number("8443".into()));
    assert_eq!(r.expr.span.start_line, 26);
    let kinds: Vec<OriginKind> = r.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [OriginKind::ModuleInput, OriginKind::VariableDefault]
    );

    let name = &rule.attribute("name").unwrap().expr;
    let r = ev.resolve(&ctx, "sg/main.tf", name);
    assert_eq!((r.file, r.expr.span.start_line), ("sg/main.tf", 6));
    assert_eq!(r.steps[0].kind, OriginKind::VariableDefault);

    let web = scopes
        .iter()
        .find(|s| ev.scope_address(s) == "module.sg[\"web\"]")
        .unwrap();
    let r = ev.resolve(
        &Context::new(web.clone(), InstanceKey::None),
        "sg/main.tf",
        &port,
    );
    assert_eq!(r.file, "main.tf");
    assert_eq!(
        r.context.key,
        InstanceKey::Each {
            key: "web".into(),
            value: Value::Number("80".into())
        },
        "the input is evaluated with the call's each"
    );
    assert_eq!(
        ev.compute(&r.context, r.expr),
        Some(Value::Number("80".into()))
    );

    let root = Context::new(scopes[0].clone(), InstanceKey::None);
    let required = parse_expression("var.required").unwrap();
    assert!(!ev.resolve(&root, "main.tf", &required).followed);
    let local = parse_expression("local.extra").unwrap();
    let r = ev.resolve(&root, "main.tf", &local);
    assert_eq!(r.steps[0].kind, OriginKind::Local);
    assert_eq!(r.expr.kind, ExprKind::Number("8080".into()));
}

#[test]
fn with_file_reparses_only_the_changed_file() {
    let (index, _) = sg_repo();
    let changed = index
        .with_file("sg/main.tf", "resource \"x\" \"y\" {}\n".into())
        .unwrap();
    assert!(changed.resource("sg", "x", "y").is_some());
    assert!(
        changed
            .resource("sg", "aws_security_group_rule", "r")
            .is_none()
    );
    assert!(
        std::ptr::eq(
            index.file("main.tf").unwrap(),
            changed.file("main.tf").unwrap()
        ),
        "unchanged files are shared, not parsed again"
    );
    let added = index.with_file("extra.tf", "locals {}\n".into()).unwrap();
    assert_eq!(added.len(), index.len() + 1);
}
