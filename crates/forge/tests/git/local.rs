//! Opening checkouts, HEAD, tracked files, contained reads and CODEOWNERS lookup.

use redress_forge::{CodeOwnersSyntax, ForgeError, LocalRepo, ReadLimits, ReadSource};

use crate::common::{TestRepo, git};

fn terraform_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("main.tf", "resource \"aws_s3_bucket\" \"logs\" {}\n");
    repo.write(
        "modules/rds/main.tf",
        "resource \"aws_db_instance\" \"db\" {}\n",
    );
    repo.write("dir with space/ünïcode.tf", "# odd name\n");
    repo.commit("first");
    repo
}

#[test]
fn open_resolves_the_top_level_head_and_branch() {
    let repo = terraform_repo();
    let opened = LocalRepo::open(repo.path().join("modules")).expect("opens from a subdirectory");
    let canonical = std::fs::canonicalize(repo.path()).expect("canonical");
    assert_eq!(opened.root(), canonical);
    assert!(!opened.is_bare());
    let head = opened.head().expect("head");
    assert_eq!(head.commit, git(repo.path(), &["rev-parse", "HEAD"]));
    assert_eq!(head.commit.len(), 40);
    assert_eq!(head.branch.as_deref(), Some("main"));

    git(repo.path(), &["checkout", "-q", "--detach"]);
    assert_eq!(opened.head().expect("head").branch, None);
}

#[test]
fn open_refuses_what_is_not_a_checkout() {
    let plain = tempfile::tempdir().expect("tempdir");
    match LocalRepo::open(plain.path()) {
        Err(ForgeError::NotAWorkTree { reason, .. }) => {
            assert!(reason.contains("not a git repository"), "{reason}");
        }
        other => panic!("expected NotAWorkTree, got {other:?}"),
    }
    assert!(matches!(
        LocalRepo::open(plain.path().join("missing")),
        Err(ForgeError::NotADirectory { .. })
    ));
    let file = plain.path().join("file");
    std::fs::write(&file, "x").expect("write");
    assert!(matches!(
        LocalRepo::open(&file),
        Err(ForgeError::NotADirectory { .. })
    ));
    let repo = terraform_repo();
    assert!(matches!(
        LocalRepo::open(repo.path().join(".git")),
        Err(ForgeError::NotAWorkTree { .. })
    ));
    let bare = tempfile::tempdir().expect("tempdir");
    git(bare.path(), &["init", "-q", "--bare"]);
    assert!(matches!(
        LocalRepo::open(bare.path()),
        Err(ForgeError::NotAWorkTree { .. })
    ));
    assert!(LocalRepo::open_bare(bare.path()).is_ok());
    assert!(matches!(
        LocalRepo::open_bare(repo.path()),
        Err(ForgeError::NotAWorkTree { .. })
    ));
}

#[test]
fn an_empty_repository_has_no_head() {
    let repo = TestRepo::new();
    let opened = LocalRepo::open(repo.path()).expect("opens");
    assert!(matches!(opened.head(), Err(ForgeError::NoCommits { .. })));
}

#[test]
fn tracked_files_include_staged_but_not_untracked_files() {
    let repo = terraform_repo();
    repo.write("staged.tf", "x\n");
    git(repo.path(), &["add", "staged.tf"]);
    repo.write("untracked.tf", "y\n");
    let opened = LocalRepo::open(repo.path()).expect("opens");
    assert_eq!(
        opened.tracked_files().expect("ls-files"),
        [
            "dir with space/ünïcode.tf",
            "main.tf",
            "modules/rds/main.tf",
            "staged.tf"
        ]
    );
}

#[test]
fn reads_at_head_at_a_revision_and_from_the_work_tree() {
    let repo = terraform_repo();
    repo.write("main.tf", "# second\n");
    repo.commit("second");
    repo.write("main.tf", "# uncommitted\n");
    let opened = LocalRepo::open(repo.path()).expect("opens");
    let read = |source: ReadSource| opened.read_text("./main.tf", &source).expect("reads");
    assert_eq!(read(ReadSource::Head), "# second\n");
    assert_eq!(read(ReadSource::WorkTree), "# uncommitted\n");
    assert_eq!(
        read(ReadSource::Revision("HEAD~1".to_owned())),
        "resource \"aws_s3_bucket\" \"logs\" {}\n"
    );
    assert_eq!(
        opened
            .read_text("dir with space/ünïcode.tf", &ReadSource::Head)
            .expect("odd name"),
        "# odd name\n"
    );
}

#[test]
fn paths_leaving_the_repository_are_refused() {
    let repo = terraform_repo();
    let opened = LocalRepo::open(repo.path()).expect("opens");
    for source in [ReadSource::Head, ReadSource::WorkTree] {
        for path in [
            "../outside.tf",
            "/etc/passwd",
            ".git/config",
            "modules/../../x",
        ] {
            assert!(
                matches!(
                    opened.read_file(path, &source),
                    Err(ForgeError::InvalidPath { .. })
                ),
                "{path} from {source:?}"
            );
        }
    }
    assert!(matches!(
        opened.read_file(
            "main.tf",
            &ReadSource::Revision("--output=/tmp/x".to_owned())
        ),
        Err(ForgeError::InvalidRevision { .. })
    ));
}

#[test]
fn symbolic_links_are_followed_only_inside_the_repository() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret.tf");
    std::fs::write(&secret, "password = \"hunter2\"\n").expect("write");
    let repo = terraform_repo();
    std::os::unix::fs::symlink(&secret, repo.path().join("absolute_link.tf")).expect("link");
    std::os::unix::fs::symlink(
        "../../../../../../../../../../etc/hostname",
        repo.path().join("climbing_link.tf"),
    )
    .expect("link");
    std::os::unix::fs::symlink("modules/rds/main.tf", repo.path().join("inner_link.tf"))
        .expect("link");
    std::os::unix::fs::symlink(outside.path(), repo.path().join("outside_dir")).expect("link");
    repo.commit("links");
    let opened = LocalRepo::open(repo.path()).expect("opens");
    for source in [ReadSource::Head, ReadSource::WorkTree] {
        for path in ["absolute_link.tf", "climbing_link.tf"] {
            assert!(
                matches!(
                    opened.read_file(path, &source),
                    Err(ForgeError::SymlinkOutsideRoot { .. })
                ),
                "{path} from {source:?}"
            );
        }
        assert_eq!(
            opened
                .read_text("inner_link.tf", &source)
                .expect("inner link"),
            "resource \"aws_db_instance\" \"db\" {}\n"
        );
        let through_dir = opened.read_text("outside_dir/secret.tf", &source);
        assert!(
            through_dir.is_err(),
            "reading through a directory link that leaves the repository must fail ({source:?})"
        );
    }
}

#[test]
fn reads_are_bounded_and_name_what_is_missing() {
    let repo = terraform_repo();
    repo.write("big.tf", &"#".repeat(100));
    repo.commit("big");
    let opened = LocalRepo::open(repo.path())
        .expect("opens")
        .with_limits(ReadLimits { max_file_bytes: 64 });
    for source in [ReadSource::Head, ReadSource::WorkTree] {
        match opened.read_file("big.tf", &source) {
            Err(ForgeError::FileTooLarge {
                size, limit, path, ..
            }) => {
                assert_eq!((size, limit, path.as_str()), (100, 64, "big.tf"));
            }
            other => panic!("expected FileTooLarge from {source:?}, got {other:?}"),
        }
        assert!(matches!(
            opened.read_file("missing.tf", &source),
            Err(ForgeError::NotFound { .. })
        ));
        assert!(matches!(
            opened.read_file("modules/rds", &source),
            Err(ForgeError::NotAFile { .. })
        ));
    }
    assert!(opened.read_file("main.tf", &ReadSource::Head).is_ok());
}

#[test]
fn a_failed_git_command_names_repository_command_and_stderr() {
    let repo = terraform_repo();
    let opened = LocalRepo::open(repo.path()).expect("opens");
    match opened.resolve_commit("no-such-branch") {
        Err(error @ ForgeError::Git { .. }) => {
            let message = error.to_string();
            assert!(message.contains("rev-parse"), "{message}");
            assert!(message.contains("no-such-branch"), "{message}");
            assert!(
                message.contains(&opened.root().display().to_string()),
                "{message}"
            );
            assert!(!message.ends_with('\n'));
        }
        other => panic!("expected a git error, got {other:?}"),
    }
}

#[test]
fn codeowners_are_found_in_each_forges_order() {
    let repo = terraform_repo();
    let opened = LocalRepo::open(repo.path()).expect("opens");
    assert!(opened.find_codeowners(None).expect("lookup").is_none());

    repo.write("CODEOWNERS", "[Infra]\n*.tf @gitlab-infra\n");
    repo.write(".github/CODEOWNERS", "*.tf @github-infra\n");
    repo.write("docs/CODEOWNERS", "*.tf @docs-owner\n");
    repo.commit("owners");

    let (location, github) = opened
        .find_codeowners(Some(CodeOwnersSyntax::GitHub))
        .expect("lookup")
        .expect("found");
    assert_eq!(location, ".github/CODEOWNERS");
    assert_eq!(github.owners_for("main.tf")[0].name, "@github-infra");

    let (location, gitlab) = opened
        .find_codeowners(Some(CodeOwnersSyntax::GitLab))
        .expect("lookup")
        .expect("found");
    assert_eq!(location, "CODEOWNERS");
    assert_eq!(gitlab.syntax(), CodeOwnersSyntax::GitLab);
    let owner = &gitlab.owners_for("modules/rds/main.tf")[0];
    assert_eq!(owner.name, "@gitlab-infra");
    assert_eq!(owner.section.as_deref(), Some("Infra"));

    git(repo.path(), &["rm", "-q", ".github/CODEOWNERS"]);
    repo.commit("drop github owners");
    let (location, detected) = opened
        .find_codeowners(None)
        .expect("lookup")
        .expect("found");
    assert_eq!(location, "CODEOWNERS");
    assert_eq!(detected.syntax(), CodeOwnersSyntax::GitLab);
}
