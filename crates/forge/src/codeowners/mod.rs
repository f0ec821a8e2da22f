//! CODEOWNERS files in GitHub and GitLab syntax: parse once, then ask who owns a path.
//!
//! Sources: GitHub's "About code owners" page and GitLab's "Syntax of CODEOWNERS file" and
//! "Advanced CODEOWNERS configuration" pages. The tests use the examples from those pages.

mod parse;
mod pattern;

use pattern::PathPattern;
use serde::{Deserialize, Serialize};

/// Which forge's rules a CODEOWNERS file follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CodeOwnersSyntax {
    /// gitignore-style patterns, last matching rule wins, no sections.
    GitHub,
    /// Sections, each contributing owners; globstar relative paths; exclusions with `!`.
    GitLab,
}

impl CodeOwnersSyntax {
    /// Where this forge looks for the file, in its documented order; the first found is used.
    ///
    /// GitHub: `.github/`, the root, then `docs/`. GitLab: the root, `docs/`, then `.gitlab/`.
    pub fn locations(self) -> &'static [&'static str] {
        match self {
            CodeOwnersSyntax::GitHub => &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"],
            CodeOwnersSyntax::GitLab => &["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"],
        }
    }

    /// Guesses the syntax of a file whose forge is unknown (a plain local checkout).
    ///
    /// A file under `.github/` is GitHub's and one under `.gitlab/` is GitLab's; otherwise
    /// the file is GitLab's when any line is a section heading (`[Name]` or `^[Name]`).
    pub fn detect(location: &str, text: &str) -> CodeOwnersSyntax {
        if location.starts_with(".github/") {
            return CodeOwnersSyntax::GitHub;
        }
        if location.starts_with(".gitlab/") {
            return CodeOwnersSyntax::GitLab;
        }
        let has_section = text
            .lines()
            .any(|line| parse::parse_section_heading(line.trim()).is_some());
        if has_section {
            CodeOwnersSyntax::GitLab
        } else {
            CodeOwnersSyntax::GitHub
        }
    }
}

/// Where to look for a CODEOWNERS file when the forge is not known: every location either
/// forge reads, GitHub's order first, then GitLab's `.gitlab/`.
pub const ANY_FORGE_LOCATIONS: &[&str] = &[
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// What kind of principal an owner entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OwnerKind {
    /// `@name`: a user (on GitLab it may also be a top-level group; the file cannot tell).
    User,
    /// `@org/team` on GitHub, `@group/subgroup` on GitLab.
    Team,
    /// An e-mail address.
    Email,
    /// `@@role` (GitLab only): project members with that role.
    Role,
}

/// One owner as written in the file, e.g. `@octo-org/octocats` or `docs@example.com`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OwnerRef {
    /// The owner exactly as written (with its `@` or `@@` prefix).
    pub name: String,
    /// What it names.
    pub kind: OwnerKind,
}

/// An owner of a path, with the rule that made it so (for "why is this assigned to me?").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The owner exactly as written.
    pub name: String,
    /// What it names.
    pub kind: OwnerKind,
    /// 1-based line of the rule that decided the path (also for section default owners).
    pub line: usize,
    /// The GitLab section the rule belongs to; `None` for the unnamed section and for GitHub.
    pub section: Option<String>,
}

/// The rule one section applied to a path (see [`CodeOwners::explain`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionMatch {
    /// Section name (first spelling in the file); `None` for the unnamed section.
    pub section: Option<String>,
    /// Whether approval from this section is optional (`^[Name]`).
    pub optional: bool,
    /// Approvals the section requires (at least 1).
    pub approvals: u32,
    /// 1-based line of the winning rule.
    pub line: usize,
    /// The rule's pattern as written.
    pub pattern: String,
    /// Owners the rule gives (empty: the rule un-assigns the path).
    pub owners: Vec<OwnerRef>,
    /// True when the owners came from the section heading's default owners.
    pub from_section_default: bool,
}

/// A line of the file that was skipped or partly ignored, shown to people who edit it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeOwnersProblem {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One pattern line.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    line: usize,
    pattern: String,
    exclusion: bool,
    owners: Vec<OwnerRef>,
    from_section_default: bool,
    matcher: PathPattern,
}

/// A group of rules (GitLab); GitHub files have exactly one unnamed section.
#[derive(Clone, Debug)]
pub(crate) struct Section {
    name: Option<String>,
    optional: bool,
    approvals: u32,
    rules: Vec<Rule>,
}

/// A parsed CODEOWNERS file.
#[derive(Clone, Debug)]
pub struct CodeOwners {
    syntax: CodeOwnersSyntax,
    sections: Vec<Section>,
    problems: Vec<CodeOwnersProblem>,
}

impl CodeOwners {
    /// Parses `text` under `syntax`. Never fails: lines the forge would skip are skipped and
    /// reported in [`CodeOwners::problems`].
    pub fn parse(text: &str, syntax: CodeOwnersSyntax) -> CodeOwners {
        parse::parse(text, syntax)
    }

    /// The syntax the file was parsed with.
    pub fn syntax(&self) -> CodeOwnersSyntax {
        self.syntax
    }

    /// Lines that were skipped or partly ignored.
    pub fn problems(&self) -> &[CodeOwnersProblem] {
        &self.problems
    }

    /// Number of pattern rules across all sections.
    pub fn rule_count(&self) -> usize {
        self.sections
            .iter()
            .map(|section| section.rules.len())
            .sum()
    }

    /// Section names in file order (`None` is the unnamed section, present only with rules).
    pub fn section_names(&self) -> Vec<Option<String>> {
        self.sections
            .iter()
            .map(|section| section.name.clone())
            .collect()
    }

    /// For each section, the rule that decides `path` (the last match; GitLab exclusions
    /// remove the path from their section). Sections where nothing matches are left out.
    pub fn explain(&self, path: &str) -> Vec<SectionMatch> {
        let parts = pattern::split_path(path);
        self.sections
            .iter()
            .filter_map(|section| {
                if section
                    .rules
                    .iter()
                    .any(|rule| rule.exclusion && rule.matcher.matches_parts(&parts))
                {
                    return None;
                }
                let rule = section
                    .rules
                    .iter()
                    .rev()
                    .find(|rule| !rule.exclusion && rule.matcher.matches_parts(&parts))?;
                Some(SectionMatch {
                    section: section.name.clone(),
                    optional: section.optional,
                    approvals: section.approvals,
                    line: rule.line,
                    pattern: rule.pattern.clone(),
                    owners: rule.owners.clone(),
                    from_section_default: rule.from_section_default,
                })
            })
            .collect()
    }

    /// Everyone who owns `path`: on GitHub the owners of the last matching rule; on GitLab the
    /// union over sections. Each owner appears once (first section wins), in file order.
    pub fn owners_for(&self, path: &str) -> Vec<Owner> {
        let mut owners: Vec<Owner> = Vec::new();
        for matched in self.explain(path) {
            for owner in matched.owners {
                let seen = owners
                    .iter()
                    .any(|existing| existing.name.eq_ignore_ascii_case(&owner.name));
                if !seen {
                    owners.push(Owner {
                        name: owner.name,
                        kind: owner.kind,
                        line: matched.line,
                        section: matched.section.clone(),
                    });
                }
            }
        }
        owners
    }
}
