//! The web IDE view of one work item (`/items/:id?file=…&line=…`, lines anchored `#L12`):
//! the repository's file tree on the left, the highlighted file with the offending lines and
//! the policy's notes in the centre, the suggested fix (inline or side-by-side diff, an editor
//! with live server-side verification) and the item's actions on the right.
mod code;
mod fix;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use redress_types::{WorkItem, WorkItemState};

use crate::{
    api::{
        campaigns::ReassignItem,
        items::{ApproveItemFix, ItemView, ProposeItemFix, RequestItemException, load_item_view},
    },
    error::AppError,
    pages::campaigns::{ReassignForm, state_label},
};

/// `s` percent-encoded for a query value (paths keep their `/`).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The link to item `id` with `file` open, optionally at `line`.
pub(crate) fn item_href(id: i64, file: &str, line: Option<u32>) -> String {
    match line {
        Some(l) => format!("/items/{id}?file={}&line={l}#L{l}", encode(file)),
        None => format!("/items/{id}?file={}", encode(file)),
    }
}

/// The IDE view page.
#[component]
pub fn ItemPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| s.parse::<i64>().ok())
    };
    let file = move || query.with(|q| q.get("file")).filter(|f| !f.is_empty());
    let propose = ServerAction::<ProposeItemFix>::new();
    let approve = ServerAction::<ApproveItemFix>::new();
    let exception = ServerAction::<RequestItemException>::new();
    let reassign = ServerAction::<ReassignItem>::new();
    let view_data = Resource::new(
        move || {
            (
                id(),
                file(),
                propose.version().get(),
                approve.version().get(),
                exception.version().get(),
                reassign.version().get(),
            )
        },
        |(id, file, ..)| async move {
            match id {
                Some(id) => load_item_view(id, file).await,
                None => Err(AppError::NotFound("That work item".into())),
            }
        },
    );
    let actions = fix::Actions {
        propose,
        approve,
        exception,
        reassign,
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the work item…"</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(data) => view! { <Ide data actions/> }.into_any(),
                    Err(e) => view! {
                        <h1>"Work item"</h1>
                        <p class="error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Ide(data: ItemView, actions: fix::Actions) -> impl IntoView {
    let query = use_query_map();
    let target_line = Signal::derive(move || {
        query
            .with(|q| q.get("line"))
            .and_then(|l| l.parse::<u32>().ok())
    });
    let item = data.item.clone();
    view! {
        <article class="ide" aria-labelledby="item-title">
            <ItemHeader
                item=item.clone()
                campaign=data.campaign.clone()
                repository=data.repository.clone()
                policy_title=data.policy.as_ref().map(|p| format!("{} · {} · {}", p.id, p.severity, p.title))
                assignee=data.assignee.clone()
                reassign=(!data.assignees.is_empty()).then(|| (actions.reassign, data.assignees.clone()))
            />
            {data.notice.clone().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <div class="ide-columns">
                <code::FileTree item_id=item.id tree=data.tree.clone() more=data.tree_more open=data.file.as_ref().map(|f| f.path.clone())/>
                <code::CodeView data=data.clone() target_line/>
                <fix::FixPanel data actions/>
            </div>
        </article>
    }
}

/// The path an item travels, for the state display; the change-request steps come with
/// forge integration and are shown (not yet reachable) so that step has its slot.
const TRACK: [WorkItemState; 6] = [
    WorkItemState::Open,
    WorkItemState::FixProposed,
    WorkItemState::FixApproved,
    WorkItemState::ChangeRequestOpen,
    WorkItemState::Merged,
    WorkItemState::Verified,
];

#[component]
fn ItemHeader(
    item: WorkItem,
    campaign: String,
    repository: String,
    policy_title: Option<String>,
    assignee: String,
    reassign: Option<(
        ServerAction<ReassignItem>,
        Vec<crate::api::campaigns::AssigneeChoice>,
    )>,
) -> impl IntoView {
    let state = item.state;
    let side = match state {
        WorkItemState::Excepted => Some(match item.excepted_until {
            Some(until) => format!("excepted until {}", until.format("%Y-%m-%d")),
            None => "excepted".to_owned(),
        }),
        WorkItemState::WontFix => Some(format!(
            "won't fix: {}",
            item.wont_fix_reason.clone().unwrap_or_default()
        )),
        _ => None,
    };
    view! {
        <header class="ide-header">
            <p class="breadcrumbs">
                <a href=format!("/campaigns/{}", item.campaign_id)>{campaign}</a>
                " › work item " {item.id}
            </p>
            <h1 id="item-title">{item.title.clone()}</h1>
            <p class="item-meta">
                {policy_title.unwrap_or_else(|| item.policy_id.clone())}
                " · " <span class="repo-name">{repository}</span>
                " · fix site " <a href=item_href(item.id, &item.file, Some(item.line))>{format!("{}:{}", item.file, item.line)}</a>
                " · closes " {item.finding_ids.len()} " finding(s)"
            </p>
            <ol class="state-track" aria-label="Item state">
                {TRACK.into_iter().map(|s| {
                    let current = s == state;
                    let later = matches!(s, WorkItemState::ChangeRequestOpen | WorkItemState::Merged);
                    view! {
                        <li
                            class:current=current
                            class:later=later
                            aria-current=current.then_some("step")
                            data-state=s.as_str()
                        >
                            {state_label(s)}
                            {later.then(|| view! { <span class="visually-hidden">" (with forge integration)"</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {side.map(|s| view! { <p class="state-side" data-state=state.as_str()>{s}</p> })}
            <div class="assignment">
                <span>"Assigned to " <strong id="item-assignee">{assignee}</strong></span>
                {reassign.map(|(action, choices)| view! {
                    <ReassignForm action item_id=item.id current=item.assignee.clone() choices/>
                    {move || action.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
                })}
            </div>
            {(!item.blast_radius.is_empty()).then(|| view! {
                <details class="blast-radius">
                    <summary>"Blast radius: " {item.blast_radius.len()} " resource instance(s)"</summary>
                    <ul>{item.blast_radius.iter().map(|a| view! { <li><code>{a.clone()}</code></li> }).collect_view()}</ul>
                </details>
            })}
        </header>
    }
}
