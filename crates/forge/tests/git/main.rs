//! Integration tests on real temporary git repositories.

mod branch;
mod common;
mod local;
mod remote;
