//! tree-sitter expression nodes → [`Expr`].
//!
//! The grammar inlines its `_expr_term` rule, so a traversal such as
//! `var.rules[var.x][0]` arrives as sibling nodes (`variable_expr`, `get_attr`,
//! `index`, `index`) and a binary operation as `lhs pieces, operator token, rhs
//! pieces`. This module puts them back together.

use tree_sitter::Node;

use super::nodes::{named_children, span_of, to_u32};
use super::{Converter, MAX_DEPTH, unescape};
use crate::expr::{
    BinaryOp, Call, Conditional, Expr, ExprKind, Heredoc, ObjectItem, TemplatePart, TraversalOp,
    UnaryOp,
};
use crate::span::Span;

/// All children of a node (named and anonymous) except comments.
fn children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

fn invalid(node: Node<'_>) -> Expr {
    Expr {
        span: span_of(node),
        kind: ExprKind::Invalid,
    }
}

impl Converter<'_> {
    /// An `expression` node (or any node that stands for one expression).
    pub(super) fn expr(&self, node: Node<'_>, depth: usize) -> Expr {
        if depth > MAX_DEPTH || node.has_error() {
            return invalid(node);
        }
        let Some(_guard) = self.enter() else {
            return invalid(node);
        };
        if node.kind() != "expression" {
            return self.term_seq(&[node], node, depth);
        }
        let kids = children(node);
        match kids.as_slice() {
            [single] if single.kind() == "conditional" => self.conditional(*single, depth),
            _ => self.term_seq(&kids, node, depth),
        }
    }

    fn conditional(&self, node: Node<'_>, depth: usize) -> Expr {
        let parts: Vec<Node<'_>> = named_children(node)
            .filter(|c| c.kind() == "expression")
            .collect();
        let [cond, then, otherwise] = parts.as_slice() else {
            return invalid(node);
        };
        Expr {
            span: span_of(node),
            kind: ExprKind::Conditional(Box::new(Conditional {
                cond: self.expr(*cond, depth + 1),
                then: self.expr(*then, depth + 1),
                otherwise: self.expr(*otherwise, depth + 1),
            })),
        }
    }

    /// A term followed by traversal steps: `(` expression `)` or a term node,
    /// then `get_attr` / `index` / `splat` siblings.
    fn term_seq(&self, kids: &[Node<'_>], whole: Node<'_>, depth: usize) -> Expr {
        let Some(first) = kids.first() else {
            return invalid(whole);
        };
        let from_operation = first.kind() == "operation";
        let (base, rest) = if first.kind() == "(" {
            let Some(close) = kids.iter().position(|k| k.kind() == ")") else {
                return invalid(whole);
            };
            let Some(inner) = kids[..close].iter().find(|k| k.kind() == "expression") else {
                return invalid(whole);
            };
            (self.expr(*inner, depth + 1), &kids[close + 1..])
        } else {
            (self.expr_term(*first, depth), &kids[1..])
        };
        if rest.is_empty() {
            return base;
        }
        let mut ops = Vec::new();
        for step in rest {
            if !self.traversal_step(*step, depth, &mut ops) {
                return invalid(whole);
            }
        }
        let end = span_of(kids[kids.len() - 1]);
        if from_operation {
            // The grammar attaches `.b` in `x && !var.b` to the whole operation:
            // traversals bind tighter, so the steps belong to its last operand.
            return self.push_down(base, ops, end);
        }
        let span = join(span_of(kids[0]), end);
        traversal(base, ops, span)
    }

    /// Applies traversal steps to the rightmost operand of an operation (not
    /// into a parenthesised group).
    fn push_down(&self, expr: Expr, ops: Vec<TraversalOp>, end: Span) -> Expr {
        let span = join(expr.span, end);
        match expr.kind {
            ExprKind::Unary(op, inner) if !self.parenthesised(&inner) => Expr {
                span,
                kind: ExprKind::Unary(op, Box::new(self.push_down(*inner, ops, end))),
            },
            ExprKind::Binary(op, lhs, rhs) if !self.parenthesised(&rhs) => Expr {
                span,
                kind: ExprKind::Binary(op, lhs, Box::new(self.push_down(*rhs, ops, end))),
            },
            kind => traversal(
                Expr {
                    span: expr.span,
                    kind,
                },
                ops,
                span,
            ),
        }
    }

    /// Whether an operand was written in parentheses (its span is the inside).
    fn parenthesised(&self, e: &Expr) -> bool {
        self.src.get(..e.span.start_byte).and_then(|before| {
            before
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .copied()
        }) == Some(b'(')
    }

    /// Appends the ops of one `get_attr` / `index` / `splat` node; false for
    /// anything else.
    fn traversal_step(&self, node: Node<'_>, depth: usize, ops: &mut Vec<TraversalOp>) -> bool {
        match node.kind() {
            "get_attr" => {
                let Some(name) = named_children(node).find(|c| c.kind() == "identifier") else {
                    return false;
                };
                ops.push(TraversalOp::GetAttr(self.text(name).to_owned()));
                true
            }
            "index" => {
                let Some(inner) = node.named_child(0) else {
                    return false;
                };
                match inner.kind() {
                    "legacy_index" => {
                        let digits = self.text(inner).trim_start_matches('.');
                        match digits.parse() {
                            Ok(i) => {
                                ops.push(TraversalOp::LegacyIndex(i));
                                true
                            }
                            Err(_) => false,
                        }
                    }
                    "new_index" => match named_children(inner).find(|c| c.kind() == "expression") {
                        Some(e) => {
                            ops.push(TraversalOp::Index(self.expr(e, depth + 1)));
                            true
                        }
                        None => false,
                    },
                    _ => false,
                }
            }
            "splat" => {
                let Some(inner) = node.named_child(0) else {
                    return false;
                };
                ops.push(if inner.kind() == "full_splat" {
                    TraversalOp::FullSplat
                } else {
                    TraversalOp::AttrSplat
                });
                named_children(inner).all(|step| self.traversal_step(step, depth, ops))
            }
            _ => false,
        }
    }

    /// One term node.
    fn expr_term(&self, node: Node<'_>, depth: usize) -> Expr {
        let span = span_of(node);
        let kind = match node.kind() {
            "expression" => return self.expr(node, depth + 1),
            "literal_value" => match node.named_child(0) {
                Some(lit) => match lit.kind() {
                    "numeric_lit" => ExprKind::Number(self.text(lit).to_owned()),
                    "bool_lit" => ExprKind::Bool(self.text(lit) == "true"),
                    "null_lit" => ExprKind::Null,
                    "string_lit" => ExprKind::String(self.quoted_text(lit)),
                    _ => ExprKind::Invalid,
                },
                None => ExprKind::Invalid,
            },
            "template_expr" => match node.named_child(0) {
                Some(q) if q.kind() == "quoted_template" => self.quoted_template(q, depth),
                Some(h) if h.kind() == "heredoc_template" => self.heredoc(h, depth),
                _ => ExprKind::Invalid,
            },
            "collection_value" => match node.named_child(0) {
                Some(c) if c.kind() == "tuple" => ExprKind::List(
                    named_children(c)
                        .filter(|e| e.kind() == "expression")
                        .map(|e| self.expr(e, depth + 1))
                        .collect(),
                ),
                Some(c) if c.kind() == "object" => ExprKind::Object(
                    named_children(c)
                        .filter(|e| e.kind() == "object_elem")
                        .filter_map(|e| self.object_item(e, depth + 1))
                        .collect(),
                ),
                _ => ExprKind::Invalid,
            },
            "variable_expr" => ExprKind::Variable(self.text(node).to_owned()),
            "function_call" => self.call(node, depth),
            "for_expr" => ExprKind::For,
            "operation" => return self.operation(node, depth),
            _ => ExprKind::Invalid,
        };
        Expr { span, kind }
    }

    fn object_item(&self, elem: Node<'_>, depth: usize) -> Option<ObjectItem> {
        let key = elem.child_by_field_name("key")?;
        let val = elem.child_by_field_name("val")?;
        Some(ObjectItem {
            key: self.expr(key, depth),
            span: span_of(elem),
            value: self.expr(val, depth),
        })
    }

    fn call(&self, node: Node<'_>, depth: usize) -> ExprKind {
        let Some(name) = named_children(node).find(|c| c.kind() == "identifier") else {
            return ExprKind::Invalid;
        };
        let mut args = Vec::new();
        let mut expand_final = false;
        if let Some(list) = named_children(node).find(|c| c.kind() == "function_arguments") {
            for arg in named_children(list) {
                match arg.kind() {
                    "expression" => args.push(self.expr(arg, depth + 1)),
                    "ellipsis" => expand_final = true,
                    _ => {}
                }
            }
        }
        ExprKind::Call(Call {
            name: self.text(name).to_owned(),
            args,
            expand_final,
        })
    }

    fn operation(&self, node: Node<'_>, depth: usize) -> Expr {
        let span = span_of(node);
        let Some(op) = node.named_child(0) else {
            return invalid(node);
        };
        let kids = children(op);
        let kind = match op.kind() {
            "unary_operation" => {
                let Some((token, operand)) = kids.split_first() else {
                    return invalid(node);
                };
                let unary = match token.kind() {
                    "-" => UnaryOp::Neg,
                    "!" => UnaryOp::Not,
                    _ => return invalid(node),
                };
                ExprKind::Unary(unary, Box::new(self.term_seq(operand, op, depth + 1)))
            }
            "binary_operation" => {
                let Some(at) = kids
                    .iter()
                    .position(|k| !k.is_named() && BinaryOp::from_token(k.kind()).is_some())
                else {
                    return invalid(node);
                };
                let Some(binary) = BinaryOp::from_token(kids[at].kind()) else {
                    return invalid(node);
                };
                let (lhs, rhs) = (&kids[..at], &kids[at + 1..]);
                if lhs.is_empty() || rhs.is_empty() {
                    return invalid(node);
                }
                ExprKind::Binary(
                    binary,
                    Box::new(self.term_seq(lhs, op, depth + 1)),
                    Box::new(self.term_seq(rhs, op, depth + 1)),
                )
            }
            _ => ExprKind::Invalid,
        };
        Expr { span, kind }
    }

    /// The text between a quoted template's quotes, unescaped (the grammar's
    /// literal nodes drop leading and trailing blanks, so the raw bytes are used).
    pub(super) fn quoted_text(&self, node: Node<'_>) -> String {
        let (start, end) = quote_bounds(node);
        match std::str::from_utf8(self.src.get(start..end).unwrap_or_default()) {
            Ok(text) => unescape(text),
            Err(_) => String::new(),
        }
    }

    fn quoted_template(&self, node: Node<'_>, depth: usize) -> ExprKind {
        let (start, end) = quote_bounds(node);
        let parts = self.template_parts(node, start, end, depth, unescape);
        match parts.as_slice() {
            [] => ExprKind::String(String::new()),
            [TemplatePart::Literal(s)] => ExprKind::String(s.clone()),
            _ => ExprKind::Template(parts),
        }
    }

    fn heredoc(&self, node: Node<'_>, depth: usize) -> ExprKind {
        let start = named_children(node).find(|c| c.kind() == "heredoc_start");
        let mut markers = named_children(node).filter(|c| c.kind() == "heredoc_identifier");
        let (Some(start), Some(open), Some(close)) = (start, markers.next(), markers.last()) else {
            return ExprKind::Invalid;
        };
        // The body starts on the line after the opening marker and ends at the
        // start of the closing marker's line (both at column 1).
        let after_open = open.end_byte();
        let close_start = close.start_byte();
        let body = match self.src[after_open..close_start]
            .iter()
            .position(|b| *b == b'\n')
        {
            Some(i) => {
                let close_line = close.start_position().row;
                let line_start = close_start - close.start_position().column;
                let start = after_open + i + 1;
                let end = line_start.max(start);
                Span {
                    start_byte: start,
                    end_byte: end,
                    start_line: to_u32(open.end_position().row + 1) + 1,
                    start_column: 1,
                    end_line: to_u32(close_line) + 1,
                    end_column: 1,
                }
            }
            None => {
                let at = span_of(close);
                Span {
                    end_byte: at.start_byte,
                    end_line: at.start_line,
                    end_column: at.start_column,
                    ..at
                }
            }
        };
        let unescape_markers = |s: &str| s.replace("$${", "${").replace("%%{", "%{");
        let parts = self.template_parts(
            node,
            body.start_byte,
            body.end_byte,
            depth,
            unescape_markers,
        );
        ExprKind::Heredoc(Heredoc {
            indented: self.text(start) == "<<-",
            body,
            parts,
        })
    }

    /// Template parts between `start` and `end`: the raw text between
    /// interpolation and directive nodes becomes literals.
    fn template_parts(
        &self,
        node: Node<'_>,
        start: usize,
        end: usize,
        depth: usize,
        literal: impl Fn(&str) -> String,
    ) -> Vec<TemplatePart> {
        let mut parts = Vec::new();
        let mut at = start;
        let push_literal = |parts: &mut Vec<TemplatePart>, from: usize, to: usize| {
            if to > from
                && let Some(raw) = self.src.get(from..to)
                && let Ok(text) = std::str::from_utf8(raw)
            {
                parts.push(TemplatePart::Literal(literal(text)));
            }
        };
        for child in named_children(node) {
            let kind = child.kind();
            if kind != "template_interpolation" && kind != "template_directive" {
                continue;
            }
            if child.start_byte() < start || child.end_byte() > end {
                continue;
            }
            push_literal(&mut parts, at, child.start_byte());
            if kind == "template_interpolation" {
                match named_children(child).find(|c| c.kind() == "expression") {
                    Some(e) => parts.push(TemplatePart::Interpolation(self.expr(e, depth + 1))),
                    None => parts.push(TemplatePart::Directive(span_of(child))),
                }
            } else {
                parts.push(TemplatePart::Directive(span_of(child)));
            }
            at = child.end_byte();
        }
        push_literal(&mut parts, at, end);
        parts
    }
}

/// The byte range between a quoted template's (or string literal's) quotes.
fn quote_bounds(node: Node<'_>) -> (usize, usize) {
    let open = named_children(node).find(|c| c.kind() == "quoted_template_start");
    let close = named_children(node).find(|c| c.kind() == "quoted_template_end");
    let start = open.map_or(node.start_byte(), |o| o.end_byte());
    let end = close.map_or(node.end_byte(), |c| c.start_byte()).max(start);
    (start, end)
}

fn join(start: Span, end: Span) -> Span {
    Span {
        start_byte: start.start_byte,
        end_byte: end.end_byte,
        start_line: start.start_line,
        start_column: start.start_column,
        end_line: end.end_line,
        end_column: end.end_column,
    }
}

fn traversal(base: Expr, ops: Vec<TraversalOp>, span: Span) -> Expr {
    Expr {
        span,
        kind: ExprKind::Traversal {
            base: Box::new(base),
            ops,
        },
    }
}

/// Parses `text` as exactly one expression; spans are relative to `text`.
pub(crate) fn parse_expression(text: &str) -> Result<crate::expr::Expr, String> {
    const PREFIX: &str = "x = ";
    if text.trim().is_empty() {
        return Err("empty expression".into());
    }
    let file = super::parse_file(
        "<expression>",
        crate::model::FileKind::Config,
        format!("{PREFIX}{text}\n"),
    )
    .map_err(|e| e.to_string())?;
    if let Some(e) = file.errors.first() {
        return Err(format!("{}:{}: {}", e.line, e.column, e.message));
    }
    let (Some(attr), 1, true) = (
        file.attributes.first(),
        file.attributes.len(),
        file.blocks.is_empty(),
    ) else {
        return Err("not a single expression".into());
    };
    let mut expr = attr.expr.clone();
    shift(&mut expr, PREFIX.len());
    Ok(expr)
}

/// Moves every span of `expr` back by `by` bytes on line 1 (undoes a prefix).
fn shift(expr: &mut crate::expr::Expr, by: usize) {
    use crate::expr::{ExprKind, TemplatePart, TraversalOp};
    fn span(s: &mut Span, by: usize) {
        s.start_byte = s.start_byte.saturating_sub(by);
        s.end_byte = s.end_byte.saturating_sub(by);
        let cols = to_u32(by);
        if s.start_line == 1 {
            s.start_column = s.start_column.saturating_sub(cols).max(1);
        }
        if s.end_line == 1 {
            s.end_column = s.end_column.saturating_sub(cols).max(1);
        }
    }
    fn parts(ps: &mut [TemplatePart], by: usize) {
        for p in ps {
            match p {
                TemplatePart::Interpolation(e) => shift(e, by),
                TemplatePart::Directive(s) => span(s, by),
                TemplatePart::Literal(_) => {}
            }
        }
    }
    span(&mut expr.span, by);
    match &mut expr.kind {
        ExprKind::Template(ps) => parts(ps, by),
        ExprKind::Heredoc(h) => {
            span(&mut h.body, by);
            parts(&mut h.parts, by);
        }
        ExprKind::List(items) => items.iter_mut().for_each(|e| shift(e, by)),
        ExprKind::Object(items) => {
            for item in items {
                span(&mut item.span, by);
                shift(&mut item.key, by);
                shift(&mut item.value, by);
            }
        }
        ExprKind::Traversal { base, ops } => {
            shift(base, by);
            for op in ops {
                if let TraversalOp::Index(e) = op {
                    shift(e, by);
                }
            }
        }
        ExprKind::Call(call) => call.args.iter_mut().for_each(|e| shift(e, by)),
        ExprKind::Conditional(c) => {
            shift(&mut c.cond, by);
            shift(&mut c.then, by);
            shift(&mut c.otherwise, by);
        }
        ExprKind::Unary(_, e) => shift(e, by),
        ExprKind::Binary(_, l, r) => {
            shift(l, by);
            shift(r, by);
        }
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Variable(_)
        | ExprKind::For
        | ExprKind::Invalid => {}
    }
}
