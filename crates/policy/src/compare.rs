//! Comparing literal values with the constraints of a condition, the way Terraform coerces
//! primitives.

use crate::catalog::Cond;
use redress_iac::Value;

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

/// Tests a value against the condition's constraints; `None` when it is not a literal.
///
/// The value is a written literal ([`redress_iac::Expr::literal`]) or a computed one; either
/// way [`Value::Expression`] stands for what is not known (a reference, a call, a template).
pub(crate) fn test_value(cond: &Cond, val: &Value) -> Option<bool> {
    if cond.present == Some(false) {
        return Some(false);
    }
    let literal = !matches!(val, Value::Expression | Value::Reference(_));
    let mut ok = true;
    if cond.non_empty == Some(true) {
        ok &= match val {
            Value::String(s) => !s.trim().is_empty(),
            Value::List(v) => !v.is_empty(),
            Value::Null => false,
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
        let Value::List(items) = val else {
            return Some(false);
        };
        let mut found = false;
        for i in items {
            found |= literal_eq(i, v)?;
        }
        ok &= found;
    }
    if let Some(vs) = &cond.contains_none
        && let Value::List(items) = val
    {
        for i in items {
            ok &= !any_eq(i, vs)?;
        }
    }
    Some(ok)
}

fn any_eq(val: &Value, vs: &[toml::Value]) -> Option<bool> {
    let mut any = false;
    for v in vs {
        any |= literal_eq(val, v)?;
    }
    Some(any)
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse().ok()
}

/// Compares an HCL literal with a TOML value the way Terraform coerces primitives.
pub(crate) fn literal_eq(val: &Value, expected: &toml::Value) -> Option<bool> {
    use toml::Value as T;
    Some(match (val, expected) {
        (Value::Bool(b), T::Boolean(e)) => b == e,
        (Value::Bool(b), T::String(e)) => e.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        (Value::String(s), T::Boolean(e)) => {
            s.eq_ignore_ascii_case(if *e { "true" } else { "false" })
        }
        (Value::String(s), T::String(e)) => s.eq_ignore_ascii_case(e),
        (Value::String(s), T::Integer(e)) => number(s) == Some(*e as f64),
        (Value::Number(n), T::Integer(e)) => number(n) == Some(*e as f64),
        (Value::Number(n), T::Float(e)) => number(n) == Some(*e),
        (Value::Number(n), T::String(e)) => number(e).is_some() && number(e) == number(n),
        (Value::Null | Value::List(_) | Value::Map(_), _) => false,
        (Value::Bool(_) | Value::Number(_) | Value::String(_), _) => false,
        (Value::Expression | Value::Reference(_), _) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_compare_like_terraform_coerces_them() {
        use toml::Value as T;
        assert_eq!(
            literal_eq(&Value::String("true".into()), &T::Boolean(true)),
            Some(true)
        );
        assert_eq!(
            literal_eq(
                &Value::String("Enabled".into()),
                &T::String("enabled".into())
            ),
            Some(true)
        );
        assert_eq!(
            literal_eq(&Value::Number("22".into()), &T::Integer(22)),
            Some(true)
        );
        assert_eq!(
            literal_eq(&Value::String("22".into()), &T::Integer(22)),
            Some(true)
        );
        assert_eq!(
            literal_eq(&Value::Bool(false), &T::Boolean(true)),
            Some(false)
        );
        assert_eq!(literal_eq(&Value::Expression, &T::Boolean(true)), None);
    }

    #[test]
    fn references_are_unknown_except_for_presence_checks() {
        let present = Cond {
            non_empty: Some(true),
            ..Cond::default()
        };
        assert_eq!(test_value(&present, &Value::Expression), Some(true));
        let equals = Cond {
            equals: Some(toml::Value::Boolean(true)),
            ..Cond::default()
        };
        assert_eq!(test_value(&equals, &Value::Expression), None);
        assert_eq!(
            test_value(&present, &Value::String(String::new())),
            Some(false)
        );
        assert_eq!(
            test_value(&equals, &Value::List(vec![Value::Expression])),
            Some(false),
            "a list is not `true`, whatever its elements"
        );
    }
}
