//! The repository index: every `.tf` and `.tfvars` file parsed, with lookups.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::IacError;
use crate::model::{Attribute, Block, BlockKind, File, FileKind, Item, ParseError};
use crate::parse::parse_file;

/// Files larger than this are skipped (and reported in [`Index::skipped`]).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// At most this many files are indexed per repository.
pub const MAX_FILES: usize = 50_000;
/// Directories deeper than this are not walked.
const MAX_DIR_DEPTH: usize = 32;

/// A file the index did not parse, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFile {
    /// Path relative to the root.
    pub path: String,
    /// Why it was skipped.
    pub reason: String,
}

/// All Terraform files of one repository, parsed.
#[derive(Debug, Clone, Default)]
pub struct Index {
    root: Option<PathBuf>,
    files: Vec<Arc<File>>,
    by_path: HashMap<String, usize>,
    /// Directory → positions of its files in `files`.
    by_dir: HashMap<String, Vec<usize>>,
    skipped: Vec<SkippedFile>,
}

impl Index {
    /// Indexes every `.tf` / `.tfvars` file under `root` (hidden directories such
    /// as `.terraform` and `.git` are skipped; symlinks are never followed).
    ///
    /// # Errors
    /// When `root` cannot be read. Syntax errors do not fail the build: see
    /// [`Index::parse_errors`].
    pub fn build(root: &Path) -> Result<Self, IacError> {
        IndexCache::default().index(root)
    }

    /// Indexes in-memory sources: `(relative path, content)` pairs. Paths ending
    /// in `.tfvars` are variable files, everything else is configuration.
    ///
    /// # Errors
    /// Only when the grammar cannot be loaded.
    pub fn from_sources<P, C>(sources: impl IntoIterator<Item = (P, C)>) -> Result<Self, IacError>
    where
        P: Into<String>,
        C: Into<String>,
    {
        let inputs: Vec<(String, String)> = sources
            .into_iter()
            .map(|(p, c)| (normalize_rel(&p.into()), c.into()))
            .collect();
        let files = inputs
            .into_par_iter()
            .map(|(path, content)| {
                let kind = file_kind(&path).unwrap_or(FileKind::Config);
                parse_file(&path, kind, content).map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::assemble(None, files, Vec::new()))
    }

    /// A copy of this index with one file's content replaced (or the file
    /// added); only that file is parsed, the others are shared.
    ///
    /// # Errors
    /// Only when the grammar cannot be loaded.
    pub fn with_file(&self, path: &str, content: String) -> Result<Self, IacError> {
        let path = normalize_rel(path);
        let kind = file_kind(&path).unwrap_or(FileKind::Config);
        let parsed = Arc::new(parse_file(&path, kind, content)?);
        let mut files: Vec<Arc<File>> = self
            .files
            .iter()
            .filter(|f| f.path != path)
            .map(Arc::clone)
            .collect();
        files.push(parsed);
        Ok(Self::assemble(
            self.root.clone(),
            files,
            self.skipped.clone(),
        ))
    }

    fn assemble(
        root: Option<PathBuf>,
        mut files: Vec<Arc<File>>,
        skipped: Vec<SkippedFile>,
    ) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let by_path = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        let mut by_dir: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            by_dir.entry(f.dir().to_owned()).or_default().push(i);
        }
        Self {
            root,
            files,
            by_path,
            by_dir,
            skipped,
        }
    }

    /// The root directory, when built from disk.
    #[must_use]
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// All files, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = &File> {
        self.files.iter().map(AsRef::as_ref)
    }

    /// Number of indexed files.
    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was indexed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Files that were not parsed (too large, unreadable, not UTF-8).
    #[must_use]
    pub fn skipped(&self) -> &[SkippedFile] {
        &self.skipped
    }

    /// All syntax errors of all files.
    pub fn parse_errors(&self) -> impl Iterator<Item = &ParseError> {
        self.files.iter().flat_map(|f| f.errors.iter())
    }

    /// The file at `path` (relative, `/`-separated; `./` prefixes are ignored).
    #[must_use]
    pub fn file(&self, path: &str) -> Option<&File> {
        let key = normalize_rel(path);
        self.by_path.get(&key).map(|&i| self.files[i].as_ref())
    }

    /// Configuration files directly in directory `dir` (`""` for the root).
    pub fn files_in_dir(&self, dir: &str) -> impl Iterator<Item = &File> + '_ {
        self.by_dir
            .get(dir.trim_end_matches('/'))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| self.files[i].as_ref())
            .filter(|f| f.kind == FileKind::Config)
    }

    /// Variable files directly in `dir`.
    pub fn tfvars_in_dir(&self, dir: &str) -> impl Iterator<Item = &File> + '_ {
        self.by_dir
            .get(dir.trim_end_matches('/'))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| self.files[i].as_ref())
            .filter(|f| f.kind == FileKind::Tfvars)
    }

    /// Every directory holding at least one configuration file.
    #[must_use]
    pub fn module_dirs(&self) -> Vec<&str> {
        let mut dirs: Vec<&str> = self
            .files()
            .filter(|f| f.kind == FileKind::Config)
            .map(File::dir)
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        dirs
    }

    /// The block a resource template points at, with its file.
    #[must_use]
    pub fn resource_block(
        &self,
        template: &crate::modules::ResourceTemplate,
    ) -> Option<(&File, &Block)> {
        let file = self.file(&template.file)?;
        file.blocks
            .iter()
            .find(|b| b.span == template.span)
            .map(|b| (file, b))
    }

    /// The top-level block containing `line` in `path`.
    #[must_use]
    pub fn block_at(&self, path: &str, line: u32) -> Option<&Block> {
        self.file(path)?.block_at(line)
    }

    /// The innermost attribute containing `line` in `path`.
    #[must_use]
    pub fn attribute_at(&self, path: &str, line: u32) -> Option<&Attribute> {
        self.file(path)?.attribute_at(line)
    }

    /// The innermost block or attribute starting on `line` in `path`.
    #[must_use]
    pub fn item_starting_at(&self, path: &str, line: u32) -> Option<Item<'_>> {
        self.file(path)?.item_starting_at(line)
    }

    /// The `resource "type" "name"` block in module directory `dir`, with its file.
    #[must_use]
    pub fn resource(&self, dir: &str, resource_type: &str, name: &str) -> Option<(&File, &Block)> {
        self.top_block(dir, BlockKind::Resource, &[resource_type, name])
    }

    /// The `data "type" "name"` block in module directory `dir`, with its file.
    #[must_use]
    pub fn data_source(&self, dir: &str, data_type: &str, name: &str) -> Option<(&File, &Block)> {
        self.top_block(dir, BlockKind::Data, &[data_type, name])
    }

    /// The first top-level block of `kind` in `dir` whose labels start with `labels`.
    #[must_use]
    pub fn top_block(
        &self,
        dir: &str,
        kind: BlockKind,
        labels: &[&str],
    ) -> Option<(&File, &Block)> {
        self.files_in_dir(dir).find_map(|f| {
            f.blocks
                .iter()
                .find(|b| {
                    b.kind == kind
                        && b.labels.len() >= labels.len()
                        && b.labels.iter().zip(labels).all(|(a, b)| a == b)
                })
                .map(|b| (f, b))
        })
    }

    /// Every top-level block of `kind` in `dir`, with its file.
    pub fn blocks_of_kind(
        &self,
        dir: &str,
        kind: BlockKind,
    ) -> impl Iterator<Item = (&File, &Block)> + '_ {
        self.files_in_dir(dir).flat_map(move |f| {
            f.blocks
                .iter()
                .filter(move |b| b.kind == kind)
                .map(move |b| (f, b))
        })
    }
}

/// Keeps parsed files between index builds, keyed by path and content hash, so
/// re-indexing after one file changed re-parses only that file.
#[derive(Debug, Default)]
pub struct IndexCache {
    entries: HashMap<String, (u128, Arc<File>)>,
    parsed_last: usize,
}

impl IndexCache {
    /// A fresh, empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many files the last [`IndexCache::index`] call actually parsed.
    #[must_use]
    pub fn parsed_last(&self) -> usize {
        self.parsed_last
    }

    /// Indexes `root`, reusing every file whose content hash is unchanged.
    ///
    /// # Errors
    /// When `root` cannot be read.
    pub fn index(&mut self, root: &Path) -> Result<Index, IacError> {
        let meta = std::fs::metadata(root).map_err(|source| IacError::Root {
            path: root.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(IacError::Root {
                path: root.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
            });
        }
        let mut candidates = Vec::new();
        let mut skipped = Vec::new();
        walk(root, root, 0, &mut candidates, &mut skipped)?;
        let entries = &self.entries;
        let results: Vec<Result<Loaded, SkippedFile>> = candidates
            .into_par_iter()
            .map(|(rel, abs, kind)| load(&rel, &abs, kind, entries))
            .collect();
        let mut files = Vec::with_capacity(results.len());
        let mut fresh = HashMap::with_capacity(results.len());
        let mut parsed = 0;
        for r in results {
            match r {
                Ok(loaded) => {
                    parsed += usize::from(loaded.parsed);
                    fresh.insert(
                        loaded.file.path.clone(),
                        (loaded.hash, Arc::clone(&loaded.file)),
                    );
                    files.push(loaded.file);
                }
                Err(s) => skipped.push(s),
            }
        }
        self.entries = fresh;
        self.parsed_last = parsed;
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Index::assemble(Some(root.to_path_buf()), files, skipped))
    }
}

struct Loaded {
    file: Arc<File>,
    hash: u128,
    parsed: bool,
}

fn load(
    rel: &str,
    abs: &Path,
    kind: FileKind,
    cache: &HashMap<String, (u128, Arc<File>)>,
) -> Result<Loaded, SkippedFile> {
    let skip = |reason: String| SkippedFile {
        path: rel.to_owned(),
        reason,
    };
    let bytes = std::fs::read(abs).map_err(|e| skip(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(skip(format!(
            "{} bytes is over the {MAX_FILE_BYTES}-byte limit",
            bytes.len()
        )));
    }
    let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
    if let Some((h, file)) = cache.get(rel)
        && *h == hash
        && file.kind == kind
    {
        return Ok(Loaded {
            file: Arc::clone(file),
            hash,
            parsed: false,
        });
    }
    let content = String::from_utf8(bytes).map_err(|e| skip(format!("not UTF-8: {e}")))?;
    let file = parse_file(rel, kind, content).map_err(|e| skip(e.to_string()))?;
    Ok(Loaded {
        file: Arc::new(file),
        hash,
        parsed: true,
    })
}

/// `.tf` → config, `.tfvars` → tfvars, anything else → not indexed.
fn file_kind(name: &str) -> Option<FileKind> {
    if name.ends_with(".tf") {
        Some(FileKind::Config)
    } else if name.ends_with(".tfvars") {
        Some(FileKind::Tfvars)
    } else {
        None
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<(String, PathBuf, FileKind)>,
    skipped: &mut Vec<SkippedFile>,
) -> Result<(), IacError> {
    if depth > MAX_DIR_DEPTH {
        skipped.push(SkippedFile {
            path: dir.strip_prefix(root).unwrap_or(dir).display().to_string(),
            reason: format!("deeper than {MAX_DIR_DEPTH} directories"),
        });
        return Ok(());
    }
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        // The root must be readable; an unreadable subdirectory is skipped.
        Err(source) if depth == 0 => {
            return Err(IacError::Read {
                path: dir.to_path_buf(),
                source,
            });
        }
        Err(e) => {
            skipped.push(SkippedFile {
                path: dir.strip_prefix(root).unwrap_or(dir).display().to_string(),
                reason: format!("cannot read directory: {e}"),
            });
            return Ok(());
        }
    };
    let mut entries: Vec<_> = read.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        // file_type() does not follow symlinks: links are never indexed or walked.
        let Ok(ft) = entry.file_type() else { continue };
        let path = entry.path();
        if ft.is_dir() {
            walk(root, &path, depth + 1, out, skipped)?;
        } else if ft.is_file()
            && let Some(kind) = file_kind(name)
        {
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let rel = rel
                .components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect::<Vec<_>>()
                .join("/");
            if out.len() >= MAX_FILES {
                skipped.push(SkippedFile {
                    path: rel,
                    reason: format!("more than {MAX_FILES} files"),
                });
                continue;
            }
            out.push((rel, path, kind));
        }
    }
    Ok(())
}

/// `./a//b/../c.tf` → `a/c.tf`; never climbs above the root.
pub(crate) fn normalize_rel(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}
