//! A small glob matcher for repository names and file paths: `*` matches within one path
//! segment, `**` across segments, `?` one character. Patterns are bounded in length.
use crate::StoreError;

/// Longest pattern accepted.
const MAX_PATTERN: usize = 256;

/// Checks a pattern given by a user; `field` names it in the error.
pub(crate) fn validate(field: &'static str, pattern: &str) -> Result<String, StoreError> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Err(StoreError::invalid(field, "is empty"));
    }
    if pattern.len() > MAX_PATTERN {
        return Err(StoreError::invalid(
            field,
            format!("is longer than {MAX_PATTERN} characters"),
        ));
    }
    if pattern.contains("***") {
        return Err(StoreError::invalid(field, "has `***`: use `*` or `**`"));
    }
    Ok(pattern.to_owned())
}

/// Whether `text` matches `pattern`.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // memo[i][j]: does p[i..] match t[j..]? Iterative DP keeps it linear in p×t.
    let mut memo = vec![vec![false; t.len() + 1]; p.len() + 1];
    memo[p.len()][t.len()] = true;
    for i in (0..p.len()).rev() {
        let double = p[i] == '*' && p.get(i + 1) == Some(&'*');
        for j in (0..=t.len()).rev() {
            memo[i][j] = if p[i] == '*' && double {
                // `**` (optionally followed by `/`) matches any run, `/` included.
                let skip = if p.get(i + 2) == Some(&'/') {
                    memo[i + 3][j]
                } else {
                    false
                };
                skip || memo[i + 2][j] || (j < t.len() && memo[i][j + 1])
            } else if p[i] == '*' {
                // The second `*` of a pair is handled by the first.
                if i > 0 && p[i - 1] == '*' {
                    memo[i + 1][j] || (j < t.len() && memo[i][j + 1])
                } else {
                    memo[i + 1][j] || (j < t.len() && t[j] != '/' && memo[i][j + 1])
                }
            } else if j < t.len() && (p[i] == '?' && t[j] != '/' || p[i] == t[j]) {
                memo[i + 1][j + 1]
            } else {
                false
            };
        }
    }
    memo[0][0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_one_segment_and_double_star_crosses() {
        assert!(matches("acme/*", "acme/infra"));
        assert!(!matches("acme/*", "acme/infra/sub"));
        assert!(matches("modules/**", "modules/a/b/main.tf"));
        assert!(matches("**/main.tf", "main.tf"));
        assert!(matches("**/main.tf", "x/y/main.tf"));
        assert!(matches("modules/**/*.tf", "modules/s3/main.tf"));
        assert!(matches("modules/**/*.tf", "modules/main.tf"));
        assert!(!matches("modules/**/*.tf", "envs/main.tf"));
        assert!(matches("ma?n.tf", "main.tf"));
        assert!(!matches("*.tf", "a/b.tf"));
        assert!(matches("*", "anything"));
    }

    #[test]
    fn bad_patterns_name_the_field() {
        let err = validate("path_glob", "  ").unwrap_err();
        assert_eq!(err.to_string(), "path_glob: is empty");
        assert!(validate("path_glob", &"a".repeat(300)).is_err());
        assert_eq!(validate("x", " a/* ").unwrap(), "a/*");
    }
}
