//! Line-by-line parser for CODEOWNERS files.

use super::pattern::PathPattern;
use super::{CodeOwners, CodeOwnersProblem, CodeOwnersSyntax, OwnerKind, OwnerRef, Rule, Section};

/// A GitLab section heading: `^[Name][2] @default @owners`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct SectionHeading<'a> {
    pub(super) name: &'a str,
    pub(super) optional: bool,
    pub(super) approvals: u32,
    pub(super) default_owners: &'a str,
}

/// Recognises a section heading in a trimmed line; `None` when the line is an entry.
pub(super) fn parse_section_heading(line: &str) -> Option<SectionHeading<'_>> {
    let (optional, rest) = match line.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    let name = rest[..close].trim();
    if name.is_empty() {
        return None;
    }
    let mut rest = &rest[close + 1..];
    let mut approvals = 1;
    if let Some(after) = rest.strip_prefix('[') {
        let close = after.find(']')?;
        // GitLab: "Valid entries for `n` are integers ≥ 1 … Invalid values for `n` are
        // treated as `1`."
        approvals = after[..close]
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .unwrap_or(1);
        rest = &after[close + 1..];
    }
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(SectionHeading {
        name,
        optional,
        approvals,
        default_owners: rest.trim(),
    })
}

/// A whitespace-separated piece of a line, with backslash escapes removed.
struct Token {
    text: String,
    /// Starts with an unescaped `#` (an inline comment on GitHub).
    comment: bool,
}

fn tokenize(line: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut started = false;
    let mut comment = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                current.push(escaped);
            } else {
                current.push('\\');
            }
            started = true;
        } else if c.is_whitespace() {
            if started {
                tokens.push(Token {
                    text: std::mem::take(&mut current),
                    comment,
                });
                started = false;
                comment = false;
            }
        } else {
            if !started && c == '#' {
                comment = true;
            }
            current.push(c);
            started = true;
        }
    }
    if started {
        tokens.push(Token {
            text: current,
            comment,
        });
    }
    tokens
}

/// Classifies an owner token; `None` when it is not a valid owner for `syntax`.
fn parse_owner(token: &str, syntax: CodeOwnersSyntax) -> Option<OwnerRef> {
    let name_ok = |name: &str| {
        !name.is_empty()
            && !name.starts_with('/')
            && !name.ends_with('/')
            && !name.contains("//")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    if let Some(role) = token.strip_prefix("@@") {
        return (syntax == CodeOwnersSyntax::GitLab && name_ok(role) && !role.contains('/')).then(
            || OwnerRef {
                name: token.to_owned(),
                kind: OwnerKind::Role,
            },
        );
    }
    if let Some(name) = token.strip_prefix('@') {
        if !name_ok(name) {
            return None;
        }
        let kind = if name.contains('/') {
            OwnerKind::Team
        } else {
            OwnerKind::User
        };
        return Some(OwnerRef {
            name: token.to_owned(),
            kind,
        });
    }
    let (local, domain) = token.split_once('@')?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@');
    (!local.is_empty() && domain_ok && !token.contains('/')).then(|| OwnerRef {
        name: token.to_owned(),
        kind: OwnerKind::Email,
    })
}

struct Parser {
    syntax: CodeOwnersSyntax,
    sections: Vec<Section>,
    /// Index into `sections` of the section rules currently go to.
    current: usize,
    /// Default owners of the heading that opened the current run of rules.
    defaults: Vec<OwnerRef>,
    problems: Vec<CodeOwnersProblem>,
}

impl Parser {
    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(CodeOwnersProblem { line, message });
    }

    fn heading(&mut self, line: usize, heading: &SectionHeading<'_>) {
        let mut defaults = Vec::new();
        let mut malformed = Vec::new();
        for token in tokenize(heading.default_owners) {
            match parse_owner(&token.text, self.syntax) {
                Some(owner) => defaults.push(owner),
                None => malformed.push(token.text),
            }
        }
        if !malformed.is_empty() {
            self.problem(
                line,
                format!("ignored malformed default owners: {}", malformed.join(" ")),
            );
        }
        // GitLab: "Section names are not case-sensitive. Sections with duplicate names are
        // combined", "using the case of the first section"; a section duplicated as optional
        // and required is required.
        let existing = self.sections.iter().position(|section| {
            section
                .name
                .as_deref()
                .is_some_and(|name| name.to_lowercase() == heading.name.to_lowercase())
        });
        self.current = match existing {
            Some(index) => {
                let section = &mut self.sections[index];
                section.optional &= heading.optional;
                section.approvals = section.approvals.max(heading.approvals);
                index
            }
            None => {
                self.sections.push(Section {
                    name: Some(heading.name.to_owned()),
                    optional: heading.optional,
                    approvals: heading.approvals,
                    rules: Vec::new(),
                });
                self.sections.len() - 1
            }
        };
        self.defaults = defaults;
    }

    fn entry(&mut self, line: usize, text: &str) {
        let mut tokens = tokenize(text).into_iter();
        let Some(pattern_token) = tokens.next() else {
            return;
        };
        let mut pattern = pattern_token.text;
        let mut exclusion = false;
        if let Some(rest) = pattern.strip_prefix('!') {
            if self.syntax == CodeOwnersSyntax::GitHub {
                self.problem(
                    line,
                    "line skipped: GitHub does not support `!` negation".to_owned(),
                );
                return;
            }
            exclusion = true;
            pattern = rest.to_owned();
        }
        if self.syntax == CodeOwnersSyntax::GitHub && pattern.contains('[') {
            self.problem(
                line,
                "line skipped: GitHub does not support `[ ]` character ranges".to_owned(),
            );
            return;
        }
        if pattern.is_empty() {
            self.problem(line, "line skipped: empty pattern".to_owned());
            return;
        }
        let mut owners = Vec::new();
        let mut malformed = Vec::new();
        for token in tokens {
            if token.comment && self.syntax == CodeOwnersSyntax::GitHub {
                break;
            }
            match parse_owner(&token.text, self.syntax) {
                Some(owner) => owners.push(owner),
                None => malformed.push(token.text),
            }
        }
        if !malformed.is_empty() {
            match self.syntax {
                CodeOwnersSyntax::GitHub => {
                    // GitHub: "If any line in your CODEOWNERS file contains invalid syntax,
                    // that line will be skipped."
                    self.problem(
                        line,
                        format!("line skipped: invalid owners {}", malformed.join(" ")),
                    );
                    return;
                }
                CodeOwnersSyntax::GitLab => self.problem(
                    line,
                    format!("ignored malformed owners: {}", malformed.join(" ")),
                ),
            }
        }
        let mut from_section_default = false;
        if owners.is_empty() && !exclusion && !self.defaults.is_empty() {
            owners = self.defaults.clone();
            from_section_default = true;
        }
        if exclusion {
            owners.clear();
        }
        let matcher = PathPattern::compile(&pattern, self.syntax);
        self.sections[self.current].rules.push(Rule {
            line,
            pattern,
            exclusion,
            owners,
            from_section_default,
            matcher,
        });
    }
}

pub(super) fn parse(text: &str, syntax: CodeOwnersSyntax) -> CodeOwners {
    let mut parser = Parser {
        syntax,
        sections: vec![Section {
            name: None,
            optional: false,
            approvals: 1,
            rules: Vec::new(),
        }],
        current: 0,
        defaults: Vec::new(),
        problems: Vec::new(),
    };
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if syntax == CodeOwnersSyntax::GitLab
            && let Some(heading) = parse_section_heading(trimmed)
        {
            parser.heading(line, &heading);
            continue;
        }
        parser.entry(line, trimmed);
    }
    let mut sections = parser.sections;
    if sections
        .first()
        .is_some_and(|section| section.rules.is_empty())
    {
        sections.remove(0);
    }
    CodeOwners {
        syntax,
        sections,
        problems: parser.problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_headings_from_the_gitlab_reference() {
        let plain = parse_section_heading("[Section name]");
        assert_eq!(
            plain,
            Some(SectionHeading {
                name: "Section name",
                optional: false,
                approvals: 1,
                default_owners: "",
            })
        );
        let optional = parse_section_heading("^[Section name]");
        assert!(optional.is_some_and(|heading| heading.optional));
        let five = parse_section_heading("[Section name][5]");
        assert_eq!(five.map(|heading| heading.approvals), Some(5));
        let full = parse_section_heading("[Section name][2] @group @subgroup");
        assert_eq!(
            full.map(|heading| (heading.approvals, heading.default_owners)),
            Some((2, "@group @subgroup"))
        );
        let zero = parse_section_heading("[Section][0]");
        assert_eq!(zero.map(|heading| heading.approvals), Some(1));
        assert_eq!(parse_section_heading("[Section name"), None);
        assert_eq!(parse_section_heading("[]"), None);
        assert_eq!(parse_section_heading("[abc].md @x"), None);
    }

    #[test]
    fn tokens_honour_backslash_escapes() {
        let tokens = tokenize(r"path\ with\ spaces/*.md @owner #comment");
        let texts: Vec<&str> = tokens.iter().map(|token| token.text.as_str()).collect();
        assert_eq!(texts, ["path with spaces/*.md", "@owner", "#comment"]);
        assert!(tokens[2].comment);
        assert!(!tokenize(r"\#file_with_pound.rb")[0].comment);
        assert_eq!(
            tokenize(r"\#file_with_pound.rb")[0].text,
            "#file_with_pound.rb"
        );
    }

    #[test]
    fn owner_kinds() {
        let kind = |token: &str, syntax| parse_owner(token, syntax).map(|owner| owner.kind);
        assert_eq!(
            kind("@octocat", CodeOwnersSyntax::GitHub),
            Some(OwnerKind::User)
        );
        assert_eq!(
            kind("@octo-org/octocats", CodeOwnersSyntax::GitHub),
            Some(OwnerKind::Team)
        );
        assert_eq!(
            kind("docs@example.com", CodeOwnersSyntax::GitHub),
            Some(OwnerKind::Email)
        );
        assert_eq!(
            kind("@@maintainer", CodeOwnersSyntax::GitLab),
            Some(OwnerKind::Role)
        );
        assert_eq!(kind("@@maintainer", CodeOwnersSyntax::GitHub), None);
        assert_eq!(
            kind("user_without_at_symbol", CodeOwnersSyntax::GitLab),
            None
        );
        assert_eq!(kind("@", CodeOwnersSyntax::GitHub), None);
        assert_eq!(kind("@bad/", CodeOwnersSyntax::GitHub), None);
        assert_eq!(kind("x@nodot", CodeOwnersSyntax::GitHub), None);
    }
}
