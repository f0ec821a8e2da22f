//! The demo-data server functions through the real router: one test per role, and the
//! dashboard turns from empty to populated.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up helpers: a failed set-up should panic"
)]
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, Response, StatusCode, header},
};
use redress_server::web::{self, WebConfig};
use redress_store::{DEMO_PASSWORD, NewUser, testing};
use redress_types::Role;
use tower::ServiceExt as _;

const HOST: &str = "127.0.0.1:3000";
const ORIGIN: &str = "http://127.0.0.1:3000";
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
    let config = WebConfig {
        addr: HOST.parse().unwrap(),
        site_root: "target/site".into(),
        secure_cookies: false,
    };
    let data = tempfile::tempdir().unwrap();
    let mut state = web::app_state(db.store.clone(), &config);
    state.data_dir = data.path().to_path_buf();
    App {
        router: web::router(state, false),
        _db: db,
        data,
    }
}

fn post(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn text(response: Response<Body>) -> String {
    String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

async fn login(app: &App, email: &str) -> String {
    let body = format!(
        "email={}&password=a+long+password",
        email.replace('@', "%40")
    );
    let response = app
        .router
        .clone()
        .oneshot(post("/api/login", &body, None))
        .await
        .unwrap();
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("redress_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{email} could not log in"))
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
