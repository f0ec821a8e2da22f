//! Repositories: register a local checkout or a GitHub/GitLab remote, add root modules with
//! their state, re-index, and see the last run's counts and parse errors.
use leptos::prelude::*;
use redress_types::{Repository, Role, RootState};

use crate::{
    api::repositories::{
        AddRootModule, CreateRepository, FetchRepository, ReindexRepository, list_repositories,
    },
    pages::components::{EmptyState, use_current_user},
};

/// The Repositories page.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    let create = ServerAction::<CreateRepository>::new();
    let add_root = ServerAction::<AddRootModule>::new();
    let reindex = ServerAction::<ReindexRepository>::new();
    let fetch = ServerAction::<FetchRepository>::new();
    let repos = Resource::new(
        move || {
            (
                create.version().get(),
                add_root.version().get(),
                reindex.version().get(),
                fetch.version().get(),
            )
        },
        |_| list_repositories(),
    );
    let user = use_current_user();
    view! {
        <h1>"Repositories"</h1>
        <div aria-live="polite">
            {move || create.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            {move || add_root.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            {move || fetch.value().get().map(|r| match r {
                Ok(s) => view! { <p class="notice" role="status">{format!("Fetched and indexed: {} files, {} resources, {} modules, {} parse errors.", s.files, s.resources, s.modules, s.error_count)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            {move || reindex.value().get().map(|r| match r {
                Ok(s) => view! { <p class="notice" role="status">{format!("Indexed: {} files, {} resources, {} modules, {} parse errors.", s.files, s.resources, s.modules, s.error_count)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_change = user.has_role(&[Role::Security, Role::Admin]).await;
                let list = match repos.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No repositories registered">
                            <p>"Register a Terraform repository (a local git checkout or a GitHub/GitLab remote) so Redress can map findings to the exact lines that define each resource."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => list.into_iter().map(|r| view! {
                        <RepositoryCard repo=r can_change=can_change add_root=add_root reindex=reindex fetch=fetch/>
                    }).collect_view().into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                };
                view! {
                    {list}
                    {can_change.then(|| view! {
                        <section class="card">
                            <h2>"Register a repository"</h2>
                            <ActionForm action=create attr:class="stacked-form">
                                <label for="r-name">"Name (campaign globs match it)"</label>
                                <input id="r-name" name="name" required maxlength="200" placeholder="acme/infra"/>
                                <label for="r-kind">"Kind"</label>
                                <select id="r-kind" name="kind">
                                    <option value="local">"Local path (a git checkout on this server)"</option>
                                    <option value="github">"GitHub remote"</option>
                                    <option value="gitlab">"GitLab remote"</option>
                                </select>
                                <label for="r-path">"Local path (absolute)"</label>
                                <input id="r-path" name="path" placeholder="/srv/checkouts/infra"/>
                                <label for="r-remote">"Remote (owner/repo)"</label>
                                <input id="r-remote" name="remote" placeholder="acme/infra"/>
                                <label for="r-token">"Access token (private remotes; stored, never shown again)"</label>
                                <input id="r-token" name="token" type="password" autocomplete="off"/>
                                <label for="r-branch">"Default branch"</label>
                                <input id="r-branch" name="default_branch" placeholder="main"/>
                                <button type="submit">"Register"</button>
                            </ActionForm>
                        </section>
                    })}
                }
            })}
        </Suspense>
    }
}

#[component]
fn RepositoryCard(
    repo: Repository,
    can_change: bool,
    add_root: ServerAction<AddRootModule>,
    reindex: ServerAction<ReindexRepository>,
    fetch: ServerAction<FetchRepository>,
) -> impl IntoView {
    let id = repo.id;
    let is_remote = repo.remote.is_some();
    let source = match (&repo.local_path, &repo.remote) {
        (_, Some(remote)) => format!("{} {remote} ({})", repo.kind, repo.default_branch),
        (Some(path), None) => format!("local {path}"),
        (None, None) => repo.kind.to_string(),
    };
    view! {
        <section class="card repository">
            <h2>{repo.name.clone()}</h2>
            <p class="meta">{source}{repo.has_token.then_some(" · token stored")}</p>
            <h3>"Root modules"</h3>
            {if repo.roots.is_empty() {
                view! { <p class="muted">"No root modules yet: locate falls back to code only."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {repo.roots.iter().map(|root| {
                            let state = match &root.state {
                                RootState::None => "no state".to_owned(),
                                RootState::Uploaded { bytes } => format!("uploaded state, {bytes} bytes"),
                                RootState::Path { path } => format!("state at {path}"),
                            };
                            view! { <li><code>{root.path.clone()}</code>{format!(" — {state}")}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <h3>"Last index"</h3>
            {match repo.last_index.clone() {
                None => view! { <p class="muted">"Never indexed."</p> }.into_any(),
                Some(s) => view! {
                    <p>{format!("{} UTC: {} files, {} resources, {} modules, {} skipped, {} parse errors.", s.indexed_at.format("%Y-%m-%d %H:%M"), s.files, s.resources, s.modules, s.skipped, s.error_count)}</p>
                    {s.failure.map(|f| view! { <p class="error">{f}</p> })}
                    {(!s.errors.is_empty()).then(|| view! {
                        <details>
                            <summary>"Parse errors"</summary>
                            <ul class="parse-errors">
                                {s.errors.into_iter().take(200).map(|e| view! { <li><code>{format!("{}:{}", e.file, e.line)}</code>{format!(" {}", e.message)}</li> }).collect_view()}
                            </ul>
                        </details>
                    })}
                }.into_any(),
            }}
            {can_change.then(|| view! {
                <div class="button-row">
                    {is_remote.then(|| view! {
                        <ActionForm action=fetch>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit">"Fetch now"</button>
                        </ActionForm>
                    })}
                    <ActionForm action=reindex>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit">"Re-index"</button>
                    </ActionForm>
                </div>
                <details>
                    <summary>"Add a root module"</summary>
                    <ActionForm action=add_root attr:class="stacked-form">
                        <input type="hidden" name="repository_id" value=id/>
                        <label for=format!("root-path-{id}")>"Directory (relative; . for the top)"</label>
                        <input id=format!("root-path-{id}") name="path" value="."/>
                        <label for=format!("root-state-{id}")>"State"</label>
                        <select id=format!("root-state-{id}") name="state">
                            <option value="none">"None"</option>
                            <option value="path">"A tfstate path in the repository"</option>
                            <option value="upload">"Paste a tfstate (JSON)"</option>
                        </select>
                        <label for=format!("root-spath-{id}")>"State path"</label>
                        <input id=format!("root-spath-{id}") name="state_path" placeholder="envs/prod/terraform.tfstate"/>
                        <label for=format!("root-json-{id}")>"State JSON"</label>
                        <textarea id=format!("root-json-{id}") name="state_json" rows="4"></textarea>
                        <button type="submit">"Add root module"</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}
