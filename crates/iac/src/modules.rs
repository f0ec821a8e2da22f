//! Module calls, module instances and resource address templates.
//!
//! Local sources (`./modules/x`, `../shared`) are followed recursively, with
//! cycles and paths leaving the repository root refused (and reported in
//! [`Modules::problems`]). Registry and remote sources are recorded, never fetched.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::index::Index;
use crate::model::{Block, BlockKind, File};
use crate::span::Span;
use crate::state::{ResourceMode, State, strip_index_keys};

/// Deepest module nesting followed.
const MAX_MODULE_DEPTH: usize = 24;
/// Most module instances expanded per repository.
const MAX_MODULE_INSTANCES: usize = 20_000;

/// Where a module call's code comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ModuleSource {
    /// A directory inside the repository (relative to the root, `/`-separated).
    Local {
        /// The resolved directory.
        dir: String,
    },
    /// A registry module such as `terraform-aws-modules/s3-bucket/aws`.
    Registry {
        /// The source as written.
        address: String,
        /// The `version` constraint, when given.
        version: Option<String>,
    },
    /// Git, HTTP, S3 and other remote sources.
    Remote {
        /// The source as written.
        source: String,
    },
    /// A local path that leaves the repository root: not followed.
    OutsideRoot {
        /// The source as written.
        source: String,
    },
    /// No literal `source` attribute.
    Unknown,
}

/// `count` or `for_each` on a resource or module call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repetition {
    /// `count = …`: instances `[0]`, `[1]`, …
    Count,
    /// `for_each = …`: instances `["key"]`.
    ForEach,
}

impl Repetition {
    /// The repetition of a `resource` or `module` block, if any.
    #[must_use]
    pub fn of(block: &Block) -> Option<Self> {
        if block.attribute("count").is_some() {
            Some(Self::Count)
        } else if block.attribute("for_each").is_some() {
            Some(Self::ForEach)
        } else {
            None
        }
    }
}

/// A `module "name" { … }` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleCall {
    /// The call's name label.
    pub name: String,
    /// The file holding the call.
    pub file: String,
    /// The call block's span.
    pub span: Span,
    /// Where the module's code is.
    pub source: ModuleSource,
    /// `count` / `for_each` on the call.
    pub repetition: Option<Repetition>,
}

/// A module as instantiated from one root module (not yet expanded by count/for_each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleInstance {
    /// Position in [`Modules::instances`].
    pub id: usize,
    /// The root module directory this instance belongs to.
    pub root: String,
    /// Call names from the root: `["reports_bucket", "inner"]`.
    pub path: Vec<String>,
    /// The directory of the module's code.
    pub dir: String,
    /// The calling instance (`None` for a root).
    pub parent: Option<usize>,
    /// The call that created it (`None` for a root).
    pub call: Option<ModuleCall>,
}

impl ModuleInstance {
    /// `module.a.module.b` (`""` for a root).
    #[must_use]
    pub fn address(&self) -> String {
        self.path
            .iter()
            .map(|p| format!("module.{p}"))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// `["module.a", "module.b"]`: the call chain, outermost first.
    #[must_use]
    pub fn via(&self) -> Vec<String> {
        self.path.iter().map(|p| format!("module.{p}")).collect()
    }
}

/// A resource or data block with its address template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceTemplate {
    /// `module.reports_bucket.aws_s3_bucket.this` (`data.` before data sources).
    pub address: String,
    /// The module instance it belongs to ([`Modules::instances`]).
    pub module: usize,
    /// Managed or data.
    pub mode: ResourceMode,
    /// `aws_s3_bucket`.
    pub resource_type: String,
    /// `this`.
    pub name: String,
    /// The file holding the block.
    pub file: String,
    /// The block's span.
    pub span: Span,
    /// `count` / `for_each` on the resource itself.
    pub repetition: Option<Repetition>,
    /// True when the resource or any calling module uses count/for_each.
    pub repeated: bool,
}

/// All module instances and resource templates of an index.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Modules {
    instances: Vec<ModuleInstance>,
    resources: Vec<ResourceTemplate>,
    external: Vec<(usize, ModuleCall)>,
    problems: Vec<String>,
    #[serde(skip)]
    by_address: HashMap<String, Vec<usize>>,
}

impl Modules {
    /// Resolves modules for every root module of `index`. A root is a directory
    /// with `.tf` files that no other directory calls as a local module.
    #[must_use]
    pub fn resolve(index: &Index) -> Self {
        let dirs = index.module_dirs();
        let mut called = std::collections::HashSet::new();
        for dir in &dirs {
            for (_, call) in index.blocks_of_kind(dir, BlockKind::Module) {
                if let ModuleSource::Local { dir: target } = source_of(dir, call)
                    && target != *dir
                {
                    called.insert(target);
                }
            }
        }
        let mut roots: Vec<&str> = dirs
            .iter()
            .copied()
            .filter(|d| !called.contains(*d))
            .collect();
        if roots.is_empty() && !dirs.is_empty() {
            roots.push(dirs[0]);
        }
        let mut modules = Self::default();
        for root in roots {
            modules.add_root(index, root);
        }
        modules.by_address = HashMap::new();
        for (i, r) in modules.resources.iter().enumerate() {
            modules
                .by_address
                .entry(r.address.clone())
                .or_default()
                .push(i);
        }
        modules
    }

    /// Resolves only the given root directory.
    #[must_use]
    pub fn resolve_root(index: &Index, root: &str) -> Self {
        let mut modules = Self::default();
        modules.add_root(index, root.trim_matches('/'));
        for (i, r) in modules.resources.iter().enumerate() {
            modules
                .by_address
                .entry(r.address.clone())
                .or_default()
                .push(i);
        }
        modules
    }

    fn add_root(&mut self, index: &Index, root: &str) {
        let id = self.instances.len();
        self.instances.push(ModuleInstance {
            id,
            root: root.to_owned(),
            path: Vec::new(),
            dir: root.to_owned(),
            parent: None,
            call: None,
        });
        let mut chain = vec![root.to_owned()];
        self.expand(index, id, &mut chain, false);
    }

    fn expand(&mut self, index: &Index, id: usize, chain: &mut Vec<String>, repeated: bool) {
        let dir = self.instances[id].dir.clone();
        let prefix = self.instances[id].address();
        for file in index.files_in_dir(&dir) {
            self.add_resources(file, id, &prefix, repeated);
        }
        let calls: Vec<(String, Block)> = index
            .blocks_of_kind(&dir, BlockKind::Module)
            .map(|(f, b)| (f.path.clone(), b.clone()))
            .collect();
        for (file, block) in calls {
            let Some(name) = block.name_label().map(str::to_owned) else {
                continue;
            };
            let call = ModuleCall {
                name: name.clone(),
                file,
                span: block.span,
                source: source_of(&dir, &block),
                repetition: Repetition::of(&block),
            };
            let target = match &call.source {
                ModuleSource::Local { dir } => dir.clone(),
                ModuleSource::OutsideRoot { source } => {
                    self.problems.push(format!(
                        "{}:{}: module \"{name}\" source {source:?} leaves the repository root; not followed",
                        call.file, call.span.start_line
                    ));
                    continue;
                }
                _ => {
                    self.external.push((id, call));
                    continue;
                }
            };
            if chain.contains(&target) {
                self.problems.push(format!(
                    "{}:{}: module \"{name}\" calls {target:?}, which is already in the call chain (cycle)",
                    call.file, call.span.start_line
                ));
                continue;
            }
            if index.files_in_dir(&target).next().is_none() {
                self.problems.push(format!(
                    "{}:{}: module \"{name}\" source directory {target:?} has no .tf files",
                    call.file, call.span.start_line
                ));
                continue;
            }
            if chain.len() > MAX_MODULE_DEPTH || self.instances.len() >= MAX_MODULE_INSTANCES {
                self.problems.push(format!(
                    "{}:{}: module \"{name}\" not expanded: nesting or instance limit reached",
                    call.file, call.span.start_line
                ));
                continue;
            }
            let child = self.instances.len();
            let mut path = self.instances[id].path.clone();
            path.push(name);
            let child_repeated = repeated || call.repetition.is_some();
            self.instances.push(ModuleInstance {
                id: child,
                root: self.instances[id].root.clone(),
                path,
                dir: target.clone(),
                parent: Some(id),
                call: Some(call),
            });
            chain.push(target);
            self.expand(index, child, chain, child_repeated);
            chain.pop();
        }
    }

    fn add_resources(&mut self, file: &File, module: usize, prefix: &str, repeated: bool) {
        for block in &file.blocks {
            let mode = match block.kind {
                BlockKind::Resource => ResourceMode::Managed,
                BlockKind::Data => ResourceMode::Data,
                _ => continue,
            };
            let (Some(ty), Some(name)) = (block.type_label(), block.name_label()) else {
                continue;
            };
            let local = if mode == ResourceMode::Data {
                format!("data.{ty}.{name}")
            } else {
                format!("{ty}.{name}")
            };
            let address = if prefix.is_empty() {
                local
            } else {
                format!("{prefix}.{local}")
            };
            let repetition = Repetition::of(block);
            self.resources.push(ResourceTemplate {
                address,
                module,
                mode,
                resource_type: ty.to_owned(),
                name: name.to_owned(),
                file: file.path.clone(),
                span: block.span,
                repetition,
                repeated: repeated || repetition.is_some(),
            });
        }
    }

    /// Every module instance; roots first, then depth-first (index = [`ModuleInstance::id`]).
    #[must_use]
    pub fn instances(&self) -> &[ModuleInstance] {
        &self.instances
    }

    /// Every resource/data block under every instance.
    #[must_use]
    pub fn resources(&self) -> &[ResourceTemplate] {
        &self.resources
    }

    /// Registry/remote module calls (recorded, not fetched), with the calling instance id.
    #[must_use]
    pub fn external(&self) -> &[(usize, ModuleCall)] {
        &self.external
    }

    /// Cycles, missing directories and sources leaving the root, as `file:line: message`.
    #[must_use]
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// Root module directories.
    pub fn roots(&self) -> impl Iterator<Item = &ModuleInstance> {
        self.instances.iter().filter(|i| i.parent.is_none())
    }

    /// The templates with this address (one per root that has it). Instance keys
    /// in `address` are ignored: `module.a["x"].t.n[0]` finds `module.a.t.n`.
    #[must_use]
    pub fn templates(&self, address: &str) -> Vec<&ResourceTemplate> {
        let key = strip_index_keys(address);
        self.by_address
            .get(&key)
            .map(|ids| ids.iter().map(|&i| &self.resources[i]).collect())
            .unwrap_or_default()
    }

    /// Like [`Modules::templates`], as positions in [`Modules::resources`].
    #[must_use]
    pub fn template_ids(&self, address: &str) -> &[usize] {
        let key = strip_index_keys(address);
        self.by_address.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The module instance a template belongs to.
    #[must_use]
    pub fn instance(&self, id: usize) -> Option<&ModuleInstance> {
        self.instances.get(id)
    }

    /// Instance addresses from `state` for each template, in template order:
    /// `module.a.aws_s3_bucket.this` → `module.a.aws_s3_bucket.this[0]`, `…["public"]`.
    #[must_use]
    pub fn expand_with_state(&self, state: &State) -> Vec<(usize, Vec<String>)> {
        let mut by_template: HashMap<String, Vec<String>> = HashMap::new();
        for inst in &state.instances {
            by_template
                .entry(inst.template_address())
                .or_default()
                .push(inst.address.clone());
        }
        self.resources
            .iter()
            .enumerate()
            .map(|(i, r)| (i, by_template.get(&r.address).cloned().unwrap_or_default()))
            .collect()
    }
}

/// Classifies a module block's `source` relative to the calling directory.
#[must_use]
pub fn source_of(caller_dir: &str, block: &Block) -> ModuleSource {
    let Some(source) = block.attribute("source").and_then(|a| a.value.as_str()) else {
        return ModuleSource::Unknown;
    };
    if source.starts_with("./") || source.starts_with("../") || source == "." || source == ".." {
        return match join_inside_root(caller_dir, source) {
            Some(dir) => ModuleSource::Local { dir },
            None => ModuleSource::OutsideRoot {
                source: source.to_owned(),
            },
        };
    }
    let is_registry = !source.contains("::")
        && !source.contains("://")
        && !source.starts_with("git@")
        && !source.starts_with('/')
        && matches!(source.split('/').count(), 3 | 4)
        && !source.starts_with("github.com/")
        && !source.starts_with("bitbucket.org/");
    if is_registry {
        ModuleSource::Registry {
            address: source.to_owned(),
            version: block
                .attribute("version")
                .and_then(|a| a.value.as_str())
                .map(str::to_owned),
        }
    } else {
        ModuleSource::Remote {
            source: source.to_owned(),
        }
    }
}

/// `base` + relative `path`, normalised; `None` when it climbs above the root.
fn join_inside_root(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split(['/', '\\']) {
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
