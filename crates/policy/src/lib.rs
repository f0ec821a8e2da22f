//! Policies, the equivalents table, evaluation, fix generation and verification.
#![warn(missing_docs)]
