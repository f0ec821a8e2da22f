//! Runs the scan and fix entry points outside the server:
//! `cargo run -p redress-policy --example redress_policy -- scan DIR [--json|--sarif]`
//! `cargo run -p redress-policy --example redress_policy -- fix DIR POLICY ADDRESS`

use std::path::Path;

use redress_policy::cli::{ScanFormat, fix_dir, scan_dir};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["scan", dir, rest @ ..] => {
            let format = match rest.first() {
                Some(&"--json") => ScanFormat::Json,
                Some(&"--sarif") => ScanFormat::Sarif,
                _ => ScanFormat::Text,
            };
            let report = scan_dir(Path::new(dir), format)?;
            for e in &report.errors {
                eprintln!("{}:{}: {}", e.file, e.line, e.message);
            }
            print!("{}", report.output);
        }
        ["fix", dir, policy, address] => print!(
            "{}",
            fix_dir(Path::new(dir), policy, address, false)?.output
        ),
        _ => eprintln!("usage: scan DIR [--json|--sarif] | fix DIR POLICY ADDRESS"),
    }
    Ok(())
}
