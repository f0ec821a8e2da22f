//! A plain syntax tree of one Terraform file, built with hcl-rs (hcl-edit) so that every value
//! inside an expression keeps its byte span: object keys and list elements included. The index
//! crate records spans down to attributes; policies need the spans *inside* values (the
//! `enabled = false` line inside `versioning = { … }` of a module call).

use std::ops::Range;

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{Body as EditBody, Structure};

/// A byte range into the file text.
pub type ByteRange = Range<usize>;

/// The body of a file or block: its attributes and nested blocks, in source order.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Attributes (`name = value`).
    pub attrs: Vec<Attr>,
    /// Nested blocks (`name "label" { … }`).
    pub blocks: Vec<Block>,
}

/// One block with its labels and span (from the identifier to the closing brace).
#[derive(Debug, Clone)]
pub struct Block {
    /// The block type: `resource`, `ingress`, `versioning`, …
    pub ident: String,
    /// Labels, unquoted.
    pub labels: Vec<String>,
    /// From the first byte of the identifier to just after the closing brace.
    pub span: ByteRange,
    /// The block's content.
    pub body: Body,
}

/// One attribute.
#[derive(Debug, Clone)]
pub struct Attr {
    /// The attribute name.
    pub name: String,
    /// From the first byte of the name to the end of the value.
    pub span: ByteRange,
    /// The value expression.
    pub value: Val,
}

/// A value with its span.
#[derive(Debug, Clone)]
pub struct Val {
    /// Where the value's text is.
    pub span: ByteRange,
    /// What the value is.
    pub kind: ValKind,
}

/// One item of an object value.
#[derive(Debug, Clone)]
pub struct ObjItem {
    /// The key, unquoted.
    pub key: String,
    /// Span of the key.
    pub key_span: ByteRange,
    /// The value.
    pub value: Val,
}

/// What a value is, as far as policies care.
#[derive(Debug, Clone)]
pub enum ValKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string without interpolation.
    Str(String),
    /// A string with interpolations: the raw source text.
    Template,
    /// A heredoc; `content` is its text with interpolations left as written.
    Heredoc {
        /// The heredoc's lines between the opening and the closing delimiter.
        content: String,
        /// Byte offset of `content` in the file.
        content_start: usize,
    },
    /// `[ … ]`.
    List(Vec<Val>),
    /// `{ … }`.
    Object(Vec<ObjItem>),
    /// A reference such as `var.x`, `aws_s3_bucket.b.id`, `data.x.y.json`; the source text.
    Traversal(String),
    /// A function call with its name and arguments.
    Call {
        /// Function name (`jsonencode`, `length`, …).
        name: String,
        /// Arguments.
        args: Vec<Val>,
    },
    /// `cond ? a : b`.
    Conditional(Box<(Val, Val, Val)>),
    /// Anything else (operations, for expressions): unknown to policies.
    Other,
}

impl Val {
    /// The value's source text.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.span.clone()).unwrap_or("")
    }

    /// The object item with this key.
    pub fn item(&self, key: &str) -> Option<&ObjItem> {
        match &self.kind {
            ValKind::Object(items) => items.iter().find(|i| i.key == key),
            _ => None,
        }
    }
}

impl Body {
    /// The attribute with this name.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// Nested blocks with this identifier.
    pub fn blocks_named<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }
}

/// Why a file could not be read as HCL.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// The parser's message.
    pub message: String,
}

/// Parses a file's text into the plain tree.
pub fn parse(src: &str) -> Result<Body, SyntaxError> {
    let body = hcl::edit::parser::parse_body(src).map_err(|e| {
        let loc = e.location();
        SyntaxError {
            line: loc.line(),
            message: e.message().to_string(),
        }
    })?;
    Ok(convert_body(&body, src))
}

fn convert_body(body: &EditBody, src: &str) -> Body {
    let mut out = Body::default();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let span = attr.span().unwrap_or(0..0);
                out.attrs.push(Attr {
                    name: attr.key.as_str().to_string(),
                    span,
                    value: convert_expr(&attr.value, src),
                });
            }
            Structure::Block(block) => {
                out.blocks.push(Block {
                    ident: block.ident.as_str().to_string(),
                    labels: block
                        .labels
                        .iter()
                        .map(|l| l.as_str().to_string())
                        .collect(),
                    span: block.span().unwrap_or(0..0),
                    body: convert_body(&block.body, src),
                });
            }
        }
    }
    out
}

fn convert_expr(expr: &Expression, src: &str) -> Val {
    let span = expr.span().unwrap_or(0..0);
    let kind = match expr {
        Expression::Null(_) => ValKind::Null,
        Expression::Bool(b) => ValKind::Bool(*b.value()),
        Expression::Number(n) => ValKind::Number(n.value().as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => ValKind::Str(s.value().to_string()),
        Expression::StringTemplate(_) => ValKind::Template,
        Expression::HeredocTemplate(_) => heredoc(src, &span),
        Expression::Array(items) => {
            ValKind::List(items.iter().map(|e| convert_expr(e, src)).collect())
        }
        Expression::Object(obj) => ValKind::Object(
            obj.iter()
                .map(|(key, value)| {
                    let key_span = key.span().unwrap_or(0..0);
                    let key = match key {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                        ObjectKey::Expression(other) => {
                            let sp = other.span().unwrap_or(0..0);
                            src.get(sp).unwrap_or("").to_string()
                        }
                    };
                    ObjItem {
                        key,
                        key_span,
                        value: convert_expr(value.expr(), src),
                    }
                })
                .collect(),
        ),
        Expression::Parenthesis(p) => return convert_expr(p.inner(), src),
        Expression::Variable(_) | Expression::Traversal(_) => {
            ValKind::Traversal(src.get(span.clone()).unwrap_or("").to_string())
        }
        Expression::FuncCall(call) => ValKind::Call {
            name: call.name.name.as_str().to_string(),
            args: call.args.iter().map(|e| convert_expr(e, src)).collect(),
        },
        Expression::Conditional(c) => ValKind::Conditional(Box::new((
            convert_expr(&c.cond_expr, src),
            convert_expr(&c.true_expr, src),
            convert_expr(&c.false_expr, src),
        ))),
        Expression::UnaryOp(_) | Expression::BinaryOp(_) | Expression::ForExpr(_) => ValKind::Other,
    };
    Val { span, kind }
}

/// Cuts the heredoc's content out of the source: the lines after `<<EOF` up to the closing
/// delimiter line.
fn heredoc(src: &str, span: &ByteRange) -> ValKind {
    let text = src.get(span.clone()).unwrap_or("");
    let Some(first_nl) = text.find('\n') else {
        return ValKind::Other;
    };
    let body_start = first_nl + 1;
    let end = text
        .trim_end()
        .rfind('\n')
        .map_or(body_start, |i| i + 1)
        .max(body_start);
    ValKind::Heredoc {
        content: text.get(body_start..end).unwrap_or("").to_string(),
        content_start: span.start + body_start,
    }
}

/// Byte offsets where lines start, for 1-based line lookups.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Builds the index for a text.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line holding this byte.
    pub fn line(&self, byte: usize) -> usize {
        match self.starts.binary_search(&byte) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }
}

/// The leading whitespace of the line holding `byte`.
pub fn indent_at(src: &str, byte: usize) -> String {
    let line_start = src
        .get(..byte)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    src.get(line_start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_reach_inside_object_values() {
        let src = "module \"m\" {\n  versioning = {\n    enabled = false\n  }\n}\n";
        let body = parse(src).expect("parses");
        let module = &body.blocks[0];
        assert_eq!(module.labels, vec!["m"]);
        let versioning = module.body.attr("versioning").expect("attr");
        let enabled = versioning.value.item("enabled").expect("item");
        let lines = LineIndex::new(src);
        assert_eq!(lines.line(enabled.key_span.start), 3);
        assert!(matches!(enabled.value.kind, ValKind::Bool(false)));
        assert_eq!(lines.line(module.span.start), 1);
        assert_eq!(&src[module.span.end - 1..module.span.end], "}");
    }

    #[test]
    fn heredoc_content_is_cut_out() {
        let src = "resource \"a\" \"b\" {\n  policy = <<EOF\n{\"a\": 1}\nEOF\n}\n";
        let body = parse(src).expect("parses");
        let attr = body.blocks[0].body.attr("policy").expect("policy");
        match &attr.value.kind {
            ValKind::Heredoc {
                content,
                content_start,
            } => {
                assert_eq!(content, "{\"a\": 1}\n");
                assert_eq!(&src[*content_start..*content_start + 8], "{\"a\": 1}");
            }
            other => panic!("not a heredoc: {other:?}"),
        }
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let err = parse("resource \"a\" \"b\" {\n  x = \n}\n").expect_err("broken");
        assert!(err.line >= 2, "line {}", err.line);
    }
}
