//! Writes a generated ASFF file for the peak-memory benchmark.
//!
//! `cargo run --release -p redress-ingest --example generate_asff -- /tmp/asff-300mb.json 150000`

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

#[path = "../benches/asff_gen.rs"]
mod asff_gen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(count)) = (
        args.first(),
        args.get(1).and_then(|c| c.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: generate_asff PATH COUNT");
        return ExitCode::from(2);
    };
    let written = File::create(path).and_then(|file| {
        let mut out = BufWriter::new(file);
        asff_gen::write_asff(&mut out, count)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}
