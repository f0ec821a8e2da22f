//! Small building blocks shared by pages.
use leptos::prelude::*;
use redress_types::UserSummary;

use crate::error::AppError;

/// The logged-in user, provided by the shell to every page inside it.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub UserSummary);

/// The current user from context (pages inside the shell always have one).
pub fn use_current_user() -> Option<UserSummary> {
    use_context::<CurrentUser>().map(|c| c.0)
}

/// A friendly box for an empty list: what it is, and what to do next.
#[component]
pub fn EmptyState(
    /// Headline, e.g. "No campaigns yet".
    title: &'static str,
    /// What to do next.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="empty-state">
            <h2>{title}</h2>
            <div class="empty-body">{children()}</div>
        </section>
    }
}

/// Shows the error of a failed action or load, if any.
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! { <p class="error" role="alert">{e.to_string()}</p> }
        })
    }
}
