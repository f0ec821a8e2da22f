//! A local repository: validation, HEAD, tracked files and bounded, contained file reads.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::command::Git;
use super::paths::{check_revision, normalize_relative, resolve_link_target};
use crate::{CodeOwners, CodeOwnersSyntax, ForgeError, codeowners::ANY_FORGE_LOCATIONS};

/// Most symbolic links followed while reading one file at a revision.
const MAX_LINK_HOPS: usize = 8;
/// Largest symbolic-link blob accepted (its target path).
const MAX_LINK_BYTES: u64 = 4_096;

/// Bounds on what this crate reads from a repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest file returned by [`LocalRepo::read_file`], in bytes.
    pub max_file_bytes: u64,
}

impl Default for ReadLimits {
    /// 4 MiB: far above any hand-written Terraform file.
    fn default() -> Self {
        ReadLimits {
            max_file_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Where [`LocalRepo::read_file`] reads from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadSource {
    /// The commit HEAD points to.
    Head,
    /// Any commit-ish: a branch, tag or commit id.
    Revision(String),
    /// The checkout on disk, including uncommitted edits (not for bare repositories).
    WorkTree,
}

/// The commit and branch a repository is on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeadInfo {
    /// Full commit id HEAD resolves to.
    pub commit: String,
    /// Short branch name, or `None` when HEAD is detached.
    pub branch: Option<String>,
}

/// A validated local git repository: a user's checkout, or a bare mirror from
/// [`crate::MirrorCache`].
#[derive(Clone, Debug)]
pub struct LocalRepo {
    root: PathBuf,
    bare: bool,
    limits: ReadLimits,
}

/// One entry of `git ls-tree`.
pub(crate) struct TreeEntry {
    pub(crate) mode: String,
    pub(crate) kind: String,
    pub(crate) oid: String,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ForgeError + '_ {
    move |source| ForgeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl LocalRepo {
    /// Opens a checkout: `path` must be a directory inside a git work tree. The repository
    /// root becomes the work tree's top level.
    pub fn open(path: impl AsRef<Path>) -> Result<LocalRepo, ForgeError> {
        let path = path.as_ref();
        let canonical = Self::canonical_dir(path)?;
        let not_work_tree = |reason: String| ForgeError::NotAWorkTree {
            repo: path.to_path_buf(),
            reason,
        };
        let probe = Git::new(&canonical)
            .args(["rev-parse", "--is-inside-work-tree"])
            .output()?;
        if !probe.success {
            return Err(not_work_tree(probe.stderr));
        }
        if String::from_utf8_lossy(&probe.stdout).trim() != "true" {
            return Err(not_work_tree(
                "inside a .git directory or a bare repository".to_owned(),
            ));
        }
        let top = Git::new(&canonical)
            .args(["rev-parse", "--show-toplevel"])
            .run_line()?;
        let root = Self::canonical_dir(Path::new(&top))?;
        Ok(LocalRepo {
            root,
            bare: false,
            limits: ReadLimits::default(),
        })
    }

    /// Opens a bare repository (a mirror): `path` must be its git directory.
    pub fn open_bare(path: impl AsRef<Path>) -> Result<LocalRepo, ForgeError> {
        let path = path.as_ref();
        let canonical = Self::canonical_dir(path)?;
        let probe = Git::new(&canonical)
            .args(["rev-parse", "--is-bare-repository"])
            .output()?;
        if !probe.success || String::from_utf8_lossy(&probe.stdout).trim() != "true" {
            return Err(ForgeError::NotAWorkTree {
                repo: path.to_path_buf(),
                reason: if probe.success {
                    "not a bare repository".to_owned()
                } else {
                    probe.stderr
                },
            });
        }
        Ok(LocalRepo {
            root: canonical,
            bare: true,
            limits: ReadLimits::default(),
        })
    }

    fn canonical_dir(path: &Path) -> Result<PathBuf, ForgeError> {
        let canonical = std::fs::canonicalize(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ForgeError::NotADirectory {
                    repo: path.to_path_buf(),
                }
            } else {
                io_error(path)(source)
            }
        })?;
        if !canonical.is_dir() {
            return Err(ForgeError::NotADirectory {
                repo: path.to_path_buf(),
            });
        }
        Ok(canonical)
    }

    /// The same repository with other read bounds.
    pub fn with_limits(mut self, limits: ReadLimits) -> LocalRepo {
        self.limits = limits;
        self
    }

    /// The repository root (work tree top level, or the git directory of a bare repository).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether this is a bare repository (no work tree).
    pub fn is_bare(&self) -> bool {
        self.bare
    }

    pub(crate) fn git(&self) -> Git<'_> {
        Git::new(&self.root)
    }

    /// The commit HEAD resolves to and the branch it is on.
    pub fn head(&self) -> Result<HeadInfo, ForgeError> {
        let commit = self
            .git()
            .args(["rev-parse", "-q", "--verify", "HEAD^{commit}"])
            .output()?;
        if !commit.success {
            return Err(ForgeError::NoCommits {
                repo: self.root.clone(),
            });
        }
        let branch = self
            .git()
            .args(["symbolic-ref", "-q", "--short", "HEAD"])
            .output()?;
        Ok(HeadInfo {
            commit: String::from_utf8_lossy(&commit.stdout).trim().to_owned(),
            branch: branch
                .success
                .then(|| String::from_utf8_lossy(&branch.stdout).trim().to_owned()),
        })
    }

    /// Resolves a commit-ish (branch, tag, id, `HEAD~1`) to a full commit id.
    pub fn resolve_commit(&self, revision: &str) -> Result<String, ForgeError> {
        check_revision(&self.root, revision)?;
        let spec = format!("{revision}^{{commit}}");
        self.git()
            .args(["rev-parse", "--verify", "--end-of-options"])
            .arg(&spec)
            .run_line()
    }

    /// Files in the index (`git ls-files -z`), or at HEAD for a bare repository. Paths are
    /// `/`-separated and sorted; names that are not UTF-8 are left out.
    pub fn tracked_files(&self) -> Result<Vec<String>, ForgeError> {
        let stdout = if self.bare {
            let head = self.head()?;
            self.git()
                .args(["ls-tree", "-r", "-z", "--name-only", "--full-tree"])
                .arg(&head.commit)
                .run()?
        } else {
            self.git().args(["ls-files", "-z", "--full-name"]).run()?
        };
        let mut files: Vec<String> = stdout
            .split(|byte| *byte == 0)
            .filter(|name| !name.is_empty())
            .filter_map(|name| String::from_utf8(name.to_vec()).ok())
            .collect();
        files.sort();
        files.dedup();
        Ok(files)
    }

    /// Reads one file, refusing paths outside the repository, symbolic links that leave it,
    /// non-regular files and files over [`ReadLimits::max_file_bytes`].
    pub fn read_file(&self, path: &str, source: &ReadSource) -> Result<Vec<u8>, ForgeError> {
        let relative = normalize_relative(&self.root, path)?;
        match source {
            ReadSource::WorkTree => self.read_work_tree(&relative),
            ReadSource::Head => {
                let commit = self.head()?.commit;
                self.read_at_commit(&commit, relative)
            }
            ReadSource::Revision(revision) => {
                let commit = self.resolve_commit(revision)?;
                self.read_at_commit(&commit, relative)
            }
        }
    }

    /// Like [`LocalRepo::read_file`], decoding UTF-8 (invalid bytes become U+FFFD).
    pub fn read_text(&self, path: &str, source: &ReadSource) -> Result<String, ForgeError> {
        let bytes = self.read_file(path, source)?;
        Ok(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        })
    }

    /// The `ls-tree` entry for `path` at `commit`, if any.
    pub(crate) fn tree_entry(
        &self,
        commit: &str,
        path: &str,
    ) -> Result<Option<TreeEntry>, ForgeError> {
        let stdout = self
            .git()
            .args(["ls-tree", "-z", "--full-tree", commit, "--", path])
            .run()?;
        let Some(record) = stdout.split(|byte| *byte == 0).find(|r| !r.is_empty()) else {
            return Ok(None);
        };
        let record = String::from_utf8_lossy(record);
        let (meta, _name) = record.split_once('\t').unwrap_or((&record, ""));
        let mut fields = meta.split(' ');
        match (fields.next(), fields.next(), fields.next()) {
            (Some(mode), Some(kind), Some(oid)) => Ok(Some(TreeEntry {
                mode: mode.to_owned(),
                kind: kind.to_owned(),
                oid: oid.to_owned(),
            })),
            _ => Err(ForgeError::UnexpectedOutput {
                repo: self.root.clone(),
                command: format!("ls-tree {commit} -- {path}"),
                detail: format!("unparsable entry {record:?}"),
            }),
        }
    }

    fn blob_size(&self, oid: &str, path: &str) -> Result<u64, ForgeError> {
        let line = self.git().args(["cat-file", "-s", oid]).run_line()?;
        line.parse().map_err(|_| ForgeError::UnexpectedOutput {
            repo: self.root.clone(),
            command: format!("cat-file -s {oid}"),
            detail: format!("size {line:?} of {path:?} is not a number"),
        })
    }

    fn read_at_commit(&self, commit: &str, mut relative: String) -> Result<Vec<u8>, ForgeError> {
        let link_path = relative.clone();
        for _hop in 0..=MAX_LINK_HOPS {
            let entry =
                self.tree_entry(commit, &relative)?
                    .ok_or_else(|| ForgeError::NotFound {
                        repo: self.root.clone(),
                        path: relative.clone(),
                        revision: commit.to_owned(),
                    })?;
            let not_a_file = |kind: &str| ForgeError::NotAFile {
                repo: self.root.clone(),
                path: relative.clone(),
                kind: kind.to_owned(),
            };
            match (entry.mode.as_str(), entry.kind.as_str()) {
                ("120000", _) => {
                    if self.blob_size(&entry.oid, &relative)? > MAX_LINK_BYTES {
                        return Err(not_a_file("symbolic link with an oversized target"));
                    }
                    let target = self.git().args(["cat-file", "blob", &entry.oid]).run()?;
                    let target = String::from_utf8_lossy(&target).into_owned();
                    relative = resolve_link_target(&relative, &target)
                        .and_then(|resolved| normalize_relative(&self.root, &resolved).ok())
                        .ok_or_else(|| ForgeError::SymlinkOutsideRoot {
                            repo: self.root.clone(),
                            path: relative.clone(),
                        })?;
                }
                (_, "tree") => return Err(not_a_file("directory")),
                (_, "commit") => return Err(not_a_file("submodule")),
                (_, "blob") => {
                    let size = self.blob_size(&entry.oid, &relative)?;
                    if size > self.limits.max_file_bytes {
                        return Err(ForgeError::FileTooLarge {
                            repo: self.root.clone(),
                            path: relative,
                            size,
                            limit: self.limits.max_file_bytes,
                        });
                    }
                    return self.git().args(["cat-file", "blob", &entry.oid]).run();
                }
                (_, other) => return Err(not_a_file(other)),
            }
        }
        Err(ForgeError::SymlinkOutsideRoot {
            repo: self.root.clone(),
            path: link_path,
        })
    }

    fn read_work_tree(&self, relative: &str) -> Result<Vec<u8>, ForgeError> {
        if self.bare {
            return Err(ForgeError::NotAWorkTree {
                repo: self.root.clone(),
                reason: "a bare repository has no work tree to read".to_owned(),
            });
        }
        let full = self.root.join(relative);
        let canonical = std::fs::canonicalize(&full).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ForgeError::NotFound {
                    repo: self.root.clone(),
                    path: relative.to_owned(),
                    revision: "work tree".to_owned(),
                }
            } else {
                io_error(&full)(source)
            }
        })?;
        let inside = canonical.strip_prefix(&self.root).ok().filter(|inner| {
            !inner
                .components()
                .any(|part| part.as_os_str().eq_ignore_ascii_case(".git"))
        });
        if inside.is_none() {
            return Err(ForgeError::SymlinkOutsideRoot {
                repo: self.root.clone(),
                path: relative.to_owned(),
            });
        }
        let metadata = std::fs::metadata(&canonical).map_err(io_error(&full))?;
        if !metadata.is_file() {
            return Err(ForgeError::NotAFile {
                repo: self.root.clone(),
                path: relative.to_owned(),
                kind: if metadata.is_dir() {
                    "directory"
                } else {
                    "special file"
                }
                .to_owned(),
            });
        }
        let limit = self.limits.max_file_bytes;
        let too_large = |size| ForgeError::FileTooLarge {
            repo: self.root.clone(),
            path: relative.to_owned(),
            size,
            limit,
        };
        if metadata.len() > limit {
            return Err(too_large(metadata.len()));
        }
        let file = std::fs::File::open(&canonical).map_err(io_error(&full))?;
        let mut bytes = Vec::new();
        // The file may grow between the size check and the read: read one byte past the bound.
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io_error(&full))?;
        if bytes.len() as u64 > limit {
            return Err(too_large(bytes.len() as u64));
        }
        Ok(bytes)
    }

    /// Finds and parses the CODEOWNERS file at HEAD.
    ///
    /// With a syntax, looks in that forge's locations in its documented order; without one
    /// (a plain local checkout), looks in [`ANY_FORGE_LOCATIONS`] and detects the syntax with
    /// [`CodeOwnersSyntax::detect`]. Returns the location used and the parsed file, or `None`
    /// when there is none.
    pub fn find_codeowners(
        &self,
        syntax: Option<CodeOwnersSyntax>,
    ) -> Result<Option<(String, CodeOwners)>, ForgeError> {
        let commit = self.head()?.commit;
        let locations = syntax.map_or(ANY_FORGE_LOCATIONS, CodeOwnersSyntax::locations);
        for location in locations {
            match self.read_at_commit(&commit, (*location).to_owned()) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let syntax =
                        syntax.unwrap_or_else(|| CodeOwnersSyntax::detect(location, &text));
                    return Ok(Some((
                        (*location).to_owned(),
                        CodeOwners::parse(&text, syntax),
                    )));
                }
                Err(ForgeError::NotFound { .. } | ForgeError::NotAFile { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(None)
    }
}
