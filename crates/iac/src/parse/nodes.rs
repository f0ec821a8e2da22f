//! Small helpers over tree-sitter nodes: cursor iteration and spans.

use tree_sitter::Node;

use crate::span::Span;

/// Named children through a tree cursor (`Node::named_child(i)` walks from the
/// first child every time, which is quadratic over long bodies).
pub(super) fn named_children(node: Node<'_>) -> NamedChildren<'_> {
    NamedChildren {
        cursor: node.walk(),
        state: CursorState::Start,
    }
}

enum CursorState {
    Start,
    Walking,
    Done,
}

pub(super) struct NamedChildren<'t> {
    cursor: tree_sitter::TreeCursor<'t>,
    state: CursorState,
}

impl<'t> Iterator for NamedChildren<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        loop {
            let moved = match self.state {
                CursorState::Start => {
                    self.state = CursorState::Walking;
                    self.cursor.goto_first_child()
                }
                CursorState::Walking => self.cursor.goto_next_sibling(),
                CursorState::Done => return None,
            };
            if !moved {
                self.state = CursorState::Done;
                return None;
            }
            let node = self.cursor.node();
            if node.is_named() {
                return Some(node);
            }
        }
    }
}

pub(super) fn span_of(node: Node<'_>) -> Span {
    let s = node.start_position();
    let e = node.end_position();
    Span {
        start_byte: node.start_byte(),
        end_byte: node.end_byte(),
        start_line: to_u32(s.row) + 1,
        start_column: to_u32(s.column) + 1,
        end_line: to_u32(e.row) + 1,
        end_column: to_u32(e.column) + 1,
    }
}

pub(super) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX - 1)
}

/// The span between two nodes (from the end of `start` to the start of `end`).
pub(super) fn between(start: Node<'_>, end: Node<'_>) -> Span {
    let s = start.end_position();
    let e = end.start_position();
    Span {
        start_byte: start.end_byte(),
        end_byte: end.start_byte(),
        start_line: to_u32(s.row) + 1,
        start_column: to_u32(s.column) + 1,
        end_line: to_u32(e.row) + 1,
        end_column: to_u32(e.column) + 1,
    }
}
