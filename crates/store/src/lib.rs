//! Storage: sea-orm entities and queries, transactions, and the domain operations the app calls.
#![warn(missing_docs)]
