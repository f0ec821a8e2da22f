//! Text edits: the smallest changes that keep a file's formatting and comments.

use serde::Serialize;

use std::ops::Range;

/// A byte range into a file's text.
pub type ByteRange = Range<usize>;

/// The byte range of a span.
pub(crate) fn range(span: &redress_iac::Span) -> ByteRange {
    span.start_byte..span.end_byte
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

/// One text replacement in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Relative path of the file.
    pub file: String,
    /// Byte range replaced (empty for an insertion).
    #[serde(skip)]
    pub range: ByteRange,
    /// The new text.
    pub text: String,
}

/// What kind of change a fix makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// Replace an attribute's value.
    SetValue,
    /// Add an attribute with the block's indentation.
    AddAttribute,
    /// Add a nested block (with its attribute).
    AddBlock,
    /// Add a companion resource next to the resource.
    AddCompanion,
    /// Change a module input at the call site.
    ModuleInput,
    /// Change a variable's default.
    VariableDefault,
    /// Change a variable's value in a `.tfvars` file.
    VariableValue,
    /// Remove world-open CIDRs from a rule.
    RemoveWorldCidr,
    /// Add a statement to a policy document.
    AddStatement,
    /// Replace a nested block as a whole.
    ReplaceBlock,
}

/// Applies edits to a text; edits must not overlap. Later ranges are applied first.
pub fn apply(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    let mut out = text.to_string();
    let mut last_start = usize::MAX;
    for e in sorted {
        if e.range.end > last_start || e.range.end > out.len() || e.range.start > e.range.end {
            return None;
        }
        if !out.is_char_boundary(e.range.start) || !out.is_char_boundary(e.range.end) {
            return None;
        }
        out.replace_range(e.range.clone(), &e.text);
        last_start = e.range.start;
    }
    Some(out)
}

/// Builds the insertion of `rest` (a path of nested names ending with the attribute) with
/// `value` into the container whose closing brace is the last byte of `container`.
/// Intermediate names become nested blocks (`name {`) or, in object style, `name = {`.
pub fn insert_into(
    file: &str,
    src: &str,
    container: &ByteRange,
    rest: &[&str],
    value: &str,
    object_style: bool,
) -> Option<Edit> {
    let close = container.end.checked_sub(1)?;
    if src.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let container_indent = indent_at(src, container.start);
    let inner_indent =
        child_indent(src, container).unwrap_or_else(|| format!("{container_indent}  "));
    let step = step_of(&container_indent, &inner_indent);
    let mut lines = Vec::new();
    let depth = rest.len().saturating_sub(1);
    for (i, name) in rest.iter().enumerate() {
        let ind = format!("{inner_indent}{}", step.repeat(i));
        if i == depth {
            lines.push(format!("{ind}{name} = {}", reindent(value, &ind)));
        } else if object_style {
            lines.push(format!("{ind}{name} = {{"));
        } else {
            lines.push(format!("{ind}{name} {{"));
        }
    }
    for i in (0..depth).rev() {
        lines.push(format!("{inner_indent}{}}}", step.repeat(i)));
    }
    let block = lines.join("\n");
    let line_start = src
        .get(..close)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before_close = src.get(line_start..close)?;
    let open = src
        .get(container.start..close)?
        .find('{')
        .map(|i| container.start + i);
    if before_close.trim().is_empty() && open.is_some_and(|o| o < line_start) {
        Some(Edit {
            file: file.to_string(),
            range: line_start..line_start,
            text: format!("{block}\n"),
        })
    } else {
        Some(Edit {
            file: file.to_string(),
            range: close..close,
            text: format!("\n{block}\n{container_indent}"),
        })
    }
}

/// Inserts a nested block `name { … }` (body given with braces, two-space indented) before the
/// closing brace of the container, re-indented to the container's children.
pub fn insert_block_into(
    file: &str,
    src: &str,
    container: &ByteRange,
    name: &str,
    body: &str,
) -> Option<Edit> {
    let close = container.end.checked_sub(1)?;
    if src.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let container_indent = indent_at(src, container.start);
    let inner = child_indent(src, container).unwrap_or_else(|| format!("{container_indent}  "));
    let text = format!("{inner}{name} {}", reindent(body, &inner));
    let line_start = src
        .get(..close)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    if src.get(line_start..close)?.trim().is_empty() {
        Some(Edit {
            file: file.to_string(),
            range: line_start..line_start,
            text: format!("\n{text}\n"),
        })
    } else {
        Some(Edit {
            file: file.to_string(),
            range: close..close,
            text: format!("\n\n{text}\n{container_indent}"),
        })
    }
}

/// Replaces a whole block (from its identifier to its closing brace) with `text`, a block
/// written at column 0 with two-space indentation, re-indented to the block's own indentation.
pub fn replace_block(file: &str, src: &str, block: &ByteRange, text: &str) -> Option<Edit> {
    if src.as_bytes().get(block.end.checked_sub(1)?) != Some(&b'}') {
        return None;
    }
    let indent = indent_at(src, block.start);
    Some(Edit {
        file: file.to_string(),
        range: block.clone(),
        text: reindent(text.trim(), &indent),
    })
}

/// Indentation of the first line inside a container, when it has content lines.
fn child_indent(src: &str, container: &ByteRange) -> Option<String> {
    let text = src.get(container.clone())?;
    let open = text.find('{')?;
    let inner = text.get(open + 1..text.len().checked_sub(1)?)?;
    inner
        .lines()
        .skip(1)
        .find(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with("//") && !t.starts_with('}')
        })
        .map(|l| l.chars().take_while(|c| *c == ' ' || *c == '\t').collect())
}

fn step_of(outer: &str, inner: &str) -> String {
    inner
        .strip_prefix(outer)
        .filter(|s| !s.is_empty())
        .unwrap_or("  ")
        .to_string()
}

/// Re-indents the continuation lines of a multi-line value.
fn reindent(value: &str, indent: &str) -> String {
    let mut out = String::new();
    for (i, line) in value.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insertion_uses_the_blocks_indentation() {
        let src = "resource \"a\" \"b\" {\n    name = \"x\"\n}\n";
        let edit = insert_into(
            "m.tf",
            src,
            &(0..src.len() - 1),
            &["enabled"],
            "true",
            false,
        )
        .expect("edit");
        let out = apply(src, &[&edit]).expect("applies");
        assert_eq!(
            out,
            "resource \"a\" \"b\" {\n    name = \"x\"\n    enabled = true\n}\n"
        );
    }

    #[test]
    fn insertion_creates_nested_blocks_and_objects() {
        let src = "resource \"a\" \"b\" {\n  name = \"x\"\n}\n";
        let e = insert_into(
            "m.tf",
            src,
            &(0..src.len() - 1),
            &["sse", "enabled"],
            "true",
            false,
        )
        .expect("edit");
        assert_eq!(
            apply(src, &[&e]).expect("applies"),
            "resource \"a\" \"b\" {\n  name = \"x\"\n  sse {\n    enabled = true\n  }\n}\n"
        );
        let e = insert_into(
            "m.tf",
            src,
            &(0..src.len() - 1),
            &["sse", "enabled"],
            "true",
            true,
        )
        .expect("edit");
        assert!(
            apply(src, &[&e])
                .expect("applies")
                .contains("  sse = {\n    enabled = true\n  }\n")
        );
    }

    #[test]
    fn insertion_into_an_empty_one_line_block() {
        let src = "resource \"a\" \"b\" {}\n";
        let e = insert_into(
            "m.tf",
            src,
            &(0..src.len() - 1),
            &["enabled"],
            "true",
            false,
        )
        .expect("edit");
        assert_eq!(
            apply(src, &[&e]).expect("applies"),
            "resource \"a\" \"b\" {\n  enabled = true\n}\n"
        );
    }

    #[test]
    fn a_replaced_block_takes_the_blocks_indentation() {
        let src = "resource \"a\" \"b\" {\n    act {\n      type = \"forward\"\n    }\n}\n";
        let start = src.find("act").expect("block");
        let end = src.find("    }\n}").expect("end") + 5;
        let e = replace_block(
            "m.tf",
            src,
            &(start..end),
            "act {\n  type = \"redirect\"\n}",
        )
        .expect("edit");
        assert_eq!(
            apply(src, &[&e]).expect("applies"),
            "resource \"a\" \"b\" {\n    act {\n      type = \"redirect\"\n    }\n}\n"
        );
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let a = Edit {
            file: "f".into(),
            range: 0..4,
            text: "x".into(),
        };
        let b = Edit {
            file: "f".into(),
            range: 2..6,
            text: "y".into(),
        };
        assert_eq!(apply("0123456789", &[&a, &b]), None);
    }
}
