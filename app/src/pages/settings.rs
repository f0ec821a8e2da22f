//! Settings: your API tokens; for admins, the users.
use leptos::prelude::*;
use redress_types::Role;

use crate::{
    api::settings::{CreateMyToken, CreateUser, RevokeMyToken, list_my_tokens, list_users},
    pages::components::use_current_user,
};

/// API tokens for pipelines, and user administration for admins.
#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <h1>"Settings"</h1>
        <ApiTokens/>
        <Users/>
    }
}

#[component]
fn ApiTokens() -> impl IntoView {
    let create = ServerAction::<CreateMyToken>::new();
    let revoke = ServerAction::<RevokeMyToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_my_tokens(),
    );
    view! {
        <section class="card">
            <h2>"API tokens"</h2>
            <p class="hint">
                "Pipelines send findings to " <code>"POST /api/v1/imports"</code>
                " with " <code>"Authorization: Bearer <token>"</code> "."
            </p>
            <ActionForm action=create attr:class="inline-form">
                <label for="token-name">"Name"</label>
                <input id="token-name" name="name" required maxlength="100" placeholder="CI pipeline"/>
                <button type="submit">"Create token"</button>
            </ActionForm>
            {move || match create.value().get() {
                Some(Ok(new)) => view! {
                    <p class="secret" role="status">
                        "Copy this token now; it will not be shown again: "
                        <code id="new-token">{new.secret}</code>
                    </p>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="grid">
                                <thead><tr><th>"Name"</th><th>"Token"</th><th>"Created"</th><th>"Last used"</th><th>"State"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| {
                                        let revoked = t.revoked_at.is_some();
                                        view! {
                                            <tr>
                                                <td>{t.name}</td>
                                                <td><code>{t.prefix}"…"</code></td>
                                                <td>{t.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                <td>{t.last_used_at.map_or("never".to_owned(), |d| d.format("%Y-%m-%d %H:%M").to_string())}</td>
                                                <td>
                                                    {if revoked {
                                                        view! { <span class="muted">"revoked"</span> }.into_any()
                                                    } else {
                                                        view! {
                                                            <ActionForm action=revoke>
                                                                <input type="hidden" name="id" value=t.id/>
                                                                <button type="submit" class="danger">"Revoke"</button>
                                                            </ActionForm>
                                                        }.into_any()
                                                    }}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Users() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let user = use_current_user();
    // `None` for everyone but admins, who alone may list users.
    let users = Resource::new(
        move || create.version().get(),
        move |_| async move {
            if user.has_role(&[Role::Admin]).await {
                list_users().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(None) => ().into_any(),
                    Ok(Some(list)) => view! { <UserAdmin list create/> }.into_any(),
                    Err(e) => view! { <section class="card"><h2>"Users"</h2><p class="error" role="alert">{e.to_string()}</p></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The user list and the form that adds one (admins).
#[component]
fn UserAdmin(
    list: Vec<redress_types::UserSummary>,
    create: ServerAction<CreateUser>,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Users"</h2>
            <table class="grid">
                <thead><tr><th>"E-mail"</th><th>"Name"</th><th>"Role"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|u| view! {
                        <tr><td>{u.email}</td><td>{u.display_name}</td><td>{u.role.to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"Add a user"</h3>
            <ActionForm action=create attr:class="stacked-form">
                <label for="new-email">"E-mail"</label>
                <input id="new-email" name="email" type="email" required/>
                <label for="new-name">"Name"</label>
                <input id="new-name" name="display_name"/>
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                </select>
                <label for="new-password">"Initial password"</label>
                <input id="new-password" name="password" type="password" minlength="10" required/>
                <button type="submit">"Add user"</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </section>
    }
}
