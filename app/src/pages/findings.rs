//! The Findings page.
use leptos::prelude::*;

use crate::pages::components::EmptyState;

/// Findings: the list, or what to do first when it is empty.
#[component]
pub fn FindingsPage() -> impl IntoView {
    view! {
        <h1>"Findings"</h1>
        <EmptyState title="No findings yet">
            <p>"Findings come from your scanners: Security Hub, Prowler, Wiz, Orca, AWS Config, Checkov, KICS, Trivy, tfsec, Terrascan or any SARIF file. Go to Imports to upload an export, or send one from CI to POST /api/v1/imports."</p>
        </EmptyState>
    }
}
