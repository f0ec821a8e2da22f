//! Values that are not literals inside policy documents written as `jsonencode({…})` objects
//! or `data "aws_iam_policy_document"` blocks (POLICIES.md, "Values in policy documents").
//!
//! Every such value is computed by the index's evaluator (`var.*` with defaults, tfvars and
//! callers' module inputs, `local.*`, `count` / `each`, functions). While the document is read
//! it stands as a placeholder string recorded in a [`Reader`]; the document rules then see it
//! through [`materialize`]:
//!
//! - a fully known value (or a validated variable's value or marker, [`crate::validated`]) is
//!   used as if written literally, and remembers where it is written (the default, the tfvars
//!   line, the caller's input, the local) so a failure it causes is reported there;
//! - a value that cannot be computed is unknown. References to other resources' and data
//!   sources' attributes (ARNs and ids the provider computes) and templates with literal text
//!   (`"${aws_s3_bucket.b.arn}/*"`) keep their text, as before: they name something and are
//!   never a wildcard. Anything else (a variable without value, a `for` expression, a call
//!   that cannot be computed) is **unknown**: the document passes only when it would pass
//!   whatever the value is, and fails only when it fails whatever the value is.

use std::cell::RefCell;

use redress_iac::expr::TemplatePart;
use redress_iac::{Block, Context, Expr, ExprKind, Span};
use serde_json::{Map, Value as Json};

use crate::cond::Ctx;
use crate::edit::range;

/// Placeholders start with this character, followed by the entry's index.
const PH: char = '\u{2}';

/// A value met while reading a document.
pub(crate) struct Entry {
    /// The value; `None` when it cannot be computed.
    pub json: Option<Json>,
    /// The expression as written in the document.
    pub text: String,
    /// Where the value is written, when that is not the document itself.
    pub at: Option<(String, Span)>,
}

/// Reads the non-literal values of one document, written in `file` and evaluated in `context`.
pub(crate) struct Reader<'c, 'r> {
    ctx: &'c Ctx<'r>,
    context: Context,
    file: &'r str,
    entries: RefCell<Vec<Entry>>,
}

impl<'c, 'r> Reader<'c, 'r> {
    pub(crate) fn new(ctx: &'c Ctx<'r>, context: &Context, file: &'r str) -> Self {
        Reader {
            ctx,
            context: context.clone(),
            file,
            entries: RefCell::new(Vec::new()),
        }
    }

    /// The value of `expr` when it is known (or a validated variable's marker); `None` keeps
    /// its text. For the fixes, which look for the statement to change.
    pub(crate) fn value(&self, expr: &Expr) -> Option<Json> {
        crate::validated::var_value(self.ctx, &self.context, self.file, expr).or_else(|| {
            self.ctx
                .ev
                .compute(&self.context, expr)
                .and_then(|v| crate::validated::value_json(&v))
        })
    }

    /// The placeholder that stands for `expr` in the document read; `None` keeps its text.
    pub(crate) fn placeholder(&self, expr: &Expr) -> Option<Json> {
        let json = self.value(expr);
        if json.is_none() && keeps_text(expr) {
            return None;
        }
        let text = self
            .ctx
            .repo
            .text(self.file)
            .get(range(&expr.span))
            .unwrap_or("")
            .to_string();
        let at = json.as_ref().and_then(|_| {
            let r = self.ctx.ev.resolve(&self.context, self.file, expr);
            (!r.steps.is_empty() && r.followed).then_some((r.file.to_string(), r.expr.span))
        });
        let mut entries = self.entries.borrow_mut();
        entries.push(Entry { json, text, at });
        Some(Json::String(format!("{PH}{}", entries.len() - 1)))
    }

    /// The values read so far (taken out of the reader).
    pub(crate) fn take_entries(&self) -> Vec<Entry> {
        self.entries.take()
    }
}

/// A reference's JSON value, or its placeholder, for [`to_json`]; `None` keeps its text.
pub(crate) type Refs<'a> = dyn Fn(&Expr) -> Option<Json> + 'a;

/// The JSON equivalent of a `data "aws_iam_policy_document"` block's statements.
pub(crate) fn from_data_block(block: &Block, src: &str, refs: &Refs<'_>) -> Json {
    let mut statements = Vec::new();
    for st in block.nested("statement") {
        let mut m = Map::new();
        let effect = st
            .attribute("effect")
            .map_or(Json::String("Allow".into()), |a| {
                to_json(&a.expr, src, refs)
            });
        m.insert("Effect".into(), effect);
        if let Some(a) = st.attribute("actions") {
            m.insert("Action".into(), to_json(&a.expr, src, refs));
        }
        if let Some(a) = st.attribute("resources") {
            m.insert("Resource".into(), to_json(&a.expr, src, refs));
        }
        let mut principals = Map::new();
        for p in st.nested("principals") {
            let kind = p.attribute("type").map(|a| to_json(&a.expr, src, refs));
            let ids = p
                .attribute("identifiers")
                .map(|a| to_json(&a.expr, src, refs))
                .unwrap_or(Json::Null);
            if let Some(Json::String(kind)) = kind {
                if kind == "*" {
                    m.insert("Principal".into(), Json::String("*".into()));
                } else {
                    principals.insert(kind, ids);
                }
            }
        }
        if !principals.is_empty() && !m.contains_key("Principal") {
            m.insert("Principal".into(), Json::Object(principals));
        }
        let mut conditions = Map::new();
        for c in st.nested("condition") {
            let test = c.attribute("test").map(|a| to_json(&a.expr, src, refs));
            let var = c.attribute("variable").map(|a| to_json(&a.expr, src, refs));
            let values = c
                .attribute("values")
                .map(|a| to_json(&a.expr, src, refs))
                .unwrap_or(Json::Null);
            if let (Some(Json::String(test)), Some(Json::String(var))) = (test, var) {
                let entry = conditions
                    .entry(test)
                    .or_insert_with(|| Json::Object(Map::new()));
                if let Json::Object(inner) = entry {
                    inner.insert(var, values);
                }
            }
        }
        if !conditions.is_empty() {
            m.insert("Condition".into(), Json::Object(conditions));
        }
        statements.push(Json::Object(m));
    }
    let mut doc = Map::new();
    doc.insert("Statement".into(), Json::Array(statements));
    Json::Object(doc)
}

/// An HCL value as JSON: literals as written, anything else as `refs` gives it, or its source
/// text.
pub(crate) fn to_json(expr: &Expr, src: &str, refs: &Refs<'_>) -> Json {
    match &expr.kind {
        ExprKind::Null => Json::Null,
        ExprKind::Bool(b) => Json::Bool(*b),
        ExprKind::Number(n) => n
            .parse::<i64>()
            .map(Json::from)
            .ok()
            .or_else(|| {
                n.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Json::Number)
            })
            .unwrap_or(Json::Null),
        ExprKind::String(s) => Json::String(s.clone()),
        ExprKind::List(items) => Json::Array(items.iter().map(|i| to_json(i, src, refs)).collect()),
        ExprKind::Object(items) => Json::Object(
            items
                .iter()
                .map(|i| {
                    let key = i.key_name().map_or_else(
                        || src.get(range(&i.key.span)).unwrap_or("").to_string(),
                        str::to_string,
                    );
                    (key, to_json(&i.value, src, refs))
                })
                .collect(),
        ),
        _ => refs(expr)
            .unwrap_or_else(|| Json::String(src.get(range(&expr.span)).unwrap_or("").to_string())),
    }
}

/// Whether an expression that cannot be computed keeps its text: a reference to another
/// resource's, data source's or module's attribute, or a template with literal text.
fn keeps_text(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Template(parts) => match parts.as_slice() {
            [TemplatePart::Interpolation(inner)] => keeps_text(inner),
            _ => parts
                .iter()
                .any(|p| matches!(p, TemplatePart::Literal(s) if !s.is_empty())),
        },
        ExprKind::Traversal { .. } => expr.reference().is_some_and(|r| {
            let root = r.split(['.', '[']).next().unwrap_or("");
            !matches!(
                root,
                "var" | "local" | "each" | "count" | "self" | "path" | "terraform"
            )
        }),
        _ => false,
    }
}

/// How placeholders are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Known values as computed, unknown ones as their text (they match no wildcard).
    Text,
    /// As `Text`, with known value `i` as its text too: does the document still fail?
    Without(usize),
    /// Unknown values at their worst for the wildcard rules: `"*"`, `Effect` `Allow`, a whole
    /// statement granting everything to everyone.
    Worst,
    /// Unknown values at their best for `require_secure_transport`: a Deny of every action
    /// without TLS.
    Best,
}

fn statement(mode: Mode) -> Json {
    match mode {
        Mode::Best => serde_json::json!({
            "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }),
        _ => {
            serde_json::json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
        }
    }
}

fn index_of(s: &str) -> Option<usize> {
    s.strip_prefix(PH)?.parse().ok()
}

/// The document with its placeholders replaced as `mode` says; `key` is the object key the
/// value is under (`None` at the top).
pub(crate) fn materialize(v: &Json, entries: &[Entry], mode: Mode, key: Option<&str>) -> Json {
    match v {
        Json::String(s) => {
            let Some(e) = index_of(s).and_then(|i| entries.get(i).map(|e| (i, e))) else {
                return v.clone();
            };
            let (i, e) = e;
            match (&e.json, mode) {
                (Some(_), Mode::Without(j)) if j == i => Json::String(e.text.clone()),
                (Some(j), _) => j.clone(),
                (None, Mode::Text | Mode::Without(_)) => Json::String(e.text.clone()),
                (None, Mode::Worst | Mode::Best) => match key {
                    None => serde_json::json!({ "Statement": [statement(mode)] }),
                    Some("Statement") => Json::Array(vec![statement(mode)]),
                    Some("Statement[]") => statement(mode),
                    Some("Effect") if mode == Mode::Best => Json::String("Deny".into()),
                    Some("Effect") => Json::String("Allow".into()),
                    Some("aws:SecureTransport") if mode == Mode::Best => {
                        Json::String("false".into())
                    }
                    _ => Json::String("*".into()),
                },
            }
        }
        Json::Array(items) => {
            let inner = if key == Some("Statement") {
                Some("Statement[]")
            } else {
                key
            };
            Json::Array(
                items
                    .iter()
                    .map(|i| materialize(i, entries, mode, inner))
                    .collect(),
            )
        }
        Json::Object(map) => {
            let mut out = Map::new();
            for (k, val) in map {
                let name = match index_of(k).and_then(|i| entries.get(i)) {
                    Some(e) => match (&e.json, mode) {
                        // A principal type that may be `*` makes the principal any principal.
                        (None, Mode::Worst) if key == Some("Principal") => {
                            return Json::String("*".into());
                        }
                        (Some(Json::String(s)), _) => s.clone(),
                        _ => e.text.clone(),
                    },
                    None => k.clone(),
                };
                if key == Some("Principal") && name == "*" {
                    return Json::String("*".into());
                }
                out.insert(name.clone(), materialize(val, entries, mode, Some(&name)));
            }
            Json::Object(out)
        }
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: Option<Json>, text: &str) -> Entry {
        Entry {
            json,
            text: text.into(),
            at: None,
        }
    }

    #[test]
    fn placeholders_become_values_text_or_the_worst_case() {
        let entries = vec![
            entry(Some(serde_json::json!(["*"])), "var.a"),
            entry(None, "var.e"),
            entry(None, "var.p"),
        ];
        let doc = serde_json::json!({"Statement": [{
            "Action": format!("{PH}0"), "Effect": format!("{PH}1"), "Principal": {"AWS": format!("{PH}2")}
        }]});
        let text = materialize(&doc, &entries, Mode::Text, None);
        assert_eq!(
            text,
            serde_json::json!({"Statement": [{"Action": ["*"], "Effect": "var.e", "Principal": {"AWS": "var.p"}}]})
        );
        let without = materialize(&doc, &entries, Mode::Without(0), None);
        assert_eq!(without["Statement"][0]["Action"], "var.a");
        let worst = materialize(&doc, &entries, Mode::Worst, None);
        assert_eq!(worst["Statement"][0]["Effect"], "Allow");
        assert_eq!(worst["Statement"][0]["Principal"]["AWS"], "*");
        let whole = materialize(&Json::String(format!("{PH}1")), &entries, Mode::Best, None);
        assert_eq!(whole["Statement"][0]["Effect"], "Deny");
    }

    #[test]
    fn resource_references_and_templates_with_text_keep_their_text() {
        let keeps = |src: &str| keeps_text(&redress_iac::parse_expression(src).expect("expr"));
        assert!(keeps("aws_iam_role.r.arn"));
        assert!(keeps("\"${aws_s3_bucket.b.arn}/*\""));
        assert!(keeps("\"arn:aws:iam::${var.account}:root\""));
        assert!(keeps("\"${data.aws_caller_identity.current.account_id}\""));
        assert!(!keeps("var.actions"));
        assert!(!keeps("local.principals"));
        assert!(!keeps("\"${var.action}\""));
        assert!(!keeps("concat(var.a, [\"s3:GetObject\"])"));
    }
}
