//! Redress web UI: Leptos pages, components and thin server functions.
//!
//! Pages live in [`pages`], one module per screen. Server functions are thin: check the
//! caller's role with [`ssr::require_role`], call one `redress-store` operation, map the error
//! through [`error::AppError`]. Compiled twice: with `ssr` for the server and `hydrate` for wasm.
#![recursion_limit = "256"]

pub mod api;
pub mod auth;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
};

use pages::{
    campaigns::CampaignsPage, dashboard::DashboardPage, exceptions::ExceptionsPage,
    findings::FindingsPage, imports::ImportsPage, layout::Shell, login::LoginPage,
    reports::ReportsPage, repositories::RepositoriesPage, settings::SettingsPage,
};

/// The HTML document rendered on the server around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The root component: routes and layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/redress.css"/>
        <Title text="Redress"/>
        <Router>
            <Routes fallback=|| view! { <p class="not-found">"Page not found."</p> }>
                <Route path=StaticSegment("login") view=LoginPage/>
                <ParentRoute path=StaticSegment("") view=Shell>
                    <Route path=StaticSegment("") view=DashboardPage/>
                    <Route path=StaticSegment("campaigns") view=CampaignsPage/>
                    <Route path=leptos_router::path!("campaigns/new") view=pages::campaigns::NewCampaignPage/>
                    <Route path=leptos_router::path!("campaigns/:id") view=pages::campaigns::CampaignDetailPage/>
                    <Route path=leptos_router::path!("my-work") view=pages::my_work::MyWorkPage/>
                    <Route path=StaticSegment("audit") view=pages::audit::AuditPage/>
                    <Route path=StaticSegment("findings") view=FindingsPage/>
                    <Route path=StaticSegment("imports") view=ImportsPage/>
                    <Route path=StaticSegment("repositories") view=RepositoriesPage/>
                    <Route path=StaticSegment("exceptions") view=ExceptionsPage/>
                    <Route path=StaticSegment("reports") view=ReportsPage/>
                    <Route path=StaticSegment("settings") view=SettingsPage/>
                    <Route path=leptos_router::path!("items/:id") view=pages::item::ItemPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
