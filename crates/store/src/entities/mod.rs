//! sea-orm entities. Private to the store: operations convert them to `redress-types`.
pub mod api_token;
pub mod finding;
pub mod import;
pub mod session;
pub mod source;
pub mod user;
