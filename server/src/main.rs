//! The `redress` binary: the web server and its command-line tools.
//!
//! `redress` alone serves the web app; `redress migrate` applies the schema; the domain
//! commands (`import`, `locate`, `scan`, `fix`) work on files and repositories directly.
use redress_server::{commands, web};

use std::{net::SocketAddr, process::ExitCode};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use redress_store::Store;

/// Redress: fix cloud misconfigurations where they belong, in Terraform.
#[derive(Debug, Parser)]
#[command(name = "redress", version, about)]
struct Cli {
    /// Database URL: sqlite://PATH (default) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/redress.db",
        global = true
    )]
    database_url: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app (the default command).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import findings files (any supported format) and print what each import did.
    Import(commands::import::ImportArgs),
    /// Map findings to the Terraform lines that define their resources.
    Locate(commands::locate::LocateArgs),
    /// Scan a Terraform directory with the built-in policies.
    Scan(commands::scan::ScanArgs),
    /// Print (and with --apply, write) the verified fix for one policy on one resource.
    Fix(commands::fix::FixArgs),
    /// Load the demo data: a Terraform repository, findings, users and two campaigns.
    Demo(commands::demo::DemoArgs),
    /// Expire the exceptions past their expiry now and reopen their work items.
    ExpireExceptions,
}

#[derive(Debug, Parser)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "REDRESS_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// The built site (wasm, JS, CSS), as produced by `cargo leptos build`.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    site_root: String,
    /// Public URL; when it starts with https:// session cookies are marked Secure.
    #[arg(long, env = "REDRESS_PUBLIC_URL")]
    public_url: Option<String>,
    /// E-mail of the first administrator, created when the database has no users.
    #[arg(long, env = "REDRESS_ADMIN_EMAIL")]
    admin_email: Option<String>,
    /// Password of the first administrator; generated and printed once when not given.
    #[arg(long, env = "REDRESS_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs::parse_from(["serve"])
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("REDRESS_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(&cli.database_url, args)
            .await
            .map(|()| ExitCode::SUCCESS),
        Command::Migrate => {
            let store = Store::open(&cli.database_url).await?;
            store.migrate().await?;
            println!("Database at {} is up to date.", store.backend_name());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => commands::import::run(&cli.database_url, args).await,
        Command::Locate(args) => commands::locate::run(args).map(|()| ExitCode::SUCCESS),
        Command::Scan(args) => commands::scan::run(args),
        Command::Fix(args) => commands::fix::run(args),
        Command::Demo(args) => {
            let store = redress_server::clock::from_env(Store::connect(&cli.database_url).await?);
            commands::demo::run(&store, args).await
        }
        Command::ExpireExceptions => {
            let store = redress_server::clock::from_env(Store::connect(&cli.database_url).await?);
            commands::expire::run(&store).await
        }
    }
}

async fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    // Settings read per request are checked once here, so a bad one stops the start.
    redress_server::rest::max_import_bytes().map_err(anyhow::Error::msg)?;
    let store = redress_server::clock::from_env(Store::connect(database_url).await?);
    if let Some(admin) = store
        .ensure_first_admin(args.admin_email.as_deref(), args.admin_password.as_deref())
        .await
        .context("cannot create the first administrator")?
    {
        match admin.generated_password {
            Some(password) => println!(
                "Created the first administrator {} with password {password} (shown once; set REDRESS_ADMIN_PASSWORD to choose it).",
                admin.email
            ),
            None => println!("Created the first administrator {}.", admin.email),
        }
    }
    let secure_cookies = args
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    web::serve(
        store,
        web::WebConfig {
            addr: args.addr,
            site_root: args.site_root,
            secure_cookies,
        },
    )
    .await
}
