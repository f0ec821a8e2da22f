//! The Findings page: server-side filters as GET parameters (they work without
//! JavaScript), sorting, pagination, and the detail of one finding.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use redress_types::{FindingDetail, FindingQuery, FindingRow, FindingSort, Page};

use crate::{
    api::findings::{filter_options, get_finding, list_findings},
    pages::components::EmptyState,
};

/// The filter parameters, in the order the form shows them.
const FILTERS: [&str; 6] = [
    "tool",
    "severity",
    "status",
    "account",
    "resource_type",
    "policy",
];
/// Rows per page.
const PER_PAGE: u64 = 50;

/// The query from the URL's parameters.
fn query_from(get: impl Fn(&str) -> Option<String>) -> FindingQuery {
    let value = |k: &str| get(k).filter(|v| !v.trim().is_empty());
    FindingQuery {
        tool: value("tool"),
        severity: value("severity"),
        status: value("status"),
        account: value("account"),
        resource_type: value("resource_type"),
        policy: value("policy"),
        sort: value("sort").map_or_else(FindingSort::default, |s| FindingSort::parse(&s)),
        page: value("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        per_page: PER_PAGE,
    }
}

/// A link to the list with `query`'s filters and the given sort and page.
fn list_href(query: &FindingQuery, sort: FindingSort, page: u64) -> String {
    let values = [
        &query.tool,
        &query.severity,
        &query.status,
        &query.account,
        &query.resource_type,
        &query.policy,
    ];
    let mut parts: Vec<String> = FILTERS
        .iter()
        .zip(values)
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v))))
        .collect();
    parts.push(format!("sort={}", sort.as_str()));
    parts.push(format!("page={page}"));
    format!("/findings?{}", parts.join("&"))
}

/// Percent-encodes a query value.
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Findings: filters, the list, pagination, and a finding's detail when one is chosen.
#[component]
pub fn FindingsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| query_from(|k| p.get(k))));
    let selected =
        Memo::new(move |_| params.with(|p| p.get("finding").and_then(|v| v.parse::<i64>().ok())));
    let findings = Resource::new(move || query.get(), list_findings);
    let facets = Resource::new(|| (), |_| filter_options());
    let detail = Resource::new(
        move || selected.get(),
        |id| async move {
            match id {
                Some(id) => get_finding(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <h1>"Findings"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(d)) => view! { <Detail detail=d/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p>"Loading filters…"</p> }>
            {move || Suspend::new(async move {
                let facets = facets.await.unwrap_or_default();
                let q = query.get_untracked();
                view! { <Filters query=q facets=facets/> }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match findings.await {
                    Ok(page) if page.total == 0 && q == FindingQuery { per_page: PER_PAGE, page: q.page, sort: q.sort, ..Default::default() } => view! {
                        <EmptyState title="No findings yet">
                            <p>"Findings come from your scanners: Security Hub, Prowler, Wiz, Orca, AWS Config, Checkov, KICS, Trivy, tfsec, Terrascan or any SARIF file. Go to "<a href="/imports">"Imports"</a>" to upload an export, or send one from CI to "<code>"POST /api/v1/imports"</code>" with an API token from "<a href="/settings">"Settings"</a>"."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(page) if page.total == 0 => view! {
                        <EmptyState title="No findings match these filters">
                            <p>"Widen the filters, or "<a href="/findings">"clear them all"</a>"."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(page) => view! { <FindingTable page=page query=q/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A `<select>` of the given values, with "any" first.
fn select(
    name: &'static str,
    label: &'static str,
    values: Vec<String>,
    current: Option<String>,
) -> impl IntoView {
    let current = current.unwrap_or_default();
    let id = format!("filter-{name}");
    view! {
        <label for=id.clone()>{label}</label>
        <select id=id name=name>
            <option value="" selected=current.is_empty()>"any"</option>
            {values.into_iter().map(|v| {
                let selected = v == current;
                view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn Filters(query: FindingQuery, facets: redress_types::FindingFacets) -> impl IntoView {
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let sort = query.sort;
    view! {
        <form method="get" action="/findings" class="filters card">
            {select("tool", "Source", facets.tools, query.tool)}
            {select("severity", "Severity", owned(&["critical", "high", "medium", "low", "info"]), query.severity)}
            {select("status", "Status", owned(&["open", "closed", "suppressed"]), query.status)}
            {select("account", "Account", facets.accounts, query.account)}
            {select("resource_type", "Resource type", facets.resource_types, query.resource_type)}
            {select("policy", "Policy", facets.policies, query.policy)}
            <label for="filter-sort">"Sort by"</label>
            <select id="filter-sort" name="sort">
                {FindingSort::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=s == sort>{s.label()}</option>
                }).collect_view()}
            </select>
            <button type="submit">"Apply"</button>
            " "<a href="/findings">"Clear"</a>
        </form>
    }
}

#[component]
fn FindingTable(page: Page<FindingRow>, query: FindingQuery) -> impl IntoView {
    let pages = page.page_count();
    let current = page.page;
    let first = (current - 1) * page.per_page + 1;
    let last = first + page.items.len() as u64 - 1;
    let prev = (current > 1).then(|| list_href(&query, query.sort, current - 1));
    let next = (current < pages).then(|| list_href(&query, query.sort, current + 1));
    let sort_link = |s: FindingSort| {
        let href = list_href(&query, s, 1);
        let active = s == query.sort;
        view! { <a href=href class:active=active>{s.label()}</a> }
    };
    let base = list_href(&query, query.sort, current);
    view! {
        <p class="muted" id="findings-count">{format!("{first}–{last} of {} findings", page.total)}</p>
        <p class="sort-links">"Sort: " {FindingSort::ALL.into_iter().map(sort_link).collect_view()}</p>
        <table class="grid" id="findings">
            <thead>
                <tr><th>"Severity"</th><th>"Status"</th><th>"Title"</th><th>"Rule"</th><th>"Source"</th><th>"Account"</th><th>"Resource"</th><th>"Policy"</th><th>"Last seen"</th></tr>
            </thead>
            <tbody>
                {page.items.into_iter().map(|r| {
                    let href = format!("{base}&finding={}", r.id);
                    view! {
                        <tr>
                            <td><span class=format!("sev sev-{}", r.severity)>{r.severity.clone()}</span></td>
                            <td>{r.status}</td>
                            <td><a href=href>{r.title}</a></td>
                            <td><code>{r.rule_id}</code></td>
                            <td>{r.tool}</td>
                            <td>{r.account.unwrap_or_default()}" "{r.region.unwrap_or_default()}</td>
                            <td class="resource">{r.resource.unwrap_or_default()}</td>
                            <td>{r.policy_id.unwrap_or_default()}</td>
                            <td>{r.last_seen.format("%Y-%m-%d %H:%M").to_string()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {prev.map(|h| view! { <a href=h rel="prev">"← Previous"</a> })}
            <span>{format!(" Page {current} of {pages} ")}</span>
            {next.map(|h| view! { <a href=h rel="next">"Next →"</a> })}
        </nav>
    }
}

#[component]
fn Detail(detail: FindingDetail) -> impl IntoView {
    let d = detail;
    let lines = match (d.start_line, d.end_line) {
        (Some(s), Some(e)) if e != s => format!(":{s}–{e}"),
        (Some(s), _) => format!(":{s}"),
        _ => String::new(),
    };
    let location = d.file.clone().map(|f| format!("{f}{lines}"));
    view! {
        <section class="card finding-detail" id="finding-detail">
            <h2>{d.row.title.clone()}</h2>
            <p>
                <span class=format!("sev sev-{}", d.row.severity)>{d.row.severity.clone()}</span>
                " (" {d.severity_original} ") · " {d.row.status.clone()}
                {d.status_reason.map(|r| format!(" ({r})"))}
                " · " {d.row.tool.clone()} " " <code>{d.row.rule_id.clone()}</code>
                {d.row.policy_id.clone().map(|p| view! { " · policy " <code>{p}</code> })}
            </p>
            <p class="description">{d.description}</p>
            <dl>
                <dt>"Scope"</dt><dd>{d.source_scope}</dd>
                <dt>"Resources"</dt><dd>{d.resource_ids.join(", ")}</dd>
                {location.map(|l| view! { <dt>"File"</dt><dd><code>{l}</code></dd> })}
                <dt>"First seen"</dt><dd>{d.row.first_seen.format("%Y-%m-%d %H:%M").to_string()}</dd>
                <dt>"Last seen"</dt><dd>{d.row.last_seen.format("%Y-%m-%d %H:%M").to_string()}</dd>
                {d.closed_at.map(|c| view! { <dt>"Closed"</dt><dd>{c.format("%Y-%m-%d %H:%M").to_string()}</dd> })}
                {d.remediation.map(|r| view! { <dt>"Remediation"</dt><dd>{r}</dd> })}
                {d.remediation_url.map(|u| {
                    let safe = u.starts_with("https://") || u.starts_with("http://");
                    view! { <dt>"Guidance"</dt><dd>{if safe { view! { <a href=u.clone() rel="noopener noreferrer">{u.clone()}</a> }.into_any() } else { u.clone().into_any() }}</dd> }
                })}
            </dl>
            {(!d.correlated.is_empty()).then(|| view! {
                <h3>"Same resource and policy in other findings"</h3>
                <ul>
                    {d.correlated.into_iter().map(|c| view! {
                        <li>{c.tool}" "<code>{c.rule_id}</code>" — "{c.title}" ("{c.status}")"</li>
                    }).collect_view()}
                </ul>
            })}
            <details>
                <summary>"Raw record"</summary>
                <pre class="raw">{d.raw}</pre>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_and_encode_them() {
        let q = query_from(|k| match k {
            "account" => Some("1234 5678".into()),
            "status" => Some("open".into()),
            "tool" => Some("".into()),
            "page" => Some("3".into()),
            _ => None,
        });
        assert_eq!(q.tool, None, "blank filters are no filters");
        assert_eq!(q.page, 3);
        assert_eq!(
            list_href(&q, FindingSort::Title, 1),
            "/findings?status=open&account=1234%205678&sort=title&page=1"
        );
    }
}
