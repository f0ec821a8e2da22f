//! The Imports page: the upload form (a plain multipart form that works without
//! JavaScript; with JavaScript, drag and drop and an upload progress bar) and the import
//! history with counts, skips and errors.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use redress_types::{IMPORT_FORMATS, ImportRecord, Page, Role};

use crate::{
    api::findings::{get_import, list_imports},
    pages::components::{EmptyState, use_current_user},
};

/// Imports: upload (security and admin) and the history (everyone).
#[component]
pub fn ImportsPage() -> impl IntoView {
    let params = use_query_map();
    let page = Memo::new(move |_| {
        params.with(|p| {
            p.get("page")
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1)
        })
    });
    let just_imported =
        Memo::new(move |_| params.with(|p| p.get("import").and_then(|v| v.parse::<i64>().ok())));
    let error = Memo::new(move |_| params.with(|p| p.get("error")));
    let history = Resource::new(move || page.get(), list_imports);
    let result = Resource::new(
        move || just_imported.get(),
        |id| async move {
            match id {
                Some(id) => get_import(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let user = use_current_user();
    view! {
        <h1>"Imports"</h1>
        {move || error.get().map(|e| view! { <p class="error" role="alert" id="import-error">{e}</p> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(Some(record)) => view! { <ImportResult record=record/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if user.has_role(&[Role::Security, Role::Admin]).await {
                    view! { <UploadForm/> }.into_any()
                } else {
                    view! { <p class="muted">"Your role can read the import history; security and admin users import findings."</p> }.into_any()
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(p) if p.total == 0 => view! {
                        <EmptyState title="Nothing imported yet">
                            <p>"Upload a findings export from your scanner above. The format is detected from the content; each import is all-or-nothing and shows what was new, updated, closed, unchanged and skipped. Pipelines can send files to "<code>"POST /api/v1/imports"</code>" with an API token from "<a href="/settings">"Settings"</a>"."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(p) => view! { <History page=p/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportResult(record: ImportRecord) -> impl IntoView {
    let ok = record.status == "ok";
    view! {
        <section class=if ok { "card notice" } else { "card error" } role="status" id="import-result">
            {if ok {
                format!(
                    "Imported {} ({}): {} new, {} updated, {} closed, {} unchanged, {} skipped.",
                    record.file_name,
                    record.format.clone().unwrap_or_default(),
                    record.new,
                    record.updated,
                    record.closed,
                    record.unchanged,
                    record.skipped
                )
            } else {
                format!("Import of {} failed: {}", record.file_name, record.error.clone().unwrap_or_default())
            }}
        </section>
    }
}

/// The upload form. Without JavaScript it posts to `/imports/upload` and comes back here
/// with the result; hydrated, it uploads with progress and accepts a dropped file.
#[component]
fn UploadForm() -> impl IntoView {
    let progress = RwSignal::new(None::<f64>);
    let message = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        client::upload(ev, progress, message);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, progress, message);
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        client::take_dropped_file(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="card">
            <h2>"Upload findings"</h2>
            <form
                id="upload-form"
                method="post"
                action="/imports/upload"
                enctype="multipart/form-data"
                on:submit=on_submit
            >
                <div
                    class="drop-zone"
                    class:dragging=move || dragging.get()
                    on:dragover=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop
                >
                    <label for="import-file">"Findings file (drop it here or choose it)"</label>
                    <input id="import-file" type="file" name="file" required/>
                </div>
                <label for="import-format">"Format"</label>
                <select id="import-format" name="format">
                    <option value="" selected>"detect from content"</option>
                    {IMPORT_FORMATS.into_iter().map(|f| view! { <option value=f>{f}</option> }).collect_view()}
                </select>
                <label for="import-repository">"Repository (IaC findings)"</label>
                <input id="import-repository" name="repository" maxlength="500" placeholder="infra-live"/>
                <label>
                    <input type="checkbox" name="full" value="on"/>
                    " Full import: close open findings of the same source and scope that are not in this file"
                </label>
                <button type="submit">"Import"</button>
            </form>
            {move || progress.get().map(|p| view! {
                <progress id="upload-progress" max="100" value=format!("{p:.0}")>{format!("{p:.0}%")}</progress>
            })}
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
        </section>
    }
}

#[component]
fn History(page: Page<ImportRecord>) -> impl IntoView {
    let pages = page.page_count();
    let current = page.page;
    view! {
        <h2>"History"</h2>
        <table class="grid" id="import-history">
            <thead>
                <tr><th>"When"</th><th>"File"</th><th>"Format"</th><th>"By"</th><th>"Kind"</th><th>"Result"</th><th>"New"</th><th>"Updated"</th><th>"Closed"</th><th>"Unchanged"</th><th>"Skipped"</th></tr>
            </thead>
            <tbody>
                {page.items.into_iter().map(|r| {
                    let failed = r.status != "ok";
                    let skips = r.skips.clone();
                    view! {
                        <tr class:failed=failed>
                            <td>{r.started_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                            <td>{r.file_name.clone()}</td>
                            <td>{r.format.clone().unwrap_or_default()}</td>
                            <td>{r.user_email.clone().unwrap_or_default()}</td>
                            <td>{if r.full { "full" } else { "partial" }}</td>
                            <td>
                                {r.status.clone()}
                                {r.error.clone().map(|e| view! { <div class="error">{e}</div> })}
                                {(!skips.is_empty()).then(|| view! {
                                    <details>
                                        <summary>{format!("{} skip reasons", skips.len())}</summary>
                                        <ul>{skips.into_iter().map(|s| view! { <li>{s.position}": "{s.reason}</li> }).collect_view()}</ul>
                                    </details>
                                })}
                            </td>
                            <td>{r.new}</td>
                            <td>{r.updated}</td>
                            <td>{r.closed}</td>
                            <td>{r.unchanged}</td>
                            <td>{r.skipped}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {(current > 1).then(|| view! { <a href=format!("/imports?page={}", current - 1) rel="prev">"← Newer"</a> })}
            <span>{format!(" Page {current} of {pages} ")}</span>
            {(current < pages).then(|| view! { <a href=format!("/imports?page={}", current + 1) rel="next">"Older →"</a> })}
        </nav>
    }
}

/// Browser-only: the progress upload and the dropped file.
#[cfg(feature = "hydrate")]
mod client {
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, closure::Closure};

    /// Puts a dropped file into the form's file input.
    pub fn take_dropped_file(ev: leptos::ev::DragEvent) {
        ev.prevent_default();
        let files = ev.data_transfer().and_then(|d| d.files());
        let input = document()
            .get_element_by_id("import-file")
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let (Some(files), Some(input)) = (files, input) {
            input.set_files(Some(&files));
        }
    }

    /// Sends the form with XMLHttpRequest to show progress, then shows the result page.
    pub fn upload(
        ev: leptos::ev::SubmitEvent,
        progress: RwSignal<Option<f64>>,
        message: RwSignal<Option<String>>,
    ) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let (Ok(data), Ok(xhr)) = (
            web_sys::FormData::new_with_form(&form),
            web_sys::XmlHttpRequest::new(),
        ) else {
            return; // the browser submits the form normally
        };
        ev.prevent_default();
        if xhr.open("POST", "/imports/upload").is_err()
            || xhr
                .set_request_header("Accept", "application/json")
                .is_err()
        {
            message.set(Some("The upload could not start.".into()));
            return;
        }
        progress.set(Some(0.0));
        message.set(Some("Uploading…".into()));
        if let Ok(upload) = xhr.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |e: web_sys::ProgressEvent| {
                    if e.length_computable() && e.total() > 0.0 {
                        let percent = e.loaded() / e.total() * 100.0;
                        progress.set(Some(percent));
                        if percent >= 100.0 {
                            message.set(Some("Importing…".into()));
                        }
                    }
                },
            );
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let done_xhr = xhr.clone();
        let on_load = Closure::<dyn FnMut()>::new(move || {
            let text = done_xhr.response_text().ok().flatten().unwrap_or_default();
            let status = done_xhr.status().unwrap_or(0);
            let target = if status == 200 {
                serde_json::from_str::<redress_types::ImportSummary>(&text)
                    .map(|s| format!("/imports?import={}", s.import_id))
                    .unwrap_or_else(|_| "/imports".into())
            } else {
                let error = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                    .unwrap_or_else(|| format!("the upload failed with HTTP status {status}"));
                format!("/imports?error={}", crate::pages::findings::encode(&error))
            };
            let _ = window().location().set_href(&target);
        });
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        on_load.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            progress.set(None);
            message.set(Some("The upload failed: the connection was lost.".into()));
        });
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        if xhr.send_with_opt_form_data(Some(&data)).is_err() {
            message.set(Some("The upload could not be sent.".into()));
        }
    }
}
