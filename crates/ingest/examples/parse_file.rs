//! Parses one findings file and prints the summary as JSON (used for the peak-memory
//! measurement, and handy by hand).
//!
//! `cargo run --release -p redress-ingest --example parse_file -- FILE [FORMAT] [--findings]`

use std::fs::File;
use std::io::Write;
use std::process::ExitCode;

use redress_ingest::{Format, Limits, parse};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: parse_file FILE [FORMAT] [--findings]");
        return ExitCode::from(2);
    };
    let show = args.iter().any(|a| a == "--findings");
    let format = match args.get(1).filter(|a| !a.starts_with("--")) {
        Some(name) => match name.parse::<Format>() {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let limits = Limits::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = parse(file, format, &limits, &mut |finding| {
        if show {
            // A closed pipe (`| head`) stops the parse instead of panicking.
            serde_json::to_writer(&mut out, &finding)?;
            writeln!(out)?;
        }
        Ok(())
    });
    drop(out);
    match result {
        Ok(summary) => {
            let text = serde_json::to_string_pretty(&summary).unwrap_or_default();
            println!("{text}");
            if let Some(peak) = peak_rss_kib() {
                eprintln!("peak RSS: {} MiB", peak / 1024);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The process's peak resident set (VmHWM) in KiB, on Linux.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
