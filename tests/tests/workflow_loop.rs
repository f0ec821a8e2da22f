//! The whole human-in-the-loop workflow in headless Chromium, against the real server binary
//! and the real hydrate bundle (issue 6):
//! 1. import a findings file through the Imports page;
//! 2. create a campaign (which plans its work items);
//! 3. open a work item in the IDE view;
//! 4. edit the fix into a failing state and see the failure, then fix it again and see it pass;
//! 5. approve the fix as a second user (the approver is not the author);
//! 6. request an exception, then approve it as another user;
//! 7. move the server's clock past the expiry, expire, and see the item reopen.
//!
//! The repository, its users and teams come from `redress demo` run against the server's
//! database first; the campaign this test creates (RDS encryption) is not one of the demo's.
//! Needs `cargo leptos build`; without Chromium/ChromeDriver or the built site it is skipped
//! with a message, except under CI, where it fails.
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use redress_e2e::Harness;
use serde_json::json;

type TestResult = Result<(), Failure>;

/// A test failure shown with its message.
struct Failure(String);

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(error: E) -> Self {
        Self(error.to_string())
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(message.into()))
}

const WAIT: Duration = Duration::from_secs(30);
const DEMO_PASSWORD: &str = "redress-demo-2026";
const SECURITY: &str = "sam.security@acme.example";
const DEVELOPER: &str = "dana.dev@acme.example";
const REVIEWER: &str = "lee.dev@acme.example";

/// A Prowler finding the demo did not import: the orders database is not encrypted.
fn prowler_rds_finding() -> String {
    json!([{
        "metadata": { "event_code": "rds_instance_storage_encrypted", "product": { "name": "Prowler" }, "version": "1.4.0" },
        "severity": "high",
        "status_code": "FAIL",
        "status_detail": "RDS instance acme-prod-orders is not encrypted.",
        "finding_info": {
            "uid": "prowler-aws-rds_instance_storage_encrypted-111122223333-eu-west-1-acme-prod-orders",
            "title": "Check if RDS instances storage is encrypted.",
            "desc": "Ensure RDS instances storage is encrypted."
        },
        "resources": [{
            "uid": "arn:aws:rds:eu-west-1:111122223333:db:acme-prod-orders",
            "name": "acme-prod-orders",
            "type": "AwsRdsDbInstance",
            "region": "eu-west-1"
        }],
        "cloud": { "provider": "aws", "account": { "uid": "111122223333" }, "region": "eu-west-1" },
        "time_dt": "2026-11-21T08:00:00Z"
    }])
    .to_string()
}

async fn log_in(harness: &Harness, email: &str) -> TestResult {
    let client = harness.browser.client();
    client.delete_all_cookies().await?;
    client.goto(&harness.server.url("/login")).await?;
    let field = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("form input[name=email]"))
        .await?;
    field.send_keys(email).await?;
    client
        .find(Locator::Css("form input[name=password]"))
        .await?
        .send_keys(DEMO_PASSWORD)
        .await?;
    client
        .find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#main-nav"))
        .await?;
    Ok(())
}

/// Opens `path` and waits until the page has hydrated: the shell's menu toggle answers a
/// click only once the wasm runs (clicked back afterwards, so the menu stays as it was).
async fn open_hydrated(harness: &Harness, path: &str) -> TestResult {
    let client = harness.browser.client();
    client.goto(&harness.server.url(path)).await?;
    let toggle = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#nav-toggle"))
        .await?;
    let before = toggle.text().await?;
    let after = harness
        .browser
        .click_until_text_changes("#nav-toggle", &before, Duration::from_secs(60))
        .await?;
    harness
        .browser
        .click_until_text_changes("#nav-toggle", &after, WAIT)
        .await?;
    Ok(())
}

/// Waits until the first element matching `css` has text containing `needle`.
async fn wait_for_text(client: &Client, css: &str, needle: &str) -> Result<String, Failure> {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < WAIT {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(needle) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    fail(format!(
        "{css} never contained {needle:?}; last text {last:?}"
    ))
}

/// The item's state as its page shows it: the side note for excepted and won't-fix items,
/// else the current step of the state track.
async fn item_state(client: &Client) -> Result<String, Failure> {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#item-title"))
        .await?;
    if let Ok(side) = client.find(Locator::Css(".state-side")).await {
        return Ok(side.attr("data-state").await?.unwrap_or_default());
    }
    let current = client
        .find(Locator::Css(".state-track li[aria-current=step]"))
        .await?;
    Ok(current.attr("data-state").await?.unwrap_or_default())
}

/// Reloads the item page until it shows `expected` as the item's state.
async fn wait_item_state(harness: &Harness, path: &str, expected: &str) -> TestResult {
    let client = harness.browser.client();
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < WAIT {
        client.goto(&harness.server.url(path)).await?;
        last = item_state(client).await?;
        if last == expected {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    fail(format!(
        "{path} shows state {last:?}, expected {expected:?}"
    ))
}

/// Rewrites the fix editor's text with `js_replace` (a JavaScript `replace` call on the
/// current value) and fires `input`, again until the live status reaches `class` (before the
/// page has hydrated the event goes nowhere).
async fn edit_fix_until(
    client: &Client,
    pattern: &str,
    replacement: &str,
    class: &str,
) -> Result<String, Failure> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        client
            .execute(
                "const t = document.getElementById('fix-text');
                 t.value = t.value.replace(new RegExp(arguments[0]), arguments[1]);
                 t.dispatchEvent(new Event('input', { bubbles: true }));
                 return true;",
                vec![json!(pattern), json!(replacement)],
            )
            .await?;
        let wait_until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < wait_until {
            let status = client.find(Locator::Css("#live-status")).await?;
            let classes = status.attr("class").await?.unwrap_or_default();
            if classes.split_whitespace().any(|c| c == class) {
                return Ok(status.text().await?);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    fail(format!("the live status never became {class:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_campaign_fix_approve_except_and_expire() -> TestResult {
    let Some(harness) = Harness::start().await? else {
        return Ok(());
    };
    let client = harness.browser.client();
    let loaded = harness.server.run_command(&["demo"])?;
    assert!(loaded.contains(SECURITY), "{loaded}");

    // 1. Import a findings file through the Imports page.
    log_in(&harness, SECURITY).await?;
    let findings = harness.server.dir().join("prowler-rds.ocsf.json");
    std::fs::write(&findings, prowler_rds_finding()).map_err(|e| Failure(e.to_string()))?;
    open_hydrated(&harness, "/imports").await?;
    let file = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#import-file"))
        .await?;
    file.send_keys(&findings.display().to_string()).await?;
    client
        .find(Locator::Css("#upload-form button[type=submit]"))
        .await?
        .click()
        .await?;
    let result = wait_for_text(client, "#import-result", "Imported").await?;
    assert!(result.contains("1 new"), "{result}");

    // 2. Create a campaign; it plans its work items.
    open_hydrated(&harness, "/campaigns/new").await?;
    let name = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#c-name"))
        .await?;
    name.send_keys("Encrypt the orders database").await?;
    client
        .find(Locator::Css("input[type=checkbox][value='RDX-RDS-001']"))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Css("form.campaign-form button[type=submit]"))
        .await?
        .click()
        .await?;
    let created = wait_for_text(client, "p.notice[role=status]", "Campaign created").await?;
    assert!(
        !created.contains(" 0 items"),
        "planning made no item: {created}"
    );
    client
        .find(Locator::LinkText("Open it"))
        .await?
        .click()
        .await?;
    let item_link = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("a[href^='/items/']"))
        .await?;
    let item_path = item_link.attr("href").await?.unwrap_or_default();
    let item_path = item_path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned();

    // 3. Open the work item in the IDE view, as the developer who works it.
    log_in(&harness, DEVELOPER).await?;
    open_hydrated(&harness, &item_path).await?;
    let title = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#item-title"))
        .await?
        .text()
        .await?;
    assert!(!title.is_empty());
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#fix-text"))
        .await?;

    // 4. Edit the fix into a failing state and see it fail, then fix it again and see it pass.
    let failing = edit_fix_until(
        client,
        r"storage_encrypted(\s*)=(\s*)true",
        "storage_encrypted$1=$2false",
        "fails",
    )
    .await?;
    assert!(!failing.is_empty());
    let passing = edit_fix_until(
        client,
        r"storage_encrypted(\s*)=(\s*)false",
        "storage_encrypted$1=$2true",
        "passes",
    )
    .await?;
    assert!(!passing.is_empty());
    client
        .find(Locator::Css(".editor button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text(client, ".editor p.ok", "Fix proposed").await?;

    // 5. Approve as a second user.
    log_in(&harness, REVIEWER).await?;
    open_hydrated(&harness, &item_path).await?;
    let approve = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//button[normalize-space()='Approve fix']"))
        .await?;
    approve.click().await?;
    wait_for_text(client, "[role=status].ok", "Fix approved").await?;
    wait_item_state(&harness, &item_path, "fix_approved").await?;

    // 6. Request an exception (developer), then approve it (security).
    log_in(&harness, DEVELOPER).await?;
    open_hydrated(&harness, &item_path).await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("details.exception-form summary"))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Css("#exc-justification"))
        .await?
        .send_keys("The orders database is replaced by Aurora next month.")
        .await?;
    let expires = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    client
        .execute(
            "document.getElementById('exc-expires').value = arguments[0]; return true;",
            vec![json!(expires)],
        )
        .await?;
    client
        .find(Locator::Css("details.exception-form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text(client, "details.exception-form p.ok", "requested").await?;

    log_in(&harness, SECURITY).await?;
    open_hydrated(&harness, "/exceptions").await?;
    // The demo has a pending exception of its own: approve the one on this item.
    let row_approve =
        format!("//tr[.//a[@href='{item_path}']]//button[normalize-space()='Approve']");
    let approve = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&row_approve))
        .await?;
    approve.click().await?;
    wait_item_state(&harness, &item_path, "excepted").await?;

    // 7. Past the expiry (injected clock), the exception expires and the item reopens.
    let later = (chrono::Utc::now() + chrono::Duration::days(31)).to_rfc3339();
    harness.server.set_clock(&later)?;
    let expired = harness.server.run_command(&["expire-exceptions"])?;
    assert!(expired.contains("Expired 1 exception"), "{expired}");
    wait_item_state(&harness, &item_path, "open").await?;

    harness.close().await?;
    Ok(())
}
