//! A minimal HTTP/1.1 GET over a plain TCP socket, enough for readiness checks.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::HarnessError;

/// Largest response body [`http_get`] reads; readiness checks need only a few bytes.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// The status code and body of an HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code, e.g. 200.
    pub status: u16,
    /// The body, lossily decoded as UTF-8 (chunked encoding is not decoded).
    pub body: String,
}

/// Sends `GET path` to `addr` with `Connection: close` and reads the whole response.
pub fn http_get(addr: SocketAddr, path: &str) -> Result<HttpResponse, HarnessError> {
    let url = format!("http://{addr}{path}");
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| HarnessError::io(format!("connecting to {url}"), e))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| HarnessError::io(format!("setting a read timeout for {url}"), e))?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| HarnessError::io(format!("sending GET {url}"), e))?;
    let mut raw = Vec::new();
    stream
        .take(MAX_RESPONSE_BYTES)
        .read_to_end(&mut raw)
        .map_err(|e| HarnessError::io(format!("reading the response of {url}"), e))?;
    parse_response(&url, &raw)
}

fn parse_response(url: &str, raw: &[u8]) -> Result<HttpResponse, HarnessError> {
    let text = String::from_utf8_lossy(raw);
    let bad = |reason: &str| HarnessError::Http {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let status_line = text.lines().next().ok_or_else(|| bad("empty response"))?;
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(bad(&format!("status line {status_line:?} is not HTTP/1.x")));
    }
    let status = parts
        .next()
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| bad(&format!("no status code in {status_line:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok(HttpResponse { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_body() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nok";
        let response = parse_response("http://x/healthz", raw).unwrap();
        assert_eq!(
            response,
            HttpResponse {
                status: 200,
                body: "ok".into()
            }
        );
    }

    #[test]
    fn rejects_a_response_that_is_not_http() {
        let err = parse_response("http://x/", b"SSH-2.0-OpenSSH\r\n").unwrap_err();
        assert!(err.to_string().contains("not HTTP/1.x"), "{err}");
    }

    #[test]
    fn rejects_an_empty_response() {
        let err = parse_response("http://x/", b"").unwrap_err();
        assert!(err.to_string().contains("empty response"), "{err}");
    }

    #[test]
    fn talks_to_a_real_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let n = conn.read(&mut buf).unwrap();
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            conn.write_all(b"HTTP/1.1 503 Service Unavailable\r\n\r\nstarting")
                .unwrap();
            request
        });
        let response = http_get(addr, "/healthz").unwrap();
        assert_eq!(response.status, 503);
        assert_eq!(response.body, "starting");
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /healthz HTTP/1.1\r\n"),
            "{request}"
        );
    }
}
