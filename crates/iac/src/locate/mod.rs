//! From a finding (cloud id, ARN, scanner file:line, tags) to Terraform lines.
//!
//! Strategies, in order (the first that matches wins):
//! 1. **State**: the finding's resource ids, and ids derived from ARNs
//!    ([`crate::arn`]), against identifying attributes of the given states.
//! 2. **Scanner**: an IaC scanner's file and line, to the enclosing block.
//! 3. **Tag**: `yor_trace` (against code tags and state tags), then
//!    `git_file` (+ `yor_name` or the resource type).
//! 4. **Name**: only when no state is given: a name derived from the ids
//!    against literal (or evaluable) name attributes in the code. Low confidence.
//!
//! The fix site is the most specific line known: the offending attribute
//! (from a [`FixSiteHint`] or the scanner's line) traced through variables to
//! where its value is written (call-site input, tfvars, variable default, local);
//! otherwise the block line.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::arn::candidate_ids;
use crate::eval::{Evaluated, Evaluator};
use crate::index::{Index, normalize_rel};
use crate::model::{Block, BlockKind, Value};
use crate::modules::Modules;
use crate::state::State;

mod fix_site;
mod types;

pub use types::{
    Confidence, FixSite, FixSiteHint, FixSiteKind, LocateOutcome, LocateQuery, Location,
};

/// Attributes compared by the name strategy (no state).
const NAME_ATTRIBUTES: &[&str] = &[
    "bucket",
    "name",
    "identifier",
    "function_name",
    "cluster_identifier",
    "table_name",
    "role_name",
];

#[derive(Debug, Clone, Copy)]
struct InstanceRef {
    state: usize,
    instance: usize,
    /// True when the matching attribute is `id` or `arn` (not a name-like one).
    primary: bool,
}

type FixKey = (usize, Option<Vec<String>>, Option<u32>);

/// Locates findings; build once, query many times (thread-safe).
pub struct Locator<'a> {
    index: &'a Index,
    modules: &'a Modules,
    states: &'a [State],
    evaluator: Evaluator<'a>,
    hint: Option<&'a dyn FixSiteHint>,
    /// Every identifying attribute value → instances holding it.
    by_value: HashMap<&'a str, Vec<InstanceRef>>,
    /// Template chosen for each (state, instance).
    template_of: Vec<Vec<Option<usize>>>,
    /// `yor_trace` value → templates (from code tags) or instances (from state tags).
    yor_code: HashMap<String, usize>,
    yor_state: HashMap<&'a str, InstanceRef>,
    /// Name strategy: evaluated name → templates.
    names: HashMap<String, Vec<usize>>,
    /// (file, block start byte) → templates of that block (one per module instance).
    by_block: HashMap<(&'a str, usize), Vec<usize>>,
    /// Scanner path → indexed path (or none).
    file_cache: Mutex<HashMap<String, Option<String>>>,
    fix_cache: Mutex<HashMap<FixKey, FixSite>>,
}

impl std::fmt::Debug for Locator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locator")
            .field("states", &self.states.len())
            .field("values", &self.by_value.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Locator<'a> {
    /// Builds the reverse lookups over `states` (may be empty).
    #[must_use]
    pub fn new(index: &'a Index, modules: &'a Modules, states: &'a [State]) -> Self {
        let mut by_value: HashMap<&'a str, Vec<InstanceRef>> = HashMap::new();
        let mut yor_state = HashMap::new();
        let mut template_of = Vec::with_capacity(states.len());
        for (s, state) in states.iter().enumerate() {
            let root = best_root(modules, state);
            let mut per = Vec::with_capacity(state.instances.len());
            for (i, inst) in state.instances.iter().enumerate() {
                let r = InstanceRef {
                    state: s,
                    instance: i,
                    primary: false,
                };
                for (key, value) in &inst.attributes {
                    let list = by_value.entry(value.as_str()).or_default();
                    let same = list
                        .last()
                        .is_some_and(|l: &InstanceRef| l.state == s && l.instance == i);
                    if list.len() < 64 && !same {
                        list.push(InstanceRef {
                            primary: key == "id" || key == "arn",
                            ..r
                        });
                    }
                }
                if let Some(trace) = inst.tags.get("yor_trace") {
                    yor_state.insert(trace.as_str(), r);
                }
                let templates = modules.template_ids(&inst.address);
                let chosen = templates
                    .iter()
                    .copied()
                    .find(|&t| {
                        Some(
                            modules.instances()[modules.resources()[t].module]
                                .root
                                .as_str(),
                        ) == root
                    })
                    .or_else(|| templates.first().copied());
                per.push(chosen);
            }
            template_of.push(per);
        }
        let evaluator = Evaluator::new(index, modules);
        let mut yor_code = HashMap::new();
        let mut names: HashMap<String, Vec<usize>> = HashMap::new();
        for (t, template) in modules.resources().iter().enumerate() {
            let Some((_, block)) = index.resource_block(template) else {
                continue;
            };
            if let Some(trace) = block
                .attribute("tags")
                .and_then(|a| a.entry("yor_trace"))
                .and_then(|e| e.value.as_str())
            {
                yor_code.entry(trace.to_owned()).or_insert(t);
            }
            if states.is_empty() {
                for attr in NAME_ATTRIBUTES.iter().filter_map(|n| block.attribute(n)) {
                    let value = match &attr.value {
                        Value::String(s) => Some(s.clone()),
                        Value::Reference(_) | Value::Expression => {
                            match evaluator.eval_attribute(template.module, attr).value {
                                Evaluated::Known(Value::String(s)) => Some(s),
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    if let Some(v) = value {
                        names.entry(v).or_default().push(t);
                    }
                }
            }
        }
        let mut by_block: HashMap<(&'a str, usize), Vec<usize>> = HashMap::new();
        for (t, r) in modules.resources().iter().enumerate() {
            by_block
                .entry((r.file.as_str(), r.span.start_byte))
                .or_default()
                .push(t);
        }
        Self {
            index,
            modules,
            states,
            evaluator,
            hint: None,
            by_value,
            template_of,
            yor_code,
            yor_state,
            names,
            by_block,
            file_cache: Mutex::new(HashMap::new()),
            fix_cache: Mutex::new(HashMap::new()),
        }
    }

    /// Uses `hint` to find the offending attribute per resource type and policy.
    #[must_use]
    pub fn with_hint(mut self, hint: &'a dyn FixSiteHint) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Locates many findings in parallel, in input order.
    #[must_use]
    pub fn locate_all(&self, queries: &[LocateQuery]) -> Vec<LocateOutcome> {
        queries.par_iter().map(|q| self.locate(q)).collect()
    }

    /// Locates one finding.
    #[must_use]
    pub fn locate(&self, q: &LocateQuery) -> LocateOutcome {
        let mut tried = Vec::new();
        if !q.resource_ids.is_empty() {
            if self.states.is_empty() {
                tried.push("no state given".to_owned());
            } else {
                match self.by_state(q) {
                    Ok(loc) => return LocateOutcome::Located(loc),
                    Err(why) => tried.push(why),
                }
            }
        }
        if let Some(file) = q.file.as_deref() {
            match self.by_scanner(q, file) {
                Ok(loc) => return LocateOutcome::Located(loc),
                Err(why) => tried.push(why),
            }
        }
        if !q.tags.is_empty() {
            match self.by_tags(q) {
                Ok(loc) => return LocateOutcome::Located(loc),
                Err(why) => tried.push(why),
            }
        }
        if self.states.is_empty() && !q.resource_ids.is_empty() {
            match self.by_name(q) {
                Ok(loc) => return LocateOutcome::Located(loc),
                Err(why) => tried.push(why),
            }
        }
        if tried.is_empty() {
            tried.push("the finding names no resource id, file or tags".to_owned());
        }
        LocateOutcome::Unmapped {
            reason: tried.join("; "),
        }
    }

    fn by_state(&self, q: &LocateQuery) -> Result<Location, String> {
        let tf_type = q
            .resource_type
            .as_deref()
            .filter(|t| t.contains('_') && t == &t.to_lowercase());
        for id in &q.resource_ids {
            for candidate in candidate_ids(id) {
                let Some(refs) = self.by_value.get(candidate.as_str()) else {
                    continue;
                };
                let wanted = q.resource_type.as_deref().map(squash);
                let best = refs
                    .iter()
                    .filter(|r| {
                        let inst = &self.states[r.state].instances[r.instance];
                        tf_type.is_none_or(|t| t == inst.resource_type)
                            && region_account_match(
                                q,
                                inst.attributes.get("arn").map(String::as_str),
                            )
                    })
                    .min_by_key(|r| {
                        let inst = &self.states[r.state].instances[r.instance];
                        (
                            // `AwsS3Bucket` and `aws_s3_bucket` agree once squashed.
                            wanted
                                .as_deref()
                                .is_some_and(|w| *w != squash(&inst.resource_type)),
                            // Managed resources before data sources reading the same object.
                            inst.mode == crate::state::ResourceMode::Data,
                            // `id`/`arn` matches before name-like attributes.
                            !r.primary,
                            // The base resource before its satellites (`aws_s3_bucket` before
                            // `aws_s3_bucket_versioning`).
                            inst.resource_type.len(),
                        )
                    });
                let Some(r) = best.copied() else { continue };
                let inst = &self.states[r.state].instances[r.instance];
                let Some(t) = self.template_of[r.state][r.instance] else {
                    return Err(format!(
                        "state instance {} matches {id:?} but the repository has no {} block for it",
                        inst.address,
                        inst.template_address()
                    ));
                };
                return Ok(self.location(t, inst.address.clone(), Confidence::State, q, None));
            }
        }
        Err(format!(
            "no state instance has id {}",
            q.resource_ids
                .iter()
                .map(|i| format!("{i:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        ))
    }

    fn by_scanner(&self, q: &LocateQuery, file: &str) -> Result<Location, String> {
        let Some(path) = self.resolve_file(file) else {
            return Err(format!(
                "scanner file {file:?} is not in the repository index"
            ));
        };
        let f = self
            .index
            .file(&path)
            .ok_or_else(|| format!("{path} not indexed"))?;
        let line = q.start_line.unwrap_or(1).max(1);
        let Some(block) = f.block_at(line) else {
            return Err(format!("{path}:{line} is not inside any block"));
        };
        let scanner_line = q.start_line.filter(|l| *l != block.span.start_line);
        match block.kind {
            BlockKind::Resource | BlockKind::Data => {
                let t = self.template_for_block(&path, block).ok_or_else(|| {
                    format!("{path}:{line}: block is not reachable from any root module")
                })?;
                let address = self.modules.resources()[t].address.clone();
                Ok(self.location(t, address, Confidence::Scanner, q, scanner_line))
            }
            _ => Ok(self.plain_block_location(&path, block, scanner_line)),
        }
    }

    fn by_tags(&self, q: &LocateQuery) -> Result<Location, String> {
        if let Some(trace) = q.tags.get("yor_trace") {
            if let Some(&t) = self.yor_code.get(trace) {
                let address = self.modules.resources()[t].address.clone();
                return Ok(self.location(t, address, Confidence::Tag, q, None));
            }
            if let Some(r) = self.yor_state.get(trace.as_str())
                && let Some(t) = self.template_of[r.state][r.instance]
            {
                let address = self.states[r.state].instances[r.instance].address.clone();
                return Ok(self.location(t, address, Confidence::Tag, q, None));
            }
        }
        if let Some(git_file) = q.tags.get("git_file")
            && let Some(path) = self.resolve_file(git_file)
        {
            let name = q.tags.get("yor_name");
            let ty = q.resource_type.as_deref();
            let candidates: Vec<usize> = self
                .modules
                .resources()
                .iter()
                .enumerate()
                .filter(|(_, r)| r.file == path)
                .filter(|(_, r)| name.is_none_or(|n| *n == r.name))
                .filter(|(_, r)| ty.is_none_or(|t| t == r.resource_type))
                .map(|(i, _)| i)
                .collect();
            if let [t] = candidates.as_slice() {
                let address = self.modules.resources()[*t].address.clone();
                return Ok(self.location(*t, address, Confidence::Tag, q, None));
            }
            return Err(format!(
                "git_file {git_file:?} has {} matching resource blocks",
                candidates.len()
            ));
        }
        Err("no yor_trace or git_file tag matched".to_owned())
    }

    fn by_name(&self, q: &LocateQuery) -> Result<Location, String> {
        let tf_type = q.resource_type.as_deref();
        for id in &q.resource_ids {
            for candidate in candidate_ids(id) {
                let Some(ts) = self.names.get(&candidate) else {
                    continue;
                };
                let ts: Vec<usize> = ts
                    .iter()
                    .copied()
                    .filter(|t| {
                        tf_type.is_none_or(|ty| self.modules.resources()[*t].resource_type == ty)
                    })
                    .collect();
                if let Some(&t) = ts.first() {
                    let address = self.modules.resources()[t].address.clone();
                    return Ok(self.location(t, address, Confidence::Name, q, None));
                }
            }
        }
        Err("no resource in the code has that name".to_owned())
    }

    /// The indexed file a scanner path refers to: exact, or the longest
    /// indexed path that is a suffix of it (scanners print absolute paths or
    /// paths relative to another directory).
    fn resolve_file(&self, file: &str) -> Option<String> {
        let rel = normalize_rel(file);
        if self.index.file(&rel).is_some() {
            return Some(rel);
        }
        if let Ok(cache) = self.file_cache.lock()
            && let Some(hit) = cache.get(&rel)
        {
            return hit.clone();
        }
        let found = self.resolve_suffix(&rel);
        if let Ok(mut cache) = self.file_cache.lock()
            && cache.len() < 100_000
        {
            cache.insert(rel, found.clone());
        }
        found
    }

    fn resolve_suffix(&self, rel: &str) -> Option<String> {
        self.index
            .files()
            .filter(|f| {
                rel.ends_with(&format!("/{}", f.path)) || f.path.ends_with(&format!("/{rel}"))
            })
            .max_by_key(|f| f.path.len())
            .map(|f| f.path.clone())
    }

    /// The template of a block; when a module is instantiated more than once,
    /// the one with the shortest module chain (then the first by address).
    fn template_for_block(&self, path: &str, block: &Block) -> Option<usize> {
        self.by_block
            .get(&(path, block.span.start_byte))?
            .iter()
            .copied()
            .min_by_key(|&t| {
                let r = &self.modules.resources()[t];
                (r.address.matches("module.").count(), r.address.clone())
            })
    }

    fn plain_block_location(
        &self,
        path: &str,
        block: &Block,
        scanner_line: Option<u32>,
    ) -> Location {
        let address = match block.kind {
            BlockKind::Module => format!("module.{}", block.name_label().unwrap_or("")),
            _ => block
                .labels
                .iter()
                .fold(block.ident.clone(), |acc, l| format!("{acc}.{l}")),
        };
        let fix_line = scanner_line
            .and_then(|l| block.attribute_containing(l).map(|a| a.span.start_line))
            .unwrap_or(block.span.start_line);
        Location {
            address,
            file: path.to_owned(),
            start_line: block.span.start_line,
            end_line: block.span.end_line,
            fix_site: FixSite {
                file: path.to_owned(),
                line: fix_line,
                kind: if fix_line == block.span.start_line {
                    FixSiteKind::Block
                } else {
                    FixSiteKind::Attribute
                },
            },
            confidence: Confidence::Scanner,
            via: Vec::new(),
        }
    }

    fn location(
        &self,
        t: usize,
        address: String,
        confidence: Confidence,
        q: &LocateQuery,
        scanner_line: Option<u32>,
    ) -> Location {
        let template = &self.modules.resources()[t];
        let path = self
            .hint
            .and_then(|h| h.offending_attribute(&template.resource_type, q.policy.as_deref()));
        let fix_site = self.fix_site(t, template, path, scanner_line);
        let via = self
            .modules
            .instance(template.module)
            .map(crate::modules::ModuleInstance::via)
            .unwrap_or_default();
        Location {
            address,
            file: template.file.clone(),
            start_line: template.span.start_line,
            end_line: template.span.end_line,
            fix_site,
            confidence,
            via,
        }
    }
}

/// Lower-case without underscores: `AwsS3Bucket` → `awss3bucket` = `aws_s3_bucket` squashed.
fn squash(resource_type: &str) -> String {
    resource_type
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The root directory most of a state's instances belong to.
fn best_root<'m>(modules: &'m Modules, state: &State) -> Option<&'m str> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for inst in state.instances.iter().take(2000) {
        for t in modules.templates(&inst.address) {
            *counts
                .entry(modules.instances()[t.module].root.as_str())
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(root, n)| (*n, std::cmp::Reverse(*root)))
        .map(|(r, _)| r)
}

/// When the query names a region/account and the instance has an ARN, they must agree.
fn region_account_match(q: &LocateQuery, arn: Option<&str>) -> bool {
    let Some(arn) = arn.and_then(crate::arn::Arn::parse) else {
        return true;
    };
    let region_ok = q
        .region
        .as_deref()
        .is_none_or(|r| arn.region.is_empty() || arn.region == r);
    let account_ok = q
        .account
        .as_deref()
        .is_none_or(|a| arn.account.is_empty() || arn.account == a);
    region_ok && account_ok
}
