//! Helpers the browser tests share: logging in through the form, waiting for hydration,
//! waiting for text, reading a work item's state as its page shows it, and a failure type
//! that says which step failed, on which page, and what the page showed.
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::Harness;

/// How long one wait lasts before a step fails.
pub const WAIT: Duration = Duration::from_secs(30);

/// A test failure, printed as its message (a test's `Err` is shown with `Debug`).
pub struct Failure(pub String);

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

/// The result of a browser test or one of its steps.
pub type TestResult<T = ()> = Result<T, Failure>;

/// A failure with `message`.
pub fn fail<T>(message: impl Into<String>) -> TestResult<T> {
    Err(Failure(message.into()))
}

/// Fails with `message` unless `condition` holds.
pub fn check(condition: bool, message: impl FnOnce() -> String) -> TestResult {
    if condition { Ok(()) } else { fail(message()) }
}

/// Adds where the browser was and what it showed to a failed step, with the server's log.
pub async fn explain(harness: &Harness, step: &str, failure: Failure) -> Failure {
    let client = harness.browser.client();
    let url = client
        .current_url()
        .await
        .map_or_else(|e| format!("(no URL: {e})"), |u| u.to_string());
    let shown = client
        .execute(
            "const m = document.querySelector('main') || document.body; \
             return m ? m.innerText.slice(0, 1500) : '';",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Failure(format!(
        "step {step:?} failed: {}\n--- page {url} ---\n{shown}\n--- server log ---\n{}",
        failure.0,
        harness.server.log_tail(15)
    ))
}

/// Logs in as `email` through the login form (after dropping any session) and waits for the
/// shell's navigation.
pub async fn log_in(harness: &Harness, email: &str, password: &str) -> TestResult {
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
        .send_keys(password)
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
        .await
        .map_err(|e| Failure(format!("logging in as {email}: {e}")))?;
    Ok(())
}

/// Opens `path` and waits until the page has hydrated: the shell's menu toggle answers a
/// click only once the wasm runs (clicked back afterwards, so the menu stays as it was).
pub async fn open_hydrated(harness: &Harness, path: &str) -> TestResult {
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

/// Waits until the first element matching `css` has text containing `needle`; returns it.
pub async fn wait_for_text(client: &Client, css: &str, needle: &str) -> TestResult<String> {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < WAIT {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(needle) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    fail(format!(
        "{css} never contained {needle:?}; last text {last:?}"
    ))
}

/// Waits until the page's path (without query) is one that `matches` accepts; returns it.
pub async fn wait_for_path(
    client: &Client,
    what: &str,
    matches: impl Fn(&str) -> bool,
) -> TestResult<String> {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < WAIT {
        last = client.current_url().await?.path().to_owned();
        if matches(&last) {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    fail(format!("never reached {what}; still on {last}"))
}

/// The work item's state as its page shows it: the side note for excepted and won't-fix
/// items, else the current step of the state track.
pub async fn item_state(client: &Client) -> TestResult<String> {
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

/// Loads the item page at `path` (again, as needed) until it shows `expected` as the state.
pub async fn wait_item_state(harness: &Harness, path: &str, expected: &str) -> TestResult {
    let client = harness.browser.client();
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < WAIT {
        client.goto(&harness.server.url(path)).await?;
        last = item_state(client).await?;
        if last == expected {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    fail(format!(
        "{path} shows state {last:?}, expected {expected:?}"
    ))
}

/// The texts of every element matching `css`.
pub async fn texts(client: &Client, css: &str) -> TestResult<Vec<String>> {
    let mut out = Vec::new();
    for el in client.find_all(Locator::Css(css)).await? {
        out.push(el.text().await?);
    }
    Ok(out)
}
