//! The Imports page.
use leptos::prelude::*;

use crate::pages::components::EmptyState;

/// Imports: the list, or what to do first when it is empty.
#[component]
pub fn ImportsPage() -> impl IntoView {
    view! {
        <h1>"Imports"</h1>
        <EmptyState title="Nothing imported yet">
            <p>"Upload a findings export from your scanner. The format is detected from the content; each import is all-or-nothing and shows what was new, updated, closed, unchanged and skipped."</p>
        </EmptyState>
    }
}
