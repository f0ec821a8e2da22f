//! The global audit log with filters (actor, action, object type, dates), paginated.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use redress_types::AuditEvent;

use crate::{
    api::audit::audit_events,
    pages::{campaigns::Pager, layout::urlencode},
};

/// Audit rows: when, who, what, object, before → after.
#[component]
pub fn AuditTable(events: Vec<AuditEvent>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="muted">"No events."</p> }.into_any();
    }
    view! {
        <table class="grid audit">
            <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"Action"</th><th>"Object"</th><th>"Change"</th></tr></thead>
            <tbody>
                {events.into_iter().map(|e| {
                    let object = match e.object_id {
                        Some(id) => format!("{} {id}", e.object_type),
                        None => e.object_type.clone(),
                    };
                    let short = |s: Option<String>| s.map(|s| if s.len() > 2000 { format!("{}…", s.chars().take(2000).collect::<String>()) } else { s });
                    let before = short(e.before);
                    let after = short(e.after);
                    view! {
                        <tr>
                            <td>{e.at.format("%Y-%m-%d %H:%M:%S").to_string()}</td>
                            <td>{e.actor}</td>
                            <td><code>{e.action}</code></td>
                            <td>{object}</td>
                            <td>
                                <details>
                                    <summary>"before / after"</summary>
                                    <pre class="wrap">{format!("before: {}\nafter: {}", before.unwrap_or_else(|| "—".into()), after.unwrap_or_else(|| "—".into()))}</pre>
                                </details>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The whole audit log, newest first; the filter form is a plain GET form.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let field = move |name: &str| query.read().get(name).unwrap_or_default();
    let events = Resource::new(
        move || {
            (
                field("actor").parse::<i64>().ok(),
                field("campaign").parse::<i64>().ok(),
                field("action"),
                field("object_type"),
                field("from"),
                field("until"),
                field("page").parse::<u64>().unwrap_or(1).max(1),
            )
        },
        |(actor, campaign, action, object_type, from, until, page)| {
            audit_events(
                actor,
                campaign,
                Some(action),
                Some(object_type),
                Some(from),
                Some(until),
                page,
            )
        },
    );
    let base = move || {
        let mut parts = Vec::new();
        for name in [
            "actor",
            "campaign",
            "action",
            "object_type",
            "from",
            "until",
        ] {
            let v = field(name);
            if !v.is_empty() {
                parts.push(format!("{name}={}", urlencode(&v)));
            }
        }
        format!("/audit?{}", parts.join("&"))
    };
    view! {
        <h1>"Audit log"</h1>
        <form method="get" action="/audit" class="inline-form filters">
            <label for="a-actor">"Actor id"</label>
            <input id="a-actor" name="actor" inputmode="numeric" value=move || field("actor")/>
            <label for="a-campaign">"Campaign id"</label>
            <input id="a-campaign" name="campaign" inputmode="numeric" value=move || field("campaign")/>
            <label for="a-action">"Action"</label>
            <input id="a-action" name="action" placeholder="work_item.approve_fix" value=move || field("action")/>
            <label for="a-type">"Object type"</label>
            <input id="a-type" name="object_type" placeholder="campaign" value=move || field("object_type")/>
            <label for="a-from">"From"</label>
            <input id="a-from" name="from" type="date" value=move || field("from")/>
            <label for="a-until">"Until"</label>
            <input id="a-until" name="until" type="date" value=move || field("until")/>
            <button type="submit">"Filter"</button>
        </form>
        <p class="hint">"The log is append-only: nothing in Redress can edit or delete it."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(p) => view! {
                        <AuditTable events=p.items.clone()/>
                        <Pager page=p.page per_page=p.per_page total=p.total base=base()/>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
