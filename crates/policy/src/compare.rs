//! Comparing literal values with the constraints of a condition, the way Terraform coerces
//! primitives.

use crate::catalog::Cond;
use crate::syntax::{Val, ValKind};

pub(crate) fn expectation(cond: &Cond) -> String {
    if let Some(v) = &cond.equals {
        format!(", expected `{v}`")
    } else if let Some(v) = &cond.not_equals {
        format!(", must not be `{v}`")
    } else if let Some(v) = &cond.one_of {
        format!(", expected one of {}", list(v))
    } else if let Some(v) = &cond.not_one_of {
        format!(", must not be one of {}", list(v))
    } else if let Some(v) = &cond.contains_none {
        format!(", must not contain {}", list(v))
    } else if cond.non_empty == Some(true) {
        ", must not be empty".to_string()
    } else {
        String::new()
    }
}

fn list(v: &[toml::Value]) -> String {
    v.iter()
        .map(|x| format!("`{x}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Tests a resolved value against the condition's constraints; `None` when it is not a literal.
pub(crate) fn test_value(cond: &Cond, val: &Val) -> Option<bool> {
    if cond.present == Some(false) {
        return Some(false);
    }
    let literal = !matches!(
        val.kind,
        ValKind::Traversal(_)
            | ValKind::Call { .. }
            | ValKind::Template
            | ValKind::Other
            | ValKind::Conditional(_)
            | ValKind::Heredoc { .. }
    );
    let mut ok = true;
    if cond.non_empty == Some(true) {
        ok &= match &val.kind {
            ValKind::Str(s) => !s.trim().is_empty(),
            ValKind::List(v) => !v.is_empty(),
            ValKind::Null => false,
            _ => true,
        };
    }
    if !literal {
        let only_presence = cond.equals.is_none()
            && cond.not_equals.is_none()
            && cond.one_of.is_none()
            && cond.not_one_of.is_none()
            && cond.contains.is_none()
            && cond.contains_none.is_none();
        return if only_presence { Some(ok) } else { None };
    }
    if let Some(v) = &cond.equals {
        ok &= literal_eq(val, v)?;
    }
    if let Some(v) = &cond.not_equals {
        ok &= !literal_eq(val, v)?;
    }
    if let Some(vs) = &cond.one_of {
        ok &= any_eq(val, vs)?;
    }
    if let Some(vs) = &cond.not_one_of {
        ok &= !any_eq(val, vs)?;
    }
    if let Some(v) = &cond.contains {
        let ValKind::List(items) = &val.kind else {
            return Some(false);
        };
        let mut found = false;
        for i in items {
            found |= literal_eq(i, v)?;
        }
        ok &= found;
    }
    if let Some(vs) = &cond.contains_none
        && let ValKind::List(items) = &val.kind
    {
        for i in items {
            ok &= !any_eq(i, vs)?;
        }
    }
    Some(ok)
}

fn any_eq(val: &Val, vs: &[toml::Value]) -> Option<bool> {
    let mut any = false;
    for v in vs {
        any |= literal_eq(val, v)?;
    }
    Some(any)
}

/// Compares an HCL literal with a TOML value the way Terraform coerces primitives.
pub(crate) fn literal_eq(val: &Val, expected: &toml::Value) -> Option<bool> {
    use toml::Value as T;
    Some(match (&val.kind, expected) {
        (ValKind::Bool(b), T::Boolean(e)) => b == e,
        (ValKind::Bool(b), T::String(e)) => {
            e.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        (ValKind::Str(s), T::Boolean(e)) => {
            s.eq_ignore_ascii_case(if *e { "true" } else { "false" })
        }
        (ValKind::Str(s), T::String(e)) => s.eq_ignore_ascii_case(e),
        (ValKind::Str(s), T::Integer(e)) => s.trim().parse::<f64>().ok() == Some(*e as f64),
        (ValKind::Number(n), T::Integer(e)) => *n == *e as f64,
        (ValKind::Number(n), T::Float(e)) => n == e,
        (ValKind::Number(n), T::String(e)) => e.parse::<f64>().ok() == Some(*n),
        (ValKind::Null, _) => false,
        (ValKind::List(_) | ValKind::Object(_), _) => false,
        (ValKind::Bool(_) | ValKind::Number(_), _) => false,
        (ValKind::Str(_), _) => false,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(kind: ValKind) -> Val {
        Val { span: 0..0, kind }
    }

    #[test]
    fn primitives_compare_like_terraform_coerces_them() {
        use toml::Value as T;
        assert_eq!(
            literal_eq(&val(ValKind::Str("true".into())), &T::Boolean(true)),
            Some(true)
        );
        assert_eq!(
            literal_eq(
                &val(ValKind::Str("Enabled".into())),
                &T::String("enabled".into())
            ),
            Some(true)
        );
        assert_eq!(
            literal_eq(&val(ValKind::Number(22.0)), &T::Integer(22)),
            Some(true)
        );
        assert_eq!(
            literal_eq(&val(ValKind::Str("22".into())), &T::Integer(22)),
            Some(true)
        );
        assert_eq!(
            literal_eq(&val(ValKind::Bool(false)), &T::Boolean(true)),
            Some(false)
        );
        assert_eq!(
            literal_eq(&val(ValKind::Traversal("var.x".into())), &T::Boolean(true)),
            None
        );
    }

    #[test]
    fn references_are_unknown_except_for_presence_checks() {
        let reference = val(ValKind::Traversal("aws_kms_key.k.arn".into()));
        let present = Cond {
            non_empty: Some(true),
            ..Cond::default()
        };
        assert_eq!(test_value(&present, &reference), Some(true));
        let equals = Cond {
            equals: Some(toml::Value::Boolean(true)),
            ..Cond::default()
        };
        assert_eq!(test_value(&equals, &reference), None);
        let empty = Cond {
            non_empty: Some(true),
            ..Cond::default()
        };
        assert_eq!(
            test_value(&empty, &val(ValKind::Str(String::new()))),
            Some(false)
        );
    }
}
