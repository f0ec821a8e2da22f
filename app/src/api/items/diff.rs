//! Unified diffs for the IDE view: reading one back into display rows, and applying one to
//! the original text (to put a stored proposal's patched text into the editor). Making a diff
//! from an edited file is `redress_policy::diff::unified`, the same code the fixes use.
pub use super::types::{RowKindView as RowKind, RowView as DiffRow};

/// One file section of a unified diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePatch {
    /// The file, relative to the repository root (without `a/` or `b/`).
    pub path: String,
    /// Its rows, hunk headers included.
    pub rows: Vec<DiffRow>,
}

/// `@@ -a,b +c,d @@` → `(a, c)` (1-based starts; 0 for an empty side).
fn hunk_starts(header: &str) -> Option<(u32, u32)> {
    let mut parts = header.strip_prefix("@@ ")?.split(' ');
    let start = |s: &str, sign: char| -> Option<u32> {
        s.strip_prefix(sign)?.split(',').next()?.parse().ok()
    };
    Some((start(parts.next()?, '-')?, start(parts.next()?, '+')?))
}

fn strip_prefix_path(raw: &str) -> String {
    let raw = raw.split('\t').next().unwrap_or(raw).trim_end();
    raw.strip_prefix("a/")
        .or_else(|| raw.strip_prefix("b/"))
        .unwrap_or(raw)
        .to_owned()
}

/// Reads a unified diff into one [`FilePatch`] per file. Lines it does not understand
/// (`index …`, mode lines) are skipped; `\ No newline` markers are dropped.
pub fn parse(patch: &str) -> Vec<FilePatch> {
    let mut files: Vec<FilePatch> = Vec::new();
    let (mut old, mut new) = (0u32, 0u32);
    let mut in_hunk = false;
    for line in patch.lines() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            let path = rest
                .rsplit_once(" b/")
                .map_or_else(|| strip_prefix_path(rest), |(_, b)| b.to_owned());
            files.push(FilePatch {
                path,
                rows: Vec::new(),
            });
            in_hunk = false;
        } else if let Some(rest) = line.strip_prefix("+++ ").filter(|_| !in_hunk) {
            let path = strip_prefix_path(rest);
            match files.last_mut() {
                Some(f) if path != "/dev/null" => f.path = path,
                None => files.push(FilePatch {
                    path,
                    rows: Vec::new(),
                }),
                _ => {}
            }
        } else if line.starts_with("--- ") && !in_hunk {
            if files.is_empty() {
                files.push(FilePatch {
                    path: strip_prefix_path(&line[4..]),
                    rows: Vec::new(),
                });
            }
        } else if line.starts_with("@@ ") {
            let Some((o, n)) = hunk_starts(line) else {
                continue;
            };
            (old, new) = (o.max(1), n.max(1));
            in_hunk = true;
            if let Some(f) = files.last_mut() {
                f.rows.push(DiffRow {
                    kind: RowKind::Hunk,
                    old: None,
                    new: None,
                    text: line.to_owned(),
                });
            }
        } else if in_hunk {
            let Some(f) = files.last_mut() else { continue };
            let (kind, text) = match line.chars().next() {
                Some(' ') => (RowKind::Context, &line[1..]),
                None => (RowKind::Context, ""),
                Some('+') => (RowKind::Added, &line[1..]),
                Some('-') => (RowKind::Removed, &line[1..]),
                _ => continue,
            };
            let row = match kind {
                RowKind::Added => {
                    new += 1;
                    DiffRow {
                        kind,
                        old: None,
                        new: Some(new - 1),
                        text: text.to_owned(),
                    }
                }
                RowKind::Removed => {
                    old += 1;
                    DiffRow {
                        kind,
                        old: Some(old - 1),
                        new: None,
                        text: text.to_owned(),
                    }
                }
                _ => {
                    old += 1;
                    new += 1;
                    DiffRow {
                        kind,
                        old: Some(old - 1),
                        new: Some(new - 1),
                        text: text.to_owned(),
                    }
                }
            };
            f.rows.push(row);
        }
    }
    files
}

/// Applies the hunks of `file` to `original` (lines matched by their old numbers, context
/// checked). `None` when a hunk does not match the text.
pub fn apply(original: &str, file: &FilePatch) -> Option<String> {
    let lines: Vec<&str> = original.lines().collect();
    let ends_with_newline = original.is_empty() || original.ends_with('\n');
    let mut out: Vec<String> = Vec::new();
    let mut next = 0usize; // 0-based index of the next original line not yet copied
    for row in &file.rows {
        match row.kind {
            RowKind::Hunk => {}
            RowKind::Context | RowKind::Removed => {
                let at = usize::try_from(row.old?).ok()?.checked_sub(1)?;
                if at < next || lines.get(at)? != &row.text {
                    return None;
                }
                out.extend(lines[next..at].iter().map(|l| (*l).to_owned()));
                if row.kind == RowKind::Context {
                    out.push(row.text.clone());
                }
                next = at + 1;
            }
            RowKind::Added => out.push(row.text.clone()),
        }
    }
    out.extend(
        lines[next.min(lines.len())..]
            .iter()
            .map(|l| (*l).to_owned()),
    );
    let mut text = out.join("\n");
    if ends_with_newline && !text.is_empty() {
        text.push('\n');
    }
    Some(text)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn unified(path: &str, old: &str, new: &str) -> String {
        redress_policy::diff::unified(path, old, new, 3)
    }

    const OLD: &str = "resource \"aws_ebs_volume\" \"v\" {\n  size = 10\n  encrypted = false\n}\n";
    const NEW: &str = "resource \"aws_ebs_volume\" \"v\" {\n  size = 10\n  encrypted = true\n}\n";

    #[test]
    fn a_replacement_makes_one_hunk_with_context() {
        let d = unified("main.tf", OLD, NEW);
        assert_eq!(
            d,
            "diff --git a/main.tf b/main.tf\n--- a/main.tf\n+++ b/main.tf\n@@ -1,4 +1,4 @@\n resource \"aws_ebs_volume\" \"v\" {\n   size = 10\n-  encrypted = false\n+  encrypted = true\n }\n"
        );
        assert_eq!(unified("main.tf", OLD, OLD), "");
    }

    #[test]
    fn parsed_rows_carry_line_numbers_and_apply_back() {
        let files = parse(&unified("dir/main.tf", OLD, NEW));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "dir/main.tf");
        let removed: Vec<_> = files[0]
            .rows
            .iter()
            .filter(|r| r.kind == RowKind::Removed)
            .collect();
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].old, Some(3));
        let added = files[0]
            .rows
            .iter()
            .find(|r| r.kind == RowKind::Added)
            .map(|r| r.new);
        assert_eq!(added, Some(Some(3)));
        assert_eq!(apply(OLD, &files[0]).as_deref(), Some(NEW));
    }

    #[test]
    fn insertions_far_apart_make_two_hunks_that_apply() {
        let old: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 2\n", "line 2\nextra a\n")
            .replace("line 25\n", "line 25\nextra b\n");
        let d = unified("f.tf", &old, &new);
        assert_eq!(d.matches("\n@@ ").count(), 2, "{d}");
        let files = parse(&d);
        assert_eq!(apply(&old, &files[0]).as_deref(), Some(new.as_str()));
    }

    #[test]
    fn a_patch_for_different_text_does_not_apply() {
        let files = parse(&unified("main.tf", OLD, NEW));
        assert_eq!(apply("something else\n", &files[0]), None);
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let d = unified("f.tf", "a\nb", "a\nc");
        assert!(
            d.contains("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{d}"
        );
    }
}
