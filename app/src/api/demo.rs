//! Demo data from the dashboard: whether the app is still empty, and loading the demo
//! dataset (admin and security) through the store's one `load_demo` operation.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Roles that may load the demo data.
#[cfg(feature = "ssr")]
const DEMO_ROLES: &[redress_types::Role] =
    &[redress_types::Role::Admin, redress_types::Role::Security];

/// What the dashboard shows: its empty state, or the headline numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardState {
    /// No repository and no campaign yet.
    pub empty: bool,
    /// The caller may load the demo data.
    pub can_load_demo: bool,
    /// Work items assigned to the caller or their teams and not done.
    pub my_open_items: u64,
    /// Campaigns in progress.
    pub active_campaigns: u64,
    /// Exception requests waiting for a decision.
    pub pending_exceptions: u64,
    /// Open findings.
    pub open_findings: u64,
}

/// One demo user, for the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLogin {
    /// Login e-mail.
    pub email: String,
    /// Role name.
    pub role: String,
}

/// What loading the demo data did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLoaded {
    /// Everything already existed.
    pub already_loaded: bool,
    /// The demo users.
    pub users: Vec<DemoLogin>,
    /// Their shared password.
    pub password: String,
    /// Campaigns created now.
    pub campaigns: u64,
    /// Work items created now.
    pub work_items: u64,
    /// New findings imported now.
    pub findings: u64,
}

/// Whether the app is empty (every logged-in role may ask).
#[server(endpoint = "demo/state")]
pub async fn load_dashboard_state() -> Result<DashboardState, AppError> {
    let user = crate::ssr::require_user().await?;
    let store = crate::ssr::state()?.store;
    let campaigns = store.list_campaigns(None, 1, 1).await?.total;
    let repositories = store.list_repositories().await?.len();
    let open = redress_types::FindingQuery {
        status: Some("open".into()),
        per_page: 1,
        ..Default::default()
    };
    Ok(DashboardState {
        empty: campaigns == 0 && repositories == 0,
        can_load_demo: DEMO_ROLES.contains(&user.role),
        my_open_items: store.my_work(user.id, 1, 1).await?.total,
        active_campaigns: store
            .list_campaigns(Some(redress_types::CampaignStatus::Active), 1, 1)
            .await?
            .total,
        pending_exceptions: store.pending_exceptions(1, 1).await?.total,
        open_findings: store.list_findings(&open).await?.total,
    })
}

/// Loads the demo dataset (admin and security); loading it again changes nothing.
#[server(endpoint = "demo/load")]
pub async fn load_demo() -> Result<DemoLoaded, AppError> {
    let user = crate::ssr::require_role(DEMO_ROLES, "load demo data").await?;
    let state = crate::ssr::state()?;
    let summary = state
        .store
        .load_demo(Some(&user), &state.data_dir.join("demo"))
        .await?;
    Ok(DemoLoaded {
        already_loaded: summary.already_loaded,
        users: summary
            .users
            .into_iter()
            .map(|u| DemoLogin {
                email: u.email,
                role: u.role.to_string(),
            })
            .collect(),
        password: redress_store::DEMO_PASSWORD.to_owned(),
        campaigns: summary.campaigns_created,
        work_items: summary.work_items_created,
        findings: summary.new_findings,
    })
}
