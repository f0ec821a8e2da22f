//! Terraform index: tree-sitter-hcl parsing, spans, modules, values, state and locate.
#![warn(missing_docs)]
