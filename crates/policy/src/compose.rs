//! Fixes made of more than one edit, and fix values that depend on the module: `fix_also`
//! (fixes of other conditions that go with this one), `fix_requires` (top-level blocks the fix
//! refers to, added once per module), the `{only:TYPE}` placeholder (the one resource of a
//! type in the module) and `{name}` (the subject's name), and the edits that set a value where
//! it is written or replace a nested block.

use redress_iac::{BlockKind, Expr, FileKind, Index, Resolved};

use crate::catalog::Cond;
use crate::cond::{Ctx, Hit, Node, NodeKind, Verdict, Via, via};
use crate::edit::{Edit, FixKind, range};

const ONLY: &str = "{only:";
const NAME: &str = "{name}";

/// `fix` with every `{only:TYPE}` and `{name}` placeholder replaced by a sample name (for
/// validation).
pub(crate) fn placeholders_filled(fix: &str) -> String {
    fill(fix, |_| Ok("x".to_string()))
        .unwrap_or_else(|_| fix.to_string())
        .replace(NAME, "x")
}

/// Replaces every `{only:TYPE}` in `text` with `name(TYPE)`.
fn fill(
    text: &str,
    mut name: impl FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(ONLY) {
        out.push_str(&rest[..i]);
        let after = &rest[i + ONLY.len()..];
        let Some(end) = after.find('}') else {
            return Err(format!("unclosed `{ONLY}` in `{text}`"));
        };
        out.push_str(&name(&after[..end])?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `expr` is a reference the condition accepts without evaluating it (`accept_refs`).
pub(crate) fn accepted_reference(cond: &Cond, expr: &Expr) -> bool {
    let Some(prefixes) = &cond.accept_refs else {
        return false;
    };
    expr.reference()
        .is_some_and(|r| prefixes.iter().any(|p| r.starts_with(p.as_str())))
}

/// The kind and labels of a `fix_requires` block: its text must be exactly one top-level block
/// that parses.
pub(crate) fn required_block(text: &str) -> Result<(String, Vec<String>), String> {
    let index = Index::from_sources([("fix_requires.tf", text)]).map_err(|e| e.to_string())?;
    let parsed = index
        .file("fix_requires.tf")
        .filter(|f| f.errors.is_empty() && f.attributes.is_empty());
    match parsed.map(|f| f.blocks.as_slice()) {
        Some([b]) => Ok((b.ident.clone(), b.labels.clone())),
        _ => Err(format!(
            "fix_requires `{text}` must be exactly one top-level block that parses"
        )),
    }
}

impl<'r> Ctx<'r> {
    /// The fix value of a condition with its `{only:TYPE}` placeholders filled for this
    /// subject's module and `{name}` with the subject's name; `None` when the module does not
    /// have exactly one such resource (without `count` / `for_each`).
    pub(crate) fn fix_text(&self, text: &str) -> Option<String> {
        let text = text.replace(NAME, &self.subject.name);
        fill(&text, |rtype| {
            let mut found = self
                .repo
                .index()
                .blocks_of_kind(self.subject.dir, BlockKind::Resource)
                .filter(|(_, b)| b.type_label() == Some(rtype));
            match (found.next(), found.next()) {
                (Some((_, b)), None)
                    if b.attribute("count").is_none() && b.attribute("for_each").is_none() =>
                {
                    b.labels.get(1).cloned().ok_or_else(String::new)
                }
                _ => Err(String::new()),
            }
        })
        .ok()
    }

    /// The edit that replaces a resolved value with `text`, with the kind of where it is written.
    pub(crate) fn set_value(&self, val: &Resolved<'r>, text: String) -> (FixKind, Edit) {
        let kind = match via(val) {
            Via::VariableDefault => FixKind::VariableDefault,
            Via::Tfvars => FixKind::VariableValue,
            Via::ModuleInput => FixKind::ModuleInput,
            _ if self.subject.is_module => FixKind::ModuleInput,
            _ => FixKind::SetValue,
        };
        (
            kind,
            Edit {
                file: val.file.to_string(),
                range: range(&val.expr.span),
                text,
            },
        )
    }

    /// The edit that replaces the nested block named by the first segment of `path` (in
    /// `node`) with `text`; `None` when there is not exactly one such block.
    pub(crate) fn replace_first_block(
        &self,
        node: &Node<'r>,
        path: &str,
        text: &str,
    ) -> Option<(FixKind, Edit)> {
        let first = path.split('.').next()?;
        let NodeKind::Block(b) = node.kind else {
            return None;
        };
        let mut blocks = b.nested(first);
        let (Some(block), None) = (blocks.next(), blocks.next()) else {
            return None;
        };
        crate::edit::replace_block(
            node.file,
            self.repo.text(node.file),
            &range(&block.span),
            text,
        )
        .map(|e| (FixKind::ReplaceBlock, e))
    }

    /// Adds the edits of `fix_also` and `fix_requires` to every hit of `verdict` that has a fix.
    pub(crate) fn compose(&self, cond: &'r Cond, node: &Node<'r>, verdict: Verdict) -> Verdict {
        if cond.fix_also.is_none() && cond.fix_requires.is_none() {
            return verdict;
        }
        let Verdict::Fails(mut hits) = verdict else {
            return verdict;
        };
        let mut also = Vec::new();
        for sub in cond.fix_also.iter().flatten() {
            if let Verdict::Fails(sub_hits) = self.eval(sub, node)
                && let Some(h) = sub_hits.into_iter().find(|h| h.fix.is_some())
            {
                also.extend(h.fix);
                also.extend(h.also);
            }
        }
        for hit in hits.iter_mut().filter(|h| h.fix.is_some()) {
            hit.also.extend(also.iter().cloned());
            if let Err(why) = self.add_required(cond, hit) {
                hit.fix = None;
                hit.also.clear();
                hit.withheld = Some(why);
            }
        }
        Verdict::Fails(hits)
    }

    /// Adds the `fix_requires` blocks the hit's module lacks, after the top-level block its
    /// fix changes. A required `resource` block that the module already has is not reused (its
    /// settings are not the ones the fix needs), and a subject that names its own `provider`
    /// gets no fix (the added blocks would use the default provider).
    fn add_required(&self, cond: &Cond, hit: &mut Hit) -> Result<(), String> {
        let Some(required) = &cond.fix_requires else {
            return Ok(());
        };
        let Some((kind, main)) = &hit.fix else {
            return Ok(());
        };
        if *kind == FixKind::VariableDefault {
            return Err(
                "the value comes from a variable default, which cannot refer to other blocks: pass the value in from the caller by hand"
                    .into(),
            );
        }
        if !self.subject.is_module
            && let Some(provider) = self.subject.block.attribute("provider")
        {
            return Err(format!(
                "the resource uses `provider = {}`: the blocks the fix adds would use the default provider (another account or region); add them by hand with that provider",
                provider.raw
            ));
        }
        let Some(file) = self.repo.index().file(&main.file) else {
            return Err(format!("{} is not indexed", main.file));
        };
        if file.kind != FileKind::Config {
            return Err(format!(
                "the fix would refer to a data source from {}, a variables file: change it by hand",
                main.file
            ));
        }
        let Some(block) = file
            .blocks
            .iter()
            .find(|b| b.span.start_byte <= main.range.start && main.range.start <= b.span.end_byte)
        else {
            return Err(format!("the fix in {} is outside any block", main.file));
        };
        let at = block.span.end_byte;
        for text in required {
            let text = text.replace(NAME, &self.subject.name);
            let (ident, labels) = required_block(&text)?;
            let present = self
                .repo
                .index()
                .files_in_dir(file.dir())
                .flat_map(|f| f.blocks.iter())
                .any(|b| b.ident == ident && b.labels == labels);
            if present && ident == "resource" {
                return Err(format!(
                    "the module already has `{}`: the fix would add a resource of that name; change it by hand",
                    labels.join(".")
                ));
            }
            let added = hit
                .also
                .iter()
                .any(|(_, e)| e.file == main.file && e.text.contains(text.trim()));
            if !present && !added {
                hit.also.push((
                    FixKind::AddCompanion,
                    Edit {
                        file: main.file.clone(),
                        range: at..at,
                        text: format!("\n\n{}", text.trim()),
                    },
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_placeholders_are_filled_or_refused() {
        assert_eq!(
            fill("aws_vpc.{only:aws_vpc}.id", |t| Ok(format!("<{t}>"))),
            Ok("aws_vpc.<aws_vpc>.id".to_string())
        );
        assert!(fill("aws_vpc.{only:aws_vpc.id", |_| Ok(String::new())).is_err());
        assert_eq!(
            placeholders_filled("aws_vpc.{only:aws_vpc}.id"),
            "aws_vpc.x.id"
        );
    }

    #[test]
    fn a_required_block_must_be_one_block() {
        assert_eq!(
            required_block("data \"aws_caller_identity\" \"current\" {}"),
            Ok((
                "data".to_string(),
                vec!["aws_caller_identity".to_string(), "current".to_string()]
            ))
        );
        assert!(required_block("a = 1").is_err());
        assert!(required_block("data \"a\" \"b\" {}\ndata \"a\" \"c\" {}").is_err());
    }
}
