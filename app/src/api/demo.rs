//! Demo data from the dashboard: whether the app is still empty, and loading the demo
//! dataset (admin and security) through the store's one `load_demo` operation.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Roles that may load the demo data.
#[cfg(feature = "ssr")]
const DEMO_ROLES: &[redress_types::Role] =
    &[redress_types::Role::Admin, redress_types::Role::Security];

/// What the dashboard needs to decide on its empty state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardState {
    /// No repository and no campaign yet.
    pub empty: bool,
    /// The caller may load the demo data.
    pub can_load_demo: bool,
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
    Ok(DashboardState {
        empty: campaigns == 0 && repositories == 0,
        can_load_demo: DEMO_ROLES.contains(&user.role),
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
