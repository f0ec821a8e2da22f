//! The Campaigns page.
use leptos::prelude::*;

use crate::pages::components::EmptyState;

/// Campaigns: the list, or what to do first when it is empty.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    view! {
        <h1>"Campaigns"</h1>
        <EmptyState title="No campaigns yet">
            <p>"A campaign is a time-boxed push on a set of policies over a scope, such as every RDS instance encrypted by March. Import findings and register a repository first; then a security lead can start one here."</p>
        </EmptyState>
    }
}
