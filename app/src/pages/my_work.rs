//! "My work": the caller's open items and their teams' items.
use leptos::prelude::*;

use crate::{
    api::campaigns::my_work,
    pages::{
        campaigns::{Pager, WorkItemTable, use_page},
        components::EmptyState,
    },
};

/// The items assigned to the caller or to one of their teams that are not done yet.
#[component]
pub fn MyWorkPage() -> impl IntoView {
    let page = use_page();
    let items = Resource::new(move || page.get(), my_work);
    view! {
        <h1>"My work"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match items.await {
                    Ok(p) if p.total == 0 => view! {
                        <EmptyState title="Nothing assigned to you">
                            <p>"Work items reach you through CODEOWNERS or by hand when a campaign is planned. Browse the campaigns to pick one up."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) => view! {
                        <WorkItemTable items=p.items.clone()/>
                        <Pager page=p.page per_page=p.per_page total=p.total base="/my-work"/>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
