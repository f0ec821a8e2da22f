//! Browser tests: the real server binary and the real hydrate bundle in headless Chromium.
//!
//! They need `cargo leptos build` first (`make test` runs it). Without Chromium/ChromeDriver
//! or the built site they are skipped with a message, except under CI, where they fail.

use std::time::Duration;

use fantoccini::{Client, Locator};
use redress_e2e::Harness;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The first whole number in `text`, e.g. 3 in "Clicked 3 times".
fn first_number(text: &str) -> Option<u64> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Plants a marker in the page's JavaScript state; a reload or a full navigation loses it.
async fn plant_reload_marker(client: &Client) -> TestResult {
    client
        .execute("window.__redressNoReload = 'kept'; return true;", vec![])
        .await?;
    Ok(())
}

/// Whether the marker planted by [`plant_reload_marker`] is still there.
async fn reload_marker_kept(client: &Client) -> Result<bool, Box<dyn std::error::Error>> {
    let value = client
        .execute("return window.__redressNoReload || null;", vec![])
        .await?;
    Ok(value.as_str() == Some("kept"))
}

/// Proves hydration: a click on `#counter` changes the page without a reload, and each
/// further click adds exactly one.
async fn assert_counter_hydrates(harness: &Harness) -> TestResult {
    let client = harness.browser.client();
    let counter = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#counter"))
        .await?;
    let before = counter.text().await?;
    let start = first_number(&before).ok_or(format!("no number in {before:?}"))?;
    plant_reload_marker(client).await?;

    // Before the wasm has hydrated the page a click does nothing; keep clicking until it does.
    let hydrated = harness
        .browser
        .click_until_text_changes("#counter", &before, Duration::from_secs(60))
        .await?;
    let after_hydration =
        first_number(&hydrated).ok_or(format!("no number in {hydrated:?} after clicking"))?;
    assert!(
        after_hydration > start,
        "the counter went from {before:?} to {hydrated:?}"
    );

    client.find(Locator::Css("#counter")).await?.click().await?;
    let text = client.find(Locator::Css("#counter")).await?.text().await?;
    assert_eq!(
        first_number(&text),
        Some(after_hydration + 1),
        "one more click after hydration: {text:?}"
    );
    assert!(
        reload_marker_kept(client).await?,
        "the page reloaded while clicking the counter"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_hydrates_and_the_counter_updates_without_reload() -> TestResult {
    let Some(harness) = Harness::start().await? else {
        return Ok(());
    };
    let client = harness.browser.client();
    client.goto(&harness.server.url("/")).await?;
    assert_counter_hydrates(&harness).await?;
    harness.close().await?;
    Ok(())
}

#[test]
fn first_number_reads_the_count() {
    assert_eq!(first_number("Clicked 12 times"), Some(12));
    assert_eq!(first_number("Clicked 0 times"), Some(0));
    assert_eq!(first_number("no digits"), None);
}
