//! The login page. Works without JavaScript; with it, "Show password" toggles in place.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::auth::Login;

/// E-mail and password form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let show_password = RwSignal::new(false);
    let error = move || {
        login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <main class="login">
            <h1>"Redress"</h1>
            <p class="tagline">"Fix cloud misconfigurations where they belong: in Terraform."</p>
            <ActionForm action=login attr:class="login-form">
                <input type="hidden" name="next" prop:value=next/>
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                <label for="password">"Password"</label>
                <div class="password-row">
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                    />
                    <button
                        type="button"
                        id="toggle-password"
                        aria-pressed=move || show_password.get().to_string()
                        on:click=move |_| show_password.update(|s| *s = !*s)
                    >
                        {move || if show_password.get() { "Hide" } else { "Show" }}
                    </button>
                </div>
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="primary">"Log in"</button>
            </ActionForm>
        </main>
    }
}
