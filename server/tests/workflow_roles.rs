//! Role checks of the campaign (including reassigning items), repository, exception, audit
//! and report server functions,
//! through the real router: for each function, each role (admin, security, developer,
//! manager) is either served (2xx, or a redirect for the form that opens the new campaign)
//! or refused with 403 naming the role.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up helpers: a failed set-up should panic"
)]
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode},
};
use redress_server::web;
use redress_store::{NewUser, testing};
use redress_types::Role;
use tower::ServiceExt as _;

mod support;
use support::{text, web_config};

const ROLES: [Role; 4] = [Role::Admin, Role::Security, Role::Developer, Role::Manager];

async fn app() -> (Router, testing::TestDb) {
    let db = testing::sqlite().await.unwrap();
    for role in ROLES {
        db.store
            .create_user(NewUser {
                email: format!("{role}@example.com"),
                display_name: None,
                role,
                password: "a long password".into(),
            })
            .await
            .unwrap();
    }
    (
        web::router(web::app_state(db.store.clone(), &web_config()), false),
        db,
    )
}

fn post(path: &str, body: &str, cookie: &str) -> Request<Body> {
    support::form_post(path, body.to_owned(), Some(cookie))
}

async fn login(app: &Router, role: Role) -> String {
    support::login(app, &format!("{role}@example.com"), "a long password").await
}

/// Calls `path` as every role; `allowed` roles must get `ok(status)`, the others 403 naming their role.
async fn check(
    app: &Router,
    cookies: &[(Role, String)],
    path: &str,
    body: &dyn Fn(Role) -> String,
    allowed: &[Role],
    ok: fn(StatusCode) -> bool,
) {
    for (role, cookie) in cookies {
        let response = app
            .clone()
            .oneshot(post(path, &body(*role), cookie))
            .await
            .unwrap();
        let status = response.status();
        let text = text(response).await;
        if allowed.contains(role) {
            assert!(ok(status), "{path} as {role}: {status} {text}");
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {role}: {text}");
            assert!(text.contains(role.as_str()), "{path} as {role}: {text}");
        }
    }
}

fn success(s: StatusCode) -> bool {
    s.is_success()
}

fn success_or_redirect(s: StatusCode) -> bool {
    s.is_success() || s.is_redirection()
}

/// Passed the role check: anything but 401/403 (the object may not exist).
fn past_role_check(s: StatusCode) -> bool {
    s != StatusCode::FORBIDDEN && s != StatusCode::UNAUTHORIZED
}

#[tokio::test]
async fn workflow_server_functions_enforce_roles() {
    let (app, db) = app().await;
    let mut cookies = Vec::new();
    for role in ROLES {
        cookies.push((role, login(&app, role).await));
    }
    let everyone = &ROLES[..];
    let leads = &[Role::Admin, Role::Security][..];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_db_instance\" \"app\" {\n  storage_encrypted = false\n}\n",
    )
    .unwrap();
    let path = dir.path().display().to_string().replace('/', "%2F");

    // Repositories.
    check(
        &app,
        &cookies,
        "/api/repositories/create",
        &|r| format!("name=acme%2F{r}&kind=local&path={path}"),
        leads,
        success,
    )
    .await;
    let repo_id = db.store.list_repositories().await.unwrap()[0].id;
    check(
        &app,
        &cookies,
        "/api/repositories/list",
        &|_| String::new(),
        everyone,
        success,
    )
    .await;
    let list = text(
        app.clone()
            .oneshot(post("/api/repositories/list", "", &cookies[0].1))
            .await
            .unwrap(),
    )
    .await;
    assert!(
        list.contains("acme/admin") && !list.contains("token\":\""),
        "{list}"
    );
    check(
        &app,
        &cookies,
        "/api/repositories/add_root",
        &|r| format!("repository_id={repo_id}&path=env-{r}&state=none"),
        leads,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/repositories/reindex",
        &|_| format!("id={repo_id}"),
        leads,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/repositories/fetch",
        &|_| format!("id={repo_id}"),
        leads,
        past_role_check,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/repositories/index_errors",
        &|_| format!("id={repo_id}&page=1"),
        everyone,
        success,
    )
    .await;

    // Campaigns.
    check(
        &app,
        &cookies,
        "/api/campaigns/form_choices",
        &|_| String::new(),
        leads,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/campaigns/create",
        &|r| format!("name=Encrypt+{r}&description=&owner_id=1&start_date=2026-03-01&due_date=2026-03-31&source=policies&policies%5B0%5D=RDX-RDS-001"),
        leads,
        success_or_redirect,
    )
    .await;
    let campaigns = db.store.list_campaigns(None, 1, 50).await.unwrap();
    assert_eq!(campaigns.total, 2, "one campaign per allowed role");
    let id = campaigns.items[0].id;
    check(
        &app,
        &cookies,
        "/api/campaigns/list",
        &|_| "page=1".into(),
        everyone,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/campaigns/detail",
        &|_| format!("id={id}"),
        everyone,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/campaigns/items",
        &|_| format!("id={id}&page=1"),
        everyone,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/campaigns/audit",
        &|_| format!("id={id}&page=1"),
        everyone,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/campaigns/plan",
        &|_| format!("id={id}"),
        leads,
        success,
    )
    .await;
    // admin: draft → active; security: active → completed.
    check(
        &app,
        &cookies,
        "/api/campaigns/set_status",
        &|r| {
            format!(
                "id={id}&status={}",
                if r == Role::Admin {
                    "active"
                } else {
                    "completed"
                }
            )
        },
        leads,
        success,
    )
    .await;
    assert_eq!(
        db.store.campaign(id).await.unwrap().status,
        redress_types::CampaignStatus::Completed
    );
    check(
        &app,
        &cookies,
        "/api/campaigns/my_work",
        &|_| "page=1".into(),
        everyone,
        success,
    )
    .await;

    // Reassigning by hand: security and admin only; a bad assignee is named in the error.
    check(
        &app,
        &cookies,
        "/api/campaigns/reassign_item",
        &|_| "id=999999&assignee=unassigned".into(),
        leads,
        past_role_check,
    )
    .await;
    let bad = app
        .clone()
        .oneshot(post(
            "/api/campaigns/reassign_item",
            "id=999999&assignee=somebody",
            &cookies[0].1,
        ))
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = text(bad).await;
    assert!(
        bad.contains("assignee") && bad.contains("somebody"),
        "{bad}"
    );

    // Exceptions, audit, reports.
    check(
        &app,
        &cookies,
        "/api/exceptions/lists",
        &|_| "page=1".into(),
        everyone,
        success,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/exceptions/approve",
        &|_| "id=999999".into(),
        leads,
        past_role_check,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/exceptions/deny",
        &|_| "id=999999".into(),
        leads,
        past_role_check,
    )
    .await;
    check(
        &app,
        &cookies,
        "/api/audit/events",
        &|_| "page=1".into(),
        everyone,
        success,
    )
    .await;
    let audit = text(
        app.clone()
            .oneshot(post(
                "/api/audit/events",
                "page=1&action=campaign.set_status",
                &cookies[3].1,
            ))
            .await
            .unwrap(),
    )
    .await;
    assert!(
        audit.contains("\"total\":2"),
        "two status moves audited: {audit}"
    );
    check(
        &app,
        &cookies,
        "/api/reports/overview",
        &|_| String::new(),
        everyone,
        success,
    )
    .await;
}
