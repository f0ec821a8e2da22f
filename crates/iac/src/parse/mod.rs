//! tree-sitter-hcl → [`File`]. Nothing of tree-sitter leaves this module.

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

use crate::error::IacError;
use crate::model::{Attribute, Block, BlockKind, File, FileKind, ParseError, Value};
use crate::span::Span;

mod expr;
pub(crate) use expr::parse_expression;
mod nodes;
mod recovery;

use nodes::{between, named_children, span_of, to_u32};
use recovery::{collect_errors, hoist_misnested};

/// Nesting beyond this depth is not descended into (defends against stack exhaustion).
const MAX_DEPTH: usize = 64;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses `content` with a per-thread parser and converts the tree.
pub(crate) fn parse_file(path: &str, kind: FileKind, content: String) -> Result<File, IacError> {
    let tree = PARSER.with(|cell| -> Result<_, IacError> {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_hcl::LANGUAGE.into())
                .map_err(|e| IacError::Grammar(e.to_string()))?;
            *slot = Some(parser);
        }
        let parser = slot
            .as_mut()
            .ok_or_else(|| IacError::Grammar("parser missing".into()))?;
        Ok(parser.parse(content.as_bytes(), None))
    })?;
    let mut file = File {
        path: path.to_owned(),
        kind,
        content: String::new(),
        blocks: Vec::new(),
        attributes: Vec::new(),
        errors: Vec::new(),
    };
    let Some(tree) = tree else {
        file.errors.push(ParseError {
            file: path.to_owned(),
            line: 1,
            column: 1,
            message: "the parser gave up on this file".into(),
        });
        file.content = content;
        return Ok(file);
    };
    let root = tree.root_node();
    let src = content.as_bytes();
    let conv = Converter {
        src,
        recursion: std::cell::Cell::new(0),
    };
    for child in named_children(root) {
        match child.kind() {
            "body" => conv.body(child, 0, &mut file.attributes, &mut file.blocks),
            // A whole-file object: `{ ... }` is JSON-ish; treat like nothing to index.
            _ => conv.collect_in_error(child, &mut file.attributes, &mut file.blocks),
        }
    }
    if root.has_error() {
        collect_errors(root, path, src, &mut file.errors);
        hoist_misnested(&mut file.blocks);
    }
    file.content = content;
    Ok(file)
}

struct Converter<'s> {
    src: &'s [u8],
    /// Current recursion depth over all conversion functions: ERROR nodes
    /// can nest bodies without blocks in between, so per-kind depths alone
    /// do not bound the stack.
    recursion: std::cell::Cell<usize>,
}

/// Deepest recursion of the converter.
const MAX_RECURSION: usize = 256;

/// Leaves the recursion level on drop.
struct RecursionGuard<'c>(&'c std::cell::Cell<usize>);

impl Drop for RecursionGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl Converter<'_> {
    /// Enters one recursion level; `None` when too deep.
    fn enter(&self) -> Option<RecursionGuard<'_>> {
        let level = self.recursion.get() + 1;
        if level > MAX_RECURSION {
            return None;
        }
        self.recursion.set(level);
        Some(RecursionGuard(&self.recursion))
    }
}

impl Converter<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        std::str::from_utf8(&self.src[node.start_byte()..node.end_byte()]).unwrap_or("")
    }

    fn body(
        &self,
        body: Node<'_>,
        depth: usize,
        attrs: &mut Vec<Attribute>,
        blocks: &mut Vec<Block>,
    ) {
        let Some(_guard) = self.enter() else { return };
        for child in named_children(body) {
            match child.kind() {
                "attribute" => {
                    if let Some(a) = self.attribute(child, depth) {
                        attrs.push(a);
                    }
                }
                "block" => {
                    if let Some(b) = self.block(child, depth) {
                        blocks.push(b);
                    }
                }
                "ERROR" => self.collect_in_error(child, attrs, blocks),
                _ => {}
            }
        }
    }

    /// Blocks and attributes that tree-sitter kept intact inside an ERROR node.
    fn collect_in_error(
        &self,
        node: Node<'_>,
        attrs: &mut Vec<Attribute>,
        blocks: &mut Vec<Block>,
    ) {
        let Some(_guard) = self.enter() else { return };
        for child in named_children(node) {
            match child.kind() {
                "block" => {
                    if let Some(b) = self.block(child, 0) {
                        blocks.push(b);
                    }
                }
                "attribute" => {
                    if let Some(a) = self.attribute(child, 0) {
                        attrs.push(a);
                    }
                }
                "body" => self.body(child, 0, attrs, blocks),
                _ => {}
            }
        }
    }

    fn block(&self, node: Node<'_>, depth: usize) -> Option<Block> {
        if depth > MAX_DEPTH {
            return None;
        }
        let _guard = self.enter()?;
        let mut ident = None;
        let mut labels = Vec::new();
        let mut body_start = None;
        let mut body_end = None;
        let mut body = None;
        for child in named_children(node) {
            match child.kind() {
                "identifier" if ident.is_none() => ident = Some(self.text(child).to_owned()),
                "identifier" => labels.push(self.text(child).to_owned()),
                "string_lit" => labels.push(self.quoted_text(child)),
                "block_start" => body_start = Some(child),
                "block_end" => body_end = Some(child),
                "body" => body = Some(child),
                _ => {}
            }
        }
        let ident = ident?;
        let span = span_of(node);
        let body_span = match (body_start, body_end) {
            (Some(s), Some(e)) if !e.is_missing() => between(s, e),
            _ => span,
        };
        let mut block = Block {
            kind: BlockKind::from_ident(&ident, depth > 0),
            ident,
            labels,
            span,
            body_span,
            attributes: Vec::new(),
            blocks: Vec::new(),
        };
        if let Some(body) = body {
            self.body(body, depth + 1, &mut block.attributes, &mut block.blocks);
        }
        Some(block)
    }

    fn attribute(&self, node: Node<'_>, depth: usize) -> Option<Attribute> {
        let name_node = node.named_child(0)?;
        let expr = named_children(node).find(|c| c.kind() == "expression")?;
        Some(Attribute {
            name: self.text(name_node).to_owned(),
            span: span_of(node),
            value_span: span_of(expr),
            raw: self.text(expr).to_owned(),
            value: self.value(expr, depth),
            entries: self.entries(expr, depth),
            expr: self.expr(expr, depth),
        })
    }

    /// Object elements under an expression (through lists), or JSON keys of a heredoc.
    fn entries(&self, expr: Node<'_>, depth: usize) -> Vec<Attribute> {
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            return out;
        }
        let Some(_guard) = self.enter() else {
            return out;
        };
        for child in named_children(expr) {
            match child.kind() {
                "collection_value" => {
                    let Some(coll) = child.named_child(0) else {
                        continue;
                    };
                    match coll.kind() {
                        "object" => {
                            for elem in named_children(coll).filter(|c| c.kind() == "object_elem") {
                                if let Some(entry) = self.object_entry(elem, depth + 1) {
                                    out.push(entry);
                                }
                            }
                        }
                        "tuple" => {
                            for item in named_children(coll).filter(|c| c.kind() == "expression") {
                                out.extend(self.entries(item, depth + 1));
                            }
                        }
                        _ => {}
                    }
                }
                "template_expr" => {
                    if let Some(heredoc) = child
                        .named_child(0)
                        .filter(|h| h.kind() == "heredoc_template")
                    {
                        out.extend(self.json_keys(heredoc));
                    }
                }
                "expression" => out.extend(self.entries(child, depth + 1)),
                _ => {}
            }
        }
        out
    }

    fn object_entry(&self, elem: Node<'_>, depth: usize) -> Option<Attribute> {
        let key = elem.child_by_field_name("key")?;
        let val = elem.child_by_field_name("val")?;
        let name = match self.value(key, depth) {
            Value::String(s) => s,
            _ => self.text(key).trim().to_owned(),
        };
        Some(Attribute {
            name,
            span: span_of(elem),
            value_span: span_of(val),
            raw: self.text(val).to_owned(),
            value: self.value(val, depth),
            entries: self.entries(val, depth),
            expr: self.expr(val, depth),
        })
    }

    /// One entry per line of a heredoc that starts with `"key":` (embedded JSON
    /// policies); values stay raw text.
    fn json_keys(&self, heredoc: Node<'_>) -> Vec<Attribute> {
        let text = self.text(heredoc);
        let start = span_of(heredoc);
        let mut out = Vec::new();
        let mut byte = start.start_byte;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if let Some(rest) = trimmed.strip_prefix('"')
                && let Some(end) = rest.find('"')
                && rest[end + 1..].trim_start().starts_with(':')
            {
                let content = line.trim_end();
                let line_no = start.start_line + to_u32(i);
                let span = Span {
                    start_byte: byte + indent,
                    end_byte: byte + content.len(),
                    start_line: line_no,
                    start_column: to_u32(indent) + 1,
                    end_line: line_no,
                    end_column: to_u32(content.len()) + 1,
                };
                let value_text = rest[end + 1..].trim_start()[1..]
                    .trim()
                    .trim_end_matches(',');
                out.push(Attribute {
                    name: rest[..end].to_owned(),
                    span,
                    value_span: span,
                    raw: value_text.to_owned(),
                    value: Value::Expression,
                    entries: Vec::new(),
                    expr: crate::expr::Expr {
                        span,
                        kind: crate::expr::ExprKind::Invalid,
                    },
                });
            }
            byte += line.len();
        }
        out
    }

    fn value(&self, expr: Node<'_>, depth: usize) -> Value {
        if depth > MAX_DEPTH || expr.has_error() {
            return Value::Expression;
        }
        let Some(_guard) = self.enter() else {
            return Value::Expression;
        };
        let children: Vec<Node<'_>> = named_children(expr)
            .filter(|c| c.kind() != "comment")
            .collect();
        match children.as_slice() {
            [single] => self.term(*single, depth),
            [first, rest @ ..]
                if first.kind() == "variable_expr"
                    && rest.iter().all(|c| self.is_static_traversal(*c, depth)) =>
            {
                Value::Reference(self.text(expr).split_whitespace().collect())
            }
            _ => Value::Expression,
        }
    }

    fn is_static_traversal(&self, node: Node<'_>, depth: usize) -> bool {
        match node.kind() {
            "get_attr" => true,
            "index" => node.named_child(0).is_some_and(|i| {
                i.kind() == "legacy_index"
                    || i.named_child(0).is_some_and(|e| {
                        matches!(
                            self.value(e, depth + 1),
                            Value::String(_) | Value::Number(_)
                        )
                    })
            }),
            _ => false,
        }
    }

    fn term(&self, node: Node<'_>, depth: usize) -> Value {
        match node.kind() {
            "literal_value" => {
                node.named_child(0)
                    .map_or(Value::Expression, |lit| match lit.kind() {
                        "numeric_lit" => Value::Number(self.text(lit).to_owned()),
                        "bool_lit" => Value::Bool(self.text(lit) == "true"),
                        "null_lit" => Value::Null,
                        "string_lit" => Value::String(self.quoted_text(lit)),
                        _ => Value::Expression,
                    })
            }
            "template_expr" => match node.named_child(0) {
                Some(q)
                    if q.kind() == "quoted_template"
                        && named_children(q).all(|c| c.kind() == "template_literal") =>
                {
                    Value::String(self.quoted_text(q))
                }
                Some(h)
                    if h.kind() == "heredoc_template"
                        && named_children(h).all(|c| {
                            matches!(
                                c.kind(),
                                "heredoc_start" | "heredoc_identifier" | "template_literal"
                            )
                        }) =>
                {
                    self.heredoc_content(h)
                        .map_or(Value::Expression, Value::String)
                }
                _ => Value::Expression,
            },
            "operation" => {
                // `-1`: a negative number literal.
                let text = self.text(node);
                match node.named_child(0) {
                    Some(u)
                        if u.kind() == "unary_operation"
                            && text.trim_start().starts_with('-')
                            && u.named_child(0).is_some_and(|l| {
                                l.kind() == "literal_value"
                                    && l.named_child(0).is_some_and(|n| n.kind() == "numeric_lit")
                            }) =>
                    {
                        Value::Number(text.split_whitespace().collect())
                    }
                    _ => Value::Expression,
                }
            }
            "collection_value" => node
                .named_child(0)
                .map_or(Value::Expression, |c| self.collection(c, depth)),
            "variable_expr" => Value::Reference(self.text(node).to_owned()),
            "expression" => self.value(node, depth + 1),
            _ => Value::Expression,
        }
    }

    /// The text of a heredoc without interpolation: the lines between the
    /// markers, with `<<-` indentation removed, ending in a newline.
    fn heredoc_content(&self, heredoc: Node<'_>) -> Option<String> {
        let start = named_children(heredoc).find(|c| c.kind() == "heredoc_start")?;
        let mut markers = named_children(heredoc).filter(|c| c.kind() == "heredoc_identifier");
        let (open, close) = (markers.next()?, markers.last()?);
        let body = std::str::from_utf8(self.src.get(open.end_byte()..close.start_byte())?).ok()?;
        let body = body.split_once('\n').map_or("", |(_, rest)| rest);
        // Drop the indentation before the closing marker.
        let body = match body.rfind('\n') {
            Some(i) if body[i + 1..].trim().is_empty() => &body[..=i],
            _ if body.trim().is_empty() => "",
            _ => body,
        };
        if self.text(start) != "<<-" {
            return Some(body.replace("$${", "${").replace("%%{", "%{"));
        }
        let indent = body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let mut out = String::with_capacity(body.len());
        for line in body.split_inclusive('\n') {
            out.push_str(
                line.get(indent..)
                    .unwrap_or(line.trim_start_matches([' ', '\t'])),
            );
        }
        Some(out.replace("$${", "${").replace("%%{", "%{"))
    }

    fn collection(&self, node: Node<'_>, depth: usize) -> Value {
        match node.kind() {
            "tuple" => Value::List(
                named_children(node)
                    .filter(|c| c.kind() == "expression")
                    .map(|e| self.value(e, depth + 1))
                    .collect(),
            ),
            "object" => {
                let mut entries = Vec::new();
                for elem in named_children(node).filter(|c| c.kind() == "object_elem") {
                    let (Some(k), Some(v)) = (
                        elem.child_by_field_name("key"),
                        elem.child_by_field_name("val"),
                    ) else {
                        return Value::Expression;
                    };
                    let key = match self.value(k, depth + 1) {
                        Value::String(s) => s,
                        Value::Reference(r) if !r.contains('.') => r,
                        _ => return Value::Expression,
                    };
                    entries.push((key, self.value(v, depth + 1)));
                }
                Value::Map(entries)
            }
            _ => Value::Expression,
        }
    }
}

/// Undoes HCL string escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `$${`, `%%{`).
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('\\') && !s.contains("$${") && !s.contains("%%{") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '$' | '%' if chars.peek() == Some(&c) => {
                chars.next();
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}
