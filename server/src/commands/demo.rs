//! `redress demo [--data-dir DIR]`: load the demo dataset (a Terraform git repository under
//! `DIR/demo`, its states, findings from three tools, users, teams and two campaigns) and
//! print who can log in. Running it again changes nothing.
use std::{path::PathBuf, process::ExitCode};

use redress_store::{DEMO_PASSWORD, DemoSummary, Store};

/// Arguments of `redress demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Data directory; the demo repository is written to `DIR/demo/acme-infra`.
    #[arg(long, env = "REDRESS_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

/// Loads the demo data into `store` and prints the summary.
pub async fn run(store: &Store, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let summary = store.load_demo(None, &args.data_dir.join("demo")).await?;
    print!("{}", describe(&summary));
    Ok(ExitCode::SUCCESS)
}

/// What `redress demo` prints.
pub fn describe(summary: &DemoSummary) -> String {
    let mut out = String::new();
    if summary.already_loaded {
        out.push_str("The demo data is already loaded; nothing changed.\n");
    } else {
        out.push_str(&format!(
            "Loaded the demo data: {} findings files ({} new findings), {} campaigns, {} work items.\n",
            summary.imported_files, summary.new_findings, summary.campaigns_created, summary.work_items_created
        ));
    }
    out.push_str(&format!("Repository checkout: {}\n", summary.checkout));
    out.push_str(&format!("Demo users (password {DEMO_PASSWORD}):\n"));
    for u in &summary.users {
        let team = u
            .team
            .as_deref()
            .map(|t| format!(", team {t}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<30} {} ({}{team})\n",
            u.email, u.display_name, u.role
        ));
    }
    out
}
