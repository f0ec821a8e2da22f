//! Checks on the paths and revisions that come from users, findings files and repositories.

use std::path::Path;

use crate::ForgeError;

/// Longest repository-relative path accepted.
const MAX_PATH_BYTES: usize = 4_096;
/// Longest revision string accepted.
const MAX_REVISION_BYTES: usize = 256;

/// Normalises a repository-relative path (`./a//b` → `a/b`), refusing absolute paths, `..`,
/// anything inside `.git`, control characters and the root itself.
pub(crate) fn normalize_relative(repo: &Path, path: &str) -> Result<String, ForgeError> {
    let refuse = |reason| ForgeError::InvalidPath {
        repo: repo.to_path_buf(),
        path: path.chars().take(200).collect(),
        reason,
    };
    if path.len() > MAX_PATH_BYTES {
        return Err(refuse("longer than 4096 bytes"));
    }
    if path.chars().any(char::is_control) {
        return Err(refuse("contains control characters"));
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Err(refuse("absolute paths are not allowed"));
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(refuse("`..` is not allowed")),
            part if part.eq_ignore_ascii_case(".git") => {
                return Err(refuse("paths inside .git are not allowed"));
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(refuse("names the repository root, not a file"));
    }
    Ok(parts.join("/"))
}

/// Resolves a symbolic link's target relative to the link's directory, lexically; `None`
/// when the result leaves the repository (absolute target or too many `..`).
pub(crate) fn resolve_link_target(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Refuses revisions that git could read as options or that are unreasonably long.
pub(crate) fn check_revision(repo: &Path, revision: &str) -> Result<(), ForgeError> {
    let refuse = |reason| ForgeError::InvalidRevision {
        repo: repo.to_path_buf(),
        revision: revision.chars().take(200).collect(),
        reason,
    };
    if revision.is_empty() {
        return Err(refuse("empty"));
    }
    if revision.len() > MAX_REVISION_BYTES {
        return Err(refuse("longer than 256 bytes"));
    }
    if revision.starts_with('-') {
        return Err(refuse("starts with `-`"));
    }
    if revision
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == ':')
    {
        return Err(refuse("contains whitespace, control characters or `:`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_refuses() {
        let repo = Path::new("/repo");
        assert_eq!(
            normalize_relative(repo, "./modules//rds/main.tf").ok(),
            Some("modules/rds/main.tf".to_owned())
        );
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            ".git/config",
            "a/.GIT/x",
            "",
            ".",
            "a\nb",
        ] {
            assert!(
                matches!(
                    normalize_relative(repo, bad),
                    Err(ForgeError::InvalidPath { .. })
                ),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn link_targets_stay_inside() {
        assert_eq!(
            resolve_link_target("a/b/link", "../c.tf"),
            Some("a/c.tf".to_owned())
        );
        assert_eq!(
            resolve_link_target("link", "sub/x.tf"),
            Some("sub/x.tf".to_owned())
        );
        assert_eq!(resolve_link_target("a/link", "../../x"), None);
        assert_eq!(resolve_link_target("link", "/etc/passwd"), None);
    }

    #[test]
    fn revisions() {
        let repo = Path::new("/repo");
        assert!(check_revision(repo, "main").is_ok());
        assert!(check_revision(repo, "HEAD~1").is_ok());
        assert!(check_revision(repo, "--upload-pack=x").is_err());
        assert!(check_revision(repo, "HEAD:secret").is_err());
        assert!(check_revision(repo, "a b").is_err());
    }
}
