//! The command-line tools besides `serve`: one module per subcommand, each with its clap
//! `Args` struct and a `run` function. Add a command as a module here plus one variant and
//! one match arm in `main.rs`.

pub mod demo;
pub mod expire;
pub mod fix;
pub mod import;
pub mod locate;
pub mod scan;
