//! Remote repositories mirrored into a local cache, from `file://` and a local HTTP listener.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

use redress_forge::{AccessToken, ForgeError, MirrorCache, ReadSource, RemoteRepo};

use crate::common::{TestRepo, git};

const TOKEN: &str = "s3cr3t-token";
/// base64("x-access-token:s3cr3t-token")
const GITHUB_BASIC: &str = "eC1hY2Nlc3MtdG9rZW46czNjcjN0LXRva2Vu";
/// base64("oauth2:s3cr3t-token")
const GITLAB_BASIC: &str = "b2F1dGgyOnMzY3IzdC10b2tlbg==";

/// A "forge" directory holding `octo-org/infra.git`, pushed from a work repository.
struct Origin {
    forge_dir: tempfile::TempDir,
    work: TestRepo,
}

impl Origin {
    fn new() -> Origin {
        let forge_dir = tempfile::tempdir().expect("tempdir");
        let bare = forge_dir.path().join("octo-org/infra.git");
        std::fs::create_dir_all(&bare).expect("mkdir");
        git(&bare, &["init", "-q", "--bare", "-b", "main"]);
        let work = TestRepo::new();
        work.write("main.tf", "# v1\n");
        work.write(".github/CODEOWNERS", "*.tf @octo-org/infra\n");
        work.commit("v1");
        git(
            work.path(),
            &["remote", "add", "origin", &bare.display().to_string()],
        );
        git(work.path(), &["push", "-q", "origin", "main"]);
        Origin { forge_dir, work }
    }

    fn base_url(&self) -> String {
        format!("file://{}", self.forge_dir.path().display())
    }

    fn remote(&self) -> RemoteRepo {
        RemoteRepo::github("octo-org", "infra", "main").with_base_url(&self.base_url())
    }
}

fn read_all(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&read_all(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

#[test]
fn a_remote_is_mirrored_and_refreshed() {
    let origin = Origin::new();
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let cache = MirrorCache::new(cache_dir.path());
    let token = AccessToken::new(TOKEN);

    let mirror = cache
        .sync(&origin.remote(), Some(&token))
        .expect("first sync");
    assert!(mirror.is_bare());
    assert!(
        mirror
            .root()
            .starts_with(std::fs::canonicalize(cache_dir.path()).expect("canonical"))
    );
    assert!(mirror.root().ends_with("octo-org/infra.git"));
    let v1 = git(origin.work.path(), &["rev-parse", "HEAD"]);
    assert_eq!(mirror.head().expect("head").commit, v1);
    assert_eq!(
        mirror.tracked_files().expect("files"),
        [".github/CODEOWNERS", "main.tf"]
    );
    assert_eq!(
        mirror
            .read_text("main.tf", &ReadSource::Head)
            .expect("read"),
        "# v1\n"
    );
    let (location, owners) = mirror
        .find_codeowners(Some(origin.remote().forge.codeowners_syntax()))
        .expect("lookup")
        .expect("found");
    assert_eq!(location, ".github/CODEOWNERS");
    assert_eq!(owners.owners_for("main.tf")[0].name, "@octo-org/infra");

    // A new commit and a branch that later disappears.
    origin.work.write("main.tf", "# v2\n");
    let v2 = origin.work.commit("v2");
    git(
        origin.work.path(),
        &["push", "-q", "origin", "main", "main:feature"],
    );
    let mirror = cache
        .sync(&origin.remote(), Some(&token))
        .expect("second sync");
    assert_eq!(mirror.head().expect("head").commit, v2);
    assert_eq!(mirror.resolve_commit("feature").expect("feature"), v2);
    git(origin.work.path(), &["push", "-q", "origin", ":feature"]);
    let mirror = cache.sync(&origin.remote(), None).expect("third sync");
    assert!(
        mirror.resolve_commit("feature").is_err(),
        "deleted branches are pruned"
    );

    let stored = read_all(cache_dir.path());
    assert!(
        !stored.contains(TOKEN),
        "the token must not be stored in the cache"
    );
    assert!(!stored.contains(GITHUB_BASIC));
    let url = git(mirror.root(), &["config", "remote.origin.url"]);
    assert_eq!(url, format!("{}/octo-org/infra.git", origin.base_url()));
}

#[test]
fn a_missing_default_branch_or_repository_is_reported() {
    let origin = Origin::new();
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let cache = MirrorCache::new(cache_dir.path());
    let wrong_branch =
        RemoteRepo::github("octo-org", "infra", "develop").with_base_url(&origin.base_url());
    match cache.sync(&wrong_branch, None) {
        Err(ForgeError::InvalidRemote { reason, .. }) => assert!(reason.contains("develop")),
        other => panic!("expected InvalidRemote, got {other:?}"),
    }

    let missing = RemoteRepo::github("octo-org", "nope", "main").with_base_url(&origin.base_url());
    match cache.sync(&missing, Some(&AccessToken::new(TOKEN))) {
        Err(error @ ForgeError::Git { .. }) => {
            let message = error.to_string();
            assert!(message.contains("fetch"), "{message}");
            assert!(!message.contains(TOKEN), "{message}");
        }
        other => panic!("expected a git error, got {other:?}"),
    }
    let path = cache.mirror_path(&missing).expect("path");
    assert!(!path.exists(), "a failed first fetch leaves no mirror");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
        .expect("read dir")
        .flatten()
        .map(|entry| entry.file_name())
        .filter(|name| name.to_string_lossy().starts_with(".incoming-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Serves one HTTP request with a 401 and returns the request head git sent.
fn capture_one_request(listener: TcpListener) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return String::new();
        };
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        while !request.windows(4).any(|window| window == b"\r\n\r\n") {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => request.extend_from_slice(&buffer[..read]),
            }
        }
        let _ignored = stream
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        String::from_utf8_lossy(&request).into_owned()
    })
}

fn token_goes_in_a_header(remote: RemoteRepo, expected_basic: &str) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = capture_one_request(listener);
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let remote = remote.with_base_url(&format!("http://127.0.0.1:{port}"));
    let result = MirrorCache::new(cache_dir.path()).sync(&remote, Some(&AccessToken::new(TOKEN)));
    let request = server.join().expect("server thread");
    let request_line = request.lines().next().unwrap_or_default().to_owned();
    assert!(
        request_line.starts_with("GET /octo-org/infra.git/info/refs"),
        "{request_line}"
    );
    assert!(!request_line.contains(TOKEN));
    assert!(
        request.lines().any(
            |line| line.eq_ignore_ascii_case(&format!("authorization: Basic {expected_basic}"))
        ),
        "no Authorization header in {request:?}"
    );
    let message = match result {
        Err(error) => error.to_string(),
        Ok(_) => panic!("a 403 must fail the sync"),
    };
    assert!(!message.contains(TOKEN), "{message}");
    assert!(!message.contains(expected_basic), "{message}");
}

#[test]
fn the_github_token_is_sent_as_an_authorization_header_only() {
    token_goes_in_a_header(
        RemoteRepo::github("octo-org", "infra", "main"),
        GITHUB_BASIC,
    );
}

#[test]
fn the_gitlab_token_uses_the_oauth2_user() {
    token_goes_in_a_header(
        RemoteRepo::gitlab("octo-org", "infra", "main"),
        GITLAB_BASIC,
    );
}

#[test]
fn a_checkout_follows_the_default_branch_and_drops_local_changes() {
    let origin = Origin::new();
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let cache = MirrorCache::new(cache_dir.path());
    let checkout = cache
        .checkout(&origin.remote(), Some(&AccessToken::new(TOKEN)))
        .expect("first checkout");
    assert!(!checkout.is_bare());
    let expected = cache.worktree_path(&origin.remote()).expect("path");
    assert_eq!(
        checkout.root(),
        std::fs::canonicalize(&expected).expect("canonical")
    );
    assert!(expected.starts_with(cache_dir.path().join("worktrees")));
    assert_eq!(
        std::fs::read_to_string(checkout.root().join("main.tf")).expect("read"),
        "# v1\n"
    );
    // A stray edit in the cache's work tree, then a new commit upstream.
    std::fs::write(checkout.root().join("main.tf"), "# local edit\n").expect("write");
    std::fs::write(checkout.root().join("stray.tf"), "# untracked\n").expect("write");
    origin.work.write("main.tf", "# v2\n");
    let v2 = origin.work.commit("v2");
    git(origin.work.path(), &["push", "-q", "origin", "main"]);
    let checkout = cache
        .checkout(&origin.remote(), None)
        .expect("second checkout");
    assert_eq!(checkout.head().expect("head").commit, v2);
    assert_eq!(
        std::fs::read_to_string(checkout.root().join("main.tf")).expect("read"),
        "# v2\n"
    );
    assert!(!checkout.root().join("stray.tf").exists());
    assert!(
        !read_all(cache_dir.path()).contains(TOKEN),
        "no token anywhere in the cache"
    );
}
