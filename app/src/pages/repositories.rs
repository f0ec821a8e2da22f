//! The Repositories page.
use leptos::prelude::*;

use crate::pages::components::EmptyState;

/// Repositories: the list, or what to do first when it is empty.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    view! {
        <h1>"Repositories"</h1>
        <EmptyState title="No repositories registered">
            <p>"Register a Terraform repository (a local git checkout or a GitHub/GitLab remote) so Redress can map findings to the exact lines that define each resource."</p>
        </EmptyState>
    }
}
