//! Reports: campaign progress, open findings by severity, exceptions expiring soon.
use leptos::prelude::*;

use crate::{api::audit::reports, pages::campaigns::ProgressBar};

/// The Reports page; every figure is counted by the database.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let figures = Resource::new(|| (), |_| reports());
    view! {
        <h1>"Reports"</h1>
        <p><a href="/audit">"The audit log"</a>" lists every change, with filters."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(r) => view! {
                        <section class="card">
                            <h2>"Campaign progress"</h2>
                            {if r.campaigns.is_empty() {
                                view! { <p class="muted">"No campaigns yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="grid">
                                        <thead><tr><th>"Campaign"</th><th>"Status"</th><th>"Due"</th><th>"Findings open / closed"</th><th>"Items"</th></tr></thead>
                                        <tbody>
                                            {r.campaigns.into_iter().map(|c| view! {
                                                <tr>
                                                    <td><a href=format!("/campaigns/{}", c.campaign.id)>{c.campaign.name}</a></td>
                                                    <td>{c.campaign.status.to_string()}</td>
                                                    <td>{c.campaign.due_date.to_string()}</td>
                                                    <td>{format!("{} / {}", c.progress.findings_open, c.progress.findings_closed)}</td>
                                                    <td><ProgressBar progress=c.progress/></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                        <section class="card">
                            <h2>"Open findings by severity"</h2>
                            <table class="grid severity">
                                <tbody>
                                    {r.open_by_severity.into_iter().map(|(s, n)| view! {
                                        <tr><th scope="row"><a href=format!("/findings?severity={s}&status=open")>{s.clone()}</a></th><td>{n}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                        <section class="card">
                            <h2>{format!("Exceptions expiring within 14 days ({})", r.expiring.total)}</h2>
                            {if r.expiring.items.is_empty() {
                                view! { <p class="muted">"None."</p> }.into_any()
                            } else {
                                view! {
                                    <ul>
                                        {r.expiring.items.into_iter().map(|e| view! {
                                            <li>{format!("Exception {} expires {}: {}", e.id, e.expires_at.format("%Y-%m-%d"), e.justification.chars().take(200).collect::<String>())}</li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
