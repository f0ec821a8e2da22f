//! CODEOWNERS benchmarks: parsing a large file and asking who owns every file of a large
//! repository. `cargo bench -p redress-forge --bench codeowners`; figures in
//! docs/BENCHMARKS.md, section "forge".

use std::sync::OnceLock;

use divan::{Bencher, black_box};
use redress_forge::{CodeOwners, CodeOwnersSyntax};

fn main() {
    divan::main();
}

/// Rules: a default, then a mix of anchored directories, extensions, globstars and files.
fn codeowners_text(rules: usize, gitlab: bool) -> String {
    let mut text = String::from("* @org/platform\n");
    for i in 0..rules {
        if gitlab && i % 50 == 0 {
            text.push_str(&format!(
                "[Section {}][2] @org/section-{}\n",
                i / 50,
                i / 50
            ));
        }
        let line = match i % 5 {
            0 => format!("/modules/module-{i}/ @org/team-{}\n", i % 40),
            1 => format!("*.{i}.tf @user-{i}\n"),
            2 => format!(
                "**/env-{i}/*.tfvars @org/team-{} owner{i}@example.com\n",
                i % 40
            ),
            3 => format!("/live/account-{i}/**/main.tf @user-{i}\n"),
            _ => format!("docs/runbook-{i}.md\n"),
        };
        text.push_str(&line);
    }
    text
}

/// 10,000 paths shaped like a Terraform monorepo.
fn paths() -> &'static [String] {
    static PATHS: OnceLock<Vec<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        (0..10_000)
            .map(|i| match i % 4 {
                0 => format!("modules/module-{}/main.tf", i % 300),
                1 => format!("live/account-{}/eu-west-1/vpc/main.tf", i % 300),
                2 => format!("live/account-{}/env-{}/terraform.tfvars", i % 50, i % 300),
                _ => format!("stacks/stack-{i}/resource.{}.tf", i % 300),
            })
            .collect()
    })
}

const RULES: usize = 300;

#[divan::bench(args = [CodeOwnersSyntax::GitHub, CodeOwnersSyntax::GitLab], sample_count = 20)]
fn parse_300_rules(bencher: Bencher<'_, '_>, syntax: CodeOwnersSyntax) {
    let text = codeowners_text(RULES, syntax == CodeOwnersSyntax::GitLab);
    bencher.bench(|| CodeOwners::parse(black_box(&text), syntax));
}

#[divan::bench(args = [CodeOwnersSyntax::GitHub, CodeOwnersSyntax::GitLab], sample_count = 10)]
fn owners_for_10k_paths_300_rules(bencher: Bencher<'_, '_>, syntax: CodeOwnersSyntax) {
    let owners = CodeOwners::parse(
        &codeowners_text(RULES, syntax == CodeOwnersSyntax::GitLab),
        syntax,
    );
    let paths = paths();
    bencher.bench(|| {
        paths
            .iter()
            .map(|path| owners.owners_for(black_box(path)).len())
            .sum::<usize>()
    });
}
