//! The app shell: navigation, the user menu, and the login redirect for visitors.
use leptos::prelude::*;
use leptos_router::{
    components::{A, Outlet, Redirect},
    hooks::use_location,
};

use crate::{
    auth::{Logout, whoami},
    pages::components::CurrentUser,
};

/// The navigation entries, in order.
pub const NAV: [(&str, &str); 8] = [
    ("/campaigns", "Campaigns"),
    ("/my-work", "My work"),
    ("/findings", "Findings"),
    ("/imports", "Imports"),
    ("/repositories", "Repositories"),
    ("/exceptions", "Exceptions"),
    ("/reports", "Reports"),
    ("/settings", "Settings"),
];

/// Wraps every logged-in page; visitors are sent to the login page.
///
/// Only the navigation waits for the user: the page (`Outlet`) is rendered outside the
/// `Suspense`, so it is built once (see [`CurrentUser`]).
#[component]
pub fn Shell() -> impl IntoView {
    let user = Resource::new(|| (), |_| whoami());
    provide_context(CurrentUser::new(user));
    let location = use_location();
    view! {
        <div class="app">
            <Suspense fallback=|| view! { <header class="topbar"><span class="brand">"Redress"</span></header> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => view! {
                            <Nav user_name=user.display_name.clone() role=user.role.to_string()/>
                        }
                            .into_any(),
                        _ => {
                            let next = location.pathname.get_untracked();
                            let path = if next == "/" {
                                "/login".to_owned()
                            } else {
                                format!("/login?next={}", urlencode(&next))
                            };
                            view! { <Redirect path=path/> }.into_any()
                        }
                    }
                })}
            </Suspense>
            <main id="content" class="content">
                <Outlet/>
            </main>
        </div>
    }
}

#[component]
fn Nav(user_name: String, role: String) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let expanded = RwSignal::new(true);
    view! {
        <header class="topbar">
            <a class="skip" href="#content">"Skip to content"</a>
            <A href="/" attr:class="brand">"Redress"</A>
            <button
                type="button"
                id="nav-toggle"
                class="nav-toggle"
                aria-controls="main-nav"
                aria-expanded=move || expanded.get().to_string()
                on:click=move |_| expanded.update(|e| *e = !*e)
            >
                {move || if expanded.get() { "Hide menu" } else { "Show menu" }}
            </button>
            <nav id="main-nav" aria-label="Main" class:collapsed=move || !expanded.get()>
                <ul>
                    {NAV
                        .into_iter()
                        .map(|(href, label)| view! { <li><A href=href>{label}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
            <div class="user">
                <span class="user-name">{user_name}</span>
                <span class="role-badge">{role}</span>
                <ActionForm action=logout>
                    <button type="submit" class="link-button">"Log out"</button>
                </ActionForm>
            </div>
        </header>
    }
}

/// Percent-encodes a path for use in a query string.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
