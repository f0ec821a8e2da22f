//! GitHub and GitLab repositories fetched into a local cache of bare mirrors.
//!
//! The access token is sent as `http.extraHeader: Authorization: Basic …` through git's
//! `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` environment variables, so it is
//! never part of a URL, a command-line argument (visible in `ps`), the mirror's config file,
//! or an error message (errors are redacted).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::command::Git;
use super::repo::LocalRepo;
use crate::{CodeOwnersSyntax, ForgeError};

/// A hosted forge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ForgeKind {
    /// GitHub or GitHub Enterprise.
    GitHub,
    /// GitLab (SaaS or self-managed).
    GitLab,
}

impl ForgeKind {
    /// The CODEOWNERS syntax this forge reads.
    pub fn codeowners_syntax(self) -> CodeOwnersSyntax {
        match self {
            ForgeKind::GitHub => CodeOwnersSyntax::GitHub,
            ForgeKind::GitLab => CodeOwnersSyntax::GitLab,
        }
    }

    fn default_base_url(self) -> &'static str {
        match self {
            ForgeKind::GitHub => "https://github.com",
            ForgeKind::GitLab => "https://gitlab.com",
        }
    }

    /// The user name that goes with a token in HTTP Basic authentication.
    fn token_user(self) -> &'static str {
        match self {
            ForgeKind::GitHub => "x-access-token",
            ForgeKind::GitLab => "oauth2",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            ForgeKind::GitHub => "github",
            ForgeKind::GitLab => "gitlab",
        }
    }
}

/// A repository on a forge: `owner/name` (GitLab owners may be `group/subgroup`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRepo {
    /// Which forge.
    pub forge: ForgeKind,
    /// `https://github.com`, a GitHub Enterprise or self-managed GitLab address, or a
    /// `file://` directory holding `owner/name.git` (local mirrors and tests).
    pub base_url: String,
    /// User, organisation or group path.
    pub owner: String,
    /// Repository name, without `.git`.
    pub name: String,
    /// The branch Redress reads and proposes changes against.
    pub default_branch: String,
}

impl RemoteRepo {
    /// A repository on github.com.
    pub fn github(owner: &str, name: &str, default_branch: &str) -> RemoteRepo {
        Self::new(ForgeKind::GitHub, owner, name, default_branch)
    }

    /// A repository on gitlab.com.
    pub fn gitlab(owner: &str, name: &str, default_branch: &str) -> RemoteRepo {
        Self::new(ForgeKind::GitLab, owner, name, default_branch)
    }

    fn new(forge: ForgeKind, owner: &str, name: &str, default_branch: &str) -> RemoteRepo {
        RemoteRepo {
            forge,
            base_url: forge.default_base_url().to_owned(),
            owner: owner.to_owned(),
            name: name.to_owned(),
            default_branch: default_branch.to_owned(),
        }
    }

    /// The same repository on another host (GitHub Enterprise, self-managed GitLab, `file://`).
    pub fn with_base_url(mut self, base_url: &str) -> RemoteRepo {
        self.base_url = base_url.trim_end_matches('/').to_owned();
        self
    }

    fn describe(&self) -> String {
        format!("{}/{}/{}", self.base_url, self.owner, self.name)
    }

    fn refuse(&self, reason: impl Into<String>) -> ForgeError {
        ForgeError::InvalidRemote {
            remote: self.describe(),
            reason: reason.into(),
        }
    }

    /// The URL git fetches from, after checking every part. Never holds credentials.
    pub fn clone_url(&self) -> Result<String, ForgeError> {
        let (scheme, rest) = self
            .base_url
            .split_once("://")
            .ok_or_else(|| self.refuse("base URL has no scheme"))?;
        if !matches!(scheme, "https" | "http" | "file") {
            return Err(self.refuse(format!("scheme {scheme:?} is not https, http or file")));
        }
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.contains('@') {
            return Err(self.refuse("base URL must not carry credentials; pass a token"));
        }
        if rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '\\'))
        {
            return Err(self.refuse("base URL contains whitespace, `?`, `#` or `\\`"));
        }
        let owner_segments: Vec<&str> = self.owner.split('/').collect();
        if owner_segments.len() > 1 && self.forge == ForgeKind::GitHub {
            return Err(self.refuse("a GitHub owner has no `/`"));
        }
        for segment in owner_segments
            .iter()
            .chain(std::iter::once(&self.name.as_str()))
        {
            if !valid_name_segment(segment) {
                return Err(self.refuse(format!(
                    "{segment:?} is not a valid owner or repository name"
                )));
            }
        }
        if !valid_branch_shape(&self.default_branch) {
            return Err(self.refuse(format!(
                "default branch {:?} is not a valid branch name",
                self.default_branch
            )));
        }
        Ok(format!(
            "{}/{}/{}.git",
            self.base_url.trim_end_matches('/'),
            self.owner,
            self.name
        ))
    }
}

fn valid_name_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 100
        && !segment.starts_with(['.', '-'])
        && !segment.ends_with(".git")
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn valid_branch_shape(branch: &str) -> bool {
    !branch.is_empty()
        && branch.len() <= 200
        && !branch.starts_with(['-', '/'])
        && !branch.contains("..")
        && !branch.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, ':' | '~' | '^' | '?' | '*' | '[' | '\\')
        })
}

/// A forge access token. Its `Debug` output is redacted and it cannot be serialized.
#[derive(Clone)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> AccessToken {
        AccessToken(token.into())
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("AccessToken(***)")
    }
}

/// A directory of bare mirrors, one per remote repository.
#[derive(Clone, Debug)]
pub struct MirrorCache {
    dir: PathBuf,
}

impl MirrorCache {
    /// A cache rooted at `dir` (created on first use).
    pub fn new(dir: impl Into<PathBuf>) -> MirrorCache {
        MirrorCache { dir: dir.into() }
    }

    /// Where `remote`'s mirror lives: `<dir>/<forge>/<host>/<owner>/<name>.git`.
    pub fn mirror_path(&self, remote: &RemoteRepo) -> Result<PathBuf, ForgeError> {
        remote.clone_url()?;
        let host: String = remote
            .base_url
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut path = self.dir.join(remote.forge.slug()).join(host);
        for segment in remote.owner.split('/') {
            path.push(segment);
        }
        path.push(format!("{}.git", remote.name));
        Ok(path)
    }

    /// Fetches `remote` into its mirror (creating it on first use), points the mirror's HEAD
    /// at the default branch, and returns it as a bare [`LocalRepo`].
    ///
    /// Only branches and tags are fetched (not `refs/pull/*` or `refs/merge-requests/*`);
    /// branches deleted on the remote are pruned.
    pub fn sync(
        &self,
        remote: &RemoteRepo,
        token: Option<&AccessToken>,
    ) -> Result<LocalRepo, ForgeError> {
        let url = remote.clone_url()?;
        let path = self.mirror_path(remote)?;
        if !path.join("HEAD").is_file() {
            self.create_mirror(&path, &url, remote, token)?;
        } else {
            Git::new(&path)
                .args(["config", "remote.origin.url", &url])
                .run()?;
            fetch(&path, remote, token)?;
        }
        let branch = format!("refs/heads/{}", remote.default_branch);
        let present = Git::new(&path)
            .args(["rev-parse", "-q", "--verify", &branch])
            .output()?;
        if !present.success {
            return Err(remote.refuse(format!(
                "default branch {:?} does not exist on the remote",
                remote.default_branch
            )));
        }
        Git::new(&path)
            .args(["symbolic-ref", "HEAD", &branch])
            .run()?;
        LocalRepo::open_bare(&path)
    }

    /// Where `remote`'s work tree lives: `<dir>/worktrees/<forge>/<host>/<owner>/<name>`.
    pub fn worktree_path(&self, remote: &RemoteRepo) -> Result<PathBuf, ForgeError> {
        let mirror = self.mirror_path(remote)?;
        let relative = mirror
            .strip_prefix(&self.dir)
            .unwrap_or(&mirror)
            .with_extension("");
        Ok(self.dir.join("worktrees").join(relative))
    }

    /// [`MirrorCache::sync`], then brings a work tree of the default branch up to date from
    /// the mirror and returns it: the checkout that indexing and the IDE view read. The
    /// work tree belongs to the cache; anything changed in it is discarded. It has no remote
    /// credentials: its `origin` is the local mirror.
    pub fn checkout(
        &self,
        remote: &RemoteRepo,
        token: Option<&AccessToken>,
    ) -> Result<LocalRepo, ForgeError> {
        let mirror = self.sync(remote, token)?;
        let path = self.worktree_path(remote)?;
        if !path.join(".git").exists() {
            let parent = path.parent().unwrap_or(&self.dir);
            std::fs::create_dir_all(parent).map_err(|source| ForgeError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
            Git::new(parent)
                .args(["clone", "-q", "--no-checkout"])
                .arg(mirror.root())
                .arg(&path)
                .run()?;
        }
        let branch = remote.default_branch.as_str();
        let tracking = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
        Git::new(&path)
            .args(["fetch", "-q", "--no-write-fetch-head", "origin", &tracking])
            .run()?;
        Git::new(&path)
            .args(["checkout", "-q", "-f", "-B", branch])
            .arg(format!("refs/remotes/origin/{branch}"))
            .run()?;
        Git::new(&path)
            .args(["clean", "-q", "-f", "-d", "-x"])
            .run()?;
        LocalRepo::open(&path)
    }

    fn create_mirror(
        &self,
        path: &Path,
        url: &str,
        remote: &RemoteRepo,
        token: Option<&AccessToken>,
    ) -> Result<(), ForgeError> {
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).map_err(|source| ForgeError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
        // Fetch into a temporary sibling and rename: a failed first fetch leaves nothing.
        let incoming = tempfile::Builder::new()
            .prefix(".incoming-")
            .tempdir_in(parent)
            .map_err(|source| ForgeError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        let staging = incoming.path();
        Git::new(parent)
            .args(["init", "--bare", "-q"])
            .arg(staging)
            .run()?;
        Git::new(staging)
            .args(["config", "remote.origin.url", url])
            .run()?;
        for refspec in ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"] {
            Git::new(staging)
                .args(["config", "--add", "remote.origin.fetch", refspec])
                .run()?;
        }
        fetch(staging, remote, token)?;
        let staging = incoming.keep();
        match std::fs::rename(&staging, path) {
            Ok(()) => Ok(()),
            // Another sync created the mirror meanwhile: keep theirs, drop ours.
            Err(_) if path.join("HEAD").is_file() => {
                std::fs::remove_dir_all(&staging).map_err(|source| ForgeError::Io {
                    path: staging.clone(),
                    source,
                })
            }
            Err(source) => Err(ForgeError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

fn fetch(path: &Path, remote: &RemoteRepo, token: Option<&AccessToken>) -> Result<(), ForgeError> {
    let mut git = Git::new(path).args([
        "fetch",
        "--prune",
        "--quiet",
        "--no-write-fetch-head",
        "origin",
    ]);
    if let Some(AccessToken(token)) = token {
        let credentials = base64(format!("{}:{token}", remote.forge.token_user()).as_bytes());
        git = git
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "http.extraHeader")
            .env(
                "GIT_CONFIG_VALUE_0",
                format!("Authorization: Basic {credentials}"),
            )
            .secret(token)
            .secret(&credentials);
    }
    git.run().map(drop)
}

/// Standard base64 with padding (RFC 4648), for the Basic authorization header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn clone_urls_are_checked() {
        let ok = RemoteRepo::github("octo-org", "infra", "main");
        assert_eq!(
            ok.clone_url().ok().as_deref(),
            Some("https://github.com/octo-org/infra.git")
        );
        let nested = RemoteRepo::gitlab("group/subgroup", "infra", "main");
        assert_eq!(
            nested.clone_url().ok().as_deref(),
            Some("https://gitlab.com/group/subgroup/infra.git")
        );
        let bad = [
            RemoteRepo::github("a/b", "infra", "main"),
            RemoteRepo::github("..", "infra", "main"),
            RemoteRepo::github("octo", "-upload", "main"),
            RemoteRepo::github("octo", "infra", "-x"),
            RemoteRepo::github("octo", "infra", "main").with_base_url("https://user:pw@github.com"),
            RemoteRepo::github("octo", "infra", "main").with_base_url("ext::sh -c touch"),
            RemoteRepo::github("octo", "infra", "main").with_base_url("ssh://github.com"),
        ];
        for remote in bad {
            assert!(
                matches!(remote.clone_url(), Err(ForgeError::InvalidRemote { .. })),
                "{remote:?} should be refused"
            );
        }
    }

    #[test]
    fn token_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", AccessToken::new("ghp_secret")),
            "AccessToken(***)"
        );
    }
}
