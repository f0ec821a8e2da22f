//! A minimal HTTP/1.1 GET over a plain TCP socket, enough for readiness checks.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::HarnessError;

/// Largest response body [`http_get`] reads; readiness checks need only a few bytes.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// The status code, headers and body of an HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code, e.g. 200.
    pub status: u16,
    /// The headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, lossily decoded as UTF-8 (chunked encoding is not decoded).
    pub body: String,
}

impl HttpResponse {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET path` to `addr` with `Connection: close` and reads the whole response.
pub fn http_get(addr: SocketAddr, path: &str) -> Result<HttpResponse, HarnessError> {
    http_request(addr, "GET", path)
}

/// Sends `HEAD path` to `addr`: the status and headers without the body.
pub fn http_head(addr: SocketAddr, path: &str) -> Result<HttpResponse, HarnessError> {
    http_request(addr, "HEAD", path)
}

fn http_request(addr: SocketAddr, method: &str, path: &str) -> Result<HttpResponse, HarnessError> {
    let url = format!("http://{addr}{path}");
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| HarnessError::io(format!("connecting to {url}"), e))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| HarnessError::io(format!("setting a read timeout for {url}"), e))?;
    let request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| HarnessError::io(format!("sending {method} {url}"), e))?;
    let raw = read_response(&mut stream, method == "HEAD")
        .map_err(|e| HarnessError::io(format!("reading the response of {url}"), e))?;
    parse_response(&url, &raw)
}

/// Reads until the end of the body: `Content-Length` bytes after the headers when the server
/// sends one (some, like chromedriver, keep the connection open despite `Connection: close`),
/// else until the server closes the connection.
fn read_response(stream: &mut impl Read, headers_only: bool) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if headers_only && header_end(&raw).is_some() {
            return Ok(raw);
        }
        if let Some(total) = expected_length(&raw)
            && raw.len() >= total
        {
            return Ok(raw);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(raw);
        }
        raw.extend_from_slice(&chunk[..n]);
        if raw.len() as u64 > MAX_RESPONSE_BYTES {
            return Err(std::io::Error::other(format!(
                "response larger than {MAX_RESPONSE_BYTES} bytes"
            )));
        }
    }
}

/// Header length plus `Content-Length`, once the headers are complete and name a length.
fn expected_length(raw: &[u8]) -> Option<usize> {
    let header_end = header_end(raw)?;
    let headers = String::from_utf8_lossy(&raw[..header_end]);
    let length = headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    })?;
    Some(header_end + length)
}

/// The length of the status line and headers, with the blank line, once they are complete.
fn header_end(raw: &[u8]) -> Option<usize> {
    Some(raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4)
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
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: body.to_owned(),
    })
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
                headers: vec![("content-type".into(), "text/plain".into())],
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
    fn stops_at_content_length_on_a_kept_alive_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf).unwrap();
            conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length:14\r\n\r\n{\"ready\":true}")
                .unwrap();
            // Keep the connection open until the client is done, like chromedriver.
            done_rx.recv().unwrap();
        });
        let started = std::time::Instant::now();
        let response = http_get(addr, "/status").unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "waited for a close"
        );
        assert_eq!(response.status, 200);
        assert_eq!(response.body, "{\"ready\":true}");
        done_tx.send(()).unwrap();
        server.join().unwrap();
    }

    #[test]
    fn expected_length_needs_complete_headers() {
        assert_eq!(
            expected_length(b"HTTP/1.1 200 OK\r\nContent-Length: 2"),
            None
        );
        assert_eq!(expected_length(b"HTTP/1.1 200 OK\r\n\r\n"), None);
        assert_eq!(
            expected_length(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"),
            Some(40)
        );
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
