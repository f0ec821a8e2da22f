//! Plain HTTP endpoints outside Leptos: the findings import for pipelines
//! (`POST /api/v1/imports`, bearer token) and the browser's upload form
//! (`POST /imports/upload`, session). Both stream the body to a temp file under the size
//! limit, then import it in one transaction.
pub mod imports;
pub mod patch;
mod upload;

pub use imports::{
    MAX_IMPORT_BYTES_ENV, api_import, browser_upload, max_import_bytes, parse_max_import_bytes,
};
pub use patch::item_patch;
