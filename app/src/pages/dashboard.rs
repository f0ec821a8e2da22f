//! The landing page after login: where things stand and what to do next.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::pages::components::use_current_user;

/// Getting started, and later the headline numbers.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let name = use_current_user()
        .map(|u| u.display_name)
        .unwrap_or_default();
    view! {
        <h1>"Welcome, " {name}</h1>
        <section class="getting-started">
            <h2>"Getting started"</h2>
            <ol>
                <li><A href="/imports">"Import findings"</A>" from your cloud or IaC scanners."</li>
                <li><A href="/repositories">"Register a Terraform repository"</A>" so findings map to code."</li>
                <li><A href="/campaigns">"Start a campaign"</A>" to fix one policy everywhere by a date."</li>
            </ol>
        </section>
    }
}
