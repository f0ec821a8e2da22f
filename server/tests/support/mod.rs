//! What the HTTP tests of the server share: a same-origin form POST, logging in through
//! `/api/login` for the session cookie, and reading a body as text. Each test file builds its
//! own router and data; only the plumbing lives here.

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, Response, header},
};
use redress_server::web::WebConfig;
use tower::ServiceExt as _;

/// The host the test requests are addressed to.
pub const HOST: &str = "127.0.0.1:3000";
/// The same-origin `Origin` header the CSRF guard lets through.
pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// The web configuration of an HTTP test: plain http on [`HOST`], no secure cookies.
pub fn web_config() -> WebConfig {
    WebConfig {
        addr: HOST.parse().expect("HOST is a socket address"),
        site_root: "target/site".into(),
        secure_cookies: false,
    }
}

/// A same-origin form POST of an already encoded `body`, with the session `cookie` if any.
pub fn form_post(path: &str, body: String, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body)).expect("a valid request")
}

/// Logs in through the login endpoint and returns the `redress_session=…` cookie pair.
/// Panics (failing the test) with the e-mail when the login gives no session.
pub async fn login(app: &Router, email: &str, password: &str) -> String {
    let body = format!(
        "email={}&password={}",
        urlencode(email),
        urlencode(password)
    );
    let response = app
        .clone()
        .oneshot(form_post("/api/login", body, None))
        .await
        .expect("the router answers");
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("redress_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{email} could not log in"))
}

/// The body of `response` as UTF-8 text (at most 8 MiB).
pub async fn text(response: Response<Body>) -> String {
    let bytes = to_bytes(response.into_body(), 8 << 20)
        .await
        .expect("a readable body");
    String::from_utf8(bytes.to_vec()).expect("a UTF-8 body")
}

/// Percent-encodes a form value (everything but unreserved characters).
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
