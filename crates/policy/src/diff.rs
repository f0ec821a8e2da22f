//! Line diffs and unified-diff text that `git apply` accepts.

use std::ops::Range;

/// One hunk of changed lines, in 0-based line indexes of the old and new texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Old lines replaced.
    pub old: Range<usize>,
    /// New lines inserted.
    pub new: Range<usize>,
}

/// The changed line ranges between two texts (common prefix and suffix trimmed, then LCS).
pub fn changes(old: &str, new: &str) -> Vec<Change> {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let mut pre = 0;
    while pre < a.len() && pre < b.len() && a[pre] == b[pre] {
        pre += 1;
    }
    let mut suf = 0;
    while suf < a.len() - pre && suf < b.len() - pre && a[a.len() - 1 - suf] == b[b.len() - 1 - suf]
    {
        suf += 1;
    }
    let am = &a[pre..a.len() - suf];
    let bm = &b[pre..b.len() - suf];
    if am.is_empty() && bm.is_empty() {
        return Vec::new();
    }
    if am.len().saturating_mul(bm.len()) > 4_000_000 {
        return vec![Change {
            old: pre..a.len() - suf,
            new: pre..b.len() - suf,
        }];
    }
    // LCS table over the middle part.
    let (n, m) = (am.len(), bm.len());
    let mut t = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * (m + 1) + j] = if am[i] == bm[j] {
                t[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
            };
        }
    }
    let mut out: Vec<Change> = Vec::new();
    let (mut i, mut j) = (0, 0);
    let push = |oi: usize, nj: usize, out: &mut Vec<Change>, del: bool| {
        let (o, nn) = (pre + oi, pre + nj);
        match out.last_mut() {
            Some(last) if last.old.end == o && last.new.end == nn => {
                if del {
                    last.old.end += 1
                } else {
                    last.new.end += 1
                }
            }
            _ => out.push(if del {
                Change {
                    old: o..o + 1,
                    new: nn..nn,
                }
            } else {
                Change {
                    old: o..o,
                    new: nn..nn + 1,
                }
            }),
        }
    };
    while i < n || j < m {
        if i < n && j < m && am[i] == bm[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || t[i * (m + 1) + j + 1] >= t[(i + 1) * (m + 1) + j]) {
            push(i, j, &mut out, false);
            j += 1;
        } else {
            push(i, j, &mut out, true);
            i += 1;
        }
    }
    out
}

/// A unified diff of one file, with `context` lines around each change; empty when equal.
pub fn unified(path: &str, old: &str, new: &str, context: usize) -> String {
    let ch = changes(old, new);
    if ch.is_empty() {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let mut out = format!("diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n");
    // Group changes whose context overlaps.
    let mut groups: Vec<Vec<&Change>> = Vec::new();
    for c in &ch {
        match groups.last_mut() {
            Some(g)
                if g.last()
                    .is_some_and(|l| c.old.start <= l.old.end + 2 * context) =>
            {
                g.push(c)
            }
            _ => groups.push(vec![c]),
        }
    }
    for g in groups {
        let (Some(first), Some(last)) = (g.first(), g.last()) else {
            continue;
        };
        let old_start = first.old.start.saturating_sub(context);
        let new_start = first.new.start - (first.old.start - old_start);
        let old_end = (last.old.end + context).min(a.len());
        let new_end = last.new.end + (old_end - last.old.end);
        let mut body = String::new();
        let mut oi = old_start;
        for c in &g {
            while oi < c.old.start {
                line(&mut body, ' ', a[oi]);
                oi += 1;
            }
            for l in &a[c.old.clone()] {
                line(&mut body, '-', l);
            }
            for l in &b[c.new.clone()] {
                line(&mut body, '+', l);
            }
            oi = c.old.end;
        }
        while oi < old_end {
            line(&mut body, ' ', a[oi]);
            oi += 1;
        }
        out.push_str(&format!(
            "@@ -{} +{} @@\n{body}",
            range_header(old_start, old_end - old_start),
            range_header(new_start, new_end - new_start)
        ));
    }
    out
}

fn range_header(start: usize, len: usize) -> String {
    if len == 0 {
        format!("{start},0")
    } else {
        format!("{},{len}", start + 1)
    }
}

fn line(out: &mut String, mark: char, l: &str) {
    out.push(mark);
    out.push_str(l);
    if !l.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insertion_is_one_hunk_with_context() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nb\nx\nc\nd\n";
        assert_eq!(
            changes(old, new),
            vec![Change {
                old: 2..2,
                new: 2..3
            }]
        );
        let d = unified("f.tf", old, new, 1);
        assert_eq!(
            d,
            "diff --git a/f.tf b/f.tf\n--- a/f.tf\n+++ b/f.tf\n@@ -2,2 +2,3 @@\n b\n+x\n c\n"
        );
    }

    #[test]
    fn a_replacement_at_the_end_without_newline() {
        let d = unified("f.tf", "a\nb", "a\nc", 3);
        assert!(
            d.contains("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{d}"
        );
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("f", "a\n", "a\n", 3), "");
    }
}
