//! Path patterns of CODEOWNERS files, compiled once and matched against repository paths.
//!
//! GitHub follows gitignore rules (with the exceptions its "About code owners" page lists):
//! a pattern with a leading or inner `/` is anchored at the root, any other pattern matches at
//! any depth, a trailing `/` matches everything below a directory, a pattern that names a
//! directory also covers its contents, except that `dir/*` covers only the direct children.
//!
//! GitLab ("Syntax of CODEOWNERS file", "Advanced CODEOWNERS configuration") normalises a
//! pattern then uses `File.fnmatch` with `FNM_PATHNAME | FNM_DOTMATCH`: a pattern without a
//! leading `/` gets `**/` in front (so `internal/README.md` matches at any depth), a trailing
//! `/` gets `**/*` appended, and `*` alone matches everything. Without a trailing slash a
//! pattern matches only the full path.

use super::CodeOwnersSyntax;

/// One `/`-separated piece of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// `**`: zero or more whole path segments.
    AnyDepth,
    /// A segment without wildcards, compared as a string.
    Literal(String),
    /// A glob for exactly one path segment (`*`, `?`, `[...]` and literal characters).
    Glob(Vec<GlobToken>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum GlobToken {
    Literal(char),
    AnyRun,
    AnyOne,
    /// `[...]`: ranges of allowed characters, negated when `!`/`^` opens the class.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Which paths below a matched directory are covered as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Descendants {
    /// Only a full-path match counts.
    None,
    /// The full path, or any ancestor directory of it.
    AlsoBelow,
    /// Only paths strictly below a matching directory (a trailing-slash pattern).
    OnlyBelow,
}

/// A compiled CODEOWNERS path pattern.
#[derive(Clone, Debug)]
pub(crate) struct PathPattern {
    segments: Vec<Segment>,
    descendants: Descendants,
}

impl PathPattern {
    /// Compiles `pattern` (already unescaped) under the given syntax.
    pub(crate) fn compile(pattern: &str, syntax: CodeOwnersSyntax) -> PathPattern {
        match syntax {
            CodeOwnersSyntax::GitHub => Self::compile_github(pattern),
            CodeOwnersSyntax::GitLab => Self::compile_gitlab(pattern),
        }
    }

    fn compile_github(pattern: &str) -> PathPattern {
        let dir_only = pattern.ends_with('/');
        let trimmed = pattern.trim_end_matches('/');
        let anchored = trimmed.starts_with('/') || trimmed.contains('/');
        let body = trimmed.trim_start_matches('/');
        let mut segments = Vec::new();
        if !anchored {
            segments.push(Segment::AnyDepth);
        }
        segments.extend(split_segments(body));
        collapse_any_depth(&mut segments);
        let descendants = if dir_only {
            Descendants::OnlyBelow
        } else if body.rsplit('/').next() == Some("*") && anchored {
            // GitHub: "`docs/*` will match `docs/getting-started.md` but not further nested
            // files like `docs/build-app/troubleshooting.md`."
            Descendants::None
        } else {
            Descendants::AlsoBelow
        };
        PathPattern {
            segments,
            descendants,
        }
    }

    fn compile_gitlab(pattern: &str) -> PathPattern {
        if pattern == "*" {
            return PathPattern {
                segments: vec![Segment::AnyDepth, glob_segment("*")],
                descendants: Descendants::None,
            };
        }
        let dir_only = pattern.ends_with('/');
        let anchored = pattern.starts_with('/');
        let body = pattern.trim_start_matches('/').trim_end_matches('/');
        let mut segments = Vec::new();
        if !anchored {
            segments.push(Segment::AnyDepth);
        }
        segments.extend(split_segments(body));
        collapse_any_depth(&mut segments);
        PathPattern {
            segments,
            descendants: if dir_only {
                Descendants::OnlyBelow
            } else {
                Descendants::None
            },
        }
    }

    /// Whether this pattern covers `path` (repository-relative, `/`-separated, no leading `/`).
    #[cfg(test)]
    pub(crate) fn matches(&self, path: &str) -> bool {
        self.matches_parts(&split_path(path))
    }

    /// Like `matches`, on a path already split by [`split_path`] (split once per query).
    pub(crate) fn matches_parts(&self, parts: &[&str]) -> bool {
        !parts.is_empty() && match_segments(&self.segments, parts, self.descendants)
    }
}

/// `**/**` means the same as `**`; collapsing keeps matching from backtracking needlessly.
fn collapse_any_depth(segments: &mut Vec<Segment>) {
    segments
        .dedup_by(|next, previous| *next == Segment::AnyDepth && *previous == Segment::AnyDepth);
}

/// Splits a repository path into its `/`-separated parts, dropping empty and `.` parts.
pub(crate) fn split_path(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect()
}

fn split_segments(body: &str) -> Vec<Segment> {
    let parts: Vec<&str> = body.split('/').filter(|part| !part.is_empty()).collect();
    let count = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(index, part)| {
            if part == "**" && index + 1 < count {
                Segment::AnyDepth
            } else {
                // A trailing `**` acts like `*` on one segment (fnmatch with FNM_PATHNAME); with
                // GitHub's directory rule it then covers everything inside, never the
                // directory itself.
                glob_segment(part)
            }
        })
        .collect()
}

fn glob_segment(part: &str) -> Segment {
    if !part.contains(['*', '?', '[']) {
        return Segment::Literal(part.to_owned());
    }
    let chars: Vec<char> = part.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        match chars[index] {
            '*' => {
                // `**` inside a segment (e.g. `a**b`) behaves like `*`.
                if tokens.last() != Some(&GlobToken::AnyRun) {
                    tokens.push(GlobToken::AnyRun);
                }
                index += 1;
            }
            '?' => {
                tokens.push(GlobToken::AnyOne);
                index += 1;
            }
            '[' => match parse_class(&chars, index) {
                Some((token, next)) => {
                    tokens.push(token);
                    index = next;
                }
                None => {
                    tokens.push(GlobToken::Literal('['));
                    index += 1;
                }
            },
            other => {
                tokens.push(GlobToken::Literal(other));
                index += 1;
            }
        }
    }
    Segment::Glob(tokens)
}

/// Parses `[...]` starting at `start`; `None` when the class is not closed.
fn parse_class(chars: &[char], start: usize) -> Option<(GlobToken, usize)> {
    let mut index = start + 1;
    let negated = matches!(chars.get(index), Some('!' | '^'));
    if negated {
        index += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    while let Some(&c) = chars.get(index) {
        if c == ']' && !first {
            return Some((GlobToken::Class { negated, ranges }, index + 1));
        }
        first = false;
        if chars.get(index + 1) == Some(&'-')
            && let Some(&end) = chars.get(index + 2)
            && end != ']'
        {
            ranges.push((c, end));
            index += 3;
        } else {
            ranges.push((c, c));
            index += 1;
        }
    }
    None
}

/// Whether `pattern` consumes a prefix of `parts` leaving what `descendants` allows: nothing
/// (`None`), anything (`AlsoBelow`: the match was the path or a directory above it), or at
/// least one part (`OnlyBelow`).
fn match_segments(pattern: &[Segment], parts: &[&str], descendants: Descendants) -> bool {
    match pattern.split_first() {
        None => match descendants {
            Descendants::None => parts.is_empty(),
            Descendants::AlsoBelow => true,
            Descendants::OnlyBelow => !parts.is_empty(),
        },
        Some((Segment::AnyDepth, rest)) => {
            (0..=parts.len()).any(|skip| match_segments(rest, &parts[skip..], descendants))
        }
        Some((segment, rest)) => match parts.split_first() {
            Some((part, remaining)) => {
                let here = match segment {
                    Segment::Literal(literal) => literal == part,
                    Segment::Glob(tokens) => match_glob(tokens, part),
                    Segment::AnyDepth => false,
                };
                here && match_segments(rest, remaining, descendants)
            }
            None => false,
        },
    }
}

fn match_glob(tokens: &[GlobToken], text: &str) -> bool {
    match tokens.split_first() {
        None => text.is_empty(),
        Some((GlobToken::AnyRun, rest)) => {
            if rest.is_empty() {
                return true;
            }
            text.char_indices()
                .map(|(index, _)| index)
                .chain(std::iter::once(text.len()))
                .any(|index| match_glob(rest, &text[index..]))
        }
        Some((token, rest)) => {
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => token_accepts(token, c) && match_glob(rest, chars.as_str()),
                None => false,
            }
        }
    }
}

fn token_accepts(token: &GlobToken, c: char) -> bool {
    match token {
        GlobToken::Literal(literal) => *literal == c,
        GlobToken::AnyOne => true,
        GlobToken::AnyRun => true,
        GlobToken::Class { negated, ranges } => {
            let inside = ranges.iter().any(|(low, high)| *low <= c && c <= *high);
            inside != *negated
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github(pattern: &str, path: &str) -> bool {
        PathPattern::compile(pattern, CodeOwnersSyntax::GitHub).matches(path)
    }

    fn gitlab(pattern: &str, path: &str) -> bool {
        PathPattern::compile(pattern, CodeOwnersSyntax::GitLab).matches(path)
    }

    #[test]
    fn github_unanchored_name_matches_at_any_depth_and_covers_directories() {
        assert!(github("*.js", "app.js"));
        assert!(github("*.js", "src/deep/app.js"));
        assert!(!github("*.js", "src/app.jsx"));
        assert!(github("apps/", "apps/a.txt"));
        assert!(github("apps/", "x/apps/y/z.txt"));
        assert!(!github("apps/", "apps"));
        assert!(github("README", "docs/README"));
    }

    #[test]
    fn github_anchored_patterns_stay_at_the_root() {
        assert!(github("/build/logs/", "build/logs/a.log"));
        assert!(github("/build/logs/", "build/logs/deep/a.log"));
        assert!(!github("/build/logs/", "x/build/logs/a.log"));
        assert!(github("docs/*", "docs/getting-started.md"));
        assert!(!github("docs/*", "docs/build-app/troubleshooting.md"));
        assert!(!github("docs/*", "x/docs/a.md"));
        assert!(github("/apps/github", "apps/github/x.rb"));
        assert!(github("/apps/github", "apps/github"));
        assert!(!github("/apps/github", "apps/githubber"));
    }

    #[test]
    fn github_double_star_forms() {
        assert!(github("**/logs", "build/logs/a"));
        assert!(github("**/logs", "deeply/nested/logs/a"));
        assert!(github("**/logs", "logs/a"));
        assert!(github("/docs/**", "docs/a/b"));
        assert!(!github("/docs/**", "docs"));
        assert!(github("a/**/b", "a/b"));
        assert!(github("a/**/b", "a/x/y/b"));
        assert!(github("*", "any/thing/at/all.tf"));
        assert!(github("a/**/**/**/b", "a/x/y/b"));
        assert!(github("**/**/**/logs", "logs/x"));
    }

    #[test]
    fn gitlab_relative_paths_are_globstar_paths() {
        assert!(gitlab("README.md", "README.md"));
        assert!(gitlab("README.md", "app/lib/README.md"));
        assert!(gitlab("internal/README.md", "docs/api/internal/README.md"));
        assert!(!gitlab("/README.md", "docs/README.md"));
        assert!(gitlab("/docs/README.md", "docs/README.md"));
    }

    #[test]
    fn gitlab_directory_wildcard_and_globstar_paths() {
        assert!(gitlab("/docs/", "docs/a/b/c.md"));
        assert!(!gitlab("/docs/", "x/docs/a.md"));
        assert!(gitlab("/docs/*.md", "docs/a.md"));
        assert!(!gitlab("/docs/*.md", "docs/x/a.md"));
        assert!(gitlab("/docs/index.*", "docs/index.html"));
        assert!(gitlab("/docs/*spec*", "docs/runtime.spec"));
        assert!(gitlab("/docs/*/README.md", "docs/api/README.md"));
        assert!(!gitlab("/docs/*/README.md", "docs/README.md"));
        assert!(gitlab("/docs/**/index.md", "docs/index.md"));
        assert!(gitlab("/docs/**/index.md", "docs/api/graphql/index.md"));
        assert!(gitlab("*", ".gitignore"));
        assert!(gitlab("*", "deep/.hidden/file"));
        // Without a trailing slash a GitLab pattern is a file pattern only.
        assert!(!gitlab("/docs", "docs/a.md"));
    }

    #[test]
    fn character_classes_and_unclosed_brackets() {
        assert!(gitlab("file[0-9].tf", "file3.tf"));
        assert!(!gitlab("file[!0-9].tf", "file3.tf"));
        assert!(gitlab("[Section", "[Section"));
    }
}
