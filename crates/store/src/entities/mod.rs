//! sea-orm entities. Private to the store: operations convert them to `redress-types`.
pub mod api_token;
pub mod session;
pub mod user;
