//! End-to-end and browser-test harness for Redress; the tests themselves live under `tests/tests/`.
//!
//! What this crate owns: starting the real `redress serve` binary (built by `cargo leptos build`)
//! on a free loopback port with a throwaway SQLite database ([`RedressServer`]), starting
//! `chromedriver` and headless Debian Chromium with a fresh profile ([`Browser`]), and tearing
//! both down when they are dropped. [`Harness::start`] does both and applies the skip policy:
//! when Chromium, ChromeDriver or the built site is missing, a test is skipped with a clear
//! message, except under CI (`CI` set), where it fails instead.
//!
//! Public API: [`Harness`], [`RedressServer`], [`ServerConfig`], [`Browser`], [`BrowserTools`],
//! [`HarnessError`], [`http_get`], [`http_head`], [`free_port`]; [`ui`] holds the helpers the
//! browser tests share (log in, wait for hydration or text, a work item's state, failures that
//! say which step failed and what the page showed).
#![warn(missing_docs)]

mod browser;
mod error;
mod harness;
mod http;
mod process;
mod server;
pub mod ui;

pub use browser::{Browser, BrowserTools};
pub use error::HarnessError;
pub use harness::Harness;
pub use http::{HttpResponse, http_get, http_head};
pub use process::free_port;
pub use server::{RedressServer, ServerConfig};
