//! GitHub CODEOWNERS semantics, checked against the rules of the example file on GitHub's
//! "About code owners" page (docs.github.com, "Example of a CODEOWNERS file"). The patterns
//! and owners are the page's; the comments here are ours.

use redress_forge::{CodeOwners, CodeOwnersSyntax, OwnerKind};

/// The rules of GitHub's example file, in its order (comment text shortened).
const GITHUB_EXAMPLE: &str = "\
# Default owners for everything.
*       @global-owner1 @global-owner2

# Last match wins: JS files go to @js-owner only.
*.js    @js-owner #This is an inline comment.

# E-mail addresses work too.
*.go docs@example.com

# Teams as @org/team-name.
*.txt @octo-org/octocats

# Anchored directory and everything below it.
/build/logs/ @doctocat

# Direct children of docs/ only.
docs/* docs@example.com

# An apps directory anywhere.
apps/ @octocat

# The root docs directory and everything below.
/docs/ @doctocat

# Both may approve scripts.
/scripts/ @doctocat @octocat

# Any logs directory at any depth.
**/logs @octocat

# /apps is @octocat's except /apps/github, which has no owner.
/apps/ @octocat
/apps/github

# Again: /apps/github gets its own owner.
/apps/ @octocat
/apps/github @doctocat
";

fn names(owners: &CodeOwners, path: &str) -> Vec<String> {
    owners
        .owners_for(path)
        .into_iter()
        .map(|owner| owner.name)
        .collect()
}

fn example() -> CodeOwners {
    CodeOwners::parse(GITHUB_EXAMPLE, CodeOwnersSyntax::GitHub)
}

#[test]
fn the_example_parses_without_problems() {
    let owners = example();
    assert!(owners.problems().is_empty(), "{:?}", owners.problems());
    assert_eq!(owners.rule_count(), 14);
}

#[test]
fn default_owners_cover_unmatched_files() {
    let owners = example();
    assert_eq!(
        names(&owners, "main.tf"),
        ["@global-owner1", "@global-owner2"]
    );
    assert_eq!(
        names(&owners, "modules/rds/main.tf"),
        ["@global-owner1", "@global-owner2"]
    );
}

#[test]
fn last_match_wins_and_inline_comments_are_dropped() {
    let owners = example();
    assert_eq!(names(&owners, "web/app.js"), ["@js-owner"]);
    let js = owners.owners_for("app.js");
    assert_eq!(js.len(), 1);
    assert_eq!(js[0].line, 5, "the *.js rule is on line 5");
    assert_eq!(js[0].kind, OwnerKind::User);
    assert_eq!(js[0].section, None);
}

#[test]
fn emails_and_teams() {
    let owners = example();
    let go = owners.owners_for("cmd/tool/main.go");
    assert_eq!(go.len(), 1);
    assert_eq!(go[0].name, "docs@example.com");
    assert_eq!(go[0].kind, OwnerKind::Email);
    let txt = owners.owners_for("notes/todo.txt");
    assert_eq!(txt[0].name, "@octo-org/octocats");
    assert_eq!(txt[0].kind, OwnerKind::Team);
}

#[test]
fn anchored_directory_with_trailing_slash_covers_all_depths() {
    let owners = example();
    assert_eq!(names(&owners, "build/logs/today.log"), ["@octocat"]);
    // `**/logs` (later) also matches build/logs, so it wins; a file that only the anchored
    // rule covers shows @doctocat.
    let only_anchored = CodeOwners::parse("/build/logs/ @doctocat", CodeOwnersSyntax::GitHub);
    assert_eq!(
        names(&only_anchored, "build/logs/deep/er/x.log"),
        ["@doctocat"]
    );
    assert!(names(&only_anchored, "other/build/logs/x.log").is_empty());
}

#[test]
fn docs_star_matches_direct_children_only() {
    let only = CodeOwners::parse("docs/* docs@example.com", CodeOwnersSyntax::GitHub);
    assert_eq!(
        names(&only, "docs/getting-started.md"),
        ["docs@example.com"]
    );
    assert!(names(&only, "docs/build-app/troubleshooting.md").is_empty());
}

#[test]
fn unanchored_directory_matches_anywhere() {
    let only = CodeOwners::parse("apps/ @octocat", CodeOwnersSyntax::GitHub);
    assert_eq!(names(&only, "apps/web/index.ts"), ["@octocat"]);
    assert_eq!(names(&only, "services/apps/x.tf"), ["@octocat"]);
}

#[test]
fn root_docs_and_scripts_directories() {
    let owners = example();
    assert_eq!(
        names(&owners, "docs/build-app/troubleshooting.md"),
        ["@doctocat"]
    );
    assert_eq!(
        names(&owners, "scripts/deploy.sh"),
        ["@doctocat", "@octocat"]
    );
}

#[test]
fn double_star_logs_at_any_depth() {
    let owners = example();
    for path in [
        "build/logs/a.log",
        "scripts/logs/b.log",
        "deeply/nested/logs/c.log",
    ] {
        assert_eq!(names(&owners, path), ["@octocat"], "{path}");
    }
}

#[test]
fn a_rule_without_owners_unassigns_and_a_later_rule_reassigns() {
    let unassigned = CodeOwners::parse("/apps/ @octocat\n/apps/github\n", CodeOwnersSyntax::GitHub);
    assert_eq!(names(&unassigned, "apps/web/x.rb"), ["@octocat"]);
    assert!(names(&unassigned, "apps/github/x.rb").is_empty());
    let explained = unassigned.explain("apps/github/x.rb");
    assert_eq!(explained.len(), 1);
    assert_eq!(explained[0].line, 2);
    assert!(explained[0].owners.is_empty());

    let owners = example();
    assert_eq!(names(&owners, "apps/github/hooks.rb"), ["@doctocat"]);
    assert_eq!(owners.owners_for("apps/github/hooks.rb")[0].line, 37);
}

#[test]
fn unsupported_syntax_skips_the_line_and_reports_it() {
    let text = "* @default\n!*.md @nobody\n*.[ch] @c-team\n*.tf not-an-owner\n*.tf @tf-team\n";
    let owners = CodeOwners::parse(text, CodeOwnersSyntax::GitHub);
    let lines: Vec<usize> = owners.problems().iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 3, 4]);
    assert_eq!(names(&owners, "README.md"), ["@default"]);
    assert_eq!(names(&owners, "x.c"), ["@default"]);
    assert_eq!(names(&owners, "main.tf"), ["@tf-team"]);
    assert_eq!(owners.rule_count(), 2);
}

#[test]
fn matching_is_case_sensitive_and_leading_slash_in_query_is_ignored() {
    let owners = CodeOwners::parse("/Modules/ @upper\n", CodeOwnersSyntax::GitHub);
    assert!(names(&owners, "modules/x.tf").is_empty());
    assert_eq!(names(&owners, "/Modules/x.tf"), ["@upper"]);
}

#[test]
fn locations_follow_each_forges_documented_order() {
    assert_eq!(
        CodeOwnersSyntax::GitHub.locations(),
        [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]
    );
    assert_eq!(
        CodeOwnersSyntax::GitLab.locations(),
        ["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"]
    );
}

#[test]
fn syntax_detection() {
    assert_eq!(
        CodeOwnersSyntax::detect(".github/CODEOWNERS", "[Docs]\n*.md @x"),
        CodeOwnersSyntax::GitHub
    );
    assert_eq!(
        CodeOwnersSyntax::detect(".gitlab/CODEOWNERS", "* @x"),
        CodeOwnersSyntax::GitLab
    );
    assert_eq!(
        CodeOwnersSyntax::detect("CODEOWNERS", "* @x\n^[Go]\n*.go @y"),
        CodeOwnersSyntax::GitLab
    );
    assert_eq!(
        CodeOwnersSyntax::detect("CODEOWNERS", "* @x\n*.go @y"),
        CodeOwnersSyntax::GitHub
    );
}

#[test]
fn dot_segments_in_the_queried_path_are_ignored() {
    let owners = CodeOwners::parse("/modules/ @infra\n", CodeOwnersSyntax::GitHub);
    assert_eq!(names(&owners, "./modules//rds/main.tf"), ["@infra"]);
}
