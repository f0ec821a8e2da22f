//! Campaigns: the list with progress, the new-campaign form, and one campaign's page (items
//! by fix site, unmapped findings, status moves, audit log).
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use redress_types::{
    Assignee, CampaignProgress, CampaignSource, CampaignStatus, Role, WorkItemState,
};

use crate::{
    api::campaigns::{
        AssigneeChoice, CreateCampaign, PlanCampaign, ReassignItem, SetCampaignStatus,
        WorkItemList, WorkItemRow, assignee_value, campaign_audit, campaign_detail,
        campaign_form_choices, campaign_items, list_campaigns,
    },
    pages::components::{EmptyState, use_current_user},
};

/// The `page` query parameter (1 when absent or invalid).
pub fn use_page() -> Memo<u64> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1)
    })
}

/// "Previous / page N of M / Next" links for a server-paginated list.
#[component]
pub fn Pager(page: u64, per_page: u64, total: u64, #[prop(into)] base: String) -> impl IntoView {
    let pages = total.div_ceil(per_page.max(1)).max(1);
    let sep = if base.contains('?') { '&' } else { '?' };
    let prev = (page > 1).then(|| format!("{base}{sep}page={}", page - 1));
    let next = (page < pages).then(|| format!("{base}{sep}page={}", page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            {prev.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
            <span>{format!("Page {page} of {pages} ({total} in all)")}</span>
            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
        </nav>
    }
}

/// A progress bar with its numbers in words.
#[component]
pub fn ProgressBar(progress: CampaignProgress) -> impl IntoView {
    let pct = progress.percent_done.clamp(0.0, 100.0);
    let label = format!(
        "{} of {} items done ({pct:.0}%)",
        progress.items_done, progress.items_total
    );
    view! {
        <div class="progress">
            <progress max="100" value=format!("{pct:.0}") aria-label=label.clone()></progress>
            <span class="progress-label">{label}</span>
        </div>
    }
}

/// The roles that create, plan and move campaigns.
const CAMPAIGN_ROLES: &[Role] = &[Role::Security, Role::Admin];

/// Campaigns: the list with progress, or what to do first when it is empty.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let page = use_page();
    let list = Resource::new(move || page.get(), list_campaigns);
    let user = use_current_user();
    view! {
        <h1>"Campaigns"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_create = user.has_role(CAMPAIGN_ROLES).await;
                let new_button = can_create.then(|| view! { <p><a class="button" href="/campaigns/new">"New campaign"</a></p> });
                let list = match list.await {
                    Ok(p) if p.total == 0 => view! {
                        <EmptyState title="No campaigns yet">
                            <p>"A campaign is a time-boxed push on a set of policies over a scope, such as every RDS instance encrypted by March. Import findings and register a repository first; then a security lead can start one here."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) => view! {
                        <table class="grid campaigns">
                            <thead><tr><th>"Name"</th><th>"Status"</th><th>"Owner"</th><th>"Due"</th><th>"Progress"</th></tr></thead>
                            <tbody>
                                {p.items.into_iter().map(|r| view! {
                                    <tr>
                                        <td><a href=format!("/campaigns/{}", r.campaign.id)>{r.campaign.name}</a></td>
                                        <td><span class=format!("status status-{}", r.campaign.status)>{r.campaign.status.to_string()}</span></td>
                                        <td>{r.owner}</td>
                                        <td>{r.campaign.due_date.to_string()}</td>
                                        <td><ProgressBar progress=r.progress/></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager page=p.page per_page=p.per_page total=p.total base="/campaigns"/>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                view! { {new_button} {list} }
            })}
        </Suspense>
    }
}

/// The new-campaign form (security and admin): details, source, scope. Submitting creates
/// the campaign, plans its work items and opens it.
#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let create = ServerAction::<CreateCampaign>::new();
    let options = Resource::new(|| (), |_| campaign_form_choices());
    let user = use_current_user();
    view! {
        <h1>"New campaign"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let options = match options.await {
                    Ok(o) => o,
                    Err(e) => return view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                let me = user.get().await.map_or(0, |u| u.id);
                let today = options.today;
                let due = today + chrono::Duration::days(30);
                view! {
                    <ActionForm action=create attr:class="stacked-form campaign-form">
                        <fieldset>
                            <legend>"Details"</legend>
                            <label for="c-name">"Name"</label>
                            <input id="c-name" name="name" required maxlength="200" placeholder="Every RDS instance encrypted"/>
                            <label for="c-description">"Description"</label>
                            <textarea id="c-description" name="description" rows="3" maxlength="10000"></textarea>
                            <label for="c-owner">"Owner"</label>
                            <select id="c-owner" name="owner_id">
                                {options.users.into_iter().map(|u| {
                                    let selected = u.id == me;
                                    view! { <option value=u.id selected=selected>{format!("{} <{}>", u.display_name, u.email)}</option> }
                                }).collect_view()}
                            </select>
                            <label for="c-start">"Start date"</label>
                            <input id="c-start" name="start_date" type="date" required value=today.to_string()/>
                            <label for="c-due">"Due date"</label>
                            <input id="c-due" name="due_date" type="date" required value=due.to_string()/>
                        </fieldset>
                        <fieldset>
                            <legend>"Findings"</legend>
                            <p>
                                <input type="radio" id="src-policies" name="source" value="policies" checked=true/>
                                <label for="src-policies">"A policy set (check the policies below)"</label>
                            </p>
                            <div class="policy-choices">
                                {options.policies.into_iter().enumerate().map(|(n, p)| {
                                    let id = format!("policy-{n}");
                                    view! {
                                        <div class="policy-choice">
                                            <input type="checkbox" id=id.clone() name=format!("policies[{n}]") value=p.id.clone()/>
                                            <label for=id><code>{p.id}</code>" "{p.title}" "<span class=format!("sev sev-{}", p.severity)>{p.severity.clone()}</span></label>
                                        </div>
                                    }
                                }).collect_view()}
                            </div>
                            <p>
                                <input type="radio" id="src-filter" name="source" value="filter"/>
                                <label for="src-filter">"A findings filter (the open findings matching every field given)"</label>
                            </p>
                            <label for="f-tool">"Tool"</label>
                            <input id="f-tool" name="filter_tool" placeholder="checkov"/>
                            <label for="f-severity">"Severity"</label>
                            <input id="f-severity" name="filter_severity" placeholder="high"/>
                            <label for="f-account">"Account"</label>
                            <input id="f-account" name="filter_account"/>
                            <label for="f-policy">"Policy"</label>
                            <input id="f-policy" name="filter_policy" placeholder="RDX-RDS-001"/>
                        </fieldset>
                        <fieldset>
                            <legend>"Scope"</legend>
                            <label for="s-glob">"Repositories (glob on the name)"</label>
                            <input id="s-glob" name="repository_glob" placeholder="acme/*"/>
                            <label for="s-accounts">"Accounts (comma-separated; empty for all)"</label>
                            <input id="s-accounts" name="accounts"/>
                            <span class="label">"Teams (none checked: all)"</span>
                            {options.teams.into_iter().enumerate().map(|(n, t)| {
                                let id = format!("team-{n}");
                                view! {
                                    <div>
                                        <input type="checkbox" id=id.clone() name=format!("teams[{n}]") value=t.id/>
                                        <label for=id>{t.name}</label>
                                    </div>
                                }
                            }).collect_view()}
                            <label for="s-severity">"Minimum severity"</label>
                            <select id="s-severity" name="min_severity">
                                <option value="">"any"</option>
                                {["low", "medium", "high", "critical"].map(|s| view! { <option value=s>{s}</option> }).collect_view()}
                            </select>
                        </fieldset>
                        <button type="submit">"Create campaign and plan work items"</button>
                    </ActionForm>
                }.into_any()
            })}
        </Suspense>
        <div aria-live="polite">
            {move || match create.value().get() {
                Some(Ok(s)) => view! {
                    <p class="notice" role="status">
                        {format!("Campaign created: {} of {} findings placed on {} items, {} fixes proposed, {} unmapped. ", s.placed, s.findings, s.items_created, s.fixes_proposed, s.unmapped)}
                        <a href=format!("/campaigns/{}", s.campaign_id)>"Open it"</a>
                    </p>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}

/// One campaign: progress, items grouped by fix site, unmapped findings, status and audit.
#[component]
pub fn CampaignDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let page = use_page();
    let set_status = ServerAction::<SetCampaignStatus>::new();
    let plan = ServerAction::<PlanCampaign>::new();
    let reassign = ServerAction::<ReassignItem>::new();
    let detail = Resource::new(
        move || (id.get(), set_status.version().get(), plan.version().get()),
        |(id, _, _)| campaign_detail(id),
    );
    let items = Resource::new(
        move || {
            (
                id.get(),
                page.get(),
                plan.version().get(),
                reassign.version().get(),
            )
        },
        |(id, page, ..)| campaign_items(id, page),
    );
    let audit = Resource::new(
        move || {
            (
                id.get(),
                set_status.version().get(),
                plan.version().get(),
                reassign.version().get(),
            )
        },
        |(id, ..)| campaign_audit(id, 1),
    );
    let user = use_current_user();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_change = user.has_role(CAMPAIGN_ROLES).await;
                let d = match detail.await {
                    Ok(d) => d,
                    Err(e) => return view! { <h1>"Campaign"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                let c = d.row.campaign.clone();
                let source = match &c.source {
                    CampaignSource::PolicySet { policies } => format!("Policies: {}", policies.join(", ")),
                    CampaignSource::Filter { filter } => format!(
                        "Findings filter: tool {}, severity {}, account {}, policy {}",
                        filter.tool.as_deref().unwrap_or("any"),
                        filter.severity.as_deref().unwrap_or("any"),
                        filter.account.as_deref().unwrap_or("any"),
                        filter.policy.as_deref().unwrap_or("any"),
                    ),
                };
                let moves: Vec<CampaignStatus> = CampaignStatus::ALL.iter().copied().filter(|s| c.status.can_move_to(*s)).collect();
                let id = c.id;
                view! {
                    <h1>{c.name.clone()}</h1>
                    <p class="meta">
                        <span class=format!("status status-{}", c.status)>{c.status.to_string()}</span>
                        {format!(" · owner {} · {} → {}", d.row.owner, c.start_date, c.due_date)}
                    </p>
                    {(!c.description.is_empty()).then(|| view! { <p>{c.description.clone()}</p> })}
                    <p class="hint">{source}</p>
                    <section class="card">
                        <h2>"Progress"</h2>
                        <ProgressBar progress=d.row.progress.clone()/>
                        <p>{format!("Findings: {} open, {} closed.", d.row.progress.findings_open, d.row.progress.findings_closed)}</p>
                        <ul class="state-counts">
                            {d.row.progress.items_by_state.iter().filter(|(_, n)| *n > 0).map(|(s, n)| view! {
                                <li><StateBadge state=*s/>{format!(" {n}")}</li>
                            }).collect_view()}
                        </ul>
                    </section>
                    {(can_change && !moves.is_empty()).then(|| view! {
                        <section class="card">
                            <h2>"Status"</h2>
                            <div class="button-row">
                                {moves.into_iter().map(|to| view! {
                                    <ActionForm action=set_status>
                                        <input type="hidden" name="id" value=id/>
                                        <input type="hidden" name="status" value=to.as_str()/>
                                        <button type="submit">{format!("Move to {to}")}</button>
                                    </ActionForm>
                                }).collect_view()}
                                <ActionForm action=plan>
                                    <input type="hidden" name="id" value=id/>
                                    <button type="submit">"Plan again"</button>
                                </ActionForm>
                            </div>
                        </section>
                    })}
                    {(d.unmapped_total > 0).then(|| view! {
                        <section class="card unmapped">
                            <h2>{format!("Unmapped findings ({})", d.unmapped_total)}</h2>
                            <p class="hint">"These findings could not be placed in a repository in scope. Register the repository or its state, then plan again."</p>
                            <table class="grid">
                                <thead><tr><th>"Finding"</th><th>"Rule"</th><th>"Resource"</th><th>"Reason"</th></tr></thead>
                                <tbody>
                                    {d.unmapped.iter().cloned().map(|u| view! {
                                        <tr>
                                            <td><a href=format!("/findings?id={}", u.finding_id)>{format!("#{}", u.finding_id)}</a></td>
                                            <td><code>{u.rule_id}</code></td>
                                            <td><code class="wrap">{u.resource.unwrap_or_default()}</code></td>
                                            <td>{u.reason}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    })}
                }.into_any()
            })}
        </Suspense>
        <section class="card">
            <h2>"Work items"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(l) if l.items.total == 0 => view! { <p class="muted">"No work items yet. Plan the campaign once its repositories are registered and indexed."</p> }.into_any(),
                        Ok(WorkItemList { items: p, assignees }) => {
                            let reassign = (!assignees.is_empty()).then_some((reassign, assignees));
                            view! {
                                <WorkItemTable items=p.items reassign/>
                                <Pager page=p.page per_page=p.per_page total=p.total base=format!("/campaigns/{}", id.get_untracked())/>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="card">
            <h2>"Audit log"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match audit.await {
                        Ok(p) => view! {
                            <crate::pages::audit::AuditTable events=p.items/>
                            {(p.total > p.per_page).then(|| view! { <p><a href=format!("/audit?campaign={}", id.get_untracked())>"The whole log"</a></p> })}
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <div aria-live="polite">
            {move || set_status.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            {move || reassign.value().get().map(|r| match r {
                Ok(row) => view! { <p class="notice" role="status">{format!("Work item {} is now assigned to {}.", row.item.id, row.assignee)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            {move || plan.value().get().map(|r| match r {
                Ok(s) => view! { <p class="notice" role="status">{format!("Planned: {} of {} findings placed, {} new items, {} fixes proposed, {} unmapped.", s.placed, s.findings, s.items_created, s.fixes_proposed, s.unmapped)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </div>
    }
}

/// Work items, one row per fix site: what, where, findings, blast radius, state, assignee.
/// With `reassign` (security and admin), each row has a control that assigns it by hand.
#[component]
pub fn WorkItemTable(
    items: Vec<WorkItemRow>,
    #[prop(default = None)] reassign: Option<(ServerAction<ReassignItem>, Vec<AssigneeChoice>)>,
) -> impl IntoView {
    view! {
        <table class="grid items">
            <thead><tr><th>"Item"</th><th>"Fix site"</th><th>"Findings"</th><th>"Blast radius"</th><th>"State"</th><th>"Assignee"</th></tr></thead>
            <tbody>
                {items.into_iter().map(|WorkItemRow { item: i, assignee }| {
                    let radius = i.blast_radius.len();
                    let control = reassign.clone().map(|(action, choices)| view! {
                        <ReassignForm action item_id=i.id current=i.assignee.clone() choices/>
                    });
                    view! {
                        <tr>
                            <td><a href=format!("/items/{}", i.id)>{i.title}</a><br/><code class="muted">{i.policy_id}</code></td>
                            <td><code class="wrap">{format!("{}:{}", i.file, i.line)}</code></td>
                            <td class="num">{i.finding_ids.len()}</td>
                            <td>
                                <details>
                                    <summary>{format!("{radius} instance{}", if radius == 1 { "" } else { "s" })}</summary>
                                    <ul>{i.blast_radius.into_iter().take(100).map(|a| view! { <li><code class="wrap">{a}</code></li> }).collect_view()}</ul>
                                </details>
                            </td>
                            <td><StateBadge state=i.state/></td>
                            <td><span class="assignee">{assignee}</span>{control}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A work item's state as a badge with words (`fix proposed`, not `fix_proposed`).
#[component]
pub fn StateBadge(state: WorkItemState) -> impl IntoView {
    view! { <span class=format!("state state-{state}") data-state=state.as_str()>{state_label(state)}</span> }
}

/// A work item state in words.
pub fn state_label(s: WorkItemState) -> &'static str {
    match s {
        WorkItemState::Open => "open",
        WorkItemState::FixProposed => "fix proposed",
        WorkItemState::FixApproved => "fix approved",
        WorkItemState::ChangeRequestOpen => "change request open",
        WorkItemState::Merged => "merged",
        WorkItemState::Verified => "verified",
        WorkItemState::Excepted => "excepted",
        WorkItemState::WontFix => "won't fix",
    }
}

/// "Assign to [choice] [Reassign]" for one item (security and admin); works without
/// JavaScript.
#[component]
pub fn ReassignForm(
    action: ServerAction<ReassignItem>,
    item_id: i64,
    current: Assignee,
    choices: Vec<AssigneeChoice>,
) -> impl IntoView {
    let current = assignee_value(&current);
    let select_id = format!("assign-{item_id}");
    view! {
        <ActionForm action attr:class="inline-form reassign-form">
            <input type="hidden" name="id" value=item_id/>
            <label for=select_id.clone() class="visually-hidden">"Assign to"</label>
            <select id=select_id name="assignee">
                {choices.into_iter().map(|c| {
                    let selected = c.value == current;
                    view! { <option value=c.value selected=selected>{c.label}</option> }
                }).collect_view()}
            </select>
            <button type="submit">"Reassign"</button>
        </ActionForm>
    }
}
