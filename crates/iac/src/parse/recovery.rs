//! Error recovery: syntax errors as `file:line` messages, and blocks that a
//! missing brace nested inside another moved back to the top level.

use tree_sitter::Node;

use super::nodes::to_u32;
use crate::model::{Block, BlockKind, ParseError};
use crate::span::Span;

/// Most syntax errors recorded per file; the rest are summarised in one line.
const MAX_ERRORS_PER_FILE: usize = 20;

pub(super) fn collect_errors(node: Node<'_>, path: &str, src: &[u8], out: &mut Vec<ParseError>) {
    let mut stack = vec![node];
    let mut suppressed = 0usize;
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            if out.len() >= MAX_ERRORS_PER_FILE {
                suppressed += 1;
                continue;
            }
            let pos = n.start_position();
            let message = if n.is_missing() {
                format!("missing `{}`", n.kind())
            } else {
                let end = n.end_byte().min(n.start_byte() + 40);
                let near = String::from_utf8_lossy(&src[n.start_byte()..end]);
                let near = near.lines().next().unwrap_or("").trim();
                format!("syntax error near `{near}`")
            };
            out.push(ParseError {
                file: path.to_owned(),
                line: to_u32(pos.row) + 1,
                column: to_u32(pos.column) + 1,
                message,
            });
            continue;
        }
        if n.has_error() {
            let count = n.child_count();
            for i in (0..count).rev() {
                if let Some(c) = n.child(i) {
                    stack.push(c);
                }
            }
        }
    }
    if suppressed > 0 {
        out.push(ParseError {
            file: path.to_owned(),
            line: out.last().map_or(1, |e| e.line),
            column: 1,
            message: format!("{suppressed} more syntax errors not shown"),
        });
    }
    out.sort_by_key(|e| (e.line, e.column));
}

/// After a syntax error (say, a missing `}`), tree-sitter may nest the next
/// top-level block inside the broken one. Terraform writes top-level blocks at
/// column 1 with a known keyword; such nested blocks are moved back to the top
/// level and the broken block is cut short where the first one starts.
pub(super) fn hoist_misnested(blocks: &mut Vec<Block>) {
    let mut hoisted = Vec::new();
    for block in blocks.iter_mut() {
        take_misnested(block, &mut hoisted);
    }
    if hoisted.is_empty() {
        return;
    }
    blocks.extend(hoisted);
    blocks.sort_by_key(|b| b.span.start_byte);
}

fn take_misnested(parent: &mut Block, out: &mut Vec<Block>) {
    let mut i = 0;
    let mut first_start: Option<Span> = None;
    while i < parent.blocks.len() {
        let child = &parent.blocks[i];
        let top_kind = BlockKind::from_ident(&child.ident, false);
        if top_kind != BlockKind::Other && child.span.start_column == 1 {
            let mut child = parent.blocks.remove(i);
            child.kind = top_kind;
            if first_start.is_none_or(|f| child.span.start_byte < f.start_byte) {
                first_start = Some(child.span);
            }
            take_misnested(&mut child, out);
            out.push(child);
        } else {
            take_misnested(&mut parent.blocks[i], out);
            i += 1;
        }
    }
    if let Some(cut) = first_start {
        parent.span.end_byte = cut.start_byte;
        parent.span.end_line = cut.start_line.saturating_sub(1).max(parent.span.start_line);
        parent.span.end_column = 1;
        parent.body_span.end_byte = parent.body_span.end_byte.min(cut.start_byte);
        parent.body_span.end_line = parent.body_span.end_line.min(parent.span.end_line);
        parent
            .attributes
            .retain(|a| a.span.start_byte < cut.start_byte);
    }
}
