//! Browser tests: the real server binary and the real hydrate bundle in headless Chromium.
//!
//! They need `cargo leptos build` first (`make test` runs it). Without Chromium/ChromeDriver
//! or the built site they are skipped with a message, except under CI, where they fail.

use std::time::Duration;

use fantoccini::{Client, Locator};
use redress_e2e::Harness;

type TestResult = Result<(), Failure>;

/// A test failure shown with its message (a test's `Err` is printed with `Debug`).
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

/// The navigation entries the shell shows to a logged-in user, in order.
const NAV_ENTRIES: [&str; 7] = [
    "Campaigns",
    "Findings",
    "Imports",
    "Repositories",
    "Exceptions",
    "Reports",
    "Settings",
];

const WAIT: Duration = Duration::from_secs(30);

/// Plants a marker in the page's JavaScript state; a reload or a full navigation loses it.
async fn plant_reload_marker(client: &Client) -> TestResult {
    client
        .execute("window.__redressNoReload = 'kept'; return true;", vec![])
        .await?;
    Ok(())
}

/// Whether the marker planted by [`plant_reload_marker`] is still there.
async fn reload_marker_kept(client: &Client) -> Result<bool, Failure> {
    let value = client
        .execute("return window.__redressNoReload || null;", vec![])
        .await?;
    Ok(value.as_str() == Some("kept"))
}

async fn text_of(client: &Client, css: &str) -> Result<String, Failure> {
    Ok(client.find(Locator::Css(css)).await?.text().await?)
}

/// Logs in through the form and waits for the shell's navigation.
async fn log_in(harness: &Harness) -> TestResult {
    let client = harness.browser.client();
    let email = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("form input[name=email]"))
        .await?;
    email.send_keys(harness.server.admin_email()).await?;
    client
        .find(Locator::Css("form input[name=password]"))
        .await?
        .send_keys(harness.server.admin_password())
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_page_hydrates_then_login_shows_the_shell_and_its_menu_toggles_in_place() -> TestResult
{
    let Some(harness) = Harness::start().await? else {
        return Ok(());
    };
    let client = harness.browser.client();

    // A visitor is sent to the login page.
    client.goto(&harness.server.url("/")).await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#toggle-password"))
        .await?;
    assert_eq!(client.current_url().await?.path(), "/login");

    // Hydration: "Show password" works in place. Before the wasm has hydrated the page a click
    // does nothing, so keep clicking until the text changes.
    plant_reload_marker(client).await?;
    let before = text_of(client, "#toggle-password").await?;
    assert_eq!(before, "Show");
    let after = harness
        .browser
        .click_until_text_changes("#toggle-password", &before, Duration::from_secs(60))
        .await?;
    assert_eq!(after, "Hide");
    let password_type = client
        .find(Locator::Css("#password"))
        .await?
        .attr("type")
        .await?;
    assert_eq!(password_type.as_deref(), Some("text"));
    assert!(
        reload_marker_kept(client).await?,
        "the login page reloaded when the password was shown"
    );

    // Log in as the first admin and see the shell with every navigation entry.
    log_in(&harness).await?;
    let mut entries = Vec::new();
    for link in client.find_all(Locator::Css("#main-nav a")).await? {
        entries.push(link.text().await?);
    }
    for expected in NAV_ENTRIES {
        assert!(
            entries.iter().any(|e| e == expected),
            "nav entry {expected:?} missing from {entries:?}"
        );
    }

    // The hydrated shell: the menu toggle changes the page without a reload.
    plant_reload_marker(client).await?;
    let toggle_before = text_of(client, "#nav-toggle").await?;
    let toggle_after = harness
        .browser
        .click_until_text_changes("#nav-toggle", &toggle_before, Duration::from_secs(30))
        .await?;
    assert_eq!(
        (toggle_before.as_str(), toggle_after.as_str()),
        ("Hide menu", "Show menu")
    );
    let nav_class = client
        .find(Locator::Css("#main-nav"))
        .await?
        .attr("class")
        .await?
        .unwrap_or_default();
    assert!(nav_class.contains("collapsed"), "nav class {nav_class:?}");
    assert!(
        reload_marker_kept(client).await?,
        "the shell reloaded when the menu was toggled"
    );

    harness.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_with_a_message() -> TestResult {
    let Some(harness) = Harness::start().await? else {
        return Ok(());
    };
    let client = harness.browser.client();
    client.goto(&harness.server.url("/login")).await?;
    let email = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("form input[name=email]"))
        .await?;
    email.send_keys(harness.server.admin_email()).await?;
    client
        .find(Locator::Css("form input[name=password]"))
        .await?
        .send_keys("not the password")
        .await?;
    client
        .find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    let alert = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("[role=alert]"))
        .await?;
    let message = alert.text().await?;
    assert!(!message.trim().is_empty(), "empty error message");
    assert!(
        client.find_all(Locator::Css("#main-nav")).await?.is_empty(),
        "the shell is shown after a wrong password"
    );
    harness.close().await?;
    Ok(())
}
