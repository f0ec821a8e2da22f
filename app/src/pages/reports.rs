//! The Reports page.
use leptos::prelude::*;

use crate::pages::components::EmptyState;

/// Reports: the list, or what to do first when it is empty.
#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <h1>"Reports"</h1>
        <EmptyState title="Nothing to report yet">
            <p>"Reports show campaign progress, open findings by severity and exceptions expiring soon. They fill in as you import findings and run campaigns."</p>
        </EmptyState>
    }
}
