//! The axum application: routes, layers and the listener.
use std::{net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use app::ssr::{AppState, LoginRateLimiter};
use axum::{
    Router,
    body::Body,
    extract::DefaultBodyLimit,
    extract::State,
    http::{HeaderValue, Request, StatusCode, header},
    middleware,
    response::IntoResponse,
    routing::{get, post},
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use redress_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{csrf, login_guard, rest, session_store::DbSessionStore};

/// How the web server is set up.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The built site (`target/site`): wasm, JS and CSS under `pkg/`.
    pub site_root: String,
    /// Mark cookies `Secure` (serving over https).
    pub secure_cookies: bool,
}

/// The state every handler shares.
pub fn app_state(store: Store, config: &WebConfig) -> AppState {
    let leptos_options = LeptosOptions::builder()
        .output_name("redress")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    AppState {
        store,
        login_limiter: Arc::new(LoginRateLimiter::default()),
        leptos_options,
        data_dir: std::env::var_os("REDRESS_DATA_DIR").map_or_else(|| "data".into(), Into::into),
        secret_key: Arc::default(),
        forge_urls: app::ssr::ForgeUrls::from_env(),
    }
}

/// Every route of the application with its layers.
pub fn router(state: AppState, secure_cookies: bool) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.store.clone()))
        .with_name("redress_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(7)));
    let routes = generate_route_list(app::App);
    let ssr_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/api/v1/imports",
            post(rest::api_import).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/imports/upload",
            post(rest::browser_upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/items/{id}/patch", get(rest::item_patch))
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ssr_state.clone()),
            move || app::shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(middleware::from_fn(login_guard::require_login))
        .layer(middleware::from_fn(csrf::protect))
        .layer(sessions)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

async fn server_fn_handler(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")).into_response(),
    }
}

/// Binds the listener and serves until Ctrl-C or SIGTERM.
pub async fn serve(store: Store, config: WebConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let cleanup_store = store.clone();
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(e) = cleanup_store.session_delete_expired().await {
                tracing::warn!("expired-session cleanup failed: {e}");
            }
        }
    });
    // Exceptions past their expiry end, and their items reopen (audited as the system).
    let expiry_store = store.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            match expiry_store.expire_exceptions().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("{n} exception(s) expired; their items reopened"),
                Err(e) => tracing::warn!("exception expiry failed: {e}"),
            }
        }
    });
    let state = app_state(store, &config);
    // Tokens stored in plain text by an older version are sealed now.
    if state.store.has_unsealed_tokens().await? {
        let key = state
            .secret_key()
            .map_err(|e| anyhow::anyhow!("loading the secret key: {e}"))?;
        let sealed = state.store.seal_stored_tokens(&key).await?;
        tracing::info!("sealed {sealed} repository access token(s) stored in plain text");
    }
    let app = router(state, config.secure_cookies);
    println!("Redress is serving http://{}", config.addr);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server stopped with an error")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
