//! Plain data types shared by the server and the browser: roles, users, pages of results.
//!
//! Everything here is `serde`-serializable and compiles to wasm; nothing here knows about
//! the database or the web stack. The store returns these types and the app renders them.
#![warn(missing_docs)]

mod findings;
mod role;
mod workflow;

pub use findings::{
    FindingDetail, FindingFacets, FindingQuery, FindingRow, FindingSort, IMPORT_FORMATS,
    ImportRecord, ImportSkip, ImportSummary,
};
pub use role::{Role, UnknownRole};
pub use workflow::*;

use serde::{Deserialize, Serialize};

/// A user as the rest of the application sees it (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// Database id.
    pub id: i64,
    /// Login e-mail, unique, stored lower-case.
    pub email: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
}

/// One page of a server-side paginated list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows on this page.
    pub items: Vec<T>,
    /// Total rows matching the filter, counted by the database.
    pub total: u64,
    /// 1-based page number.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
}

impl<T> Page<T> {
    /// Number of pages needed for `total` rows (at least 1).
    pub fn page_count(&self) -> u64 {
        if self.per_page == 0 {
            return 1;
        }
        self.total.div_ceil(self.per_page).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_count_rounds_up_and_is_at_least_one() {
        let page = |total| Page::<()> {
            items: vec![],
            total,
            page: 1,
            per_page: 50,
        };
        assert_eq!(page(0).page_count(), 1);
        assert_eq!(page(50).page_count(), 1);
        assert_eq!(page(51).page_count(), 2);
    }
}

/// An API token as listed in Settings (the secret itself is shown only once, at creation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenSummary {
    /// Database id.
    pub id: i64,
    /// What the user called it ("CI pipeline").
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    /// When it was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it was last used, if ever.
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}
