//! The landing page after login: where things stand and what to do next. While the app is
//! empty, admins and security leads can load the demo data from here.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::demo::{LoadDemo, load_dashboard_state},
    pages::components::use_current_user,
};

/// Getting started, the demo data button while the app is empty, and later the headline numbers.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let user = use_current_user();
    let load = ServerAction::<LoadDemo>::new();
    let state = Resource::new(move || load.version().get(), |_| load_dashboard_state());
    view! {
        <Suspense fallback=|| view! { <h1>"Welcome"</h1> }>
            {move || Suspend::new(async move {
                let name = user.get().await.map(|u| u.display_name).unwrap_or_default();
                let state = match state.await {
                    Ok(s) if s.empty => view! {
                        <section class="empty-state demo-data">
                            <h2>"Nothing here yet"</h2>
                            <p>"Import your findings and register a repository below, or look around first with a realistic demo: a Terraform repository with two environments, findings from Security Hub, Prowler and Checkov, and two campaigns in progress."</p>
                            {s.can_load_demo.then(|| view! {
                                <ActionForm action=load attr:class="inline-form">
                                    <button type="submit" id="load-demo">"Load demo data"</button>
                                </ActionForm>
                            })}
                        </section>
                    }.into_any(),
                    Ok(s) => view! {
                        <ul class="headline" aria-label="Where things stand">
                            <li><a href="/my-work"><span class="figure">{s.my_open_items}</span>"open work items for you"</a></li>
                            <li><a href="/campaigns"><span class="figure">{s.active_campaigns}</span>"active campaigns"</a></li>
                            <li><a href="/exceptions"><span class="figure">{s.pending_exceptions}</span>"exception requests to decide"</a></li>
                            <li><a href="/findings?status=open"><span class="figure">{s.open_findings}</span>"open findings"</a></li>
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                view! { <h1>"Welcome, " {name}</h1> {state} }
            })}
        </Suspense>
        <div aria-live="polite">
            {move || load.pending().get().then(|| view! { <p class="muted">"Loading the demo data…"</p> })}
            {move || match load.value().get() {
                Some(Ok(done)) => view! {
                    <section class="card demo-loaded" role="status">
                        <h2>{if done.already_loaded { "The demo data was already loaded" } else { "Demo data loaded" }}</h2>
                        <p>
                            {format!("{} new findings, {} campaigns, {} work items. ", done.findings, done.campaigns, done.work_items)}
                            <A href="/campaigns">"Open the campaigns"</A>
                        </p>
                        <p>"Log in as any demo user with the password " <code>{done.password.clone()}</code> ":"</p>
                        <ul>
                            {done.users.into_iter().map(|u| view! { <li><code>{u.email}</code>" ("{u.role}")"</li> }).collect_view()}
                        </ul>
                    </section>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
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
