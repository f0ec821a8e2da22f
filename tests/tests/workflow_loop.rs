//! The whole human-in-the-loop workflow in headless Chromium, against the real server binary
//! and the real hydrate bundle (issue 6), each step checked by what the user sees:
//! 1. a security lead imports a findings file through the Imports page;
//! 2. creates a campaign with the form (which plans its work items and opens the campaign),
//!    and assigns the new item to a developer by hand;
//! 3. the developer opens the item from "My work" in the IDE view: offending line, notes, fix;
//! 4. edits the fix into a failing state and sees the failure (fails policy, then a parse
//!    error with its line; proposing is refused meanwhile), fixes it again, sees it pass and
//!    proposes it;
//! 5. a second developer approves it (the author is not offered the approval);
//! 6. the developer requests an exception, and the security lead approves it;
//! 7. the server's clock (injected) moves past the expiry, expiry runs, and the item is open
//!    again.
//!
//! The repository, its users and teams come from `redress demo` run against the server's
//! database first; the campaign this test creates (RDS encryption) is not one of the demo's.
//! Needs `cargo leptos build`; without Chromium/ChromeDriver or the built site it is skipped
//! with a message, except under CI, where it fails.
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use redress_e2e::{
    Harness,
    ui::{
        Failure, TestResult, WAIT, check, explain, fail, item_state, log_in, open_hydrated, texts,
        wait_for_path, wait_for_text, wait_item_state,
    },
};
use serde_json::json;

const DEMO_PASSWORD: &str = "redress-demo-2026";
const SECURITY: &str = "sam.security@acme.example";
/// On team `data`, which owns `envs/prod/data.tf` in the demo's CODEOWNERS.
const DEVELOPER: &str = "lee.dev@acme.example";
const DEVELOPER_NAME: &str = "Lee Okafor";
/// On team `platform`; reviews the fix.
const REVIEWER: &str = "dana.dev@acme.example";
const CAMPAIGN: &str = "Encrypt the orders database";

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

/// Rewrites the fix editor's text with a JavaScript `replace(new RegExp(pattern),
/// replacement)` on its value and fires `input`, as typing does; then waits until the live
/// status has class `class` and returns its text.
async fn edit_fix_until(
    client: &Client,
    pattern: &str,
    replacement: &str,
    class: &str,
) -> TestResult<String> {
    let changed = client
        .execute(
            "const t = document.getElementById('fix-text');
             const before = t.value;
             t.value = t.value.replace(new RegExp(arguments[0]), arguments[1]);
             t.dispatchEvent(new Event('input', { bubbles: true }));
             return t.value !== before;",
            vec![json!(pattern), json!(replacement)],
        )
        .await?;
    check(changed.as_bool() == Some(true), || {
        format!("the fix text has no match for {pattern:?}")
    })?;
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < WAIT {
        let status = client.find(Locator::Css("#live-status")).await?;
        let classes = status.attr("class").await?.unwrap_or_default();
        last = status.text().await?;
        if classes.split_whitespace().any(|c| c == class) {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    fail(format!(
        "the live status never became {class:?}; last {last:?}"
    ))
}

/// Whether the "Propose this fix" button can be pressed.
async fn propose_enabled(client: &Client) -> TestResult<bool> {
    Ok(client
        .find(Locator::Css(".editor button[type=submit]"))
        .await?
        .is_enabled()
        .await?)
}

/// The button with exactly `label`, if the page shows one.
async fn button(client: &Client, label: &str) -> TestResult<Option<fantoccini::elements::Element>> {
    let xpath = format!("//button[normalize-space()='{label}']");
    Ok(client
        .find_all(Locator::XPath(&xpath))
        .await?
        .into_iter()
        .next())
}

/// The steps, run in order; `step` names the one running, for the failure message.
async fn run(harness: &Harness, step: &mut &'static str) -> TestResult {
    let client = harness.browser.client();
    let loaded = harness.server.run_command(&["demo"])?;
    check(loaded.contains(SECURITY), || loaded.clone())?;

    *step = "1 import a findings file through the Imports page";
    log_in(harness, SECURITY, DEMO_PASSWORD).await?;
    let findings = harness.server.dir().join("prowler-rds.ocsf.json");
    std::fs::write(&findings, prowler_rds_finding()).map_err(|e| Failure(e.to_string()))?;
    open_hydrated(harness, "/imports").await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#import-file"))
        .await?
        .send_keys(&findings.display().to_string())
        .await?;
    client
        .find(Locator::Css("#upload-form button[type=submit]"))
        .await?
        .click()
        .await?;
    let result = wait_for_text(client, "#import-result", "Imported").await?;
    check(result.contains("1 new"), || {
        format!("import result: {result}")
    })?;

    *step = "2 create a campaign with the form and assign its item";
    open_hydrated(harness, "/campaigns/new").await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#c-name"))
        .await?
        .send_keys(CAMPAIGN)
        .await?;
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
    // The form creates the campaign, plans its items and opens the campaign's page.
    wait_for_path(client, "the new campaign's page", |p| {
        p.strip_prefix("/campaigns/")
            .is_some_and(|id| id.parse::<u64>().is_ok())
    })
    .await?;
    wait_for_text(client, "h1", CAMPAIGN).await?;
    let rows = texts(client, "table.items tbody tr").await?;
    check(rows.len() == 1, || format!("one item expected: {rows:?}"))?;
    let row = &rows[0];
    // One item closes the three findings about the orders database: Security Hub and
    // Checkov from the demo, Prowler from step 1.
    check(
        row.contains("aws_db_instance.orders") && row.contains("envs/prod/data.tf:16"),
        || format!("item row: {row}"),
    )?;
    let cells = texts(client, "table.items tbody tr td").await?;
    check(cells.get(2).map(String::as_str) == Some("3"), || {
        format!("findings cell: {cells:?}")
    })?;
    check(row.contains("data (team)"), || {
        format!("assignee by CODEOWNERS: {row}")
    })?;
    let item_path = client
        .find(Locator::Css("table.items a[href^='/items/']"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    // The lead gives the item to one developer of the owning team.
    let select = client
        .find(Locator::Css("table.items .reassign-form select"))
        .await?;
    select
        .select_by_label(&format!("{DEVELOPER_NAME} <{DEVELOPER}>"))
        .await?;
    client
        .find(Locator::Css(
            "table.items .reassign-form button[type=submit]",
        ))
        .await?
        .click()
        .await?;
    wait_for_text(client, "[role=status].notice", DEVELOPER_NAME).await?;
    wait_for_text(client, "table.items .assignee", DEVELOPER_NAME).await?;
    wait_for_text(client, "table.audit", "work_item.reassign").await?;

    *step = "3 open the work item in the IDE view from My work";
    log_in(harness, DEVELOPER, DEMO_PASSWORD).await?;
    open_hydrated(harness, "/my-work").await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("table.items a[href='{item_path}']")))
        .await?
        .click()
        .await?;
    wait_for_path(client, "the IDE view", |p| p == item_path).await?;
    let title = wait_for_text(client, "#item-title", "aws_db_instance.orders").await?;
    check(title.contains("RDX-RDS-001"), || format!("title: {title}"))?;
    wait_for_text(client, "#item-assignee", DEVELOPER_NAME).await?;
    let offending = texts(client, ".code .line.violation").await?;
    check(
        offending
            .iter()
            .any(|l| l.contains("storage_encrypted") && l.contains("false")),
        || format!("highlighted lines: {offending:?}"),
    )?;
    wait_for_text(client, ".code .inline-note", "storage_encrypted").await?;
    let added = texts(client, ".diff-inline tr.add").await?;
    check(
        added
            .iter()
            .any(|l| l.contains("storage_encrypted") && l.contains("true")),
        || format!("the diff's added lines: {added:?}"),
    )?;

    *step = "4 edit the fix into failing states, see the failures, fix it and propose it";
    // The page may still be hydrating: the first edit retries until the status answers.
    open_hydrated(harness, &item_path).await?;
    let failing = edit_fix_until(
        client,
        r"storage_encrypted(\s*)=(\s*)true",
        "storage_encrypted$1=$2false",
        "fails",
    )
    .await?;
    check(
        failing.contains("fails policy") && failing.contains("storage_encrypted"),
        || format!("failing status: {failing}"),
    )?;
    check(!propose_enabled(client).await?, || {
        "a failing fix can still be proposed".into()
    })?;
    let broken = edit_fix_until(
        client,
        r"storage_encrypted(\s*)=(\s*)false",
        "storage_encrypted$1=$2false }",
        "parse-error",
    )
    .await?;
    check(
        broken.contains("parse error at line ")
            && broken
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .starts_with(|c: char| c.is_ascii_digit()),
        || format!("parse-error status: {broken}"),
    )?;
    check(!propose_enabled(client).await?, || {
        "a fix that does not parse can still be proposed".into()
    })?;
    let passing = edit_fix_until(
        client,
        r"storage_encrypted(\s*)=(\s*)false }",
        "storage_encrypted$1=$2true",
        "passes",
    )
    .await?;
    check(passing.contains("passes policy"), || {
        format!("passing status: {passing}")
    })?;
    check(propose_enabled(client).await?, || {
        "a passing fix cannot be proposed".into()
    })?;
    client
        .find(Locator::Css(".editor button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text(client, ".editor p.ok", "Fix proposed").await?;
    wait_item_state(harness, &item_path, "fix_proposed").await?;
    wait_for_text(client, ".fix-origin", DEVELOPER_NAME).await?;
    // The author is told someone else approves, and is not offered the button.
    wait_for_text(client, "#approve-note", "another reviewer").await?;
    check(button(client, "Approve fix").await?.is_none(), || {
        "the author is offered to approve their own fix".into()
    })?;

    *step = "5 approve the fix as another developer";
    log_in(harness, REVIEWER, DEMO_PASSWORD).await?;
    open_hydrated(harness, &item_path).await?;
    match button(client, "Approve fix").await? {
        Some(approve) => approve.click().await?,
        None => return fail("the reviewer has no Approve fix button"),
    }
    wait_for_text(client, "[role=status].ok", "Fix approved").await?;
    wait_item_state(harness, &item_path, "fix_approved").await?;

    *step = "6 request an exception, then approve it as security";
    log_in(harness, DEVELOPER, DEMO_PASSWORD).await?;
    open_hydrated(harness, &item_path).await?;
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
    // The form offers dates from tomorrow (server clock); 30 days from now is within range.
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

    log_in(harness, SECURITY, DEMO_PASSWORD).await?;
    open_hydrated(harness, "/exceptions").await?;
    // The demo has a pending exception of its own: decide the one on this item.
    let row = format!("//tr[.//a[@href='{item_path}']]");
    let request = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&row))
        .await?
        .text()
        .await?;
    check(
        request.contains(DEVELOPER_NAME) && request.contains("Aurora"),
        || format!("pending request row: {request}"),
    )?;
    client
        .find(Locator::XPath(&format!(
            "{row}//button[normalize-space()='Approve']"
        )))
        .await?
        .click()
        .await?;
    wait_for_text(client, "[role=status].notice", "approved").await?;
    wait_item_state(harness, &item_path, "excepted").await?;
    wait_for_text(client, ".state-side", &format!("excepted until {expires}")).await?;

    *step = "7 move the clock past the expiry and see the item reopen";
    let later = (chrono::Utc::now() + chrono::Duration::days(31)).to_rfc3339();
    harness.server.set_clock(&later)?;
    let expired = harness.server.run_command(&["expire-exceptions"])?;
    check(expired.contains("Expired 1 exception"), || expired.clone())?;
    // A month later the old session has lapsed too: log in again.
    log_in(harness, DEVELOPER, DEMO_PASSWORD).await?;
    wait_item_state(harness, &item_path, "open").await?;
    check(
        client.find(Locator::Css(".state-side")).await.is_err(),
        || "the item still shows an exception".into(),
    )?;
    let state = item_state(client).await?;
    check(state == "open", || format!("state after expiry: {state}"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_campaign_fix_approve_except_and_expire() -> TestResult {
    let Some(harness) = Harness::start().await? else {
        return Ok(());
    };
    let mut step = "0 load the demo data";
    if let Err(failure) = run(&harness, &mut step).await {
        let explained = explain(&harness, step, failure).await;
        let _ = harness.close().await;
        return Err(explained);
    }
    harness.close().await?;
    Ok(())
}
