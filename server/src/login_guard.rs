//! Sends visitors without a session to the login page before any page renders.
//!
//! Pages stream as they render, so a redirect decided inside the page would come after the
//! status line; deciding here gives a real `303 See Other` to `/login?next=…`, which also
//! works without JavaScript. Server functions, the REST API, assets and `/healthz` check
//! access themselves and pass through.
use axum::{
    body::Body,
    http::{Method, Request, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

/// Axum middleware (inside the session layer): page requests need a logged-in session.
pub async fn require_login(session: Session, request: Request<Body>, next: Next) -> Response {
    let path = request.uri().path();
    let is_page = matches!(*request.method(), Method::GET | Method::HEAD) && is_page_path(path);
    if !is_page {
        return next.run(request).await;
    }
    let logged_in = session
        .get::<i64>(app::ssr::SESSION_USER_ID)
        .await
        .ok()
        .flatten()
        .is_some();
    if logged_in {
        return next.run(request).await;
    }
    let wants = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let target = if wants == "/" {
        "/login".to_owned()
    } else {
        format!("/login?next={}", app::pages::layout::urlencode(wants))
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Paths that are pages behind the login (not the login page, APIs, assets or health).
fn is_page_path(path: &str) -> bool {
    const PUBLIC_PREFIXES: [&str; 4] = ["/api/", "/pkg/", "/healthz", "/login"];
    let last = path.rsplit('/').next().unwrap_or("");
    !PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p)) && !last.contains('.')
}

#[cfg(test)]
mod tests {
    use super::is_page_path;

    #[test]
    fn pages_are_guarded_and_public_paths_are_not() {
        for page in ["/", "/findings", "/items/3", "/campaigns/1/audit"] {
            assert!(is_page_path(page), "{page}");
        }
        for public in [
            "/login",
            "/api/login",
            "/pkg/redress.wasm",
            "/healthz",
            "/favicon.ico",
        ] {
            assert!(!is_page_path(public), "{public}");
        }
    }
}
