//! Locating the shared corpora from tests (included with `mod`).

use std::path::PathBuf;

/// `$REDRESS_CORPORA`, or `../shared/corpora` next to the workspace root.
/// `None` (after printing why) when it is absent.
pub fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("REDRESS_CORPORA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "corpora not found at {} (set REDRESS_CORPORA); skipping",
            dir.display()
        );
        None
    }
}
