//! Login, sessions, CSRF, rate limiting and role checks through the real router.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on any error"
)]
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, Response, StatusCode, header},
};
use redress_server::web::{self, WebConfig};
use redress_store::{NewUser, testing};
use redress_types::Role;
use tower::ServiceExt as _;

const HOST: &str = "127.0.0.1:3000";
const PASSWORD: &str = "a long password";

async fn app() -> (Router, testing::TestDb) {
    let db = testing::sqlite().await.unwrap();
    for (email, role) in [
        ("admin@example.com", Role::Admin),
        ("dev@example.com", Role::Developer),
    ] {
        db.store
            .create_user(NewUser {
                email: email.into(),
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
    (
        web::router(web::app_state(db.store.clone(), &config), false),
        db,
    )
}

fn form_post(path: &str, body: &str, origin: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, origin)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

fn session_cookie(response: &Response<Body>) -> Option<(String, String)> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("redress_session="))
        .map(|v| (v.split(';').next().unwrap().to_owned(), v.to_owned()))
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

async fn login(app: &Router, email: &str, cookie: Option<&str>) -> Response<Body> {
    let body = format!(
        "email={}&password=a+long+password",
        email.replace('@', "%40")
    );
    app.clone()
        .oneshot(form_post(
            "/api/login",
            &body,
            "http://127.0.0.1:3000",
            cookie,
        ))
        .await
        .unwrap()
}

async fn whoami(app: &Router, cookie: &str) -> String {
    let request = form_post("/api/whoami", "", "http://127.0.0.1:3000", Some(cookie));
    text(app.clone().oneshot(request).await.unwrap()).await
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_reaching_the_server_function() {
    let (app, _db) = app().await;
    let body = "email=admin%40example.com&password=a+long+password";
    let response = app
        .clone()
        .oneshot(form_post("/api/login", body, "http://evil.example", None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        session_cookie(&response).is_none(),
        "no session for a forged login"
    );
    assert!(text(response).await.contains("evil.example"));

    // A logged-in victim's cookie does not help a forged request either.
    let (cookie, _) = session_cookie(&login(&app, "admin@example.com", None).await).unwrap();
    let forged = form_post(
        "/api/settings/create_my_token",
        "name=stolen",
        "http://evil.example",
        Some(&cookie),
    );
    assert_eq!(
        app.clone().oneshot(forged).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let same_site = form_post(
        "/api/settings/create_my_token",
        "name=mine",
        "http://127.0.0.1:3000",
        Some(&cookie),
    );
    assert_eq!(
        app.clone().oneshot(same_site).await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn login_sets_a_safe_cookie_rotates_the_id_and_logout_ends_the_session() {
    let (app, _db) = app().await;
    let first = login(&app, "dev@example.com", None).await;
    assert!(
        first.status().is_redirection() || first.status().is_success(),
        "{}",
        first.status()
    );
    let (cookie, attributes) = session_cookie(&first).expect("session cookie");
    assert!(attributes.contains("HttpOnly"), "{attributes}");
    assert!(attributes.contains("SameSite=Lax"), "{attributes}");
    assert!(
        !attributes.contains("Secure"),
        "plain http here: {attributes}"
    );
    assert!(whoami(&app, &cookie).await.contains("dev@example.com"));

    // Logging in again with an existing session gets a new id; the old one stops working.
    let (rotated, _) =
        session_cookie(&login(&app, "dev@example.com", Some(&cookie)).await).unwrap();
    assert_ne!(rotated, cookie);
    assert_eq!(whoami(&app, &cookie).await, "null");
    assert!(whoami(&app, &rotated).await.contains("dev@example.com"));

    let out = app
        .clone()
        .oneshot(form_post(
            "/api/logout",
            "",
            "http://127.0.0.1:3000",
            Some(&rotated),
        ))
        .await
        .unwrap();
    let (_, removal) = session_cookie(&out).expect("cookie removed");
    assert!(
        removal.contains("Max-Age=0") || removal.contains("expires=Thu, 01 Jan 1970"),
        "{removal}"
    );
    assert_eq!(whoami(&app, &rotated).await, "null");
}

#[tokio::test]
async fn secure_cookies_when_served_over_https() {
    let db = testing::sqlite().await.unwrap();
    db.store
        .create_user(NewUser {
            email: "a@example.com".into(),
            display_name: None,
            role: Role::Admin,
            password: PASSWORD.into(),
        })
        .await
        .unwrap();
    let config = WebConfig {
        addr: HOST.parse().unwrap(),
        site_root: "target/site".into(),
        secure_cookies: true,
    };
    let app = web::router(web::app_state(db.store.clone(), &config), true);
    let (_, attributes) = session_cookie(&login(&app, "a@example.com", None).await).unwrap();
    assert!(attributes.contains("Secure"), "{attributes}");
}

#[tokio::test]
async fn repeated_failed_logins_are_rate_limited() {
    let (app, _db) = app().await;
    let wrong = "email=admin%40example.com&password=wrong+password";
    for attempt in 0..5 {
        let response = app
            .clone()
            .oneshot(form_post(
                "/api/login",
                wrong,
                "http://127.0.0.1:3000",
                None,
            ))
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let response = login(&app, "admin@example.com", None).await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(text(response).await.contains("Too many failed logins"));
}

#[tokio::test]
async fn server_functions_check_the_role_on_the_server() {
    let (app, _db) = app().await;
    let no_session = form_post(
        "/api/settings/list_users",
        "",
        "http://127.0.0.1:3000",
        None,
    );
    assert_eq!(
        app.clone().oneshot(no_session).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let (dev, _) = session_cookie(&login(&app, "dev@example.com", None).await).unwrap();
    let as_dev = form_post(
        "/api/settings/list_users",
        "",
        "http://127.0.0.1:3000",
        Some(&dev),
    );
    let response = app.clone().oneshot(as_dev).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(text(response).await.contains("developer"));
    let (admin, _) = session_cookie(&login(&app, "admin@example.com", None).await).unwrap();
    let as_admin = form_post(
        "/api/settings/list_users",
        "",
        "http://127.0.0.1:3000",
        Some(&admin),
    );
    let response = app.clone().oneshot(as_admin).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(text(response).await.contains("dev@example.com"));
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let (app, _db) = app().await;
    let response = app
        .oneshot(
            Request::get("/healthz")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "ok");
}

#[tokio::test]
async fn visitors_are_sent_to_the_login_page_which_renders_the_form() {
    let (app, _db) = app().await;
    let page = app
        .clone()
        .oneshot(
            Request::get("/findings")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    assert_eq!(page.headers()[header::LOCATION], "/login?next=/findings");
    let (cookie, _) = session_cookie(&login(&app, "dev@example.com", None).await).unwrap();
    let logged_in = Request::get("/findings")
        .header(header::HOST, HOST)
        .header(header::COOKIE, &cookie);
    let page = app
        .clone()
        .oneshot(logged_in.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(text(page).await.contains("Findings"));
    let login = app
        .oneshot(
            Request::get("/login")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = text(login).await;
    assert!(
        html.contains("name=\"email\"") && html.contains("name=\"password\""),
        "{html}"
    );
}
