//! GitLab CODEOWNERS semantics, checked against the examples on GitLab's "Syntax of
//! CODEOWNERS file" (docs.gitlab.com/user/project/codeowners/reference) and "Advanced
//! CODEOWNERS configuration" (…/codeowners/advanced) pages.

use redress_forge::{CodeOwners, CodeOwnersSyntax, OwnerKind};

fn parse(text: &str) -> CodeOwners {
    CodeOwners::parse(text, CodeOwnersSyntax::GitLab)
}

fn names(owners: &CodeOwners, path: &str) -> Vec<String> {
    owners
        .owners_for(path)
        .into_iter()
        .map(|owner| owner.name)
        .collect()
}

/// Reference page, "Sections": every section contributes, one rule per section.
#[test]
fn each_section_contributes_its_last_matching_rule() {
    let owners = parse(
        "* @admin\n\n[README Owners]\nREADME.md @user1 @user2\ninternal/README.md @user4\n\n[README other owners]\nREADME.md @user3\n",
    );
    assert_eq!(
        names(&owners, "README.md"),
        ["@admin", "@user1", "@user2", "@user3"]
    );
    assert_eq!(
        names(&owners, "internal/README.md"),
        ["@admin", "@user4", "@user3"]
    );
    let internal = owners.owners_for("internal/README.md");
    assert_eq!(internal[1].section.as_deref(), Some("README Owners"));
    assert_eq!(internal[1].line, 5);
    assert_eq!(internal[0].section, None);
    assert_eq!(
        owners.section_names(),
        [
            None,
            Some("README Owners".to_owned()),
            Some("README other owners".to_owned())
        ]
    );
}

/// Reference page, "Set default Code Owner for a section".
#[test]
fn section_default_owners_apply_unless_the_line_names_owners() {
    let owners = parse(
        "[Documentation] @docs-team\ndocs/\nREADME.md\n\n[Database] @database-team @agarcia\nmodel/db/\nconfig/db/database-setup.md @docs-team\n",
    );
    assert_eq!(names(&owners, "docs/guide/intro.md"), ["@docs-team"]);
    assert_eq!(names(&owners, "README.md"), ["@docs-team"]);
    assert_eq!(
        names(&owners, "model/db/schema.sql"),
        ["@database-team", "@agarcia"]
    );
    assert_eq!(
        names(&owners, "config/db/database-setup.md"),
        ["@docs-team"]
    );
    let explained = owners.explain("model/db/schema.sql");
    assert_eq!(explained.len(), 1);
    assert!(explained[0].from_section_default);
    assert_eq!(explained[0].line, 6);
    assert!(owners.problems().is_empty(), "{:?}", owners.problems());
}

/// Advanced page, "Regular entries and sections": model/db/CHANGELOG.txt needs three groups.
#[test]
fn entries_outside_sections_are_never_overridden() {
    let owners = parse(
        "# Required for all files\n* @general-approvers\n\n[Documentation] @docs-team\ndocs/\nREADME.md\n*.txt\n\n[Database] @database-team\nmodel/db/\nconfig/db/database-setup.md @docs-team\n",
    );
    assert_eq!(
        names(&owners, "model/db/CHANGELOG.txt"),
        ["@general-approvers", "@docs-team", "@database-team"]
    );
    assert_eq!(names(&owners, "src/main.rs"), ["@general-approvers"]);
}

/// Reference page, section headings; advanced page, default owners with optional sections.
#[test]
fn optional_sections_and_approval_counts() {
    let owners = parse(
        "[Documentation][2] @docs-team\ndocs/\nREADME.md\n\n^[Database] @database-team\nmodel/db/\nconfig/db/database-setup.md @docs-team\n",
    );
    let docs = owners.explain("docs/a.md");
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].approvals, 2);
    assert!(!docs[0].optional);
    let db = owners.explain("model/db/x.sql");
    assert_eq!(db[0].section.as_deref(), Some("Database"));
    assert!(db[0].optional);
    assert_eq!(db[0].approvals, 1);
}

/// Advanced page: "Invalid values for `n` are treated as `1`"; `0` requires one approval.
#[test]
fn invalid_approval_counts_become_one() {
    let owners = parse("[Zero][0] @a\n*.tf\n");
    assert_eq!(owners.explain("main.tf")[0].approvals, 1);
}

/// Advanced page, "Sections with duplicate names": combined, case-insensitive, first case.
#[test]
fn duplicate_sections_are_combined() {
    let owners = parse(
        "[Documentation]\nee/docs/    @docs\ndocs/       @docs\n\n[Database]\nREADME.md  @database\nmodel/db/   @database\n\n[DOCUMENTATION]\nREADME.md  @docs\n",
    );
    assert_eq!(
        owners.section_names(),
        [
            Some("Documentation".to_owned()),
            Some("Database".to_owned())
        ]
    );
    assert_eq!(owners.rule_count(), 5);
    let readme = owners.explain("README.md");
    assert_eq!(readme.len(), 2);
    assert_eq!(readme[0].section.as_deref(), Some("Documentation"));
    assert_eq!(readme[0].line, 10);
}

/// Reference page: a duplicated section that is optional once and required once is required.
#[test]
fn a_section_required_anywhere_is_required() {
    let owners = parse("^[Go]\n*.go @a\n[go]\nvendor/ @b\n");
    assert!(!owners.explain("x.go")[0].optional);
}

/// Reference page, "Path matching" and the examples list.
#[test]
fn path_forms_from_the_reference_examples() {
    let owners = parse(
        "* @default-owner\nREADME.md @doc-team @tech-lead\n*.rb @ruby-owner\nLICENSE @legal janedoe@gitlab.com\nREADME @group @group/with-nested/subgroup\n/docs/ @all-docs\n/docs/* @root-docs\n/docs/**/*.md @markdown-docs  # Match specific file types in any subdirectory\n/db/**/index.md @index-docs   # Match a specific file name in any subdirectory\n/config/ @@maintainer\n",
    );
    assert_eq!(names(&owners, "lib/x.py"), ["@default-owner"]);
    assert_eq!(
        names(&owners, "app/lib/README.md"),
        ["@doc-team", "@tech-lead"]
    );
    assert_eq!(names(&owners, "app/models/user.rb"), ["@ruby-owner"]);
    let license = owners.owners_for("LICENSE");
    assert_eq!(license[1].kind, OwnerKind::Email);
    let readme = owners.owners_for("README");
    assert_eq!(readme[1].kind, OwnerKind::Team);
    assert_eq!(names(&owners, "docs/api/deep/x.png"), ["@all-docs"]);
    assert_eq!(names(&owners, "docs/x.png"), ["@root-docs"]);
    assert_eq!(names(&owners, "docs/api/x.md"), ["@markdown-docs"]);
    assert_eq!(names(&owners, "db/a/b/index.md"), ["@index-docs"]);
    let config = owners.owners_for("config/app.yml");
    assert_eq!(config[0].name, "@@maintainer");
    assert_eq!(config[0].kind, OwnerKind::Role);
    // GitLab has no inline comments: `#` and the words after it are malformed owners, ignored
    // and reported.
    let lines: Vec<usize> = owners.problems().iter().map(|p| p.line).collect();
    assert_eq!(lines, [8, 9]);
}

/// Reference page, "Relative paths": no leading slash means any depth.
#[test]
fn relative_paths_match_at_any_depth() {
    let owners = parse("internal/README.md @x\n/README.md @root\n");
    for path in [
        "internal/README.md",
        "docs/internal/README.md",
        "docs/api/internal/README.md",
    ] {
        assert_eq!(names(&owners, path), ["@x"], "{path}");
    }
    assert_eq!(names(&owners, "README.md"), ["@root"]);
    assert!(names(&owners, "docs/README.md").is_empty());
}

/// Reference page, "Exclusion patterns".
#[test]
fn exclusions_apply_within_their_section_and_cannot_be_undone() {
    let owners = parse(
        "* @username\n!pom.xml\n\n[Ruby]\n*.rb @ruby-team\n!/config/**/*.rb\n/config/routes.rb @ops\n",
    );
    assert!(names(&owners, "pom.xml").is_empty());
    assert_eq!(names(&owners, "lib/a.rb"), ["@username", "@ruby-team"]);
    assert_eq!(names(&owners, "config/routes.rb"), ["@username"]);
    assert_eq!(names(&owners, "config/deep/x.rb"), ["@username"]);
    let order = parse("* @default-owner\n!*.rb\n/special/*.rb @ruby-owner\n");
    assert!(names(&order, "special/x.rb").is_empty());
}

/// Advanced page, "Entries with spaces" and the `\#` escape.
#[test]
fn escaped_spaces_and_pound_signs() {
    let owners = parse("path\\ with\\ spaces/*.md @owner\n\\#file_with_pound.rb @pound\n");
    assert_eq!(names(&owners, "path with spaces/a.md"), ["@owner"]);
    assert_eq!(names(&owners, "#file_with_pound.rb"), ["@pound"]);
}

/// Advanced page, "Unparsable sections": the heading becomes an entry of the current section.
#[test]
fn an_unparsable_heading_becomes_an_entry() {
    let owners = parse("[Docs]\ndocs/**/* @group\n\n[Section name\ndocs/ @docs_group\n");
    assert_eq!(owners.section_names(), [Some("Docs".to_owned())]);
    assert_eq!(owners.rule_count(), 3);
    assert_eq!(names(&owners, "docs/a.md"), ["@docs_group"]);
    assert!(owners.problems().iter().any(|p| p.line == 4));
}

/// Advanced page, "Malformed owners": ignored, the valid owners remain.
#[test]
fn malformed_owners_are_ignored() {
    let owners = parse("/path/* @group user_without_at_symbol @user_with_at_symbol\n");
    assert_eq!(names(&owners, "path/x"), ["@group", "@user_with_at_symbol"]);
    assert_eq!(owners.problems().len(), 1);
    assert!(
        owners.problems()[0]
            .message
            .contains("user_without_at_symbol")
    );
}

/// Advanced page, "Define Code Owners for specific files or directories": last match wins.
#[test]
fn later_rule_wins_inside_a_section() {
    let owners = parse("*.md @doc-team\nterms.md @legal-team\n");
    assert_eq!(names(&owners, "terms.md"), ["@legal-team"]);
}

#[test]
fn an_owner_named_by_two_sections_is_listed_once() {
    let owners = parse("* @Alice\n[Infra]\n*.tf @alice @bob\n");
    let found = owners.owners_for("main.tf");
    let found: Vec<(&str, Option<&str>)> = found
        .iter()
        .map(|owner| (owner.name.as_str(), owner.section.as_deref()))
        .collect();
    assert_eq!(found, [("@Alice", None), ("@bob", Some("Infra"))]);
}
