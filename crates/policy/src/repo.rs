//! The repository as policies see it: redress-iac's index of the `.tf` / `.tfvars` files, its
//! resolved modules, and one evaluation cache. There is no second parser here: blocks,
//! attributes, expressions with their spans, module instances, `count` / `for_each` and the
//! data flow through variables, locals and module inputs all come from `redress_iac`.

use std::path::{Component, Path};
use std::sync::OnceLock;

use redress_iac::{EvalCache, Evaluator, Index, IndexCache, Modules};
use serde::Serialize;

use crate::error::PolicyError;

/// Files larger than this are not read (nothing from a repository is trusted).
pub const MAX_FILE_BYTES: u64 = redress_iac::MAX_FILE_BYTES;
/// At most this many files are read.
pub const MAX_FILES: usize = 20_000;

/// One file's text, as read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// The text.
    pub text: String,
}

/// A syntax error in a file; the rest of the repository (and the rest of the file, as far as
/// the parser recovered) is still scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// Relative path.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The parser's message.
    pub message: String,
}

/// All Terraform files of a repository, indexed.
#[derive(Debug, Clone, Default)]
pub struct Repo {
    index: Index,
    modules: Modules,
    /// Copies of the texts for [`Repo::files`] / [`Repo::file`], made on first use (the
    /// policies read the index).
    files: OnceLock<Vec<SourceFile>>,
    errors: Vec<FileError>,
    /// True when a `required_providers` pins the AWS provider below v4 (no split S3 resources).
    pub(crate) aws_below_v4: bool,
    /// Computed `var.*` / `local.*` values, shared by evaluations of this (unchanged) content.
    cache: EvalCache,
}

impl Repo {
    /// Indexes every `.tf` / `.tfvars` file under `root` (hidden directories such as
    /// `.terraform` and `.git` are skipped, symbolic links are never followed, files over
    /// [`MAX_FILE_BYTES`] are skipped).
    pub fn load(root: &Path) -> Result<Self, PolicyError> {
        Self::load_with(root, &mut IndexCache::new())
    }

    /// Like [`Repo::load`], re-parsing only the files whose content changed since `cache` last
    /// indexed this root (for a server that scans the same checkout again).
    pub fn load_with(root: &Path, cache: &mut IndexCache) -> Result<Self, PolicyError> {
        let index = cache.index(root)?;
        if index.len() > MAX_FILES {
            return Err(PolicyError::Path {
                path: root.display().to_string(),
                message: format!("more than {MAX_FILES} Terraform files"),
            });
        }
        Ok(Self::from_index(index))
    }

    /// Builds a repository from `(relative path, text)` pairs (`*.tfvars` paths are variable
    /// files, everything else configuration).
    pub fn from_sources(sources: impl IntoIterator<Item = (String, String)>) -> Self {
        match Index::from_sources(sources) {
            Ok(index) => Self::from_index(index),
            Err(e) => Self {
                errors: vec![FileError {
                    file: String::new(),
                    line: 0,
                    message: e.to_string(),
                }],
                ..Self::default()
            },
        }
    }

    /// Wraps an index that is already built.
    pub fn from_index(index: Index) -> Self {
        let modules = Modules::resolve(&index);
        let errors = index
            .parse_errors()
            .map(|e| FileError {
                file: e.file.clone(),
                line: e.line as usize,
                message: e.message.clone(),
            })
            .collect();
        let aws_below_v4 = index.files().any(pins_aws_below_v4);
        Self {
            index,
            modules,
            files: OnceLock::new(),
            errors,
            aws_below_v4,
            cache: EvalCache::new(),
        }
    }

    /// A copy with one file's text replaced (or added); only that file is parsed again.
    pub fn with_file(&self, path: &str, text: String) -> Self {
        match self.index.with_file(path, text.clone()) {
            Ok(index) => Self::from_index(index),
            Err(_) => {
                let mut sources: Vec<(String, String)> = self
                    .index
                    .files()
                    .filter(|f| f.path != path)
                    .map(|f| (f.path.clone(), f.content.clone()))
                    .collect();
                sources.push((path.to_string(), text));
                Self::from_sources(sources)
            }
        }
    }

    /// The files, sorted by path.
    pub fn files(&self) -> &[SourceFile] {
        self.files.get_or_init(|| {
            self.index
                .files()
                .map(|f| SourceFile {
                    path: f.path.clone(),
                    text: f.content.clone(),
                })
                .collect()
        })
    }

    /// The file with this relative path.
    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        let files = self.files();
        files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &files[i])
    }

    /// Syntax errors (the files are still scanned as far as the parser recovered).
    pub fn errors(&self) -> &[FileError] {
        &self.errors
    }

    /// The index the policies read.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The resolved modules.
    pub fn modules(&self) -> &Modules {
        &self.modules
    }

    /// An evaluator over this repository, sharing the repository's cache.
    pub(crate) fn evaluator(&self) -> Evaluator<'_> {
        Evaluator::new(&self.index, &self.modules).with_cache(self.cache.clone())
    }

    /// The text of an indexed file (`""` when unknown).
    pub(crate) fn text(&self, path: &str) -> &str {
        self.index.file(path).map_or("", |f| f.content.as_str())
    }
}

/// Whether a `terraform { required_providers { aws = { version = "~> 3.0" } } }` pins the
/// AWS provider to a major version below 4.
fn pins_aws_below_v4(file: &redress_iac::File) -> bool {
    file.blocks
        .iter()
        .filter(|b| b.ident == "terraform")
        .flat_map(|t| t.nested("required_providers"))
        .any(|rp| {
            let Some(aws) = rp.attribute("aws") else {
                return false;
            };
            let constraint = match &aws.value {
                redress_iac::Value::Map(entries) => {
                    match entries.iter().find(|(k, _)| k == "version") {
                        Some((_, redress_iac::Value::String(v))) => v.clone(),
                        _ => return false,
                    }
                }
                redress_iac::Value::String(v) => v.clone(),
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
    fn caller_paths_cannot_leave_the_root() {
        assert!(safe_relative("../etc/passwd").is_err());
        assert!(safe_relative("/etc/passwd").is_err());
        assert_eq!(safe_relative("./a/b.tf").expect("ok"), "a/b.tf");
    }

    #[test]
    fn a_changed_file_is_reindexed_and_the_others_kept() {
        let repo = Repo::from_sources([
            ("a.tf".to_string(), "resource \"x\" \"a\" {}\n".to_string()),
            ("b.tf".to_string(), "resource \"x\" \"b\" {}\n".to_string()),
        ]);
        let changed = repo.with_file("b.tf", "resource \"x\" \"c\" {}\n".to_string());
        assert_eq!(
            changed.file("b.tf").map(|f| f.text.as_str()),
            Some("resource \"x\" \"c\" {}\n")
        );
        assert!(changed.index().resource("", "x", "c").is_some());
        assert!(changed.index().resource("", "x", "a").is_some());
        assert!(changed.index().resource("", "x", "b").is_none());
        let broken = repo.with_file("c.tf", "resource \"x\" {\n".to_string());
        assert_eq!(
            broken.errors().first().map(|e| e.file.as_str()),
            Some("c.tf")
        );
    }
}
