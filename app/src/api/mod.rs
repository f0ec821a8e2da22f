//! Server functions, one module per area. Each checks the caller's role, calls one store
//! operation and maps the error; nothing else.
pub mod audit;
pub mod campaigns;
pub mod demo;
pub mod exceptions;
pub mod findings;
pub mod items;
pub mod repositories;
pub mod settings;
