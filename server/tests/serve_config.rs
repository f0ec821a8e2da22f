//! `redress serve` checks its settings before it starts: a bad upload size limit stops it
//! with one line naming the variable and the value, and a good one lets it serve.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on any error"
)]
use std::{
    io::{BufRead as _, BufReader, Read as _},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// `redress serve` on a fresh SQLite file in `dir`, on a free port, with `limit` as
/// `REDRESS_MAX_IMPORT_BYTES`.
fn serve(dir: &std::path::Path, limit: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_redress"))
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/redress.db", dir.display()),
        )
        .env("REDRESS_ADDR", "127.0.0.1:0")
        .env("REDRESS_MAX_IMPORT_BYTES", limit)
        .env("REDRESS_ADMIN_EMAIL", "admin@example.com")
        .env("REDRESS_ADMIN_PASSWORD", "a long password")
        .env_remove("REDRESS_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for the child to exit (at most 60 s).
fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("redress serve did not stop on a bad setting");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_bad_upload_limit_stops_the_server_with_one_line_naming_it() {
    for bad in ["lots", "0", "-5"] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = serve(dir.path(), bad);
        let status = wait_exit(&mut child);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(!status.success(), "{bad}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: REDRESS_MAX_IMPORT_BYTES={bad:?} ")),
            "{stderr}"
        );
        assert!(
            !dir.path().join("redress.db").exists(),
            "{bad}: stopped before opening the database"
        );
    }
}

#[test]
fn a_good_upload_limit_lets_the_server_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve(dir.path(), "1048576");
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    let serving = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(line) if line.starts_with("Redress is serving") => break true,
            Ok(line) => seen.push(line),
            Err(_) => break false,
        }
    };
    let exited = child.try_wait().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(serving, "no serving line; exit {exited:?}; stdout {seen:?}");
}
