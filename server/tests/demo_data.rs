//! The demo-data server functions through the real router: one test per role, and the
//! dashboard turns from empty to populated.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up helpers: a failed set-up should panic"
)]
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use redress_server::web;
use redress_store::{DEMO_PASSWORD, NewUser, testing};
use redress_types::Role;
use tower::ServiceExt as _;

mod support;
use support::{form_post, text, web_config};

const PASSWORD: &str = "a long password";

struct App {
    router: Router,
    _db: testing::TestDb,
    data: tempfile::TempDir,
}

async fn app() -> App {
    let db = testing::sqlite().await.unwrap();
    for role in [Role::Admin, Role::Security, Role::Developer, Role::Manager] {
        db.store
            .create_user(NewUser {
                email: format!("{role}@example.com"),
                display_name: None,
                role,
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let mut state = web::app_state(db.store.clone(), &web_config());
    state.data_dir = data.path().to_path_buf();
    App {
        router: web::router(state, false),
        _db: db,
        data,
    }
}

/// A form POST that asks for JSON back (as the server fn client does).
fn post(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = form_post(path, body.to_owned(), cookie);
    request.headers_mut().insert(
        header::ACCEPT,
        header::HeaderValue::from_static("application/json"),
    );
    request
}

async fn login(app: &App, email: &str) -> String {
    support::login(&app.router, email, PASSWORD).await
}

async fn call(app: &App, role: Role, path: &str) -> (StatusCode, String) {
    let cookie = login(app, &format!("{role}@example.com")).await;
    let response = app
        .router
        .clone()
        .oneshot(post(path, "", Some(&cookie)))
        .await
        .unwrap();
    let status = response.status();
    (status, text(response).await)
}

async fn assert_loads(role: Role) {
    let app = app().await;
    let (status, body) = call(&app, role, "/api/demo/state").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(r#""empty":true"#) && body.contains(r#""can_load_demo":true"#),
        "{body}"
    );
    let (status, body) = call(&app, role, "/api/demo/load").await;
    assert_eq!(status, StatusCode::OK, "{role}: {body}");
    assert!(
        body.contains(r#""already_loaded":false"#) && body.contains(DEMO_PASSWORD),
        "{body}"
    );
    assert!(
        app.data.path().join("demo/acme-infra/.git").is_dir(),
        "the checkout is under the data directory"
    );
    let (_, body) = call(&app, role, "/api/demo/state").await;
    assert!(
        body.contains(r#""empty":false"#),
        "populated after loading: {body}"
    );
    let (status, body) = call(&app, role, "/api/demo/load").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#""already_loaded":true"#),
        "twice changes nothing: {body}"
    );
}

async fn assert_refused(role: Role) {
    let app = app().await;
    let (status, body) = call(&app, role, "/api/demo/state").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""can_load_demo":false"#), "{body}");
    let (status, body) = call(&app, role, "/api/demo/load").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
    assert!(
        !app.data.path().join("demo").exists(),
        "nothing written for a refused call"
    );
    let (_, body) = call(&app, role, "/api/demo/state").await;
    assert!(body.contains(r#""empty":true"#), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_loads_the_demo_data() {
    assert_loads(Role::Admin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_loads_the_demo_data() {
    assert_loads(Role::Security).await;
}

#[tokio::test]
async fn developer_cannot_load_the_demo_data() {
    assert_refused(Role::Developer).await;
}

#[tokio::test]
async fn manager_cannot_load_the_demo_data() {
    assert_refused(Role::Manager).await;
}

#[tokio::test]
async fn visitors_cannot_ask_or_load() {
    let app = app().await;
    for path in ["/api/demo/state", "/api/demo/load"] {
        let response = app
            .router
            .clone()
            .oneshot(post(path, "", None))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
}
