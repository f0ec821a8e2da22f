//! The work item IDE view at 1280×800 in headless Chromium (issue 6: "usable with a keyboard,
//! readable at 1280×800, links deep to a file and line"):
//! - Tab reaches the item's actions (Approve fix, Download patch, Request exception), the
//!   code pane, the fix editor and Propose, each with a visible focus outline, and Enter
//!   opens the exception form;
//! - `/items/:id?file=…&line=N` opens that file with line N marked and scrolled into view,
//!   on a full load and when followed inside the app;
//! - the page does not scroll sideways.
//!
//! Uses the demo data (`redress demo`); skipped without Chromium or the built site, except
//! under CI.
use std::time::Duration;

use fantoccini::{Client, Locator, key::Key};
use redress_e2e::{
    Harness,
    ui::{
        TestResult, WAIT, check, explain, fail, log_in, open_hydrated, wait_for_path, wait_for_text,
    },
};
use serde_json::json;

const DEMO_PASSWORD: &str = "redress-demo-2026";
/// On team platform, which owns the demo's shared modules; not the author of their fixes.
const DEVELOPER: &str = "dana.dev@acme.example";

/// Makes the page area exactly `width`×`height` CSS pixels.
async fn viewport(client: &Client, width: u32, height: u32) -> TestResult {
    client.set_window_size(width, height).await?;
    let inner = client
        .execute("return [innerWidth, innerHeight];", vec![])
        .await?;
    let get = |i: usize| {
        inner[i]
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0)
    };
    let (w, h) = (get(0), get(1));
    if (w, h) != (width, height) {
        client
            .set_window_size(
                width + (width - w.min(width)),
                height + (height - h.min(height)),
            )
            .await?;
    }
    let inner = client
        .execute("return [innerWidth, innerHeight];", vec![])
        .await?;
    check(inner == json!([width, height]), || {
        format!("viewport is {inner}, expected {width}x{height}")
    })
}

/// What has keyboard focus: a short description and whether an outline shows it.
async fn focused(client: &Client) -> TestResult<(String, bool)> {
    let v = client
        .execute(
            "const e = document.activeElement;
             const s = getComputedStyle(e);
             const label = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' +
                 (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40);
             return [label, s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];",
            vec![],
        )
        .await?;
    Ok((
        v[0].as_str().unwrap_or_default().to_owned(),
        v[1].as_bool().unwrap_or(false),
    ))
}

/// Presses Tab until focus lands on an element whose description contains `target`
/// (at most `limit` presses); fails if it never does or its focus is not visible.
async fn tab_to(client: &Client, target: &str, limit: usize, seen: &mut Vec<String>) -> TestResult {
    for _ in 0..limit {
        client.active_element().await?.send_keys(&Key::Tab).await?;
        let (label, visible) = focused(client).await?;
        seen.push(label.clone());
        if label.contains(target) {
            return check(visible, || {
                format!("focus on {label:?} has no visible outline")
            });
        }
    }
    fail(format!(
        "Tab never reached {target:?}; focus went through {seen:?}"
    ))
}

/// Whether line `n` of the code pane is inside both the window and the pane's visible part.
async fn line_in_view(client: &Client, n: u32) -> TestResult<bool> {
    let v = client
        .execute(
            "const l = document.getElementById('L' + arguments[0]);
             const pane = document.querySelector('.code');
             if (!l || !pane) { return false; }
             const r = l.getBoundingClientRect(), p = pane.getBoundingClientRect();
             return r.top >= Math.max(0, p.top) && r.bottom <= Math.min(innerHeight, p.bottom);",
            vec![json!(n)],
        )
        .await?;
    Ok(v.as_bool().unwrap_or(false))
}

async fn no_sideways_scroll(client: &Client, page: &str) -> TestResult {
    let v = client
        .execute(
            "return [document.documentElement.scrollWidth, innerWidth];",
            vec![],
        )
        .await?;
    check(v[0].as_u64() <= v[1].as_u64(), || {
        format!("{page} scrolls sideways: scroll width {} > {}", v[0], v[1])
    })
}

async fn run(harness: &Harness, step: &mut &'static str) -> TestResult {
    let client = harness.browser.client();
    harness.server.run_command(&["demo"])?;
    viewport(client, 1280, 800).await?;
    log_in(harness, DEVELOPER, DEMO_PASSWORD).await?;

    *step = "find a proposed fix to review in My work";
    open_hydrated(harness, "/my-work").await?;
    let link = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//tr[.//span[@data-state='fix_proposed']]//a[starts-with(@href, '/items/')]",
        ))
        .await?;
    let item = link.attr("href").await?.unwrap_or_default();

    *step = "reach every action of the IDE view with Tab, with visible focus";
    open_hydrated(harness, &item).await?;
    no_sideways_scroll(client, &item).await?;
    client
        .execute(
            "document.activeElement.blur(); window.scrollTo(0, 0); return true;",
            vec![],
        )
        .await?;
    let mut seen = Vec::new();
    tab_to(client, "Approve fix", 80, &mut seen).await?;
    tab_to(client, "Download patch", 5, &mut seen).await?;
    tab_to(client, "Request exception", 5, &mut seen).await?;
    // Enter on the summary opens the exception form.
    client
        .active_element()
        .await?
        .send_keys(&Key::Enter)
        .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    check(
        client
            .find(Locator::Css("details.exception-form[open]"))
            .await
            .is_ok(),
        || "Enter did not open the exception form".into(),
    )?;
    tab_to(client, "textarea#exc-justification", 5, &mut seen).await?;
    tab_to(client, "textarea#fix-text", 20, &mut seen).await?;
    tab_to(client, "Propose this fix", 3, &mut seen).await?;
    // The code pane scrolls with the keyboard too: it is focusable, outlined.
    client
        .execute(
            "document.activeElement.blur(); window.scrollTo(0, 0); return true;",
            vec![],
        )
        .await?;
    let mut seen = Vec::new();
    tab_to(client, "div ", 80, &mut seen).await?;
    let pane = client
        .execute(
            "return document.activeElement.classList.contains('code');",
            vec![],
        )
        .await?;
    check(pane.as_bool() == Some(true), || {
        format!("the first focusable div is not the code pane: {seen:?}")
    })?;

    *step = "open a deep link to a file and line on a full load";
    // A plain load (no clicks, which would scroll the window themselves): the page scrolls
    // the line into view once it has hydrated.
    let deep = format!("{item}?file=envs/staging/main.tf&line=38");
    client.goto(&harness.server.url(&deep)).await?;
    wait_for_text(client, ".code-pane .code-path", "envs/staging/main.tf").await?;
    let target = client
        .find(Locator::Css(".code .line.target"))
        .await?
        .attr("id")
        .await?;
    check(target.as_deref() == Some("L38"), || {
        format!("marked line: {target:?}")
    })?;
    let mut visible = false;
    for _ in 0..100 {
        visible = line_in_view(client, 38).await?;
        if visible {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check(visible, || "line 38 is not scrolled into view".into())?;

    *step = "follow a file-and-line link inside the app";
    client
        .execute("window.__redressNoReload = 'kept'; return true;", vec![])
        .await?;
    let line_link = client
        .find(Locator::Css(".code-pane p.muted a[href*='line=']"))
        .await;
    let Ok(line_link) = line_link else {
        return fail("no link to a failing line in another file");
    };
    let href = line_link.attr("href").await?.unwrap_or_default();
    let line: u32 = href
        .split("line=")
        .nth(1)
        .and_then(|l| l.split(['&', '#']).next())
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    line_link.click().await?;
    wait_for_path(client, "the linked file", |p| p == item).await?;
    let mut visible = false;
    for _ in 0..30 {
        visible = line_in_view(client, line).await?;
        if visible {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check(visible, || format!("line {line} of {href} is not in view"))?;
    let kept = client
        .execute("return window.__redressNoReload || null;", vec![])
        .await?;
    check(kept.as_str() == Some("kept"), || {
        "following the link reloaded the page".into()
    })?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ide_view_keyboard_deep_links_and_width_at_1280x800() -> TestResult {
    let Some(harness) = Harness::start().await? else {
        return Ok(());
    };
    let mut step = "load the demo data";
    if let Err(failure) = run(&harness, &mut step).await {
        let explained = explain(&harness, step, failure).await;
        let _ = harness.close().await;
        return Err(explained);
    }
    harness.close().await?;
    Ok(())
}
