//! The repository as policies see it: the `.tf` files with their syntax trees, the local module
//! calls that connect directories, the resource instances (count/for_each aware) and the data
//! flow from variables, locals and module inputs to the attributes that use them.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::error::PolicyError;
use crate::syntax::{self, Body, LineIndex, ValKind};

/// Files larger than this are not read (nothing from a repository is trusted).
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// At most this many `.tf` files are read.
pub const MAX_FILES: usize = 20_000;
const MAX_MODULE_DEPTH: usize = 16;

/// One `.tf` file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// Directory part of `path` (`""` for the root).
    pub dir: String,
    /// The text.
    pub text: String,
    /// The syntax tree (empty when the file does not parse).
    pub body: Body,
    /// Line lookups.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Parses a file; a syntax error leaves an empty body and is returned beside it.
    pub fn new(path: String, text: String) -> (Self, Option<FileError>) {
        let dir = path
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string());
        let lines = LineIndex::new(&text);
        let (body, error) = match syntax::parse(&text) {
            Ok(body) => (body, None),
            Err(e) => (
                Body::default(),
                Some(FileError {
                    file: path.clone(),
                    line: e.line,
                    message: e.message,
                }),
            ),
        };
        (
            Self {
                path,
                dir,
                text,
                body,
                lines,
            },
            error,
        )
    }

    /// True for `terraform.tfvars` and `*.auto.tfvars` (variable values, no blocks).
    pub fn is_tfvars(&self) -> bool {
        self.path.ends_with(".tfvars")
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, byte: usize) -> usize {
        self.lines.line(byte)
    }
}

/// A file that could not be parsed; the rest of the repository is still scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// Relative path.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The parser's message.
    pub message: String,
}

/// A call of a local module (`source = "./modules/x"`).
#[derive(Debug, Clone)]
pub(crate) struct ModuleCall {
    pub name: String,
    pub file: usize,
    pub block: usize,
    pub target_dir: String,
}

/// A module call chain from a root directory down to the directory being evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    pub dir: String,
    /// Indexes into `Repo::calls`, outermost first.
    pub chain: Vec<usize>,
}

/// All `.tf` files of a repository.
#[derive(Debug, Clone, Default)]
pub struct Repo {
    pub(crate) files: Vec<SourceFile>,
    pub(crate) errors: Vec<FileError>,
    pub(crate) calls: Vec<ModuleCall>,
    /// True when a `required_providers` pins the AWS provider below v4 (no split S3 resources).
    pub(crate) aws_below_v4: bool,
    /// Values of `var.*` computed by the interpreter, per module scope (shared by clones of
    /// the same content; a changed repository is built anew).
    pub(crate) var_cache: crate::interp::VarCache,
}

impl Repo {
    /// Reads every `.tf` file under `root` (skipping `.terraform` and `.git`, never following
    /// symbolic links, with size and count limits).
    pub fn load(root: &Path) -> Result<Self, PolicyError> {
        let mut paths = Vec::new();
        walk(root, root, &mut paths)?;
        paths.sort();
        let mut sources = Vec::with_capacity(paths.len());
        for (rel, abs) in paths {
            let text = std::fs::read_to_string(&abs).map_err(|e| PolicyError::Io {
                path: abs.display().to_string(),
                source: e,
            })?;
            sources.push((rel, text));
        }
        Ok(Self::from_sources(sources))
    }

    /// Builds a repository from `(relative path, text)` pairs.
    pub fn from_sources(sources: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut repo = Repo::default();
        for (path, text) in sources {
            let (file, error) = SourceFile::new(path, text);
            repo.files.push(file);
            repo.errors.extend(error);
        }
        repo.link_modules();
        repo.aws_below_v4 = repo.files.iter().any(|f| pins_aws_below_v4(&f.body));
        repo
    }

    /// A copy with one file's text replaced (or added).
    pub fn with_file(&self, path: &str, text: String) -> Self {
        let mut sources: Vec<(String, String)> = self
            .files
            .iter()
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect();
        match sources.iter_mut().find(|(p, _)| p == path) {
            Some(slot) => slot.1 = text,
            None => sources.push((path.to_string(), text)),
        }
        Self::from_sources(sources)
    }

    /// The files.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The file with this relative path.
    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Files that did not parse.
    pub fn errors(&self) -> &[FileError] {
        &self.errors
    }

    #[cfg(test)]
    pub(crate) fn file_index(&self, path: &str) -> Option<usize> {
        self.files.iter().position(|f| f.path == path)
    }

    fn link_modules(&mut self) {
        let mut calls = Vec::new();
        for (fi, file) in self.files.iter().enumerate() {
            for (bi, block) in file.body.blocks.iter().enumerate() {
                if block.ident != "module" {
                    continue;
                }
                let Some(name) = block.labels.first() else {
                    continue;
                };
                let Some(ValKind::Str(source)) = block.body.attr("source").map(|a| &a.value.kind)
                else {
                    continue;
                };
                if !(source.starts_with("./") || source.starts_with("../")) {
                    continue;
                }
                if let Some(target_dir) = join_inside(&file.dir, source) {
                    calls.push(ModuleCall {
                        name: name.clone(),
                        file: fi,
                        block: bi,
                        target_dir,
                    });
                }
            }
        }
        self.calls = calls;
    }

    /// Every module call chain that reaches each directory; root directories get one empty chain.
    pub(crate) fn scopes(&self) -> Vec<Scope> {
        let dirs: BTreeSet<&str> = self.files.iter().map(|f| f.dir.as_str()).collect();
        let called: BTreeSet<&str> = self.calls.iter().map(|c| c.target_dir.as_str()).collect();
        let mut out = Vec::new();
        let mut stack: Vec<Scope> = dirs
            .iter()
            .filter(|d| !called.contains(*d))
            .map(|d| Scope {
                dir: (*d).to_string(),
                chain: Vec::new(),
            })
            .collect();
        while let Some(scope) = stack.pop() {
            if scope.chain.len() < MAX_MODULE_DEPTH {
                for (ci, call) in self.calls.iter().enumerate() {
                    if self.files[call.file].dir == scope.dir && !scope.chain.contains(&ci) {
                        let mut chain = scope.chain.clone();
                        chain.push(ci);
                        stack.push(Scope {
                            dir: call.target_dir.clone(),
                            chain,
                        });
                    }
                }
            }
            out.push(scope);
        }
        out.sort_by(|a, b| (&a.dir, &a.chain).cmp(&(&b.dir, &b.chain)));
        out
    }

    /// `module.a.module.b.` for a scope.
    pub(crate) fn address_prefix(&self, scope: &Scope) -> String {
        scope
            .chain
            .iter()
            .map(|c| format!("module.{}.", self.calls[*c].name))
            .collect()
    }

    pub(crate) fn files_in(&self, dir: &str) -> impl Iterator<Item = (usize, &SourceFile)> + '_ {
        let dir = dir.to_string();
        self.files
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.dir == dir)
    }
}

/// Whether a `terraform { required_providers { aws = { version = "~> 3.0" } } }` pins the
/// AWS provider to a major version below 4.
fn pins_aws_below_v4(body: &Body) -> bool {
    body.blocks_named("terraform")
        .flat_map(|t| t.body.blocks_named("required_providers"))
        .any(|rp| {
            let Some(aws) = rp.body.attr("aws") else {
                return false;
            };
            let constraint = match &aws.value.kind {
                ValKind::Object(_) => match aws.value.item("version").map(|i| &i.value.kind) {
                    Some(ValKind::Str(v)) => v.clone(),
                    _ => return false,
                },
                ValKind::Str(v) => v.clone(),
                _ => return false,
            };
            let c = constraint.trim();
            let major: Option<u32> = c
                .trim_start_matches(|ch: char| !ch.is_ascii_digit())
                .split(|ch: char| !ch.is_ascii_digit())
                .next()
                .and_then(|d| d.parse().ok());
            match major {
                Some(n) if c.starts_with('<') => n <= 4,
                Some(n)
                    if c.starts_with("~>")
                        || c.starts_with('=')
                        || c.starts_with(|ch: char| ch.is_ascii_digit()) =>
                {
                    n < 4
                }
                _ => false,
            }
        })
}

/// Joins a relative module source onto a directory, refusing anything that leaves the root.
fn join_inside(dir: &str, source: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), PolicyError> {
    let io = |e: std::io::Error| PolicyError::Io {
        path: dir.display().to_string(),
        source: e,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let ft = entry.file_type().map_err(io)?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if ft.is_symlink() {
            continue;
        }
        if ft.is_dir() {
            if name == ".terraform" || name == ".git" {
                continue;
            }
            walk(root, &path, out)?;
        } else if ft.is_file()
            && (name.ends_with(".tf")
                || name == "terraform.tfvars"
                || name.ends_with(".auto.tfvars"))
        {
            if out.len() >= MAX_FILES {
                return Err(PolicyError::Path {
                    path: root.display().to_string(),
                    message: format!("more than {MAX_FILES} .tf files"),
                });
            }
            let len = entry.metadata().map_err(io)?.len();
            if len > MAX_FILE_BYTES {
                continue;
            }
            out.push((relative(root, &path)?, path));
        }
    }
    Ok(())
}

/// The `/`-separated path of `path` under `root`.
pub(crate) fn relative(root: &Path, path: &Path) -> Result<String, PolicyError> {
    let rel = path.strip_prefix(root).map_err(|_| PolicyError::Path {
        path: path.display().to_string(),
        message: format!("not under {}", root.display()),
    })?;
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            _ => {
                return Err(PolicyError::Path {
                    path: path.display().to_string(),
                    message: "not a plain relative path".into(),
                });
            }
        }
    }
    Ok(parts.join("/"))
}

/// Checks that a caller-given relative path stays inside the repository root.
pub fn safe_relative(path: &str) -> Result<String, PolicyError> {
    let p = Path::new(path);
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(x) => parts.push(x.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => {
                return Err(PolicyError::Path {
                    path: path.to_string(),
                    message: "must be relative and stay inside the repository".into(),
                });
            }
        }
    }
    if parts.is_empty() {
        return Err(PolicyError::Path {
            path: path.to_string(),
            message: "empty path".into(),
        });
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_provider_pins_below_v4_are_recognised() {
        let pinned = |v: &str| {
            let text = format!(
                "terraform {{\n  required_providers {{\n    aws = {{\n      source  = \"hashicorp/aws\"\n      version = \"{v}\"\n    }}\n  }}\n}}\n"
            );
            Repo::from_sources([("versions.tf".to_string(), text)]).aws_below_v4
        };
        assert!(pinned("~> 3.0"));
        assert!(pinned("3.74.0"));
        assert!(pinned("< 4.0"));
        assert!(!pinned("~> 4.2"));
        assert!(!pinned(">= 3.0"));
        assert!(
            !Repo::from_sources([("m.tf".to_string(), "resource \"a\" \"b\" {}\n".to_string())])
                .aws_below_v4
        );
    }

    #[test]
    fn module_sources_cannot_leave_the_root() {
        assert_eq!(join_inside("", "../x"), None);
        assert_eq!(join_inside("a/b", "../c"), Some("a/c".to_string()));
        assert!(safe_relative("../etc/passwd").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert_eq!(safe_relative("./a/b.tf").expect("ok"), "a/b.tf");
    }
}
