//! Security-group ingress open to the world on a port range.

use crate::catalog::{NetworkSpec, Report};
use crate::edit::{Edit, FixKind};
use crate::eval::{Child, Ctx, Hit, Node, NodeKind, Verdict};
use crate::syntax::{Val, ValKind};

/// One ingress rule found in a resource: its node and the attributes that matter.
struct Rule<'r> {
    node: Node<'r>,
}

pub(crate) fn eval<'r>(
    ctx: &Ctx<'r, '_>,
    spec: &NetworkSpec,
    report: Option<Report>,
    node: Node<'r>,
) -> Verdict {
    let rtype = ctx.subject.rtype.as_str();
    let mut rules: Vec<Rule<'r>> = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    match rtype {
        "aws_security_group_rule" => match value_of(ctx, node, "type").map(|v| &v.kind) {
            Some(ValKind::Str(t)) if t.eq_ignore_ascii_case("ingress") => rules.push(Rule { node }),
            Some(ValKind::Str(_)) => return Verdict::Holds,
            _ => return Verdict::Unknown("`type` is not a literal".into()),
        },
        "aws_vpc_security_group_ingress_rule" => rules.push(Rule { node }),
        _ => {
            if let NodeKind::Block(b) = node.kind {
                for nb in b.body.blocks_named("ingress") {
                    rules.push(Rule {
                        node: Node {
                            file: node.file,
                            kind: NodeKind::Block(nb),
                            root: false,
                        },
                    });
                }
            }
            for name in [
                "ingress",
                "ingress_with_cidr_blocks",
                "ingress_with_ipv6_cidr_blocks",
            ] {
                if let Some(Child::Value { val, .. }) = node.child(name) {
                    let r = ctx.repo.resolve(val, node.file, &ctx.subject.scope);
                    if let ValKind::List(items) = &r.val.kind {
                        for item in items
                            .iter()
                            .filter(|i| matches!(i.kind, ValKind::Object(_)))
                        {
                            let report = (item.span.start, item.span.end);
                            rules.push(Rule {
                                node: Node {
                                    file: r.file,
                                    kind: NodeKind::Object { val: item, report },
                                    root: false,
                                },
                            });
                        }
                    }
                }
            }
            if ctx.subject.is_module && spec.ports.is_empty() {
                for name in ["ingress_cidr_blocks", "ingress_ipv6_cidr_blocks"] {
                    if let Some(h) = world_in_attr(ctx, spec, node, name, report, node) {
                        hits.push(h);
                    }
                }
            }
        }
    }
    for rule in rules {
        match rule_hits(ctx, spec, report, &rule, node) {
            Ok(h) => hits.extend(h),
            Err(why) => return Verdict::Unknown(why),
        }
    }
    if hits.is_empty() {
        Verdict::Holds
    } else {
        Verdict::Fails(hits)
    }
}

fn value_of<'r>(ctx: &Ctx<'r, '_>, node: Node<'r>, name: &str) -> Option<&'r Val> {
    match node.child(name)? {
        Child::Value { val, .. } => Some(ctx.repo.resolve(val, node.file, &ctx.subject.scope).val),
        Child::Block(_) => None,
    }
}

fn port(val: Option<&Val>) -> Result<Option<i64>, String> {
    match val.map(|v| &v.kind) {
        None => Ok(None),
        Some(ValKind::Number(n)) => Ok(Some(*n as i64)),
        Some(ValKind::Str(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("port `{s}` is not a number")),
        Some(_) => Err("a port is not a literal".into()),
    }
}

fn rule_hits<'r>(
    ctx: &Ctx<'r, '_>,
    spec: &NetworkSpec,
    report: Option<Report>,
    rule: &Rule<'r>,
    subject_node: Node<'r>,
) -> Result<Vec<Hit>, String> {
    let n = rule.node;
    let protocol = match value_of(ctx, n, "protocol")
        .or_else(|| value_of(ctx, n, "ip_protocol"))
        .map(|v| &v.kind)
    {
        Some(ValKind::Str(s)) => s.to_ascii_lowercase(),
        Some(ValKind::Number(x)) => format!("{}", *x as i64),
        None => "tcp".to_string(),
        Some(_) => return Err("`protocol` is not a literal".into()),
    };
    let all_ports = protocol == "-1" || protocol == "all";
    if !spec.protocols.is_empty()
        && !all_ports
        && !spec
            .protocols
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&protocol))
    {
        return Ok(Vec::new());
    }
    let from = port(value_of(ctx, n, "from_port"))?;
    let to = port(value_of(ctx, n, "to_port"))?.or(from);
    let covers = |p: u16| -> bool {
        if all_ports {
            return true;
        }
        match (from, to) {
            (Some(f), Some(t)) => f <= i64::from(p) && i64::from(p) <= t,
            _ => false,
        }
    };
    let port_match = spec.ports.is_empty() || spec.ports.iter().any(|p| covers(*p));
    if !port_match {
        return Ok(Vec::new());
    }
    let mut hits = Vec::new();
    for name in ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"] {
        if let Some(h) = world_in_attr(ctx, spec, n, name, report, subject_node) {
            hits.push(h);
        }
    }
    Ok(hits)
}

/// A hit when the attribute (a list, or a comma-separated string) holds a world CIDR.
fn world_in_attr<'r>(
    ctx: &Ctx<'r, '_>,
    spec: &NetworkSpec,
    node: Node<'r>,
    name: &str,
    report: Option<Report>,
    subject_node: Node<'r>,
) -> Option<Hit> {
    let Child::Value {
        val,
        report: attr_span,
    } = node.child(name)?
    else {
        return None;
    };
    let r = ctx.repo.resolve(val, node.file, &ctx.subject.scope);
    let is_world = |s: &str| {
        let s = s.trim();
        spec.world
            .iter()
            .any(|w| w == s || (w == "*/0" && s.ends_with("/0")))
    };
    let file = &ctx.repo.files[r.file];
    let (open, fix_text) = match &r.val.kind {
        ValKind::List(items) => {
            let open = items
                .iter()
                .any(|i| matches!(&i.kind, ValKind::Str(s) if is_world(s)));
            let kept: Vec<&str> = items
                .iter()
                .filter(|i| !matches!(&i.kind, ValKind::Str(s) if is_world(s)))
                .map(|i| i.text(&file.text))
                .collect();
            (open, Some(format!("[{}]", kept.join(", "))))
        }
        ValKind::Str(s) => {
            let parts: Vec<&str> = s.split(',').collect();
            let open = parts.iter().any(|p| is_world(p));
            let kept: Vec<&str> = parts.into_iter().filter(|p| !is_world(p)).collect();
            let fix = if kept.is_empty() {
                None
            } else {
                Some(format!("\"{}\"", kept.join(",")))
            };
            (open, fix)
        }
        _ => (false, None),
    };
    if !open {
        return None;
    }
    let (hfile, span) = match report {
        Some(Report::Resource) => (ctx.subject.file, ctx.subject.block.span.clone()),
        Some(Report::Block) => (node.file, node.report_span()),
        _ => (node.file, attr_span),
    };
    let _ = subject_node;
    let fix = fix_text.map(|text| {
        (
            FixKind::RemoveWorldCidr,
            Edit {
                file: file.path.clone(),
                range: r.val.span.clone(),
                text,
            },
        )
    });
    let message = format!(
        "`{name}` opens ingress to the world ({})",
        r.val.text(&file.text)
    );
    let mut hit = ctx.hit(hfile, span, message, 2, fix);
    if hit.fix.is_none() {
        hit.no_fix = Some(format!(
            "`{name}` holds only a world CIDR: remove the rule or narrow its source"
        ));
    }
    Some(hit)
}
