//! Cross-site request forgery protection for every state-changing request.
//!
//! A browser always sends `Origin` (or at least `Referer`) with a POST, and `Sec-Fetch-Site`
//! when it supports it. A state-changing request is accepted only when those say it came from
//! this site. Requests authenticated by an API token (`Authorization: Bearer …`) carry no
//! cookie-based authority, so they are exempt. Safe methods (GET, HEAD, OPTIONS) pass.
use axum::{
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Axum middleware: refuses cross-site state-changing requests with 403.
pub async fn protect(request: Request<Body>, next: Next) -> Response {
    if is_safe_method(request.method()) || has_bearer_token(request.headers()) {
        return next.run(request).await;
    }
    match same_site_verdict(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(%reason, path = %request.uri().path(), "refused cross-site request");
            (StatusCode::FORBIDDEN, format!("Refused: {reason}.")).into_response()
        }
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn has_bearer_token(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "))
}

/// `Ok` when the headers show the request came from this site.
pub fn same_site_verdict(headers: &HeaderMap) -> Result<(), String> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return Err(format!("Sec-Fetch-Site is {site}"));
    }
    let host = get("host").ok_or("no Host header")?;
    let source = get("origin")
        .filter(|o| *o != "null")
        .or_else(|| get("referer"));
    let Some(source) = source else {
        return Err("no Origin or Referer header on a state-changing request".into());
    };
    match authority_of(source) {
        Some(authority) if authority.eq_ignore_ascii_case(host) => Ok(()),
        Some(authority) => Err(format!("origin {authority} is not this site ({host})")),
        None => Err(format!("unreadable origin {source:?}")),
    }
}

/// `host[:port]` of an absolute http(s) URL.
fn authority_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn same_origin_passes() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(same_site_verdict(&h).is_ok());
        let h = headers(&[
            ("host", "redress.local"),
            ("referer", "https://redress.local/login?next=/"),
        ]);
        assert!(same_site_verdict(&h).is_ok());
    }

    #[test]
    fn cross_site_is_refused() {
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example"),
        ]);
        assert!(same_site_verdict(&h).unwrap_err().contains("evil.example"));
        let h = headers(&[
            ("host", "a"),
            ("origin", "http://a"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(same_site_verdict(&h).is_err());
        let h = headers(&[("host", "127.0.0.1:3000")]);
        assert!(same_site_verdict(&h).is_err(), "no origin at all");
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000.evil.example"),
        ]);
        assert!(same_site_verdict(&h).is_err(), "prefix trick");
    }

    #[test]
    fn bearer_tokens_are_recognised() {
        assert!(has_bearer_token(&headers(&[(
            "authorization",
            "Bearer rdx_abc"
        )])));
        assert!(!has_bearer_token(&headers(&[(
            "authorization",
            "Basic abc"
        )])));
    }
}
