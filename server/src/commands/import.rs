//! `redress import FILE... [--format X] [--full] [--repository R] [--json]`: import
//! findings files into the database and print what each import did.
//!
//! A bad file stops the command with its one-line error (format, record, field), exit
//! code 1, and no findings written. With several files, every file is parsed before the
//! first is imported, so a bad one anywhere means nothing is written at all. A single
//! file is imported straight away (parsing it twice would double the time of a large
//! import): its import is one transaction, and a failure is recorded in the import
//! history as failed, as an upload's is.
use std::{
    fs::File,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use redress_ingest::{Format, Limits, parse};
use redress_store::{ImportRequest, Store};
use redress_types::ImportSummary;

/// Arguments of `redress import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Findings format, when detection from the content is not wanted.
    #[arg(long)]
    pub format: Option<Format>,
    /// Full import: close the open findings of the same source and scope that are absent.
    #[arg(long)]
    pub full: bool,
    /// The repository IaC findings belong to (their scope for --full).
    #[arg(long)]
    pub repository: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Findings files in any supported format.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Runs the command against the database at `database_url`.
pub async fn run(database_url: &str, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(database_url).await?;
    match import_files(&store, &args).await {
        Ok(summaries) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&summaries)?);
            } else {
                print!("{}", table(&summaries));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Imports each file in its own transaction; with several files, checks first that every
/// one parses.
pub async fn import_files(store: &Store, args: &ImportArgs) -> anyhow::Result<Vec<ImportSummary>> {
    let limits = Limits {
        max_bytes: crate::rest::max_import_bytes().map_err(anyhow::Error::msg)?,
    };
    if let [path] = args.files.as_slice() {
        return Ok(vec![
            import_one(store, args, path, args.format, limits).await?,
        ]);
    }
    let mut formats = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let format = args.format;
        let summary =
            tokio::task::spawn_blocking(move || parse(file, format, &limits, &mut |_| Ok(())))
                .await
                .context("the parser stopped unexpectedly")?
                .with_context(|| path.display().to_string())?;
        formats.push(summary.format);
    }
    let mut summaries = Vec::with_capacity(args.files.len());
    for (path, format) in args.files.iter().zip(formats) {
        summaries.push(import_one(store, args, path, Some(format), limits).await?);
    }
    Ok(summaries)
}

/// Imports one file (its format detected when `format` is `None`).
async fn import_one(
    store: &Store,
    args: &ImportArgs,
    path: &Path,
    format: Option<Format>,
    limits: Limits,
) -> anyhow::Result<ImportSummary> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut request = ImportRequest::new(path.display().to_string());
    request.format = format;
    request.full = args.full;
    request.repository = args.repository.clone();
    request.limits = limits;
    store
        .import_findings(file, request)
        .await
        .with_context(|| path.display().to_string())
}

/// The readable summary: one row per file, then each file's skips.
pub fn table(summaries: &[ImportSummary]) -> String {
    let headers = [
        "FILE",
        "FORMAT",
        "NEW",
        "UPDATED",
        "CLOSED",
        "UNCHANGED",
        "SKIPPED",
    ];
    let rows: Vec<[String; 7]> = summaries
        .iter()
        .map(|s| {
            [
                s.file_name.clone(),
                s.format.clone(),
                s.new.to_string(),
                s.updated.to_string(),
                s.closed.to_string(),
                s.unchanged.to_string(),
                s.skipped.to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let text: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
    };
    line(headers.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    for s in summaries {
        for skip in &s.skips {
            out.push_str(&format!(
                "skipped in {}: {}: {}\n",
                s.file_name, skip.position, skip.reason
            ));
        }
        if s.skipped > s.skips.len() as u64 {
            out.push_str(&format!(
                "… and {} more skips in {}\n",
                s.skipped - s.skips.len() as u64,
                s.file_name
            ));
        }
    }
    out
}
