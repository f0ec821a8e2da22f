//! Syntax highlighting for the code view (tree-sitter-highlight, HCL query
//! bundled in `queries/highlights.scm`, compiled once).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

use crate::error::IacError;

/// The classes a span can have (also the CSS class names the web view uses).
pub const CLASSES: &[&str] = &[
    "comment",
    "keyword",
    "type",
    "property",
    "function",
    "variable.builtin",
    "variable",
    "number",
    "constant",
    "string",
    "punctuation.special",
    "operator",
    "punctuation.bracket",
    "punctuation.delimiter",
];

const HIGHLIGHTS_QUERY: &str = include_str!("../queries/highlights.scm");
/// Sources larger than this are not highlighted (returned as plain text).
pub const MAX_HIGHLIGHT_BYTES: usize = 2 * 1024 * 1024;

static CONFIG: LazyLock<Result<HighlightConfiguration, String>> = LazyLock::new(|| {
    let mut config = HighlightConfiguration::new(
        tree_sitter_hcl::LANGUAGE.into(),
        "hcl",
        HIGHLIGHTS_QUERY,
        "",
        "",
    )
    .map_err(|e| e.to_string())?;
    config.configure(CLASSES);
    Ok(config)
});

/// A highlighted byte range of the whole source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HighlightSpan {
    /// First byte.
    pub start_byte: usize,
    /// End byte (exclusive).
    pub end_byte: usize,
    /// One of [`CLASSES`].
    pub class: &'static str,
}

/// A highlighted range within one line (byte offsets into that line's text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSpan {
    /// First byte within the line.
    pub start: usize,
    /// End byte within the line (exclusive).
    pub end: usize,
    /// One of [`CLASSES`].
    pub class: &'static str,
}

/// Highlights `source`: non-overlapping spans in order, innermost class wins.
/// Unhighlighted text has no span.
///
/// # Errors
/// When the bundled query does not compile or highlighting fails.
pub fn highlight(source: &str) -> Result<Vec<HighlightSpan>, IacError> {
    if source.len() > MAX_HIGHLIGHT_BYTES {
        return Ok(Vec::new());
    }
    let config = CONFIG
        .as_ref()
        .map_err(|e| IacError::Highlight(e.clone()))?;
    let mut highlighter = Highlighter::new();
    let events = highlighter
        .highlight(config, source.as_bytes(), None, |_| None)
        .map_err(|e| IacError::Highlight(e.to_string()))?;
    let mut stack: Vec<usize> = Vec::new();
    let mut out: Vec<HighlightSpan> = Vec::new();
    for event in events {
        match event.map_err(|e| IacError::Highlight(e.to_string()))? {
            HighlightEvent::HighlightStart(h) => stack.push(h.0),
            HighlightEvent::HighlightEnd => {
                stack.pop();
            }
            HighlightEvent::Source { start, end } => {
                let Some(&class) = stack.last().and_then(|&i| CLASSES.get(i)) else {
                    continue;
                };
                match out.last_mut() {
                    Some(last) if last.end_byte == start && last.class == class => {
                        last.end_byte = end
                    }
                    _ => out.push(HighlightSpan {
                        start_byte: start,
                        end_byte: end,
                        class,
                    }),
                }
            }
        }
    }
    Ok(out)
}

/// Highlights `source` and splits the spans per line (lines as `str::lines`
/// gives them): `result[i]` holds the spans of line `i + 1`.
///
/// # Errors
/// As [`highlight`].
pub fn highlight_lines(source: &str) -> Result<Vec<Vec<LineSpan>>, IacError> {
    let spans = highlight(source)?;
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let text_len = line.trim_end_matches('\n').trim_end_matches('\r').len();
        starts.push((offset, offset + text_len));
        offset += line.len();
    }
    let mut out: Vec<Vec<LineSpan>> = vec![Vec::new(); starts.len()];
    let mut line = 0;
    for span in spans {
        // Spans are ordered: skip lines that end before this span starts.
        while line < starts.len() && starts[line].1 < span.start_byte {
            line += 1;
        }
        let mut l = line;
        while l < starts.len() && starts[l].0 < span.end_byte {
            let (ls, le) = starts[l];
            let s = span.start_byte.max(ls);
            let e = span.end_byte.min(le);
            if s < e {
                out[l].push(LineSpan {
                    start: s - ls,
                    end: e - ls,
                    class: span.class,
                });
            }
            l += 1;
        }
    }
    Ok(out)
}
