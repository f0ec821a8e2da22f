//! Child processes that die with their owner, free ports, and log tails.

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::HarnessError;

/// Asks the kernel for a free loopback TCP port.
///
/// The port is free when this returns; another process could take it before it is used,
/// which is unlikely enough for tests.
pub fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| HarnessError::io("binding 127.0.0.1:0 to find a free port", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| HarnessError::io("reading the address of a bound socket", e))?
        .port();
    Ok(port)
}

/// A running child process in its own process group, with its output in a log file.
///
/// Dropping it kills the whole group (the program and everything it started, such as the
/// browser processes of chromedriver) and waits for the program.
#[derive(Debug)]
pub(crate) struct ChildGuard {
    program: String,
    child: Child,
    log: PathBuf,
}

impl ChildGuard {
    /// Starts `command` in a new process group, stdout and stderr appended to `log`.
    pub(crate) fn spawn(mut command: Command, log: &Path) -> Result<Self, HarnessError> {
        let program = command.get_program().to_string_lossy().into_owned();
        let out = File::create(log)
            .map_err(|e| HarnessError::io(format!("creating log file {}", log.display()), e))?;
        let err = out
            .try_clone()
            .map_err(|e| HarnessError::io(format!("sharing log file {}", log.display()), e))?;
        command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = command.spawn().map_err(|source| HarnessError::Spawn {
            program: program.clone(),
            source,
        })?;
        Ok(Self {
            program,
            child,
            log: log.to_path_buf(),
        })
    }

    /// Fails with the end of the log if the program has already exited.
    pub(crate) fn check_running(&mut self) -> Result<(), HarnessError> {
        match self.child.try_wait() {
            Ok(Some(status)) => Err(HarnessError::ExitedEarly {
                program: self.program.clone(),
                status,
                log: self.log.clone(),
                tail: log_tail(&self.log, 30),
            }),
            Ok(None) => Ok(()),
            Err(e) => Err(HarnessError::io(
                format!("checking whether {} is running", self.program),
                e,
            )),
        }
    }

    /// The log file holding the program's stdout and stderr.
    pub(crate) fn log(&self) -> &Path {
        &self.log
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // The child leads its own process group (process_group(0)), so its pid is the group id.
        let group = format!("-{}", self.child.id());
        let killed_group = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !killed_group {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The last `lines` lines of a log file, or a note saying why it could not be read.
pub(crate) fn log_tail(path: &Path, lines: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(could not read {}: {e})", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn free_port_can_be_bound() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    }

    #[test]
    fn log_tail_keeps_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("x.log");
        std::fs::write(&log, "1\n2\n3\n4\n").unwrap();
        assert_eq!(log_tail(&log, 2), "3\n4");
        assert_eq!(log_tail(&log, 10), "1\n2\n3\n4");
        assert!(log_tail(&dir.path().join("missing"), 2).contains("could not read"));
    }

    #[test]
    fn dropping_the_guard_kills_the_child_and_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("sh.log");
        let pid_file = dir.path().join("grandchild.pid");
        let mut command = Command::new("sh");
        command.arg("-c").arg(format!(
            "sleep 300 & echo $! > {}; echo started; wait",
            pid_file.display()
        ));
        let mut guard = ChildGuard::spawn(command, &log).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !pid_file.exists()
            || std::fs::read_to_string(&pid_file)
                .unwrap()
                .trim()
                .is_empty()
        {
            assert!(
                Instant::now() < deadline,
                "the shell never started its child"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        guard.check_running().unwrap();
        let grandchild = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .to_owned();
        drop(guard);
        // The grandchild is gone (or a zombie awaiting its reaper) once the group is killed.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let state = std::fs::read_to_string(format!("/proc/{grandchild}/stat"))
                .map(|stat| stat.split_whitespace().nth(2).unwrap_or("?").to_owned());
            match state {
                Err(_) => break,
                Ok(s) if s == "Z" => break,
                Ok(_) => {
                    assert!(
                        Instant::now() < deadline,
                        "grandchild {grandchild} survived"
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "started\n");
    }

    #[test]
    fn check_running_reports_an_early_exit_with_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("false.log");
        let mut command = Command::new("sh");
        command.arg("-c").arg("echo 'port 3000 in use' >&2; exit 3");
        let mut guard = ChildGuard::spawn(command, &log).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let err = loop {
            match guard.check_running() {
                Err(e) => break e,
                Ok(()) => {
                    assert!(Instant::now() < deadline, "sh never exited");
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        };
        let text = err.to_string();
        assert!(text.contains("exited early"), "{text}");
        assert!(text.contains("port 3000 in use"), "{text}");
    }
}
