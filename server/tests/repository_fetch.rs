//! Remote repositories through the real router: the access token given at registration is
//! stored sealed (the database files never contain it), and fetching still works: the
//! remote is mirrored and checked out under the data directory and indexed, and the token,
//! opened with the server's key, reaches the forge as an HTTP Authorization header.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up helpers: a failed set-up should panic"
)]
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use axum::{Router, http::StatusCode};
use redress_server::web;
use redress_store::{NewUser, testing};
use redress_types::Role;
use tower::ServiceExt as _;

mod support;
use support::{form_post, text, web_config};

const TOKEN: &str = "ghp_Fetch7estToken0123456789";
/// base64("x-access-token:ghp_Fetch7estToken0123456789"), what GitHub expects.
const BASIC: &str = "eC1hY2Nlc3MtdG9rZW46Z2hwX0ZldGNoN2VzdFRva2VuMDEyMzQ1Njc4OQ==";
const MAIN_TF: &str = "resource \"aws_db_instance\" \"app\" {\n  storage_encrypted = false\n}\n";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// `<forge>/acme/infra.git` with one commit on `main`.
fn origin(forge: &Path) {
    let bare = forge.join("acme/infra.git");
    std::fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare", "-b", "main"]);
    let work = tempfile::tempdir().unwrap();
    git(work.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(work.path().join("main.tf"), MAIN_TF).unwrap();
    git(work.path(), &["add", "."]);
    git(work.path(), &["commit", "-q", "-m", "v1"]);
    git(
        work.path(),
        &["push", "-q", &bare.display().to_string(), "main"],
    );
}

fn router(store: &redress_store::Store, data: &Path, github: &str) -> Router {
    let mut state = web::app_state(store.clone(), &web_config());
    state.data_dir = data.to_path_buf();
    state.forge_urls.github = github.to_owned();
    web::router(state, false)
}

async fn call(app: &Router, path: &str, body: &str, cookie: &str) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(form_post(path, body.to_owned(), Some(cookie)))
        .await
        .unwrap();
    let status = response.status();
    (status, text(response).await)
}

async fn login(app: &Router) -> String {
    support::login(app, "admin@example.com", "a long password").await
}

/// Everything the SQLite database has written: the file and its write-ahead log.
fn database_bytes(url: &str) -> Vec<u8> {
    let path = url.trim_start_matches("sqlite://");
    let mut bytes = std::fs::read(path).unwrap();
    for suffix in ["-wal", "-journal"] {
        if let Ok(more) = std::fs::read(format!("{path}{suffix}")) {
            bytes.extend(more);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Answers one HTTP request with 403 and returns the request head.
fn capture_one_request(listener: TcpListener) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return String::new();
        };
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        let _ = stream
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        String::from_utf8_lossy(&request).into_owned()
    })
}

#[tokio::test]
async fn a_sealed_token_is_never_stored_in_clear_and_fetching_still_uses_it() {
    let db = testing::sqlite().await.unwrap();
    db.store
        .create_user(NewUser {
            email: "admin@example.com".into(),
            display_name: None,
            role: Role::Admin,
            password: "a long password".into(),
        })
        .await
        .unwrap();
    let forge = tempfile::tempdir().unwrap();
    origin(forge.path());
    let data = tempfile::tempdir().unwrap();
    let app = router(
        &db.store,
        data.path(),
        &format!("file://{}", forge.path().display()),
    );
    let cookie = login(&app).await;

    let (status, body) = call(
        &app,
        "/api/repositories/create",
        &format!("name=acme%2Finfra&kind=github&remote=acme%2Finfra&token={TOKEN}"),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body.contains(TOKEN), "{body}");
    let id = db.store.list_repositories().await.unwrap()[0].id;

    // At rest: not in the database, in clear or hex; the key file is private.
    let bytes = database_bytes(&db.url);
    assert!(
        !contains(&bytes, TOKEN.as_bytes()),
        "the token is stored in clear"
    );
    assert!(!contains(&bytes, hex_of(TOKEN).as_bytes()));
    assert!(
        contains(&bytes, b"enc1:"),
        "no sealed token in the database"
    );
    let key_file = data.path().join("secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "key file mode {mode:o}");
    }

    // Fetching: mirrored, checked out under the data directory, indexed.
    let (status, body) = call(
        &app,
        "/api/repositories/fetch",
        &format!("id={id}"),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let summary: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["files"], 1, "{body}");
    assert_eq!(summary["resources"], 1, "{body}");
    let repository = db.store.repository(id).await.unwrap();
    let checkout = repository.local_path.unwrap();
    assert!(
        Path::new(&checkout).starts_with(std::fs::canonicalize(data.path()).unwrap()),
        "{checkout}"
    );
    assert_eq!(
        std::fs::read_to_string(Path::new(&checkout).join("main.tf")).unwrap(),
        MAIN_TF
    );

    // The token reaches the forge, opened, as a Basic authorization header (and nowhere else).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = capture_one_request(listener);
    let via_http = router(&db.store, data.path(), &format!("http://127.0.0.1:{port}"));
    let (status, body) = call(
        &via_http,
        "/api/repositories/fetch",
        &format!("id={id}"),
        &cookie,
    )
    .await;
    let request = server.join().unwrap();
    assert!(
        request
            .lines()
            .any(|l| l.eq_ignore_ascii_case(&format!("authorization: Basic {BASIC}"))),
        "no Authorization header in {request:?}"
    );
    assert!(!request.lines().next().unwrap_or_default().contains(TOKEN));
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a refused fetch is reported: {body}"
    );
    assert!(
        body.contains("acme/infra") && !body.contains(TOKEN),
        "{body}"
    );
}

#[tokio::test]
async fn a_local_repository_is_not_fetched() {
    let db = testing::sqlite().await.unwrap();
    db.store
        .create_user(NewUser {
            email: "admin@example.com".into(),
            display_name: None,
            role: Role::Admin,
            password: "a long password".into(),
        })
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let checkout = tempfile::tempdir().unwrap();
    let app = router(&db.store, data.path(), "https://github.com");
    let cookie = login(&app).await;
    let path = checkout.path().display().to_string().replace('/', "%2F");
    let (status, body) = call(
        &app,
        "/api/repositories/create",
        &format!("name=local&kind=local&path={path}"),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = db.store.list_repositories().await.unwrap()[0].id;
    let (status, body) = call(
        &app,
        "/api/repositories/fetch",
        &format!("id={id}"),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("only remotes are fetched"), "{body}");
    assert!(
        !data.path().join("secret.key").exists(),
        "no key is made when no secret is stored"
    );
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
