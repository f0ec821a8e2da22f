//! Exceptions: pending requests (approve or deny), active exceptions, and those expiring
//! within 14 days.
use leptos::prelude::*;
use redress_types::{Page, Role};

use crate::{
    api::exceptions::{
        ApproveException, DenyException, EXPIRING_DAYS, ExceptionRow, exception_lists,
    },
    pages::{
        campaigns::{Pager, use_page},
        components::{EmptyState, use_current_user},
    },
};

/// One list of exceptions; `decide` adds Approve/Deny forms.
#[component]
fn ExceptionTable(
    list: Page<ExceptionRow>,
    decide: Option<(ServerAction<ApproveException>, ServerAction<DenyException>)>,
) -> impl IntoView {
    if list.items.is_empty() {
        return view! { <p class="muted">"None."</p> }.into_any();
    }
    view! {
        <table class="grid exceptions">
            <thead><tr><th>"Scope"</th><th>"Justification"</th><th>"Requested by"</th><th>"Decided by"</th><th>"Expires"</th>{decide.is_some().then(|| view! { <th>"Decision"</th> })}</tr></thead>
            <tbody>
                {list.items.into_iter().map(|row| {
                    let ExceptionRow { exception: e, scope, link, requested_by, decided_by } = row;
                    view! {
                        <tr>
                            <td>{match link {
                                Some(href) => view! { <a href=href>{scope}</a> }.into_any(),
                                None => view! { <span>{scope}</span> }.into_any(),
                            }}</td>
                            <td class="wrap">{e.justification}</td>
                            <td>{requested_by}</td>
                            <td>{decided_by.unwrap_or_else(|| "—".into())}</td>
                            <td class="nowrap">{e.expires_at.format("%Y-%m-%d").to_string()}</td>
                            {decide.map(|(approve, deny)| view! {
                                <td>
                                    <ActionForm action=approve attr:class="inline-form">
                                        <input type="hidden" name="id" value=e.id/>
                                        <label for=format!("note-a-{}", e.id) class="visually-hidden">"Note"</label>
                                        <input id=format!("note-a-{}", e.id) name="note" placeholder="Note (optional)"/>
                                        <button type="submit">"Approve"</button>
                                    </ActionForm>
                                    <ActionForm action=deny attr:class="inline-form">
                                        <input type="hidden" name="id" value=e.id/>
                                        <button type="submit" class="danger">"Deny"</button>
                                    </ActionForm>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The Exceptions page.
#[component]
pub fn ExceptionsPage() -> impl IntoView {
    let page = use_page();
    let approve = ServerAction::<ApproveException>::new();
    let deny = ServerAction::<DenyException>::new();
    let lists = Resource::new(
        move || (page.get(), approve.version().get(), deny.version().get()),
        |(page, _, _)| exception_lists(page),
    );
    let user = use_current_user();
    view! {
        <h1>"Exceptions"</h1>
        <div aria-live="polite">
            {move || approve.value().get().map(|r| match r {
                Ok(e) => view! { <p class="notice" role="status">{format!("Exception {} approved.", e.id)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            {move || deny.value().get().map(|r| match r {
                Ok(e) => view! { <p class="notice" role="status">{format!("Exception {} denied; its item is open again.", e.id)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_decide = user.has_role(&[Role::Security, Role::Admin]).await;
                match lists.await {
                    Ok(l) if l.pending.total + l.active.total == 0 => view! {
                        <EmptyState title="No exceptions">
                            <p>"An exception is a time-boxed, approved decision not to fix a finding. Developers request them from a work item; security approves or denies them here."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(l) => {
                        let most = l.pending.total.max(l.active.total);
                        let (p, per) = (l.pending.page, l.pending.per_page);
                        view! {
                            <section class="card">
                                <h2>{format!("Pending requests ({})", l.pending.total)}</h2>
                                <ExceptionTable list=l.pending decide=can_decide.then_some((approve, deny))/>
                            </section>
                            <section class="card">
                                <h2>{format!("Expiring within {EXPIRING_DAYS} days ({})", l.expiring.total)}</h2>
                                <ExceptionTable list=l.expiring decide=None/>
                            </section>
                            <section class="card">
                                <h2>{format!("Active ({})", l.active.total)}</h2>
                                <ExceptionTable list=l.active decide=None/>
                            </section>
                            <Pager page=p per_page=per total=most base="/exceptions"/>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
