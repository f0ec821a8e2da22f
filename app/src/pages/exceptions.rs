//! The Exceptions page.
use leptos::prelude::*;

use crate::pages::components::EmptyState;

/// Exceptions: the list, or what to do first when it is empty.
#[component]
pub fn ExceptionsPage() -> impl IntoView {
    view! {
        <h1>"Exceptions"</h1>
        <EmptyState title="No exceptions">
            <p>"An exception is a time-boxed, approved decision not to fix a finding. Developers request them from a work item; security approves or denies them here."</p>
        </EmptyState>
    }
}
