//! Branches and patches from edits, without touching the user's checkout.

use redress_forge::{
    Author, ChangedFile, EditChange, FileChangeKind, FileEdit, ForgeError, LocalRepo, ReadSource,
};

use std::os::unix::fs::PermissionsExt;

use crate::common::{TestRepo, git};

fn author() -> Author {
    Author {
        name: "Redress Bot".to_owned(),
        email: "redress@example.com".to_owned(),
    }
}

fn write(path: &str, content: &str) -> FileEdit {
    FileEdit {
        path: path.to_owned(),
        change: EditChange::Write(content.to_owned()),
    }
}

fn delete(path: &str) -> FileEdit {
    FileEdit {
        path: path.to_owned(),
        change: EditChange::Delete,
    }
}

const BUCKET: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
const BUCKET_FIXED: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n\nresource \"aws_s3_bucket_public_access_block\" \"logs\" {\n  bucket = aws_s3_bucket.logs.id\n}\n";

fn fixture() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("main.tf", BUCKET);
    repo.write("old.tf", "# to delete\n");
    let script = repo.write("scripts/plan.sh", "#!/bin/sh\nterraform plan\n");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    repo.commit("base");
    repo
}

fn snapshot(repo: &TestRepo) -> (String, String, String, String, String) {
    (
        git(repo.path(), &["rev-parse", "HEAD"]),
        git(repo.path(), &["symbolic-ref", "HEAD"]),
        git(repo.path(), &["status", "--porcelain=v1", "-uall"]),
        git(repo.path(), &["diff"]),
        git(repo.path(), &["diff", "--cached"]),
    )
}

#[test]
fn a_branch_is_created_without_touching_head_index_or_work_tree() {
    let repo = fixture();
    // The user is mid-work: an unstaged edit, a staged file and an untracked file.
    repo.write("main.tf", "# user is editing\n");
    repo.write("staged.tf", "# staged\n");
    git(repo.path(), &["add", "staged.tf"]);
    repo.write("scratch.txt", "untracked\n");
    let before = snapshot(&repo);

    let opened = LocalRepo::open(repo.path()).expect("opens");
    let base = opened.head().expect("head").commit;
    let created = opened
        .create_branch(
            "redress/fix-s3-public-access",
            "main",
            "Block public access on the logs bucket\n\nCloses 2 findings.",
            &author(),
            &[
                write("main.tf", BUCKET_FIXED),
                write("modules/new/versions.tf", "terraform {}\n"),
                delete("old.tf"),
            ],
        )
        .expect("branch created");

    assert_eq!(
        snapshot(&repo),
        before,
        "the user's checkout must not change"
    );
    assert_eq!(created.base_commit, base);
    assert_eq!(
        git(repo.path(), &["rev-parse", "redress/fix-s3-public-access"]),
        created.commit
    );
    assert_eq!(
        git(repo.path(), &["rev-parse", &format!("{}^", created.commit)]),
        base
    );
    assert_eq!(
        git(
            repo.path(),
            &["log", "-1", "--format=%an <%ae>|%cn|%s", &created.commit]
        ),
        "Redress Bot <redress@example.com>|Redress Bot|Block public access on the logs bucket"
    );
    assert_eq!(
        created.files,
        [
            ChangedFile {
                path: "main.tf".to_owned(),
                change: FileChangeKind::Modified
            },
            ChangedFile {
                path: "modules/new/versions.tf".to_owned(),
                change: FileChangeKind::Added
            },
            ChangedFile {
                path: "old.tf".to_owned(),
                change: FileChangeKind::Deleted
            },
        ]
    );
    let fixed = opened
        .read_text(
            "main.tf",
            &ReadSource::Revision("redress/fix-s3-public-access".to_owned()),
        )
        .expect("read from branch");
    assert_eq!(fixed, BUCKET_FIXED);
}

#[test]
fn an_executable_file_keeps_its_mode() {
    let repo = fixture();
    let opened = LocalRepo::open(repo.path()).expect("opens");
    let created = opened
        .create_branch(
            "keep-mode",
            "HEAD",
            "edit script",
            &author(),
            &[write(
                "scripts/plan.sh",
                "#!/bin/sh\nterraform plan -lock=false\n",
            )],
        )
        .expect("created");
    let entry = git(
        repo.path(),
        &["ls-tree", &created.commit, "--", "scripts/plan.sh"],
    );
    assert!(entry.starts_with("100755 "), "{entry}");
}

#[test]
fn refusals_leave_no_branch_behind() {
    let repo = fixture();
    let opened = LocalRepo::open(repo.path()).expect("opens");
    let edit = [write("main.tf", BUCKET_FIXED)];
    assert!(matches!(
        opened.create_branch("main", "main", "m", &author(), &edit),
        Err(ForgeError::BranchExists { .. })
    ));
    for bad in ["-x", "a..b", "has space", "ends.lock", ""] {
        assert!(
            matches!(
                opened.create_branch(bad, "main", "m", &author(), &edit),
                Err(ForgeError::InvalidBranchName { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        opened.create_branch(
            "escape",
            "main",
            "m",
            &author(),
            &[write("../evil.tf", "x")]
        ),
        Err(ForgeError::InvalidPath { .. })
    ));
    assert!(matches!(
        opened.create_branch(
            "hooks",
            "main",
            "m",
            &author(),
            &[write(".git/hooks/pre-commit", "x")]
        ),
        Err(ForgeError::InvalidPath { .. })
    ));
    assert!(matches!(
        opened.create_branch("same", "main", "m", &author(), &[write("main.tf", BUCKET)]),
        Err(ForgeError::NothingToCommit { .. })
    ));
    assert!(matches!(
        opened.create_branch("nothing", "main", "m", &author(), &[]),
        Err(ForgeError::NothingToCommit { .. })
    ));
    assert!(matches!(
        opened.create_branch("gone", "main", "m", &author(), &[delete("never.tf")]),
        Err(ForgeError::NotFound { .. })
    ));
    assert!(matches!(
        opened.create_branch("dir", "main", "m", &author(), &[write("scripts", "x")]),
        Err(ForgeError::NotAFile { .. })
    ));
    let branches = git(repo.path(), &["branch", "--format=%(refname:short)"]);
    assert_eq!(branches, "main");
}

/// Applies `patch` with `git apply` in a fresh clone of `repo` at `base`.
fn apply_in_clone(repo: &TestRepo, base: &str, patch: &str) -> tempfile::TempDir {
    let clone = tempfile::tempdir().expect("tempdir");
    git(
        clone.path(),
        &["clone", "-q", &repo.path().display().to_string(), "."],
    );
    git(clone.path(), &["checkout", "-q", base]);
    let patch_file = clone.path().join("fix.patch");
    std::fs::write(&patch_file, patch).expect("write patch");
    git(clone.path(), &["apply", "--check", "fix.patch"]);
    git(clone.path(), &["apply", "fix.patch"]);
    std::fs::remove_file(&patch_file).expect("remove patch");
    clone
}

#[test]
fn the_branch_diff_applies_with_git_apply() {
    let repo = fixture();
    let opened = LocalRepo::open(repo.path()).expect("opens");
    let created = opened
        .create_branch(
            "fix",
            "main",
            "fix",
            &author(),
            &[write("main.tf", BUCKET_FIXED), delete("old.tf")],
        )
        .expect("created");
    let patch = opened
        .diff(&created.base_commit, &created.commit)
        .expect("diff");
    assert!(
        patch.starts_with("diff --git a/main.tf b/main.tf\n"),
        "{patch}"
    );
    assert!(patch.contains("+resource \"aws_s3_bucket_public_access_block\" \"logs\" {\n"));
    assert!(patch.contains("deleted file mode 100644"));
    let clone = apply_in_clone(&repo, &created.base_commit, &patch);
    assert_eq!(
        std::fs::read_to_string(clone.path().join("main.tf")).expect("read"),
        BUCKET_FIXED
    );
    assert!(!clone.path().join("old.tf").exists());
}

#[test]
fn a_patch_for_edits_needs_no_branch_and_applies() {
    let repo = fixture();
    let before = snapshot(&repo);
    let opened = LocalRepo::open(repo.path()).expect("opens");
    let base = opened.head().expect("head").commit;
    let patch = opened
        .patch_for_edits(
            "main",
            &[write("main.tf", BUCKET_FIXED), write("new.tf", "# new\n")],
        )
        .expect("patch");
    assert_eq!(snapshot(&repo), before);
    assert_eq!(
        git(repo.path(), &["branch", "--format=%(refname:short)"]),
        "main"
    );
    assert!(patch.contains("new file mode 100644"), "{patch}");
    let clone = apply_in_clone(&repo, &base, &patch);
    assert_eq!(
        std::fs::read_to_string(clone.path().join("new.tf")).expect("read"),
        "# new\n"
    );
}

#[test]
fn branches_can_be_created_in_a_bare_repository() {
    let repo = fixture();
    let bare = tempfile::tempdir().expect("tempdir");
    git(
        bare.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &repo.path().display().to_string(),
            ".",
        ],
    );
    let opened = LocalRepo::open_bare(bare.path()).expect("opens bare");
    let created = opened
        .create_branch(
            "fix",
            "main",
            "fix",
            &author(),
            &[write("main.tf", BUCKET_FIXED)],
        )
        .expect("created");
    assert_eq!(
        opened
            .read_text("main.tf", &ReadSource::Revision("fix".to_owned()))
            .expect("read"),
        BUCKET_FIXED
    );
    assert_eq!(created.files.len(), 1);
    assert!(matches!(
        opened.read_file("main.tf", &ReadSource::WorkTree),
        Err(ForgeError::NotAWorkTree { .. })
    ));
}
