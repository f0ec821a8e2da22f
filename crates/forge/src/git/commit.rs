//! Branches and patches built from file edits without touching the user's work tree.
//!
//! The commit is assembled with plumbing in a private index file (`GIT_INDEX_FILE` in a
//! temporary directory): `read-tree` the base, `hash-object` each new content, `update-index`,
//! `write-tree`, `commit-tree`, then `update-ref` creates the branch only if it does not exist.
//! The user's checkout, index and current branch are never read or written, and the same code
//! works on bare mirrors.

use serde::{Deserialize, Serialize};

use super::paths::{check_revision, normalize_relative};
use super::repo::LocalRepo;
use crate::{ChangedFile, FileChangeKind, ForgeError};

/// Who a commit is attributed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// What happens to one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EditChange {
    /// The file gets this full content (created if missing; its mode is kept if present).
    Write(String),
    /// The file is removed.
    Delete,
}

/// One file edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEdit {
    /// Repository-relative path, `/`-separated.
    pub path: String,
    /// The change.
    pub change: EditChange,
}

/// A branch created by [`LocalRepo::create_branch`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedBranch {
    /// Short branch name.
    pub branch: String,
    /// The new commit at its tip.
    pub commit: String,
    /// The commit it is based on.
    pub base_commit: String,
    /// What the commit changes relative to the base.
    pub files: Vec<ChangedFile>,
}

impl LocalRepo {
    /// Creates `branch` at a new commit on top of `base` holding `edits`, with `message`.
    ///
    /// Fails with [`ForgeError::BranchExists`] when the branch exists,
    /// [`ForgeError::NothingToCommit`] when the edits leave the tree as it was, and
    /// [`ForgeError::InvalidPath`] for any path outside the repository.
    pub fn create_branch(
        &self,
        branch: &str,
        base: &str,
        message: &str,
        author: &Author,
        edits: &[FileEdit],
    ) -> Result<CreatedBranch, ForgeError> {
        self.check_branch_name(branch)?;
        let reference = format!("refs/heads/{branch}");
        let exists = self
            .git()
            .args(["rev-parse", "-q", "--verify", &reference])
            .output()?;
        if exists.success {
            return Err(ForgeError::BranchExists {
                repo: self.root().to_path_buf(),
                name: branch.to_owned(),
            });
        }
        let base_commit = self.resolve_commit(base)?;
        let tree = self.tree_with_edits(&base_commit, base, edits)?;
        let commit = self
            .git()
            .args(["commit-tree", &tree, "-p", &base_commit])
            .env("GIT_AUTHOR_NAME", &author.name)
            .env("GIT_AUTHOR_EMAIL", &author.email)
            .env("GIT_COMMITTER_NAME", &author.name)
            .env("GIT_COMMITTER_EMAIL", &author.email)
            .stdin(message.as_bytes())
            .run_line()?;
        // An empty old value makes git refuse when the branch appeared in the meantime.
        self.git()
            .args(["update-ref", "-m", "redress: create branch"])
            .args([reference.as_str(), commit.as_str(), ""])
            .run()?;
        let files = self.changed_files(&base_commit, &commit)?;
        Ok(CreatedBranch {
            branch: branch.to_owned(),
            commit,
            base_commit,
            files,
        })
    }

    /// A unified patch from `from` to `to` (commit-ish or tree ids) that applies with
    /// `git apply`. External diff drivers and text conversions are disabled.
    pub fn diff(&self, from: &str, to: &str) -> Result<String, ForgeError> {
        check_revision(self.root(), from)?;
        check_revision(self.root(), to)?;
        let stdout = self
            .git()
            .args([
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--binary",
                "--full-index",
                "--src-prefix=a/",
                "--dst-prefix=b/",
                "--end-of-options",
                from,
                to,
                "--",
            ])
            .run()?;
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    }

    /// The patch `edits` would make on top of `base`, without creating a commit or branch
    /// (only loose blob and tree objects are written, which `git gc` prunes).
    pub fn patch_for_edits(&self, base: &str, edits: &[FileEdit]) -> Result<String, ForgeError> {
        let base_commit = self.resolve_commit(base)?;
        let tree = self.tree_with_edits(&base_commit, base, edits)?;
        self.diff(&base_commit, &tree)
    }

    /// Files that differ between two commits (`git diff-tree --name-status`).
    pub fn changed_files(&self, from: &str, to: &str) -> Result<Vec<ChangedFile>, ForgeError> {
        check_revision(self.root(), from)?;
        check_revision(self.root(), to)?;
        let stdout = self
            .git()
            .args([
                "diff-tree",
                "-r",
                "-z",
                "--no-renames",
                "--name-status",
                from,
                to,
            ])
            .run()?;
        let fields: Vec<String> = stdout
            .split(|byte| *byte == 0)
            .filter(|field| !field.is_empty())
            .map(|field| String::from_utf8_lossy(field).into_owned())
            .collect();
        let mut files = Vec::new();
        for pair in fields.chunks(2) {
            let [status, path] = pair else {
                return Err(ForgeError::UnexpectedOutput {
                    repo: self.root().to_path_buf(),
                    command: format!("diff-tree --name-status {from} {to}"),
                    detail: "odd number of fields".to_owned(),
                });
            };
            let change = match status.as_str() {
                "A" => FileChangeKind::Added,
                "D" => FileChangeKind::Deleted,
                _ => FileChangeKind::Modified,
            };
            files.push(ChangedFile {
                path: path.clone(),
                change,
            });
        }
        Ok(files)
    }

    fn check_branch_name(&self, branch: &str) -> Result<(), ForgeError> {
        let invalid = || ForgeError::InvalidBranchName {
            repo: self.root().to_path_buf(),
            name: branch.chars().take(200).collect(),
        };
        if branch.is_empty() || branch.starts_with('-') || branch.len() > 200 {
            return Err(invalid());
        }
        let check = self
            .git()
            .args(["check-ref-format", "--branch", branch])
            .output()?;
        if check.success {
            Ok(())
        } else {
            Err(invalid())
        }
    }

    /// Writes a tree equal to `base_commit`'s with `edits` applied, in a private index.
    fn tree_with_edits(
        &self,
        base_commit: &str,
        base_name: &str,
        edits: &[FileEdit],
    ) -> Result<String, ForgeError> {
        let scratch = tempfile::Builder::new()
            .prefix("redress-index-")
            .tempdir()
            .map_err(|source| ForgeError::Io {
                path: std::env::temp_dir(),
                source,
            })?;
        let index = scratch.path().join("index");
        self.git()
            .env("GIT_INDEX_FILE", &index)
            .args(["read-tree", base_commit])
            .run()?;
        for edit in edits {
            let path = normalize_relative(self.root(), &edit.path)?;
            let existing = self.tree_entry(base_commit, &path)?;
            match &edit.change {
                EditChange::Write(content) => {
                    let mode = match &existing {
                        None => "100644".to_owned(),
                        Some(entry) if entry.mode == "100644" || entry.mode == "100755" => {
                            entry.mode.clone()
                        }
                        Some(entry) => {
                            return Err(ForgeError::NotAFile {
                                repo: self.root().to_path_buf(),
                                path,
                                kind: format!("{} (mode {})", entry.kind, entry.mode),
                            });
                        }
                    };
                    let blob = self
                        .git()
                        .args(["hash-object", "-w", "--no-filters", "--stdin"])
                        .stdin(content.as_bytes())
                        .run_line()?;
                    self.git()
                        .env("GIT_INDEX_FILE", &index)
                        .args(["update-index", "--add", "--cacheinfo"])
                        .arg(format!("{mode},{blob},{path}"))
                        .run()?;
                }
                EditChange::Delete => {
                    if existing.is_none() {
                        return Err(ForgeError::NotFound {
                            repo: self.root().to_path_buf(),
                            path,
                            revision: base_name.to_owned(),
                        });
                    }
                    self.git()
                        .env("GIT_INDEX_FILE", &index)
                        .args(["update-index", "--force-remove", "--", &path])
                        .run()?;
                }
            }
        }
        let tree = self
            .git()
            .env("GIT_INDEX_FILE", &index)
            .arg("write-tree")
            .run_line()?;
        let base_tree = self
            .git()
            .args(["rev-parse", "--verify"])
            .arg(format!("{base_commit}^{{tree}}"))
            .run_line()?;
        if tree == base_tree {
            return Err(ForgeError::NothingToCommit {
                repo: self.root().to_path_buf(),
                base: base_name.to_owned(),
            });
        }
        Ok(tree)
    }
}
