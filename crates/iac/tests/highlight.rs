//! Highlighting sanity.

use redress_iac::{highlight, highlight_lines};

const SRC: &str = "# comment\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x-${var.env}\"\n  count  = length(local.n) > 0 ? 1 : 0\n  force  = true\n}\n";

fn class_of<'a>(spans: &'a [redress_iac::HighlightSpan], text: &str) -> Vec<&'a str> {
    let start = SRC.find(text).expect("text in source");
    spans
        .iter()
        .filter(|s| s.start_byte <= start && start < s.end_byte)
        .map(|s| s.class)
        .collect()
}

#[test]
fn classes_for_hcl_constructs() {
    let spans = highlight(SRC).unwrap();
    assert_eq!(class_of(&spans, "# comment"), ["comment"]);
    assert_eq!(class_of(&spans, "resource"), ["keyword"]);
    assert_eq!(class_of(&spans, "aws_s3_bucket"), ["type"]);
    assert_eq!(class_of(&spans, "bucket ="), ["property"]);
    assert_eq!(class_of(&spans, "x-"), ["string"]);
    assert_eq!(class_of(&spans, "var.env"), ["variable.builtin"]);
    assert_eq!(class_of(&spans, "length"), ["function"]);
    assert_eq!(class_of(&spans, "true"), ["constant"]);
    assert_eq!(class_of(&spans, "1 :"), ["number"]);
    // Spans are ordered and do not overlap.
    for pair in spans.windows(2) {
        assert!(pair[0].end_byte <= pair[1].start_byte, "{pair:?}");
    }
}

#[test]
fn per_line_spans_cover_each_line() {
    let lines = highlight_lines(SRC).unwrap();
    assert_eq!(lines.len(), SRC.lines().count());
    assert_eq!(lines[0].len(), 1);
    assert_eq!(
        (lines[0][0].start, lines[0][0].end, lines[0][0].class),
        (0, 9, "comment")
    );
    let line2 = SRC.lines().nth(1).unwrap();
    for span in &lines[1] {
        assert!(span.end <= line2.len());
    }
    assert!(
        lines[1]
            .iter()
            .any(|s| s.class == "keyword" && &line2[s.start..s.end] == "resource")
    );
    // A multi-line heredoc is split across lines.
    let heredoc = "x = <<EOT\nhello\nEOT\n";
    let lines = highlight_lines(heredoc).unwrap();
    assert!(
        lines[1]
            .iter()
            .any(|s| s.class == "string" && (s.start, s.end) == (0, 5)),
        "{lines:?}"
    );
}
