//! Small building blocks shared by pages.
use leptos::prelude::*;
use redress_types::{Role, UserSummary};

use crate::error::AppError;

/// The logged-in user as the shell loads it (`whoami`), shared with every page inside it.
///
/// Pages read it inside their own `Suspend` (`user.get().await`), never while being built:
/// the shell renders the page outside its `Suspense`, because during server rendering a
/// `Suspense` re-runs its children, and a page built there was built two or three times, with
/// a second set of resources, which broke hydration now and then.
#[derive(Clone, Copy)]
pub struct CurrentUser(Resource<Result<Option<UserSummary>, AppError>>);

impl CurrentUser {
    /// Wraps the shell's `whoami` resource.
    pub fn new(resource: Resource<Result<Option<UserSummary>, AppError>>) -> Self {
        Self(resource)
    }

    /// The user; `None` for a visitor or when it could not be loaded.
    pub async fn get(self) -> Option<UserSummary> {
        self.0.await.ok().flatten()
    }

    /// Whether the user has one of `roles` (false for a visitor).
    pub async fn has_role(self, roles: &[Role]) -> bool {
        self.get().await.is_some_and(|u| roles.contains(&u.role))
    }
}

/// The current user, from the shell's context (a fresh `whoami` outside the shell).
pub fn use_current_user() -> CurrentUser {
    use_context::<CurrentUser>()
        .unwrap_or_else(|| CurrentUser(Resource::new(|| (), |_| crate::auth::whoami())))
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
