//! Data flow: following `var.*` (module call-site input, `terraform.tfvars` /
//! `*.auto.tfvars`, variable default) and `local.*` to the value that sets an attribute, and
//! expanding `count` / `for_each` into instance keys.

use crate::repo::{Repo, Scope, SourceFile};
use crate::syntax::{Block, Val, ValKind};

impl Repo {
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
    pub(crate) fn tfvars_value(
        &self,
        dir: &str,
        var: &str,
    ) -> Option<(usize, &crate::syntax::Attr)> {
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
fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
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
}
