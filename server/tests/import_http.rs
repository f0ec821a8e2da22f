//! The findings import endpoints through the real router: `POST /api/v1/imports` (bearer
//! token only) and the browser's `POST /imports/upload` (session + CSRF guard).
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
use redress_types::{ImportSummary, Role};
use tower::ServiceExt as _;

const HOST: &str = "127.0.0.1:3000";
const ORIGIN: &str = "http://127.0.0.1:3000";
const PASSWORD: &str = "a long password";

struct Fixture {
    app: Router,
    db: testing::TestDb,
    security_token: String,
    manager_token: String,
}

async fn fixture() -> Fixture {
    let db = testing::sqlite().await.unwrap();
    let mut tokens = Vec::new();
    for (email, role) in [
        ("sec@example.com", Role::Security),
        ("boss@example.com", Role::Manager),
    ] {
        let user = db
            .store
            .create_user(NewUser {
                email: email.into(),
                display_name: None,
                role,
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
        tokens.push(
            db.store
                .create_api_token(user.id, "ci")
                .await
                .unwrap()
                .secret,
        );
    }
    let config = WebConfig {
        addr: HOST.parse().unwrap(),
        site_root: "target/site".into(),
        secure_cookies: false,
    };
    let app = web::router(web::app_state(db.store.clone(), &config), false);
    let manager_token = tokens.pop().unwrap();
    let security_token = tokens.pop().unwrap();
    Fixture {
        app,
        db,
        security_token,
        manager_token,
    }
}

fn asff(ids: &[&str]) -> Vec<u8> {
    let findings: Vec<_> = ids
        .iter()
        .map(|id| {
            serde_json::json!({
                "SchemaVersion": "2018-10-08", "Id": id,
                "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
                "GeneratorId": "security-control/S3.14", "AwsAccountId": "111122223333",
                "Title": "S3.14 failed", "Severity": {"Label": "HIGH"},
                "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.14"},
                "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::{id}"), "Region": "eu-west-1"}]
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Findings": findings })).unwrap()
}

fn api_post(uri: &str, token: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut request = Request::post(uri)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json");
    match token {
        Some(token) => request = request.header(header::AUTHORIZATION, format!("Bearer {token}")),
        // Without a token the CSRF guard wants a same-site origin; past it, 401.
        None => request = request.header(header::ORIGIN, ORIGIN),
    }
    request.body(Body::from(body)).unwrap()
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

fn multipart(file: &[u8], full: bool) -> (String, Vec<u8>) {
    let boundary = "XyZbOuNdArY";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\n\r\n")
            .as_bytes(),
    );
    if full {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"full\"\r\n\r\non\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../hub.json\"\r\nContent-Type: application/json\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_rest_endpoint_takes_only_bearer_tokens_of_importing_roles() {
    let f = fixture().await;
    let response = f
        .app
        .clone()
        .oneshot(api_post("/api/v1/imports", None, asff(&["a"])))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(text(response).await.contains("log in"));

    let response = f
        .app
        .clone()
        .oneshot(api_post(
            "/api/v1/imports",
            Some("rdx_not_a_token"),
            asff(&["a"]),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response = f
        .app
        .clone()
        .oneshot(api_post(
            "/api/v1/imports",
            Some(&f.manager_token),
            asff(&["a"]),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(text(response).await.contains("manager"));

    let response = f
        .app
        .clone()
        .oneshot(api_post(
            "/api/v1/imports?name=hub.json",
            Some(&f.security_token),
            asff(&["a", "b", "a"]),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let summary: ImportSummary = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!(
        (summary.new, summary.unchanged, summary.format.as_str()),
        (2, 1, "asff")
    );
    assert_eq!(summary.file_name, "hub.json");

    // Multipart, full import: b is absent and closes.
    let (content_type, body) = multipart(&asff(&["a"]), false);
    let request = Request::post("/api/v1/imports?full=true")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", f.security_token),
        )
        .body(Body::from(body))
        .unwrap();
    let response = f.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let summary: ImportSummary = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!((summary.new, summary.closed, summary.unchanged), (0, 1, 1));
    assert_eq!(
        summary.file_name, "hub.json",
        "directories are dropped from the name"
    );
}

#[tokio::test]
async fn a_bad_file_is_answered_422_naming_the_record_and_field() {
    let f = fixture().await;
    let mut doc: serde_json::Value = serde_json::from_slice(&asff(&["a", "b"])).unwrap();
    doc["Findings"][1]["Resources"] = "nope".into();
    let response = f
        .app
        .clone()
        .oneshot(api_post(
            "/api/v1/imports",
            Some(&f.security_token),
            serde_json::to_vec(&doc).unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = text(response).await;
    assert!(
        body.contains("record 2") && body.contains("Resources"),
        "{body}"
    );
    let response = f
        .app
        .clone()
        .oneshot(api_post(
            "/api/v1/imports?format=nessus",
            Some(&f.security_token),
            asff(&["a"]),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let history = f.db.store.list_imports(1, 10).await.unwrap();
    assert_eq!(history.items.iter().filter(|r| r.status == "ok").count(), 0);
}

async fn login(app: &Router, email: &str) -> String {
    let body = format!(
        "email={}&password=a+long+password",
        email.replace('@', "%40")
    );
    let request = Request::post("/api/login")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("redress_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("login sets the session cookie")
}

fn upload(cookie: &str, origin: &str, file: &[u8]) -> Request<Body> {
    let (content_type, body) = multipart(file, false);
    Request::post("/imports/upload")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn the_browser_upload_redirects_back_and_refuses_cross_site_posts() {
    let f = fixture().await;
    let cookie = login(&f.app, "sec@example.com").await;

    let response = f
        .app
        .clone()
        .oneshot(upload(&cookie, "http://evil.example", &asff(&["a"])))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        f.db.store.list_imports(1, 10).await.unwrap().total,
        0,
        "nothing imported"
    );

    let response = f
        .app
        .clone()
        .oneshot(upload(&cookie, ORIGIN, &asff(&["a", "b"])))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let history = f.db.store.list_imports(1, 10).await.unwrap();
    assert_eq!(location, format!("/imports?import={}", history.items[0].id));
    assert_eq!(history.items[0].new, 2);
    assert_eq!(
        history.items[0].user_email.as_deref(),
        Some("sec@example.com")
    );

    let response = f
        .app
        .clone()
        .oneshot(upload(&cookie, ORIGIN, b"not findings"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        location.starts_with("/imports?error=") && location.contains("tried"),
        "{location}"
    );

    let manager = login(&f.app, "boss@example.com").await;
    let response = f
        .app
        .clone()
        .oneshot(upload(&manager, ORIGIN, &asff(&["c"])))
        .await
        .unwrap();
    let location = response
        .headers()
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(location.contains("manager"), "{location}");

    let response = f
        .app
        .clone()
        .oneshot(upload("redress_session=nope", ORIGIN, &asff(&["c"])))
        .await
        .unwrap();
    assert_eq!(
        response.headers().get(header::LOCATION).unwrap(),
        "/login?next=/imports"
    );
}
