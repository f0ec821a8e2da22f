//! Server functions, one module per area. Each checks the caller's role, calls one store
//! operation and maps the error; nothing else.
pub mod demo;
pub mod findings;
pub mod items;
pub mod settings;
