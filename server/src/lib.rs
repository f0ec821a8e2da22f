//! The Redress server: axum wiring, sessions, the CSRF guard and the command-line tools.
//! `main.rs` parses the command line and calls into these modules; tests drive
//! [`web::router`] directly.

#![recursion_limit = "256"]

pub mod clock;
pub mod commands;
pub mod csrf;
pub mod login_guard;
pub mod rest;
pub mod session_store;
pub mod web;
