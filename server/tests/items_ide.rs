//! The work-item IDE view through the real router: its server functions per role, the live
//! verification, proposing and approving fixes, exception requests, the rendered page, and
//! the patch download applying with `git apply --check`.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up helpers: a failed set-up should panic"
)]
use std::{path::Path, process::Command};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use redress_server::web;
use redress_store::{NewCampaign, NewFixSite, NewRepository, NewUser, RepositorySource, testing};
use redress_types::{CampaignScope, CampaignSource, Role, UserSummary};
use tower::ServiceExt as _;

mod support;
use support::{HOST, form_post, text, urlencode, web_config};

const PASSWORD: &str = "a long password";
const MAIN_TF: &str = "resource \"aws_ebs_volume\" \"data\" {\n  availability_zone = \"eu-west-1a\"\n  size              = 10\n  encrypted         = false\n}\n";
const FIXED_TF: &str = "resource \"aws_ebs_volume\" \"data\" {\n  availability_zone = \"eu-west-1a\"\n  size              = 10\n  encrypted         = true\n}\n";
const STILL_FAILING_TF: &str = "resource \"aws_ebs_volume\" \"data\" {\n  availability_zone = \"eu-west-1a\"\n  size              = 20\n  encrypted         = false\n}\n";
const BROKEN_TF: &str = "resource \"aws_ebs_volume\" \"data\" {\n  availability_zone = \"eu-west-1a\"\n  size              = \n  encrypted         = true\n}\n";

struct Fixture {
    app: Router,
    item_id: i64,
    repo_dir: tempfile::TempDir,
    db: testing::TestDb,
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Users of every role, a git repository with one unencrypted EBS volume, a campaign and
/// its one work item.
async fn fixture() -> Fixture {
    let db = testing::sqlite().await.unwrap();
    let mut admin: Option<UserSummary> = None;
    for (email, role) in [
        ("admin@example.com", Role::Admin),
        ("sec@example.com", Role::Security),
        ("dev@example.com", Role::Developer),
        ("dev2@example.com", Role::Developer),
        ("manager@example.com", Role::Manager),
    ] {
        let user = db
            .store
            .create_user(NewUser {
                email: email.into(),
                display_name: None,
                role,
                password: PASSWORD.into(),
            })
            .await
            .unwrap();
        if role == Role::Admin {
            admin = Some(user);
        }
    }
    let admin = admin.unwrap();
    let repo_dir = tempfile::tempdir().unwrap();
    git(repo_dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(repo_dir.path().join("main.tf"), MAIN_TF).unwrap();
    std::fs::write(
        repo_dir.path().join("README.md"),
        "# infra <script>alert(1)</script>\n",
    )
    .unwrap();
    git(repo_dir.path(), &["add", "."]);
    git(repo_dir.path(), &["commit", "-q", "-m", "infra"]);
    let repository = db
        .store
        .create_repository(
            &admin,
            NewRepository {
                name: "acme/infra".into(),
                source: RepositorySource::Local {
                    path: repo_dir.path().display().to_string(),
                },
                default_branch: String::new(),
            },
        )
        .await
        .unwrap();
    let today = chrono::Utc::now().date_naive();
    let campaign = db
        .store
        .create_campaign(
            &admin,
            NewCampaign {
                name: "Encrypt EBS".into(),
                description: String::new(),
                owner_id: admin.id,
                start_date: today,
                due_date: today + chrono::Days::new(30),
                source: CampaignSource::PolicySet {
                    policies: vec!["RDX-EBS-001".into()],
                },
                scope: CampaignScope::default(),
            },
        )
        .await
        .unwrap();
    db.store
        .add_work_items(
            None,
            campaign.id,
            vec![NewFixSite {
                repository_id: repository.id,
                policy_id: "RDX-EBS-001".into(),
                file: "main.tf".into(),
                line: 4,
                title: "Encrypt aws_ebs_volume.data".into(),
                finding_ids: Vec::new(),
                instances: vec!["aws_ebs_volume.data".into()],
                code_owners: Vec::new(),
            }],
        )
        .await
        .unwrap();
    let item_id = db
        .store
        .campaign_work_items(campaign.id, None, 1, 10)
        .await
        .unwrap()
        .items[0]
        .id;
    let config = web_config();
    let app = web::router(web::app_state(db.store.clone(), &config), false);
    Fixture {
        app,
        item_id,
        repo_dir,
        db,
    }
}

fn post(path: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> Request<Body> {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    form_post(path, body.join("&"), cookie)
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

async fn login(app: &Router, email: &str) -> String {
    support::login(app, email, PASSWORD).await
}

async fn call(
    f: &Fixture,
    cookie: &str,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = f
        .app
        .clone()
        .oneshot(post(
            &format!("/api/items/{endpoint}"),
            fields,
            Some(cookie),
        ))
        .await
        .unwrap();
    let status = response.status();
    (status, text(response).await)
}

#[tokio::test]
async fn every_role_reads_the_view_with_offending_lines_notes_and_a_generated_fix() {
    let f = fixture().await;
    let id = f.item_id.to_string();
    for email in [
        "admin@example.com",
        "sec@example.com",
        "dev@example.com",
        "manager@example.com",
    ] {
        let cookie = login(&f.app, email).await;
        let (status, body) = call(&f, &cookie, "view", &[("id", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{email}: {body}");
        let view: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            view["offending"][0]["address"], "aws_ebs_volume.data",
            "{body}"
        );
        assert_eq!(view["offending"][0]["line"], 4);
        assert_eq!(view["offending"][0]["start_line"], 1);
        assert!(
            !view["policy"]["why"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{body}"
        );
        assert_eq!(view["fix"]["origin"], "Generated");
        assert_eq!(view["fix"]["passes"], true);
        assert_eq!(view["fix"]["patched_text"], FIXED_TF, "{body}");
        assert_eq!(view["can_work"], email != "manager@example.com");
        let tree: Vec<&str> = view["tree"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert_eq!(tree, ["README.md", "main.tf"]);
        assert_eq!(view["file"]["path"], "main.tf");
    }
    let anonymous = f
        .app
        .clone()
        .oneshot(post("/api/items/view", &[("id", &id)], None))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_offending_value_in_another_file_is_shown_in_that_file() {
    let f = fixture().await;
    let dir = f.repo_dir.path();
    std::fs::write(
        dir.join("iam.tf"),
        "resource \"aws_iam_policy\" \"admin\" {\n  name = \"admin\"\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Action = var.actions, Resource = \"*\" }]\n  })\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("variables.tf"),
        "variable \"actions\" {\n  default = [\"*\"]\n}\n",
    )
    .unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "an admin policy"]);
    let store = &f.db.store;
    let first = store.work_item(f.item_id).await.unwrap();
    store
        .add_work_items(
            None,
            first.campaign_id,
            vec![NewFixSite {
                repository_id: first.repository_id,
                policy_id: "RDX-IAM-001".into(),
                file: "iam.tf".into(),
                line: 5,
                title: "No full admin in aws_iam_policy.admin".into(),
                finding_ids: Vec::new(),
                instances: vec!["aws_iam_policy.admin".into()],
                code_owners: Vec::new(),
            }],
        )
        .await
        .unwrap();
    let item = store
        .campaign_work_items(first.campaign_id, None, 1, 10)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.id != f.item_id)
        .unwrap();

    let cookie = login(&f.app, "dev@example.com").await;
    let (status, body) = call(&f, &cookie, "view", &[("id", &item.id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    let offending = &view["offending"][0];
    assert_eq!(offending["address"], "aws_iam_policy.admin", "{body}");
    // The wildcard is written in the variable's default: file and line are both there, and
    // the highlighted range is that line, not the resource block's lines of iam.tf.
    assert_eq!(offending["file"], "variables.tf", "{body}");
    assert_eq!(offending["line"], 2, "{body}");
    assert_eq!(
        (
            offending["start_line"].clone(),
            offending["end_line"].clone()
        ),
        (2.into(), 2.into()),
        "{body}"
    );
}

#[tokio::test]
async fn the_view_opens_other_tracked_files_but_never_paths_outside_the_repository() {
    let f = fixture().await;
    let cookie = login(&f.app, "dev@example.com").await;
    let id = f.item_id.to_string();
    let (status, body) = call(&f, &cookie, "view", &[("id", &id), ("file", "README.md")]).await;
    assert_eq!(status, StatusCode::OK);
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        view["file"]["lines"][0][0]["text"],
        "# infra <script>alert(1)</script>"
    );
    let (status, body) = call(
        &f,
        &cookie,
        "view",
        &[("id", &id), ("file", "../../etc/passwd")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(view["file"].is_null(), "{body}");
    assert!(
        view["notice"]
            .as_str()
            .unwrap()
            .contains("not a tracked file"),
        "{body}"
    );
}

#[tokio::test]
async fn live_verification_reports_pass_policy_failure_and_parse_error_line_for_every_role() {
    let f = fixture().await;
    let id = f.item_id.to_string();
    for email in [
        "admin@example.com",
        "sec@example.com",
        "dev@example.com",
        "manager@example.com",
    ] {
        let cookie = login(&f.app, email).await;
        let (status, body) = call(
            &f,
            &cookie,
            "verify_edit",
            &[("id", &id), ("file", "main.tf"), ("text", FIXED_TF)],
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "\"Passes\""),
            "{email}"
        );
    }
    let cookie = login(&f.app, "dev@example.com").await;
    let (_, body) = call(
        &f,
        &cookie,
        "verify_edit",
        &[("id", &id), ("file", "main.tf"), ("text", STILL_FAILING_TF)],
    )
    .await;
    assert!(
        body.contains("FailsPolicy") && body.contains("aws_ebs_volume.data"),
        "{body}"
    );
    let (_, body) = call(
        &f,
        &cookie,
        "verify_edit",
        &[("id", &id), ("file", "main.tf"), ("text", BROKEN_TF)],
    )
    .await;
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    let line = status["ParseError"]["line"].as_u64();
    assert!(
        matches!(line, Some(3 | 4)),
        "the error is on the emptied value or right after it: {body}"
    );
    let (status, _) = call(
        &f,
        &cookie,
        "verify_edit",
        &[("id", &id), ("file", "../x.tf"), ("text", FIXED_TF)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn proposing_needs_a_working_role_and_a_passing_fix() {
    let f = fixture().await;
    let id = f.item_id.to_string();
    let fields = [("id", id.as_str()), ("file", "main.tf"), ("text", FIXED_TF)];
    let manager = login(&f.app, "manager@example.com").await;
    let (status, body) = call(&f, &manager, "propose_fix", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for email in ["admin@example.com", "sec@example.com", "dev@example.com"] {
        let cookie = login(&f.app, email).await;
        let (status, body) = call(&f, &cookie, "propose_fix", &fields).await;
        assert_eq!(status, StatusCode::OK, "{email}: {body}");
        assert!(body.contains("+  encrypted         = true"), "{body}");
    }
    let dev = login(&f.app, "dev@example.com").await;
    let (status, body) = call(
        &f,
        &dev,
        "propose_fix",
        &[("id", &id), ("file", "main.tf"), ("text", STILL_FAILING_TF)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("fails policy"), "{body}");
    let (status, body) = call(
        &f,
        &dev,
        "propose_fix",
        &[("id", &id), ("file", "main.tf"), ("text", MAIN_TF)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the unchanged file fails the policy: {body}"
    );
    // The refused proposals left the last good one in place.
    let (_, body) = call(&f, &dev, "view", &[("id", &id)]).await;
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["item"]["state"], "fix_proposed");
    // The author by name (no display name was given: the e-mail's local part), and the
    // view tells the author they cannot approve their own fix.
    assert_eq!(view["fix"]["origin"]["Stored"]["author"], "dev");
    assert_eq!(view["you_proposed"], true);
    let (_, body) = call(
        &f,
        &login(&f.app, "sec@example.com").await,
        "view",
        &[("id", &id)],
    )
    .await;
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["you_proposed"], false);
    assert_eq!(view["fix"]["patched_text"], FIXED_TF);
}

#[tokio::test]
async fn approving_needs_a_working_role_and_another_person_than_the_author() {
    let f = fixture().await;
    let id = f.item_id.to_string();
    let dev = login(&f.app, "dev@example.com").await;
    let (status, _) = call(
        &f,
        &dev,
        "propose_fix",
        &[("id", &id), ("file", "main.tf"), ("text", FIXED_TF)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let manager = login(&f.app, "manager@example.com").await;
    assert_eq!(
        call(&f, &manager, "approve_fix", &[("id", &id)]).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = call(&f, &dev, "approve_fix", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("someone other than its author"), "{body}");
    // Each working role approves a proposal written by someone else.
    for (author, approver) in [
        ("dev@example.com", "sec@example.com"),
        ("sec@example.com", "admin@example.com"),
        ("admin@example.com", "dev2@example.com"),
    ] {
        let author = login(&f.app, author).await;
        let (status, body) = call(
            &f,
            &author,
            "propose_fix",
            &[("id", &id), ("file", "main.tf"), ("text", FIXED_TF)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let approver_cookie = login(&f.app, approver).await;
        let (status, body) = call(&f, &approver_cookie, "approve_fix", &[("id", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{approver}: {body}");
    }
}

#[tokio::test]
async fn exception_requests_need_a_working_role_a_scope_and_an_expiry_within_the_maximum() {
    let f = fixture().await;
    let id = f.item_id.to_string();
    let soon = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let too_late = (chrono::Utc::now().date_naive() + chrono::Days::new(400)).to_string();
    let request = |scope: &'static str, expires: String| {
        vec![
            ("id", id.clone()),
            (
                "justification",
                "Legacy volume, replaced next quarter".to_owned(),
            ),
            ("scope", scope.to_owned()),
            ("path_glob", String::new()),
            ("expires_on", expires),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let manager = login(&f.app, "manager@example.com").await;
    let fields = as_refs(&request("item", soon.clone()));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        call(&f, &manager, "request_exception", &borrowed).await.0,
        StatusCode::FORBIDDEN
    );
    for (email, scope) in [
        ("admin@example.com", "item"),
        ("sec@example.com", "policy"),
        ("dev@example.com", "item"),
    ] {
        let cookie = login(&f.app, email).await;
        let fields = as_refs(&request(scope, soon.clone()));
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = call(&f, &cookie, "request_exception", &borrowed).await;
        assert_eq!(status, StatusCode::OK, "{email}: {body}");
        assert!(body.contains("\"pending\""), "{body}");
    }
    let dev = login(&f.app, "dev@example.com").await;
    let fields = as_refs(&request("item", too_late));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = call(&f, &dev, "request_exception", &borrowed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("at most 180 days"), "{body}");
    let fields = as_refs(&request("item", String::new()));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = call(&f, &dev, "request_exception", &borrowed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("expires_at"), "{body}");
}

fn git_apply_check(dir: &Path, patch: &str) -> std::process::Output {
    let file = dir
        .join("..")
        .join(format!("check-{}.patch", std::process::id()));
    std::fs::write(&file, patch).unwrap();
    let out = Command::new("git")
        .args(["apply", "--check", "-v"])
        .arg(&file)
        .current_dir(dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    out
}

#[tokio::test]
async fn the_patch_download_applies_with_git_apply_for_every_role() {
    let f = fixture().await;
    let path = format!("/items/{}/patch", f.item_id);
    let anonymous = f.app.clone().oneshot(get(&path, None)).await.unwrap();
    assert!(
        anonymous.status().is_redirection(),
        "{}",
        anonymous.status()
    );
    assert!(
        anonymous.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login"),
        "visitors log in first"
    );
    for email in [
        "admin@example.com",
        "sec@example.com",
        "dev@example.com",
        "manager@example.com",
    ] {
        let cookie = login(&f.app, email).await;
        let response = f
            .app
            .clone()
            .oneshot(get(&path, Some(&cookie)))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{email}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/x-diff; charset=utf-8"
        );
        let disposition = response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        let patch = text(response).await;
        let out = git_apply_check(f.repo_dir.path(), &patch);
        assert!(
            out.status.success(),
            "generated patch: {}\n{patch}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A human-edited proposal (a different, still valid fix) is what is downloaded next.
    let edited = FIXED_TF.replace("size              = 10", "size              = 12");
    let dev = login(&f.app, "dev@example.com").await;
    let (status, body) = call(
        &f,
        &dev,
        "propose_fix",
        &[
            ("id", &f.item_id.to_string()),
            ("file", "main.tf"),
            ("text", &edited),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let patch = text(f.app.clone().oneshot(get(&path, Some(&dev))).await.unwrap()).await;
    assert!(patch.contains("+  size              = 12"), "{patch}");
    let out = git_apply_check(f.repo_dir.path(), &patch);
    assert!(
        out.status.success(),
        "edited patch: {}\n{patch}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(
        f.repo_dir.path(),
        &["apply", "--", &write_patch(f.repo_dir.path(), &patch)],
    );
    assert_eq!(
        std::fs::read_to_string(f.repo_dir.path().join("main.tf")).unwrap(),
        edited
    );
}

fn write_patch(dir: &Path, patch: &str) -> String {
    let file = dir
        .join("..")
        .join(format!("apply-{}.patch", std::process::id()));
    std::fs::write(&file, patch).unwrap();
    file.display().to_string()
}

#[tokio::test]
async fn the_page_renders_highlighted_lines_notes_and_forms_for_a_developer_only() {
    let f = fixture().await;
    let dev = login(&f.app, "dev@example.com").await;
    let page = format!("/items/{}?file=main.tf&line=4", f.item_id);
    let response = f.app.clone().oneshot(get(&page, Some(&dev))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = text(response).await;
    assert!(html.contains("id=\"L4\""), "line anchors");
    assert!(html.contains("Why it matters"), "policy notes inline");
    assert!(
        html.contains("hl-keyword") || html.contains("hl-type") || html.contains("hl-property"),
        "highlighting"
    );
    assert!(html.contains("name=\"text\""), "editor");
    assert!(html.contains("Request exception"));
    assert!(html.contains("Download patch"));
    let readme = format!("/items/{}?file=README.md", f.item_id);
    let html_readme = text(
        f.app
            .clone()
            .oneshot(get(&readme, Some(&dev)))
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html_readme.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "repository text is escaped"
    );
    assert!(!html_readme.contains("<script>alert(1)"));
    let manager = login(&f.app, "manager@example.com").await;
    let html = text(
        f.app
            .clone()
            .oneshot(get(&page, Some(&manager)))
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("id=\"L4\""));
    assert!(!html.contains("name=\"text\""), "no editor for a manager");
    assert!(!html.contains("Approve fix"));
}
