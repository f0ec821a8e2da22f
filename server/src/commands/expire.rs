//! `redress expire-exceptions`: expire every approved exception whose expiry has passed and
//! reopen its work items now, instead of waiting for the server's periodic run.
use std::process::ExitCode;

use redress_store::Store;

/// Runs the expiry once against `store` (whose clock decides what has expired).
pub async fn run(store: &Store) -> anyhow::Result<ExitCode> {
    let expired = store.expire_exceptions().await?;
    println!("Expired {expired} exception(s); their work items are open again.");
    Ok(ExitCode::SUCCESS)
}
