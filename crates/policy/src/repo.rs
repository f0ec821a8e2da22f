//! The repository as policies see it: the `.tf` files with their syntax trees, the local module
//! calls that connect directories, the resource instances (count/for_each aware) and the data
//! flow from variables, locals and module inputs to the attributes that use them.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::error::PolicyError;
use crate::syntax::{self, Block, Body, LineIndex, Val, ValKind};

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

    /// Follows `var.x`, `local.x` and module inputs to the value that sets them.
    pub(crate) fn resolve<'r>(&'r self, val: &'r Val, file: usize, scope: &Scope) -> Resolved<'r> {
        self.resolve_depth(val, file, scope, 0)
    }

    fn resolve_depth<'r>(
        &'r self,
        val: &'r Val,
        file: usize,
        scope: &Scope,
        depth: usize,
    ) -> Resolved<'r> {
        let direct = Resolved {
            val,
            file,
            via: Via::Direct,
        };
        if depth > 8 {
            return direct;
        }
        let ValKind::Traversal(text) = &val.kind else {
            return direct;
        };
        if let Some(var) = text.strip_prefix("var.").filter(|v| is_ident(v)) {
            if scope.chain.is_empty()
                && let Some((fi, attr)) = self.tfvars_value(&scope.dir, var)
            {
                return Resolved {
                    val: &attr.value,
                    file: fi,
                    via: Via::Tfvars,
                };
            }
            if let Some((&last, outer)) = scope.chain.split_last() {
                let call = &self.calls[last];
                let caller = &self.files[call.file].body.blocks[call.block];
                if let Some(input) = caller.body.attr(var) {
                    let outer_scope = Scope {
                        dir: self.files[call.file].dir.clone(),
                        chain: outer.to_vec(),
                    };
                    let inner =
                        self.resolve_depth(&input.value, call.file, &outer_scope, depth + 1);
                    return Resolved {
                        via: Via::ModuleInput { call: last },
                        ..inner
                    };
                }
            }
            for (fi, f) in self.files_in(&scope.dir) {
                for b in f.body.blocks_named("variable") {
                    if b.labels.first().map(String::as_str) == Some(var)
                        && let Some(default) = b.body.attr("default")
                    {
                        return Resolved {
                            val: &default.value,
                            file: fi,
                            via: Via::VariableDefault,
                        };
                    }
                }
            }
            return Resolved {
                val,
                file,
                via: Via::Unresolved,
            };
        }
        if let Some(local) = text.strip_prefix("local.").filter(|v| is_ident(v)) {
            for (fi, f) in self.files_in(&scope.dir) {
                for b in f.body.blocks_named("locals") {
                    if let Some(a) = b.body.attr(local) {
                        return self.resolve_depth(&a.value, fi, scope, depth + 1);
                    }
                }
            }
            return Resolved {
                val,
                file,
                via: Via::Unresolved,
            };
        }
        direct
    }

    /// The value a root module's `terraform.tfvars` / `*.auto.tfvars` give a variable (the
    /// auto files in name order override `terraform.tfvars`, as Terraform loads them).
    fn tfvars_value(&self, dir: &str, var: &str) -> Option<(usize, &crate::syntax::Attr)> {
        let mut found = None;
        let mut files: Vec<(usize, &SourceFile)> =
            self.files_in(dir).filter(|(_, f)| f.is_tfvars()).collect();
        files.sort_by_key(|(_, f)| (!f.path.ends_with("terraform.tfvars"), f.path.clone()));
        for (fi, f) in files {
            if let Some(a) = f.body.attr(var) {
                found = Some((fi, a));
            }
        }
        found
    }

    /// The instance keys of a block with `count` or `for_each`: `None` when it has neither,
    /// `Some(None)` when they cannot be evaluated, `Some(Some(keys))` otherwise.
    pub(crate) fn instance_keys(
        &self,
        block: &Block,
        file: usize,
        scope: &Scope,
    ) -> Option<Option<Vec<String>>> {
        if let Some(count) = block.body.attr("count") {
            let r = self.resolve(&count.value, file, scope);
            let n = match &r.val.kind {
                ValKind::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= 10_000.0 => {
                    Some(*n as usize)
                }
                ValKind::Conditional(c) => match &self.resolve(&c.0, file, scope).val.kind {
                    ValKind::Bool(b) => {
                        let branch = if *b { &c.1 } else { &c.2 };
                        match self.resolve(branch, r.file, scope).val.kind {
                            ValKind::Number(n) if n >= 0.0 && n.fract() == 0.0 && n <= 10_000.0 => {
                                Some(n as usize)
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                },
                _ => None,
            };
            return Some(n.map(|n| (0..n).map(|i| format!("[{i}]")).collect()));
        }
        if let Some(for_each) = block.body.attr("for_each") {
            let r = self.resolve(&for_each.value, file, scope);
            let keys = match &r.val.kind {
                ValKind::Object(items) => {
                    Some(items.iter().map(|i| format!("[\"{}\"]", i.key)).collect())
                }
                ValKind::Call { name, args } if name == "toset" => {
                    match args.first().map(|a| &a.kind) {
                        Some(ValKind::List(items)) => items
                            .iter()
                            .map(|i| match &i.kind {
                                ValKind::Str(s) => Some(format!("[\"{s}\"]")),
                                _ => None,
                            })
                            .collect(),
                        _ => None,
                    }
                }
                _ => None,
            };
            return Some(keys);
        }
        None
    }
}

/// How a value was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// Written where it is used.
    Direct,
    /// A root module's `terraform.tfvars` or `*.auto.tfvars`.
    Tfvars,
    /// A variable's default.
    VariableDefault,
    /// A module input at the call site (index into `Repo::calls`).
    ModuleInput { call: usize },
    /// A variable or local that could not be followed.
    Unresolved,
}

/// A value and the file it is written in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved<'r> {
    pub val: &'r Val,
    pub file: usize,
    pub via: Via,
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

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
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
    fn module_inputs_and_variable_defaults_are_followed() {
        let repo = Repo::from_sources([
            ("main.tf".to_string(), "module \"b\" {\n  source = \"./mod\"\n  enc = false\n}\n".to_string()),
            (
                "mod/main.tf".to_string(),
                "variable \"enc\" {\n  default = true\n}\nvariable \"other\" {\n  default = 3\n}\nresource \"aws_x\" \"y\" {\n  e = var.enc\n  o = var.other\n}\n".to_string(),
            ),
        ]);
        let scopes = repo.scopes();
        let inner = scopes
            .iter()
            .find(|s| s.dir == "mod")
            .expect("module scope");
        assert_eq!(repo.address_prefix(inner), "module.b.");
        let file = repo.file_index("mod/main.tf").expect("file");
        let block = &repo.files[file].body.blocks[2];
        let e = repo.resolve(&block.body.attr("e").expect("e").value, file, inner);
        assert!(matches!(e.val.kind, ValKind::Bool(false)));
        assert_eq!(repo.files[e.file].path, "main.tf");
        assert!(matches!(e.via, Via::ModuleInput { .. }));
        let o = repo.resolve(&block.body.attr("o").expect("o").value, file, inner);
        assert!(matches!(o.val.kind, ValKind::Number(n) if n == 3.0));
        assert_eq!(o.via, Via::VariableDefault);
    }

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
    fn tfvars_override_variable_defaults_in_root_modules() {
        let repo = Repo::from_sources([
            ("main.tf".to_string(), "variable \"enc\" {\n  default = false\n}\nresource \"aws_x\" \"y\" {\n  e = var.enc\n}\n".to_string()),
            ("terraform.tfvars".to_string(), "enc = false\n".to_string()),
            ("prod.auto.tfvars".to_string(), "enc = true\n".to_string()),
        ]);
        let file = repo.file_index("main.tf").expect("file");
        let block = &repo.files[file].body.blocks[1];
        let r = repo.resolve(
            &block.body.attr("e").expect("e").value,
            file,
            &Scope::default(),
        );
        assert!(matches!(r.val.kind, ValKind::Bool(true)));
        assert_eq!(
            (repo.files[r.file].path.as_str(), r.via),
            ("prod.auto.tfvars", Via::Tfvars)
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

    #[test]
    fn count_and_for_each_expand_to_instance_keys() {
        let repo = Repo::from_sources([(
            "main.tf".to_string(),
            "variable \"n\" {\n  default = 2\n}\nresource \"a\" \"b\" {\n  count = var.n\n}\nresource \"a\" \"c\" {\n  for_each = toset([\"x\", \"y\"])\n}\nresource \"a\" \"d\" {\n  count = length(var.z)\n}\n".to_string(),
        )]);
        let scope = Scope::default();
        let blocks = &repo.files[0].body.blocks;
        assert_eq!(
            repo.instance_keys(&blocks[1], 0, &scope),
            Some(Some(vec!["[0]".into(), "[1]".into()]))
        );
        assert_eq!(
            repo.instance_keys(&blocks[2], 0, &scope),
            Some(Some(vec!["[\"x\"]".into(), "[\"y\"]".into()]))
        );
        assert_eq!(repo.instance_keys(&blocks[3], 0, &scope), Some(None));
    }
}
